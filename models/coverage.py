"""Who is within a travel-cost threshold of a service point: per demand point, per group, overall.

Costs come from a `models.costs.CostModel`, so straight-line and network costs are one code
path. Only pairs within the threshold are ever materialised (a sparse neighbour search); for
straight-line costs not even those: one k-d tree of the service points answers "nearest, and
within the threshold?" per demand point, in chunks, so memory grows with the demand points only
(1,000,000 cells × 2,000 sites in about a second; 10,000,000 cells, a province at 100 m, fit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.control import Control, quiet
from models.costs import CostModel, StraightLineCost

#: Demand points beyond the threshold get their nearest service point by searching ever wider
#: radii (threshold × 2, × 4, ...) up to this factor; beyond it the nearest cost stays inf.
NEAREST_SEARCH_MAX_FACTOR = 1024.0
#: Upper bound on origin × destination pairs one wide search may return at once.
_PAIRS_PER_CHUNK = 20_000_000
#: Demand points per k-d tree query on the straight-line path (progress and cancel between).
_POINTS_PER_CHUNK = 1_000_000


@dataclass(frozen=True)
class GroupCoverage:
    """Demand weight in a group (district) and how much of it is covered."""

    total: float
    covered: float
    share: float  # covered / total; 0 when the group has no weight


@dataclass(frozen=True)
class CoverageResult:
    """Coverage of weighted demand points by service points within `threshold` (cost <= threshold)."""

    covered: np.ndarray  # bool per demand point
    nearest_index: np.ndarray  # int64 index of the cheapest service point, -1 if none found
    nearest_cost: np.ndarray  # float64 cost to it (in `unit`), inf if none found
    by_group: dict[str, GroupCoverage]
    total: float
    covered_total: float
    share: float
    threshold: float
    unit: str  # "m" or "s"
    source: str  # "straight-line" or "network"


def group_coverage(
    weights: np.ndarray, groups: np.ndarray, covered: np.ndarray
) -> dict[str, GroupCoverage]:
    """Total and covered weight per group, groups in order of first appearance; `covered` is a
    bool or the covered fraction of each demand point's weight."""
    weights = np.asarray(weights, float)
    covered = np.asarray(covered, float)
    groups = np.asarray(groups)
    if groups.dtype == object:
        groups = groups.astype(str)
    # Integer codes (a raster's district ids) are factorised as they are: no 10 M strings.
    names, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    totals = np.bincount(inverse, weights=weights, minlength=names.size)
    hits = np.bincount(inverse, weights=weights * covered, minlength=names.size)
    out: dict[str, GroupCoverage] = {}
    for k in np.argsort(first):
        total, hit = float(totals[k]), float(hits[k])
        out[str(names[k])] = GroupCoverage(total, hit, hit / total if total > 0 else 0.0)
    return out


def nearest_costs(
    demand_xy: np.ndarray,
    supply_xy: np.ndarray,
    cost: CostModel,
    start_cutoff: float,
    control: Control | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Index and cost of each demand point's cheapest service point, searching radii that double
    from `start_cutoff` (sparse at every step; chunked so no step holds more than ~20 M pairs)."""
    control = control or quiet()
    demand_xy = np.asarray(demand_xy, float).reshape(-1, 2)
    supply_xy = np.asarray(supply_xy, float).reshape(-1, 2)
    n = demand_xy.shape[0]
    index = np.full(n, -1, np.int64)
    best = np.full(n, np.inf)
    if n == 0 or supply_xy.shape[0] == 0 or start_cutoff <= 0:
        return index, best
    if isinstance(cost, StraightLineCost):
        return _tree_nearest(demand_xy, supply_xy, cost, start_cutoff * NEAREST_SEARCH_MAX_FACTOR, control)
    chunk = max(1, _PAIRS_PER_CHUNK // supply_xy.shape[0])
    cutoff = start_cutoff
    todo = np.arange(n)
    while todo.size and cutoff <= start_cutoff * NEAREST_SEARCH_MAX_FACTOR:
        control.check()
        for lo in range(0, todo.size, chunk):
            part = todo[lo : lo + chunk]
            idx, c = cost.within(demand_xy[part], supply_xy, cutoff).nearest()
            index[part], best[part] = idx, c
        todo = todo[index[todo] < 0]
        cutoff *= 2.0
    return index, best


def _tree_nearest(
    demand_xy: np.ndarray, supply_xy: np.ndarray, cost: StraightLineCost, max_cost: float, control: Control
) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line nearest service point within `max_cost`, a chunk of demand at a time."""
    n = demand_xy.shape[0]
    index = np.full(n, -1, np.int64)
    best = np.full(n, np.inf)
    for lo in range(0, n, _POINTS_PER_CHUNK):
        control.check()
        hi = min(lo + _POINTS_PER_CHUNK, n)
        index[lo:hi], best[lo:hi] = cost.nearest(demand_xy[lo:hi], supply_xy, max_cost)
        control.report(hi / n, "nearest service point")
    return index, best


def coverage(
    demand_xy: np.ndarray,
    weights: np.ndarray,
    groups: np.ndarray,
    supply_xy: np.ndarray,
    cost: CostModel,
    threshold: float,
    control: Control | None = None,
) -> CoverageResult:
    """Demand covered when some service point costs <= `threshold` (in `cost.unit`); also the
    nearest service point of every demand point, found beyond the threshold too."""
    control = control or quiet()
    weights = np.asarray(weights, float)
    demand_xy = np.asarray(demand_xy, float).reshape(-1, 2)
    if weights.shape[0] != demand_xy.shape[0] or np.asarray(groups).shape[0] != demand_xy.shape[0]:
        raise ValueError("demand_xy, weights and groups must have one entry per demand point")
    control.report(0.0, "coverage")
    if isinstance(cost, StraightLineCost):
        # One query finds the nearest point, within the threshold or beyond (as far as the
        # widest search below would look).
        limit = threshold * 2.0 * NEAREST_SEARCH_MAX_FACTOR
        index, best = _tree_nearest(demand_xy, np.asarray(supply_xy, float).reshape(-1, 2), cost, limit,
                                    control.sub(0.0, 0.9))
        covered = best <= threshold
        far = np.zeros(0, np.int64)
    else:
        within = cost.within(demand_xy, supply_xy, threshold)
        control.check()
        index, best = within.nearest()
        covered = index >= 0
        control.report(0.5, "nearest beyond threshold")
        far = np.flatnonzero(~covered)
    if far.size:
        far_index, far_cost = nearest_costs(
            demand_xy[far], supply_xy, cost, threshold * 2.0, control
        )
        index[far], best[far] = far_index, far_cost
    total = float(weights.sum())
    covered_total = float(weights[covered].sum())
    control.report(1.0, "coverage done")
    return CoverageResult(
        covered=covered,
        nearest_index=index,
        nearest_cost=best,
        by_group=group_coverage(weights, groups, covered),
        total=total,
        covered_total=covered_total,
        share=covered_total / total if total > 0 else 0.0,
        threshold=float(threshold),
        unit=cost.unit,
        source=cost.source,
    )
