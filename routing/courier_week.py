"""A week of shared-borrowing logistics: returned items travel home over several days, on the
service days of each library's pattern, directly or through the central library.

Each working day, the items waiting at a library are grouped by the next leg they take (to
their home library, or to the hub when either end is served via the hub or the two ends have
no service day in common); a leg runs only on a day both its ends are served, and its items are
consolidated into one load of crates. The day's loads are routed by `plan_day` (one stop per
visit). What is not carried stays where it is, with its age, and tries again on the next day;
crates unloaded at the hub are sorted overnight and go on from the next day. Turnaround is
counted in working days from the day an item is returned to the day it is home (0: the same
day).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from models.control import Control
from models.costs import CostModel
from models.records import Shipment, Vehicle
from routing.courier import CourierPlan, Library, plan_day

#: Working-day indices (Mon = 0) of each weekly service frequency.
PATTERN_DAYS: dict[int, tuple[int, ...]] = {5: (0, 1, 2, 3, 4), 3: (0, 2, 4), 2: (1, 3), 1: (2,)}


@dataclass(frozen=True)
class Pattern:
    """How often a library is served each week, and whether its crates go via the hub."""

    per_week: int = 5
    via_hub: bool = False

    def serves(self, weekday: int) -> bool:
        return weekday in PATTERN_DAYS[self.per_week]


@dataclass(frozen=True)
class Item:
    """One returned item: where it came back, which library owns it, on which working day."""

    id: str
    returned_at: str
    owner: str
    day_index: int


@dataclass
class DayRun:
    """One working day: its date, its weekday (Mon = 0), the loads offered and the routed plan."""

    date: str
    weekday: int
    loads: list[Shipment]
    plan: CourierPlan | None
    items_of_load: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class WeekOutcome:
    """Where every item ended: home day (index) or why not, with the days' plans."""

    days: list[DayRun]
    home_day: dict[str, int]  # item id → working-day index it reached home
    reason: dict[str, tuple[str, str]]  # item id → (zh, en), for items not home
    items: list[Item]

    @property
    def van_km(self) -> float:
        return float(sum(d.plan.distance_m for d in self.days if d.plan)) / 1000

    @property
    def van_hours(self) -> float:
        return float(sum(d.plan.duration_s for d in self.days if d.plan)) / 3600

    @property
    def van_days(self) -> int:
        return sum(d.plan.vehicles for d in self.days if d.plan)

    def turnaround(self) -> dict[str, int]:
        """Working days from return to home, per item that got home."""
        return {
            i.id: self.home_day[i.id] - i.day_index for i in self.items if i.id in self.home_day
        }

    def share_within(self, days: float) -> float:
        """Share of items home within `days` working days. An item not home counts as late once
        `days` working days have passed in the plan; one returned too near the end of the plan
        to be late yet is left out (it may still make it next week)."""
        t = self.turnaround()
        last = len(self.days) - 1
        counted = [i for i in self.items if i.id in t or last - i.day_index >= days]
        if not counted:
            return 1.0
        return sum(1 for i in counted if i.id in t and t[i.id] <= days) / len(counted)


