"""Runs stored by earlier versions (only the keys those versions wrote) and by later ones (keys
this version does not know) still open in every view: the map, the report, the timetable
workbook, the run titles and the window's results and compare panels."""

from __future__ import annotations

import geopandas as gpd
import openpyxl
import pytest
import shapely

from planner.jobs.bookmobile_contract import BookmobileResult
from planner.jobs.courier import CourierResult
from planner.jobs.courier_week import CourierWeekResult
from planner.jobs.coverage import CoverageResult
from planner.maps import _share_colour, build_map, map_for_run
from planner.report import build_report
from planner.run_results import route_result, typed_result
from planner.run_titles import run_title
from planner.store import Project
from planner.timetable import write_timetable_xlsx
from ui.compare import entries
from ui.results import ResultsPanel, run_html

ROWS = [  # before population_official was stored
    {"district": "鹿城区", "population": 200.0, "covered": 85.0, "share": 0.425},
    {"district": "龙湾区", "population": 100.0, "covered": 10.0, "share": 0.1},
]
STOP = {"id": "S1", "name": "老街站", "lon": 120.66, "lat": 28.0, "arrival_min": 560.0,
        "start_min": 570.0, "departure_min": 630.0, "load_after": 1, "action": "serve"}
ROUTE = {"vehicle_id": "bus1", "vehicle_name": "书巴1号", "day": "Tue",
         "depot": {"id": "L1", "name": "温州市图书馆", "lon": 120.69, "lat": 27.99},
         "depart_min": 510, "return_min": 700, "distance_km": 12.3, "duration_h": 3.2,
         "break": None, "stops": [STOP]}


@pytest.fixture
def project(tmp_path) -> Project:
    """A real project with runs of every kind written as an earlier version stored them."""
    p = Project.create(tmp_path / "old.planner")
    p.write_layer("districts", gpd.GeoDataFrame(
        {"id": ["a", "b"], "name": ["鹿城区", "龙湾区"], "population": [1000, 500]},
        geometry=[shapely.box(120.60, 27.95, 120.70, 28.05), shapely.box(120.70, 27.95, 120.80, 28.05)],
        crs=4326), "districts")
    p.write_layer("libraries", gpd.GeoDataFrame(
        {"id": ["L1"], "name": ["温州市图书馆"], "kind": ["central"]},
        geometry=[shapely.Point(120.69, 27.99)], crs=4326), "libraries")
    p.write_layer("population", gpd.GeoDataFrame(
        {"id": ["1", "2"], "population": [200.0, 100.0], "district": ["鹿城区", "龙湾区"]},
        geometry=[shapely.Point(120.65, 28.0), shapely.Point(120.75, 28.0)], crs=4326), "population")
    # Coverage before unit, cost_source, kinds, palma and the Theil split; one key from later.
    p.add_run("coverage", {
        "threshold": 900.0, "mode": "walk", "by_district": ROWS,
        "total": {"population": 300.0, "covered": 95.0, "share": 0.3167},
        "equity": {"gini": 0.21, "theil": 0.08, "worst_district": "龙湾区", "worst_share": 0.1, "p90_cost": 1200.0},
        "future_figure": {"x": 1},
    }, scenario="baseline", params={"threshold": 900.0, "mode": "walk"})
    # Siting before parameters, n_opened, covered_share and the age groups; rows with a later key.
    p.add_run("siting", {
        "model": "mclp", "p": 1, "threshold": 900.0, "mode": "walk",
        "selected": [{"id": "C1", "name": "新址", "district": "龙湾区", "lon": 120.75, "lat": 28.0}],
        "before": ROWS, "after": [dict(r, share=0.9, later_key=True) for r in ROWS],
        "total_before": {"population": 300.0, "share": 0.3167}, "total_after": {"population": 300.0, "share": 0.9},
        "optimal": True, "gap": 0.0, "plan_run_id": None,
    }, scenario="plan", params={"model": "mclp", "p": 1})
    # A phased plan before optimal, budget_note and the years' run ids.
    p.add_run("plan", {"years": [{"year": 2027, "opened": ["C1"], "cost": 1.5, "covered": 270.0,
                                  "covered_share": 0.9, "worst_district": "鹿城区"}],
                       "objective": 270.0, "gap": 0.0})
    # A bookmobile week before dated visits, buses and the dropped rows' stop/visits keys.
    p.add_run("bookmobile", {"kind": "bookmobile", "routes": [ROUTE],
                             "dropped": [{"id": "S2", "name": "远村站", "reason_zh": "太远", "reason_en": "too far"}],
                             "totals": {"served": 1, "asked": 2, "distance_km": 12.3, "duration_h": 3.2, "dropped": 1}})
    # A courier day before both plans' routes, flows and notes were kept.
    p.add_run("courier", {"kind": "courier", "day": "Tue", "routes": [dict(ROUTE, vehicle_name="物流车")],
                          "totals": {"distance_km": 8.0, "duration_h": 2.0, "dropped": 0}, "dropped": [],
                          "comparison": {"direct": {"vehicles": 1, "distance_km": 8.0, "duration_h": 2.0,
                                                    "served": 3, "shipments": 3, "dropped": 0},
                                         "chosen": "direct"}})
    yield p
    p.close()


