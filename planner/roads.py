"""A project's own road network: import a GraphML file, road lines (GeoPackage, Shapefile,
GeoJSON) or an OpenStreetMap extract (.osm.pbf / .osm, read with pyosmium) into the project
file, clipped to its districts plus a margin, and read it back as a routing.network.RoadNetwork.

Stored inside the project (it stays one file to e-mail): layer `roads` (one row per road piece,
LineString in EPSG:4326; columns u, v, length_m, highway, maxspeed_kph, oneway, travel_time_s,
travel_time_back_s; oneway 1 = only from u to v), table `road_nodes` (node, lon, lat) and the
meta key `roads` (a JSON summary: source, counts, the metric CRS and the content hash that keys
the cached travel-time matrices).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from models.control import Control, quiet
from planner.errors import PlannerError
from planner.geo import metric_crs_for
from planner.store import Project
from routing.network import (
    ROAD_SPEEDS_KPH,
    NetworkError,
    RoadNetwork,
    _file_hash,
    network_from_graphml,
    network_from_lines,
)

ROAD_LAYER = "roads"
NODE_TABLE = "road_nodes"
META_KEY = "roads"
#: Roads are kept this far outside the project's districts (metres): a trip near a boundary
#: may use a road just across it.
CLIP_MARGIN_M = 2000.0
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz")
LINE_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".fgb", ".zip")
GRAPHML_SUFFIXES = (".graphml",)


@dataclass(frozen=True)
class RoadsInfo:
    """What a project's road network holds (kilometres count a two-way road once)."""

    source_file: str
    nodes: int
    edges: int
    km: float
    dropped_nodes: int
    dropped_edges: int
    dropped_km: float
    outside_edges: int  # edges of the file left out by the clip to the districts
    crs: str
    content_hash: str

    @property
    def dropped_share(self) -> float:
        """Share of the road kilometres (after the clip) outside the largest strongly
        connected part, which is dropped: trips there could not return."""
        total = self.km + self.dropped_km
        return self.dropped_km / total if total > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "dropped_share": self.dropped_share}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoadsInfo:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def _fail(path: Path, zh: str, en: str) -> PlannerError:
    return PlannerError(zh, en, file=str(path))


def clip_area(project: Project) -> shapely.Geometry | None:
    """The project's districts plus CLIP_MARGIN_M, in EPSG:4326 (None without districts)."""
    name = project.layer_for_role("districts")
    if name is None:
        return None
    districts = project.read_layer(name)
    if districts.empty:
        return None
    crs = metric_crs_for(districts)
    area = shapely.union_all(districts.to_crs(crs).geometry.to_numpy()).buffer(CLIP_MARGIN_M)
    return gpd.GeoSeries([area], crs=crs).to_crs(4326).iloc[0]


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(GRAPHML_SUFFIXES):
        return "graphml"
    if name.endswith(OSM_SUFFIXES):
        return "osm"
    if name.endswith(LINE_SUFFIXES):
        return "lines"
    raise _fail(
        path,
        "不支持的路网文件类型（可用 GraphML、GeoPackage/Shapefile/GeoJSON 道路线、.osm.pbf/.osm）",
        "unsupported road file type (use GraphML, GeoPackage/Shapefile/GeoJSON road lines, "
        ".osm.pbf or .osm)",
    )


def _clip_graph(graph: nx.Graph, area: shapely.Geometry) -> tuple[nx.Graph, int]:
    """Edges with an end inside `area` (EPSG:4326), and how many were left out."""
    crs = CRS(graph.graph.get("crs", "EPSG:4326"))
    nodes = list(graph.nodes)
    try:
        x = np.array([float(graph.nodes[n]["x"]) for n in nodes])
        y = np.array([float(graph.nodes[n]["y"]) for n in nodes])
    except (KeyError, ValueError) as exc:
        raise NetworkError("every node needs numeric x and y attributes") from exc
    lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
    inside = dict(zip(nodes, shapely.contains_xy(area, lon, lat).tolist(), strict=True))
    edges = list(graph.edges(keys=True)) if graph.is_multigraph() else list(graph.edges())
    kept = [e for e in edges if inside[e[0]] or inside[e[1]]]
    clipped = graph.edge_subgraph(kept).copy()
    clipped.graph.update(graph.graph)
    return clipped, len(edges) - len(kept)


