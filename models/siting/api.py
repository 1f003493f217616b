"""The public entry points: `solve` by model name and the efficiency–equity `frontier`."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from models.control import Control, quiet
from models.coverage import group_coverage
from models.siting.covering import _covering
from models.siting.pcenter import _pcenter
from models.siting.pmedian import _pmedian
from models.siting.problem import (
    MODELS,
    FrontierPoint,
    InfeasibleError,
    SitingProblem,
    SitingResult,
    _open_costs,
)


def solve(
    problem: SitingProblem,
    model: str,
    *,
    p: int | None = None,
    budget: float | None = None,
    floor: float | None = None,
    time_limit_s: float = 60.0,
    control: Control | None = None,
) -> SitingResult:
    """Choose candidates to open by `model` (one of MODELS) with at most `p` new sites and/or
    total candidate cost <= `budget` (lscp needs neither); `floor` turns the fair model into
    "max total coverage with every group's share >= floor"."""
    control = control or quiet()
    started = time.monotonic()
    if model not in MODELS:
        raise ValueError(f"unknown siting model {model!r}; one of {', '.join(MODELS)}")
    if model != "lscp" and p is None and budget is None:
        raise ValueError(f"{model} needs p or a budget")
    if problem.capacity is not None and model in ("pmedian", "pcenter"):
        raise ValueError(f"{model} does not take capacities")
    if floor is not None and model != "fair":
        raise ValueError("a floor applies to the fair model only")
    if control.time_limit_s is not None:
        time_limit_s = min(time_limit_s, control.time_limit_s)
    weights = np.asarray(problem.weights, float)
    if model in ("lscp", "mclp", "fair"):
        selected, fraction, optimal, gap, status = _covering(
            problem, model, p, budget, floor, time_limit_s, control
        )
    else:
        solver = _pmedian if model == "pmedian" else _pcenter
        selected, optimal, gap, status = solver(problem, p, budget, time_limit_s, control)
        cover = problem.cost.within(problem.demand_xy, problem.candidates_xy, problem.threshold)
        pre = problem.cost.within(
            problem.demand_xy, problem.existing, problem.threshold
        ).covered_by_any()
        fraction = (pre | cover.covered_by_any(selected)).astype(float)
    covered_weight = float((weights * fraction).sum())
    if model == "lscp":
        objective = float(selected.size)
    elif model in ("mclp", "fair"):
        objective = covered_weight
    else:
        open_cost = _open_costs(problem, selected)[weights > 0]
        objective = (
            float((weights[weights > 0] * open_cost).sum())
            if model == "pmedian"
            else float(open_cost.max(initial=0.0))
        )
    control.report(1.0, f"{model} done")
    return SitingResult(
        model=model,
        selected=selected,
        objective=objective,
        covered=fraction,
        covered_weight=covered_weight,
        total_weight=float(weights.sum()),
        by_group=group_coverage(weights, problem.group_labels, fraction),
        optimal=optimal,
        gap=float(gap),
        seconds=time.monotonic() - started,
        status=status,
    )


def frontier(
    problem: SitingProblem,
    *,
    p: int | None = None,
    budget: float | None = None,
    steps: int = 5,
    time_limit_s: float = 60.0,
    control: Control | None = None,
) -> list[FrontierPoint]:
    """Efficiency–equity frontier: MCLP (no floor), the fair optimum (highest floor), and
    floors evenly between their worst group shares; Pareto points, by rising floor."""
    control = control or quiet()
    per_solve = time_limit_s / max(steps, 2)
    efficient = solve(
        problem,
        "mclp",
        p=p,
        budget=budget,
        time_limit_s=per_solve,
        control=control.sub(0.0, 1 / steps),
    )
    fair = solve(
        problem,
        "fair",
        p=p,
        budget=budget,
        time_limit_s=per_solve,
        control=control.sub(1 / steps, 2 / steps),
    )
    low, high = efficient.worst_share or 0.0, fair.worst_share or 0.0
    points = [FrontierPoint(low, efficient.share, low, efficient.selected, efficient.optimal)]
    floors: Sequence[float] = np.linspace(low, high, steps)[1:-1] if steps > 2 else []
    for k, level in enumerate(floors):
        sub = control.sub((k + 2) / steps, (k + 3) / steps)
        try:
            r = solve(
                problem,
                "fair",
                p=p,
                budget=budget,
                floor=float(level),
                time_limit_s=per_solve,
                control=sub,
            )
        except (InfeasibleError, TimeoutError):
            continue
        points.append(
            FrontierPoint(float(level), r.share, r.worst_share or 0.0, r.selected, r.optimal)
        )
    points.append(FrontierPoint(high, fair.share, high, fair.selected, fair.optimal))
    unique = list(
        {(round(a.total_share, 12), round(a.worst_share, 12)): a for a in points}.values()
    )
    return [
        a
        for a in unique
        if not any(
            b.total_share >= a.total_share
            and b.worst_share >= a.worst_share
            and (b.total_share > a.total_share or b.worst_share > a.worst_share)
            for b in unique
        )
    ]
