"""Bookmobile timetables on a small real project over two weeks across National Day 2026:
frequencies, gaps, the calendar, driver rules and honest reasons kept; the JSON contract, the
timetable workbook and the CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta

import openpyxl
import pytest

from planner.cli import main
from planner.jobs.bookmobile import run_bookmobile_plan
from planner.jobs.bookmobile_contract import BookmobileRequest, BookmobileResult
from planner.timetable import write_timetable_xlsx
from tests.support.projects import bookmobile_project

START = date(2026, 9, 28)
HOLIDAY = {date(2026, 10, d) for d in range(1, 8)}






REQUEST = BookmobileRequest(start_date=START, weeks=2, time_limit_s=4, solution_limit=300, buffer_pct=10)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    p = bookmobile_project(tmp_path_factory.mktemp("bm") / "bm.planner")
    result = run_bookmobile_plan(p, REQUEST)
    yield p, result
    p.close()


def _dates(result, stop):
    return sorted(date.fromisoformat(v.date) for v in result.visits if v.stop == stop)


def test_no_visit_on_a_closed_day_and_buses_only_on_their_days(project):
    _, result = project
    assert result.visits
    for v in result.visits:
        d = date.fromisoformat(v.date)
        assert d not in HOLIDAY and START <= d < START + timedelta(days=14)
        # bus1 works Mon–Fri; 2026-10-10 is a Saturday worked instead (调休), so it may work then too.
        if v.bus == "bus1":
            assert d.weekday() < 5 or d == date(2026, 10, 10)
    assert ("2026-10-01", "国庆节") in result.closed_days


def test_each_stop_gets_its_frequency_with_its_gaps(project):
    _, result = project
    missing = {d.stop: d.missing for d in result.dropped}
    # 14 days, 7 closed by National Day: 7 open days → 2/week: 2 visits, weekly: 1, fortnightly: 1.
    due = {"s1": 2, "s2": 2, "s3": 1, "s4": 1, "s5": 1, "s9": 1}
    for stop, n in due.items():
        assert len(_dates(result, stop)) + missing.get(stop, 0) == n, stop
    for stop in ("s1", "s2"):
        a, b = _dates(result, stop)
        assert (b - a).days >= 2
    assert all(date.fromisoformat(v.date).weekday() in (1, 3) for v in result.visits if v.stop == "s3")
    assert result.check["feasible"] and result.totals["served"] == len(result.visits)


def test_stops_that_cannot_be_served_say_why_one_row_each(project):
    _, result = project
    rows = {d.stop: d for d in result.dropped}
    assert len(rows) == len(result.dropped)
    assert "shorter than the service time" in rows["s6"].reason_en
    assert "no depot can reach it" in rows["s7"].reason_en
    assert "cannot hold" in rows["s8"].reason_en
    for d in result.dropped:
        assert d.reason_zh and "fleet hours" not in d.reason_en or "min left" in d.reason_en


def test_arrivals_after_the_break_and_windows_kept(project):
    _, result = project
    for route in result.routes:
        brk = route["break"]
        for stop in route["stops"]:
            assert stop["arrival_min"] <= stop["start_min"] + 1e-6
            if brk:
                assert not brk["start_min"] + 1e-6 < stop["arrival_min"] < brk["start_min"] + brk["duration_min"] - 1e-6
            if stop["id"] == "s1":
                assert 15.5 * 60 - 1e-6 <= stop["start_min"] <= 16.5 * 60 + 1e-6
        if brk:
            assert 11.5 * 60 - 1e-6 <= brk["start_min"] <= 13.5 * 60 + 1e-6
    for bus in result.buses:
        assert bus.driving_blocks_min and max(bus.driving_blocks_min) <= 240


def test_json_contract_and_round_trip(project):
    p, result = project
    data = json.loads(json.dumps(result.to_json()))
    assert {"visits", "dropped", "buses"} <= set(data)
    assert all(set(v) == {"stop", "bus", "date", "arrive", "depart"} for v in data["visits"])
    assert all(set(b) == {"bus", "date", "start", "end", "km", "driving_blocks_min"} for b in data["buses"])
    assert all({"stop", "reason"} <= set(d) for d in data["dropped"])
    for v in data["visits"]:
        assert len(v["arrive"]) == 5 and v["arrive"][2] == ":" and v["arrive"] <= v["depart"]
    assert BookmobileResult.from_json(data).to_json() == data
    stored = p.run(result.run_id)["result"]
    assert stored["visits"] == data["visits"] and stored["totals"] == data["totals"]


def test_repeatable_with_a_solution_limit(project, tmp_path):
    _, result = project
    with bookmobile_project(tmp_path / "again.planner") as fresh:
        assert run_bookmobile_plan(fresh, REQUEST).visits == result.visits


def test_an_edit_that_only_removes_work_loses_no_served_visit(tmp_path):
    """The issue's case: four stops made impossible, the plan re-run over the same dates."""
    with bookmobile_project(tmp_path / "edit.planner") as p:
        first = run_bookmobile_plan(p, REQUEST)
        stops = p.read_layer("stops")
        for sid in ("s2", "s4", "s5", "s9"):
            stops.loc[stops["id"] == sid, ["tw_start", "tw_end"]] = ["10:00", "10:10"]
        p.write_layer("stops", stops, "stops")
        again = run_bookmobile_plan(p, REQUEST)
    before = {(v.stop, v.date) for v in first.visits if v.stop not in ("s2", "s4", "s5", "s9")}
    assert before <= {(v.stop, v.date) for v in again.visits}
    for d in again.dropped:
        if d.stop in ("s2", "s4", "s5", "s9"):
            assert "shorter than the service time" in d.reason_en


def test_timetable_lists_the_break_in_time_order(project, tmp_path):
    _, result = project
    wb = openpyxl.load_workbook(write_timetable_xlsx(result, tmp_path / "t.xlsx"))
    assert "汇总" in wb.sheetnames and "未安排" in wb.sheetnames
    checked = 0
    for name in ("书巴1号", "书巴2号"):
        rows = list(wb[name].iter_rows(min_row=2, values_only=True))
        by_day: dict[str, list[str]] = {}
        for r in rows:
            if r[3] in ("出发", "返回"):
                continue
            by_day.setdefault(r[0], []).append(r[5])  # service start / break start
        for starts in by_day.values():
            assert starts == sorted(starts)
            checked += 1
    assert checked
    dropped = list(wb["未安排"].iter_rows(min_row=2, values_only=True))
    assert len({r[0] for r in dropped}) == len(dropped)


def test_cli_writes_the_contract(tmp_path, capsys):
    p = bookmobile_project(tmp_path / "cli.planner")
    p.close()
    out = tmp_path / "plan.json"
    code = main(["--lang", "en", "bookmobile", str(tmp_path / "cli.planner"), "--from", "2026-10-12", "--weeks", "1",
                 "--seconds", "2", "--json", str(out)])
    text = capsys.readouterr().out
    assert code == 0 and "not served" in text
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["visits"] and all("2026-10-12" <= v["date"] <= "2026-10-18" for v in data["visits"])


def test_cli_names_a_bad_option(tmp_path, capsys):
    p = bookmobile_project(tmp_path / "bad.planner")
    p.close()
    code = main(["bookmobile", str(tmp_path / "bad.planner"), "--unavailable", "bus9:2026-10-12-2026-10-16"])
    assert code == 2 and "--unavailable" in capsys.readouterr().err
