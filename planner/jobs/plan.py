"""Phased plan job: which candidates open in which year under a yearly budget (unspent budget
carries over), stored as one coverage run per year (scenario "plan YEAR", a timeline) and a
"plan" run with the year-by-year table."""

from __future__ import annotations

import csv
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.control import Control, quiet
from models.costs import CostModel
from models.siting import InfeasibleError, SitingProblem, solve_phased
from planner.errors import PlannerError, ProblemList
from planner.geo import points_xy
from planner.jobs.coverage import cost_and_crs, load_demand, load_supply, run_coverage
from planner.jobs.siting import NEW_SITE_KIND
from planner.store import Project

#: What the output says about unspent budget.
CARRY_OVER_NOTE = "unspent budget carries over to later years"


@dataclass(frozen=True)
class PlanRequest:
    """A phased plan: years, a budget per year (in the candidates' cost unit), growth factors
    per district and year (flat when empty), and the coverage threshold: `threshold_s` seconds
    for a travel mode, `threshold_m` straight-line metres when mode is None."""

    years: tuple[int, ...]
    budget_per_year: float
    growth: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    threshold_s: float | None = 900.0
    mode: str | None = "walk"
    kinds: tuple[str, ...] | None = None
    candidates_layer: str = "candidates"
    time_limit_s: float = 60.0
    threshold_m: float | None = None
    travel: str | None = None  # "network" or "straight"; None: the project's roads if any

    @property
    def threshold(self) -> float:
        """The threshold in the cost model's unit; the user's error when it is missing."""
        value = self.threshold_m if self.mode is None else self.threshold_s
        if value is None or not value > 0:
            raise PlannerError(
                "覆盖阈值必须是正数",
                "the coverage threshold must be a positive number",
                field="threshold_m" if self.mode is None else "threshold_s",
            )
        return float(value)


@dataclass(frozen=True)
class PlanYearRow:
    """One row of the year-by-year table."""

    year: int
    opened: tuple[str, ...]
    cost: float
    covered: float
    covered_share: float
    worst_district: str | None
    run_id: int | None = None


@dataclass(frozen=True)
class PlanResult:
    """The phased plan as stored and written by `planner plan --json`."""

    years: tuple[PlanYearRow, ...]
    objective: float
    gap: float
    optimal: bool = True
    budget_note: str = CARRY_OVER_NOTE
    run_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "years": [
                {
                    "year": y.year,
                    "opened": list(y.opened),
                    "cost": y.cost,
                    "covered": y.covered,
                    "covered_share": y.covered_share,
                    "worst_district": y.worst_district,
                }
                for y in self.years
            ],
            "objective": self.objective,
            "gap": self.gap,
        }

    def to_stored(self) -> dict[str, Any]:
        """The contract JSON plus what the run list and timeline need."""
        out = self.to_json()
        for row, y in zip(out["years"], self.years, strict=True):
            row["run_id"] = y.run_id
        return {**out, "optimal": self.optimal, "budget_note": self.budget_note}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlanResult:
        """The plan as stored by this or an earlier version (missing keys: their defaults;
        unknown keys ignored)."""
        gap = float(data.get("gap", 0.0))
        return cls(
            years=tuple(
                PlanYearRow(
                    int(y.get("year", 0)),
                    tuple(str(i) for i in y.get("opened") or ()),
                    float(y.get("cost", 0.0)),
                    float(y.get("covered", 0.0)),
                    float(y.get("covered_share", 0.0)),
                    y.get("worst_district"),
                    y.get("run_id"),
                )
                for y in data.get("years") or ()
                if isinstance(y, Mapping)
            ),
            objective=float(data.get("objective", 0.0)),
            gap=gap,
            optimal=bool(data.get("optimal", gap == 0)),
            budget_note=str(data.get("budget_note", CARRY_OVER_NOTE)),
            run_id=data.get("run_id"),
        )


def parse_years(text: str) -> tuple[int, ...]:
    """'2026-2030' → (2026, …, 2030); a single year is one year."""
    try:
        first, _, last = text.partition("-")
        a, b = int(first), int(last or first)
    except ValueError as exc:
        raise PlannerError(
            f"年份应写作 2026-2030，而不是 “{text}”",
            f"years must look like 2026-2030, not {text!r}",
            field="--years",
        ) from exc
    if b < a or b - a > 50:
        raise PlannerError(
            "年份范围无效（结束年应不早于开始年，且不超过 50 年）",
            "invalid year range (the last year must not precede the first; 50 years at most)",
            field="--years",
        )
    return tuple(range(a, b + 1))


