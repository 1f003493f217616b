"""Bookmobile timetables (城市书巴) over one or more weeks: which dates each stop is visited and
the route of every bus on every date it works.

Dates and routes are *iterated*, not solved as one model: each stop first gets a home bus (near
its depot, spreading the load) and dates that keep its frequency and gaps (routing.rotation);
the whole range is then one routing problem with a vehicle per bus-date in which each visit
rides the vehicles of its date (its home bus first). Stops with visits the router had to drop
get new dates on the least-loaded days and any bus, and the range is solved again from the
previous routes (so nothing served before is lost), keeping the better plan. Why: a joint model
needs date variables tied to vehicle choices, which the routing library's local search handles
poorly; dates-then-routes keeps every step a plain VRPTW. A published plan being re-planned
seeds both steps: its dates are preferred and its routes start the search.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from models.control import Control
from models.costs import CostModel
from models.records import Vehicle
from routing.check import CheckReport
from routing.check_rotation import check_rotation
from routing.drivers import DriverRules, arrivals, driving_blocks_min
from routing.instance import Break, Plan, RoutingInstance, VehicleSpec, Visit
from routing.rotation import DateCosts, RotaStop, choose_dates
from routing.solver import solve

#: Cost of leaving a visit out, per priority point, in metres of driving: more than any detour.
PENALTY_PER_PRIORITY_M = 1_000_000.0
#: Weight of a date's load (hours of work per working bus) when choosing dates.
LOAD_WEIGHT = 12.0
#: How far a kept published visit's service start may move in a re-plan (seconds): the
#: rounding of its published minute, no more (so it is published at the same minute).
KEEP_SLACK_S = 29.0
#: A published visit kept in place outweighs any visit moved in (readers were told it).
KEEP_WEIGHT = 10.0
#: Half-width of the band a stop's visits are held in to keep their time of day (seconds).
SAME_TIME_S = 30 * 60.0
#: Rounds of dates-then-routes at most (the first, then repairs of the stops it dropped).
MAX_ROUNDS = 8
#: Bonus for keeping a published date when re-planning: more than any spreading cost.
KEEP_BONUS = 1_000.0

REASONS = {
    "window_short": ("时间窗短于停靠时长", "the time window is shorter than the service time"),
    "no_dates": ("计划期内没有可停靠的日子（节假日、闭馆、学期外或没有书巴上班）",
                 "no date in the plan's range is open for it (holidays, closed days, out of term, or no bus works)"),
    "no_pattern": ("可停靠的日子排不下 {n} 次且保持间隔 {lo}–{hi} 天",
                   "its open dates cannot hold {n} visits {lo}–{hi} days apart"),
    "unreachable": ("任何车场出发都无法在时间窗内到达并按时返回（或单程超过连续驾驶上限）",
                    "no depot can reach it within its time window and be back before the shift ends "
                    "(or a single drive exceeds the continuous-driving limit)"),
    "no_vehicle": ("指定的车辆不存在或不上班", "its allowed vehicles do not exist or do not work"),
    "fleet": ("车队工作时间已满：{dates} 当天可用书巴的剩余时间（{free} 分钟）少于停靠和往返所需（{need} 分钟）",
              "fleet hours exhausted: on {dates} the working buses have {free} min left, less than the "
              "{need} min its service and drive need"),
    "search": ("计算时限内未能排入 {dates}（车队仍有空闲时间，可延长计算时间）",
               "the search did not place it on {dates} within the time limit (the fleet has time left; allow more seconds)"),
}


def reason(key: str, **fmt: object) -> tuple[str, str]:
    zh, en = REASONS[key]
    return zh.format(**fmt), en.format(**fmt)


@dataclass(frozen=True)
class BusDay:
    """One bus working on one date."""

    bus: Vehicle
    day: date

    @property
    def vehicle_id(self) -> str:
        return f"{self.bus.id}@{self.day.isoformat()}"


@dataclass(frozen=True)
class PlannedVisit:
    """A stop's visit: bus, date and times in seconds after midnight (arrival after any break)."""

    stop_id: str
    bus_id: str
    day: date
    arrive_s: float
    start_s: float
    depart_s: float


@dataclass(frozen=True)
class BusRun:
    """A bus's day: when it leaves and is back, kilometres, driving blocks, break, stops in order."""

    bus_id: str
    day: date
    start_s: float
    end_s: float
    km: float
    driving_blocks_min: tuple[float, ...]
    breaks: tuple[tuple[float, float], ...]  # (start_s, duration_s)
    stops: tuple[str, ...]


