"""Network isochrones: the area within a travel-cost threshold of a set of sources on a road
network, drawn as a buffered network.

One multi-source Dijkstra (scipy csgraph, `min_only`, stopped at the threshold) on the network's
CSR gives every node its cost to the nearest source; sources are snapped as
routing.matrix.NetworkCost snaps them, their walk to the road counted. Every reached road is
densified, each vertex gets the cost the threshold leaves there (from either end, or from a
source on that road), and the road is buffered by the distance a walker covers in that
remainder, capped. NetworkCost counts a demand point as covered when its walk to its nearest
road fits in the remainder there, so every such point within the cap of its road is inside; the
band may also hold a point whose nearest road is another, unreached one. Segments at the cap are
buffered as lines, tapered ones as the hull of their two end discs; the union is simplified.
Unlike a hull of the reached nodes, the band does not bridge a river or a hill.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from models.control import Control, quiet
from routing.matrix import _TINY, NetworkCost, _part
from routing.network import DEFAULT_MAX_SNAP_M, SNAP_WALK_KPH, RoadNetwork, Snap, _min_csr

#: Widest band either side of a reached road (metres). A walker or cyclist is drawn up to
#: 150 m off the road (a street block); a motor mode reaches whole towns' road networks, so its
#: band is kept to a road's width and verges, 50 m, to show which roads are reached without
#: painting the fields between them as served (and to keep the polygon small).
CAP_M: dict[str, float] = {"walk": 150.0, "bicycle": 150.0}
MOTOR_CAP_M = 50.0
#: Vertex spacing along reached roads (metres): where the band tapers, it is exact to this.
STEP_M = 25.0
#: Simplification tolerance of the result (metres).
TOLERANCE_M = 5.0
_QUAD_SEGS = 4  # quarter-circle segments of a disc: 16-gon, within 2 % of a 150 m radius


@dataclass(frozen=True)
class Isochrone:
    """The area within `threshold` of the sources (network CRS) and the road it reaches."""

    geometry: shapely.Geometry
    threshold: float  # seconds, or metres with unit "m"
    unit: str
    mode: str
    cap_m: float  # widest band either side of a road
    road_km: float  # road reached, a two-way road counted once

    @property
    def empty(self) -> bool:
        return bool(self.geometry.is_empty)


def cap_for(mode: str) -> float:
    """The widest band drawn either side of a reached road for `mode` (metres)."""
    return CAP_M.get(mode, MOTOR_CAP_M)


def isochrone(
    network: RoadNetwork,
    mode: str,
    sources_xy: np.ndarray,
    threshold: float,
    *,
    weight: str = "s",
    towards: bool = True,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    cap_m: float | None = None,
    step_m: float = STEP_M,
    tolerance_m: float = TOLERANCE_M,
    control: Control | None = None,
) -> Isochrone:
    """The buffered network within `threshold` of any source (points in network.crs).

    `threshold` is in seconds of `mode` (metres of road with weight "m"). `towards`: cost of
    travelling to the sources, as coverage counts a resident's trip to a library (False: from
    them). `cap_m`: widest band either side of a road (default cap_for(mode)); `step_m`: vertex
    spacing along roads; `tolerance_m`: simplification of the result.
    """
    control = control or quiet()
    limit = float(threshold)
    cap = cap_for(mode) if cap_m is None else float(cap_m)
    walk = 1.0 if weight == "m" else 3.6 / SNAP_WALK_KPH  # cost per metre walked off the road
    fwd, bwd = network.road_costs(mode, weight)
    if towards:  # the search runs against the direction of travel
        fwd, bwd = bwd, fwd
    sources = np.asarray(sources_xy, float).reshape(-1, 2)
    snap = network.snap(sources, mode, max_snap_m)
    start = snap.snap_m * walk
    dist = _node_costs(network, mode, weight, towards, snap, start, fwd, bwd, limit)
    control.check()
    control.report(0.3, "isochrone")

    a = network.u[network.road_forward]
    b = network.v[network.road_forward]
    left_a, left_b = limit - dist[a], limit - dist[b]  # -inf where not reached
    on_road = snap.road[start < limit]
    reached = np.flatnonzero((left_a > 0) | (left_b > 0) | np.isin(np.arange(len(a)), on_road))
    empty = Isochrone(shapely.Polygon(), limit, weight, mode, cap, 0.0)
    if reached.size == 0:
        return empty

    dense = shapely.segmentize(network.geometry[network.road_forward[reached]], step_m)
    xy, piece = shapely.get_coordinates(dense, return_index=True)
    frac, first = _fractions(xy, piece, reached.size)
    road = reached[piece]
    left = np.fmax(
        _along(left_a[road], frac, fwd[road]), _along(left_b[road], 1.0 - frac, bwd[road])
    )
    _add_sources(left, frac, first, reached, snap, limit - start, fwd, bwd)
    control.check()
    control.report(0.5, "isochrone")

    # Segments between consecutive vertices of one road, cut where the remainder reaches 0.
    i = np.flatnonzero(piece[:-1] == piece[1:])
    j = i + 1
    keep = np.fmax(left[i], left[j]) > 0
    i, j = i[keep], j[keep]
    p, q = xy[i].copy(), xy[j].copy()
    lp, lq = left[i], left[j]
    with np.errstate(invalid="ignore", divide="ignore"):
        cut = np.clip(np.where(lp > 0, lp, lq) / np.abs(lp - lq), 0.0, 1.0)
    tip_q, tip_p = lq <= 0, lp <= 0
    q[tip_q] = p[tip_q] + (q[tip_q] - p[tip_q]) * cut[tip_q, None]
    p[tip_p] = q[tip_p] + (p[tip_p] - q[tip_p]) * cut[tip_p, None]
    wp = np.clip(lp / walk, 0.0, cap)
    wq = np.clip(lq / walk, 0.0, cap)
    road_km = float(np.hypot(*(q - p).T).sum() / 1000.0)
    if i.size == 0:
        return empty

    capped = (wp >= cap) & (wq >= cap)
    band = _capped_band(network, reached, piece, i, capped, p, q, cap)
    hulls = _tapered(p[~capped], q[~capped], wp[~capped], wq[~capped])
    control.check()
    control.report(0.7, "isochrone")
    area = shapely.union_all(np.concatenate([band, hulls]))
    area = shapely.simplify(area, tolerance_m, preserve_topology=True)
    control.report(1.0, "isochrone")
    return Isochrone(area, limit, weight, mode, cap, road_km)


def network_isochrone(
    cost: NetworkCost,
    sources_xy: np.ndarray,
    threshold: float,
    *,
    control: Control | None = None,
    **options: float,
) -> Isochrone:
    """The isochrone a NetworkCost implies: its network, mode, unit and snapping limit, cost
    towards the sources (as its `within(demand, sources, threshold)` counts coverage)."""
    return isochrone(
        cost.network,
        cost.mode,
        sources_xy,
        threshold,
        weight=cost.unit,
        max_snap_m=cost.max_snap_m,
        control=control,
        **options,
    )


def _node_costs(
    network: RoadNetwork,
    mode: str,
    weight: str,
    towards: bool,
    snap: Snap,
    start: np.ndarray,
    fwd: np.ndarray,
    bwd: np.ndarray,
    limit: float,
) -> np.ndarray:
    """Cost from the nearest source to every node (to it when `towards`), inf beyond `limit`:
    one virtual node per source joined to both ends of its road, one Dijkstra from them all."""
    n, k = network.n_nodes, len(start)
    if k == 0:
        return np.full(n, np.inf)
    a = network.u[network.road_forward][snap.road]
    b = network.v[network.road_forward][snap.road]
    src = n + np.arange(k)
    virtual = _min_csr(
        np.concatenate([src, src]),
        np.concatenate([b, a]),
        np.concatenate(
            [
                start + _part(1.0 - snap.fraction, fwd[snap.road]),
                start + _part(snap.fraction, bwd[snap.road]),
            ]
        )
        + _TINY,
        n + k,
    )
    base = network.csr(mode, weight)
    if towards:
        base = base.T.tocsr()
    graph = sparse.block_diag([base, sparse.csr_matrix((k, k))], format="csr") + virtual
    dist = dijkstra(graph, directed=True, indices=src, min_only=True, limit=limit)
    return dist[:n]


def _along(left: np.ndarray, part: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """What is left after covering `part` of a road costing `cost` (-inf where not allowed)."""
    with np.errstate(invalid="ignore"):
        return np.where(part <= 0, left, left - part * cost)


def _fractions(xy: np.ndarray, piece: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each vertex's position along its road (0 to 1), and each road's first vertex index."""
    step = np.hypot(*np.diff(xy, axis=0).T)
    step[piece[1:] != piece[:-1]] = 0.0
    cum = np.concatenate([[0.0], np.cumsum(step)])
    first = np.searchsorted(piece, np.arange(n + 1))
    length = cum[first[1:] - 1] - cum[first[:-1]]
    offset = cum - cum[first[piece]]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(length[piece] > 0, offset / length[piece], 0.0)
    return frac, first


