"""The bookmobile week on a small real project: frequencies, allowed days and spacing kept,
what cannot be served reported with its reason, timetables written."""

from __future__ import annotations

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely

from planner.cli import main
from planner.jobs.bookmobile import run_bookmobile_week
from planner.store import Project
from planner.timetable import write_timetable_xlsx

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]


def _stop(i, lon, lat, **kw):
    base = {"id": f"s{i}", "name": f"停靠点{i}", "kind": "community", "tw_start": "09:00", "tw_end": "16:00",
            "service_min": 60, "visits_per_week": 1, "allowed_days": "Mon,Tue,Wed,Thu,Fri", "load_crates": 1,
            "priority": 1, "allowed_vehicles": "", "geometry": shapely.Point(lon, lat)}
    base.update(kw)
    return base


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    path = tmp_path_factory.mktemp("bm") / "bm.planner"
    p = Project.create(path)
    libs = gpd.GeoDataFrame(
        {"id": ["C", "R"], "name": ["温州市图书馆", "瑞安市图书馆"], "kind": ["central", "district"]},
        geometry=[shapely.Point(120.692, 27.994), shapely.Point(120.655, 27.779)], crs=4326,
    )
    stops = [
        _stop(1, 120.75, 28.02, visits_per_week=2, tw_start="15:30", tw_end="17:30", kind="school"),
        _stop(2, 120.62, 27.95, visits_per_week=2),
        _stop(3, 120.70, 27.85, allowed_days="Tue,Thu"),
        _stop(4, 120.60, 27.80, tw_start="11:30", tw_end="13:30", kind="firm"),
        _stop(5, 120.66, 27.76, visits_per_week=2, allowed_days="Mon,Tue,Wed,Thu,Fri"),
        _stop(6, 120.72, 27.90, tw_start="10:00", tw_end="10:30", service_min=60),  # window shorter than the stay
        _stop(7, 121.90, 27.00, tw_start="09:00", tw_end="09:30", service_min=20),  # far out at sea: unreachable in time
        _stop(8, 120.68, 28.00, visits_per_week=3, allowed_days="Mon,Tue"),  # 3 a week on 2 days: impossible
    ]
    p.write_layer("libraries", libs, "libraries")
    p.write_layer("stops", gpd.GeoDataFrame(stops, crs=4326), "stops")
    p.write_table("bookmobiles", pd.DataFrame([
        {"id": "bus1", "name": "书巴1号", "depot_id": "C", "shift_start": "08:30", "shift_end": "17:30",
         "break_start": "11:30", "break_end": "13:30", "break_min": 60, "days": "Mon,Tue,Wed,Thu,Fri", "capacity_crates": 12},
        {"id": "bus2", "name": "书巴2号", "depot_id": "R", "shift_start": "08:30", "shift_end": "17:30",
         "break_start": "11:30", "break_end": "13:30", "break_min": 60, "days": "Tue,Wed,Thu,Fri,Sat", "capacity_crates": 12},
    ]), role="bookmobiles")
    result = run_bookmobile_week(p, time_limit_s=4, solution_limit=400)
    yield p, result
    p.close()


def test_each_stop_gets_its_visits_on_allowed_days_spread_apart(project):
    _, result = project
    days: dict[str, list[int]] = {}
    for route in result["routes"]:
        for stop in route["stops"]:
            days.setdefault(stop["id"], []).append(DAYS.index(route["day"]) if route["day"] in DAYS else 5)
    assert sorted(days) == ["s1", "s2", "s3", "s4", "s5"]
    for stop_id in ("s1", "s2", "s5"):
        a, b = sorted(days[stop_id])
        assert b - a >= 2, (stop_id, days[stop_id])
    assert {DAYS[d] for d in days["s3"]} <= {"Tue", "Thu"}


def test_stops_that_cannot_be_served_say_why(project):
    _, result = project
    reasons = {d["id"]: d["reason_en"] for d in result["dropped"]}
    assert "shorter than the service time" in reasons["s6"]
    assert "no depot can reach it" in reasons["s7"]
    assert "cannot hold 3 visits" in reasons["s8"]
    assert all(d["reason_zh"] for d in result["dropped"])


def test_service_starts_inside_windows_and_lunch_is_taken(project):
    _, result = project
    for route in result["routes"]:
        for stop in route["stops"]:
            if stop["id"] == "s1":
                assert stop["start_min"] >= 15.5 * 60 - 1e-6 and stop["departure_min"] <= 17.5 * 60 + 1e-6
        if route["break"] is not None:
            assert 11.5 * 60 - 1e-6 <= route["break"]["start_min"] <= 13.5 * 60 + 1e-6


def test_week_is_stored_and_repeatable_with_a_solution_limit(project):
    p, result = project
    assert p.latest_run("bookmobile")["result"]["totals"] == result["totals"]
    again = run_bookmobile_week(p, time_limit_s=4, solution_limit=400)
    assert again["routes"] == result["routes"]


def test_timetable_has_one_sheet_per_bus(project, tmp_path):
    _, result = project
    wb = openpyxl.load_workbook(write_timetable_xlsx(result, tmp_path / "t.xlsx"))
    buses = {r["vehicle_name"] for r in result["routes"]}
    assert buses <= set(wb.sheetnames) and "汇总" in wb.sheetnames and "未安排" in wb.sheetnames


def test_cli_prints_routes_and_reasons(project, tmp_path, capsys):
    p, _ = project
    code = main(["--lang", "en", "bookmobile", str(p.path), "--seconds", "2", "--xlsx", str(tmp_path / "w.xlsx")])
    out = capsys.readouterr().out
    assert code == 0 and "not served" in out and (tmp_path / "w.xlsx").is_file()
