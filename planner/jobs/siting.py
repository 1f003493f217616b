"""Siting job: choose new service points among candidates (fair model by default).

`solve_siting` is the one job function for every face: `run_siting` feeds it a project's layers
and stores a "siting" run with coverage before and after by district plus a "plan" coverage
run; `planner site` feeds it vector files. Requests are typed (`SitingRequest`, units in the
field names) and so are results (`SitingOutcome`, `SitingJobResult` with to_json/from_json
keeping every key the stored run has always had).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from models.control import Control, quiet
from models.costs import MODES, CostModel
from models.siting import (
    MODELS,
    P_MODELS,
    FrontierPoint,
    InfeasibleError,
    SitingProblem,
    SitingResult,
    frontier,
    solve,
)
from planner.errors import PlannerError
from planner.geo import points_xy
from planner.jobs.coverage import (
    cost_and_crs,
    coverage_figures,
    load_demand,
    load_supply,
    run_coverage,
)
from planner.store import Project

#: Kind given to opened candidates in the plan's coverage run.
NEW_SITE_KIND = "study_room"
#: The one default threshold: a 15-minute walk ...
DEFAULT_THRESHOLD_S = 900.0
#: ... and, for straight-line metres, the crow-flies distance of that walk (4.8 km/h, circuity
#: 1.25: 960 m), so `planner site` and the project job agree.
DEFAULT_THRESHOLD_M = DEFAULT_THRESHOLD_S * MODES["walk"].speed_kph / 3.6 / MODES["walk"].circuity


@dataclass(frozen=True)
class SitingRequest:
    """What to solve. The threshold is `threshold_s` seconds for a travel `mode`, or
    `threshold_m` metres when mode is None (straight line). `p` applies to the models that
    take one (P_MODELS); `target` (a 0–1 share) to the target model, `floor` to the fair one."""

    model: str = "fair"
    p: int | None = 10
    threshold_s: float | None = DEFAULT_THRESHOLD_S
    threshold_m: float | None = None
    mode: str | None = "walk"
    kinds: tuple[str, ...] | None = None
    candidates_layer: str = "candidates"
    time_limit_s: float = 60.0
    floor: float | None = None
    budget: float | None = None
    target: float | None = None
    target_per_group: bool = False
    frontier_steps: int = 0
    use_capacity: bool = False

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise PlannerError(
                f"未知的选址模型 “{self.model}”",
                f"unknown siting model {self.model!r}",
                field="model",
            )
        if self.threshold is None or not self.threshold > 0:
            raise PlannerError(
                "覆盖阈值必须是正数",
                "the coverage threshold must be a positive number",
                field="threshold_m" if self.mode is None else "threshold_s",
            )
        if self.model in P_MODELS and self.p is None and self.budget is None:
            raise PlannerError(
                f"模型 {self.model} 需要新增站点数 p 或预算",
                f"model {self.model} needs p (new sites) or a budget",
                field="p",
            )
        if self.model == "target" and (self.target is None or not 0.0 < self.target <= 1.0):
            raise PlannerError(
                "目标覆盖率必须在 0 到 1 之间",
                "the target share must be between 0 and 1",
                field="target",
            )

    @property
    def threshold(self) -> float | None:
        """The threshold in the cost model's unit (seconds with a mode, else metres)."""
        return self.threshold_m if self.mode is None else self.threshold_s

    @property
    def solved_p(self) -> int | None:
        """p as solved: only for models that take one."""
        return self.p if self.model in P_MODELS else None

    def parameters(self) -> dict[str, Any]:
        """The model's own parameters, as reported with its result."""
        out: dict[str, Any] = {}
        if self.model in P_MODELS and self.p is not None:
            out["p"] = self.p
        if self.model != "lscp" and self.budget is not None:
            out["budget"] = self.budget
        if self.model == "fair" and self.floor is not None:
            out["floor"] = self.floor
        if self.model == "target":
            out["target"] = self.target
            out["target_per_group"] = self.target_per_group
        return out


