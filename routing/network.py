"""Road networks: read an OSMnx GraphML file or a file of road lines, keep the largest strongly
connected component, give each edge a travel time per mode, and snap points to the nearest edge.

Everything is in a metric CRS (a geographic input is projected to its UTM zone). Edges are
directed; a two-way road is two edges with the same geometry, one reversed (as OSMnx writes it).
Walking ignores one-way rules (pedestrians may walk against the traffic), as OSMnx does.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from models.costs import MODES

MODE_NAMES = ("walk", "bicycle", "drive", "bookmobile", "van")

#: The one settings table: speed in km/h per road class (OSM `highway`) and mode; 0 = not allowed.
#: Bookmobiles (a 10 m bus) and courier vans drive slower than cars, most of all on small roads.
#: A road's `maxspeed` caps every motor mode; `travel_time` (seconds, as OSMnx writes it) is used
#: as given for "drive" and as a lower bound for the bookmobile and the van.
ROAD_SPEEDS_KPH: dict[str, tuple[float, float, float, float, float]] = {
    #                walk bicycle drive bookmobile van
    "motorway": (0.0, 0.0, 100.0, 75.0, 85.0),
    "trunk": (0.0, 0.0, 70.0, 55.0, 60.0),
    "primary": (4.8, 15.0, 50.0, 40.0, 45.0),
    "secondary": (4.8, 15.0, 40.0, 32.0, 36.0),
    "tertiary": (4.8, 15.0, 35.0, 28.0, 30.0),
    "unclassified": (4.8, 15.0, 30.0, 22.0, 25.0),
    "residential": (4.8, 15.0, 25.0, 18.0, 20.0),
    "living_street": (4.8, 12.0, 15.0, 10.0, 12.0),
    "service": (4.8, 12.0, 15.0, 10.0, 12.0),
    "track": (4.0, 10.0, 15.0, 8.0, 10.0),
    "road": (4.8, 15.0, 30.0, 22.0, 25.0),
    "cycleway": (4.8, 15.0, 0.0, 0.0, 0.0),
    "pedestrian": (4.8, 10.0, 0.0, 0.0, 0.0),
    "footway": (4.8, 10.0, 0.0, 0.0, 0.0),
    "path": (4.0, 10.0, 0.0, 0.0, 0.0),
    "steps": (2.5, 0.0, 0.0, 0.0, 0.0),
}
#: Class assumed for an edge with no (or an unknown) `highway` value.
DEFAULT_ROAD_CLASS = "unclassified"
#: The first and last metres (point → nearest road) are walked: a library user walks to the road,
#: a bus or van parks on the road and the crew carries crates over that distance.
SNAP_WALK_KPH = MODES["walk"].speed_kph
DEFAULT_MAX_SNAP_M = 500.0
_MPH = 1.609344


class NetworkError(ValueError):
    """The road network file cannot be used (the planner layer names the file)."""


@dataclass(frozen=True)
class Dropped:
    """What keeping only the largest strongly connected component removed (km of road, a
    two-way road counted once)."""

    nodes: int
    edges: int
    km: float


@dataclass(frozen=True)
class Snap:
    """Where points meet the network: the nearest usable road piece and the position on it."""

    road: np.ndarray  # int64 index into RoadNetwork.roads (undirected pieces)
    fraction: np.ndarray  # position along the road's geometry, 0 at its first node
    snap_m: np.ndarray  # straight distance from the point to the road
    max_snap_m: float

    @property
    def far(self) -> np.ndarray:
        """Indices of the points further than max_snap_m from any usable road."""
        return np.flatnonzero(self.snap_m > self.max_snap_m)


def _class_of(value: object) -> str:
    """Road class from an OSM highway value: lists like "['primary', 'secondary']" take the
    fastest known class, "_link" roads count as their parent class."""
    names = _as_list(value)
    known = [n.removesuffix("_link") for n in names if n.removesuffix("_link") in ROAD_SPEEDS_KPH]
    if not known:
        return DEFAULT_ROAD_CLASS
    return max(known, key=lambda n: ROAD_SPEEDS_KPH[n][2])


def _as_list(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value]
    text = str(value).strip()
    if text.startswith("["):
        try:
            return [str(v).strip() for v in ast.literal_eval(text)]
        except (ValueError, SyntaxError):
            return []
    return [t.strip() for t in re.split(r"[;|]", text) if t.strip()]


def _maxspeed_kph(value: object) -> float:
    """Mean of the numeric speeds in an OSM maxspeed value ("50", "['40', '60']", "30 mph")."""
    speeds = []
    for item in _as_list(value):
        m = re.match(r"^\s*([0-9.]+)\s*(mph)?", item)
        if m:
            speeds.append(float(m.group(1)) * (_MPH if m.group(2) else 1.0))
    return float(np.mean(speeds)) if speeds else np.nan


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return np.nan


def _oneway(value: object) -> int:
    """+1 one-way along the geometry, -1 against it, 0 two-way."""
    text = str(value).strip().lower() if value is not None else ""
    if text in {"yes", "true", "1", "t", "y"}:
        return 1
    if text in {"-1", "reverse"}:
        return -1
    return 0


class RoadNetwork:
    """Directed road edges in a metric CRS, restricted to the largest strongly connected component.

    `dijkstra_sources` counts shortest-path trees grown on this network (tests use it to see that
    a cached matrix is not recomputed).
    """

    def __init__(
        self,
        node_xy: np.ndarray,
        u: np.ndarray,
        v: np.ndarray,
        length_m: np.ndarray,
        road_class: np.ndarray,
        maxspeed_kph: np.ndarray,
        travel_time_s: np.ndarray,
        geometry: np.ndarray,
        crs: CRS,
        content_hash: str,
        name: str = "",
    ) -> None:
        graph = nx.DiGraph()
        graph.add_nodes_from(range(len(node_xy)))
        graph.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
        keep_nodes = max(nx.strongly_connected_components(graph), key=len) if len(u) else set()
        keep_node = np.zeros(len(node_xy), bool)
        keep_node[list(keep_nodes)] = True
        keep_edge = keep_node[u] & keep_node[v] if len(u) else np.zeros(0, bool)
        new_id = np.cumsum(keep_node) - 1
        self.node_xy = np.asarray(node_xy, float)[keep_node]
        self.u = new_id[u[keep_edge]].astype(np.int64)
        self.v = new_id[v[keep_edge]].astype(np.int64)
        self.length_m = np.asarray(length_m, float)[keep_edge]
        self.road_class = np.asarray(road_class, object)[keep_edge]
        self.maxspeed_kph = np.asarray(maxspeed_kph, float)[keep_edge]
        self.travel_time_s = np.asarray(travel_time_s, float)[keep_edge]
        self.geometry = np.asarray(geometry, object)[keep_edge]
        self.crs = CRS(crs)
        self.content_hash = content_hash or _array_hash(self.node_xy, self.u, self.v, self.length_m)
        self.name = name
        self.dijkstra_sources = 0
        self.road_forward, self.road_backward = _pair_roads(self.u, self.v, self.length_m)
        all_roads, _ = _pair_roads(np.asarray(u), np.asarray(v), np.asarray(length_m, float))
        self.dropped = Dropped(
            nodes=int((~keep_node).sum()),
            edges=int((~keep_edge).sum()),
            km=float(np.asarray(length_m, float)[all_roads].sum() / 1000.0) - self.km,
        )
        self._seconds: dict[str, np.ndarray] = {}
        self._trees: dict[str, tuple[shapely.STRtree, np.ndarray]] = {}
        self._csr: dict[tuple[str, str], sparse.csr_matrix] = {}

    @property
    def n_nodes(self) -> int:
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        return len(self.u)

    @property
    def km(self) -> float:
        """Kilometres of road, a two-way road counted once."""
        return float(self.length_m[self.road_forward].sum() / 1000.0)

    def to_networkx(self, mode: str, weight: str = "s") -> nx.MultiDiGraph:
        """The network as a networkx MultiDiGraph (x/y on nodes, `cost` and `length` on edges)
        for the edges `mode` may use."""
        graph = nx.MultiDiGraph(crs=self.crs.to_string())
        for i, (x, y) in enumerate(self.node_xy.tolist()):
            graph.add_node(i, x=x, y=y)
        fwd, bwd = self.road_costs(mode, weight)
        a, b = self.u[self.road_forward].tolist(), self.v[self.road_forward].tolist()
        for i, (f, r) in enumerate(zip(fwd.tolist(), bwd.tolist(), strict=True)):
            length = float(self.length_m[self.road_forward[i]])
            if np.isfinite(f):
                graph.add_edge(a[i], b[i], cost=f, length=length)
            if np.isfinite(r):
                graph.add_edge(b[i], a[i], cost=r, length=length)
        return graph

    def edge_seconds(self, mode: str) -> np.ndarray:
        """Travel time per edge for `mode` (inf where the mode may not use the road)."""
        if mode not in self._seconds:
            if mode not in MODE_NAMES:
                raise NetworkError(f"unknown mode {mode!r}; use one of {', '.join(MODE_NAMES)}")
            column = MODE_NAMES.index(mode)
            kph = np.array([ROAD_SPEEDS_KPH[c][column] for c in self.road_class], float)
            if mode not in ("walk", "bicycle"):
                kph = np.where(
                    np.isfinite(self.maxspeed_kph) & (kph > 0), np.fmin(kph, self.maxspeed_kph), kph
                )
            with np.errstate(divide="ignore"):
                seconds = np.where(kph > 0, self.length_m / (kph / 3.6), np.inf)
            given = np.isfinite(self.travel_time_s) & np.isfinite(seconds)
            if mode == "drive":
                seconds = np.where(given, self.travel_time_s, seconds)
            elif mode in ("bookmobile", "van"):
                seconds = np.where(given, np.fmax(seconds, self.travel_time_s), seconds)
            self._seconds[mode] = np.maximum(seconds, 1e-6)  # csgraph needs positive weights
        return self._seconds[mode]

    def road_costs(self, mode: str, weight: str = "s") -> tuple[np.ndarray, np.ndarray]:
        """Per road piece: cost along its geometry and against it (inf where not allowed);
        weight "s" gives seconds, "m" metres. Walking uses every road both ways."""
        per_edge = self.edge_seconds(mode)
        if weight == "m":
            per_edge = np.where(np.isfinite(per_edge), self.length_m, np.inf)
        fwd = per_edge[self.road_forward]
        bwd = np.where(self.road_backward >= 0, per_edge[self.road_backward], np.inf)
        if mode == "walk":
            bwd = np.fmin(bwd, fwd)
        return fwd, bwd

    def snap(
        self, points_xy: np.ndarray, mode: str, max_snap_m: float = DEFAULT_MAX_SNAP_M
    ) -> Snap:
        """Nearest road piece `mode` may use (shapely STRtree), and the position along it."""
        if mode not in self._trees:
            fwd, bwd = self.road_costs(mode)
            usable = np.flatnonzero(np.isfinite(fwd) | np.isfinite(bwd))
            if usable.size == 0:
                raise NetworkError(f"no road in this network is open to mode {mode!r}")
            geoms = self.geometry[self.road_forward[usable]]
            self._trees[mode] = (shapely.STRtree(geoms), usable)
        tree, usable = self._trees[mode]
        pts = shapely.points(np.asarray(points_xy, float).reshape(-1, 2))
        if len(pts) == 0:
            return Snap(np.zeros(0, np.int64), np.zeros(0), np.zeros(0), max_snap_m)
        (_, hit), dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
        road = usable[hit]
        fraction = shapely.line_locate_point(
            self.geometry[self.road_forward[road]], pts, normalized=True
        )
        return Snap(road.astype(np.int64), np.nan_to_num(fraction), dist, max_snap_m)

    def csr(self, mode: str, weight: str = "s") -> sparse.csr_matrix:
        """Node × node cost matrix for scipy.sparse.csgraph (the cheapest of parallel edges)."""
        if (mode, weight) not in self._csr:
            fwd, bwd = self.road_costs(mode, weight)
            a = np.concatenate([self.u[self.road_forward], self.v[self.road_forward]])
            b = np.concatenate([self.v[self.road_forward], self.u[self.road_forward]])
            self._csr[(mode, weight)] = _min_csr(a, b, np.concatenate([fwd, bwd]), self.n_nodes)
        return self._csr[(mode, weight)]


def _pair_roads(
    u: np.ndarray, v: np.ndarray, length_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Group directed edges into undirected road pieces: an edge and its reverse twin (end nodes
    swapped, same length to 0.1 m) are one piece, with the first edge's geometry. Returns per
    piece the edge along its geometry and the twin against it (-1 if one-way)."""
    forward: list[int] = []
    backward: list[int] = []
    waiting: dict[tuple[int, int, float], list[int]] = {}
    lengths = np.round(length_m, 1)
    for e, (a, b, length) in enumerate(zip(u.tolist(), v.tolist(), lengths.tolist(), strict=True)):
        twins = waiting.get((b, a, length))
        if twins:
            backward[twins.pop()] = e
            continue
        waiting.setdefault((a, b, length), []).append(len(forward))
        forward.append(e)
        backward.append(-1)
    return np.asarray(forward, np.int64), np.asarray(backward, np.int64)


