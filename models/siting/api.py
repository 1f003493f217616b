"""The public entry points: `solve` by model name and the efficiency–equity `frontier`."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from models.control import Control, quiet
from models.coverage import group_coverage
from models.siting.capacitated import _pcenter_assign, _pmedian_assign
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
from models.siting.rules import map_back, needs_rules, rewrite


def solve(
    problem: SitingProblem,
    model: str,
    *,
    p: int | None = None,
    budget: float | None = None,
    floor: float | None = None,
    target: float | None = None,
    per_group: bool = False,
    time_limit_s: float = 60.0,
    control: Control | None = None,
) -> SitingResult:
    """Choose candidates to open by `model` (one of MODELS) with at most `p` new sites and/or
    total candidate cost <= `budget` (lscp and target need neither); `floor` turns the fair
    model into "max total coverage with every group's share >= floor"; `target` is the target
    model's covered share (in every group when `per_group`)."""
    control = control or quiet()
    started = time.monotonic()
    if model not in MODELS:
        raise ValueError(f"unknown siting model {model!r}; one of {', '.join(MODELS)}")
    if model not in ("lscp", "target") and p is None and budget is None:
        raise ValueError(f"{model} needs p or a budget")
    if floor is not None and model != "fair":
        raise ValueError("a floor applies to the fair model only")
    if model == "target" and (target is None or not 0.0 <= target <= 1.0):
        raise ValueError("the target model needs a target share between 0 and 1")
    if target is not None and model != "target":
        raise ValueError("a target share applies to the target model only")
    if control.time_limit_s is not None:
        time_limit_s = min(time_limit_s, control.time_limit_s)
    weights = np.asarray(problem.weights, float)
    rewritten = rewrite(problem) if needs_rules(problem) else None
    work = problem if rewritten is None else rewritten.problem
    objective: float | None = None
    if model in ("lscp", "mclp", "fair", "target"):
        selected, fraction, optimal, gap, status = _covering(
            work, model, p, budget, floor, time_limit_s, control, target, per_group
        )
    elif work.capacity is not None or (model == "pmedian" and work.rules is not None):
        solver = _pmedian_assign if model == "pmedian" else _pcenter_assign
        selected, objective, fraction, optimal, gap, status = solver(
            work, p, budget, time_limit_s, control
        )
    else:
        solver = _pmedian if model == "pmedian" else _pcenter
        selected, optimal, gap, status = solver(work, p, budget, time_limit_s, control)
        cover = work.cost.within(work.demand_xy, work.candidates_xy, work.threshold)
        pre = work.cost.within(work.demand_xy, work.existing, work.threshold).covered_by_any()
        fraction = (pre | cover.covered_by_any(selected)).astype(float)
    open_cost = (
        _open_costs(work, selected)[weights > 0]
        if objective is None and model in ("pmedian", "pcenter")
        else np.zeros(0)
    )
    closed = np.zeros(0, np.int64)
    if rewritten is not None:
        selected, closed = map_back(rewritten, selected)
    covered_weight = float((weights * fraction).sum())
    if objective is not None:
        pass
    elif model in ("lscp", "target"):
        objective = float(selected.size)
    elif model in ("mclp", "fair"):
        objective = covered_weight
    elif model == "pmedian":
        objective = float((weights[weights > 0] * open_cost).sum())
    else:
        objective = float(open_cost.max(initial=0.0))
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
        closed=closed,
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
