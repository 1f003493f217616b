"""The courier week as a project job: a returns log (or a modelled week) over Monday–Friday,
each library's service pattern chosen from a small frontier of designs (van-km against
turnaround), every working day routed with what was left the day before, and the measures
logistics staff judge a courier by: turnaround days per item, items and crates moved, van-km,
van-hours, cost per item, empty crates to return. Stored as a courier run whose routes are the
week's van-days, so maps, exports and the runs list show it like a day."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from models.control import Control
from models.costs import MODES, CostModel
from models.records import WEEKDAYS
from planner.courier_design import DesignPoint, choose, evaluate, frontier, refine
from planner.errors import PlannerError
from planner.jobs.courier import (
    _vans,
    check_of,
    day_contract,
    load_libraries,
    read_log,
    routes_json,
)
from planner.jobs.json_rows import record
from planner.network import attach_paths
from planner.store import Project
from routing.courier_week import (
    Item,
    Pattern,
    WeekOutcome,
    simulate_week,
    turnaround_summary,
    worst_pair,
)


@dataclass(frozen=True)
class CourierWeekRequest:
    """A courier week: the returns log (None: a modelled week), books per crate, the
    turnaround target (share of items home within `max_turnaround_days` working days) or a
    van-km budget, unit costs, and the school term (school libraries are served in term only).
    The time limit travels in the job's Control."""

    returns_log: Path | None = None
    crate_size: int = 30
    max_turnaround_days: float = 3.0
    share_within: float = 0.95
    van_km_budget: float | None = None
    cost_per_km: float = 3.0
    cost_per_hour: float = 60.0
    cost_per_van_day: float = 150.0
    term_first_day: str | None = None
    term_last_day: str | None = None
    week_of: str = "2026-11-23"  # a modelled week starts on this Monday
    seed: int = 0
    solution_limit: int | None = None
    travel: str | None = None  # "network", "straight" or None: the project's roads when it has them


@dataclass(frozen=True)
class CourierWeekResult:
    """The planned week. `to_json()` gives the contract keys (days, items, turnaround_days,
    van_km, cost_per_item) plus the shared route-run keys (routes, totals, dropped, check).
    `carry_days` are the working days after the week on which vans only took its backlog home
    (listed under days too, so every item's home date is a planned day)."""

    days: list[dict[str, Any]]
    items: list[dict[str, Any]]
    turnaround_days: dict[str, Any]
    van_km: float
    cost_per_item: float | None
    carry_days: list[str]
    measures: dict[str, Any]
    design: dict[str, Any]
    not_home: list[dict[str, Any]]
    routes: list[dict[str, Any]]
    totals: dict[str, Any]
    check: dict[str, Any]
    returns_log: str = ""
    crate_size: int = 30
    cost_source: str = ""
    run_id: int | None = None
    dropped: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = {
            "kind": "courier",
            "mode": "week",
            **{k: getattr(self, k) for k in self.__dataclass_fields__},
        }
        if self.run_id is None:
            out.pop("run_id")
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CourierWeekResult:
        """The week as stored by this or an earlier version (missing keys: their defaults;
        unknown keys ignored)."""
        return record(cls, data, days=[], items=[], turnaround_days={}, van_km=0.0, cost_per_item=None,
                      carry_days=[], measures={}, design={}, not_home=[], routes=[], totals={}, check={})

    def contract(self) -> dict[str, Any]:
        """Exactly the `--week --json` contract keys."""
        return {
            k: getattr(self, k)
            for k in ("days", "items", "turnaround_days", "van_km", "cost_per_item")
        }


def week_dates(log_dates: list[str], week_of: str) -> list[str]:
    """Monday–Friday of the log's first week, plus any later working dates in the log."""
    first = date.fromisoformat(log_dates[0]) if log_dates else date.fromisoformat(week_of)
    monday = first - timedelta(days=first.weekday())
    days = {monday + timedelta(days=k) for k in range(5)}
    days |= {d for d in map(date.fromisoformat, log_dates) if d.weekday() < 5}
    return [d.isoformat() for d in sorted(days)]


def settle_dates(last: str, n: int) -> list[str]:
    """The `n` working days (Mon–Fri) after `last`."""
    out, day = [], date.fromisoformat(last)
    while len(out) < n:
        day += timedelta(days=1)
        if day.weekday() < 5:
            out.append(day.isoformat())
    return out


