"""`planner import PROJECT FILE --as roads`: GraphML, road lines and OpenStreetMap extracts
(.osm and .osm.pbf through pyosmium), clipped to the districts, stored inside the project,
shown by `planner info`; a bad file changes nothing."""

from __future__ import annotations

import json

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from planner.cli import main
from planner.roads import CLIP_MARGIN_M, project_network
from planner.store import Project
from tests.support.river_town import UTM, X0, Y0, write_districts, write_graphml

#: Lon/lat of a small OSM street pattern inside the river town's districts.
LON0, LAT0 = 120.5925, 28.0208


@pytest.fixture()
def project(tmp_path):
    districts = write_districts(tmp_path / "files")
    path = tmp_path / "p.planner"
    assert main(["new", str(path)]) == 0
    assert main(["import", str(path), str(districts), "--as", "districts"]) == 0
    return path


def _info(path, capsys):
    capsys.readouterr()
    assert main(["info", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_graphml_is_clipped_to_the_districts_and_summarised_by_info(project, tmp_path, capsys):
    graphml = write_graphml(tmp_path / "roads.graphml")
    graph = nx.read_graphml(graphml)
    far = X0 + 40_000  # a village road 40 km away: outside the districts and their margin
    assert far > X0 + 3000 + CLIP_MARGIN_M
    graph.add_node("far_a", x=far, y=Y0)
    graph.add_node("far_b", x=far + 500, y=Y0)
    # a one-way dead end inside the town: outside the largest strongly connected part
    graph.add_node("dead", x=X0 + 50, y=Y0 - 300)
    graph.add_edge("0_0", "dead", length=350.0, highway="residential")
    for a, b in (("far_a", "far_b"), ("far_b", "far_a")):
        graph.add_edge(a, b, length=500.0, highway="residential")
    nx.write_graphml(graph, graphml)
    assert main(["--lang", "en", "import", str(project), str(graphml), "--as", "roads"]) == 0
    assert "dropped outside the largest strongly connected part" in capsys.readouterr().out
    roads = _info(project, capsys)["roads"]
    assert roads["outside_edges"] == 2
    assert roads["dropped_edges"] == 1 and roads["dropped_km"] == pytest.approx(0.35, abs=0.01)
    assert 0 < roads["dropped_share"] < 0.02
    assert roads["nodes"] == 30 * 20 - 19  # the river column has one bridge node
    with Project.open(project) as p:
        layer = p.read_layer("roads")
        assert {"u", "v", "length_m", "highway", "maxspeed_kph", "oneway"} <= set(layer.columns)
        assert layer.crs.to_epsg() == 4326 and set(layer.geom_type) == {"LineString"}
        network = project_network(p)
    assert network.n_nodes == roads["nodes"] and network.n_edges == roads["edges"]
    assert network.km == pytest.approx(roads["km"], rel=1e-6)
    capsys.readouterr()
    assert main(["--lang", "en", "info", str(project)]) == 0
    assert "roads: 581 nodes" in capsys.readouterr().out


def test_road_lines_keep_highway_maxspeed_and_oneway(project, tmp_path):
    # an L of two two-way residential streets and a one-way primary road closing the triangle
    pts = [(X0 + 100, Y0 + 100), (X0 + 1100, Y0 + 100), (X0 + 1100, Y0 + 1100)]
    lines = gpd.GeoDataFrame(
        {
            "highway": ["residential", "residential", "primary"],
            "maxspeed": [None, "30", "60"],
            "oneway": ["no", "no", "yes"],
        },
        geometry=[
            shapely.linestrings([pts[0], pts[1]]),
            shapely.linestrings([pts[1], pts[2]]),
            shapely.linestrings([pts[2], pts[0]]),
        ],
        crs=UTM,
    )
    path = tmp_path / "lines.gpkg"
    lines.to_file(path, layer="roads")
    assert main(["import", str(project), str(path), "--as", "roads"]) == 0
    with Project.open(project) as p:
        layer = p.read_layer("roads").sort_values("highway").reset_index(drop=True)
        network = project_network(p)
    assert list(layer["highway"]) == ["primary", "residential", "residential"]
    assert list(layer["oneway"]) == [1, 0, 0]
    assert layer["maxspeed_kph"].iloc[0] == 60 and sorted(layer["maxspeed_kph"].dropna()) == [
        30,
        60,
    ]
    assert network.n_edges == 5  # two two-way streets and one one-way road
    drive = network.edge_seconds("drive")
    primary = network.road_class == "primary"
    assert drive[primary][0] == pytest.approx(np.hypot(1000, 1000) / (50 / 3.6), rel=1e-3)


OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
{nodes}
  <way id="100"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="name" v="东西路"/></way>
  <way id="101"><nd ref="4"/><nd ref="2"/><nd ref="5"/>
    <tag k="highway" v="secondary"/><tag k="maxspeed" v="40"/><tag k="oneway" v="yes"/></way>
  <way id="102"><nd ref="5"/><nd ref="3"/><nd ref="1"/><nd ref="4"/><tag k="highway" v="service"/></way>
  <way id="103"><nd ref="6"/><nd ref="7"/><nd ref="8"/><nd ref="6"/><tag k="building" v="yes"/></way>
  <way id="104"><nd ref="6"/><nd ref="7"/><tag k="highway" v="proposed"/></way>
</osm>
"""


def _osm_nodes() -> dict[int, tuple[float, float]]:
    d = 0.003
    return {
        1: (LON0 - d, LAT0),
        2: (LON0, LAT0),
        3: (LON0 + d, LAT0),
        4: (LON0, LAT0 - d),
        5: (LON0, LAT0 + d),
        6: (LON0 + d, LAT0 + d),
        7: (LON0 + 2 * d, LAT0 + d),
        8: (LON0 + 2 * d, LAT0 + 2 * d),
    }


def _write_osm(path):
    nodes = "\n".join(
        f'  <node id="{k}" version="1" lat="{lat}" lon="{lon}"/>'
        for k, (lon, lat) in _osm_nodes().items()
    )
    path.write_text(OSM_XML.format(nodes=nodes), encoding="utf-8")
    return path


def _write_pbf(path):
    import osmium

    with osmium.SimpleWriter(str(path)) as writer:
        for k, (lon, lat) in _osm_nodes().items():
            writer.add_node(osmium.osm.mutable.Node(id=k, location=(lon, lat)))
        writer.add_way(
            osmium.osm.mutable.Way(id=100, nodes=[1, 2, 3], tags={"highway": "residential"})
        )
        writer.add_way(
            osmium.osm.mutable.Way(
                id=101, nodes=[4, 2, 5], tags={"highway": "secondary", "oneway": "yes"}
            )
        )
        writer.add_way(
            osmium.osm.mutable.Way(id=102, nodes=[5, 3, 1, 4], tags={"highway": "service"})
        )
        writer.add_way(osmium.osm.mutable.Way(id=103, nodes=[6, 7, 8, 6], tags={"building": "yes"}))
    return path


@pytest.mark.parametrize("writer", [_write_osm, _write_pbf], ids=["osm", "pbf"])
def test_osm_extract_becomes_a_network_with_junctions_where_ways_cross(project, tmp_path, writer):
    suffix = ".osm" if writer is _write_osm else ".osm.pbf"
    path = writer(tmp_path / f"extract{suffix}")
    assert main(["import", str(project), str(path), "--as", "roads"]) == 0
    with Project.open(project) as p:
        layer = p.read_layer("roads")
        network = project_network(p)
        info = json.loads(p.meta["roads"])
    # Ways 100 and 101 cross at node 2 and are split there; the building and the proposed road
    # are not roads. Pieces: 100 → 2, 101 → 2, 102 → 3 (split at 3 and 1, shared with 100).
    assert len(layer) == 7
    assert set(layer["highway"]) == {"residential", "secondary", "service"}
    assert network.n_nodes == 5 and info["nodes"] == 5
    secondary = layer[layer["highway"] == "secondary"]
    assert list(secondary["oneway"]) == [1, 1]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.graphml", b"<graphml><graph><node"),
        ("broken.osm.pbf", b"\x00\x00\x00\x0dnot a pbf at all"),
        ("empty.geojson", b'{"type": "FeatureCollection", "features": []}'),
        ("roads.txt", b"u,v\n1,2\n"),
    ],
)
def test_a_bad_road_file_exits_2_naming_it_and_changes_nothing(
    project, tmp_path, capsys, name, content
):
    good = write_graphml(tmp_path / "good.graphml")
    assert main(["import", str(project), str(good), "--as", "roads"]) == 0
    before = project.read_bytes()
    bad = tmp_path / name
    bad.write_bytes(content)
    capsys.readouterr()
    assert main(["--lang", "en", "import", str(project), str(bad), "--as", "roads"]) == 2
    err = capsys.readouterr().err
    assert name in err
    assert project.read_bytes() == before