def _clip_lines(
    lines: gpd.GeoDataFrame, area: shapely.Geometry | None
) -> tuple[gpd.GeoDataFrame, int]:
    if area is None:
        return lines, 0
    keep = lines.to_crs(4326).intersects(area).to_numpy()
    return lines[keep], int((~keep).sum())


def osm_lines(path: Path) -> gpd.GeoDataFrame:
    """Road lines of an OpenStreetMap extract (pyosmium), split where ways share a node so
    that crossings become junctions; columns highway, maxspeed, oneway, name (EPSG:4326)."""
    import osmium

    ways: list[tuple[list[int], list[tuple[float, float]], dict[str, str]]] = []
    used: Counter[int] = Counter()
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for obj in processor:
        if not obj.is_way():
            continue
        highway = obj.tags.get("highway", "")
        if highway.removesuffix("_link") not in ROAD_SPEEDS_KPH:
            continue
        refs, coords = [], []
        for node in obj.nodes:
            if node.location.valid():
                refs.append(node.ref)
                coords.append((node.location.lon, node.location.lat))
        if len(refs) < 2:
            continue
        oneway = obj.tags.get("oneway", "")
        if not oneway and obj.tags.get("junction") == "roundabout":
            oneway = "yes"
        tags = {
            "highway": highway,
            "maxspeed": obj.tags.get("maxspeed", ""),
            "oneway": oneway,
            "name": obj.tags.get("name", ""),
        }
        ways.append((refs, coords, tags))
        used.update(refs)
    rows, geoms = [], []
    for refs, coords, tags in ways:
        start = 0
        for k in range(1, len(refs)):
            if k == len(refs) - 1 or used[refs[k]] > 1:
                if k > start:
                    geoms.append(shapely.linestrings(coords[start : k + 1]))
                    rows.append(tags)
                start = k
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


def read_roads(path: Path, area: shapely.Geometry | None) -> tuple[RoadNetwork, int]:
    """The network in a road file, clipped to `area` (EPSG:4326) when given, and the number of
    the file's edges/lines the clip left out. PlannerError naming the file if unusable."""
    path = Path(path)
    if not path.is_file():
        raise _fail(path, "找不到路网文件", "road network file not found")
    kind = _kind(path)
    digest = hashlib.sha256(_file_hash(path).encode())
    if area is not None:
        digest.update(shapely.to_wkb(area))
    content_hash = digest.hexdigest()
    try:
        if kind == "graphml":
            try:
                graph = nx.read_graphml(path)
            except Exception as exc:  # networkx/lxml raise several types for broken XML
                raise NetworkError(f"not a GraphML file ({exc})") from exc
            outside = 0
            if area is not None:
                graph, outside = _clip_graph(graph, area)
            return network_from_graphml(graph, content_hash, path.name), outside
        if kind == "osm":
            try:
                lines = osm_lines(path)
            except RuntimeError as exc:  # libosmium reports unreadable input this way
                raise NetworkError(f"cannot read this OpenStreetMap file ({exc})") from exc
            if lines.empty:
                raise NetworkError("the extract has no roads (ways tagged highway=…)")
        else:
            try:
                lines = gpd.read_file(path)
            except Exception as exc:  # pyogrio raises several types for unreadable files
                raise NetworkError(f"cannot read this vector file ({exc})") from exc
            if lines.crs is None:
                raise NetworkError("the road file has no coordinate reference system")
        lines, outside = _clip_lines(lines, area)
        if lines.empty:
            raise NetworkError("no road of the file lies within the project's districts")
        return network_from_lines(lines, content_hash=content_hash, name=path.name), outside
    except NetworkError as exc:
        raise _fail(
            path, f"无法使用路网文件（{exc}）", f"cannot use this road network file ({exc})"
        ) from exc


