"""Many-to-many travel costs on a road network with scipy.sparse.csgraph.dijkstra.

Points are snapped to the nearest road piece. Each distinct snap position becomes a virtual
node: a source position reaches both ends of its road with the partial costs (t·w forward,
(1 − t)·w back where the road is two-way), a destination position is reached from both ends
likewise, and two positions on the same road are joined directly. One Dijkstra per distinct
source position on this augmented CSR graph then gives exact costs; when there are more
sources than destinations the graph is transposed and the trees grow from the destinations.
The straight snap distance of each point is added at walking speed (see routing.network).
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import multiprocessing.pool
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import pandas as pd
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from models.control import Control, quiet
from models.costs import NeighbourCosts
from routing.network import DEFAULT_MAX_SNAP_M, SNAP_WALK_KPH, RoadNetwork, Snap, _min_csr

_TINY = 1e-9  # keeps zero-cost virtual arcs as arcs
_CHUNK_BYTES = 64e6  # memory for one block of Dijkstra rows


def _positions(snap: Snap) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct snap positions (road, fraction) and, per point, the index of its position."""
    keys = np.column_stack([snap.road.astype(float), np.round(snap.fraction, 9)])
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    return unique[:, 0].astype(np.int64), unique[:, 1], inverse.ravel()


def _part(fraction: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """fraction × cost, inf where the road cannot be used that way; a point exactly at a road's
    end is at that node whatever the direction (0 × inf would be nan)."""
    finite = np.where(np.isfinite(cost), cost, 0.0)
    return np.where(fraction == 0, 0.0, np.where(np.isfinite(cost), fraction * finite, np.inf))


_JOB: dict = {}  # the graph and sources of the running matrix, inherited by forked workers


def _rows(start: int) -> np.ndarray | sparse.csr_matrix:
    """Dijkstra from one block of source nodes, costs at the target nodes (+1 and sparse with a cutoff)."""
    rows = _JOB["trees"][start : start + _JOB["chunk"]]
    dist = dijkstra(_JOB["graph"], directed=True, indices=rows, limit=_JOB["limit"])[
        :, _JOB["targets"]
    ]
    if _JOB["sparse"]:
        return sparse.csr_matrix(np.where(np.isfinite(dist), dist + 1.0, 0.0))
    return dist


@contextmanager
def _pool(workers: int) -> Iterator[multiprocessing.pool.Pool | None]:
    """Forked worker processes sharing _JOB copy-on-write (scipy's Dijkstra holds the GIL)."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()


def network_costs(
    network: RoadNetwork,
    mode: str,
    origins_xy: np.ndarray,
    destinations_xy: np.ndarray,
    *,
    weight: str = "s",
    cutoff: float | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    control: Control | None = None,
    workers: int = 1,
) -> sparse.csr_matrix | np.ndarray:
    """Costs (seconds, or metres with weight="m") from every origin to every destination.

    Without a cutoff: a dense (n_o, n_d) array, inf where unreachable. With one: a CSR matrix
    of cost + 1 for the pairs with cost <= cutoff (the +1 keeps zero costs stored).
    `workers` > 1 runs blocks of sources in forked processes (only from a program's main thread).
    """
    control = control or quiet()
    o_snap = network.snap(origins_xy, mode, max_snap_m)
    d_snap = network.snap(destinations_xy, mode, max_snap_m)
    walk = 1.0 if weight == "m" else 3.6 / SNAP_WALK_KPH
    o_walk, d_walk = o_snap.snap_m * walk, d_snap.snap_m * walk
    o_road, o_t, o_inv = _positions(o_snap)
    d_road, d_t, d_inv = _positions(d_snap)
    fwd, bwd = network.road_costs(mode, weight)
    n, p, q = network.n_nodes, len(o_road), len(d_road)
    a = network.u[network.road_forward]
    b = network.v[network.road_forward]
    src = n + np.arange(p)
    dst = n + p + np.arange(q)
    rows = [src, src, a[d_road], b[d_road]]
    cols = [b[o_road], a[o_road], dst, dst]
    cost = [
        _part(1 - o_t, fwd[o_road]),
        _part(o_t, bwd[o_road]),
        _part(d_t, fwd[d_road]),
        _part(1 - d_t, bwd[d_road]),
    ]
    same = pd.merge(
        pd.DataFrame({"road": o_road, "i": np.arange(p), "ts": o_t}),
        pd.DataFrame({"road": d_road, "j": np.arange(q), "td": d_t}),
        on="road",
    )
    if len(same):
        r, ts, td = same["road"].to_numpy(), same["ts"].to_numpy(), same["td"].to_numpy()
        along = np.where(td >= ts, _part(td - ts, fwd[r]), _part(ts - td, bwd[r]))
        rows.append(src[same["i"].to_numpy()])
        cols.append(dst[same["j"].to_numpy()])
        cost.append(along)
    virtual = _min_csr(
        np.concatenate(rows), np.concatenate(cols), np.concatenate(cost) + _TINY, n + p + q
    )
    base = network.csr(mode, weight)
    graph = sparse.block_diag([base, sparse.csr_matrix((p + q, p + q))], format="csr") + virtual
    if p <= q:
        trees, targets = src, dst
    else:
        graph, trees, targets = graph.T.tocsr(), dst, src
    limit = np.inf if cutoff is None else float(cutoff)
    chunk = int(max(1, min(256, _CHUNK_BYTES // (8 * graph.shape[0]))))
    starts = list(range(0, len(trees), chunk))
    _JOB.update(
        graph=graph,
        trees=trees,
        targets=targets,
        limit=limit,
        chunk=chunk,
        sparse=cutoff is not None,
    )
    blocks = []
    try:
        with _pool(workers if len(starts) > 1 else 1) as pool:
            for k, block in enumerate(pool.imap(_rows, starts) if pool else map(_rows, starts)):
                control.check()
                blocks.append(block)
                control.report((k + 1) / len(starts), f"{network.name} {mode}")
    finally:
        _JOB.clear()
    network.dijkstra_sources += len(trees)
    if cutoff is None:
        by_position = np.vstack(blocks) if blocks else np.zeros((len(trees), len(targets)))
        if p > q:
            by_position = by_position.T
        out = np.maximum(by_position[o_inv][:, d_inv] + o_walk[:, None] + d_walk[None, :], 0.0)
        i, j = _coincident(origins_xy, destinations_xy)
        out[i, j] = 0.0  # a point to itself costs nothing, not a walk to the road and back
        return out
    stacked = (
        sparse.vstack(blocks, format="csr")
        if blocks
        else sparse.csr_matrix((len(trees), len(targets)))
    )
    if p > q:
        stacked = stacked.T.tocsr()
    full = stacked[o_inv][:, d_inv].tocoo()
    total = np.maximum(full.data - 1.0, 0.0) + o_walk[full.row] + d_walk[full.col]
    i, j = _coincident(origins_xy, destinations_xy)
    keep = (total <= cutoff) & ~np.isin(full.row * len(d_inv) + full.col, i * len(d_inv) + j)
    # a point to itself costs nothing, not a walk to the road and back (stored as 0 + 1)
    return sparse.csr_matrix(
        (
            np.concatenate([total[keep], np.zeros(len(i))]) + 1.0,
            (np.concatenate([full.row[keep], i]), np.concatenate([full.col[keep], j])),
        ),
        shape=(len(o_inv), len(d_inv)),
    )


def _coincident(origins_xy: np.ndarray, destinations_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (origin, destination) of points at the very same coordinates."""
    o = pd.DataFrame(np.asarray(origins_xy, float).reshape(-1, 2), columns=["x", "y"])
    d = pd.DataFrame(np.asarray(destinations_xy, float).reshape(-1, 2), columns=["x", "y"])
    pairs = o.reset_index().merge(d.reset_index(), on=["x", "y"])
    return pairs["index_x"].to_numpy(int), pairs["index_y"].to_numpy(int)


class MatrixCache(Protocol):
    """Bytes by key (the project store implements it; routing never opens the database)."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes) -> None: ...


#: Bumped when the numbers a matrix holds change (2: a point to itself costs 0), so cached
#: matrices of older versions are not reused.
MATRIX_VERSION = 2


def cache_key(network: RoadNetwork, mode: str, *parts: object) -> str:
    """Key for one matrix: network content, mode, snapping limit, point arrays, cutoff."""
    h = hashlib.sha256(f"{MATRIX_VERSION}|{network.content_hash}|{mode}".encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            h.update(np.ascontiguousarray(part, float).tobytes())
            h.update(str(part.shape).encode())
        else:
            h.update(repr(part).encode())
    return "matrix:" + h.hexdigest()


def _to_bytes(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _from_bytes(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


@dataclass(eq=False)
class NetworkCost:
    """models.costs.CostModel on a road network: seconds for `mode` (metres with unit "m"),
    points in network.crs.

    With a `cache`, a matrix already computed for the same network file, mode and points is
    read back instead of recomputed.
    """

    network: RoadNetwork
    mode: str = "drive"
    max_snap_m: float = DEFAULT_MAX_SNAP_M
    cache: MatrixCache | None = None
    control: Control | None = None
    workers: int = 1
    unit: str = "s"  # "s" travel seconds, "m" road metres
    source: str = "network"

    @property
    def crs(self) -> CRS:
        """The CRS the points must be in (the network's metric CRS)."""
        return self.network.crs

    @property
    def distance_model(self) -> NetworkCost:
        """The same network in road metres (routing reports kilometres with it)."""
        return replace(self, unit="m")

    def snap(self, points_xy: np.ndarray) -> Snap:
        """Where the points meet the network; `.far` lists those beyond max_snap_m."""
        return self.network.snap(points_xy, self.mode, self.max_snap_m)

    def _compute(
        self, origins_xy: np.ndarray, destinations_xy: np.ndarray, cutoff: float | None
    ) -> dict[str, np.ndarray]:
        """Dense {"cost"} or sparse {"row", "col", "cost"}, from the cache when there."""
        o = np.asarray(origins_xy, float).reshape(-1, 2)
        d = np.asarray(destinations_xy, float).reshape(-1, 2)
        key = cache_key(self.network, self.mode, self.unit, cutoff, self.max_snap_m, o, d)
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is not None:
            return _from_bytes(hit)
        m = network_costs(
            self.network,
            self.mode,
            o,
            d,
            weight=self.unit,
            cutoff=cutoff,
            max_snap_m=self.max_snap_m,
            control=self.control,
            workers=self.workers,
        )
        if cutoff is None:
            out = {"cost": m}
        else:
            m = m.tocoo()
            out = {
                "row": m.row.astype(np.int64),
                "col": m.col.astype(np.int64),
                "cost": m.data - 1.0,
            }
        if self.cache is not None:
            self.cache.put(key, _to_bytes(**out))
        return out

    def matrix(self, origins_xy: np.ndarray, destinations_xy: np.ndarray) -> np.ndarray:
        """Dense costs (seconds, or metres with unit "m"), inf where unreachable."""
        return self._compute(origins_xy, destinations_xy, None)["cost"]

    def distance_matrix(self, origins_xy: np.ndarray, destinations_xy: np.ndarray) -> np.ndarray:
        """Dense shortest road metres (the snap distances included), inf where unreachable."""
        return self.distance_model.matrix(origins_xy, destinations_xy)

    def within(
        self, origins_xy: np.ndarray, destinations_xy: np.ndarray, cutoff: float
    ) -> NeighbourCosts:
        """Every pair with cost <= cutoff (Dijkstra stops at the cutoff)."""
        z = self._compute(origins_xy, destinations_xy, float(cutoff))
        n_o = np.asarray(origins_xy).reshape(-1, 2).shape[0]
        n_d = np.asarray(destinations_xy).reshape(-1, 2).shape[0]
        return NeighbourCosts(
            z["row"], z["col"], np.maximum(z["cost"], 0.0), n_o, n_d, self.unit, self.source
        )
