"""Maximal covering without capacities on HiGHS: an incumbent from greedy and swap local
search, the LP relaxation, reduced-cost fixing against the incumbent, then the MIP on what
is left, started from the incumbent."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
from ortools.math_opt.python import mathopt

from models.control import Control
from models.siting.highs import ArrayMip, ArraySolution, solve_arrays
from models.siting.problem import InfeasibleError, SitingProblem, _merge_sets

#: Reduced-cost fixing keeps this relative margin for HiGHS's LP tolerances.
FIX_MARGIN = 1e-7
#: Swap local search stops after this many improving moves.
MAX_MOVES = 2_000
#: Swap local search weighs at most this many (open, closed) pairs a move.
SWAP_PAIRS = 2_000_000


@dataclass(frozen=True)
class _Sites:
    """The columns (candidates) of one maximal covering problem, the rows they cover and the
    rules on them."""

    pair_row: np.ndarray  # row per (row, column) pair
    pair_col: np.ndarray  # column per pair
    weight: np.ndarray  # integer weight per row
    fixed: np.ndarray  # bool per column: must open
    counted: np.ndarray  # bool per column: counts against p and the budget
    closable: np.ndarray  # bool per column: an existing site that may close
    max_closures: int
    cost: np.ndarray  # cost per column against the budget (0 when not counted)
    p: int | None
    budget: float | None

    @property
    def n_cols(self) -> int:
        return self.fixed.size

    def hits(self, is_open: np.ndarray) -> np.ndarray:
        """Open columns covering each row."""
        return np.bincount(self.pair_row[is_open[self.pair_col]], minlength=self.weight.size)

    def gain(self, hits: np.ndarray) -> np.ndarray:
        """Weight each column would add: its rows no open column covers (`hits` from `hits`)."""
        uncovered = self.weight[self.pair_row] * (hits[self.pair_row] == 0)
        return np.bincount(self.pair_col, weights=uncovered, minlength=self.n_cols)

    def value(self, is_open: np.ndarray) -> int:
        return int(self.weight[self.hits(is_open) > 0].sum())


def _sites(
    problem: SitingProblem,
    sets: list[np.ndarray],
    weight: np.ndarray,
    cand: np.ndarray,
    p: int | None,
    budget: float | None,
) -> _Sites:
    rules = problem.rules
    n = cand.size
    counted = np.ones(n, bool) if rules is None else rules.counted[cand]
    cost = np.zeros(n)
    if budget is not None:
        if problem.candidate_cost is None:
            raise ValueError("a budget needs candidate costs")
        cost = np.where(counted, np.asarray(problem.candidate_cost, float)[cand], 0.0)
    sizes = np.array([s.size for s in sets], np.int64)
    members = np.concatenate([np.zeros(0, np.int64), *sets])
    return _Sites(
        pair_row=np.repeat(np.arange(len(sets)), sizes),
        pair_col=np.searchsorted(cand, members),
        weight=np.asarray(weight, np.int64),
        fixed=np.zeros(n, bool) if rules is None else rules.fixed[cand],
        counted=counted,
        closable=np.zeros(n, bool) if rules is None else rules.closable[cand],
        max_closures=0 if rules is None else int(rules.max_closures),
        cost=cost,
        p=p,
        budget=budget,
    )


def _local_search(sites: _Sites, priority: np.ndarray | None, deadline: float) -> np.ndarray:
    """Open columns one at a time (the largest uncovered weight, or the highest `priority`
    among those that gain) while p and the budget allow, then make the best improving move
    (open one, or swap an open one for a closed one) until none is left. Fixed and closable
    columns stay open, so the plan meets every rule when the fixed ones fit."""
    row, col, w = sites.pair_row, sites.pair_col, sites.weight
    movable = sites.counted & ~sites.fixed & ~sites.closable
    is_open = sites.fixed | sites.closable
    if not movable.any():
        return is_open
    base = sites.fixed & sites.counted
    slots = np.inf if sites.p is None else sites.p - float(base.sum())
    money = np.inf if sites.budget is None else sites.budget - float(sites.cost[base].sum())
    while slots >= 1:
        gain = sites.gain(sites.hits(is_open))
        ok = movable & ~is_open & (sites.cost <= money) & (gain > 0)
        if not ok.any():
            break
        j = int(np.argmax(np.where(ok, gain if priority is None else priority, -np.inf)))
        is_open[j] = True
        slots, money = slots - 1, money - sites.cost[j]
    for _ in range(MAX_MOVES):
        if time.monotonic() > deadline:
            break
        hits = sites.hits(is_open)
        gain = sites.gain(hits)
        sole = (hits[row] == 1) & is_open[col]
        opener = np.full(w.size, -1)
        opener[row[sole]] = col[sole]
        loss = np.bincount(col[sole], weights=w[row[sole]], minlength=sites.n_cols)
        closed = movable & ~is_open
        add = np.where(closed & (sites.cost <= money) & (slots >= 1), gain, -np.inf)
        best_in, best_out, best = int(np.argmax(add)), -1, float(add.max(initial=-np.inf))
        out = np.flatnonzero(movable & is_open)
        # A swap gains only if the column coming in covers something uncovered; the largest
        # gains first, at most SWAP_PAIRS (out, in) pairs a move.
        into = np.flatnonzero(closed & (gain > 0))
        if out.size and into.size:
            into = into[np.argsort(-gain[into], kind="stable")[: SWAP_PAIRS // out.size + 1]]
            slot_out = np.full(sites.n_cols, -1)
            slot_out[out] = np.arange(out.size)
            slot_in = np.full(sites.n_cols, -1)
            slot_in[into] = np.arange(into.size)
            lost_by = np.where(opener[row] >= 0, slot_out[np.maximum(opener[row], 0)], -1)
            shared = (lost_by >= 0) & (slot_in[col] >= 0)
            delta = np.zeros((out.size, into.size))
            np.add.at(delta, (lost_by[shared], slot_in[col[shared]]), w[row[shared]])
            delta += gain[into][None, :] - loss[out][:, None]
            delta[sites.cost[into][None, :] > money + sites.cost[out][:, None]] = -np.inf
            i, j = np.unravel_index(int(np.argmax(delta)), delta.shape)
            if delta[i, j] > best:
                best_in, best_out, best = int(into[j]), int(out[i]), float(delta[i, j])
        if best <= 0:
            break
        is_open[best_in] = True
        money -= sites.cost[best_in]
        if best_out >= 0:
            is_open[best_out] = False
            money += sites.cost[best_out]
        else:
            slots -= 1
    return is_open


def _model(sites: _Sites) -> ArrayMip:
    """x per column (binary), y per row in [0, 1]: yₖ <= Σ_{j∈Nₖ} xⱼ; Σ counted x + closable
    x <= p + closable; at most max_closures closable ones closed; Σ cost·x <= budget; fixed x
    open; min −Σ wₖyₖ."""
    nx, nr = sites.n_cols, sites.weight.size
    rows = [sites.pair_row, np.arange(nr)]
    cols = [sites.pair_col, nx + np.arange(nr)]
    vals = [-np.ones(sites.pair_row.size), np.ones(nr)]
    lo, hi = [np.full(nr, -np.inf)], [np.zeros(nr)]

    def limit(coef: np.ndarray, low: float, high: float) -> None:
        js = np.flatnonzero(coef)
        rows.append(np.full(js.size, nr + len(lo) - 1))
        cols.append(js)
        vals.append(coef[js])
        lo.append(np.array([low]))
        hi.append(np.array([high]))

    n_closable = int(sites.closable.sum())
    if sites.p is not None:
        limit((sites.counted | sites.closable).astype(float), -np.inf, float(sites.p + n_closable))
    if n_closable:
        limit(sites.closable.astype(float), float(n_closable - sites.max_closures), np.inf)
    if sites.budget is not None:
        limit(sites.cost, -np.inf, float(sites.budget))
    return ArrayMip(
        obj=np.r_[np.zeros(nx), -sites.weight.astype(float)],
        var_lb=np.r_[sites.fixed.astype(float), np.zeros(nr)],
        var_ub=np.ones(nx + nr),
        integer=np.r_[np.ones(nx, bool), np.zeros(nr, bool)],
        rows=np.concatenate(rows).astype(np.int64),
        cols=np.concatenate(cols).astype(np.int64),
        vals=np.concatenate(vals),
        row_lb=np.concatenate(lo),
        row_ub=np.concatenate(hi),
    )


def _fix(lp: ArraySolution, incumbent: float, nx: int) -> tuple[np.ndarray, np.ndarray]:
    """Reduced-cost fixing, as bounds on the columns: a plan with xⱼ off its LP bound costs at
    least the LP objective + |dⱼ| (dⱼ its reduced cost); where that is worse than the
    incumbent, xⱼ keeps its LP bound (the incumbent stays feasible, and every better plan)."""
    assert lp.values is not None and lp.reduced_costs is not None
    slack = FIX_MARGIN * max(1.0, abs(lp.objective))
    x, d = lp.values[:nx], lp.reduced_costs[:nx]
    out = (x < 0.5) & (d > 0) & (lp.objective + d > incumbent + slack)
    into = (x > 0.5) & (d < 0) & (lp.objective - d > incumbent + slack)
    return into.astype(float), (~out).astype(float)


def _shrink(sites: _Sites, lb: np.ndarray, ub: np.ndarray) -> tuple[_Sites, int]:
    """The rows left once columns are fixed, and the weight they no longer decide: rows a
    column fixed open covers leave (that weight is covered), columns fixed closed leave every
    row, rows left empty leave, and rows left with the same columns merge."""
    covered = np.zeros(sites.weight.size, bool)
    covered[sites.pair_row[lb[sites.pair_col] > 0.5]] = True
    keep = (ub[sites.pair_col] > 0.5) & ~covered[sites.pair_row]
    owners, merged, sets = _merge_sets(sites.pair_row[keep], sites.pair_col[keep])
    weight = np.zeros(len(sets), np.int64)
    np.add.at(weight, merged, sites.weight[owners])
    sizes = np.array([c.size for c in sets], np.int64)
    small = replace(
        sites,
        pair_row=np.repeat(np.arange(len(sets)), sizes),
        pair_col=np.concatenate([np.zeros(0, np.int64), *sets]),
        weight=weight,
        fixed=sites.fixed | (lb > 0.5),
    )
    return small, int(sites.weight[covered].sum())


def _mclp(
    problem: SitingProblem,
    sets: list[np.ndarray],
    weight: np.ndarray,
    cand: np.ndarray,
    p: int | None,
    budget: float | None,
    time_limit_s: float,
    control: Control,
) -> tuple[np.ndarray, bool, float]:
    """Maximal covering over merged rows: (open flag per column of `cand`, optimal, gap).

    The incumbent is the better of greedy + swap and LP-guided greedy + swap; the LP's bound
    and reduced costs fix candidates that cannot be in a better plan; HiGHS solves the rest
    from the incumbent. On the time limit the best plan so far comes back with its proven gap.
    HiGHS through OR-Tools cannot be interrupted: cancel is checked between the steps."""
    started = time.monotonic()
    deadline = started + time_limit_s
    sites = _sites(problem, sets, weight, cand, p, budget)
    nx = sites.n_cols
    fits = _fits(sites)
    best = _local_search(sites, None, started + 0.25 * time_limit_s)
    value = sites.value(best) if fits else -np.inf
    simple = _simple_bound(sites)
    if value >= simple:
        return best, True, 0.0  # nothing more is coverable
    note = f"mclp: {max(value, 0):.8g} (bound {simple:.8g})"  # "(bound": progress_text's siting
    control.report(0.05, note)
    control.check()
    mip = _model(sites)
    relaxed = replace(mip, integer=np.zeros_like(mip.integer))
    lp = solve_arrays(
        relaxed,
        deadline - time.monotonic(),
        control.sub(0.05, 0.3),
        note,
        lp_algorithm=mathopt.LPAlgorithm.PRIMAL_SIMPLEX,
    )
    if lp.infeasible:
        raise InfeasibleError("mclp: no choice of sites meets the constraints")
    if lp.values is None or lp.reduced_costs is None:
        if not fits:
            raise TimeoutError("mclp: no solution within the time limit")
        return best, False, _gap(simple, value)
    bound = -lp.objective
    if fits:
        soon = min(deadline, time.monotonic() + 0.25 * time_limit_s)
        guided = _local_search(sites, lp.values[:nx], soon)
        if sites.value(guided) > value:
            best, value = guided, sites.value(guided)
        if value >= np.floor(bound + FIX_MARGIN * max(1.0, abs(bound))) - 1e-9:
            return best, True, 0.0  # the LP bound is met
    control.check()
    hint = None
    if fits:
        lb, ub = _fix(lp, -float(value), nx)
        small, constant = _shrink(sites, lb, ub)
        mip = _model(small)
        mip = replace(mip, var_ub=np.r_[ub, mip.var_ub[nx:]], offset=-float(constant))
        hint = np.r_[best.astype(float), (small.hits(best) > 0).astype(float)]
    note = f"mclp: {max(value, 0):.8g} (bound {bound:.8g})"
    control.report(0.3, note)
    out = solve_arrays(mip, deadline - time.monotonic(), control.sub(0.3, 1.0), note, hint=hint)
    if out.infeasible:
        raise InfeasibleError("mclp: no choice of sites meets the constraints")
    if out.values is not None and sites.value(out.values[:nx] > 0.5) > value:
        best = out.values[:nx] > 0.5
        value = sites.value(best)
    if not np.isfinite(value):
        raise TimeoutError("mclp: no solution within the time limit")
    if out.optimal:
        return best, True, 0.0
    if np.isfinite(out.bound):
        bound = min(bound, max(-out.bound, float(value)))
    return best, False, _gap(bound, value)


def _fits(sites: _Sites) -> bool:
    """Whether the fixed sites fit p and the budget with every closable site kept open (so the
    local search's plans are feasible)."""
    base = sites.fixed & sites.counted
    return (sites.p is None or int(base.sum()) <= sites.p) and (
        sites.budget is None or float(sites.cost[base].sum()) <= sites.budget
    )


def _gap(bound: float, value: float) -> float:
    return max(bound - value, 0.0) / max(float(value), 1e-9)


def _simple_bound(sites: _Sites) -> float:
    """A bound without the LP: the largest weights p (+ closable) columns could cover apart.
    Rows covered by fixed sites are not in the model, so only these columns cover any."""
    total = float(sites.weight.sum())
    if sites.p is None:
        return total
    free = (sites.counted | sites.closable) & ~sites.fixed
    alone = np.bincount(
        sites.pair_col, weights=sites.weight[sites.pair_row], minlength=sites.n_cols
    )
    top = np.sort(alone[free])[::-1][: sites.p + int(sites.closable.sum())]
    return min(total, float(top.sum()))
