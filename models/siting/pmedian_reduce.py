"""p-median candidate reduction: a Lagrangian lower bound and an interchange upper bound prove
most candidates absent from every optimal choice, so the exact model (models.siting.pmedian)
runs on the few that remain.

Lower bound: relax "each demand point is served once" in the capped model of pmedian._Lists
(demand point i pays min(capᵢ, cost to its nearest open listed candidate); a relaxation of the
true cost, so its bounds hold for the true problem) with multipliers uᵢ:
L(u) = Σᵢ uᵢ + Σᵢ min(0, wᵢ·capᵢ − uᵢ) + (sum of the p smallest ρⱼ), ρⱼ = Σᵢ min(0, wᵢ·cᵢⱼ − uᵢ),
raised by subgradient steps. Upper bound: greedy, then best-swap interchange (Teitz–Bart) on
true costs. A candidate j outside the Lagrangian's p whose bound with j forced open,
L(u) + ρⱼ − ρ₍ₚ₎, exceeds the upper bound is in no optimal solution and is removed. Removing
candidates raises the bound (the relaxation loses options it used), so the test repeats on the
candidates left, from the last multipliers, until a pass removes none.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from models.control import Control
from models.siting.problem import SitingProblem, _open_costs

#: Dense demand × candidate costs the interchange may hold (float64): 6 M ≈ 48 MB.
MAX_DENSE = 6_000_000
#: Subgradient iterations at most; the step halves after this many without a better bound.
LAGRANGE_ITERATIONS = 600
LAGRANGE_STALL = 15
#: Later passes (on the candidates left, from the last multipliers): iterations and first step.
PASS_ITERATIONS = 200
PASS_STEP = 0.5
#: Share of the time limit the reduction may take before the exact model starts.
REDUCE_SHARE = 0.4


def reducible(problem: SitingProblem, p: int | None, budget: float | None) -> bool:
    """Plain p-median (p sites, no budget, capacities, required or closable sites) small
    enough for dense costs. The bounds pay at every size measured: 1,000 × 100 (p = 8) 0.04 s
    against 0.41 s for the exact model alone, 3,000 × 250 (p = 15) 2.3 s against 52 s."""
    n = np.asarray(problem.demand_xy).reshape(-1, 2).shape[0]
    return (
        p is not None
        and budget is None
        and problem.capacity is None
        and problem.existing_capacity is None
        and problem.required is None
        and problem.closable is None
        and problem.rules is None
        and 0 < p < problem.n_candidates
        and n * problem.n_candidates <= MAX_DENSE
    )


def reduce_candidates(
    problem: SitingProblem,
    lists,  # noqa: ANN001 - pmedian._Lists (origin, dest, cost, cap)
    p: int,
    existing_cost: np.ndarray,
    time_limit_s: float,
    control: Control,
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Candidates that may be in an optimal choice (sorted indices), the interchange's choice,
    its true cost (an upper bound) and the last Lagrangian bound (a lower bound on the optimum,
    which lies among the candidates kept). Each pass that removes candidates raises the next
    pass's bound (the relaxation loses the options it used), so passes repeat on the rest
    (warm-started) until one removes nothing."""
    started = time.monotonic()
    weights = np.asarray(problem.weights, float)
    dense = problem.cost.matrix(problem.demand_xy, problem.candidates_xy)
    chosen = _interchange(
        dense, weights, existing_cost, _greedy_start(dense, weights, existing_cost, p)
    )
    upper = float((weights * _open_costs(problem, chosen)).sum())
    control.report(0.05, "p-median: bounds")
    deadline = started + time_limit_s
    m = problem.n_candidates
    _, rho, u = _lagrange(lists, weights, p, m, upper, deadline, None)
    # The Lagrangian's own p sites are a second start for the interchange (often a better one);
    # a better upper bound steers the subgradient steps better, so they continue from there.
    second = _interchange(dense, weights, existing_cost, np.sort(np.argpartition(rho, p - 1)[:p]))
    second_cost = float((weights * _open_costs(problem, second)).sum())
    if second_cost < upper:
        chosen, upper = second, second_cost
    lower, rho, u = _lagrange(lists, weights, p, m, upper, deadline, u, step=PASS_STEP)
    keep = np.arange(problem.n_candidates)
    k = int(np.bincount(lists.origin).max(initial=1)) if lists.origin.size else 1
    while True:
        out = _provably_out(lower, rho, p, upper)
        out[np.searchsorted(keep, chosen)] = False
        if not out.any() or keep.size - out.sum() <= p or time.monotonic() > deadline:
            return keep[~out], chosen, upper, lower
        keep = keep[~out]
        control.check()
        control.report(0.1, f"p-median: bounds, {keep.size} candidates left")
        sub = _dense_lists(dense[:, keep], existing_cost, min(k, keep.size))
        lower, rho, u = _lagrange(
            sub, weights, p, keep.size, upper, deadline, u, PASS_ITERATIONS, PASS_STEP
        )


def _provably_out(lower: float, rho: np.ndarray, p: int, upper: float) -> np.ndarray:
    """Candidates outside the Lagrangian's p whose bound with them forced open,
    lower + ρⱼ − ρ₍ₚ₎, exceeds the upper bound: in no optimal choice."""
    out = lower + rho - np.partition(rho, p - 1)[p - 1] > upper * (1 + 1e-9)
    out[np.argpartition(rho, p - 1)[:p]] = False
    return out


@dataclass(frozen=True)
class _DenseLists:
    """Each demand point's k cheapest candidates of a dense block (as pmedian._Lists: flat,
    grouped by origin, cheapest first) and its cap: the (k+1)-th cost or its existing site."""

    origin: np.ndarray
    dest: np.ndarray
    cost: np.ndarray
    cap: np.ndarray


