"""p-median and p-center with site capacities and/or site rules (required, closable), as an
assignment MIP on HiGHS: demand is split over open sites within their capacities."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from models.control import Control
from models.siting.highs import ArrayMip, solve_arrays
from models.siting.problem import InfeasibleError, SitingProblem

#: Above this many demand–site pairs only each demand point's nearest sites are listed (the
#: result is then reported as not proven optimal).
MAX_ASSIGN_PAIRS = 1_000_000


@dataclass(frozen=True)
class _Pairs:
    """Positive-weight demand points and the sites they may be assigned to, with costs."""

    origin: np.ndarray
    dest: np.ndarray
    cost: np.ndarray
    complete: bool  # every finite pair is listed


def _pairs(problem: SitingProblem, limit: float = np.inf) -> _Pairs:
    """All finite pairs with cost <= limit (nearest ones only beyond MAX_ASSIGN_PAIRS)."""
    weights = np.asarray(problem.weights, float)
    rows = np.flatnonzero(weights > 0)
    cand = np.asarray(problem.candidates_xy, float).reshape(-1, 2)
    m = cand.shape[0]
    k = max(1, min(m, MAX_ASSIGN_PAIRS // max(rows.size, 1)))
    origin, dest, cost = [], [], []
    chunk = max(1, 2_000_000 // max(m, 1))
    demand = np.asarray(problem.demand_xy, float).reshape(-1, 2)
    for lo in range(0, rows.size, chunk):
        part = rows[lo : lo + chunk]
        block = problem.cost.matrix(demand[part], cand)
        idx = np.argsort(block, axis=1, kind="stable")[:, :k]
        near = np.take_along_axis(block, idx, 1)
        ok = np.isfinite(near) & (near <= limit)
        origin.append(np.repeat(part, k).reshape(-1, k)[ok])
        dest.append(idx[ok])
        cost.append(near[ok])
    if not origin:
        return _Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), True)
    return _Pairs(np.concatenate(origin), np.concatenate(dest), np.concatenate(cost), k == m)


def _assignment(
    problem: SitingProblem,
    pairs: _Pairs,
    p: int | None,
    budget: float | None,
    minimise: str,
) -> ArrayMip:
    """Variables: x per candidate (binary), y per pair in [0, 1]. Σⱼ yᵢⱼ = 1; yᵢⱼ <= xⱼ;
    Σᵢ wᵢyᵢⱼ <= capⱼxⱼ; the site limits of the rules; min Σ wᵢcᵢⱼyᵢⱼ ("cost") or Σ x ("sites")."""
    weights = np.asarray(problem.weights, float)
    m = problem.n_candidates
    npair = pairs.origin.size
    rules = problem.rules
    fixed = np.zeros(m, bool) if rules is None else rules.fixed
    counted = np.ones(m, bool) if rules is None else rules.counted
    closable = np.zeros(m, bool) if rules is None else rules.closable
    demand_ids, demand_row = np.unique(pairs.origin, return_inverse=True)
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0
    # assignment rows
    rows.append(demand_row)
    cols.append(m + np.arange(npair))
    vals.append(np.ones(npair))
    lo.append(np.ones(demand_ids.size))
    hi.append(np.ones(demand_ids.size))
    r += demand_ids.size
    # y <= x
    rows += [r + np.arange(npair), r + np.arange(npair)]
    cols += [m + np.arange(npair), pairs.dest]
    vals += [np.ones(npair), -np.ones(npair)]
    lo.append(np.full(npair, -np.inf))
    hi.append(np.zeros(npair))
    r += npair
    if problem.capacity is not None:
        cap = np.asarray(problem.capacity, float)
        limited = np.flatnonzero(np.isfinite(cap))
        row_of = np.full(m, -1)
        row_of[limited] = r + np.arange(limited.size)
        mine = row_of[pairs.dest] >= 0
        rows += [row_of[pairs.dest[mine]], row_of[limited]]
        cols += [m + np.flatnonzero(mine), limited]
        vals += [weights[pairs.origin[mine]], -cap[limited]]
        lo.append(np.full(limited.size, -np.inf))
        hi.append(np.zeros(limited.size))
        r += limited.size

    def limit(coef: np.ndarray, low: float, high: float) -> None:
        nonlocal r
        js = np.flatnonzero(coef)
        rows.append(np.full(js.size, r))
        cols.append(js)
        vals.append(coef[js])
        lo.append(np.array([low]))
        hi.append(np.array([high]))
        r += 1

    n_closable = int(closable.sum())
    if p is not None:
        limit((counted | closable).astype(float), -np.inf, float(p + n_closable))
    if n_closable:
        limit(closable.astype(float), float(n_closable - problem.rules.max_closures), np.inf)
    if budget is not None:
        if problem.candidate_cost is None:
            raise ValueError("a budget needs candidate costs")
        price = np.where(counted, np.asarray(problem.candidate_cost, float), 0.0)
        limit(price, -np.inf, float(budget))
    if minimise == "cost":
        obj = np.r_[np.zeros(m), weights[pairs.origin] * pairs.cost]
    else:
        obj = np.r_[counted.astype(float), np.zeros(npair)]
    return ArrayMip(
        obj=obj,
        var_lb=np.r_[fixed.astype(float), np.zeros(npair)],
        var_ub=np.ones(m + npair),
        integer=np.r_[np.ones(m, bool), np.zeros(npair, bool)],
        rows=np.concatenate(rows).astype(np.int64),
        cols=np.concatenate(cols).astype(np.int64),
        vals=np.concatenate(vals),
        row_lb=np.concatenate(lo),
        row_ub=np.concatenate(hi),
    )


def _fraction(problem: SitingProblem, pairs: _Pairs, y: np.ndarray) -> np.ndarray:
    """Share of each demand point's weight assigned to a site within the threshold."""
    near = pairs.cost <= problem.threshold
    return np.minimum(
        np.bincount(pairs.origin[near], weights=y[near], minlength=problem.weights.shape[0]), 1.0
    )