def simulate_week(
    items: Sequence[Item],
    dates: Sequence[str],
    weekdays: Sequence[int],
    libraries: Sequence[Library],
    vans_of_day: Callable[[int], Sequence[Vehicle]],
    patterns: dict[str, Pattern],
    *,
    hub_id: str | None,
    cost: CostModel,
    speed_kph: float,
    crate_size: int,
    closed_on: Callable[[str, int], bool] = lambda _lib, _day: False,
    control: Control | None = None,
    solution_limit: int | None = None,
) -> WeekOutcome:
    """Route each working day in turn, carrying what is left to the next day. The routes are
    searched for `control.time_limit_s` in all, shared equally by the days (None or 0: the
    constructed routes only)."""
    control = control or Control()
    search_s = (control.time_limit_s or 0.0) / max(len(dates), 1)
    at: dict[str, str] = {}  # item → library where it is now
    ready: dict[str, int] = {}  # item → first day index it may move
    home: dict[str, int] = {}
    by_day: dict[int, list[Item]] = {}
    for it in items:
        by_day.setdefault(it.day_index, []).append(it)
    owner = {it.id: it.owner for it in items}
    returned = {it.id: it.day_index for it in items}
    runs: list[DayRun] = []
    for k, (day, weekday) in enumerate(zip(dates, weekdays, strict=True)):
        control.check()
        control.report(k / max(len(dates), 1), day)
        for it in by_day.get(k, []):
            at[it.id], ready[it.id] = it.returned_at, k

        def served(lib_id: str, k: int = k, weekday: int = weekday) -> bool:
            if lib_id == hub_id:
                return not closed_on(lib_id, k)
            return patterns.get(lib_id, Pattern()).serves(weekday) and not closed_on(lib_id, k)

        groups: dict[tuple[str, str], list[str]] = {}
        waiting = sorted(
            (i for i in at if i not in home and ready[i] <= k), key=lambda i: (returned[i], i)
        )
        for i in waiting:
            src, dst = at[i], _next_stop(at[i], owner[i], patterns, hub_id)
            if dst == hub_id and served(owner[i]):
                dst = owner[i]  # both ends served today: through the hub and on, the same day
            if served(src) and served(dst):
                groups.setdefault((src, dst), []).append(i)
        loads, items_of, through = [], {}, set()
        for (src, dst), ids in sorted(groups.items()):
            sid = f"{src}>{dst}@{day}"
            loads.append(Shipment(sid, src, dst, math.ceil(len(ids) / crate_size), day, len(ids)))
            items_of[sid] = ids
            if hub_id not in (src, dst) and _next_stop(src, dst, patterns, hub_id) == hub_id:
                through.add(sid)
        vans = list(vans_of_day(weekday))
        plan = None
        if loads:
            plan = plan_day(
                loads,
                libraries,
                vans,
                cost=cost,
                speed_kph=speed_kph,
                hub_id=hub_id,
                via_hub=frozenset(through),
                control=control.sub(k / len(dates), (k + 1) / len(dates), search_s),
                solution_limit=solution_limit,
            )
            whole_of = {
                p.id: (p.id if p.id in items_of else p.id.rsplit(".", 1)[0]) for p in plan.shipments
            }
            for part in plan.shipments:
                reached = (
                    hub_id
                    if part.id in plan.at_hub
                    else (None if part.id in plan.left else part.to_id)
                )
                if reached is None:
                    continue
                whole = whole_of[part.id]
                ids = items_of[whole]
                if part.id != whole:  # a split load: its share of the items, in order
                    n = int(part.id.rsplit(".", 1)[1]) - 1
                    first = (
                        sum(
                            p.crates
                            for p in plan.shipments
                            if whole_of[p.id] == whole and int(p.id.rsplit(".", 1)[1]) - 1 < n
                        )
                        * crate_size
                    )
                    ids = ids[first : first + part.crates * crate_size]
                for i in ids:
                    at[i] = reached
                    if reached == owner[i]:
                        home[i] = k
                    else:
                        ready[i] = k + 1  # sorted at the hub overnight
        runs.append(DayRun(day, weekday, loads, plan, items_of))
    reason = {}
    for it in items:
        if it.id in home:
            continue
        if hub_id is not None and at.get(it.id) == hub_id:
            reason[it.id] = (
                "已到中心馆，等待下周转运",
                "at the central library, goes on next week",
            )
        else:
            reason[it.id] = (
                "本周余下的服务日没有车次或运力不足，顺延到下周",
                "no service day or van capacity left this week: carried to next week",
            )
    control.report(1.0, "")
    return WeekOutcome(runs, home, reason, list(items))


def _next_stop(here: str, home: str, patterns: dict[str, Pattern], hub_id: str | None) -> str:
    """Where an item goes next: straight home, or to the hub first."""
    if hub_id is None or here == hub_id or home == hub_id:
        return home
    a, b = patterns.get(here, Pattern()), patterns.get(home, Pattern())
    common = set(PATTERN_DAYS[a.per_week]) & set(PATTERN_DAYS[b.per_week])
    return hub_id if a.via_hub or b.via_hub or not common else home


def turnaround_summary(outcome: WeekOutcome) -> dict[str, float | None]:
    """Mean, 95th percentile and worst turnaround (working days) of the items that got home."""
    values = np.array(list(outcome.turnaround().values()), float)
    if not len(values):
        return {"mean": None, "p95": None, "max": None}
    return {
        "mean": round(float(values.mean()), 2),
        "p95": round(float(np.percentile(values, 95)), 2),
        "max": int(values.max()),
    }


def worst_pair(outcome: WeekOutcome) -> tuple[str, str, float] | None:
    """The library pair (returned at, owner) with the longest mean turnaround."""
    t = outcome.turnaround()
    sums: dict[tuple[str, str], list[int]] = {}
    for it in outcome.items:
        if it.id in t:
            sums.setdefault((it.returned_at, it.owner), []).append(t[it.id])
    if not sums:
        return None
    (a, b), v = max(sums.items(), key=lambda kv: (sum(kv[1]) / len(kv[1]), kv[0]))
    return a, b, round(sum(v) / len(v), 2)
