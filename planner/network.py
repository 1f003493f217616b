"""Road networks at project level: read a network file (user errors become PlannerError naming
the file), the project's own network as the cost model of every job (`travel_cost`), travel-time
matrices cached in the project store, and route paths along the roads (`leg_path`)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.ops
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra

from models.costs import CostModel, straight_line
from planner.errors import PlannerError
from planner.roads import project_network, roads_info
from planner.store import Project
from routing.matrix import NetworkCost
from routing.network import NetworkError, RoadNetwork, read_network

#: `--travel` choices: along the project's roads, or straight lines × circuity.
TRAVEL_CHOICES = ("network", "straight")

DEMO_NETWORK = Path(__file__).resolve().parents[1] / "gis_data" / "wenzhou_roads.gpkg"


@dataclass(frozen=True)
class ProjectCache:
    """routing.matrix.MatrixCache on the project's cache table."""

    project: Project

    def get(self, key: str) -> bytes | None:
        return self.project.cache_get(key)

    def put(self, key: str, value: bytes) -> None:
        self.project.cache_put(key, value)


def load_network(path: str | Path) -> RoadNetwork:
    """Read a GraphML or road-line file; a file we cannot use raises PlannerError naming it."""
    path = Path(path).resolve()
    if not path.is_file():
        raise PlannerError(
            f"找不到路网文件：{path}", f"road network file not found: {path}", file=str(path)
        )
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int, size: int) -> RoadNetwork:
    """Read once per file version (path, modification time and size)."""
    try:
        return read_network(path)
    except NetworkError as exc:
        raise PlannerError(
            f"无法使用路网文件（{exc}）", f"cannot use this road network file ({exc})", file=path
        ) from exc


def network_cost(
    network: RoadNetwork,
    mode: str = "drive",
    project: Project | None = None,
    max_snap_m: float = 500.0,
    workers: int = 1,
) -> NetworkCost:
    """A NetworkCost for `mode`, caching its matrices in `project` when one is given;
    workers > 1 forks processes, so pass it only from a program's main thread (the CLI)."""
    return NetworkCost(
        network,
        mode,
        max_snap_m,
        cache=None if project is None else ProjectCache(project),
        workers=workers,
    )


def cached_matrix(
    project: Project,
    network: RoadNetwork,
    origins_xy: np.ndarray,
    destinations_xy: np.ndarray,
    mode: str,
) -> np.ndarray:
    """Travel seconds origins × destinations, read from the project's cache when computed before
    (keyed by the network file's content hash, mode and point arrays)."""
    return network_cost(network, mode, project).matrix(origins_xy, destinations_xy)


def demo_network_cost(project: Project | None = None, mode: str = "drive") -> NetworkCost:
    """NetworkCost on the modelled Wenzhou roads (gis_data/wenzhou_roads.gpkg, EPSG:32651)."""
    return network_cost(load_network(DEMO_NETWORK), mode, project)


def default_travel(project: Project) -> str:
    """The default --travel: network when the project has a road network, else straight."""
    return "network" if roads_info(project) is not None else "straight"


def travel_cost(
    project: Project, mode: str | None, travel: str | None = None, workers: int = 1
) -> CostModel:
    """The cost model a job on `project` uses: its road network for `mode` (travel "network",
    the default when it has roads; road metres when mode is None) or straight lines. Network
    matrices are cached in the project."""
    travel = travel or default_travel(project)
    if travel == "straight":
        return straight_line(mode)
    if travel != "network":
        raise PlannerError(
            f"未知的出行计算方式“{travel}”（可用 network 或 straight）",
            f"unknown travel {travel!r} (use network or straight)",
            field="--travel",
        )
    network = project_network(project)
    if network is None:
        raise PlannerError(
            "项目中没有路网：请先用 planner import 项目 文件 --as roads 导入，或用 --travel straight",
            "the project has no road network: import one with planner import PROJECT FILE --as "
            "roads, or use --travel straight",
            file=str(project.path),
            field="--travel",
        )
    if mode is None:
        return replace(network_cost(network, "walk", project), unit="m")
    return network_cost(network, mode, project, workers=workers)


_EDGE_GEOMS: weakref.WeakKeyDictionary[RoadNetwork, dict[str, dict[tuple[int, int], Any]]] = (
    weakref.WeakKeyDictionary()
)


def _edge_geoms(network: RoadNetwork, mode: str) -> dict[tuple[int, int], Any]:
    """(from node, to node) → the cheapest road geometry between them for `mode`, oriented."""
    by_mode = _EDGE_GEOMS.setdefault(network, {})
    if mode not in by_mode:
        fwd, bwd = network.road_costs(mode)
        a = network.u[network.road_forward].tolist()
        b = network.v[network.road_forward].tolist()
        geoms = network.geometry[network.road_forward]
        best: dict[tuple[int, int], tuple[float, Any]] = {}
        for k, (f, r) in enumerate(zip(fwd.tolist(), bwd.tolist(), strict=True)):
            if np.isfinite(f) and f < best.get((a[k], b[k]), (np.inf,))[0]:
                best[(a[k], b[k])] = (f, geoms[k])
            if np.isfinite(r) and r < best.get((b[k], a[k]), (np.inf,))[0]:
                best[(b[k], a[k])] = (r, shapely.reverse(geoms[k]))
        by_mode[mode] = {key: geom for key, (_, geom) in best.items()}
    return by_mode[mode]


