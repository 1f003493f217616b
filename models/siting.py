"""Where to open new service points: location set covering (LSCP), maximal covering (MCLP),
p-median, p-center and a fair covering model, on OR-Tools CP-SAT.

Sites are existing service points (always open, fixed) plus candidates (opened by the model).
A demand point is covered when an open site costs <= `threshold` (in the cost model's unit).
The formulations stay sparse:

- covering models only see candidates within the threshold, drop demand already covered by an
  existing site, and merge demand points with the same candidate set (and group) into one row
  weighted by their sum, which shrinks a 50,000-point MCLP to a few thousand rows;
- p-median (on HiGHS, not CP-SAT) only lists each demand point's k nearest candidates that
  are cheaper than its nearest existing site; a demand point whose listed sites are all closed
  pays the next cost (its cap). That capped objective never exceeds the true one, so when no
  demand point pays its cap in the optimum, the solution is optimal for the uncapped problem;
  otherwise those demand points' lists double and the model is solved again. The model is the
  radius formulation: one row per distinct set of a demand point's t nearest listed candidates
  ("none of them open"), shared by every demand point with that set;
- p-center bisects over the distinct pair costs, each step a set-covering feasibility check.

CP-SAT works in integers: weights are scaled to integers (exactly when they already are),
shares to 1/SHARE_RESOLUTION, budgets to 1/100.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt
from ortools.sat.python import cp_model

from models.control import Control, quiet
from models.costs import CostModel, NeighbourCosts
from models.coverage import GroupCoverage, group_coverage, nearest_costs

MODELS = ("lscp", "mclp", "pmedian", "pcenter", "fair")
#: The fair model maximises the worst group's share to 1/SHARE_RESOLUTION (0.01 %).
SHARE_RESOLUTION = 10_000
#: p-median stops widening its candidate lists when the pairs would exceed this many.
MAX_PAIRS = 5_000_000
#: CP-SAT stalls at a trivial bound on 2 cores with default parameters; 8 workers with the LP
#: relaxation at linearization level 2 proved these models optimal quickly (SETUP-NOTES).
SOLVER_WORKERS = 8
LINEARIZATION_LEVEL = 2
_WEIGHT_TOTAL = 1e9  # scaled integer weights sum to at most this
_BUDGET_SCALE = 100.0


class InfeasibleError(ValueError):
    """No choice of sites meets the request (a district floor, full coverage under capacity)."""


@dataclass(frozen=True)
class SitingProblem:
    """Demand, existing sites and candidates in one metric CRS, with the cost between them.

    `groups` labels demand points (districts) for the fair model; `candidate_cost` is the cost of
    opening each candidate (for a budget); `capacity` caps the weight one candidate can cover
    (existing sites are taken as unlimited).
    """

    demand_xy: np.ndarray
    weights: np.ndarray
    candidates_xy: np.ndarray
    cost: CostModel
    threshold: float
    existing_xy: np.ndarray | None = None
    groups: np.ndarray | None = None
    candidate_cost: np.ndarray | None = None
    capacity: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = np.asarray(self.demand_xy).reshape(-1, 2).shape[0]
        m = np.asarray(self.candidates_xy).reshape(-1, 2).shape[0]
        if np.asarray(self.weights).shape[0] != n:
            raise ValueError("one weight per demand point")
        if self.groups is not None and np.asarray(self.groups).shape[0] != n:
            raise ValueError("one group per demand point")
        for name in ("candidate_cost", "capacity"):
            value = getattr(self, name)
            if value is not None and np.asarray(value).shape[0] != m:
                raise ValueError(f"one {name} per candidate")
        if (np.asarray(self.weights, float) < 0).any():
            raise ValueError("weights must be non-negative")

    @property
    def n_candidates(self) -> int:
        return np.asarray(self.candidates_xy).reshape(-1, 2).shape[0]

    @property
    def existing(self) -> np.ndarray:
        return (
            np.zeros((0, 2))
            if self.existing_xy is None
            else np.asarray(self.existing_xy, float).reshape(-1, 2)
        )

    @property
    def group_labels(self) -> np.ndarray:
        n = self.weights.shape[0]
        return (
            np.full(n, "", dtype=object)
            if self.groups is None
            else np.asarray(self.groups).astype(str)
        )


@dataclass(frozen=True)
class SitingResult:
    """Which candidates to open and what that achieves.

    objective: lscp sites opened; mclp and fair covered weight; pmedian total weighted cost;
    pcenter the largest cost from a demand point to its nearest open site.
    """

    model: str
    selected: np.ndarray  # candidate indices opened, ascending
    objective: float
    covered: np.ndarray  # fraction of each demand point's weight covered (0/1 without capacity)
    covered_weight: float
    total_weight: float
    by_group: dict[str, GroupCoverage]
    optimal: bool
    gap: float  # proven relative gap (0 when optimal)
    seconds: float
    status: str  # "optimal", "feasible" (time limit) or "infeasible"

    @property
    def share(self) -> float:
        return self.covered_weight / self.total_weight if self.total_weight > 0 else 0.0

    @property
    def worst_share(self) -> float | None:
        shares = [g.share for g in self.by_group.values() if g.total > 0]
        return min(shares) if shares else None


@dataclass(frozen=True)
class FrontierPoint:
    """One efficiency–equity trade-off: total share against worst group share at a floor."""

    floor: float
    total_share: float
    worst_share: float
    selected: np.ndarray
    optimal: bool


# ---- CP-SAT plumbing ---------------------------------------------------------------------


@dataclass
class _Solve:
    """Outcome of one CP-SAT solve."""

    status: int
    values: dict[str, np.ndarray] = field(default_factory=dict)
    objective: float = 0.0
    bound: float = 0.0

    @property
    def found(self) -> bool:
        return self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    @property
    def optimal(self) -> bool:
        return self.status == cp_model.OPTIMAL

    def gap(self) -> float:
        if self.optimal:
            return 0.0
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, control: Control, start: float, end: float, label: str) -> None:
        super().__init__()
        self.control, self.start, self.end, self.label = control, start, end, label
        self.limit = max(control.time_limit_s or 60.0, 1e-3)

    def on_solution_callback(self) -> None:
        fraction = min(self.wall_time / self.limit, 1.0)
        self.control.report(
            self.start + (self.end - self.start) * fraction,
            f"{self.label}: {self.objective_value:.6g} (bound {self.best_objective_bound:.6g})",
        )


def _solve(
    model: cp_model.CpModel,
    variables: dict[str, list[cp_model.IntVar]],
    time_limit_s: float,
    control: Control,
    span: tuple[float, float],
    label: str,
    workers: int = SOLVER_WORKERS,
) -> _Solve:
    """Solve with explicit workers, a time limit, progress callbacks and a cancel watcher."""
    control.check()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.linearization_level = LINEARIZATION_LEVEL
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.01)
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            if control.cancelled:
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        status = solver.solve(model, _Progress(control, *span, label))
    finally:
        done.set()
        watcher.join()
    control.check()
    out = _Solve(status)
    if out.found:
        out.values = {
            k: np.array([solver.value(v) for v in vs], np.int64) for k, vs in variables.items()
        }
        if model.has_objective():
            out.objective, out.bound = solver.objective_value, solver.best_objective_bound
    control.report(span[1], label)
    return out


def _int_weights(weights: np.ndarray, total_max: float = _WEIGHT_TOTAL) -> np.ndarray:
    """Weights as CP-SAT integers: unchanged when already integral and small, else scaled so
    they sum to `total_max`."""
    w = np.asarray(weights, float)
    total = w.sum()
    if np.allclose(w, np.round(w)) and total <= total_max:
        return np.round(w).astype(np.int64)
    return np.round(w * (total_max / max(total, 1e-12))).astype(np.int64)


def _limit_sites(
    model: cp_model.CpModel,
    x: list[cp_model.IntVar],
    cand: np.ndarray,
    problem: SitingProblem,
    p: int | None,
    budget: float | None,
) -> None:
    """Σ x <= p, and/or Σ cost·x <= budget (costs to 1/100)."""
    if p is not None:
        model.add(sum(x) <= int(p))
    if budget is not None:
        if problem.candidate_cost is None:
            raise ValueError("a budget needs candidate costs")
        costs = np.round(np.asarray(problem.candidate_cost, float)[cand] * _BUDGET_SCALE).astype(
            np.int64
        )
        model.add(
            sum(int(c) * v for c, v in zip(costs, x, strict=True))
            <= int(np.floor(budget * _BUDGET_SCALE))
        )


# ---- covering models (lscp, mclp, fair) -----------------------------------------------------


@dataclass(frozen=True)
class _Rows:
    """Demand not covered by existing sites, merged into rows with identical candidate sets
    (and group). Existing sites are unlimited, so what they cover is covered whatever is opened."""

    pre_covered: np.ndarray  # bool per demand point
    row_of: np.ndarray  # row per demand point, -1 when pre-covered, weightless or uncoverable
    sets: list[np.ndarray]  # candidate indices per row
    group: np.ndarray  # group code per row


def _rows(
    problem: SitingProblem, cover: NeighbourCosts, pre: np.ndarray, codes: np.ndarray
) -> _Rows:
    weights = np.asarray(problem.weights, float)
    keep = ~pre[cover.origin] & (weights[cover.origin] > 0)
    origin, dest = cover.origin[keep], cover.destination[keep]
    order = np.lexsort((dest, origin))
    origin, dest = origin[order], dest[order]
    starts = (
        np.flatnonzero(np.r_[True, origin[1:] != origin[:-1]]) if origin.size else np.zeros(0, int)
    )
    ends = np.r_[starts[1:], origin.size].astype(int) if starts.size else np.zeros(0, int)
    row_of = np.full(weights.size, -1, np.int64)
    index: dict[tuple[int, bytes], int] = {}
    sets: list[np.ndarray] = []
    groups: list[int] = []
    for s, e in zip(starts, ends, strict=True):
        members = dest[s:e]
        key = (int(codes[origin[s]]), members.tobytes())
        k = index.setdefault(key, len(sets))
        if k == len(sets):
            sets.append(members)
            groups.append(key[0])
        row_of[origin[s]] = k
    return _Rows(pre, row_of, sets, np.array(groups, np.int64))


def _covering(
    problem: SitingProblem,
    model_name: str,
    p: int | None,
    budget: float | None,
    floor: float | None,
    time_limit_s: float,
    control: Control,
) -> tuple[np.ndarray, np.ndarray, bool, float, str]:
    """Solve lscp/mclp/fair; returns (selected, covered fraction per demand, optimal, gap, status).

    mclp: max Σ wₖyₖ, yₖ <= Σ_{j∈Nₖ} xⱼ, Σ xⱼ <= p (or Σ cⱼxⱼ <= budget). lscp: min Σ xⱼ with
    every coverable row covered. fair: first max t with covered_g >= t·total_g for all groups,
    then max total with t fixed; with a floor, max total with covered_g >= floor·total_g.
    With capacities, row k's covered weight is split over its open sites: Σₖ aₖⱼ <= capⱼxⱼ.
    """
    started = time.monotonic()
    control.report(0.0, "neighbours")
    weights = np.asarray(problem.weights, float)
    cover = problem.cost.within(problem.demand_xy, problem.candidates_xy, problem.threshold)
    pre = problem.cost.within(
        problem.demand_xy, problem.existing, problem.threshold
    ).covered_by_any()
    names, codes = np.unique(problem.group_labels, return_inverse=True)
    rows = _rows(problem, cover, pre, codes)
    control.report(0.1, f"{len(rows.sets)} demand rows")

    scaled = _int_weights(weights)
    mask = rows.row_of >= 0
    w_row = np.bincount(rows.row_of[mask], weights=scaled[mask], minlength=len(rows.sets)).astype(
        np.int64
    )
    total_g = np.bincount(codes, weights=scaled, minlength=names.size).astype(np.int64)
    pre_g = np.bincount(codes[pre], weights=scaled[pre], minlength=names.size).astype(np.int64)

    cand = np.unique(np.concatenate(rows.sets)) if rows.sets else np.zeros(0, np.int64)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{j}") for j in cand]
    xi = {int(j): v for j, v in zip(cand, x, strict=True)}
    if problem.capacity is None:
        got = [model.new_bool_var(f"y{k}") for k in range(len(rows.sets))]
        for k, members in enumerate(rows.sets):
            model.add(sum(xi[int(j)] for j in members) >= got[k])
        terms = [int(w) * v for w, v in zip(w_row, got, strict=True)]
        full = [1] * len(got)
    else:
        factor = scaled.sum() / max(weights.sum(), 1e-12)
        cap = np.floor(np.asarray(problem.capacity, float) * factor + 1e-9).astype(np.int64)
        got, load = [], {}
        for k, members in enumerate(rows.sets):
            parts = [model.new_int_var(0, int(w_row[k]), f"a{k}_{j}") for j in members]
            for j, a in zip(members, parts, strict=True):
                load.setdefault(int(j), []).append(a)
            got.append(model.new_int_var(0, int(w_row[k]), f"c{k}"))
            model.add(got[k] == sum(parts))
        for j, parts in load.items():
            model.add(sum(parts) <= int(cap[j]) * xi[j])
        terms = got
        full = [int(w) for w in w_row]
    by_group: list[list] = [[] for _ in names]
    for k, term in enumerate(terms):
        by_group[rows.group[k]].append(term)
    active = [g for g in range(names.size) if total_g[g] > 0]

    t = model.new_int_var(0, SHARE_RESOLUTION, "min_share")
    if model_name == "lscp":
        for k, v in enumerate(got):
            model.add(v == full[k])
        stages = ["sites"]
    else:
        _limit_sites(model, x, cand, problem, p, budget)
        if model_name == "fair" and floor is not None:
            for g in active:
                model.add(
                    int(pre_g[g]) + sum(by_group[g]) >= int(np.ceil(floor * total_g[g] - 1e-9))
                )
            stages = ["total"]
        elif model_name == "fair":
            for g in active:
                model.add(
                    SHARE_RESOLUTION * (int(pre_g[g]) + sum(by_group[g])) >= int(total_g[g]) * t
                )
            stages = ["min share", "total"]
        else:
            stages = ["total"]
    warm = _greedy(rows.sets, w_row, p) if model_name != "lscp" and p is not None else []
    for j in warm:
        model.add_hint(xi[int(j)], 1)
    variables = {"x": x, "rows": got, "t": [t]}
    optimal, gap, status, best = True, 0.0, "optimal", None
    for s, stage in enumerate(stages):
        if stage == "sites":
            model.minimize(sum(x))
        elif stage == "min share":
            model.maximize(t)
        else:
            model.maximize(sum(terms))
        span = (0.1 + 0.9 * s / len(stages), 0.1 + 0.9 * (s + 1) / len(stages))
        remaining = time_limit_s - (time.monotonic() - started)
        outcome = _solve(model, variables, remaining, control, span, f"{model_name} {stage}")
        if outcome.status == cp_model.INFEASIBLE:
            raise InfeasibleError(f"{model_name}: no choice of sites meets the constraints")
        if not outcome.found:
            if best is None and warm and problem.capacity is None:
                # Nothing found in time: report the greedy warm start, bound unknown.
                best = _Solve(cp_model.FEASIBLE, {"x": np.isin(cand, warm).astype(np.int64)})
            if best is None:
                raise TimeoutError(f"{model_name}: no solution within the time limit")
            optimal, status = False, "feasible"
            gap = max(gap, 1.0)
            break
        best = outcome
        optimal &= outcome.optimal
        gap = max(gap, outcome.gap())
        if not outcome.optimal:
            status = "feasible"
        if stage == "min share":
            model.add(t >= int(outcome.values["t"][0]))
            model.clear_hints()
            for v, val in zip(x, outcome.values["x"], strict=True):
                model.add_hint(v, int(val))
    assert best is not None
    selected = np.sort(cand[best.values["x"] == 1]).astype(np.int64)
    if problem.capacity is None:
        selected = _prune(selected, cover, pre, weights)
        fraction = (pre | cover.covered_by_any(selected)).astype(float)
    else:
        fraction = pre.astype(float)
        row_frac = best.values["rows"] / np.maximum(w_row, 1)
        fraction[mask] = np.minimum(row_frac[rows.row_of[mask]], 1.0)
    return selected, fraction, optimal, gap, status


def _greedy(sets: list[np.ndarray], weight: np.ndarray, p: int) -> list[int]:
    """Up to p candidates by largest uncovered weight gained: a warm start, so a time-limited
    solve always has a solution to report."""
    if not sets:
        return []
    row = np.repeat(np.arange(len(sets)), [s.size for s in sets])
    cand = np.concatenate(sets)
    uncovered = np.ones(len(sets), bool)
    chosen: list[int] = []
    for _ in range(p):
        gain = np.bincount(cand, weights=weight[row] * uncovered[row])
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        chosen.append(j)
        uncovered[row[cand == j]] = False
    return chosen


def _prune(
    selected: np.ndarray, cover: NeighbourCosts, pre: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Drop opened sites that cover nobody no other open site covers (a solver may open
    redundant sites when p allows it)."""
    is_open = np.zeros(cover.n_destinations, bool)
    is_open[selected] = True
    hit = is_open[cover.destination] & (weights[cover.origin] > 0) & ~pre[cover.origin]
    count = np.bincount(cover.origin[hit], minlength=cover.n_origins)
    for j in selected:
        mine = cover.origin[hit & (cover.destination == j)]
        if (count[mine] >= 2).all():
            count[mine] -= 1
            hit &= cover.destination != j
            is_open[j] = False
    return np.flatnonzero(is_open).astype(np.int64)


