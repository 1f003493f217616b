"""Road network loading, strongly connected component, travel times per mode, snapping."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import LineString

from routing.matrix import NetworkCost
from routing.network import (
    ROAD_SPEEDS_KPH,
    SNAP_WALK_KPH,
    NetworkError,
    network_from_lines,
    read_network,
)

CRS = "EPSG:32651"
X0, Y0 = 500_000.0, 3_100_000.0


def lines(rows: list[tuple], crs: str = CRS) -> gpd.GeoDataFrame:
    """Road lines from (coords relative to X0/Y0, highway, oneway)."""
    return gpd.GeoDataFrame(
        {"highway": [r[1] for r in rows], "oneway": [r[2] for r in rows]},
        geometry=[LineString([(X0 + x, Y0 + y) for x, y in r[0]]) for r in rows],
        crs=crs,
    )


def kph(road: str, mode: str) -> float:
    return ROAD_SPEEDS_KPH[road][["walk", "bicycle", "drive", "bookmobile", "van"].index(mode)]


def test_largest_strongly_connected_component_is_kept_and_drop_reported() -> None:
    square = [
        ([(0, 0), (1000, 0)]),
        ([(1000, 0), (1000, 1000)]),
        ([(1000, 1000), (0, 1000)]),
        ([(0, 1000), (0, 0)]),
    ]
    rows = [(c, "primary", "no") for c in square]
    rows.append(([(1000, 0), (1500, 0)], "primary", "yes"))  # one-way dead end: no way back
    rows.append(([(5000, 5000), (5300, 5000)], "residential", "no"))  # an island road
    net = network_from_lines(lines(rows))
    assert net.n_nodes == 4
    assert net.n_edges == 8
    assert net.dropped.nodes == 3
    assert net.dropped.edges == 3  # the one-way edge and both directions of the island road
    assert net.dropped.km == pytest.approx(0.5 + 0.3)  # a two-way road counts once


def test_one_way_roads_are_driven_one_way_but_walked_both_ways() -> None:
    # A→B one-way 1 km along the bottom; the way back goes round a 3 km detour.
    rows = [
        ([(0, 0), (1000, 0)], "primary", "yes"),
        ([(1000, 0), (1000, 1000)], "primary", "no"),
        ([(1000, 1000), (0, 1000)], "primary", "no"),
        ([(0, 1000), (0, 0)], "primary", "no"),
    ]
    net = network_from_lines(lines(rows))
    a, b = np.array([[X0, Y0]]), np.array([[X0 + 1000, Y0]])
    drive = NetworkCost(net, "drive")
    v = kph("primary", "drive") / 3.6
    assert drive.matrix(a, b)[0, 0] == pytest.approx(1000 / v)
    assert drive.matrix(b, a)[0, 0] == pytest.approx(3000 / v)
    walk = NetworkCost(net, "walk")
    assert walk.matrix(b, a)[0, 0] == pytest.approx(1000 / (kph("primary", "walk") / 3.6))


def test_bookmobile_is_slower_than_a_car_and_motorways_are_closed_to_walkers() -> None:
    rows = [
        ([(0, 0), (2000, 0)], "motorway", "no"),
        ([(0, 0), (0, 2000), (2000, 0)], "residential", "no"),
    ]
    net = network_from_lines(lines(rows))
    a, b = np.array([[X0, Y0]]), np.array([[X0 + 2000, Y0]])
    car = NetworkCost(net, "drive").matrix(a, b)[0, 0]
    bus = NetworkCost(net, "bookmobile").matrix(a, b)[0, 0]
    walk_m = NetworkCost(net, "walk").distance_matrix(a, b)[0, 0]
    assert bus > car
    metres = NetworkCost(net, "walk").distance_model
    assert metres.unit == "m" and metres.crs.to_epsg() == 32651
    assert len(metres.within(a, b, walk_m - 1.0)) == 0
    assert metres.within(a, b, walk_m + 1.0).cost == pytest.approx([walk_m])
    assert walk_m == pytest.approx(2000 + 2000 * np.sqrt(2))


def test_snapping_adds_the_walk_and_flags_far_points() -> None:
    rows = [([(0, 0), (1000, 0)], "primary", "no"), ([(1000, 0), (0, 0)], "residential", "yes")]
    net = network_from_lines(lines(rows))
    cost = NetworkCost(net, "drive", max_snap_m=500)
    pts = np.array([[X0 + 200, Y0 + 100], [X0 + 800, Y0 - 50], [X0 + 500, Y0 + 900]])
    snap = cost.snap(pts)
    assert snap.snap_m[:2] == pytest.approx([100, 50])
    assert snap.far.tolist() == [2]
    walk_mps = SNAP_WALK_KPH / 3.6
    expected = 100 / walk_mps + 600 / (kph("primary", "drive") / 3.6) + 50 / walk_mps
    assert cost.matrix(pts[:1], pts[1:2])[0, 0] == pytest.approx(expected)


def osmnx_graphml(path, travel_time: bool = True) -> None:  # noqa: ANN001
    """A tiny GraphML file the way OSMnx saves one: every attribute a string, lon/lat nodes."""
    g = nx.MultiDiGraph(crs="epsg:4326", created_with="OSMnx 2.0")
    nodes = {"101": (120.70, 28.00), "102": (120.71, 28.00), "103": (120.71, 28.01)}
    for n, (x, y) in nodes.items():
        g.add_node(n, y=str(y), x=str(x), street_count="2")

    def edge(
        a: str, b: str, highway: str, length: float, tt: float, oneway: str, wkt: str = ""
    ) -> None:
        data = {
            "osmid": "7",
            "highway": highway,
            "oneway": oneway,
            "reversed": "False",
            "length": str(length),
            "maxspeed": "['40', '60']",
        }
        if travel_time:
            data |= {"speed_kph": "50.0", "travel_time": str(tt)}
        if wkt:
            data["geometry"] = wkt
        g.add_edge(a, b, **data)

    edge("101", "102", "['primary', 'secondary']", 981.3, 70.0, "False")
    edge("102", "101", "['primary', 'secondary']", 981.3, 70.0, "False")
    edge("102", "103", "residential", 1112.0, 200.0, "False")
    edge("103", "102", "residential", 1112.0, 200.0, "False")
    bend = "LINESTRING (120.71 28.01, 120.70 28.01, 120.70 28.00)"
    edge("103", "101", "motorway_link", 2094.0, 95.0, "True", bend)
    nx.write_graphml(g, path)


def test_graphml_travel_time_is_used_as_given_for_driving(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "osm.graphml"
    osmnx_graphml(path)
    net = read_network(path)
    assert net.crs.to_epsg() == 32651
    assert net.n_nodes == 3 and net.n_edges == 5
    assert sorted(set(net.road_class)) == ["motorway", "primary", "residential"]
    corner = gpd.GeoSeries.from_xy([120.70], [28.01], crs=4326).to_crs(CRS)
    snap = net.snap(np.column_stack([corner.x, corner.y]), "drive")
    assert snap.snap_m[0] < 1.0  # on the edge's curved geometry, not its straight chord
    drive = net.edge_seconds("drive")
    assert sorted(drive.tolist()) == pytest.approx([70.0, 70.0, 95.0, 200.0, 200.0])
    # Without travel_time the class speed, capped by the mean maxspeed (50 km/h), is used.
    osmnx_graphml(path, travel_time=False)
    plain = read_network(path).edge_seconds("drive")
    assert plain.min() == pytest.approx(981.3 / (min(kph("primary", "drive"), 50.0) / 3.6))


def test_unreadable_network_file_raises_network_error(tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "roads.graphml"
    bad.write_text("not xml at all")
    with pytest.raises(NetworkError):
        read_network(bad)


def test_demo_network_is_modelled_connected_and_slower_across_mountains() -> None:
    from planner.network import DEMO_NETWORK, demo_network_cost

    roads = gpd.read_file(DEMO_NETWORK)
    assert set(roads["provenance"]) == {"modelled"}
    car = demo_network_cost(mode="drive")
    net = car.network
    assert net.crs.to_epsg() == 32651
    assert net.dropped.edges < 0.05 * (net.n_edges + net.dropped.edges)
    # 鹿城 centre, 洞头 (island, by the causeway), 文成 and 泰顺 (mountains): approximate WGS84.
    towns = gpd.GeoSeries.from_xy(
        [120.655, 121.157, 120.090, 119.717], [28.015, 27.836, 27.787, 27.557], crs=4326
    )
    xy = np.column_stack([towns.to_crs(CRS).x, towns.to_crs(CRS).y])
    road_m = car.distance_matrix(xy[:1], xy[1:])[0]
    straight_m = np.hypot(*(xy[1:] - xy[0]).T)
    assert np.isfinite(road_m).all()
    assert (road_m[1:] > 1.2 * straight_m[1:]).all()  # winding mountain roads
    bus = demo_network_cost(mode="bookmobile").matrix(xy[:1], xy[1:])[0]
    assert (bus > car.matrix(xy[:1], xy[1:])[0]).all()
