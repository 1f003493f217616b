"""p-median: capped candidate lists per demand point, the radius formulation over their
distinct prefix sets, solved on HiGHS and widened until no demand point pays a truncated cap."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from models.control import Control
from models.coverage import nearest_costs
from models.siting.highs import _pmedian_mip
from models.siting.pmedian_reduce import REDUCE_SHARE, reduce_candidates, reducible
from models.siting.problem import MAX_PAIRS, SitingProblem, _open_costs


@dataclass(frozen=True)
class _Lists:
    """Each positive-weight demand point's candidates cheaper than its cap, cheapest first, as
    flat (origin, destination, cost) arrays grouped by origin.

    cap: what a demand point pays when none of its listed candidates is open: its nearest
    existing site, or its (k+1)-th cheapest candidate when that is cheaper (then `truncated`,
    and it may truly pay more), inf when it reaches no site at all. When every candidate it
    reaches is listed and no existing site is reachable, cap is one unit above its dearest
    listed candidate, so the model serves it whenever it can."""

    origin: np.ndarray
    dest: np.ndarray
    cost: np.ndarray
    cap: np.ndarray  # per demand point
    truncated: np.ndarray  # bool per demand point


def _nearest_k(
    problem: SitingProblem, rows: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Demand points `rows`' k cheapest candidates, cheapest first, as (origin, destination,
    cost) triplets grouped by origin, and each one's (k+1)-th cost (inf when k covers every
    candidate); dense rows in bounded chunks."""
    cand = np.asarray(problem.candidates_xy, float).reshape(-1, 2)
    demand = np.asarray(problem.demand_xy, float).reshape(-1, 2)[rows]
    m = cand.shape[0]
    k = min(k, m)
    chunk = max(1, 4_000_000 // max(m, 1))
    origin, dest, cost = [], [], []
    beyond = np.full(rows.size, np.inf)
    for lo in range(0, rows.size, chunk):
        block = problem.cost.matrix(demand[lo : lo + chunk], cand)
        if k < m:
            part = np.argpartition(block, k, axis=1)
            beyond[lo : lo + block.shape[0]] = np.take_along_axis(block, part[:, k : k + 1], 1)[
                :, 0
            ]
            idx = part[:, :k]
        else:
            idx = np.broadcast_to(np.arange(m), block.shape)
        near = np.take_along_axis(block, idx, 1)
        order = np.argsort(near, axis=1, kind="stable")
        origin.append(np.repeat(rows[lo : lo + block.shape[0]], k))
        dest.append(np.take_along_axis(idx, order, 1).ravel())
        cost.append(np.take_along_axis(near, order, 1).ravel())
    if not origin:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), beyond
    return np.concatenate(origin), np.concatenate(dest), np.concatenate(cost), beyond


