"""Multi-week rotations: how often a stop wants the bus, how far apart its visits must be, and
which dates of a plan's range carry its visits.

A frequency is a period in days (2/week: 3.5, weekly: 7, fortnightly: 14, 4-weekly: 28). Over a
plan of D days of which C are closed for the stop (holidays, the library's closed days, school
holidays for a school stop) the stop is due round((D − C) / period) visits (at least one if it is
open at all): a holiday is not made up. Consecutive visits are at least `min_gap_days` calendar
days apart and at most `max_gap_days` apart not counting closed days (a holiday stretches the
longest gap by its length). Dates are picked by dynamic programming over the open dates, spreading
the visits evenly, on the preferred weekdays, on the same weekday where the period is whole weeks,
and on the dates where the fleet has room.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from models.records import WEEKDAYS, BookmobileStop

FREQUENCIES: dict[str, float] = {"weekly": 7.0, "fortnightly": 14.0, "4-weekly": 28.0}
#: Default (min, max) gaps in days by period.
DEFAULT_GAPS: dict[float, tuple[int, int]] = {3.5: (2, 5), 7.0: (5, 9), 14.0: (10, 18), 28.0: (21, 35)}
_PER_WEEK = re.compile(r"^\s*(\d+)\s*/\s*(week|wk|周)\s*$", re.IGNORECASE)
_ZH = {"每周": "weekly", "每两周": "fortnightly", "隔周": "fortnightly", "每四周": "4-weekly", "每月": "4-weekly"}


def period_days(frequency: str | None, visits_per_week: int = 1) -> float:
    """Days between visits for a frequency text ("2/week", "weekly", "fortnightly", "4-weekly");
    empty text falls back to `visits_per_week`. ValueError names what is accepted."""
    text = (frequency or "").strip()
    if not text:
        return 7.0 / max(int(visits_per_week), 1)
    text = _ZH.get(text, text).lower()
    if text in FREQUENCIES:
        return FREQUENCIES[text]
    m = _PER_WEEK.match(text)
    if m and 1 <= int(m.group(1)) <= 7:
        return 7.0 / int(m.group(1))
    raise ValueError(f"frequency {frequency!r}: use n/week (1–7), weekly, fortnightly or 4-weekly")


def default_gaps(period: float) -> tuple[int, int]:
    """(min_gap_days, max_gap_days) for a period: the table, else 60 % and 140 % of it (visits
    two or three times a week at least two days apart, as readers expect)."""
    for p, gaps in DEFAULT_GAPS.items():
        if abs(p - period) < 1e-9:
            return gaps
    low = 2 if 7.0 / 3 - 1e-9 <= period < 7 else max(1, math.floor(period * 0.6))
    return low, max(math.ceil(period * 1.4), low)


def due_visits(open_days: int, period: float) -> int:
    """Visits due over `open_days` days a stop is open: round(open / period), ≥ 1 if open."""
    if open_days <= 0:
        return 0
    return max(1, math.floor(open_days / period + 0.5))


def effective_gap(a: date, b: date, closed: frozenset[date]) -> int:
    """Days from a to b not counting the closed days strictly between them."""
    return (b - a).days - sum(1 for c in closed if a < c < b)


@dataclass(frozen=True)
class RotaStop:
    """A stop over a plan's range: its record, frequency and gaps, the dates it may be visited,
    the dates closed for it, and the visits it is due (including `fixed` ones already locked)."""

    stop: BookmobileStop
    period_days: float
    min_gap_days: int
    max_gap_days: int
    dates: tuple[date, ...]
    closed: frozenset[date]
    due: int
    preferred_weekdays: tuple[str, ...] = ()
    fixed: tuple[date, ...] = ()  # visits kept from a published plan (before the lock date)

    @property
    def id(self) -> str:
        return self.stop.id


@dataclass(frozen=True)
class DateCosts:
    """What a date costs a stop's visit: the fleet's load that day and published dates to keep."""

    load: Mapping[date, float] = field(default_factory=dict)
    keep: Mapping[date, float] = field(default_factory=dict)  # bonus (subtracted) for a date
    avoid: frozenset[date] = frozenset()


SPREAD_WEIGHT = 10.0  # per day away from the evenly spread position
WEEKDAY_WEIGHT = 15.0  # changing weekday between visits of a whole-week period
PREFERRED_WEIGHT = 20.0  # a date off the stop's preferred weekdays
AVOID_WEIGHT = 500.0


def choose_dates(rota: RotaStop, start: date, days: int, costs: DateCosts) -> list[date] | None:
    """The cheapest dates for the stop's remaining visits that keep every gap rule, or None if
    its open dates cannot hold them."""
    need = rota.due - len(rota.fixed)
    if need <= 0:
        return []
    last_fixed = max(rota.fixed) if rota.fixed else None
    cands = sorted(d for d in rota.dates if last_fixed is None or d > last_fixed)
    if len(cands) < need:
        return None
    closed = rota.closed
    open_total = days - sum(1 for c in closed if 0 <= (c - start).days < days)
    step = open_total / max(rota.due, 1)
    whole_weeks = rota.period_days >= 7 and abs(rota.period_days % 7) < 1e-9

    def pos(d: date) -> float:
        return (d - start).days - sum(1 for c in closed if start <= c < d)

    def gap_ok(a: date, b: date) -> bool:
        return (b - a).days >= rota.min_gap_days and effective_gap(a, b, closed) <= rota.max_gap_days

    def unit(k: int, d: date) -> float:
        ideal = (len(rota.fixed) + k + 0.5) * step
        c = SPREAD_WEIGHT * abs(pos(d) - ideal) + costs.load.get(d, 0.0) - costs.keep.get(d, 0.0)
        if rota.preferred_weekdays and WEEKDAYS[d.weekday()] not in rota.preferred_weekdays:
            c += PREFERRED_WEIGHT
        if d in costs.avoid:
            c += AVOID_WEIGHT
        return c

    inf = math.inf
    n = len(cands)
    best = [[inf] * n for _ in range(need)]
    back = [[-1] * n for _ in range(need)]
    for j, d in enumerate(cands):
        if last_fixed is None or gap_ok(last_fixed, d):
            best[0][j] = unit(0, d)
    for k in range(1, need):
        for j, d in enumerate(cands):
            u = unit(k, d)
            for i in range(j):
                if best[k - 1][i] == inf or not gap_ok(cands[i], d):
                    continue
                c = best[k - 1][i] + u
                if whole_weeks and cands[i].weekday() != d.weekday():
                    c += WEEKDAY_WEIGHT
                if c < best[k][j]:
                    best[k][j], back[k][j] = c, i
    j = min(range(n), key=lambda x: best[need - 1][x])
    if best[need - 1][j] == inf:
        return None
    out = [cands[j]]
    for k in range(need - 1, 0, -1):
        j = back[k][j]
        out.append(cands[j])
    return out[::-1]


__all__ = [
    "DEFAULT_GAPS", "FREQUENCIES", "DateCosts", "RotaStop", "choose_dates", "default_gaps", "due_visits",
    "effective_gap", "period_days",
]