# ---- p-median and p-center ---------------------------------------------------------------


def _open_costs(problem: SitingProblem, selected: np.ndarray) -> np.ndarray:
    """Each demand point's cost to its nearest open site (existing or selected), inf if none."""
    sites = np.vstack(
        [problem.existing, np.asarray(problem.candidates_xy, float).reshape(-1, 2)[selected]]
    )
    return nearest_costs(problem.demand_xy, sites, problem.cost, max(problem.threshold, 1e-9))[1]


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


@dataclass(frozen=True)
class _MipOutcome:
    """One HiGHS solve of the capped p-median: candidates opened, capped cost, proven bound."""

    selected: np.ndarray
    objective: float
    bound: float
    optimal: bool


#: HiGHS stops at this relative gap (its default, 1e-4, would call a 0.01 % gap optimal).
PMEDIAN_REL_GAP = 1e-9


def _pmedian_mip(
    problem: SitingProblem,
    rows: _PrefixRows,
    p: int | None,
    budget: float | None,
    time_limit_s: float,
    control: Control,
    span: tuple[float, float],
) -> _MipOutcome | None:
    """min constant + Σ_S weight_S·z_S over the prefix rows, Σ x <= p, Σ cost·x <= budget, x
    binary, z in [0, 1], on HiGHS through MathOpt; the model goes in as arrays (no Python call
    per variable). The radius formulation's LP bound equals the classic assignment
    formulation's, with one row per distinct set instead of one per demand–candidate pair.
    None when no solution was found in time.

    HiGHS through OR-Tools cannot be interrupted: cancel is checked before and after."""
    control.check()
    cand, x_of_row = np.unique(rows.candidate, return_inverse=True)
    nx, nr = cand.size, rows.candidate.size
    has_parent = rows.parent >= 0
    limit_rows: list[tuple[np.ndarray, float]] = []
    if p is not None:
        limit_rows.append((np.ones(nx), float(p)))
    if budget is not None:
        if problem.candidate_cost is None:
            raise ValueError("a budget needs candidate costs")
        limit_rows.append((np.asarray(problem.candidate_cost, float)[cand], float(budget)))
    # Row r: z_r + x_cand(r) − z_parent(r) >= (1 if no parent else 0); then the site limits.
    row_ids = np.r_[
        np.arange(nr),
        np.arange(nr),
        np.flatnonzero(has_parent),
        np.repeat(nr + np.arange(len(limit_rows)), nx),
    ]
    col_ids = np.r_[
        x_of_row.ravel(),
        nx + np.arange(nr),
        nx + rows.parent[has_parent],
        np.tile(np.arange(nx), len(limit_rows)),
    ]
    values = np.concatenate(
        [np.ones(2 * nr), -np.ones(int(has_parent.sum())), *[a for a, _ in limit_rows]]
    )
    order = np.lexsort((col_ids, row_ids))
    nonzero = values[order] != 0.0
    proto = model_pb2.ModelProto()
    variables = proto.variables
    variables.ids.extend(range(nx + nr))
    variables.lower_bounds.extend([0.0] * (nx + nr))
    variables.upper_bounds.extend([1.0] * (nx + nr))
    variables.integers.extend([True] * nx + [False] * nr)
    proto.objective.offset = rows.constant
    weighted = np.flatnonzero(rows.weight > 0)
    proto.objective.linear_coefficients.ids.extend((nx + weighted).tolist())
    proto.objective.linear_coefficients.values.extend(rows.weight[weighted].tolist())
    constraints = proto.linear_constraints
    constraints.ids.extend(range(nr + len(limit_rows)))
    constraints.lower_bounds.extend(
        np.r_[np.where(has_parent, 0.0, 1.0), np.full(len(limit_rows), -np.inf)].tolist()
    )
    constraints.upper_bounds.extend(
        np.r_[np.full(nr, np.inf), [rhs for _, rhs in limit_rows]].tolist()
    )
    matrix = proto.linear_constraint_matrix
    matrix.row_ids.extend(row_ids[order][nonzero].tolist())
    matrix.column_ids.extend(col_ids[order][nonzero].tolist())
    matrix.coefficients.extend(values[order][nonzero].tolist())
    model = mathopt.Model.from_model_proto(proto)
    x = [model.get_variable(j) for j in range(nx)]
    control.check()

    started = time.monotonic()
    limit_s = max(time_limit_s, 0.01)

    def on_log(_: list[str]) -> None:
        fraction = min((time.monotonic() - started) / limit_s, 1.0)
        control.report(
            span[0] + (span[1] - span[0]) * fraction, f"p-median: HiGHS, {nr:,} set rows"
        )

    result = mathopt.solve(
        model,
        mathopt.SolverType.HIGHS,
        params=mathopt.SolveParameters(
            time_limit=timedelta(seconds=limit_s), relative_gap_tolerance=PMEDIAN_REL_GAP
        ),
        model_params=mathopt.ModelSolveParameters(
            variable_values_filter=mathopt.SparseVectorFilter(filtered_items=x)
        ),
        msg_cb=on_log,
    )
    control.check()
    reason = result.termination.reason
    if reason == mathopt.TerminationReason.INFEASIBLE:
        raise InfeasibleError("p-median: no choice of sites meets the budget")
    if not result.has_primal_feasible_solution():
        return None
    chosen = np.array(result.variable_values(x)) > 0.5
    return _MipOutcome(
        selected=np.sort(cand[chosen]).astype(np.int64),
        objective=result.objective_value(),
        bound=result.termination.objective_bounds.dual_bound,
        optimal=reason == mathopt.TerminationReason.OPTIMAL,
    )


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
) -> tuple[np.ndarray, bool, float, str]:
    """Capped p-median over each demand point's k cheapest candidates below its nearest
    existing site: min Σᵢ wᵢ·min(capᵢ, cost to its nearest open listed candidate) (see _Lists
    and _prefix_rows for the model).

    The capped optimum is a lower bound on the true one, and equal to it when no demand point
    pays a truncated cap; otherwise those demand points' lists double (while all pairs stay
    under MAX_PAIRS) and the model is solved again. Under a time limit the gap is the true cost
    of the better of HiGHS's incumbent and a greedy selection against the best proven lower
    bound (at worst every demand point's cheapest listed cost)."""
    started = time.monotonic()
    weights = np.asarray(problem.weights, float)
    pos = weights > 0
    m = problem.n_candidates
    existing_cost = nearest_costs(
        problem.demand_xy, problem.existing, problem.cost, max(problem.threshold, 1e-9)
    )[1]
    k_of = np.where(pos, _initial_k(problem, p, budget), 0)
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
        outcome = _pmedian_mip(problem, rows, p, budget, remaining, control, span)
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


# ---- public API ----------------------------------------------------------------------------


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