@dataclass(frozen=True)
class DroppedStop:
    """A stop with visits the plan could not serve: one row per stop, its unserved dates and why."""

    stop_id: str
    dates: tuple[date, ...]
    missing: int  # visits short of its frequency
    reason_zh: str
    reason_en: str


@dataclass
class RotationResult:
    """The plan: visits, bus runs, what could not be served and why, and the checked model."""

    instance: RoutingInstance
    plan: Plan
    visits: list[PlannedVisit]
    runs: list[BusRun]
    dropped: list[DroppedStop]
    report: CheckReport


@dataclass(frozen=True)
class Published:
    """A visit of a published plan that a re-plan should keep: its bus, arrival and service start."""

    bus_id: str
    arrive_s: float
    start_s: float


def plan_rotation(
    rotas: Sequence[RotaStop],
    bus_days: Sequence[BusDay],
    *,
    start: date,
    days: int,
    stop_xy: np.ndarray,
    depot_xy: Mapping[str, tuple[float, float]],
    cost: CostModel,
    distance: CostModel | None = None,
    speed_kph: float = 30.0,
    rules: DriverRules | None = None,
    control: Control | None = None,
    solution_limit: int | None = None,
    keep: Mapping[str, Mapping[date, Published]] | None = None,
    hold: bool = True,
) -> RotationResult:
    """Plan the range. `cost` gives seconds, `distance` metres (both over metric x/y); without a
    distance model, kilometres are the travel times at `speed_kph`. The time limit is
    `control.time_limit_s` (30 s when unset). `keep` holds a previous plan's visits by stop and
    date: their dates are preferred and its routes start the search (so a plan with less work
    never serves less); with `hold` (a re-plan of a published timetable) they also stay on their
    bus at their published minute unless their stop loses a visit."""
    control = control or Control()
    rules = rules or DriverRules()
    time_limit_s = control.time_limit_s if control.time_limit_s is not None else 30.0
    keep = keep or {}
    buses = {bd.bus.id: bd.bus for bd in bus_days}
    depot_ids = sorted({b.depot_id for b in buses.values()} | {b.end_depot_id or b.depot_id for b in buses.values()})
    xy = np.vstack([np.array([depot_xy[d] for d in depot_ids], float).reshape(-1, 2),
                    np.asarray(stop_xy, float).reshape(-1, 2)])
    raw = cost.matrix(xy, xy)
    seconds = rules.buffered(raw)
    metres = distance.matrix(xy, xy) if distance is not None else raw * speed_kph / 3.6
    loc_of_depot = {d: i for i, d in enumerate(depot_ids)}
    n_dep = len(depot_ids)

    vehicles, day_of = _vehicles(bus_days, loc_of_depot, rules)
    by_date: dict[date, list[BusDay]] = {}
    for bd in bus_days:
        by_date.setdefault(bd.day, []).append(bd)

    dropped: list[DroppedStop] = []
    eligible: dict[str, list[str]] = {}
    for k, rota in enumerate(rotas):
        fleet = [b for b in buses.values() if not rota.stop.allowed_vehicles or b.id in rota.stop.allowed_vehicles]
        why = _precheck(rota, k + n_dep, fleet, loc_of_depot, seconds, rules)
        if why is None and rota.due > len(rota.fixed) and not rota.dates:
            why = reason("no_dates")
        if why is not None:
            dropped.append(DroppedStop(rota.id, (), rota.due - len(rota.fixed), *why))
            continue
        eligible[rota.id] = [b.id for b in fleet]
    live = [(k, r) for k, r in enumerate(rotas) if r.id in eligible and r.due > len(r.fixed)]

    home = _home_buses(live, eligible, buses, bus_days, keep, seconds, loc_of_depot, n_dep)
    # Work already dated on each (bus, date): (window start, window end, hours); a date costs a
    # stop the hours there whose windows overlap its own (afternoon stops compete for afternoons).
    booked: dict[tuple[str, date], list[tuple[float, float, float]]] = {}
    choice: dict[str, list[date]] = {}
    short_of: dict[str, int] = {}  # visits the stop's open dates cannot hold with its gaps
    order = sorted(live, key=lambda kr: (len(kr[1].dates) / max(kr[1].due, 1), -kr[1].stop.priority, kr[1].id))
    for k, rota in order:
        stop = rota.stop
        work_h = (stop.service_min * 60.0 + 2 * seconds[:n_dep, k + n_dep].min()) / 3600.0
        mine = (float(stop.window.start_min), float(stop.window.end_min))
        load = {d: LOAD_WEIGHT * _overlap_hours(booked.get((home[rota.id], d), []), mine) for d in rota.dates}
        costs = DateCosts(load, {d: KEEP_BONUS for d in keep.get(rota.id, {})})
        home_dates = tuple(d for d in rota.dates if any(bd.bus.id == home[rota.id] for bd in by_date.get(d, [])))
        chosen = choose_dates(_with_dates(rota, home_dates), start, days, costs)
        if chosen is None:
            chosen = choose_dates(rota, start, days, costs)
        short = 0
        while chosen is None and short < rota.due - len(rota.fixed):
            # The dates cannot hold every visit with its gaps: plan as many as they hold.
            short += 1
            # A visit short, the longest gap cannot be kept either: only the shortest is.
            chosen = choose_dates(replace(rota, due=rota.due - short, max_gap_days=10**4), start, days, costs)
        if short:
            short_of[rota.id] = short
        if not chosen:
            dropped.append(DroppedStop(rota.id, (), short,
                                       *reason("no_pattern", n=rota.due, lo=rota.min_gap_days, hi=rota.max_gap_days)))
            continue
        choice[rota.id] = chosen
        for d in chosen:
            booked.setdefault((home[rota.id], d), []).append((*mine, work_h))
    rota_of = {r.id: (k, r) for k, r in live}
    restrict = {sid: True for sid in choice}
    avoided: dict[str, frozenset[date]] = {}
    released: set[str] = set()  # stops whose published visits may move (one of them was lost)
    same_time: dict[str, tuple[float, float]] = {}  # service-start bounds that keep a stop's time of day

    def build() -> RoutingInstance:
        visits = []
        for sid, dates in choice.items():
            k, rota = rota_of[sid]
            stop = rota.stop
            for d in dates:
                allowed = {bd.vehicle_id for bd in by_date.get(d, []) if bd.bus.id in eligible[sid]}
                pinned = {bd.vehicle_id for bd in by_date.get(d, []) if bd.bus.id == home[sid]} & allowed
                window = (stop.window.start_min * 60.0, stop.window.end_min * 60.0 - stop.service_min * 60.0)
                published = keep.get(sid, {}).get(d)
                held = {f"{published.bus_id}@{d.isoformat()}"} & allowed if published and hold and sid not in released else set()
                if held and not window[0] <= published.start_s <= window[1]:
                    held = set()  # its window was edited since: the published time is no longer allowed
                if held:
                    # A published visit stays on its bus, within KEEP_SLACK_S of its published start.
                    pinned = held
                    window = (max(window[0], published.start_s - KEEP_SLACK_S), min(window[1], published.start_s + KEEP_SLACK_S))
                if sid in same_time and not held:
                    lo, hi = max(window[0], same_time[sid][0]), min(window[1], same_time[sid][1])
                    window = (lo, hi) if lo <= hi else window
                visits.append(Visit(
                    f"{sid}#{d.isoformat()}", k + n_dep, stop.service_min * 60.0, (window,), stop.load_crates,
                    PENALTY_PER_PRIORITY_M * max(stop.priority, 1) * (KEEP_WEIGHT if held else 1),
                    frozenset(pinned if (restrict[sid] or held) and pinned else allowed),
                ))
        return RoutingInstance("bookmobile-rotation", tuple(visits), tuple(vehicles), metres, seconds)

    instance = build()
    budget = [time_limit_s, 0]  # seconds, rounds done

    def run(inst: RoutingInstance, routes: list[list[str]] | None) -> Plan:
        share = budget[0] if budget[1] >= MAX_ROUNDS - 1 else budget[0] / (4 if budget[1] == 0 else 3)
        t0 = time.monotonic()
        sub = control.sub(min(budget[1] / MAX_ROUNDS, 0.9), 1.0)
        try:
            out = solve(inst, time_limit_s=max(share, 0.5), control=sub, solution_limit=solution_limit, initial_routes=routes)
        except ValueError:  # the start routes do not fit (times rounded to the minute): search from scratch
            out = solve(inst, time_limit_s=max(share, 0.5), control=sub, solution_limit=solution_limit)
        budget[0] -= time.monotonic() - t0
        budget[1] += 1
        return out

    plan = run(instance, _initial_routes(instance, keep, day_of))
    while plan.dropped and budget[1] < MAX_ROUNDS and budget[0] > 0.5 and not control.cancelled:
        lost = sorted({vid.split("#")[0] for vid in plan.dropped})
        served = _booked(plan, day_of, instance)
        before = {sid: list(dates) for sid, dates in choice.items()}
        for sid in lost:
            _k, rota = rota_of[sid]
            mine = (float(rota.stop.window.start_min), float(rota.stop.window.end_min))
            missed = frozenset(d for d in choice[sid] if f"{sid}#{d.isoformat()}" in plan.dropped)
            # Keep the visits served (and the published ones), move the missed ones elsewhere.
            kept = {d: KEEP_BONUS for d in keep.get(sid, {})} | {d: KEEP_BONUS for d in choice[sid] if d not in missed}
            # A date costs what the least busy eligible bus already does in this stop's window.
            load = {d: LOAD_WEIGHT * min((_overlap_hours(served.get((bd.bus.id, d), []), mine)
                                          for bd in by_date.get(d, []) if bd.bus.id in eligible[sid]), default=24.0)
                    for d in rota.dates}
            costs = DateCosts(load, kept, missed | avoided.get(sid, frozenset()))
            avoided[sid] = missed | avoided.get(sid, frozenset())
            released.add(sid)
            partial = {"due": rota.due - short_of[sid], "max_gap_days": 10**4} if sid in short_of else {}
            again = choose_dates(replace(rota, **partial), start, days, costs)
            if again is not None:
                choice[sid] = again
        restrict = dict.fromkeys(restrict, False)  # repairs may use any bus
        retry = build()
        ids = {v.id for v in retry.visits}
        start_routes = [[s.visit_id for s in r.stops if s.visit_id in ids] for r in plan.routes]
        second = run(retry, start_routes)
        if _score(retry, second) < _score(instance, plan):
            choice.clear()
            choice.update(before)  # the dates of the plan kept
            break
        instance, plan = retry, second
    if not plan.dropped and budget[0] > 1.0 and not control.cancelled:
        budget[1] = MAX_ROUNDS - 1  # the last round: all the time left
        instance, plan = _same_time_round(instance, plan, same_time, build, run)
    control.report(1.0, "")

    planned_dates: dict[str, list[date]] = {}
    for visit in instance.visits:
        sid, _, day = visit.id.partition("#")
        planned_dates.setdefault(sid, []).append(date.fromisoformat(day))
    for sid, dates in planned_dates.items():
        _k, rota = rota_of[sid]
        missing = [d for d in dates if f"{sid}#{d.isoformat()}" in plan.dropped]
        whys = []
        if sid in short_of:
            whys.append(reason("no_pattern", n=rota.due, lo=rota.min_gap_days, hi=rota.max_gap_days))
        if missing:
            whys.append(_drop_reason(rota, missing, instance, plan, by_date, eligible[sid], seconds, n_dep, rota_of[sid][0]))
        if whys:
            dropped.append(DroppedStop(sid, tuple(missing), len(missing) + short_of.get(sid, 0),
                                       "；".join(w[0] for w in whys), "; ".join(w[1] for w in whys)))
    report = check_rotation(instance, plan, rotas, {v: bd for v, bd in day_of.items()}, rules,
                            dropped={d.stop_id: d.missing for d in dropped})
    if not report.feasible:
        raise AssertionError("bookmobile plan violates its own rules:\n" + "\n".join(report.violations[:20]))
    visits, runs = _extract(instance, plan, day_of, rules)
    return RotationResult(instance, plan, visits, runs, dropped, report)