@dataclass(frozen=True)
class SitingInputs:
    """Demand, existing sites and candidates in one metric CRS, with the cost model."""

    demand_xy: np.ndarray
    weights: np.ndarray
    groups: np.ndarray
    candidate_ids: np.ndarray
    candidates_xy: np.ndarray
    existing_xy: np.ndarray
    cost: CostModel
    candidate_cost: np.ndarray | None = None
    candidate_capacity: np.ndarray | None = None
    existing_capacity: np.ndarray | None = None


@dataclass(frozen=True)
class SitingOutcome:
    """What `solve_siting` found: the model's result, the frontier, ids of what opened."""

    request: SitingRequest
    result: SitingResult
    frontier: tuple[FrontierPoint, ...]
    selected_ids: tuple[str, ...]
    candidate_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, object))

    def frontier_json(self) -> list[dict[str, Any]]:
        ids = self.candidate_ids
        return [
            {
                "weight_or_floor": pt.floor,
                "total_share": pt.total_share,
                "worst_share": pt.worst_share,
                "selected": [str(i) for i in ids[pt.selected]],
            }
            for pt in self.frontier
        ]


def _capacity(values: pd.Series | None) -> np.ndarray | None:
    """A capacity column as floats, unlimited (inf) where missing or not positive."""
    if values is None:
        return None
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers.where(numbers > 0, np.inf).to_numpy(float)


def solve_siting(
    inputs: SitingInputs, request: SitingRequest, control: Control | None = None
) -> SitingOutcome:
    """Solve `request` on `inputs` (the shared core of every face); model errors become
    PlannerErrors the user can act on."""
    control = control or quiet()
    problem = SitingProblem(
        demand_xy=inputs.demand_xy,
        weights=inputs.weights,
        candidates_xy=inputs.candidates_xy,
        cost=inputs.cost,
        threshold=float(request.threshold or 0.0),
        existing_xy=inputs.existing_xy,
        groups=inputs.groups,
        candidate_cost=inputs.candidate_cost,
        capacity=inputs.candidate_capacity if request.use_capacity else None,
        existing_capacity=inputs.existing_capacity if request.use_capacity else None,
    )
    solve_end = 0.8 if request.frontier_steps > 1 else 1.0
    try:
        result = solve(
            problem,
            request.model,
            p=request.solved_p,
            budget=None if request.model == "lscp" else request.budget,
            floor=request.floor if request.model == "fair" else None,
            target=request.target if request.model == "target" else None,
            per_group=request.target_per_group,
            time_limit_s=request.time_limit_s,
            control=control.sub(0.0, solve_end),
        )
        points = (
            frontier(
                problem,
                p=request.p,
                budget=request.budget,
                steps=request.frontier_steps,
                time_limit_s=request.time_limit_s,
                control=control.sub(solve_end, 1.0),
            )
            if request.frontier_steps > 1
            else []
        )
    except InfeasibleError as exc:
        raise PlannerError(
            "没有满足条件的选址方案（例如各区覆盖率下限或目标过高）",
            f"no choice of sites meets the request (e.g. a district floor or target too high): {exc}",
        ) from exc
    except TimeoutError as exc:
        raise PlannerError(
            "在时间限制内没有找到选址方案，请放宽时间限制",
            f"no siting solution within the time limit; allow more time ({exc})",
        ) from exc
    except ValueError as exc:
        raise PlannerError(f"选址参数有误：{exc}", f"invalid siting request: {exc}") from exc
    ids = np.asarray(inputs.candidate_ids).astype(str)
    return SitingOutcome(
        request, result, tuple(points), tuple(ids[result.selected]), candidate_ids=ids
    )


