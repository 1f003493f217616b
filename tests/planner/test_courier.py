"""Courier runs: returns logs to crates, pickup before delivery on one van, closed libraries
reported, direct and via-central plans both costed; Li & Lim instances solved feasibly."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from models.control import Control
from models.costs import MODES, StraightLineCost
from models.records import Shipment, TimeWindow, Vehicle
from planner.cli import main
from planner.errors import PlannerError
from planner.jobs.courier import CourierRequest, run_courier_day
from planner.returns_log import read_returns_log, shipments_from_log
from planner.store import Project
from routing.check import check_plan
from routing.courier import CRATE_MIN, HUB_SORT_MIN, Library, plan_day
from routing.lilim import read_lilim
from routing.solver import solve
from tests.support.paths import DATA

LILIM = DATA / "lc101.txt"
LIBS = {"C": (120.692, 27.994, "central", "09:00", "21:00"), "R": (120.655, 27.779, "district", "09:00", "17:00"),
        "Y": (120.98, 28.12, "district", "09:00", "17:00"), "S": (120.70, 28.02, "school", "08:00", "16:00"),
        "X": (120.60, 28.00, "district", "09:00", "09:00")}  # X: closed all day


@pytest.fixture
def project(tmp_path):
    p = Project.create(tmp_path / "c.planner")
    libs = gpd.GeoDataFrame(
        [{"id": k, "name": f"{k}馆", "kind": v[2], "opens": v[3], "closes": v[4], "books": 100000,
          "geometry": shapely.Point(v[0], v[1])} for k, v in LIBS.items()], crs=4326)
    p.write_layer("libraries", libs, "libraries")
    p.write_table("vans", pd.DataFrame([
        {"id": "van1", "name": "物流1号", "depot_id": "C", "capacity_crates": 10, "shift_start": "08:00",
         "shift_end": "17:00", "days": "Mon,Tue,Wed,Thu,Fri,Sat"}]), role="vans")
    yield p
    p.close()


def _log(tmp_path, rows):
    path = tmp_path / "log.csv"
    pd.DataFrame(rows, columns=["条码", "所属馆", "归还馆", "归还日期"]).to_csv(path, index=False)
    return path


def test_log_is_aggregated_to_crates_per_pair_and_day(tmp_path):
    rows = [[f"b{i}", "C", "R", "2026-11-24"] for i in range(31)]  # 31 books → 2 crates of 30
    rows += [[f"h{i}", "R", "R", "2026-11-24"] for i in range(5)]  # returned at home: no shipment
    rows += [["y1", "Y", "C", "2026-11-23"]]
    log = read_returns_log(_log(tmp_path, rows), set(LIBS))
    shipments = {(s.from_id, s.to_id, s.day): s.crates for s in shipments_from_log(log, 30)}
    assert shipments == {("R", "C", "2026-11-24"): 2, ("C", "Y", "2026-11-23"): 1}


def test_bad_log_rows_name_row_and_field(tmp_path):
    path = _log(tmp_path, [["a", "C", "R", "2026-11-24"], ["b", "Q", "R", "yesterday"], ["", "C", "R", "2026-11-24"]])
    with pytest.raises(PlannerError) as err:
        read_returns_log(path, set(LIBS))
    text = err.value.text("en")
    assert "row 3, field '所属馆'" in text and "'Q'" in text
    assert "row 3, field '归还日期'" in text and "row 4, field '条码'" in text


def test_day_plan_keeps_pickups_before_deliveries_and_reports_closed_libraries(project, tmp_path):
    rows = [[f"a{i}", "R", "Y", "2026-11-24"] for i in range(40)]  # 2 crates Y→R
    rows += [[f"b{i}", "C", "S", "2026-11-24"] for i in range(10)]  # 1 crate S→C
    rows += [["c1", "X", "C", "2026-11-24"]]  # to a library closed all day
    result = run_courier_day(project, CourierRequest(returns_log=_log(tmp_path, rows), solution_limit=200),
                             control=Control(time_limit_s=4)).to_json()
    left = {d["id"]: d["reason_en"] for d in result["dropped"]}
    assert list(left) == ["C>X@2026-11-24"] and "closed today" in left["C>X@2026-11-24"]
    for route in result["routes"]:
        assert route["stops"], route
        for k, stop in enumerate(route["stops"]):
            for unload in stop["unload"]:  # every crate unloaded was loaded at an earlier visit
                assert any(unload["from"] == s["id"] for s in route["stops"][:k])
    assert {"direct", "hub", "chosen"} <= set(result["comparison"])
    assert result["comparison"][result["comparison"]["chosen"]] == result["totals"]


def test_oversized_shipments_are_split_to_fit_the_van(project, tmp_path):
    rows = [[f"a{i}", "S", "C", "2026-11-24"] for i in range(30 * 15)]  # 15 crates C→S, vans hold 10
    result = run_courier_day(project, CourierRequest(returns_log=_log(tmp_path, rows), solution_limit=100),
                             control=Control(time_limit_s=3)).to_json()
    assert result["notes"] and "split" in result["notes"][0]["en"]
    delivered = sum(u["crates"] for r in result["routes"] for s in r["stops"] for u in s["unload"])
    assert delivered == 15 and not result["dropped"]


def test_lilim_reader_pairs_every_request():
    inst = read_lilim(str(LILIM))
    assert len(inst.pairs) == 53 and len(inst.visits) == 106


def test_lilim_lc101_is_solved_feasibly():
    inst = read_lilim(str(LILIM))
    plan = solve(inst, time_limit_s=4, objective="vehicles_then_distance", first_solution="parallel_cheapest_insertion")
    assert not plan.dropped and check_plan(inst, plan).feasible
    assert plan.vehicles_used <= 11


def test_courier_cli_prints_both_plans(project, tmp_path, capsys):
    rows = [[f"a{i}", "R", "Y", "2026-11-24"] for i in range(40)]
    code = main(["--lang", "en", "courier", str(project.path), "--log", str(_log(tmp_path, rows)), "--seconds", "2"])
    out = capsys.readouterr().out
    assert code == 0 and "direct" in out and "via the central library" in out
    rows_of_matrix = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:4]}
    assert rows_of_matrix["Y"] == ["2"]  # 40 books returned at Y, owned by R: 2 crates of 30
    assert "R R馆" in out and "Y Y馆" in out  # the ids are named under the matrix


def _hub_day():
    """R→Y and Y→S go through the central library C; vans start at R and Y."""
    libs = [Library(k, f"{k}馆", (x * 1000.0, y * 1000.0), TimeWindow.parse("08:00", "18:00"))
            for k, x, y in (("C", 0, 0), ("R", -20, -5), ("Y", 25, 10), ("S", 3, 4))]
    vans = [Vehicle("v1", "1号", "R", TimeWindow.parse("08:00", "18:00"), 10, ("Mon",)),
            Vehicle("v2", "2号", "Y", TimeWindow.parse("08:00", "18:00"), 10, ("Mon",))]
    shipments = [Shipment("R>Y", "R", "Y", 3, "2026-11-23"), Shipment("Y>S", "Y", "S", 2, "2026-11-23")]
    return shipments, libs, vans


def test_hub_plan_takes_crates_on_only_after_unloading_and_sorting():
    shipments, libs, vans = _hub_day()
    day = plan_day(shipments, libs, vans, cost=StraightLineCost(MODES["van"]), speed_kph=MODES["van"].speed_kph,
                   hub_id="C", control=Control(time_limit_s=3), solution_limit=200)
    assert not day.left
    start = {s.visit_id: s.start for r in day.plan.routes for s in r.stops}
    for sid, crates in (("R>Y", 3), ("Y>S", 2)):
        unloaded = start[f"{sid}:1:D"] + CRATE_MIN * crates * 60
        assert start[f"{sid}:2:P"] >= unloaded + HUB_SORT_MIN * 60 - 1e-6
        assert day.instance.location_ids[day.instance.visit(f"{sid}:1:D").location] == "C"


def test_checker_rejects_a_transfer_taken_on_before_it_is_sorted():
    shipments, libs, vans = _hub_day()
    day = plan_day(shipments, libs, vans, cost=StraightLineCost(MODES["van"]), speed_kph=MODES["van"].speed_kph,
                   hub_id="C", control=Control(time_limit_s=3), solution_limit=200)
    assert check_plan(day.instance, day.plan).feasible
    first, then, gap = day.instance.precedences[0]
    hurried = replace(day.instance, precedences=((first, then, gap + 24 * 3600.0),))
    report = check_plan(hurried, day.plan)
    assert not report.feasible and any("transfer" in v for v in report.violations)
