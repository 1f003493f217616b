"""The siting problem and its result: demand, existing sites, candidates and costs in one metric
CRS; which candidates a model opened and what that achieves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.costs import CostModel
from models.coverage import GroupCoverage, nearest_costs

MODELS = ("lscp", "mclp", "pmedian", "pcenter", "fair")
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


def _int_weights(weights: np.ndarray, total_max: float = _WEIGHT_TOTAL) -> np.ndarray:
    """Weights as CP-SAT integers: unchanged when already integral and small, else scaled so
    they sum to `total_max`."""
    w = np.asarray(weights, float)
    total = w.sum()
    if np.allclose(w, np.round(w)) and total <= total_max:
        return np.round(w).astype(np.int64)
    return np.round(w * (total_max / max(total, 1e-12))).astype(np.int64)


def _open_costs(problem: SitingProblem, selected: np.ndarray) -> np.ndarray:
    """Each demand point's cost to its nearest open site (existing or selected), inf if none."""
    sites = np.vstack(
        [problem.existing, np.asarray(problem.candidates_xy, float).reshape(-1, 2)[selected]]
    )
    return nearest_costs(problem.demand_xy, sites, problem.cost, max(problem.threshold, 1e-9))[1]