def _coverage_id(project: Project) -> int:
    return project.latest_run("coverage")["id"]


def test_every_old_run_loads_as_its_typed_result(project):
    kinds = {run["kind"]: typed_result(run) for run in project.runs()}
    coverage = kinds["coverage"]
    assert isinstance(coverage, CoverageResult)
    assert coverage.unit == "s" and coverage.cost_source == "straight-line" and coverage.equity.palma is None
    assert [r.population_official for r in coverage.by_district] == [None, None]
    assert kinds["siting"].parameters == {"p": 1} and kinds["siting"].n_opened == 1
    assert kinds["plan"].years[0].run_id is None and kinds["plan"].optimal
    assert isinstance(kinds["bookmobile"], BookmobileResult) and kinds["bookmobile"].dropped[0].stop == "S2"
    assert isinstance(kinds["courier"], CourierResult) and kinds["courier"].plans == {}
    assert all(result.run_id == run["id"] for run, result in zip(project.runs(), kinds.values(), strict=True))


def test_a_later_versions_keys_are_ignored_and_the_written_json_keeps_its_keys():
    week = {"kind": "courier", "mode": "week", "days": [], "items": [], "turnaround_days": {"mean": 1.0},
            "van_km": 10.0, "cost_per_item": 0.5, "routes": [], "totals": {}, "check": {}, "new_in_v9": [1]}
    result = CourierWeekResult.from_json(week)
    assert result.van_km == 10.0 and "new_in_v9" not in result.to_json()
    assert set(CourierWeekResult.from_json(result.to_json()).to_json()) == set(result.to_json())


def test_old_runs_open_in_the_map(project):
    page = map_for_run(project, _coverage_id(project), lang="zh")
    districts = next(g for g in page.groups if g["key"] == "districts")["items"][0]
    assert districts["fill_by"]["colours"] == {"鹿城区": _share_colour(0.425), "龙湾区": _share_colour(0.1)}
    siting = project.latest_run("siting")  # no plan run: its own "after" colours the districts
    after = next(g for g in map_for_run(project, siting["id"]).groups if g["key"] == "districts")["items"][0]
    assert after["fill_by"]["colours"] == {"鹿城区": _share_colour(0.9), "龙湾区": _share_colour(0.9)}
    for kind in ("bookmobile", "courier"):
        routes = build_map(project, routes=kind)
        assert any(g["key"].startswith(f"{kind}:bus1") for g in routes.groups), kind


def test_old_runs_open_in_the_report(project):
    html = build_report(project, "en", maps=False)
    assert "42.5%" in html and "0.210" in html and "20.0" in html  # districts, Gini, p90 in minutes
    assert "+47.5" in html and "新址" in html  # the plan's change for 鹿城区 and its new site
    assert "书巴1号" in html and "物流车" in html and "too far" in html


def test_an_old_bookmobile_run_opens_as_a_timetable(project, tmp_path):
    result = route_result(project.latest_run("bookmobile"))
    wb = openpyxl.load_workbook(write_timetable_xlsx(result, tmp_path / "old.xlsx", "zh"))
    assert "书巴1号" in wb.sheetnames
    values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert {"老街站", "远村站", "太远", "09:20"} <= values


def test_old_runs_open_in_the_results_and_compare_panels(project, qtbot):
    runs = project.runs()
    pages = {run["kind"]: run_html(run) for run in runs}
    assert "42.5%" in pages["coverage"] and "0.210" in pages["coverage"]
    assert "p = 1" in pages["siting"] and "90.0%" in pages["siting"] and "新址" in pages["siting"]
    assert "2027" in pages["plan"] and "书巴1号" in pages["bookmobile"] and "远村站" in pages["bookmobile"]
    assert "物流车" in pages["courier"]
    assert all(f"#{run['id']}" in run_title(run, "zh") for run in runs)
    assert "15" in run_title(project.run(_coverage_id(project)), "zh")  # 15 minutes' walk
    families = [e.family for e in entries(runs)]
    assert families.count("coverage") == 3 and "timeline" in families and families.count("routes") == 2
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_runs(runs, _coverage_id(project))
    assert "42.5%" in panel.shown_html()