def _add_sources(
    left: np.ndarray,
    frac: np.ndarray,
    first: np.ndarray,
    reached: np.ndarray,
    snap: Snap,
    source_left: np.ndarray,
    fwd: np.ndarray,
    bwd: np.ndarray,
) -> None:
    """Raise the remainder of vertices on a source's own road to what that source leaves."""
    ok = source_left > 0
    pos = np.searchsorted(reached, snap.road[ok])
    lo, hi = first[pos], first[pos + 1]
    counts = hi - lo
    if counts.sum() == 0:
        return
    owner = np.repeat(np.arange(len(pos)), counts)
    vertex = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + lo[owner]
    t, r = snap.fraction[ok][owner], snap.road[ok][owner]
    s = frac[vertex]
    rest = source_left[ok][owner]
    value = np.where(s >= t, _along(rest, s - t, fwd[r]), _along(rest, t - s, bwd[r]))
    np.maximum.at(left, vertex, value)


def _capped_band(
    network: RoadNetwork,
    reached: np.ndarray,
    piece: np.ndarray,
    i: np.ndarray,
    capped: np.ndarray,
    p: np.ndarray,
    q: np.ndarray,
    cap: float,
) -> np.ndarray:
    """The band of full width, a polygon per piece: whole roads at the cap all along by their
    own geometry (far fewer pieces than their segments), other segments at the cap one by one."""
    segments = np.bincount(piece[i], minlength=reached.size)
    full = np.bincount(piece[i], weights=capped, minlength=reached.size)
    total = np.bincount(piece[:-1][piece[:-1] == piece[1:]], minlength=reached.size)
    whole = (segments == total) & (full == total) & (total > 0)
    ends = np.stack([p, q], axis=1)[capped & ~whole[piece[i]]]
    lines = network.geometry[network.road_forward[reached[whole]]]
    if len(ends):
        lines = np.concatenate([lines, shapely.linestrings(ends)])
    return shapely.buffer(lines, cap, quad_segs=_QUAD_SEGS)


def _tapered(p: np.ndarray, q: np.ndarray, wp: np.ndarray, wq: np.ndarray) -> np.ndarray:
    """Per segment, the hull of a disc at each end (radius the band's width there): the points
    within the linearly shrinking width of the segment."""
    if len(p) == 0:
        return np.zeros(0, object)
    angle = np.linspace(0.0, 2.0 * np.pi, 4 * _QUAD_SEGS, endpoint=False)
    circle = np.column_stack([np.cos(angle), np.sin(angle)])
    rims = [c[:, None, :] + w[:, None, None] * circle[None] for c, w in ((p, wp), (q, wq))]
    coords = np.concatenate(rims, axis=1).reshape(-1, 2)
    index = np.repeat(np.arange(len(p)), 2 * len(angle))
    hulls = shapely.convex_hull(shapely.multipoints(coords, indices=index))
    # A tip with no width left is a line: it adds no area, and union_all would keep it apart.
    return hulls[shapely.area(hulls) > 0]