def read_growth(path: Path, years: Sequence[int]) -> dict[str, tuple[float, ...]]:
    """A CSV with a `district` column and one column per year of multipliers (missing → 1)."""
    if not path.is_file():
        raise PlannerError(f"找不到文件：{path}", f"file not found: {path}", file=str(path))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        if "district" not in fields:
            raise PlannerError(
                "增长表缺少 district 列",
                "the growth table has no 'district' column",
                file=str(path),
                field="district",
            )
        problems = ProblemList(str(path))
        out: dict[str, tuple[float, ...]] = {}
        for row_no, row in enumerate(reader, start=2):
            factors = []
            for year in years:
                text = (row.get(str(year)) or "").strip()
                try:
                    value = float(text) if text else 1.0
                except ValueError:
                    value = -1.0
                if not np.isfinite(value) or value < 0:
                    problems.add(
                        "增长系数必须是非负数",
                        "a growth factor must be a non-negative number",
                        row=row_no,
                        field=str(year),
                    )
                factors.append(value)
            out[str(row["district"]).strip()] = tuple(factors)
        problems.raise_if_any()
    return out


def run_plan(
    project: Project,
    request: PlanRequest,
    *,
    cost: CostModel | None = None,
    control: Control | None = None,
) -> PlanResult:
    """Solve the phased plan and store it (one transaction: a coverage run per year and the
    plan run)."""
    control = control or quiet()
    started = time.monotonic()
    if request.budget_per_year < 0:
        raise PlannerError(
            "每年预算不能为负",
            "the budget per year must not be negative",
            field="--budget-per-year",
        )
    cost, crs = cost_and_crs(project, request.mode, cost, request.travel)
    demand = load_demand(project, crs)
    existing = load_supply(project, list(request.kinds) if request.kinds else None)
    candidates = project.read_layer(request.candidates_layer).reset_index(drop=True)
    if "cost" not in candidates.columns:
        raise PlannerError(
            f"候选点图层 “{request.candidates_layer}” 没有 cost 字段，无法按年度预算规划",
            f"the candidates layer {request.candidates_layer!r} has no 'cost' field for budgets",
            field="cost",
        )
    price = pd.to_numeric(candidates["cost"], errors="coerce").fillna(np.inf).to_numpy(float)
    problem = SitingProblem(
        demand_xy=demand.xy,
        weights=demand.weights,
        candidates_xy=points_xy(candidates, crs) if len(candidates) else np.zeros((0, 2)),
        cost=cost,
        threshold=request.threshold,
        existing_xy=points_xy(existing, crs) if len(existing) else np.zeros((0, 2)),
        groups=demand.groups,
        candidate_cost=price,
    )
    try:
        plan = solve_phased(
            problem,
            request.years,
            [request.budget_per_year] * len(request.years),
            growth=dict(request.growth),
            time_limit_s=request.time_limit_s,
            control=control.sub(0.0, 0.7),
        )
    except InfeasibleError as exc:
        raise PlannerError(
            "没有满足预算的分期方案", f"no phased plan meets the budgets ({exc})"
        ) from exc
    except TimeoutError as exc:
        raise PlannerError(
            "在时间限制内没有找到分期方案，请放宽时间限制",
            f"no phased plan within the time limit; allow more time ({exc})",
        ) from exc
    except ValueError as exc:
        raise PlannerError(f"规划参数有误：{exc}", f"invalid plan request: {exc}") from exc
    ids = candidates["id"].astype(str).to_numpy()
    rows: list[PlanYearRow] = []
    with project.transaction():
        opened_so_far: list[int] = []
        for k, year in enumerate(plan.years):
            opened_so_far += [int(j) for j in year.opened]
            sites = candidates.iloc[opened_so_far].copy()
            sites["kind"] = NEW_SITE_KIND
            step = control.sub(
                0.7 + 0.3 * k / len(plan.years), 0.7 + 0.3 * (k + 1) / len(plan.years)
            )
            stored = run_coverage(
                project,
                threshold=request.threshold,
                mode=request.mode,
                kinds=list(request.kinds) if request.kinds else None,
                extra_sites=sites,
                scenario=f"plan {year.year}",
                cost=cost,
                travel=request.travel,
                catchment=k == len(plan.years) - 1,
                control=step,
            )
            rows.append(
                PlanYearRow(
                    year.year,
                    tuple(str(i) for i in ids[year.opened]),
                    year.cost,
                    year.covered,
                    year.share,
                    year.worst_group,
                    int(stored["run_id"]),
                )
            )
        result = PlanResult(tuple(rows), plan.objective, plan.gap, plan.optimal)
        run_id = project.add_run(
            "plan",
            result.to_stored(),
            scenario="plan",
            params={
                "years": list(request.years),
                "budget_per_year": request.budget_per_year,
                "growth": {k: list(v) for k, v in request.growth.items()},
                "threshold_s": request.threshold_s if request.mode is not None else None,
                "threshold_m": request.threshold_m if request.mode is None else None,
                "mode": request.mode,
                "travel": request.travel,
                "kinds": list(request.kinds) if request.kinds else None,
                "candidates_layer": request.candidates_layer,
                "time_limit_s": request.time_limit_s,
            },
            seconds=time.monotonic() - started,
            status="ok" if plan.optimal else "time-limit",
            cost_source=cost.source,
        )
    control.report(1.0, "plan done")
    return PlanResult(result.years, result.objective, result.gap, result.optimal, run_id=run_id)