def _piece(geom: Any, start: float, end: float) -> list[tuple[float, float]]:
    """Coordinates of a road geometry between two fractions (reversed when end < start)."""
    lo, hi = min(start, end), max(start, end)
    part = shapely.ops.substring(geom, lo, hi, normalized=True)
    coords = [tuple(c) for c in shapely.get_coordinates(part).tolist()]
    return coords[::-1] if end < start else coords


def leg_path(cost: NetworkCost, from_xy: Any, to_xy: Any) -> list[list[float]]:
    """[lon, lat] points along the shortest road path between two points (in cost.crs) for
    the cost model's mode; the straight segment when the roads do not connect them."""
    network, mode = cost.network, cost.mode
    points = np.asarray([from_xy, to_xy], float)
    snap = network.snap(points, mode, cost.max_snap_m)
    fwd, bwd = network.road_costs(mode)
    ends: list[list[tuple[int, float, list[tuple[float, float]]]]] = []
    for k, out in ((0, True), (1, False)):
        road, t = int(snap.road[k]), float(snap.fraction[k])
        e = network.road_forward[road]
        geom, a, b = network.geometry[e], int(network.u[e]), int(network.v[e])
        options = []
        # (node, cost between the point and that node, coordinates in travel order)
        if np.isfinite(fwd[road]):
            options.append(
                (b, (1 - t) * fwd[road], _piece(geom, t, 1))
                if out
                else (a, t * fwd[road], _piece(geom, 0, t))
            )
        if np.isfinite(bwd[road]):
            options.append(
                (a, t * bwd[road], _piece(geom, t, 0))
                if out
                else (b, (1 - t) * bwd[road], _piece(geom, 1, t))
            )
        ends.append(options)
    best: tuple[float, list[tuple[float, float]]] = (np.inf, [])
    (ra, ta), (rb, tb) = (
        (int(snap.road[0]), snap.fraction[0]),
        (int(snap.road[1]), snap.fraction[1]),
    )
    if ra == rb:
        along = fwd[ra] if tb >= ta else bwd[ra]
        if np.isfinite(along):
            geom = network.geometry[network.road_forward[ra]]
            best = (abs(tb - ta) * along, _piece(geom, ta, tb))
    if ends[0] and ends[1]:
        sources = [node for node, _, _ in ends[0]]
        dist, pred = dijkstra(network.csr(mode), indices=sources, return_predecessors=True)
        for i, (_, c0, head) in enumerate(ends[0]):
            for node, c1, tail in ends[1]:
                total = c0 + dist[i, node] + c1
                if total < best[0]:
                    best = (total, head + _node_path(network, mode, pred[i], node) + tail)
    coords = [tuple(points[0])] + best[1] + [tuple(points[1])]
    kept = [c for k, c in enumerate(coords) if k == 0 or c != coords[k - 1]]
    xy = np.asarray(kept, float)
    lon, lat = Transformer.from_crs(network.crs, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    return [[round(float(x), 6), round(float(y), 6)] for x, y in zip(lon, lat, strict=True)]


def _node_path(
    network: RoadNetwork, mode: str, pred: np.ndarray, target: int
) -> list[tuple[float, float]]:
    """Coordinates along the shortest-path tree from its source to `target`."""
    nodes = [target]
    while pred[nodes[-1]] >= 0:
        nodes.append(int(pred[nodes[-1]]))
    nodes.reverse()
    geoms = _edge_geoms(network, mode)
    coords: list[tuple[float, float]] = []
    for a, b in zip(nodes[:-1], nodes[1:], strict=True):
        coords += [tuple(c) for c in shapely.get_coordinates(geoms[(a, b)]).tolist()]
    return coords


def attach_paths(routes: list[dict[str, Any]], cost: CostModel) -> list[dict[str, Any]]:
    """Give each route row (depot and stops with lon/lat, as the route runs store them) a
    `path` of [lon, lat] points along the roads, depot to depot, when `cost` is a network;
    returns the same list."""
    if not isinstance(cost, NetworkCost):
        return routes
    to_metric = Transformer.from_crs(4326, cost.crs, always_xy=True)
    for route in routes:
        stops = [route["depot"], *route["stops"], route["depot"]]
        x, y = to_metric.transform([s["lon"] for s in stops], [s["lat"] for s in stops])
        path: list[list[float]] = []
        for k in range(len(stops) - 1):
            leg = leg_path(cost, (x[k], y[k]), (x[k + 1], y[k + 1]))
            path += leg[1:] if path and leg and leg[0] == path[-1] else leg
        route["path"] = path
    return routes