def _lists(problem: SitingProblem, k_of: np.ndarray, existing_cost: np.ndarray) -> _Lists:
    """Candidate lists for the demand points with k_of > 0, each of its own length."""
    n = existing_cost.size
    beyond = np.full(n, np.inf)
    parts = []
    for k in np.unique(k_of[k_of > 0]):
        rows = np.flatnonzero(k_of == k)
        origin, dest, cost, beyond[rows] = _nearest_k(problem, rows, int(k))
        parts.append((origin, dest, cost))
    origin, dest, cost = (
        (np.concatenate(a) for a in zip(*parts, strict=True))
        if parts
        else (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    )
    order = np.argsort(origin, kind="stable")  # keeps each list cheapest first
    origin, dest, cost = origin[order], dest[order], cost[order]
    cap = np.minimum(existing_cost, beyond)
    finite = np.isfinite(cost)
    listed_max = np.full(n, -np.inf)
    np.maximum.at(listed_max, origin[finite], cost[finite])
    cap = np.where(np.isfinite(cap) | ~np.isfinite(listed_max), cap, listed_max + 1.0)
    keep = cost < cap[origin]
    truncated = (k_of > 0) & (beyond < existing_cost)
    return _Lists(origin[keep], dest[keep], cost[keep], cap, truncated)


#: Seed of the random 64-bit values whose sums key candidate sets (two independent keys).
_SET_KEY_SEED = 0x5EED


@dataclass(frozen=True)
class _PrefixRows:
    """Rows of the radius formulation: one per distinct set S of some demand point's t
    cheapest listed candidates, z_S >= 1 − Σ_{j∈S} xⱼ, chained as z_S >= z_parent − x_last
    (z_S >= 1 − x_last for a single candidate), where parent is S less its dearest member for
    the first demand point that lists S."""

    candidate: np.ndarray  # last member per row (candidate index)
    parent: np.ndarray  # parent row, -1 for single-candidate sets
    weight: np.ndarray  # objective coefficient of z_S: Σ wᵢ·(next cost − this cost)
    constant: float  # Σ wᵢ·(cheapest listed cost, or cap when nothing is listed)


def _prefix_rows(lists: _Lists, weights: np.ndarray, n_candidates: int) -> _PrefixRows:
    """Demand point i pays c₁ + Σₜ (c₍ₜ₊₁₎ − cₜ)·[none of its t cheapest open] (c₍ₖ₊₁₎ = capᵢ);
    the bracket is z of that set, so demand points sharing a set share its row. Sets are keyed
    by two independent sums of random 64-bit values per candidate (a false merge needs both
    to collide: probability ~(listed pairs/2⁶⁴)², nil in practice); set sizes are checked too."""
    o, d, c = lists.origin, lists.dest, lists.cost
    pos = weights > 0
    empty = np.ones(weights.size, bool)
    empty[o] = False
    flat = pos & empty & np.isfinite(lists.cap)
    if o.size == 0:
        nothing = np.zeros(0, np.int64)
        return _PrefixRows(
            nothing, nothing, np.zeros(0), float((weights[flat] * lists.cap[flat]).sum())
        )
    first = np.r_[True, o[1:] != o[:-1]]
    last = np.r_[o[1:] != o[:-1], True]
    nxt = np.where(last, lists.cap[o], np.r_[c[1:], 0.0])
    coef = weights[o] * (nxt - c)
    starts = np.flatnonzero(first)
    lengths = np.diff(np.r_[starts, o.size])
    rank = np.arange(o.size) - np.repeat(starts, lengths)
    rng = np.random.default_rng(_SET_KEY_SEED)
    keys = []
    for _ in range(2):
        summed = np.cumsum(rng.integers(0, 2**64, n_candidates, dtype=np.uint64)[d])  # mod 2⁶⁴
        before = np.zeros(starts.size, np.uint64)
        before[1:] = summed[starts[1:] - 1]
        keys.append(summed - np.repeat(before, lengths))
    _, rep, row_of = np.unique(keys[0], return_index=True, return_inverse=True)
    if (keys[1][rep][row_of] != keys[1]).any() or (rank[rep][row_of] != rank).any():
        both = np.stack([keys[0], keys[1], rank.astype(np.uint64)], axis=1)
        _, rep, row_of = np.unique(both, axis=0, return_index=True, return_inverse=True)
    row_of = row_of.ravel()
    # Number rows by first appearance (demand point, then rank): parents come first.
    order = np.argsort(rep, kind="stable")
    renumber = np.empty_like(order)
    renumber[order] = np.arange(order.size)
    rep, row_of = rep[order], renumber[row_of]
    parent = np.where(rank[rep] > 0, row_of[np.maximum(rep - 1, 0)], -1)
    weight = np.bincount(row_of, weights=coef, minlength=rep.size)
    constant = float((weights[o[first]] * c[first]).sum() + (weights[flat] * lists.cap[flat]).sum())
    return _PrefixRows(d[rep].astype(np.int64), parent.astype(np.int64), weight, constant)


def _initial_k(problem: SitingProblem, p: int | None, budget: float | None) -> int:
    """List length to start from: twice the candidates per site (at least 8), where sites is
    p, or how many of the cheapest candidates the budget buys. Longer lists rarely save a
    round and slow every solve (1,000 × 100, p = 8: 0.22 s at twice, 0.36 s at three times)."""
    m = problem.n_candidates
    sites = p
    if sites is None and budget is not None and problem.candidate_cost is not None:
        prices = np.sort(np.asarray(problem.candidate_cost, float))
        sites = int(np.searchsorted(np.cumsum(prices), budget, side="right"))
    return min(m, max(8, int(np.ceil(2 * m / max(sites or 1, 1)))))


#: Candidates past its hinted site each demand point's list reaches: the capped model's optimum
#: is then rarely one that leaves a demand point beyond its list (another round). 5,000 × 300,
#: p = 20, seed 7: 8 still took two rounds (8 + 10 s of HiGHS), 12 one (6 s).
HINT_MARGIN = 12


def _hint_rank(problem: SitingProblem, hint: np.ndarray) -> np.ndarray:
    """Each demand point's rank of its nearest hinted candidate among all candidates (1 =
    cheapest), in bounded dense chunks."""
    cand = np.asarray(problem.candidates_xy, float).reshape(-1, 2)
    demand = np.asarray(problem.demand_xy, float).reshape(-1, 2)
    chunk = max(1, 4_000_000 // max(cand.shape[0], 1))
    rank = np.zeros(demand.shape[0], np.int64)
    for lo in range(0, demand.shape[0], chunk):
        block = problem.cost.matrix(demand[lo : lo + chunk], cand)
        nearest = block[:, hint].min(1)
        rank[lo : lo + block.shape[0]] = (block < nearest[:, None]).sum(1) + 1
    return rank


def _greedy_median(
    problem: SitingProblem,
    lists: _Lists,
    weights: np.ndarray,
    p: int | None,
    budget: float | None,
) -> np.ndarray:
    """Candidates added one at a time by the largest drop in capped cost (per unit of price
    under a budget): a fallback when a time-limited solve ends with nothing better."""
    m = problem.n_candidates
    price = (
        np.zeros(m)
        if budget is None or problem.candidate_cost is None
        else np.asarray(problem.candidate_cost, float)
    )
    paid = lists.cap.copy()
    w = weights[lists.origin]
    chosen: list[int] = []
    spent = 0.0
    while p is None or len(chosen) < p:
        drop = np.maximum(paid[lists.origin] - lists.cost, 0.0)
        gain = np.bincount(lists.dest, weights=w * drop, minlength=m)
        score = gain / np.maximum(price, 1e-12)
        score[chosen] = 0.0
        if budget is not None:
            score[spent + price > budget] = 0.0
        j = int(np.argmax(score))
        if score[j] <= 0.0:
            break
        chosen.append(j)
        spent += price[j]
        mine = lists.dest == j
        np.minimum.at(paid, lists.origin[mine], lists.cost[mine])
    return np.sort(np.array(chosen, np.int64))


def _pmedian(
    problem: SitingProblem,
    p: int | None,
    budget: float | None,
    time_limit_s: float,
    control: Control,
    reduce: bool = True,
    hint: np.ndarray | None = None,
) -> tuple[np.ndarray, bool, float, str]:
    """Capped p-median over each demand point's k cheapest candidates below its nearest
    existing site: min Σᵢ wᵢ·min(capᵢ, cost to its nearest open listed candidate) (see _Lists
    and _prefix_rows for the model).

    The capped optimum is a lower bound on the true one, and equal to it when no demand point
    pays a truncated cap; otherwise those demand points' lists double (while all pairs stay
    under MAX_PAIRS) and the model is solved again. Under a time limit the gap is the true cost
    of the better of HiGHS's incumbent and a greedy selection against the best proven lower
    bound (at worst every demand point's cheapest listed cost). With `reduce`, a plain
    p-median first drops the candidates its bounds prove useless (models.siting.pmedian_reduce)
    and solves on the rest. A `hint` (a good choice of candidates) is HiGHS's first incumbent,
    and each demand point's list then reaches HINT_MARGIN candidates past its hinted site."""
    started = time.monotonic()
    weights = np.asarray(problem.weights, float)
    pos = weights > 0
    m = problem.n_candidates
    existing_cost = nearest_costs(
        problem.demand_xy, problem.existing, problem.cost, max(problem.threshold, 1e-9)
    )[1]
    k_of = np.where(pos, _initial_k(problem, p, budget), 0)
    if hint is not None:
        k_of = np.where(
            pos, np.minimum(np.maximum(k_of, _hint_rank(problem, hint) + HINT_MARGIN), m), 0
        )
    if reduce and reducible(problem, p, budget):
        return _reduced(
            problem, p, time_limit_s, control, _lists(problem, k_of, existing_cost), existing_cost
        )
    selected, lower, optimal = None, -np.inf, False
    for round_no in range(64):
        control.check()
        span = (min(0.2 * round_no, 0.8), min(0.2 * round_no + 0.2, 1.0))
        control.report(span[0], f"p-median: candidate lists (up to {int(k_of.max(initial=0))})")
        lists = _lists(problem, k_of, existing_cost)
        rows = _prefix_rows(lists, weights, m)
        if rows.candidate.size == 0:  # no candidate beats an existing site for anyone
            return np.zeros(0, np.int64), True, 0.0, "optimal"
        lower = max(lower, rows.constant)
        remaining = time_limit_s - (time.monotonic() - started)
        outcome = _pmedian_mip(problem, rows, p, budget, remaining, control, span, hint)
        if outcome is None:
            break
        selected = outcome.selected
        lower = max(lower, outcome.bound)
        is_open = np.zeros(m, bool)
        is_open[selected] = True
        served = np.zeros(weights.size, bool)
        served[lists.origin[is_open[lists.dest]]] = True
        # Demand paying a truncated cap may truly pay more: widen its list.
        short = pos & ~served & lists.truncated
        optimal = outcome.optimal and not short.any()
        if optimal or not outcome.optimal:
            break
        widen = short & (k_of < m)
        k_of = np.where(widen, np.minimum(2 * k_of, m), k_of)
        if not widen.any() or int(k_of.sum()) > MAX_PAIRS:
            break
    if optimal and selected is not None:
        return selected, True, 0.0, "optimal"

    def true_cost(chosen: np.ndarray) -> float:
        return float((weights[pos] * _open_costs(problem, chosen)[pos]).sum())

    greedy = _greedy_median(problem, lists, weights, p, budget)
    if selected is None or true_cost(greedy) < true_cost(selected):
        selected = greedy
    cost = true_cost(selected)
    finite = np.isfinite(cost) and np.isfinite(lower)
    gap = max(cost - lower, 0.0) / max(cost, 1e-9) if finite else 1.0
    return selected, False, gap, "feasible"


def _reduced(
    problem: SitingProblem,
    p: int,
    time_limit_s: float,
    control: Control,
    lists: _Lists,
    existing_cost: np.ndarray,
) -> tuple[np.ndarray, bool, float, str]:
    """The exact model on the candidates the bounds keep (same optimum, far fewer rows),
    started from the interchange's choice; on a time limit the better plan, its gap against
    the better of HiGHS's and the Lagrangian's bound."""
    started = time.monotonic()
    keep, chosen, upper, bound = reduce_candidates(
        problem, lists, p, existing_cost, time_limit_s * REDUCE_SHARE, control
    )
    cand = np.asarray(problem.candidates_xy, float).reshape(-1, 2)
    cost = None if problem.candidate_cost is None else np.asarray(problem.candidate_cost)[keep]
    sub = replace(problem, candidates_xy=cand[keep], candidate_cost=cost)
    remaining = time_limit_s - (time.monotonic() - started)
    hint = np.searchsorted(keep, chosen)
    selected, optimal, gap, status = _pmedian(
        sub, p, None, remaining, control, reduce=False, hint=hint
    )
    selected = keep[selected]
    if optimal:
        return selected, True, 0.0, status
    weights = np.asarray(problem.weights, float)
    found = float((weights * _open_costs(problem, selected)).sum())
    # Bounds on the reduced problem's optimum, which is the full one's.
    lower = max(found * (1 - gap), bound)
    if upper < found:
        selected, found = chosen, upper
    return selected, False, max(found - lower, 0.0) / max(found, 1e-9), "feasible"