def project_inputs(
    project: Project, request: SitingRequest, cost: CostModel | None = None
) -> tuple[SitingInputs, gpd.GeoDataFrame, Any]:
    """A project's population, libraries (of request.kinds) and candidates as SitingInputs,
    with the candidates layer and the metric CRS."""
    cost, crs = cost_and_crs(project, request.mode, cost)
    demand = load_demand(project, crs)
    existing = load_supply(project, list(request.kinds) if request.kinds else None)
    candidates = project.read_layer(request.candidates_layer).reset_index(drop=True)
    candidate_cost = None
    if request.budget is not None and request.model != "lscp":
        if "cost" not in candidates.columns:
            raise PlannerError(
                f"候选点图层 “{request.candidates_layer}” 没有 cost 字段，无法按预算选址",
                f"the candidates layer {request.candidates_layer!r} has no 'cost' field for a budget",
                field="cost",
            )
        candidate_cost = (
            pd.to_numeric(candidates["cost"], errors="coerce").fillna(np.inf).to_numpy(float)
        )
    inputs = SitingInputs(
        demand_xy=demand.xy,
        weights=demand.weights,
        groups=demand.groups,
        candidate_ids=candidates["id"].astype(str).to_numpy(),
        candidates_xy=points_xy(candidates, crs) if len(candidates) else np.zeros((0, 2)),
        existing_xy=points_xy(existing, crs) if len(existing) else np.zeros((0, 2)),
        cost=cost,
        candidate_cost=candidate_cost,
        candidate_capacity=_capacity(candidates.get("capacity")),
        existing_capacity=_capacity(existing.get("capacity")) if len(existing) else None,
    )
    return inputs, candidates, (demand, existing, crs)


