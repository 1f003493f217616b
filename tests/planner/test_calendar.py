"""The service calendar: the State Council's 2026 holidays and make-up working days as published,
school terms, a library's own closed days, and a bad calendar file named by row and field."""

from __future__ import annotations

from datetime import date

import pytest

from planner.calendar import load_calendar, parse_calendar
from planner.errors import PlannerError


@pytest.fixture(scope="module")
def cal():
    return load_calendar()


def test_2026_holidays_and_makeup_days_as_published(cal):
    national_day = [date(2026, 10, d) for d in range(1, 8)]
    assert all(cal.closed_reason(d) == "国庆节" for d in national_day)
    assert cal.closed_reason(date(2026, 9, 25)) == "中秋节" and cal.closed_reason(date(2026, 9, 24)) is None
    assert all(cal.closed_reason(date(2026, 2, d)) == "春节" for d in range(15, 24))
    assert cal.closed_reason(date(2026, 10, 8)) is None
    for makeup in (date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
                   date(2026, 10, 10)):
        assert makeup.weekday() >= 5 and cal.closed_reason(makeup) is None
        assert {"Mon", "Fri"} <= cal.weekday_keys(makeup)
    assert cal.weekday_keys(date(2026, 10, 17)) == {"Sat"}
    assert cal.covers_year(2026)


def test_school_stops_only_in_term(cal):
    assert cal.closed_reason(date(2026, 8, 20), school=True) is not None
    assert cal.closed_reason(date(2026, 8, 20)) is None
    assert cal.closed_reason(date(2026, 9, 8), school=True) is None


def test_extra_file_adds_closed_days_and_terms(tmp_path):
    extra = tmp_path / "mine.csv"
    extra.write_text("# 本馆闭馆日\nstart,end,kind,name\n2026-10-14,,闭馆,馆内盘点\n2026-08-17,2026-08-21,term,暑期班\n",
                     encoding="utf-8")
    cal = load_calendar([extra])
    assert cal.closed_reason(date(2026, 10, 14)) == "馆内盘点"
    assert cal.closed_reason(date(2026, 8, 18), school=True) is None
    assert cal.closed_reason(date(2026, 10, 3)) == "国庆节"


@pytest.mark.parametrize(("text", "field", "row"), [
    ("start,end,kind,name\n2026-13-01,,holiday,x\n", "start", 1),
    ("start,end,kind,name\n2026-10-01,,holiday,x\n2026-10-02,,party,y\n", "kind", 2),
    ("start,end,kind,name\n2026-10-05,2026-10-01,closed,x\n", "end", 1),
    ("date,what\n2026-10-01,x\n", "kind", None),
])
def test_bad_calendar_rows_are_named(text, field, row):
    with pytest.raises(PlannerError) as err:
        parse_calendar(text, "bad.csv")
    problem = err.value.problems[0]
    assert problem.field == field and problem.row == row and problem.file == "bad.csv"


def test_missing_calendar_file_is_a_user_error(tmp_path):
    with pytest.raises(PlannerError):
        load_calendar([tmp_path / "nope.csv"])