def _pmedian_assign(
    problem: SitingProblem,
    p: int | None,
    budget: float | None,
    time_limit_s: float,
    control: Control,
) -> tuple[np.ndarray, float, np.ndarray, bool, float, str]:
    """Capacitated p-median: (selected, weighted cost, covered fraction, optimal, gap, status)."""
    pairs = _pairs(problem)
    m = problem.n_candidates
    if np.setdiff1d(np.flatnonzero(np.asarray(problem.weights) > 0), pairs.origin).size:
        raise InfeasibleError("p-median: some demand point reaches no site at all")
    mip = _assignment(problem, pairs, p, budget, "cost")
    out = solve_arrays(mip, time_limit_s, control, "p-median (capacities)")
    if out.infeasible:
        raise InfeasibleError("p-median: no choice of sites serves all demand within capacity")
    if out.values is None:
        raise TimeoutError("p-median: no solution within the time limit")
    selected = np.flatnonzero(out.values[:m] > 0.5).astype(np.int64)
    optimal = out.optimal and pairs.complete
    # Over each demand point's nearest sites only, HiGHS's bound is not a bound on the full
    # problem: the gap is then unknown, reported as 1.
    gap = 0.0 if optimal else max(out.objective - out.bound, 0.0) / max(out.objective, 1e-9)
    if not pairs.complete:
        gap = 1.0
    fraction = _fraction(problem, pairs, out.values[m:])
    return (
        selected,
        float(out.objective),
        fraction,
        optimal,
        gap,
        ("optimal" if optimal else "feasible"),
    )


def _pcenter_assign(
    problem: SitingProblem,
    p: int | None,
    budget: float | None,
    time_limit_s: float,
    control: Control,
) -> tuple[np.ndarray, float, np.ndarray, bool, float, str]:
    """Capacitated p-center: the least r such that all demand can be assigned within capacity
    to open sites within r; bisection over the distinct pair costs, each step a HiGHS check."""
    started = time.monotonic()
    everything = _pairs(problem)
    m = problem.n_candidates
    values = np.unique(everything.cost)
    best: tuple[np.ndarray, float, np.ndarray] | None = None
    exact = everything.complete
    lo_i, hi_i = 0, values.size - 1
    while lo_i <= hi_i:
        mid = (lo_i + hi_i) // 2
        r = float(values[mid])
        keep = everything.cost <= r
        pairs = _Pairs(everything.origin[keep], everything.dest[keep], everything.cost[keep], True)
        covered = np.unique(pairs.origin).size == np.count_nonzero(np.asarray(problem.weights) > 0)
        remaining = time_limit_s - (time.monotonic() - started)
        if not covered:
            ok = False
        else:
            out = solve_arrays(
                _assignment(problem, pairs, p, budget, "sites"),
                remaining,
                control,
                f"p-center r={r:.6g}",
            )
            ok = out.values is not None
            if out.values is None and not out.infeasible:
                exact = False
        if ok:
            best = (
                np.flatnonzero(out.values[:m] > 0.5).astype(np.int64),
                r,
                _fraction(problem, pairs, out.values[m:]),
            )
            hi_i = mid - 1
        else:
            lo_i = mid + 1
        if time.monotonic() - started >= time_limit_s:
            exact = False
            break
    if best is None:
        raise InfeasibleError("p-center: no choice of sites serves all demand within capacity")
    selected, radius, fraction = best
    return (
        selected,
        radius,
        fraction,
        exact,
        0.0 if exact else 1.0,
        "optimal" if exact else "feasible",
    )
