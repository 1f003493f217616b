"""Offline maps: no remote references, layers present when opened in a real headless Chromium
with no network, and names from users' files shown as text, never run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString

from planner.cli import main
from planner.jobs.coverage import run_coverage
from planner.maps import build_map, write_coverage_map, write_routes_map
from planner.store import Project
from routing.matrix import NetworkCost
from routing.network import RoadNetwork, network_from_lines
from tests import browser

HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
ARTIFACTS = Path(__file__).parent / "artifacts"
PROBE = """<script>
window.addEventListener('load', function () {
  var map = Object.values(window).find(function (v) { return v instanceof L.Map; });
  var markers = 0, lines = 0;
  map.eachLayer(function (l) {
    if (l instanceof L.CircleMarker && l.options.pane !== 'population') markers++;
    if (l instanceof L.Polyline && !(l instanceof L.Polygon)) lines++;
  });
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({groups: Object.keys(window.plannerGroups).length,
    markers: markers, lines: lines, title: document.title});
  document.body.appendChild(out);
});
</script>"""


@pytest.fixture
def project(tmp_path) -> Project:
    p = Project.create(tmp_path / "m.planner")
    districts = gpd.GeoDataFrame(
        {"id": ["a", "b"], "name": ["鹿城区", HOSTILE], "population": [1000, 500]},
        geometry=[
            shapely.box(120.60, 27.95, 120.70, 28.05),
            shapely.box(120.70, 27.95, 120.80, 28.05),
        ],
        crs=4326,
    )
    libraries = gpd.GeoDataFrame(
        {
            "id": ["L1", "L2", "L3"],
            "name": ["温州市图书馆", HOSTILE, "书房"],
            "kind": ["central", "study_room", "study_room"],
        },
        geometry=[
            shapely.Point(120.69, 27.99),
            shapely.Point(120.65, 28.0),
            shapely.Point(120.75, 28.0),
        ],
        crs=4326,
    )
    population = gpd.GeoDataFrame(
        {
            "id": [str(i) for i in range(40)],
            "population": [10.0] * 40,
            "district": ["鹿城区"] * 20 + [HOSTILE] * 20,
        },
        geometry=[shapely.Point(120.61 + 0.0045 * i, 28.0) for i in range(40)],
        crs=4326,
    )
    p.write_layer("districts", districts, "districts")
    p.write_layer("libraries", libraries, "libraries")
    p.write_layer("population", population, "population")
    rows = [
        {
            "district": "鹿城区",
            "population_official": 1000,
            "population": 200.0,
            "covered": 150.0,
            "share": 0.75,
        },
        {
            "district": HOSTILE,
            "population_official": 500,
            "population": 200.0,
            "covered": 20.0,
            "share": 0.1,
        },
    ]
    p.add_run(
        "coverage",
        {
            "threshold": 900.0,
            "unit": "s",
            "mode": "walk",
            "cost_source": "straight-line",
            "kinds": ["central", "study_room"],
            "by_district": rows,
            "total": {"population": 400.0, "covered": 170.0, "share": 0.425},
        },
        scenario="baseline",
    )
    stop = {
        "id": "S1",
        "name": HOSTILE,
        "lon": 120.72,
        "lat": 28.02,
        "arrival_min": 560.0,
        "start_min": 570.0,
        "departure_min": 630.0,
        "load_after": 1,
        "action": "serve",
        "detail": "",
    }
    route = {
        "vehicle_id": "bus1",
        "vehicle_name": "书巴1号",
        "depot": {"id": "L1", "name": "温州市图书馆", "lon": 120.69, "lat": 27.99},
        "depart_min": 510,
        "return_min": 700,
        "distance_km": 12.3,
        "duration_h": 3.2,
        "break": None,
        "stops": [stop],
    }
    routes = [dict(route, day=day) for day in ("Mon", "Thu")]
    p.add_run("bookmobile", {"kind": "bookmobile", "routes": routes, "dropped": [], "totals": {}})
    yield p
    p.close()


def _probe(html_path: Path) -> dict:
    page = html_path.with_name("probe-" + html_path.name)
    page.write_text(
        html_path.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
        encoding="utf-8",
    )
    dom = browser.dump_dom(page)
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def _remote_refs(html: str) -> list[str]:
    return re.findall(
        r"<(?:script|link)\b[^>]*(?:src|href)\s*=\s*[\"']?(?:https?:)?//[^\"' >]+", html
    )


def test_coverage_map_is_one_offline_file(project, tmp_path):
    out = write_coverage_map(project, tmp_path / "c.html")
    html = out.read_text(encoding="utf-8")
    assert _remote_refs(html) == []
    assert "file://" not in html  # Leaflet is inlined, not linked to this machine's files
    assert "L.map(" in html


def test_coverage_map_layers_show_in_a_browser_without_network(project, tmp_path):
    out = write_coverage_map(project, tmp_path / "c.html")
    found = _probe(out)
    # districts, population, two library kinds, catchments (routes have maps of their own)
    assert found["groups"] == 5
    assert found["markers"] == 3  # one marker per library
    assert found["title"] != "pwned"
    browser.screenshot(out, ARTIFACTS / "coverage_map.png")


def test_hostile_names_are_shown_as_text_not_run(project, tmp_path):
    for out in (
        write_coverage_map(project, tmp_path / "c.html"),
        write_routes_map(project, "bookmobile", tmp_path / "r.html"),
    ):
        html = out.read_text(encoding="utf-8")
        assert "<script>document.title='pwned'" not in html
        assert 'onerror="document.title' not in html
        assert _probe(out)["title"] != "pwned"


def test_route_map_has_a_layer_per_bus_and_day(project, tmp_path):
    out = write_routes_map(project, "bookmobile", tmp_path / "r.html")
    html = out.read_text(encoding="utf-8")
    assert "书巴1号 周一" in html and "书巴1号 周四" in html
    found = _probe(out)
    assert found["lines"] == 2
    # districts, population, two library kinds, and one group per bus-day
    assert found["groups"] == 2 + 2 + 2
    browser.screenshot(out, ARTIFACTS / "routes_map.png")


def test_map_command_writes_the_file_and_names_a_missing_project(project, tmp_path, capsys):
    out = tmp_path / "cli.html"
    assert main(["map", str(project.path), "--out", str(out)]) == 0
    assert out.is_file()
    missing = tmp_path / "nope.planner"
    assert main(["map", str(missing), "--out", str(out)]) == 2
    assert str(missing) in capsys.readouterr().err


CATCHMENT_PROBE = """<script>
window.addEventListener('load', function () {
  var group = window.plannerGroups['catchments'], polygons = 0;
  if (group) group.eachLayer(function (json) {
    json.eachLayer(function (l) { if (l instanceof L.Polygon) polygons++; });
  });
  var out = document.createElement('pre');
  out.id = 'probe';
  var labels = document.querySelectorAll('.leaflet-control-layers-overlays label');
  out.textContent = JSON.stringify({groups: Object.keys(window.plannerGroups).length,
    polygons: polygons, labels: Array.from(labels).map(function (l) { return l.textContent.trim(); })});
  document.body.appendChild(out);
});
</script>"""


def _roads() -> RoadNetwork:
    """Walkable streets through the fixture's libraries: one along 28.0°N, one south to 27.99°N."""
    return network_from_lines(
        gpd.GeoDataFrame(
            {"highway": ["residential"] * 3},
            geometry=[
                LineString([(120.60, 28.0), (120.69, 28.0)]),
                LineString([(120.69, 28.0), (120.80, 28.0)]),
                LineString([(120.69, 27.99), (120.69, 28.0)]),
            ],
            crs=4326,
        )
    )


