"""Coverage split over a dask cluster: demand in strips, the sites broadcast, group sums reduced.

For demand beyond one machine (30 m cells of a province, or many scenarios at once): each
worker runs `models.coverage.coverage` unchanged on its strip of cells against every site (the
sites are few, so they are sent once to every worker), and only its per-group totals come
back; the district figures are sums, so the reduction is exact (no halo: each strip sees every
site). Any `CostModel` that pickles works; a road network is sent to each worker once with the
sites. The cluster is the caller's (`distributed.Client`: a `LocalCluster` here, a scheduler
address on a real cluster); dask is an optional dependency (`pip install .[scale]`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.control import Control, quiet
from models.costs import CostModel
from models.coverage import GroupCoverage, coverage


@dataclass(frozen=True)
class PartitionedCoverage:
    """Covered weight per group and overall, summed over the strips the workers computed."""

    by_group: dict[str, GroupCoverage]
    total: float
    covered_total: float
    share: float
    partitions: int


def _strip_sums(
    demand_xy: np.ndarray,
    weights: np.ndarray,
    groups: np.ndarray,
    supply_xy: np.ndarray,
    cost: CostModel,
    threshold: float,
) -> list[tuple[str, float, float]]:
    """One strip on one worker: (group, total weight, covered weight) in order of appearance."""
    result = coverage(demand_xy, weights, groups, supply_xy, cost, threshold)
    return [(name, g.total, g.covered) for name, g in result.by_group.items()]


def partitioned_coverage(
    client,  # noqa: ANN001 - a distributed.Client; dask stays an optional import
    demand_xy: np.ndarray,
    weights: np.ndarray,
    groups: np.ndarray,
    supply_xy: np.ndarray,
    cost: CostModel,
    threshold: float,
    partitions: int,
    control: Control | None = None,
) -> PartitionedCoverage:
    """Coverage of `demand_xy` by `supply_xy` within `threshold`, in `partitions` strips of
    consecutive cells (a raster's rows: compact strips) computed on `client`'s workers."""
    from distributed import as_completed

    control = control or quiet()
    demand_xy = np.asarray(demand_xy, float).reshape(-1, 2)
    weights, groups = np.asarray(weights, float), np.asarray(groups)
    n = demand_xy.shape[0]
    if weights.shape[0] != n or groups.shape[0] != n:
        raise ValueError("demand_xy, weights and groups must have one entry per demand point")
    if partitions < 1:
        raise ValueError("partitions must be >= 1")
    sites, model = client.scatter([np.asarray(supply_xy, float).reshape(-1, 2), cost], broadcast=True)
    bounds = np.linspace(0, n, min(partitions, max(n, 1)) + 1).astype(np.int64)
    futures = []
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        strip = client.scatter([demand_xy[lo:hi], weights[lo:hi], groups[lo:hi]])
        futures.append(client.submit(_strip_sums, *strip, sites, model, float(threshold), pure=False))
    strip_of = {future.key: k for k, future in enumerate(futures)}
    sums: list[list[tuple[str, float, float]]] = [[] for _ in futures]
    try:
        for done, future in enumerate(as_completed(futures), start=1):
            control.check()
            sums[strip_of[future.key]] = future.result()
            control.report(done / len(futures), "partitions")
    finally:
        client.cancel(futures)
    totals: dict[str, list[float]] = {}  # groups in order of first appearance, as coverage()
    for rows in sums:
        for name, total, covered in rows:
            acc = totals.setdefault(name, [0.0, 0.0])
            acc[0] += total
            acc[1] += covered
    by_group = {name: GroupCoverage(t, c, c / t if t > 0 else 0.0) for name, (t, c) in totals.items()}
    total = sum(g.total for g in by_group.values())
    covered_total = sum(g.covered for g in by_group.values())
    return PartitionedCoverage(
        by_group=by_group,
        total=total,
        covered_total=covered_total,
        share=covered_total / total if total > 0 else 0.0,
        partitions=len(futures),
    )
