"""The bookmobile week (城市书巴): which day each stop is visited and the route of every bus
on every working day.

Day assignment and routing are *iterated*, not solved as one model: a stop that wants the bus
twice a week picks a day pattern (e.g. Mon+Thu, at least two days apart), the week is then one
routing problem with a vehicle per bus-day in which each visit may only ride the vehicles of its
pattern's day; visits the router had to drop are moved to another allowed pattern on the
least-loaded days and the week is solved again, keeping the better week. Why: a joint model
needs day-variables tied to vehicle choices, which the routing library's local search handles
poorly; patterns-then-routes keeps every step a plain VRPTW the solver is good at, and the
repair round recovers most of what a bad first pattern costs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from models.control import Control
from models.costs import CostModel
from models.records import WEEKDAYS, BookmobileStop, Vehicle
from routing.check import check_week
from routing.instance import Break, Plan, RoutingInstance, VehicleSpec, Visit
from routing.solver import solve

#: Cost of leaving a visit out, per priority point, in metres of driving: more than any detour.
PENALTY_PER_PRIORITY_M = 1_000_000.0

REASONS = {
    "window_short": ("时间窗短于停靠时长", "the time window is shorter than the service time"),
    "no_days": ("可服务日中没有任何书巴上班", "no bookmobile works on any of its allowed days"),
    "no_pattern": ("可服务日不够安排每周 {n} 次（两次之间至少隔一天）",
                   "its allowed days cannot hold {n} visits a week at least two days apart"),
    "unreachable": ("任何车场出发都无法在时间窗内到达并按时返回",
                    "no depot can reach it within its time window and be back before the shift ends"),
    "no_vehicle": ("指定的车辆不存在或不上班", "its allowed vehicles do not exist or do not work"),
    "fleet": ("车队工作时间已满：这一周排不下", "fleet hours exhausted: the week has no room for it"),
}


@dataclass(frozen=True)
class Dropped:
    stop_id: str
    visit: int  # 1-based visit of the week
    reason_zh: str
    reason_en: str


@dataclass
class WeekResult:
    """The routes (one per bus-day that drives), what could not be served and why."""

    instance: RoutingInstance
    plan: Plan
    day_of_vehicle: dict[str, str]
    bus_of_vehicle: dict[str, str]
    dropped: list[Dropped] = field(default_factory=list)


def _reason(key: str, **fmt: object) -> tuple[str, str]:
    zh, en = REASONS[key]
    return zh.format(**fmt), en.format(**fmt)


def day_patterns(allowed: Sequence[str], visits: int) -> list[tuple[str, ...]]:
    """Day combinations for `visits` a week from `allowed`, consecutive visits ≥ 2 days apart,
    most evenly spread first (Mon+Thu before Mon+Wed)."""
    idx = sorted(WEEKDAYS.index(d) for d in set(allowed))
    out = []
    for combo in itertools.combinations(idx, visits):
        gaps = [b - a for a, b in itertools.pairwise(combo)]
        if all(g >= 2 for g in gaps):
            spread = min([*gaps, 7 - (combo[-1] - combo[0])]) if visits > 1 else 0
            out.append((spread, combo))
    out.sort(key=lambda sc: (-sc[0], sc[1]))
    return [tuple(WEEKDAYS[i] for i in combo) for _, combo in out]


def plan_week(
    stops: Sequence[BookmobileStop],
    buses: Sequence[Vehicle],
    *,
    stop_xy: np.ndarray,
    depot_xy: dict[str, tuple[float, float]],
    cost: CostModel,
    distance: CostModel | None = None,
    speed_kph: float = 30.0,
    time_limit_s: float = 30.0,
    control: Control | None = None,
    solution_limit: int | None = None,
) -> WeekResult:
    """Plan the week. `cost` gives seconds, `distance` metres (both over metric x/y); without
    a distance model, kilometres are the travel times at `speed_kph` (road-like distances
    consistent with the times)."""
    control = control or Control()
    depot_ids = sorted({b.depot_id for b in buses} | {b.end_depot_id or b.depot_id for b in buses})
    xy = np.vstack([np.array([depot_xy[d] for d in depot_ids], float).reshape(-1, 2), np.asarray(stop_xy, float).reshape(-1, 2)])
    seconds = cost.matrix(xy, xy)
    metres = distance.matrix(xy, xy) if distance is not None else seconds * speed_kph / 3.6
    loc_of_depot = {d: i for i, d in enumerate(depot_ids)}
    n_dep = len(depot_ids)

    vehicles: list[VehicleSpec] = []
    day_of: dict[str, str] = {}
    bus_of: dict[str, str] = {}
    for bus in buses:
        for day in [d for d in WEEKDAYS if d in bus.days]:
            vid = f"{bus.id}@{day}"
            breaks = ()
            if bus.break_window is not None and bus.break_min > 0:
                breaks = (Break(bus.break_window.start_min * 60.0, bus.break_window.end_min * 60.0, bus.break_min * 60.0),)
            vehicles.append(VehicleSpec(
                vid, loc_of_depot[bus.depot_id], loc_of_depot[bus.end_depot_id or bus.depot_id],
                bus.capacity_crates, bus.shift.start_min * 60.0, bus.shift.end_min * 60.0, breaks,
            ))
            day_of[vid], bus_of[vid] = day, bus.id

    dropped: list[Dropped] = []
    patterns: dict[str, list[tuple[str, ...]]] = {}
    for k, stop in enumerate(stops):
        reason = _precheck(stop, k + n_dep, buses, loc_of_depot, seconds)
        if reason is None:
            working = {d for b in buses if not stop.allowed_vehicles or b.id in stop.allowed_vehicles for d in b.days}
            allowed = [d for d in stop.allowed_days if d in working]
            if not allowed:
                reason = _reason("no_days")
            else:
                options = day_patterns(allowed, stop.visits_per_week)
                if not options:
                    reason = _reason("no_pattern", n=stop.visits_per_week)
                patterns[stop.id] = options
        if reason is not None:
            dropped += [Dropped(stop.id, v + 1, *reason) for v in range(stop.visits_per_week)]
    candidates = [(k, s) for k, s in enumerate(stops) if patterns.get(s.id)]

    # Round 0: spread patterns over the days by the work they bring (service + a round trip).
    load = dict.fromkeys(WEEKDAYS, 0.0)
    work = {s.id: s.service_min * 60.0 + 2 * seconds[:n_dep, k + n_dep].min() for k, s in candidates}
    choice: dict[str, tuple[str, ...]] = {}
    for _k, stop in sorted(candidates, key=lambda ks: -ks[1].priority):
        best = min(patterns[stop.id], key=lambda p: sum(load[d] for d in p))
        choice[stop.id] = best
        for d in best:
            load[d] += work[stop.id]

    def build() -> RoutingInstance:
        visits = []
        for k, stop in candidates:
            for v, day in enumerate(choice[stop.id]):
                allowed = frozenset(
                    vid for vid in day_of if day_of[vid] == day
                    and (not stop.allowed_vehicles or bus_of[vid] in stop.allowed_vehicles)
                )
                start = stop.window.start_min * 60.0
                latest = stop.window.end_min * 60.0 - stop.service_min * 60.0
                visits.append(Visit(
                    f"{stop.id}#{v + 1}", k + n_dep, stop.service_min * 60.0, ((start, latest),),
                    stop.load_crates, PENALTY_PER_PRIORITY_M * max(stop.priority, 1), allowed,
                ))
        return RoutingInstance("bookmobile-week", tuple(visits), tuple(vehicles), metres, seconds)

    rounds = 2
    best_instance = build()
    best = solve(best_instance, time_limit_s=time_limit_s / rounds, control=control.sub(0, 0.5),
                 solution_limit=solution_limit)
    lost = {vid.split("#")[0] for vid in best.dropped}
    if lost and not control.cancelled:
        used = dict.fromkeys(WEEKDAYS, 0.0)
        for route in best.routes:
            used[day_of[route.vehicle_id]] += route.arrive - route.depart
        for stop_id in lost:
            others = [p for p in patterns[stop_id] if p != choice[stop_id]]
            if others:
                choice[stop_id] = min(others, key=lambda p: sum(used[d] for d in p))
        instance = build()
        again = solve(instance, time_limit_s=time_limit_s / rounds, control=control.sub(0.5, 1.0),
                      solution_limit=solution_limit)
        if _score(instance, again) > _score(best_instance, best):
            best_instance, best = instance, again
    fleet = _reason("fleet")
    for visit_id in best.dropped:
        stop_id, _, v = visit_id.partition("#")
        dropped.append(Dropped(stop_id, int(v), *fleet))
    best.dropped = {f"{d.stop_id}#{d.visit}": d.reason_en for d in dropped}
    report = check_week(best_instance, best, stops, day_of)
    if not report.feasible:
        raise AssertionError("bookmobile week violates its own rules:\n" + "\n".join(report.violations))
    return WeekResult(best_instance, best, day_of, bus_of, dropped)


def _score(instance: RoutingInstance, plan: Plan) -> tuple[float, float]:
    served = {s.visit_id for r in plan.routes for s in r.stops}
    weight = sum(v.penalty or 0.0 for v in instance.visits if v.id in served)
    return weight, -plan.total_distance


def _precheck(
    stop: BookmobileStop, loc: int, buses: Sequence[Vehicle], loc_of_depot: dict[str, int], seconds: np.ndarray
) -> tuple[str, str] | None:
    """Why a stop can never be served (before any routing), or None."""
    if stop.window.end_min - stop.window.start_min < stop.service_min:
        return _reason("window_short")
    fleet = [b for b in buses if not stop.allowed_vehicles or b.id in stop.allowed_vehicles]
    if not fleet:
        return _reason("no_vehicle")
    for bus in fleet:
        out = seconds[loc_of_depot[bus.depot_id], loc]
        back = seconds[loc, loc_of_depot[bus.end_depot_id or bus.depot_id]]
        start = max(bus.shift.start_min * 60.0 + out, stop.window.start_min * 60.0)
        if start + stop.service_min * 60.0 <= stop.window.end_min * 60.0 and start + stop.service_min * 60.0 + back <= bus.shift.end_min * 60.0:
            return None
    return _reason("unreachable")
