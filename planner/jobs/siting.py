"""Siting job: choose new service points among candidates (fair model by default).

`solve_siting` is the one job function for every face: `run_siting` feeds it a project's layers
and stores a "siting" run with coverage before and after by district plus a "plan" coverage
run; `planner site` feeds it vector files. Requests are typed (`SitingRequest`, units in the
field names) and so are results (`SitingOutcome`, `SitingJobResult` with to_json/from_json
keeping every key the stored run has always had).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from models.age_groups import (
    DEFAULT_GROUPS,
    AgeGroup,
    closure_impact,
    coverage_by_age,
    lost_access,
    read_shares,
    split_weights,
)
from models.control import Control, quiet
from models.costs import MODES, CostModel, straight_line
from models.coverage import GroupCoverage
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
from planner.jobs.siting_result import SitingJobResult
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
    take one (P_MODELS); `target` (a 0–1 share) to the target model, `floor` to the fair one.
    `by_age` splits demand into age groups (embedded shares table) walking at their own speed
    for the same threshold, so the fair model lifts the worst district × age group."""

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
    travel: str | None = None  # "network" or "straight"; None: the project's roads if any
    by_age: bool = False  # demand split into age groups, each at its own walking speed
    required: tuple[str, ...] = ()  # candidate ids that must open (count against p, budget)
    closable: tuple[str, ...] = ()  # existing library ids that may close
    max_closures: int = 0  # at most this many closable libraries close (each frees one p)

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
    existing_ids: np.ndarray | None = None


@dataclass(frozen=True)
class SitingOutcome:
    """What `solve_siting` found: the model's result, the frontier, ids of what opened."""

    request: SitingRequest
    result: SitingResult
    frontier: tuple[FrontierPoint, ...]
    selected_ids: tuple[str, ...]
    candidate_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, object))
    by_age: dict[str, dict[str, GroupCoverage]] | None = None
    closed_ids: tuple[str, ...] = ()
    lost_access: dict[str, dict[str, float]] | None = None  # age → district → people
    #: per closable library, who loses access if it alone closes (age → district → people)
    closure_impact: dict[str, dict[str, dict[str, float]]] | None = None

    def by_age_json(self) -> dict[str, dict[str, dict[str, float]]] | None:
        if self.by_age is None:
            return None
        return {
            age: {
                d: {"covered": g.covered, "total": g.total, "share": g.share}
                for d, g in rows.items()
            }
            for age, rows in self.by_age.items()
        }

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
    problem = _problem(inputs, request)
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
    existing_ids = np.asarray(inputs.existing_ids if inputs.existing_ids is not None else [], str)
    kept = np.setdiff1d(np.arange(len(inputs.existing_xy)), result.closed)
    after_xy = np.vstack([inputs.existing_xy[kept], inputs.candidates_xy[result.selected]])
    shares, groups = (read_shares(), _age_groups(request)) if _needs_ages(request) else (None, ())
    by_age = lost = impact = None
    if request.by_age:
        by_age = coverage_by_age(
            inputs.demand_xy, inputs.weights, inputs.groups, after_xy, shares, groups
        )
    if result.closed.size:
        lost = lost_access(
            inputs.demand_xy,
            inputs.weights,
            inputs.groups,
            inputs.existing_xy,
            after_xy,
            shares,
            groups,
        )
    if request.closable:
        every = closure_impact(
            inputs.demand_xy, inputs.weights, inputs.groups, inputs.existing_xy, shares, groups
        )
        impact = {
            str(existing_ids[k]): every[k]
            for k in range(existing_ids.size)
            if existing_ids[k] in request.closable
        }
    return SitingOutcome(
        request,
        result,
        tuple(points),
        tuple(ids[result.selected]),
        candidate_ids=ids,
        by_age=by_age,
        closed_ids=tuple(existing_ids[result.closed]),
        lost_access=lost,
        closure_impact=impact,
    )


def _needs_ages(request: SitingRequest) -> bool:
    """Age groups are read for by-age coverage and for closures (who loses access)."""
    return request.by_age or bool(request.closable)


