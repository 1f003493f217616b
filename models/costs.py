"""Travel costs between point sets: one interface for straight-line and network costs.

Coverage, siting and routing take a `CostModel` and never compute distances themselves, so a
road network (routing.network) plugs in by passing another object. Points are (N, 2) arrays of
projected metres (x, y) in the CRS the cost model was built for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class Mode:
    """A way of travelling: straight-line metres are multiplied by `circuity` and divided by speed."""

    name: str
    speed_kph: float
    circuity: float


#: The one place for travel speeds. Walking 4.8 km/h with a circuity of 1.25 makes 15 minutes'
#: walk 1.2 km on roads, i.e. about 1 km as the crow flies: the "15-minute reading circle".
MODES: dict[str, Mode] = {
    "walk": Mode("walk", 4.8, 1.25),
    "bicycle": Mode("bicycle", 15.0, 1.25),
    "drive": Mode("drive", 35.0, 1.35),
    "bookmobile": Mode("bookmobile", 30.0, 1.35),
    "van": Mode("van", 45.0, 1.3),  # inter-library runs use expressways
}


@dataclass(frozen=True)
class NeighbourCosts:
    """Sparse origin→destination costs: only pairs within a cut-off are kept (COO triplets).

    Zero costs are kept explicitly (a demand point on top of a library is covered), which a
    plain scipy CSR matrix would silently drop.
    """

    origin: np.ndarray  # int64 indices into the origins
    destination: np.ndarray  # int64 indices into the destinations
    cost: np.ndarray  # float64, in `unit`
    n_origins: int
    n_destinations: int
    unit: str  # "m" or "s"
    source: str  # "straight-line" or "network"

    def __len__(self) -> int:
        return int(self.origin.size)

    def to_csr(self, offset: float = 0.0) -> sparse.csr_matrix:
        """CSR of cost + offset (use a small offset to keep zero costs as stored entries)."""
        return sparse.csr_matrix(
            (self.cost + offset, (self.origin, self.destination)),
            shape=(self.n_origins, self.n_destinations),
        )

    def covered_by_any(self, open_destinations: np.ndarray | None = None) -> np.ndarray:
        """Boolean per origin: some (open) destination lies within the cut-off."""
        keep = np.ones(self.origin.size, bool)
        if open_destinations is not None:
            keep = np.isin(self.destination, open_destinations)
        out = np.zeros(self.n_origins, bool)
        out[self.origin[keep]] = True
        return out

    def nearest(self) -> tuple[np.ndarray, np.ndarray]:
        """Per origin: index of the cheapest destination within the cut-off (-1) and its cost (inf)."""
        idx = np.full(self.n_origins, -1, np.int64)
        best = np.full(self.n_origins, np.inf)
        if self.origin.size:
            order = np.lexsort((self.cost, self.origin))
            o, first = np.unique(self.origin[order], return_index=True)
            idx[o] = self.destination[order][first]
            best[o] = self.cost[order][first]
        return idx, best


@runtime_checkable
class CostModel(Protocol):
    """Anything that turns two point sets into travel costs."""

    source: str  # "straight-line" or "network"
    unit: str  # "m" or "s"

    def matrix(self, origins_xy: np.ndarray, destinations_xy: np.ndarray) -> np.ndarray:
        """Dense costs, inf where unreachable."""
        ...

    def within(
        self, origins_xy: np.ndarray, destinations_xy: np.ndarray, cutoff: float
    ) -> NeighbourCosts:
        """Sparse costs of every pair with cost <= cutoff."""
        ...


@dataclass(frozen=True)
class StraightLineCost:
    """Euclidean distance in projected metres; with a mode, seconds (× circuity ÷ speed).

    `mode=None` gives plain metres, which is what the siting CLI contract asks for.
    """

    mode: Mode | None = None
    source: str = "straight-line"

    @property
    def unit(self) -> str:
        return "m" if self.mode is None else "s"

    @property
    def _seconds_per_metre(self) -> float:
        if self.mode is None:
            return 1.0
        return self.mode.circuity / (self.mode.speed_kph / 3.6)

    def matrix(self, origins_xy: np.ndarray, destinations_xy: np.ndarray) -> np.ndarray:
        a = np.asarray(origins_xy, float).reshape(-1, 2)
        b = np.asarray(destinations_xy, float).reshape(-1, 2)
        d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
        return d * self._seconds_per_metre

    def within(
        self, origins_xy: np.ndarray, destinations_xy: np.ndarray, cutoff: float
    ) -> NeighbourCosts:
        a = np.asarray(origins_xy, float).reshape(-1, 2)
        b = np.asarray(destinations_xy, float).reshape(-1, 2)
        radius_m = cutoff / self._seconds_per_metre
        if a.shape[0] == 0 or b.shape[0] == 0:
            empty = np.zeros(0, np.int64)
            return NeighbourCosts(empty, empty, np.zeros(0), a.shape[0], b.shape[0], self.unit, self.source)
        # The tree goes on the smaller set; sparse_distance_matrix pairs two trees efficiently.
        ta, tb = cKDTree(a), cKDTree(b)
        coo = ta.sparse_distance_matrix(tb, radius_m, output_type="coo_matrix")
        origin = coo.row.astype(np.int64)
        dest = coo.col.astype(np.int64)
        dist = coo.data
        # Some scipy versions drop exact zeros from the sparse result: add coincident pairs back.
        zero_pairs = ta.query_ball_tree(tb, r=0.0)
        zo = np.asarray([i for i, js in enumerate(zero_pairs) for _ in js], np.int64)
        if zo.size:
            zd = np.asarray([j for js in zero_pairs for j in js], np.int64)
            origin = np.concatenate([origin, zo])
            dest = np.concatenate([dest, zd])
            dist = np.concatenate([dist, np.zeros(zo.size)])
            key = origin * b.shape[0] + dest
            _, first = np.unique(key, return_index=True)
            origin, dest, dist = origin[first], dest[first], dist[first]
        return NeighbourCosts(
            origin, dest, dist * self._seconds_per_metre, a.shape[0], b.shape[0], self.unit, self.source
        )

    def nearest(
        self, origins_xy: np.ndarray, destinations_xy: np.ndarray, max_cost: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per origin: index of the cheapest destination costing <= max_cost (-1 if none) and
        its cost (inf): one k-d tree query, no pairs materialised (coverage at province scale)."""
        a = np.asarray(origins_xy, float).reshape(-1, 2)
        b = np.asarray(destinations_xy, float).reshape(-1, 2)
        index = np.full(a.shape[0], -1, np.int64)
        cost = np.full(a.shape[0], np.inf)
        if a.shape[0] == 0 or b.shape[0] == 0 or not max_cost >= 0:
            return index, cost
        radius_m = max_cost / self._seconds_per_metre
        bound = radius_m * (1 + 1e-9) + 1e-9 if np.isfinite(radius_m) else np.inf
        dist, idx = cKDTree(b).query(a, k=1, distance_upper_bound=bound, workers=-1)
        found = np.isfinite(dist)
        cost[found] = dist[found] * self._seconds_per_metre
        found &= cost <= max_cost
        index[found] = idx[found]
        cost[~found] = np.inf
        return index, cost


def straight_line(mode: str | None = None) -> StraightLineCost:
    """Straight-line cost in metres (mode None) or in seconds for a named mode."""
    return StraightLineCost(None if mode is None else MODES[mode])