def test_network_coverage_map_draws_the_road_network_catchment(project, tmp_path):
    run_coverage(
        project,
        threshold=900.0,
        mode="walk",
        scenario="network",
        cost=NetworkCost(_roads(), "walk"),
    )
    out = write_coverage_map(project, tmp_path / "n.html", scenario="network")
    dom = browser.dump_dom(_with_probe(out, CATCHMENT_PROBE))
    found = json.loads(
        re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S).group(1).replace("&quot;", '"')
    )
    # districts, population, two library kinds, the road-network catchment (one polygon)
    assert found["groups"] == 5 and found["polygons"] == 1
    assert "路网服务范围（步行 15 分钟）" in found["labels"]
    assert not any(label.startswith("服务半径") for label in found["labels"])  # no circles


def test_network_catchment_layer_is_named_in_english_and_straight_line_runs_keep_circles(
    project,
):
    run_coverage(
        project,
        threshold=600.0,
        mode="walk",
        scenario="network",
        cost=NetworkCost(_roads(), "walk"),
    )
    layers = build_map(project, lang="en", scenario="network", catchments=True).layers
    labels = {layer.key: layer.label for layer in layers}
    assert labels["catchments"] == "Road-network catchment (Walk, 10 min)"
    layers = build_map(project, lang="en", scenario="baseline", catchments=True).layers
    assert {layer.key: layer.label for layer in layers}["catchments"].startswith(
        "Catchments (about"
    )


def _with_probe(html_path: Path, script: str) -> Path:
    page = html_path.with_name("probe-" + html_path.name)
    page.write_text(
        html_path.read_text(encoding="utf-8").replace("</body>", script + "</body>"),
        encoding="utf-8",
    )
    return page