def _frames(network: RoadNetwork) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The network as the stored road-piece layer and node table."""
    f, b = network.road_forward, network.road_backward
    back_time = np.where(b >= 0, network.travel_time_s[np.maximum(b, 0)], np.nan)
    roads = gpd.GeoDataFrame(
        {
            "u": network.u[f],
            "v": network.v[f],
            "length_m": network.length_m[f],
            "highway": network.road_class[f].astype(str),
            "maxspeed_kph": network.maxspeed_kph[f],
            "oneway": (b < 0).astype(np.int64),
            "travel_time_s": network.travel_time_s[f],
            "travel_time_back_s": back_time,
        },
        geometry=network.geometry[f],
        crs=network.crs,
    )
    lon, lat = Transformer.from_crs(network.crs, 4326, always_xy=True).transform(
        network.node_xy[:, 0], network.node_xy[:, 1]
    )
    nodes = pd.DataFrame({"node": np.arange(network.n_nodes), "lon": lon, "lat": lat})
    return roads, nodes


def import_roads(project: Project, path: str | Path, control: Control | None = None) -> RoadsInfo:
    """Read a road file, clip it to the project's districts (+ CLIP_MARGIN_M) and store it as
    the project's network in one transaction, replacing an earlier one and dropping the travel
    matrices cached for it."""
    control = control or quiet()
    path = Path(path)
    project.check_writable()
    control.report(0.0, "roads")
    network, outside = read_roads(path, clip_area(project))
    control.check()
    control.report(0.6, "roads")
    roads, nodes = _frames(network)
    info = RoadsInfo(
        source_file=path.name,
        nodes=network.n_nodes,
        edges=network.n_edges,
        km=round(network.km, 3),
        dropped_nodes=network.dropped.nodes,
        dropped_edges=network.dropped.edges,
        dropped_km=round(network.dropped.km, 3),
        outside_edges=outside,
        crs=network.crs.to_string(),
        content_hash=network.content_hash,
    )
    with project.transaction():
        project.write_layer(
            ROAD_LAYER,
            roads,
            role="roads",
            source_file=path.name,
            provenance=f"imported from {path.name}",
        )
        project.write_table(NODE_TABLE, nodes, role="road_nodes", source_file=path.name)
        project.set_meta(META_KEY, json.dumps(info.to_json(), ensure_ascii=False))
        project.cache_delete_prefix("matrix:")
    _NETWORKS.clear()
    control.report(1.0, "roads")
    return info


def roads_info(project: Project) -> RoadsInfo | None:
    """The summary of the project's road network, None when it has none."""
    text = project.meta.get(META_KEY)
    if not text or not project.has_layer(ROAD_LAYER):
        return None
    return RoadsInfo.from_json(json.loads(text))


_NETWORKS: dict[tuple[str, str], RoadNetwork] = {}


def project_network(project: Project) -> RoadNetwork | None:
    """The project's road network as a RoadNetwork in its metric CRS (None when it has none);
    kept in memory per project file and network version."""
    info = roads_info(project)
    if info is None:
        return None
    key = (str(Path(project.path).resolve()), info.content_hash)
    if key not in _NETWORKS:
        _NETWORKS.clear()  # one network at a time: a country's roads are big
        _NETWORKS[key] = _rebuild(project, info)
    return _NETWORKS[key]


def _rebuild(project: Project, info: RoadsInfo) -> RoadNetwork:
    crs = CRS(info.crs)
    roads = project.read_layer(ROAD_LAYER).to_crs(crs)
    nodes = project.read_table(NODE_TABLE).sort_values("node")
    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(
        nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float)
    )
    u = roads["u"].to_numpy(np.int64)
    v = roads["v"].to_numpy(np.int64)
    two = roads["oneway"].to_numpy(np.int64) == 0
    geoms = roads.geometry.to_numpy()

    def both(column: str, back: str | None = None) -> np.ndarray:
        values = pd.to_numeric(roads[column], errors="coerce").to_numpy(float)
        backward = pd.to_numeric(roads[back or column], errors="coerce").to_numpy(float)
        return np.concatenate([values, backward[two]])

    return RoadNetwork(
        node_xy=np.column_stack([x, y]),
        u=np.concatenate([u, v[two]]),
        v=np.concatenate([v, u[two]]),
        length_m=both("length_m"),
        road_class=np.concatenate(
            [roads["highway"].to_numpy(object), roads["highway"].to_numpy(object)[two]]
        ),
        maxspeed_kph=both("maxspeed_kph"),
        travel_time_s=both("travel_time_s", "travel_time_back_s"),
        geometry=np.concatenate([geoms, shapely.reverse(geoms[two])]),
        crs=crs,
        content_hash=info.content_hash,
        name=info.source_file,
    )
