"""Issue 12's done-when: a project built only with `planner new` and `planner import` (districts,
a GeoTIFF population, libraries, a GraphML road network with a river crossed by one bridge);
coverage along the roads counts nobody on the far bank, straight lines do. And `--travel` on
every job, the cost source in every result, matrices cached in the project."""

from __future__ import annotations

import json

import numpy as np
import pytest

from planner.cli import main
from planner.store import Project
from tests.support.river_town import write_town


@pytest.fixture(scope="module")
def town_project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("town")
    town = write_town(folder)
    project = folder / "town.planner"
    assert main(["new", str(project)]) == 0
    assert main(["import", str(project), str(town.districts), "--as", "districts"]) == 0
    assert main(["import", str(project), str(town.raster), "--as", "population"]) == 0
    assert main(["import", str(project), str(town.libraries), "--as", "libraries"]) == 0
    assert main(["import", str(project), str(town.candidates), "--as", "candidates"]) == 0
    assert main(["import", str(project), str(town.roads), "--as", "roads"]) == 0
    return project, town


def _coverage(project, tmp_path, *extra):
    out = tmp_path / "out.json"
    args = ["coverage", str(project), "--mode", "walk", "--threshold", "600", "--json", str(out)]
    assert main([*args, *extra]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_river_far_bank_is_not_covered_along_the_roads(town_project, tmp_path):
    project, town = town_project
    network = _coverage(project, tmp_path)
    straight = _coverage(project, tmp_path, "--travel", "straight")
    assert network["cost_source"] == "network"
    assert straight["cost_source"] == "straight-line"
    by_net = {r["district"]: r for r in network["by_district"]}
    by_line = {r["district"]: r for r in straight["by_district"]}
    assert by_net["东岸"]["covered"] == 0  # the bridge is 1.8 km away: 600 s walk is 800 m
    assert by_line["东岸"]["covered"] > 0  # 200 m across the water as the crow flies
    assert by_net["西岸"]["covered"] > 0
    for key in ("by_district", "total", "equity", "threshold", "unit", "mode", "kinds"):
        assert key in network
    # the imported population is the raster's valid sum
    assert network["total"]["population"] == pytest.approx(town.valid_sum, rel=1e-6)


def test_cost_source_is_stored_and_matrices_are_cached(town_project, tmp_path):
    project, _ = town_project
    _coverage(project, tmp_path)
    with Project.open(project) as p:
        run = p.latest_run("coverage")
        assert run["cost_source"] == "network"
        assert run["result"]["cost_source"] == "network"
        assert run["params"]["travel"] == "network"
        cached = p.db.execute("select count(*) from cache where key like 'matrix:%'").fetchone()[0]
    assert cached > 0


def test_a_new_road_network_replaces_the_old_and_drops_cached_matrices(tmp_path):
    from tests.support.river_town import write_graphml

    town = write_town(tmp_path / "files")
    project = tmp_path / "p.planner"
    main(["new", str(project)])
    for path, role in (
        (town.districts, "districts"),
        (town.raster, "population"),
        (town.libraries, "libraries"),
        (town.roads, "roads"),
    ):
        assert main(["import", str(project), str(path), "--as", role]) == 0
    before = _coverage(project, tmp_path)
    # a second bridge right by the library: now the far bank is within reach
    bridged = write_graphml(tmp_path / "bridged.graphml", bridge_rows=(0, 19))
    assert main(["import", str(project), str(bridged), "--as", "roads"]) == 0
    with Project.open(project) as p:
        assert p.db.execute("select count(*) from cache").fetchone()[0] == 0
        assert len([layer for layer in p.layers() if layer.name == "roads"]) == 1
    after = _coverage(project, tmp_path)
    east = {r["district"]: r["covered"] for r in after["by_district"]}["东岸"]
    assert {r["district"]: r["covered"] for r in before["by_district"]}["东岸"] == 0
    assert east > 0


def test_travel_network_without_roads_is_a_plain_error(tmp_path, capsys):
    town = write_town(tmp_path / "files")
    project = tmp_path / "p.planner"
    main(["new", str(project)])
    main(["import", str(project), str(town.raster), "--as", "population"])
    main(["import", str(project), str(town.libraries), "--as", "libraries"])
    capsys.readouterr()
    args = ["--lang", "en", "coverage", str(project), "--travel", "network"]
    assert main(args) == 2
    assert "road network" in capsys.readouterr().err
    # without roads the default is straight lines
    out = _coverage(project, tmp_path)
    assert out["cost_source"] == "straight-line"


def test_siting_on_the_project_through_the_job_is_the_plan_scenario(town_project, tmp_path):
    project, _ = town_project
    out = tmp_path / "siting.json"
    args = [
        "siting",
        str(project),
        "--model",
        "mclp",
        "--p",
        "1",
        "--threshold",
        "600",
        "--seconds",
        "10",
        "--json",
        str(out),
    ]
    assert main(args) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["cost_source"] == "network"
    assert len(result["selected"]) == 1
    assert result["total_after"]["covered"] > result["total_before"]["covered"]
    with Project.open(project) as p:
        assert p.latest_run("siting")["cost_source"] == "network"
        plan = p.latest_run("coverage", "plan")
        assert plan["result"]["cost_source"] == "network"
    html = tmp_path / "plan.html"
    assert main(["map", str(project), "--scenario", "plan", "--out", str(html)]) == 0
    assert html.stat().st_size > 0


def test_leg_path_follows_the_roads_over_the_bridge(town_project):
    from pyproj import Transformer

    from planner.network import leg_path, travel_cost
    from tests.support.river_town import RIVER_COL, cell_centre

    project, _ = town_project
    with Project.open(project) as p:
        cost = travel_cost(p, "walk")
        a, b = cell_centre(RIVER_COL - 1, 0), cell_centre(RIVER_COL + 1, 0)
        path = leg_path(cost, a, b)
        seconds = cost.matrix(np.array([a]), np.array([b]))[0, 0]
    to_utm = Transformer.from_crs(4326, cost.crs, always_xy=True)
    x, y = to_utm.transform(*np.array(path).T)
    assert y.max() > cell_centre(0, 18)[1]  # up to the bridge in the top row
    length = np.hypot(np.diff(x), np.diff(y)).sum()
    assert length == pytest.approx(seconds * 4.8 / 3.6, rel=0.02)  # the path is the cost's route
    assert np.allclose([x[0], y[0]], a, atol=0.5) and np.allclose([x[-1], y[-1]], b, atol=0.5)


def test_gui_forms_offer_network_or_straight_and_the_job_uses_it(town_project, qtbot):
    from models.control import Control
    from ui.job_forms import BookmobileForm, CourierForm, CoverageForm, SitingForm

    project, _ = town_project
    forms = [CoverageForm(), SitingForm(), BookmobileForm(), CourierForm()]
    for form in forms:
        qtbot.addWidget(form)
        assert [form.travel.itemData(i) for i in range(form.travel.count())] == [
            None,
            "network",
            "straight",
        ]
    coverage_form = forms[0]
    coverage_form.travel.setCurrentIndex(coverage_form.travel.findData("straight"))
    job = coverage_form.job(project)
    with Project.open(project) as p:
        assert job.fn(p, Control())["cost_source"] == "straight-line"
    coverage_form.travel.setCurrentIndex(coverage_form.travel.findData(None))
    with Project.open(project) as p:
        assert coverage_form.job(project).fn(p, Control())["cost_source"] == "network"