def run_courier_week(
    project: Project,
    request: CourierWeekRequest | None = None,
    *,
    control: Control | None = None,
    cost: CostModel | None = None,
) -> CourierWeekResult:
    """Design service patterns, plan the week day by day, measure it, store it as a courier run."""
    request = request or CourierWeekRequest()
    control = control or Control()
    time_limit_s = control.time_limit_s if control.time_limit_s is not None else 60.0
    if request.crate_size <= 0:
        raise PlannerError(
            "每箱册数必须大于 0", "the crate size must be more than 0", field="--crate-size"
        )
    if not math.isfinite(request.max_turnaround_days) or request.max_turnaround_days < 0:
        raise PlannerError(
            "最长周转天数必须是不小于 0 的数",
            "the maximum turnaround must be a number of days ≥ 0",
            field="--max-turnaround-days",
        )
    started = time.monotonic()
    libraries, libs, cost = load_libraries(project, cost, request.travel)
    vans = _vans(project, set(libraries["id"].astype(str)))
    modelled_days = tuple(week_dates([], request.week_of))
    log, source = read_log(project, libraries, request.returns_log, request.seed, modelled_days)
    dates = week_dates(sorted({str(d) for d in log["date"]}), request.week_of)
    # The days after the week that only carry its backlog home (no new returns): enough for
    # the turnaround target to be judged on every item, not just on the early-week ones.
    carry = settle_dates(dates[-1], math.ceil(request.max_turnaround_days))
    dates += carry
    weekdays = [date.fromisoformat(d).weekday() for d in dates]
    away = log[log["owner"] != log["returned_at"]]
    items = []
    for r in away.itertuples(index=False):
        k = next((i for i, d in enumerate(dates) if d >= str(r.date)), len(dates))
        items.append(Item(str(r.item_id), str(r.returned_at), str(r.owner), k))
    volume = {str(x): 0 for x in libraries["id"]}
    for it in items:
        volume[it.returned_at] += 1
        volume[it.owner] += 1
    central = libraries.loc[libraries["kind"] == "central", "id"].astype(str)
    hub = central.iloc[0] if len(central) else None
    kind = dict(zip(libraries["id"].astype(str), libraries["kind"].astype(str), strict=True))

    def closed_on(lib_id: str, k: int) -> bool:
        if kind.get(lib_id) != "school":
            return False
        first, last = request.term_first_day, request.term_last_day
        return (first is not None and dates[k] < first) or (last is not None and dates[k] > last)

    def simulate(patterns: dict[str, Pattern], ctl: Control | None = None) -> WeekOutcome:
        """The week with these patterns; searched as long as `ctl` allows (default: not at all)."""
        return simulate_week(
            items,
            dates,
            weekdays,
            libs,
            lambda wd: [v for v in vans if WEEKDAYS[wd] in v.days],
            patterns,
            hub_id=hub,
            cost=cost,
            speed_kph=MODES["van"].speed_kph,
            crate_size=request.crate_size,
            closed_on=closed_on,
            control=ctl,
            solution_limit=request.solution_limit,
        )

    design_ctl = control.sub(0.0, 0.4)

    def more_time() -> bool:  # the design may use half the time limit (at least 5 s)
        return time.monotonic() - started < max(0.5 * time_limit_s, 5.0)

    points = evaluate(
        simulate,
        volume,
        hub,
        request.max_turnaround_days,
        lambda f: design_ctl.report(f, "服务频次方案 service design"),
        more_time,
    )
    best, met = choose(points, request.share_within, request.van_km_budget)
    if met and request.van_km_budget is None:
        adjusted = refine(
            simulate,
            best,
            volume,
            hub,
            request.max_turnaround_days,
            request.share_within,
            more_time=more_time,
        )
        if adjusted is not None:
            points.append(adjusted)
            best = adjusted
    patterns = dict(best.patterns)
    left_s = max(time_limit_s - (time.monotonic() - started), 0.0)
    outcome = simulate(patterns, control.sub(0.4, 1.0, 0.8 * left_s))
    result = _result(
        request, outcome, dates, carry, libraries, vans, points, best, met, source, cost
    )
    run_id = project.add_run(
        "courier",
        result.to_json(),
        params={
            "mode": "week",
            "crate_size": request.crate_size,
            "max_turnaround_days": request.max_turnaround_days,
        },
        seconds=time.monotonic() - started,
        cost_source=cost.source,
    )
    control.report(1.0, "")
    return CourierWeekResult(
        **{**{k: getattr(result, k) for k in result.__dataclass_fields__}, "run_id": run_id}
    )


