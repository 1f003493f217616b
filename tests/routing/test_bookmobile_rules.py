"""The rules under a bookmobile rotation, each on its own: frequencies and gaps, picking dates
across a holiday, the stop fields on import, driving blocks, and the independent checker
rejecting plans that break the calendar, the frequency or the driving rule."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from models.records import BookmobileStop, TimeWindow
from planner.cli import main
from planner.rota_fields import rota_fields
from planner.store import Project
from routing.check_rotation import check_rotation
from routing.drivers import DriverRules, arrivals, driving_blocks_min
from routing.instance import Plan, Route, RouteStop, RoutingInstance, VehicleSpec, Visit
from routing.rotation import (
    DateCosts,
    RotaStop,
    choose_dates,
    due_visits,
    effective_gap,
    period_days,
)

START = date(2026, 9, 28)
CLOSED = frozenset(date(2026, 10, d) for d in range(1, 8))
STOP = BookmobileStop("a", "A", 0, 0, TimeWindow(540, 960), 60, 1)


@pytest.mark.parametrize(("text", "days"), [("2/week", 3.5), ("weekly", 7), ("fortnightly", 14), ("4-weekly", 28),
                                            ("每两周", 14), ("", 7 / 3)])
def test_frequencies(text, days):
    assert period_days(text, visits_per_week=3) == pytest.approx(days)


def test_bad_frequency_and_gaps_are_refused():
    with pytest.raises(ValueError, match="frequency"):
        rota_fields({"frequency": "biweekly"})
    with pytest.raises(ValueError, match="max_gap_days"):
        rota_fields({"frequency": "weekly", "min_gap_days": 8, "max_gap_days": 6})
    f = rota_fields({"frequency": "fortnightly", "preferred_days": "周二、周四"})
    assert (f.min_gap_days, f.max_gap_days, f.preferred_weekdays) == (10, 18, ("Tue", "Thu"))


def test_due_visits_skip_a_holiday_instead_of_making_it_up():
    assert due_visits(28, 7) == 4 and due_visits(21, 7) == 3 and due_visits(21, 3.5) == 6
    assert due_visits(7, 14) == 1 and due_visits(0, 7) == 0


def _rota(period, lo, hi, **kw):
    dates = tuple(START + timedelta(days=k) for k in range(28)
                  if (START + timedelta(days=k)) not in CLOSED and (START + timedelta(days=k)).weekday() < 5)
    base = dict(stop=STOP, period_days=period, min_gap_days=lo, max_gap_days=hi, dates=dates, closed=CLOSED,
                due=due_visits(28 - 7, period))
    base.update(kw)
    return RotaStop(**base)


def test_dates_keep_gaps_across_national_day_on_one_weekday():
    rota = _rota(7, 5, 9)
    chosen = choose_dates(rota, START, 28, DateCosts())
    assert len(chosen) == 3 and not set(chosen) & CLOSED
    for a, b in zip(chosen, chosen[1:], strict=False):
        assert (b - a).days >= 5 and effective_gap(a, b, CLOSED) <= 9
    assert len({d.weekday() for d in chosen}) == 1
    twice = choose_dates(_rota(3.5, 2, 5), START, 28, DateCosts())
    assert len(twice) == 6 and min((b - a).days for a, b in zip(twice, twice[1:], strict=False)) >= 2


def test_dates_follow_preferred_weekdays_and_kept_dates():
    chosen = choose_dates(_rota(7, 5, 9, preferred_weekdays=("Thu",)), START, 28, DateCosts())
    assert all(d.weekday() == 3 for d in chosen)
    keep = {date(2026, 10, 13): 1000.0}
    assert date(2026, 10, 13) in choose_dates(_rota(7, 5, 9), START, 28, DateCosts(keep=keep))


def test_impossible_dates_give_none():
    mondays = tuple(d for d in _rota(7, 5, 9).dates if d.weekday() == 0)
    assert choose_dates(_rota(3.5, 2, 5, dates=mondays), START, 28, DateCosts()) is None


def test_import_names_a_bad_frequency(tmp_path, capsys):
    path = tmp_path / "p.planner"
    Project.create(path).close()
    csv = tmp_path / "stops.csv"
    csv.write_text("id,name,lon,lat,tw_start,tw_end,频率,max_gap_days\nS1,a,120.6,28.0,09:00,11:00,weekly,8\n"
                   "S2,b,120.7,28.0,09:00,11:00,every other week,\n", encoding="utf-8")
    code = main(["--lang", "en", "import", str(path), str(csv), "--as", "stops"])
    err = capsys.readouterr().err
    assert code == 2 and "row 3" in err and "'frequency'" in err
    csv.write_text("id,name,lon,lat,tw_start,tw_end,频率,max_gap_days\nS1,a,120.6,28.0,09:00,11:00,fortnightly,16\n",
                   encoding="utf-8")
    assert main(["import", str(path), str(csv), "--as", "stops"]) == 0
    with Project.open(path) as p:
        assert list(p.read_layer("stops")["frequency"]) == ["fortnightly"]


def _instance(leg_s, service_s):
    """A depot and one stop `leg_s` apart; one vehicle with a lunch break."""
    m = np.array([[0.0, leg_s], [leg_s, 0.0]])
    visit = Visit("a#2026-10-12", 1, service_s, ((0.0, 86400.0),))
    bus = VehicleSpec("bus@2026-10-12", 0, 0, shift_start=0, shift_end=86400)
    return RoutingInstance("t", (visit,), (bus,), m * 10, m)


def _plan(leg_s, service_s, depart=8 * 3600.0, brk=None):
    start = depart + leg_s + (brk[1] if brk else 0)
    route = Route("bus@2026-10-12", [RouteStop("a#2026-10-12", depart + leg_s, start, start + service_s)], depart,
                  start + service_s + leg_s, [brk] if brk else [])
    return Plan([route])


def test_arrival_is_after_a_break_taken_on_the_way_and_driving_blocks():
    inst = _instance(1800.0, 3600.0)
    plan = _plan(1800.0, 3600.0, brk=(8 * 3600.0, 3600.0))
    assert arrivals(inst, plan.routes[0]) == [8 * 3600.0 + 3600.0 + 1800.0]
    assert driving_blocks_min(inst, plan.routes[0]) == [30.0, 30.0]
    short = _instance(1800.0, 600.0)  # a 10-minute stop is no rest: one block of 60 min
    assert driving_blocks_min(short, _plan(1800.0, 600.0).routes[0]) == [60.0]


def _rota_for_check(dates, due=1):
    return RotaStop(STOP, 7, 5, 9, dates, CLOSED, due)


def test_checker_rejects_long_driving_closed_days_and_wrong_frequency():
    day = {"bus@2026-10-12": ("bus", date(2026, 10, 12))}
    rules = DriverRules()
    ok = check_rotation(_instance(3600.0, 3600.0), _plan(3600.0, 3600.0), [_rota_for_check((date(2026, 10, 12),))],
                        day, rules)
    assert ok.feasible, ok.violations
    long = check_rotation(_instance(3 * 3600.0, 600.0), _plan(3 * 3600.0, 600.0),
                          [_rota_for_check((date(2026, 10, 12),))], day, rules)
    assert any("continuous driving" in v for v in long.violations)
    closed_day = {"bus@2026-10-12": ("bus", date(2026, 10, 2))}
    bad = check_rotation(_instance(3600.0, 3600.0), _plan(3600.0, 3600.0), [_rota_for_check((date(2026, 10, 12),))],
                         closed_day, rules)
    assert any("closed" in v for v in bad.violations)
    short = check_rotation(_instance(3600.0, 3600.0), _plan(3600.0, 3600.0),
                           [_rota_for_check((date(2026, 10, 12),), due=2)], day, rules)
    assert any("due 2" in v for v in short.violations)
    assert check_rotation(_instance(3600.0, 3600.0), _plan(3600.0, 3600.0), [_rota_for_check((date(2026, 10, 12),), due=2)],
                          day, rules, dropped={"a": 1}).feasible
    shift = check_rotation(_instance(3600.0, 3600.0), _plan(3600.0, 3600.0), [_rota_for_check((date(2026, 10, 12),))],
                           day, DriverRules(max_shift_min=120))
    assert any("shift" in v for v in shift.violations)
