"""Siting job: choose new service points among a project's candidates (fair model by default),
store a "siting" run with coverage before and after by district, and a "plan" coverage run."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from models.control import Control, quiet
from models.costs import CostModel
from models.siting import InfeasibleError, SitingProblem, frontier, solve
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
    *,
    model: str = "fair",
    p: int | None = 10,
    threshold: float = 900.0,
    mode: str | None = "walk",
    kinds: Sequence[str] | None = None,
    candidates_layer: str = "candidates",
    time_limit_s: float = 60.0,
    floor: float | None = None,
    budget: float | None = None,
    cost: CostModel | None = None,
    control: Control | None = None,
    frontier_steps: int = 0,
    travel: str | None = None,
) -> dict[str, Any]:
    """Open up to `p` candidates (and/or within `budget` of their `cost` column) by `model`,
    with the project's libraries of `kinds` (all when None) fixed open; `frontier_steps` > 1
    adds the efficiency–equity frontier (that many solves). Without a `cost`, `travel` picks
    the project's roads or straight lines (planner.network)."""
    control = control or quiet()
    started = time.monotonic()
    cost, crs = cost_and_crs(project, mode, cost, travel)
    demand = load_demand(project, crs)
    existing = load_supply(project, kinds)
    candidates = project.read_layer(candidates_layer).reset_index(drop=True)
    candidate_cost = None
    if budget is not None:
        if "cost" not in candidates.columns:
            raise PlannerError(
                f"候选点图层 “{candidates_layer}” 没有 cost 字段，无法按预算选址",
                f"the candidates layer {candidates_layer!r} has no 'cost' field for a budget",
                field="cost",
            )
        candidate_cost = (
            pd.to_numeric(candidates["cost"], errors="coerce").fillna(np.inf).to_numpy(float)
        )
    problem = SitingProblem(
        demand_xy=demand.xy,
        weights=demand.weights,
        candidates_xy=points_xy(candidates, crs) if len(candidates) else np.zeros((0, 2)),
        cost=cost,
        threshold=threshold,
        existing_xy=points_xy(existing, crs) if len(existing) else np.zeros((0, 2)),
        groups=demand.groups,
        candidate_cost=candidate_cost,
    )
    solve_end = 0.7 if frontier_steps > 1 else 0.85
    try:
        result = solve(
            problem,
            model,
            p=p,
            budget=budget,
            floor=floor,
            time_limit_s=time_limit_s,
            control=control.sub(0.05, solve_end),
        )
        points = (
            frontier(
                problem,
                p=p,
                budget=budget,
                steps=frontier_steps,
                time_limit_s=time_limit_s,
                control=control.sub(solve_end, 0.85),
            )
            if frontier_steps > 1
            else []
        )
    except InfeasibleError as exc:
        raise PlannerError(
            "没有满足条件的选址方案（例如各区覆盖率下限过高）",
            f"no choice of sites meets the request (e.g. a district floor too high): {exc}",
        ) from exc
    except TimeoutError as exc:
        raise PlannerError(
            "在时间限制内没有找到选址方案，请放宽时间限制",
            f"no siting solution within the time limit; allow more time ({exc})",
        ) from exc
    except ValueError as exc:
        raise PlannerError(f"选址参数有误：{exc}", f"invalid siting request: {exc}") from exc
    chosen = candidates.iloc[result.selected].copy()
    chosen["kind"] = NEW_SITE_KIND
    _, before = coverage_figures(
        project, demand, existing, cost, crs, threshold, control.sub(0.85, 0.9)
    )
    after = run_coverage(
        project,
        threshold=threshold,
        mode=mode,
        kinds=kinds,
        extra_sites=chosen,
        scenario="plan",
        cost=cost,
        control=control.sub(0.9, 1.0),
    )
    ids = candidates["id"].astype(str).to_numpy()
    out: dict[str, Any] = {
        "model": model,
        "p": p,
        "threshold": float(threshold),
        "unit": cost.unit,
        "mode": mode,
        "cost_source": cost.source,
        "selected": _selected_rows(chosen),
        "before": before["by_district"],
        "after": after["by_district"],
        "total_before": before["total"],
        "total_after": after["total"],
        "objective": result.objective,
        "optimal": result.optimal,
        "gap": result.gap,
        "seconds": result.seconds,
        "frontier": [
            {
                "weight_or_floor": pt.floor,
                "total_share": pt.total_share,
                "worst_share": pt.worst_share,
                "selected": [str(i) for i in ids[pt.selected]],
            }
            for pt in points
        ],
        "plan_run_id": after["run_id"],
    }
    params = {
        "model": model,
        "p": p,
        "threshold": threshold,
        "mode": mode,
        "kinds": kinds,
        "candidates_layer": candidates_layer,
        "floor": floor,
        "budget": budget,
        "time_limit_s": time_limit_s,
    }
    run_id = project.add_run(
        "siting",
        out,
        scenario="plan",
        params=params,
        seconds=time.monotonic() - started,
        status="ok" if result.optimal else "time-limit",
        cost_source=cost.source,
    )
    control.report(1.0, "siting done")
    return {**out, "run_id": run_id}