def _age_groups(request: SitingRequest) -> tuple[AgeGroup, ...]:
    """The age groups with the request's threshold (seconds of walking)."""
    seconds = request.threshold_s if request.mode is not None else None
    if seconds is None:  # metres given: the working-age walk of that distance
        seconds = float(request.threshold_m or 0.0) / DEFAULT_THRESHOLD_M * DEFAULT_THRESHOLD_S
    return tuple(replace(g, threshold_s=float(seconds)) for g in DEFAULT_GROUPS)


def _problem(inputs: SitingInputs, request: SitingRequest) -> SitingProblem:
    """The model's problem; with by_age, each demand point once per age group (weight × its
    district's share, group "district·age", threshold in metres at the group's speed)."""
    capacity = inputs.candidate_capacity if request.use_capacity else None
    existing_capacity = inputs.existing_capacity if request.use_capacity else None
    rules = _rules(inputs, request)
    if not request.by_age:
        return SitingProblem(
            demand_xy=inputs.demand_xy,
            weights=inputs.weights,
            candidates_xy=inputs.candidates_xy,
            cost=inputs.cost,
            threshold=float(request.threshold or 0.0),
            existing_xy=inputs.existing_xy,
            groups=inputs.groups,
            candidate_cost=inputs.candidate_cost,
            capacity=capacity,
            existing_capacity=existing_capacity,
            **rules,
        )
    if inputs.cost.source != "straight-line" or request.mode not in ("walk", None):
        raise PlannerError(
            "按年龄分组只适用于步行直线距离",
            "age groups apply to straight-line walking only (mode walk or none)",
            field="by_age",
        )
    groups = _age_groups(request)
    split = split_weights(inputs.weights, inputs.groups, read_shares(), groups)
    n = len(inputs.weights)
    return SitingProblem(
        demand_xy=np.vstack([inputs.demand_xy] * len(groups)),
        weights=np.concatenate([split[g.key] for g in groups]),
        candidates_xy=inputs.candidates_xy,
        cost=straight_line(None),
        threshold=max(g.reach_m for g in groups),
        existing_xy=inputs.existing_xy,
        groups=np.concatenate(
            [np.char.add(np.asarray(inputs.groups).astype(str), f"·{g.key}") for g in groups]
        ),
        candidate_cost=inputs.candidate_cost,
        capacity=capacity,
        existing_capacity=existing_capacity,
        demand_threshold=np.repeat([g.reach_m for g in groups], n),
        **rules,
    )


def _rules(inputs: SitingInputs, request: SitingRequest) -> dict[str, Any]:
    """Required candidates and closable libraries as masks; unknown ids are the user's error."""
    out: dict[str, Any] = {}
    for name, ids, known in (
        ("required", request.required, inputs.candidate_ids),
        ("closable", request.closable, inputs.existing_ids),
    ):
        if not ids:
            continue
        known = np.asarray(known if known is not None else [], str)
        missing = sorted(set(ids) - set(known))
        if missing:
            raise PlannerError(
                f"找不到编号：{'、'.join(missing)}",
                f"unknown ids: {', '.join(missing)}",
                field=name,
            )
        out[name] = np.isin(known, list(ids))
    if request.closable:
        out["max_closures"] = int(request.max_closures)
    return out


def project_inputs(
    project: Project, request: SitingRequest, cost: CostModel | None = None
) -> tuple[SitingInputs, gpd.GeoDataFrame, Any]:
    """A project's population, libraries (of request.kinds) and candidates as SitingInputs,
    with the candidates layer and the metric CRS."""
    # Age groups walk at their own speed in straight lines: no roads for them by default.
    travel = request.travel or ("straight" if request.by_age else None)
    cost, crs = cost_and_crs(project, request.mode, cost, travel)
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
        existing_ids=existing["id"].astype(str).to_numpy() if len(existing) else np.zeros(0, str),
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
            travel=request.travel,
            closed_ids=outcome.closed_ids,
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
            by_age=outcome.by_age_json(),
            closed=outcome.closed_ids,
            lost_access=outcome.lost_access,
            closure_impact=outcome.closure_impact,
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
            "by_age": request.by_age,
            "travel": request.travel,
            "required": list(request.required),
            "closable": list(request.closable),
            "max_closures": request.max_closures,
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
