"""The siting problem and its result: demand, existing sites, candidates and costs in one metric
CRS; which candidates a model opened and what that achieves."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from models.costs import CostModel, NeighbourCosts
from models.coverage import GroupCoverage, nearest_costs

MODELS = ("lscp", "mclp", "pmedian", "pcenter", "fair", "target")
#: Models that take p (a number of new sites); lscp and target minimise the number instead.
P_MODELS = ("mclp", "pmedian", "pcenter", "fair")
#: The fair model maximises the worst group's share to 1/SHARE_RESOLUTION (0.01 %).
SHARE_RESOLUTION = 10_000
#: p-median stops widening its candidate lists when the pairs would exceed this many.
MAX_PAIRS = 5_000_000
_WEIGHT_TOTAL = 1e9  # scaled integer weights sum to at most this
_BUDGET_SCALE = 100.0


class InfeasibleError(ValueError):
    """No choice of sites meets the request (a district floor, full coverage under capacity)."""


@dataclass(frozen=True)
class SitingProblem:
    """Demand, existing sites and candidates in one metric CRS, with the cost between them.

    `groups` labels demand points (districts) for the fair model; `candidate_cost` is the cost of
    opening each candidate (for a budget); `capacity` caps the weight one candidate can serve and
    `existing_capacity` one existing site (unlimited when None); `required` candidates must open
    (they count against p and the budget); `closable` existing sites may close, at most
    `max_closures` of them. `demand_threshold` gives each demand point its own threshold
    (covering models: age groups walking at their own speed). `rules` is internal (see `SiteRules`): set by `solve` only.
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
    existing_capacity: np.ndarray | None = None
    required: np.ndarray | None = None
    closable: np.ndarray | None = None
    max_closures: int = 0
    demand_threshold: np.ndarray | None = None
    rules: SiteRules | None = None

    def __post_init__(self) -> None:
        n = np.asarray(self.demand_xy).reshape(-1, 2).shape[0]
        m = np.asarray(self.candidates_xy).reshape(-1, 2).shape[0]
        if np.asarray(self.weights).shape[0] != n:
            raise ValueError("one weight per demand point")
        if self.groups is not None and np.asarray(self.groups).shape[0] != n:
            raise ValueError("one group per demand point")
        if self.demand_threshold is not None and np.asarray(self.demand_threshold).shape[0] != n:
            raise ValueError("one demand_threshold per demand point")
        for name in ("candidate_cost", "capacity", "required"):
            value = getattr(self, name)
            if value is not None and np.asarray(value).shape[0] != m:
                raise ValueError(f"one {name} per candidate")
        e = 0 if self.existing_xy is None else np.asarray(self.existing_xy).reshape(-1, 2).shape[0]
        for name in ("existing_capacity", "closable"):
            value = getattr(self, name)
            if value is not None and np.asarray(value).shape[0] != e:
                raise ValueError(f"one {name} per existing site")
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
class SiteRules:
    """Per-candidate rules of a problem where sites beyond plain candidates became candidates:
    `fixed` must open, only `counted` ones count against p and the budget, and at most
    `max_closures` of the `closable` ones may stay closed."""

    fixed: np.ndarray  # bool per candidate
    counted: np.ndarray  # bool per candidate
    closable: np.ndarray  # bool per candidate
    max_closures: int


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
    closed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # existing indices

    @property
    def n_opened(self) -> int:
        return int(np.asarray(self.selected).size)

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


def _int_weights(weights: np.ndarray, total_max: float = _WEIGHT_TOTAL) -> np.ndarray:
    """Weights as CP-SAT integers: unchanged when already integral and small, else scaled so
    they sum to `total_max`."""
    w = np.asarray(weights, float)
    total = w.sum()
    if np.allclose(w, np.round(w)) and total <= total_max:
        return np.round(w).astype(np.int64)
    return np.round(w * (total_max / max(total, 1e-12))).astype(np.int64)


def _merge_sets(
    owner: np.ndarray, member: np.ndarray, key: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """(owner, member) pairs sorted by owner then member, merged where owners have the same
    set of members (and the same `key[owner]`, when given): (each distinct owner, its merged
    row, the member set of each row, rows numbered by first appearance). Demand points become
    the rows of a covering model this way, and rows left after fixing merge again."""
    if not owner.size:
        return owner[:0], np.zeros(0, np.int64), []
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    ends = np.r_[starts[1:], owner.size]
    row = np.empty(starts.size, np.int64)
    index: dict[tuple[int, bytes], int] = {}
    sets: list[np.ndarray] = []
    for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
        members = member[a:b]
        k = index.setdefault((0 if key is None else int(key[owner[a]]), members.tobytes()), len(sets))
        if k == len(sets):
            sets.append(members)
        row[i] = k
    return owner[starts], row, sets


def _open_costs(problem: SitingProblem, selected: np.ndarray) -> np.ndarray:
    """Each demand point's cost to its nearest open site (existing or selected), inf if none."""
    sites = np.vstack(
        [problem.existing, np.asarray(problem.candidates_xy, float).reshape(-1, 2)[selected]]
    )
    return nearest_costs(problem.demand_xy, sites, problem.cost, max(problem.threshold, 1e-9))[1]


def _within(problem: SitingProblem, sites_xy: np.ndarray) -> NeighbourCosts:
    """Demand–site pairs within the threshold (each demand point's own when given)."""
    own = problem.demand_threshold
    cutoff = problem.threshold if own is None else float(np.max(own, initial=problem.threshold))
    pairs = problem.cost.within(problem.demand_xy, sites_xy, cutoff)
    if own is None:
        return pairs
    keep = pairs.cost <= np.asarray(own, float)[pairs.origin]
    return replace(
        pairs, origin=pairs.origin[keep], destination=pairs.destination[keep], cost=pairs.cost[keep]
    )