def _min_csr(rows: np.ndarray, cols: np.ndarray, cost: np.ndarray, n: int) -> sparse.csr_matrix:
    """CSR keeping the minimum of duplicate (row, col) entries and dropping infinite ones."""
    ok = np.isfinite(cost)
    rows, cols, cost = rows[ok], cols[ok], cost[ok]
    order = np.lexsort((cost, cols, rows))
    rows, cols, cost = rows[order], cols[order], cost[order]
    first = np.ones(rows.size, bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    return sparse.csr_matrix((cost[first], (rows[first], cols[first])), shape=(n, n))


def _array_hash(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _file_hash(path: Path) -> str:
    """SHA-256 of the file (with a shapefile's sidecar files)."""
    h = hashlib.sha256()
    parts = sorted(path.parent.glob(path.stem + ".*")) if path.suffix.lower() == ".shp" else [path]
    for part in parts:
        h.update(part.read_bytes())
    return h.hexdigest()


def read_network(
    path: str | Path, snap_tolerance_m: float = 1.0, layer: str | None = None
) -> RoadNetwork:
    """Read an OSMnx GraphML file (.graphml) or any vector file of road lines."""
    path = Path(path)
    if not path.is_file():
        raise NetworkError(f"file not found: {path}")
    if path.suffix.lower() == ".graphml":
        try:
            graph = nx.read_graphml(path)
        except Exception as exc:  # networkx/lxml raise several types for broken XML
            raise NetworkError(f"not a GraphML file ({exc})") from exc
        return network_from_graphml(graph, _file_hash(path), path.name)
    try:
        lines = gpd.read_file(path, layer=layer)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise NetworkError(f"cannot read this vector file ({exc})") from exc
    return network_from_lines(lines, snap_tolerance_m, _file_hash(path), path.name)


def _times(seconds: np.ndarray) -> np.ndarray:
    """Given travel times: blank (NaN) means "from the speed"; a negative or infinite one is refused."""
    if (seconds < 0).any() or np.isinf(seconds).any():
        raise NetworkError("a travel_time is negative or infinite: travel times are seconds >= 0")
    return seconds


def _crs(value: object) -> CRS:
    try:
        return CRS(value)
    except CRSError as exc:
        raise NetworkError(f"the coordinate reference system {value!r} is not one ({exc})") from exc


def _metric(crs: CRS, x: np.ndarray, y: np.ndarray) -> CRS:
    """The CRS to measure in; coordinates that fit no UTM zone (a longitude of 500) are refused."""
    if not crs.is_projected and not (
        np.isfinite(np.concatenate([x, y])).all()
        and (np.abs(x) <= 180).all()
        and (np.abs(y) <= 90).all()
    ):
        raise NetworkError("some coordinates are not longitudes/latitudes (a longitude of 500?)")
    try:
        return _utm(crs, x, y)
    except (RuntimeError, CRSError) as exc:
        raise NetworkError(f"no metric CRS fits these coordinates ({exc})") from exc


def _utm(crs: CRS, x: np.ndarray, y: np.ndarray) -> CRS:
    if crs.is_projected:
        return crs
    pts = gpd.GeoSeries(shapely.points(x, y), crs=crs)
    return pts.estimate_utm_crs()


def network_from_graphml(graph: nx.Graph, content_hash: str, name: str = "") -> RoadNetwork:
    """A RoadNetwork from a graph as OSMnx saves it: node x/y, edge length (m), highway,
    maxspeed, optional travel_time (s) and geometry (WKT); graph attribute crs."""
    if graph.number_of_edges() == 0:
        raise NetworkError("the graph has no edges")
    if not graph.is_directed():
        graph = graph.to_directed()  # an undirected graph's edges are two-way
    crs = _crs(graph.graph.get("crs", "EPSG:4326"))
    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    try:
        x = np.array([float(graph.nodes[n]["x"]) for n in nodes])
        y = np.array([float(graph.nodes[n]["y"]) for n in nodes])
    except (KeyError, ValueError) as exc:
        raise NetworkError("every node needs numeric x and y attributes") from exc
    edges = list(graph.edges(data=True))
    u = np.array([index[a] for a, _, _ in edges], np.int64)
    v = np.array([index[b] for _, b, _ in edges], np.int64)
    geoms = []
    for (_a, _b, data), i, j in zip(edges, u, v, strict=True):
        wkt = data.get("geometry")
        try:
            geoms.append(
                shapely.from_wkt(wkt) if wkt else shapely.linestrings([(x[i], y[i]), (x[j], y[j])])
            )
        except shapely.errors.ShapelyError as exc:
            raise NetworkError(f"edge {_a}→{_b} has an unreadable geometry ({exc})") from exc
    geometry = np.asarray(geoms, object)
    metric = _metric(crs, x, y)
    if metric != crs:
        geometry = gpd.GeoSeries(geometry, crs=crs).to_crs(metric).to_numpy()
        pts = gpd.GeoSeries(shapely.points(x, y), crs=crs).to_crs(metric)
        x, y = pts.x.to_numpy(), pts.y.to_numpy()
    if not np.isfinite(np.concatenate([x, y])).all():
        raise NetworkError("some node coordinates do not fit the graph's CRS")
    given = [(a, b, d.get("length")) for a, b, d in edges]
    given_length = np.array([np.nan if g is None else _number(g) for _, _, g in given])
    for (a, b, g), value in zip(given, given_length, strict=True):
        if g is not None and not (np.isfinite(value) and value >= 0):
            raise NetworkError(f"edge {a}→{b} has the length {g!r}: lengths are metres >= 0")
    length = np.where(np.isfinite(given_length), given_length, shapely.length(geometry))
    return RoadNetwork(
        node_xy=np.column_stack([x, y]),
        u=u,
        v=v,
        length_m=length,
        road_class=np.array([_class_of(d.get("highway")) for _, _, d in edges], object),
        maxspeed_kph=np.array([_maxspeed_kph(d.get("maxspeed")) for _, _, d in edges]),
        travel_time_s=_times(np.array([_number(d.get("travel_time")) for _, _, d in edges])),
        geometry=geometry,
        crs=metric,
        content_hash=content_hash,
        name=name,
    )


def _field(lines: gpd.GeoDataFrame, *names: str) -> np.ndarray:
    for name in names:
        if name in lines.columns:
            return lines[name].to_numpy(object)
    return np.full(len(lines), None, object)


def network_from_lines(
    lines: gpd.GeoDataFrame, snap_tolerance_m: float = 1.0, content_hash: str = "", name: str = ""
) -> RoadNetwork:
    """A RoadNetwork from road lines: line ends closer than `snap_tolerance_m` (chained) become
    one node; lines crossing elsewhere do not meet (bridges, flyovers); roads two-way unless a `oneway` field says otherwise; optional fields
    highway (or fclass), maxspeed, travel_time (s)."""
    if lines.crs is None:
        raise NetworkError("the road file has no coordinate reference system")
    lines = lines[lines.geometry.notna() & ~lines.geometry.is_empty].explode(index_parts=False)
    lines = lines[lines.geom_type == "LineString"]
    if len(lines) == 0:
        raise NetworkError("the file has no line features")
    bounds = lines.total_bounds
    metric = _metric(
        CRS(lines.crs), np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]])
    )
    lines = lines.to_crs(metric)
    geoms = lines.geometry.to_numpy()
    if not np.isfinite(shapely.get_coordinates(geoms)).all():
        raise NetworkError("some road coordinates do not fit the file's CRS (a longitude of 500?)")
    first = shapely.get_coordinates(shapely.get_point(geoms, 0))
    last = shapely.get_coordinates(shapely.get_point(geoms, -1))
    ends = np.vstack([first, last])
    pairs = cKDTree(ends).query_pairs(snap_tolerance_m, output_type="ndarray")
    touching = sparse.coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(ends),) * 2
    )
    n_nodes, node_of_end = connected_components(touching, directed=False)
    node_xy = np.zeros((n_nodes, 2))
    node_xy[node_of_end[::-1]] = ends[::-1]  # each node sits at its first line end
    a, b = node_of_end[: len(geoms)], node_of_end[len(geoms) :]
    oneway = np.array([_oneway(o) for o in _field(lines, "oneway")])
    road_class = np.array([_class_of(h) for h in _field(lines, "highway", "fclass")], object)
    maxspeed = np.array([_maxspeed_kph(m) for m in _field(lines, "maxspeed")])
    travel_time = _times(np.array([_number(t) for t in _field(lines, "travel_time")]))
    length = shapely.length(geoms)
    along = oneway >= 0
    against = oneway <= 0
    reversed_geoms = shapely.reverse(geoms)
    return RoadNetwork(
        node_xy=node_xy,
        u=np.concatenate([a[along], b[against]]),
        v=np.concatenate([b[along], a[against]]),
        length_m=np.concatenate([length[along], length[against]]),
        road_class=np.concatenate([road_class[along], road_class[against]]),
        maxspeed_kph=np.concatenate([maxspeed[along], maxspeed[against]]),
        travel_time_s=np.concatenate([travel_time[along], travel_time[against]]),
        geometry=np.concatenate([geoms[along], reversed_geoms[against]]),
        crs=metric,
        content_hash=content_hash,
        name=name,
    )
