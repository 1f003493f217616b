"""Offline maps: no remote references, layers present when opened in a real headless Chromium
with no network, and names from users' files shown as text, never run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
from shapely.geometry import LineString

from planner.cli import main
from planner.i18n import text
from planner.jobs.coverage import run_coverage
from planner.map_layers import route_path
from planner.maps import (
    build_map,
    map_for_run,
    project_roads_lines,
    write_coverage_map,
    write_routes_map,
)
from planner.run_titles import run_title
from planner.store import Project
from routing.matrix import NetworkCost
from routing.network import RoadNetwork, network_from_lines
from tests.support import browser
from tests.support.paths import ARTIFACTS
from tests.support.projects import HOSTILE

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


def test_coverage_map_is_one_offline_file(map_project, tmp_path):
    out = write_coverage_map(map_project, tmp_path / "c.html")
    html = out.read_text(encoding="utf-8")
    assert _remote_refs(html) == []
    assert "file://" not in html  # Leaflet is inlined, not linked to this machine's files
    assert "L.map(" in html


def test_coverage_map_layers_show_in_a_browser_without_network(map_project, tmp_path):
    out = write_coverage_map(map_project, tmp_path / "c.html")
    found = _probe(out)
    # districts, population, two library kinds, catchments (routes have maps of their own)
    assert found["groups"] == 5
    assert found["markers"] == 3  # one marker per library
    assert found["title"] != "pwned"
    browser.screenshot(out, ARTIFACTS / "coverage_map.png")


def test_hostile_names_are_shown_as_text_not_run(map_project, tmp_path):
    for out in (
        write_coverage_map(map_project, tmp_path / "c.html"),
        write_routes_map(map_project, "bookmobile", tmp_path / "r.html"),
    ):
        html = out.read_text(encoding="utf-8")
        assert "<script>document.title='pwned'" not in html
        assert 'onerror="document.title' not in html
        assert _probe(out)["title"] != "pwned"


def test_route_map_has_a_layer_per_bus_and_day(map_project, tmp_path):
    out = write_routes_map(map_project, "bookmobile", tmp_path / "r.html")
    html = out.read_text(encoding="utf-8")
    assert "书巴1号 周一" in html and "书巴1号 周四" in html
    found = _probe(out)
    assert found["lines"] == 2
    # districts, population, two library kinds, and one group per bus-day
    assert found["groups"] == 2 + 2 + 2
    browser.screenshot(out, ARTIFACTS / "routes_map.png")


def test_map_command_writes_the_file_and_names_a_missing_project(map_project, tmp_path, capsys):
    out = tmp_path / "cli.html"
    assert main(["map", str(map_project.path), "--out", str(out)]) == 0
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


def test_network_coverage_map_draws_the_road_network_catchment(map_project, tmp_path):
    run_coverage(
        map_project,
        threshold=900.0,
        mode="walk",
        scenario="network",
        cost=NetworkCost(_roads(), "walk"),
    )
    out = write_coverage_map(map_project, tmp_path / "n.html", scenario="network")
    dom = browser.dump_dom(_with_probe(out, CATCHMENT_PROBE))
    found = json.loads(
        re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S).group(1).replace("&quot;", '"')
    )
    # districts, population, two library kinds, the road-network catchment (one polygon)
    assert found["groups"] == 5 and found["polygons"] == 1
    assert "路网服务范围（步行 15 分钟）" in found["labels"]
    assert not any(label.startswith("服务半径") for label in found["labels"])  # no circles


def test_network_catchment_layer_is_named_in_english_and_straight_line_runs_keep_circles(
    map_project,
):
    run_coverage(
        map_project,
        threshold=600.0,
        mode="walk",
        scenario="network",
        cost=NetworkCost(_roads(), "walk"),
    )
    layers = build_map(map_project, lang="en", scenario="network", catchments=True).layers
    labels = {layer.key: layer.label for layer in layers}
    assert labels["catchments"] == "Road-network catchment (Walk, 10 min)"
    layers = build_map(map_project, lang="en", scenario="baseline", catchments=True).layers
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


# ---- which run a map shows (issue 18 item 1) ------------------------------------------------


def _page_data(html_path: Path) -> dict:
    html = html_path.read_text(encoding="utf-8")
    found = re.search(
        r'<script type="application/json" id="planner-data">(.*?)</script>', html, re.S
    )
    return json.loads(found.group(1))


def _district_colours(data: dict) -> dict[str, str]:
    group = next(g for g in data["groups"] if g["key"] == "districts")
    return group["items"][0]["fill_by"]["colours"]


def _coverage_rows(share_a: float, share_b: float) -> dict:
    rows = [
        {"district": "鹿城区", "population": 100.0, "covered": 100 * share_a, "share": share_a},
        {"district": HOSTILE, "population": 100.0, "covered": 100 * share_b, "share": share_b},
    ]
    return {
        "threshold": 300.0,
        "unit": "s",
        "mode": "walk",
        "cost_source": "network",
        "by_district": rows,
        "total": {"population": 200.0, "covered": 100 * (share_a + share_b), "share": 0.5},
    }


LEGEND_PROBE = """<script>
window.addEventListener('load', function () {
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({legend: document.querySelector('.planner-legend').textContent,
                                    title: document.title});
  document.body.appendChild(out);
});
</script>"""


def test_map_shows_the_latest_coverage_run_of_any_name_or_the_run_picked(map_project, tmp_path):
    plan = map_project.add_run("coverage", _coverage_rows(0.9, 0.9), scenario="plan")
    latest = map_project.add_run("coverage", _coverage_rows(0.0, 1.0), scenario="10分钟")
    out = tmp_path / "latest.html"
    assert main(["map", str(map_project.path), "--out", str(out)]) == 0
    colours = _district_colours(_page_data(out))
    assert colours["鹿城区"] != colours[HOSTILE]  # 0 % and 100 %: the newest run, not the plan
    dom = browser.dump_dom(_with_probe(out, LEGEND_PROBE))
    found = json.loads(
        re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
        .group(1)
        .replace("&quot;", '"')
        .replace("&amp;", "&")
    )
    for part in (f"#{latest}", "10分钟", "步行 5 分钟", "路网"):
        assert part in found["legend"], part
    assert "10分钟" in found["title"]
    picked = tmp_path / "picked.html"
    assert main(["map", str(map_project.path), "--out", str(picked), "--run", str(plan)]) == 0
    colours = _district_colours(_page_data(picked))
    assert colours["鹿城区"] == colours[HOSTILE]  # 90 % both: the plan run
    assert f"#{plan}" in _page_data(picked)["legend"]["lines"][0]
    by_name = tmp_path / "by-name.html"
    assert main(["map", str(map_project.path), "--out", str(by_name), "--scenario", "baseline"]) == 0
    assert _district_colours(_page_data(by_name))["鹿城区"] != colours["鹿城区"]


def test_map_of_a_siting_run_shows_its_plan_and_new_sites(map_project, tmp_path):
    plan = map_project.add_run("coverage", _coverage_rows(0.2, 0.8), scenario="plan")
    site = {"id": "C1", "name": "{{ 7*7 }}", "lon": 120.66, "lat": 28.01}
    siting = map_project.add_run(
        "siting",
        {"model": "mclp", "p": 1, "selected": [site], "plan_run_id": plan, "threshold": 300.0},
        scenario="plan",
    )
    page = map_for_run(map_project, siting)
    assert page.run["id"] == siting
    assert {layer.key for layer in page.layers} >= {"districts", "selected"}
    colours = _district_colours({"groups": page.groups})
    assert colours["鹿城区"] != colours[HOSTILE]
    star = next(g for g in page.groups if g["key"] == "selected")["items"][0]
    assert star["tip"].endswith("{{ 7*7 }}")
    # The latest coverage run (the plan) is the default map, and it names its siting run's sites.
    assert map_for_run(map_project, None).run["id"] == plan
    assert "selected" in {layer.key for layer in map_for_run(map_project, None).layers}


def test_map_run_option_names_a_missing_or_unmappable_run(map_project, tmp_path, capsys):
    out = tmp_path / "x.html"
    assert main(["map", str(map_project.path), "--out", str(out), "--run", "999"]) == 2
    assert "999" in capsys.readouterr().err
    other = map_project.add_run("matrix", {"n": 1})
    assert (
        main(["--lang", "en", "map", str(map_project.path), "--out", str(out), "--run", str(other)])
        == 2
    )
    assert "--run" in capsys.readouterr().err
    assert main(["map", str(map_project.path), "--out", str(out), "--scenario", "nope"]) == 2
    assert "--scenario" in capsys.readouterr().err
    assert not out.exists()
    bus = map_project.latest_run("bookmobile")["id"]
    assert main(["map", str(map_project.path), "--out", str(out), "--run", str(bus)]) == 0
    data = _page_data(out)
    keys = [g["key"] for g in data["groups"]]
    assert "bookmobile:bus1:Mon" in keys and "bookmobile:bus1:Thu" in keys
    assert f"#{bus}" in data["legend"]["lines"][0] and _district_colours(data)  # still coloured


# ---- routes along the roads and the main-roads base layer (issue 12 item 5) ----------------

ROUTE_PROBE = """<script>
window.addEventListener('load', function () {
  var vertices = [];
  plannerMap.eachLayer(function (l) {
    if (l instanceof L.Polyline && !(l instanceof L.Polygon) && l.options.interactive !== false
        && l.feature === undefined) vertices.push(l.getLatLngs().length);
  });
  var labels = Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
    .map(function (l) { return l.textContent.trim(); });
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({vertices: vertices.sort(), labels: labels,
    roads: window.plannerGroups.roads ? window.plannerGroups.roads.getLayers().length : 0});
  document.body.appendChild(out);
});
</script>"""


def _probe_with(html_path: Path, script: str) -> dict:
    dom = browser.dump_dom(_with_probe(html_path, script))
    return json.loads(
        re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
        .group(1)
        .replace("&quot;", '"')
        .replace("&amp;", "&")
    )


def test_routes_follow_the_stored_road_path_and_main_roads_are_a_switchable_layer(
    map_project, tmp_path
):
    run = map_project.latest_run("bookmobile")["result"]
    road = [[120.69, 27.99], [120.70, 27.995], [120.71, 28.0], [120.72, 28.02],
            [120.71, 28.01], [120.69, 27.99]]  # fmt: skip
    run["routes"][0]["path"] = road  # Mon along the roads; Thu stays straight
    map_project.add_run("bookmobile", run)
    roads = gpd.GeoDataFrame(
        {"highway": ["primary", "residential", "motorway_link", "['trunk', 'unclassified']"]},
        geometry=[
            LineString([(120.60 + 0.001 * i, 28.0 + 0.0001 * (i % 2)) for i in range(200)]),
            LineString([(120.65, 27.96), (120.65, 28.04)]),
            LineString([(120.70, 27.96), (120.75, 28.04)]),
            LineString([(120.61, 27.96), (120.79, 27.96)]),
        ],
        crs=4326,
    )
    map_project.write_layer("roads", roads, "roads")
    lines = project_roads_lines(map_project)
    assert sorted(lines["highway"]) == ["motorway", "primary", "trunk"]  # no residential
    assert len(lines.geometry.iloc[list(lines["highway"]).index("primary")].coords) < 20
    out = write_routes_map(map_project, "bookmobile", tmp_path / "r.html")
    found = _probe_with(out, ROUTE_PROBE)
    # Mon: the road path's 6 points; Thu: depot → stop → depot straight.
    assert found["vertices"] == [3, 6]
    assert "主要道路" in found["labels"] and found["roads"] == 3
    assert out.stat().st_size < 1_000_000


def test_broken_paths_fall_back_to_straight_segments():
    depot = {"id": "D", "lon": 120.0, "lat": 28.0}
    stop = {
        "id": "S",
        "lon": 120.1,
        "lat": 28.1,
        "path": [[120.0, 28.0], [120.05, 28.2], [120.1, 28.1]],
    }
    route = {"depot": depot, "stops": [stop], "return_path": [[120.1, 28.1], ["x", 1]]}
    assert route_path(route) == [[28.0, 120.0], [28.2, 120.05], [28.1, 120.1], [28.0, 120.0]]
    route["path"] = [[120.0, float("nan")], [120.1, 28.1]]
    assert route_path(route)[1] == [28.2, 120.05]  # the whole-route path is not finite: unused


# ---- projects with empty layers (issue 19) -----------------------------------------------------


def test_maps_of_a_project_with_empty_layers_open_without_error(tmp_path):
    path = tmp_path / "empty.planner"
    with Project.create(path) as p:
        for role in ("districts", "libraries", "population", "stops", "candidates"):
            empty = gpd.GeoDataFrame(
                {"id": [], "name": [], "kind": [], "population": []},
                geometry=gpd.GeoSeries([], crs=4326),
                crs=4326,
            )
            p.write_layer(role, empty, role)
        p.add_run("coverage", {"threshold": 900.0, "mode": "walk", "by_district": [], "total": {}})
    out = tmp_path / "e.html"
    assert main(["map", str(path), "--out", str(out)]) == 0
    assert main(["map", str(path), "--routes", "courier", "--out", str(tmp_path / "c.html")]) == 0
    seen = browser.watch_page(out, "Object.keys(plannerGroups).length")
    # districts, population, candidates, stops: empty groups (libraries are grouped by kind)
    assert seen.errors == [] and seen.dialogs == [] and seen.probe == 4


def test_an_output_path_that_cannot_be_written_is_a_plain_error(map_project, tmp_path, capsys):
    in_the_way = tmp_path / "folder.html"
    in_the_way.mkdir()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    for out in (in_the_way, a_file / "map.html", tmp_path / ("长" * 100 + ".html")):
        assert main(["map", str(map_project.path), "--out", str(out)]) == 2, out
        err = capsys.readouterr().err
        assert "Traceback" not in err and str(out.name)[:20] in err
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("m.planner"))
    assert left == ["file.txt", "folder.html"]  # no temporary or partial file left behind


def test_a_route_map_names_its_route_run_not_the_coverage_run(map_project, tmp_path):
    bus = map_project.latest_run("bookmobile")["id"]
    page = build_map(map_project, routes="bookmobile")
    assert page.run["id"] == bus and page.legend["lines"][0] == run_title(page.run, "zh")
    assert page.legend["lines"][0].startswith(f"#{bus} ")
    assert page.legend["title"] == text("map_title_bookmobile", "zh")
    colours_by = page.legend["lines"][1]  # the run the districts are coloured by
    assert colours_by.endswith("「baseline」 · 步行 15 分钟 · 直线距离估算")
    assert build_map(map_project, routes="courier").legend["lines"][0] == text("map_no_run", "zh")