def _selected_rows(sites: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    lonlat = points_xy(sites, "EPSG:4326") if len(sites) else np.zeros((0, 2))
    return [
        {
            "id": str(row["id"]),
            "name": str(row.get("name") or row["id"]),
            "lon": float(lon),
            "lat": float(lat),
            "district": "" if pd.isna(row.get("district")) else str(row.get("district") or ""),
        }
        for (_, row), (lon, lat) in zip(sites.iterrows(), lonlat, strict=True)
    ]


@dataclass(frozen=True)
class SitingJobResult:
    """A stored siting run. `p` is the p solved (None for lscp and target), `n_opened` the
    number of sites opened, `parameters` the model's own parameters."""

    model: str
    p: int | None
    threshold: float
    unit: str
    mode: str | None
    cost_source: str
    selected: tuple[Mapping[str, Any], ...]
    before: tuple[Mapping[str, Any], ...]
    after: tuple[Mapping[str, Any], ...]
    total_before: Mapping[str, Any]
    total_after: Mapping[str, Any]
    objective: float
    optimal: bool
    gap: float
    seconds: float
    frontier: tuple[Mapping[str, Any], ...]
    plan_run_id: int | None
    n_opened: int
    parameters: Mapping[str, Any]
    covered_share: float
    run_id: int | None = None

    @property
    def selected_ids(self) -> list[str]:
        return [str(s["id"]) for s in self.selected]

    def to_json(self) -> dict[str, Any]:
        out = {
            "model": self.model,
            "p": self.p,
            "threshold": self.threshold,
            "unit": self.unit,
            "mode": self.mode,
            "cost_source": self.cost_source,
            "selected": [dict(s) for s in self.selected],
            "before": [dict(r) for r in self.before],
            "after": [dict(r) for r in self.after],
            "total_before": dict(self.total_before),
            "total_after": dict(self.total_after),
            "objective": self.objective,
            "optimal": self.optimal,
            "gap": self.gap,
            "seconds": self.seconds,
            "frontier": [dict(pt) for pt in self.frontier],
            "plan_run_id": self.plan_run_id,
            "n_opened": self.n_opened,
            "parameters": dict(self.parameters),
            "covered_share": self.covered_share,
        }
        if self.run_id is not None:
            out["run_id"] = self.run_id
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SitingJobResult:
        selected = tuple(data.get("selected", []))
        return cls(
            model=str(data["model"]),
            p=data.get("p"),
            threshold=float(data["threshold"]),
            unit=str(data.get("unit", "")),
            mode=data.get("mode"),
            cost_source=str(data.get("cost_source", "")),
            selected=selected,
            before=tuple(data.get("before", [])),
            after=tuple(data.get("after", [])),
            total_before=data.get("total_before", {}),
            total_after=data.get("total_after", {}),
            objective=float(data.get("objective", 0.0)),
            optimal=bool(data.get("optimal", False)),
            gap=float(data.get("gap", 0.0)),
            seconds=float(data.get("seconds", 0.0)),
            frontier=tuple(data.get("frontier", [])),
            plan_run_id=data.get("plan_run_id"),
            n_opened=int(data.get("n_opened", len(selected))),
            parameters=data.get("parameters", {"p": data.get("p")}),
            covered_share=float(
                data.get("covered_share", data.get("total_after", {}).get("share", 0.0))
            ),
            run_id=data.get("run_id"),
        )


def run_siting(
    project: Project,
    request: SitingRequest | None = None,
    *,
    cost: CostModel | None = None,
    control: Control | None = None,
) -> SitingJobResult:
    """Solve `request` on the project (its libraries of request.kinds fixed open) and store a
    "siting" run and a "plan" coverage run with the opened candidates, in one transaction."""
    request = request or SitingRequest()
    control = control or quiet()
    started = time.monotonic()
    inputs, candidates, (demand, existing, crs) = project_inputs(project, request, cost)
    cost = inputs.cost
    outcome = solve_siting(inputs, request, control.sub(0.05, 0.85))
    result = outcome.result
    chosen = candidates.iloc[result.selected].copy()
    chosen["kind"] = NEW_SITE_KIND
    threshold = float(request.threshold or 0.0)
    _, before = coverage_figures(
        project, demand, existing, cost, crs, threshold, control.sub(0.85, 0.9)
    )
    with project.transaction():
        after = run_coverage(
            project,
            threshold=threshold,
            mode=request.mode,
            kinds=list(request.kinds) if request.kinds else None,
            extra_sites=chosen,
            scenario="plan",
            cost=cost,
            control=control.sub(0.9, 1.0),
        )
        job = SitingJobResult(
            model=request.model,
            p=request.solved_p,
            threshold=threshold,
            unit=cost.unit,
            mode=request.mode,
            cost_source=cost.source,
            selected=tuple(_selected_rows(chosen)),
            before=tuple(before["by_district"]),
            after=tuple(after["by_district"]),
            total_before=before["total"],
            total_after=after["total"],
            objective=result.objective,
            optimal=result.optimal,
            gap=result.gap,
            seconds=result.seconds,
            frontier=tuple(outcome.frontier_json()),
            plan_run_id=int(after["run_id"]),
            n_opened=result.n_opened,
            parameters=request.parameters(),
            covered_share=result.share,
        )
        params = {
            "model": request.model,
            "p": request.solved_p,
            "threshold": threshold,
            "threshold_s": request.threshold_s if request.mode is not None else None,
            "threshold_m": request.threshold_m if request.mode is None else None,
            "mode": request.mode,
            "kinds": list(request.kinds) if request.kinds else None,
            "candidates_layer": request.candidates_layer,
            "floor": request.floor,
            "budget": request.budget,
            "target": request.target,
            "target_per_group": request.target_per_group,
            "time_limit_s": request.time_limit_s,
        }
        run_id = project.add_run(
            "siting",
            job.to_json(),
            scenario="plan",
            params=params,
            seconds=time.monotonic() - started,
            status="ok" if result.optimal else "time-limit",
            cost_source=cost.source,
        )
    control.report(1.0, "siting done")
    return replace(job, run_id=run_id)