def _vehicles(bus_days: Sequence[BusDay], loc_of_depot: Mapping[str, int], rules: DriverRules
              ) -> tuple[list[VehicleSpec], dict[str, tuple[str, date]]]:
    """One vehicle per bus-date; the shift capped by the driver rules' shift length."""
    vehicles, day_of = [], {}
    for bd in sorted(bus_days, key=lambda b: (b.day, b.bus.id)):
        bus = bd.bus
        begin, end = bus.shift.start_min * 60.0, bus.shift.end_min * 60.0
        if rules.max_shift_min is not None:
            end = min(end, begin + rules.max_shift_min * 60.0)
        breaks = ()
        if bus.break_window is not None and bus.break_min > 0:
            breaks = (Break(bus.break_window.start_min * 60.0, bus.break_window.end_min * 60.0, bus.break_min * 60.0),)
        vehicles.append(VehicleSpec(bd.vehicle_id, loc_of_depot[bus.depot_id], loc_of_depot[bus.end_depot_id or bus.depot_id],
                                    bus.capacity_crates, begin, end, breaks))
        day_of[bd.vehicle_id] = (bus.id, bd.day)
    return vehicles, day_of


def _same_time_round(instance: RoutingInstance, plan: Plan, same_time: dict[str, tuple[float, float]],
                     build: object, run: object) -> tuple[RoutingInstance, Plan]:
    """Readers remember "Tuesday 3 pm": when every visit is served, try once more with each
    stop's visits held within SAME_TIME_S of their median start, keeping the result only if it
    still serves everything."""
    starts: dict[str, list[float]] = {}
    for route in plan.routes:
        for stop in route.stops:
            starts.setdefault(stop.visit_id.split("#")[0], []).append(stop.start)
    for sid, times in starts.items():
        if len(times) > 1 and max(times) - min(times) > 2 * SAME_TIME_S:
            mid = sorted(times)[len(times) // 2]
            same_time[sid] = (mid - SAME_TIME_S, mid + SAME_TIME_S)
    if not same_time:
        return instance, plan
    narrow = build()  # type: ignore[operator]
    window = {v.id: v.windows[0] for v in narrow.visits}
    routes = [[s.visit_id for s in r.stops if window[s.visit_id][0] - 1e-6 <= s.start <= window[s.visit_id][1] + 1e-6]
              for r in plan.routes]
    again = run(narrow, routes)  # type: ignore[operator]
    if not again.dropped:
        return narrow, again
    same_time.clear()
    return instance, plan


def _overlap_hours(booked: list[tuple[float, float, float]], window: tuple[float, float]) -> float:
    """Hours booked on a bus-date, each weighted by how much of its window overlaps `window`,
    plus a third of the rest (every visit takes some of the day)."""
    total = 0.0
    for a, b, hours in booked:
        share = max(0.0, min(b, window[1]) - max(a, window[0])) / max(b - a, 1.0)
        total += hours * (share + (1 - share) / 3)
    return total


def _with_dates(rota: RotaStop, dates: tuple[date, ...]) -> RotaStop:
    return replace(rota, dates=dates)


def _home_buses(live, eligible, buses, bus_days, keep, seconds, loc_of_depot, n_dep) -> dict[str, str]:  # noqa: ANN001
    """Each stop's home bus: the one a published plan used most, else near its depot, spreading
    the work over the buses by the days they work."""
    capacity = Counter(bd.bus.id for bd in bus_days)
    load: Counter[str] = Counter()
    home: dict[str, str] = {}
    for k, rota in sorted(live, key=lambda kr: (-kr[1].stop.priority, kr[1].id)):
        published = Counter(p.bus_id for p in keep.get(rota.id, {}).values() if p.bus_id in eligible[rota.id])
        if published:
            home[rota.id] = published.most_common(1)[0][0]
        else:
            def score(bid: str, loc: int = k + n_dep) -> float:
                drive = seconds[loc_of_depot[buses[bid].depot_id], loc]
                return float(drive) + 3600.0 * load[bid] / max(capacity[bid], 1)

            home[rota.id] = min(eligible[rota.id], key=lambda b: (score(b), b))
        load[home[rota.id]] += (rota.stop.service_min / 60.0 + 0.5) * rota.due
    return home


def _initial_routes(instance: RoutingInstance, keep: Mapping[str, Mapping[date, Published]],
                    day_of: Mapping[str, tuple[str, date]]) -> list[list[str]] | None:
    """A published plan's routes over this instance's visits (its visits on their old bus-date,
    in their old order), or None when nothing is kept."""
    if not keep:
        return None
    on: dict[str, list[tuple[float, str]]] = {}
    for visit in instance.visits:
        sid = visit.id.split("#")[0]
        for vid in visit.allowed_vehicles or ():
            bus, d = day_of[vid]
            p = keep.get(sid, {}).get(d)
            if p is not None and p.bus_id == bus:
                on.setdefault(vid, []).append((p.arrive_s, visit.id))
    routes = [[v for _, v in sorted(on.get(veh.id, []))] for veh in instance.vehicles]
    return routes if any(routes) else None


def _booked(plan: Plan, day_of: Mapping[str, tuple[str, date]], instance: RoutingInstance
            ) -> dict[tuple[str, date], list[tuple[float, float, float]]]:
    """What each bus-date of a plan serves: (window start, window end in minutes, hours)."""
    out: dict[tuple[str, date], list[tuple[float, float, float]]] = {}
    for route in plan.routes:
        for stop in route.stops:
            visit = instance.visit(stop.visit_id)
            (a, b), = visit.windows
            out.setdefault(day_of[route.vehicle_id], []).append((a / 60.0, (b + visit.service) / 60.0, visit.service / 3600.0))
    return out


def _score(instance: RoutingInstance, plan: Plan) -> tuple[float, float]:
    served = {s.visit_id for r in plan.routes for s in r.stops}
    weight = sum(v.penalty or 0.0 for v in instance.visits if v.id in served)
    return weight, -plan.total_distance


def _drop_reason(rota: RotaStop, missing: list[date], instance: RoutingInstance, plan: Plan,
                 by_date: Mapping[date, list[BusDay]], eligible: list[str], seconds: np.ndarray,
                 n_dep: int, loc: int) -> tuple[str, str]:
    """"Fleet hours" only when the arithmetic shows it: on every missed date the eligible buses'
    time left (shift minus route minus break) is less than the visit's service and round trip;
    otherwise the search did not place it."""
    busy = {r.vehicle_id: r.arrive - r.depart for r in plan.routes if r.stops}
    spec = {v.id: v for v in instance.vehicles}
    need = rota.stop.service_min * 60.0 + seconds[:n_dep, loc + n_dep].min() + seconds[loc + n_dep, :n_dep].min()
    worst_free = 0.0
    for d in missing:
        free = 0.0
        for bd in by_date.get(d, []):
            if bd.bus.id not in eligible:
                continue
            v = spec[bd.vehicle_id]
            brk = sum(b.duration for b in v.breaks)
            free = max(free, v.shift_end - v.shift_start - busy.get(bd.vehicle_id, 0.0) - brk)
        worst_free = max(worst_free, free)
    dates = ", ".join(d.isoformat() for d in missing)
    if worst_free < need:
        return reason("fleet", dates=dates, free=int(worst_free // 60), need=int(-(-need // 60)))
    return reason("search", dates=dates)


def _extract(instance: RoutingInstance, plan: Plan, day_of: Mapping[str, tuple[str, date]],
             rules: DriverRules) -> tuple[list[PlannedVisit], list[BusRun]]:
    visits: list[PlannedVisit] = []
    runs: list[BusRun] = []
    for route in plan.routes:
        if not route.stops:
            continue
        bus, d = day_of[route.vehicle_id]
        for stop, arrive in zip(route.stops, arrivals(instance, route), strict=True):
            visits.append(PlannedVisit(stop.visit_id.split("#")[0], bus, d, arrive, stop.start, stop.departure))
        runs.append(BusRun(bus, d, route.depart, route.arrive, route.distance / 1000.0,
                           tuple(driving_blocks_min(instance, route, rules.min_rest_min)),
                           tuple(sorted(route.breaks)), tuple(s.visit_id.split("#")[0] for s in route.stops)))
    visits.sort(key=lambda v: (v.day, v.bus_id, v.start_s))
    runs.sort(key=lambda r: (r.day, r.bus_id))
    return visits, runs


def _precheck(rota: RotaStop, loc: int, fleet: Sequence[Vehicle], loc_of_depot: Mapping[str, int],
              seconds: np.ndarray, rules: DriverRules) -> tuple[str, str] | None:
    """Why a stop can never be served (before any routing), or None."""
    stop = rota.stop
    if stop.window.end_min - stop.window.start_min < stop.service_min:
        return reason("window_short")
    if not fleet:
        return reason("no_vehicle")
    limit = rules.max_driving_min * 60.0
    for bus in fleet:
        out = seconds[loc_of_depot[bus.depot_id], loc]
        back = seconds[loc, loc_of_depot[bus.end_depot_id or bus.depot_id]]
        if out > limit or back > limit:
            continue
        begin = max(bus.shift.start_min * 60.0 + out, stop.window.start_min * 60.0)
        end = begin + stop.service_min * 60.0
        if end <= stop.window.end_min * 60.0 and end + back <= bus.shift.end_min * 60.0:
            return None
    return reason("unreachable")