def _dense_lists(block: np.ndarray, existing_cost: np.ndarray, k: int) -> _DenseLists:
    """The capped lists of a dense demand × candidate block (a relaxation, so bounds hold)."""
    n, m = block.shape
    if k < m:
        part = np.argpartition(block, k, axis=1)
        beyond = np.take_along_axis(block, part[:, k : k + 1], 1)[:, 0]
        idx = part[:, :k]
    else:
        beyond = np.full(n, np.inf)
        idx = np.broadcast_to(np.arange(m), (n, m))
    near = np.take_along_axis(block, idx, 1)
    order = np.argsort(near, axis=1, kind="stable")
    cost = np.take_along_axis(near, order, 1)
    dest = np.take_along_axis(idx, order, 1)
    cap = np.minimum(existing_cost, beyond)
    keep = cost < cap[:, None]
    origin = np.broadcast_to(np.arange(n)[:, None], cost.shape)
    return _DenseLists(origin[keep], dest[keep], cost[keep], cap)


def _greedy_start(
    dense: np.ndarray, weights: np.ndarray, existing_cost: np.ndarray, p: int
) -> np.ndarray:
    """p candidates added one at a time by the largest drop in total weighted cost."""
    paid = existing_cost.copy()
    chosen: list[int] = []
    for _ in range(p):
        total = (weights[:, None] * np.minimum(paid[:, None], dense)).sum(0)
        total[chosen] = np.inf
        j = int(np.argmin(total))
        chosen.append(j)
        paid = np.minimum(paid, dense[:, j])
    return np.array(chosen, np.int64)


def _interchange(
    dense: np.ndarray, weights: np.ndarray, existing_cost: np.ndarray, chosen: np.ndarray
) -> np.ndarray:
    """Best swap (one chosen out, one other in) while it lowers the total weighted cost, each
    pass in O(demand × candidates) (Whitaker's fast interchange: the gain of adding j, then
    the extra paid by the demand of the site taken out)."""
    chosen = chosen.copy()
    n = dense.shape[0]
    rows = np.arange(n)
    while True:
        cur = np.column_stack([dense[:, chosen], existing_cost])
        order = np.argsort(cur, axis=1)[:, :2]
        first, second = cur[rows, order[:, 0]], cur[rows, order[:, 1]]
        gain = weights @ np.maximum(first[:, None] - dense, 0.0)
        best_delta, move = -1e-12 * float(weights @ first), None
        for pos in range(chosen.size):
            mine = order[:, 0] == pos
            block = dense[mine]
            extra = weights[mine] @ (
                np.minimum(second[mine, None], block) - np.minimum(first[mine, None], block)
            )
            delta = extra - gain
            delta[chosen] = np.inf
            j = int(np.argmin(delta))
            if delta[j] < best_delta:
                best_delta, move = float(delta[j]), (pos, j)
        if move is None:
            return np.sort(chosen)
        chosen[move[0]] = move[1]


def _lagrange(  # noqa: ANN001
    lists,
    weights: np.ndarray,
    p: int,
    m: int,
    upper: float,
    deadline: float,
    start: np.ndarray | None,
    iterations: int = LAGRANGE_ITERATIONS,
    step: float = 2.0,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Best Lagrangian lower bound found, the ρⱼ at its multipliers and the multipliers
    (starting from `start`, or each demand point's cheapest weighted cost; Polyak steps
    toward `upper`, their factor `step` halved after LAGRANGE_STALL steps without a gain)."""
    o, d, c = lists.origin, lists.dest, lists.cost
    n = weights.size
    wc = weights[o] * c
    wcap = np.where(np.isfinite(lists.cap), weights * lists.cap, np.inf)
    u = np.zeros(n)
    first = np.r_[True, o[1:] != o[:-1]] if o.size else np.zeros(0, bool)
    u[o[first]] = wc[first]
    if start is not None:
        u = start.copy()
    idle = weights <= 0
    starts = np.flatnonzero(first)
    who = o[starts]
    served = np.zeros(n)
    # Buffers reused by every iteration (the loop is the bounds' whole cost).
    diff, below, uo = np.empty(o.size), np.empty(o.size), np.empty(o.size)
    near, opened = np.empty(o.size, bool), np.empty(o.size, bool)
    best, best_u, stall = -np.inf, u.copy(), 0
    for _ in range(iterations):
        np.take(u, o, out=uo)
        np.subtract(wc, uo, out=diff)
        np.minimum(diff, 0.0, out=below)
        rho = np.bincount(d, weights=below, minlength=m)
        inside = np.argpartition(rho, p - 1)[:p]
        value = u.sum() + np.minimum(0.0, wcap - u).sum() + rho[inside].sum()
        if value > best + 1e-12 * abs(value):
            best, best_u, stall = value, u.copy(), 0
        else:
            stall += 1
            if stall >= LAGRANGE_STALL:
                step, stall = step / 2, 0
        if step < 1e-4 or upper - best <= 1e-9 * upper or time.monotonic() > deadline:
            break
        is_in = np.zeros(m, bool)
        is_in[inside] = True
        np.take(is_in, d, out=opened)
        np.less(diff, 0.0, out=near)
        np.logical_and(opened, near, out=near)
        if starts.size:
            served[who] = np.add.reduceat(near, starts, dtype=np.int64)
        grad = 1.0 - (wcap < u) - served
        grad[idle] = 0.0
        norm = float(grad @ grad)
        if norm == 0.0:
            break
        u = u + step * (upper - value) / norm * grad
    rho = np.bincount(d, weights=np.minimum(0.0, wc - best_u[o]), minlength=m)
    return float(best), rho, best_u
