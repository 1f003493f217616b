"""Re-planning a published bookmobile plan with locks: a bus out for a week moves only that
week's visits and the change list says so; removing work never drops a stop that was served."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from planner.cli import main
from planner.errors import PlannerError
from planner.jobs.bookmobile import run_bookmobile_plan
from planner.jobs.bookmobile_contract import BookmobileRequest, Unavailable
from planner.timetable import write_timetable_xlsx
from tests.support.projects import bookmobile_project

START = date(2026, 10, 12)
LOCK = date(2026, 10, 19)
OUT = Unavailable("bus2", date(2026, 10, 19), date(2026, 10, 24))


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    p = bookmobile_project(tmp_path_factory.mktemp("replan") / "r.planner")
    first = run_bookmobile_plan(p, BookmobileRequest(start_date=START, weeks=3, time_limit_s=4, solution_limit=300))
    yield p, first
    p.close()


def _key(v):
    return (v.stop, v.date, v.bus, v.depart)


def test_a_bus_out_for_a_week_moves_only_that_weeks_visits(published, tmp_path):
    p, first = published
    assert any(v.bus == "bus2" and OUT.first <= date.fromisoformat(v.date) <= OUT.last for v in first.visits)
    again = run_bookmobile_plan(p, BookmobileRequest(replan_run_id=first.run_id, lock_until=LOCK, unavailable=(OUT,),
                                                     time_limit_s=4, solution_limit=300))
    assert again.start_date == first.start_date and again.weeks == 3
    before = {_key(v) for v in first.visits if date.fromisoformat(v.date) < LOCK}
    assert before == {_key(v) for v in again.visits if date.fromisoformat(v.date) < LOCK}
    assert not any(v.bus == "bus2" and OUT.first <= date.fromisoformat(v.date) <= OUT.last for v in again.visits)
    later = {_key(v) for v in first.visits if date.fromisoformat(v.date) > OUT.last}
    assert later <= {_key(v) for v in again.visits}
    assert again.changes
    for c in again.changes:
        moved_from = c.from_date or c.to_date
        assert OUT.first.isoformat() <= moved_from <= OUT.last.isoformat(), c
    wb = openpyxl.load_workbook(write_timetable_xlsx(again, tmp_path / "replan.xlsx"))
    assert wb["变更"].max_row == len(again.changes) + 1


def test_less_work_never_drops_a_stop_that_was_served(published):
    p, first = published
    again = run_bookmobile_plan(p, BookmobileRequest(replan_run_id=first.run_id, lock_until=START, drop_stops=("s2",),
                                                     time_limit_s=4, solution_limit=300))
    kept = {_key(v) for v in again.visits}
    assert {_key(v) for v in first.visits if v.stop != "s2"} <= kept
    missing_before = {d.stop: d.missing for d in first.dropped}
    assert all(d.missing <= missing_before.get(d.stop, 0) for d in again.dropped)
    assert {c.kind for c in again.changes} == {"cancelled"} and {c.stop for c in again.changes} == {"s2"}


def test_replan_refuses_what_it_cannot_do(published):
    p, first = published
    with pytest.raises(PlannerError) as err:
        run_bookmobile_plan(p, BookmobileRequest(replan_run_id=first.run_id, lock_until=date(2027, 1, 1)))
    assert err.value.problems[0].field == "--lock-until"
    with pytest.raises(PlannerError):
        run_bookmobile_plan(p, BookmobileRequest(replan_run_id=first.run_id))
    with pytest.raises(PlannerError):
        run_bookmobile_plan(p, BookmobileRequest(replan_run_id=first.run_id, lock_until=LOCK, add_stops=("nope",)))


def test_cli_replan_prints_the_change_list(published, capsys):
    p, first = published
    code = main(["--lang", "en", "bookmobile", str(p.path), "--replan", str(first.run_id), "--lock-until",
                 LOCK.isoformat(), "--unavailable", "bus2:2026-10-19-2026-10-24", "--seconds", "2"])
    out = capsys.readouterr().out
    assert code == 0 and "changes (" in out and "2026-10-2" in out
