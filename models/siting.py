"""Where to open new service points: location set covering (LSCP), maximal covering (MCLP),
p-median, p-center and a fair covering model, on OR-Tools CP-SAT.

Sites are existing service points (always open, fixed) plus candidates (opened by the model).
A demand point is covered when an open site costs <= `threshold` (in the cost model's unit).
The formulations stay sparse:

- covering models only see candidates within the threshold, drop demand already covered by an
  existing site, and merge demand points with the same candidate set (and group) into one row
  weighted by their sum, which shrinks a 50,000-point MCLP to a few thousand rows;
- p-median only gets assignment variables for each demand point's k nearest candidates that
  are cheaper than its nearest existing site; a demand point whose listed sites are all closed
  pays the next cost (its cap). That capped objective never exceeds the true one, so when no
  demand point pays its cap in the optimum, the solution is optimal for the uncapped problem;
  otherwise k doubles (while the pairs stay under MAX_PAIRS) and the model is solved again;
- p-center bisects over the distinct pair costs, each step a set-covering feasibility check.

CP-SAT works in integers: weights are scaled to integers (exactly when they already are),
shares to 1/SHARE_RESOLUTION, budgets to 1/100.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp
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


def _nearest_k(
    problem: SitingProblem, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each demand point's k cheapest candidates as (origin, destination, cost) triplets, and the
    cost of its (k+1)-th (inf when k covers every candidate); dense rows in bounded chunks."""
    cand = np.asarray(problem.candidates_xy, float).reshape(-1, 2)
    demand = np.asarray(problem.demand_xy, float).reshape(-1, 2)
    n, m = demand.shape[0], cand.shape[0]
    k = min(k, m)
    chunk = max(1, 4_000_000 // max(m, 1))
    origin, dest, cost = [], [], []
    beyond = np.full(n, np.inf)
    for lo in range(0, n, chunk):
        block = problem.cost.matrix(demand[lo : lo + chunk], cand)
        if k < m:
            part = np.argpartition(block, k, axis=1)
            beyond[lo : lo + block.shape[0]] = np.take_along_axis(block, part[:, k : k + 1], 1)[
                :, 0
            ]
            idx = part[:, :k]
        else:
            idx = np.broadcast_to(np.arange(m), block.shape)
        origin.append(np.repeat(np.arange(lo, lo + block.shape[0]), k))
        dest.append(idx.ravel())
        cost.append(np.take_along_axis(block, idx, 1).ravel())
    return np.concatenate(origin), np.concatenate(dest), np.concatenate(cost), beyond


def _pmedian_mip(
    problem: SitingProblem,
    origin: np.ndarray,
    dest: np.ndarray,
    saving: np.ndarray,
    p: int | None,
    budget: float | None,
    hint: set[int] | None,
    time_limit_s: float,
    control: Control,
) -> tuple[_Solve, np.ndarray]:
    """max Σ savingᵢⱼ yᵢⱼ, Σⱼ yᵢⱼ <= 1, yᵢⱼ <= xⱼ, site limits, on HiGHS (MIP): the p-median LP
    relaxation is nearly integral, which an LP-based MIP solver exploits and CP-SAT's search
    did not (60 s without proof where HiGHS needs seconds). y may stay continuous: with x
    integral an optimal y is integral."""
    control.check()
    solver = pywraplp.Solver.CreateSolver("HIGHS")
    solver.SuppressOutput()
    cand = np.unique(dest)
    x = [solver.BoolVar(f"x{j}") for j in cand]
    xi = {int(j): v for j, v in zip(cand, x, strict=True)}
    y = [solver.NumVar(0.0, 1.0, "") for _ in range(origin.size)]
    objective = solver.Objective()
    per_demand: dict[int, list] = {}
    for t, (i, j) in enumerate(zip(origin, dest, strict=True)):
        if t % 20_000 == 0:
            control.check()
        solver.Add(y[t] <= xi[int(j)])
        objective.SetCoefficient(y[t], float(saving[t]))
        per_demand.setdefault(int(i), []).append(y[t])
    for ys in per_demand.values():
        solver.Add(solver.Sum(ys) <= 1)
    if p is not None:
        solver.Add(solver.Sum(x) <= int(p))
    if budget is not None:
        if problem.candidate_cost is None:
            raise ValueError("a budget needs candidate costs")
        costs = np.asarray(problem.candidate_cost, float)[cand]
        solver.Add(
            solver.Sum([float(c) * v for c, v in zip(costs, x, strict=True)]) <= float(budget)
        )
    objective.SetMaximization()
    if hint:
        solver.SetHint(x, [float(int(j) in hint) for j in cand])
    solver.SetTimeLimit(int(max(time_limit_s, 0.01) * 1000))
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            if control.cancelled:
                solver.InterruptSolve()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        status = solver.Solve()
    finally:
        done.set()
        watcher.join()
    control.check()
    codes = {
        pywraplp.Solver.OPTIMAL: cp_model.OPTIMAL,
        pywraplp.Solver.FEASIBLE: cp_model.FEASIBLE,
        pywraplp.Solver.INFEASIBLE: cp_model.INFEASIBLE,
    }
    out = _Solve(codes.get(status, cp_model.UNKNOWN))
    if out.found:
        out.values = {
            "x": np.array([round(v.solution_value()) for v in x], np.int64),
            "y": np.array([v.solution_value() > 0.5 for v in y], np.int64),
        }
        out.objective, out.bound = objective.Value(), objective.BestBound()
    return out, cand


def _pmedian(
    problem: SitingProblem,
    p: int | None,
    budget: float | None,
    time_limit_s: float,
    control: Control,
) -> tuple[np.ndarray, bool, float, str]:
    """Capped p-median over each demand point's k nearest candidates cheaper than its nearest
    existing site: max Σᵢⱼ wᵢ(capᵢ − cᵢⱼ)yᵢⱼ, Σⱼ yᵢⱼ <= 1, yᵢⱼ <= xⱼ, Σ xⱼ <= p, where capᵢ =
    min(nearest existing cost, (k+1)-th candidate cost); i.e. min Σ wᵢ·min(capᵢ, open cost).

    That capped optimum is a lower bound on the true one, and equal to it when no demand point
    pays its cap; otherwise k doubles (while the pairs stay under MAX_PAIRS). The gap is the
    true cost of the selection against that lower bound."""
    started = time.monotonic()
    weights = np.asarray(problem.weights, float)
    pos = weights > 0
    existing_cost = nearest_costs(
        problem.demand_xy, problem.existing, problem.cost, max(problem.threshold, 1e-9)
    )[1]
    m = problem.n_candidates
    k = min(m, max(8, int(np.ceil(3 * m / max(p or 1, 1)))))
    selected, lower, optimal, hint = np.zeros(0, np.int64), 0.0, False, None
    for round_no in range(64):
        origin, dest, cost, beyond = _nearest_k(problem, k)
        cap = np.minimum(existing_cost, beyond)
        listed_max = np.zeros(weights.size)
        np.maximum.at(listed_max, origin, cost)
        cap = np.where(np.isfinite(cap), cap, listed_max + 1.0)  # all listed: must be assigned
        keep = pos[origin] & (cost < cap[origin])
        origin, dest, cost = origin[keep], dest[keep], cost[keep]
        remaining = time_limit_s - (time.monotonic() - started)
        span = (min(0.2 * round_no, 0.8), min(0.2 * round_no + 0.2, 1.0))
        control.report(span[0], f"p-median k={k}")
        outcome, cand = _pmedian_mip(
            problem,
            origin,
            dest,
            weights[origin] * (cap[origin] - cost),
            p,
            budget,
            hint,
            remaining,
            control,
        )
        if not outcome.found:
            if round_no == 0:
                raise TimeoutError("p-median: no solution within the time limit")
            break
        selected = np.sort(cand[outcome.values["x"] == 1]).astype(np.int64)
        hint = set(selected.tolist())
        lower = float((weights[pos] * cap[pos]).sum()) - outcome.bound
        assigned = np.zeros(weights.size, bool)
        assigned[origin[outcome.values["y"] == 1]] = True
        # Demand paying its cap rather than its nearest existing site may truly cost more.
        capped = pos & ~assigned & (existing_cost > cap)
        optimal = outcome.optimal and not capped.any()
        if optimal or not outcome.optimal or k >= m or 2 * k * weights.size > MAX_PAIRS:
            break
        k = min(2 * k, m)
    if optimal:
        return selected, True, 0.0, "optimal"
    true_cost = float((weights * _open_costs(problem, selected)).sum())
    gap = 1.0 if not np.isfinite(true_cost) else max(true_cost - lower, 0.0) / max(true_cost, 1e-9)
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
