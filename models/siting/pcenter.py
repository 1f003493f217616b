"""p-center: bisection over the distinct pair costs, each step a CP-SAT set-covering check."""

from __future__ import annotations

import time

import numpy as np
from ortools.sat.python import cp_model

from models.control import Control
from models.coverage import nearest_costs
from models.siting.cpsat import _limit_sites, _solve
from models.siting.problem import InfeasibleError, SitingProblem, _open_costs


def _pcenter(
    problem: SitingProblem,
    p: int | None,
    budget: float | None,
    time_limit_s: float,
    control: Control,
) -> tuple[np.ndarray, bool, float, str]:
    """p-center: the least r such that every weighted demand point has an open site within r.

    Bisection over the distinct pair costs; each step asks CP-SAT whether the demand not
    within r of an existing site can be covered within r by at most p candidates."""
    started = time.monotonic()
    pos = np.asarray(problem.weights, float) > 0
    start = max(problem.threshold, 1e-9)
    existing_cost = nearest_costs(problem.demand_xy, problem.existing, problem.cost, start)[1]
    nearest_cand = nearest_costs(problem.demand_xy, problem.candidates_xy, problem.cost, start)[1]
    if not pos.any():
        return np.zeros(0, np.int64), True, 0.0, "optimal"
    lower = float(np.minimum(existing_cost, nearest_cand)[pos].max())  # every candidate open
    if not np.isfinite(lower):
        raise InfeasibleError("p-center: some demand point reaches no site at all")
    steps = [0]

    def feasible(r: float) -> tuple[bool | None, np.ndarray]:
        """True with a selection, False when proven impossible, None when the time ran out."""
        steps[0] += 1
        need = np.flatnonzero(pos & (existing_cost > r))
        pairs = problem.cost.within(problem.demand_xy[need], problem.candidates_xy, r)
        if np.unique(pairs.origin).size < need.size:
            return False, np.zeros(0, np.int64)
        sets = {
            tuple(sorted(pairs.destination[pairs.origin == k])) for k in np.unique(pairs.origin)
        }
        cand = np.unique(pairs.destination)
        model = cp_model.CpModel()
        x = [model.new_bool_var(f"x{j}") for j in cand]
        xi = {int(j): v for j, v in zip(cand, x, strict=True)}
        for members in sets:
            model.add_bool_or([xi[j] for j in members])
        _limit_sites(model, x, cand, problem, p, budget)
        model.minimize(sum(x))
        remaining = time_limit_s - (time.monotonic() - started)
        span = (min(0.05 * steps[0], 0.9), min(0.05 * steps[0] + 0.05, 0.95))
        outcome = _solve(model, {"x": x}, remaining, control, span, f"p-center r={r:.6g}")
        if outcome.found:
            return True, np.sort(cand[outcome.values["x"] == 1]).astype(np.int64)
        return (False if outcome.status == cp_model.INFEASIBLE else None), np.zeros(0, np.int64)

    def radius(selected: np.ndarray) -> float:
        return float(_open_costs(problem, selected)[pos].max())

    proven_lo, exact = lower, True  # the optimum is >= proven_lo
    ok, best = feasible(lower)
    if ok:
        return best, True, 0.0, "optimal"
    exact &= ok is False
    hi = float(existing_cost[pos].max())
    if np.isfinite(hi):
        best = np.zeros(0, np.int64)
    else:
        hi = 2.0 * max(lower, start)
        while True:
            ok, best = feasible(hi)
            if ok:
                break
            if ok is None or time.monotonic() - started >= time_limit_s:
                raise TimeoutError("p-center: no solution within the time limit")
            proven_lo, hi = hi, hi * 2.0
    hi = radius(best)
    pairs = problem.cost.within(problem.demand_xy[pos], problem.candidates_xy, hi)
    values = np.unique(np.r_[pairs.cost, existing_cost[pos]])
    values = values[(values > proven_lo) & (values < hi)]
    while values.size and time.monotonic() - started < time_limit_s:
        mid = float(values[values.size // 2])
        ok, chosen = feasible(mid)
        if ok:
            best, hi = chosen, radius(chosen)
            values = values[values < hi]
        else:
            if ok is False:
                proven_lo = max(proven_lo, mid)
            exact &= ok is False
            values = values[values > mid]
    if exact and not values.size:
        return best, True, 0.0, "optimal"
    return best, False, (hi - proven_lo) / max(hi, 1e-9), "feasible"