def _result(
    request: CourierWeekRequest,
    outcome: WeekOutcome,
    dates: list[str],
    carry: list[str],
    libraries: Any,
    vans: list,
    points: list[DesignPoint],
    best: DesignPoint,
    met: bool,
    source: str,
    cost: CostModel,
) -> CourierWeekResult:
    """Measures, contract days and items, and the shared route-run keys."""
    lib_rows = {
        str(r.id): (str(r.name), r.geometry.x, r.geometry.y)
        for r in libraries.itertuples(index=False)
    }
    routes, days, plans = [], [], []
    settle = set(carry)
    carry = [r.date for r in outcome.days if r.date in settle and r.plan and r.plan.vehicles]
    crates_moved = 0
    balance: dict[str, int] = {}
    for run in outcome.days:
        day_routes = attach_paths(routes_json(run.plan, lib_rows, vans, run.date), cost) if run.plan else []
        if run.plan:
            plans.append(run.plan)
            for s in run.plan.shipments:
                if s.id not in run.plan.left:
                    crates_moved += s.crates
                    balance[s.to_id] = balance.get(s.to_id, 0) + s.crates
                    balance[s.from_id] = balance.get(s.from_id, 0) - s.crates
        if run.date not in settle or run.date in carry:  # a carry day only if a van ran
            routes += day_routes
            days.append(day_contract(run.date, day_routes))
    items = [
        {
            "from": it.returned_at,
            "to": it.owner,
            "returned": dates[it.day_index] if it.day_index < len(dates) else None,
            "home": dates[outcome.home_day[it.id]] if it.id in outcome.home_day else None,
        }
        for it in outcome.items
    ]
    t = turnaround_summary(outcome)
    van_km, van_hours, van_days = outcome.van_km, outcome.van_hours, outcome.van_days
    cost_total = (
        van_km * request.cost_per_km
        + van_hours * request.cost_per_hour
        + van_days * request.cost_per_van_day
    )
    home = len(outcome.home_day)
    worst = worst_pair(outcome)
    grouped: dict[tuple[str, str, str, str], int] = {}
    for it in outcome.items:
        if it.id in outcome.reason:
            zh, en = outcome.reason[it.id]
            key = (it.returned_at, it.owner, zh, en)
            grouped[key] = grouped.get(key, 0) + 1
    not_home = [
        {
            "from": a,
            "to": b,
            "from_name": lib_rows[a][0],
            "to_name": lib_rows[b][0],
            "items": n,
            "reason_zh": zh,
            "reason_en": en,
        }
        for (a, b, zh, en), n in sorted(grouped.items())
    ]
    measures = {
        "items": len(outcome.items),
        "items_home": home,
        "items_not_home": len(outcome.items) - home,
        "crates_moved": crates_moved,
        "van_km": round(van_km, 1),
        "van_hours": round(van_hours, 1),
        "van_days": van_days,
        "cost_total": round(cost_total, 1),
        "unit_costs": {
            "per_km": request.cost_per_km,
            "per_hour": request.cost_per_hour,
            "per_van_day": request.cost_per_van_day,
        },
        "share_within": round(outcome.share_within(request.max_turnaround_days), 4),
        "max_turnaround_days": request.max_turnaround_days,
        "worst_pair": None
        if worst is None
        else {
            "from": worst[0],
            "to": worst[1],
            "from_name": lib_rows[worst[0]][0],
            "to_name": lib_rows[worst[1]][0],
            "mean_days": worst[2],
        },
        "empty_crates_returned": sum(v for v in balance.values() if v > 0),
    }
    design = {
        "chosen": best.name,
        "label_zh": best.label_zh,
        "label_en": best.label_en,
        "meets_target": met,
        "patterns": {
            lib: {"per_week": p.per_week, "via_hub": p.via_hub} for lib, p in best.patterns
        },
        "frontier": [p.to_json() for p in frontier(points)],
        "evaluated": [p.to_json() for p in points],
    }
    week_totals = {
        "vehicles": len({r["vehicle_id"] for r in routes}),
        "van_days": van_days,
        "distance_km": round(van_km, 2),
        "duration_h": round(van_hours, 2),
        "shipments": len(outcome.items),
        "served": home,
        "dropped": len(outcome.items) - home,
    }
    dropped = [
        {
            "id": f"{r['from']}>{r['to']}",
            "name": f"{r['from_name']} → {r['to_name']}",
            "items": r["items"],
            "reason_zh": r["reason_zh"],
            "reason_en": r["reason_en"],
        }
        for r in not_home
    ]
    return CourierWeekResult(
        days=days,
        items=items,
        turnaround_days=t,
        van_km=round(van_km, 2),
        cost_per_item=round(cost_total / home, 2) if home else None,
        carry_days=carry,
        measures=measures,
        design=design,
        not_home=not_home,
        routes=routes,
        totals=week_totals,
        check=check_of(plans),
        returns_log=source,
        crate_size=request.crate_size,
        cost_source=cost.source,
        dropped=dropped,
    )


__all__ = ["CourierWeekRequest", "CourierWeekResult", "run_courier_week", "week_dates"]
