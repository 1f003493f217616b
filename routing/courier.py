"""Courier runs for shared borrowing (通借通还): crates picked up at one library and delivered
to another within both libraries' opening hours, by vans with capacities and shifts.

A visit is one stop: the fixed stop time (parking, paperwork) is paid once each time a van
arrives at a library, however many loads it takes on or hands over there; handling is per crate.

Search: our own construction (routing.construct) always builds a complete first plan, at any
volume; OR-Tools' guided local search then improves it from those routes when the day is small
enough to search in the time given. OR-Tools' own first-solution builders are not used: they
fail outright once transfers tie pairs together on large days.

Two plans are compared: *direct* (each shipment is one pickup–delivery pair) and *hub* (every
shipment not already touching the central library goes via the central library: one pair brings
its crates to the hub, a second takes them on). Both legs are in one model: the second leg's
pickup starts at least the unloading plus sorting time after the first leg's delivery, on
whichever vans, and the two legs are served together or not at all (a precedence between pairs,
stated as a constraint on the time dimension), so one van may bring crates in and another take
them on as soon as they are sorted, rather than waiting for the last inbound van. A first leg
may be served alone: the crates then wait at the hub for the next day, and are reported so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from models.control import Control
from models.costs import CostModel
from models.records import Shipment, TimeWindow, Vehicle
from routing.check import assert_feasible
from routing.construct import construct
from routing.instance import Plan, RoutingInstance, VehicleSpec, Visit
from routing.solver import solve

STOP_MIN = 5.0  # parking and paperwork, once per van arrival at a library
CRATE_MIN = 1.0  # loading or unloading one crate
HUB_SORT_MIN = 45.0  # sorting at the central library between a shipment's two legs
PENALTY_PER_CRATE_M = 500_000.0
#: Above this many visits a day the constructed plan is kept as it is (searching it further
#: would not finish in a useful time).
SEARCH_MAX_VISITS = 400


@dataclass(frozen=True)
class Library:
    """A library as the courier sees it: where, and when it is open (None: 24 h)."""

    id: str
    name: str
    xy: tuple[float, float]
    hours: TimeWindow | None
    closed: bool = False


@dataclass
class CourierPlan:
    """A day's plan: the checked solver plan, which shipment each visit belongs to, what is left."""

    instance: RoutingInstance
    plan: Plan
    shipment_of_visit: dict[str, str]
    shipments: list[Shipment]  # after splitting oversized ones
    left: dict[str, tuple[str, str]] = field(default_factory=dict)  # shipment id → (zh, en)
    notes: list[tuple[str, str]] = field(default_factory=list)
    at_hub: set[str] = field(default_factory=set)  # shipments left at the hub after their first leg

    @property
    def distance_m(self) -> float:
        return self.plan.total_distance

    @property
    def duration_s(self) -> float:
        return sum(r.arrive - r.depart for r in self.plan.used_routes)

    @property
    def vehicles(self) -> int:
        return self.plan.vehicles_used

    @property
    def found(self) -> bool:
        """False when there was work to do and the plan serves none of it."""
        return not self.instance.visits or bool(self.plan.used_routes)


def split_oversized(shipments: Sequence[Shipment], capacity: int) -> tuple[list[Shipment], list[tuple[str, str]]]:
    """Shipments larger than the biggest van become several of at most `capacity` crates."""
    out, notes = [], []
    for s in shipments:
        if s.crates <= capacity:
            out.append(s)
            continue
        parts = math.ceil(s.crates / capacity)
        notes.append((f"{s.from_id}→{s.to_id} 的 {s.crates} 箱超过单车容量 {capacity}，拆成 {parts} 批",
                      f"{s.crates} crates {s.from_id}→{s.to_id} exceed a van's {capacity}: split into {parts} loads"))
        for k in range(parts):
            out.append(Shipment(f"{s.id}.{k + 1}", s.from_id, s.to_id, min(capacity, s.crates - k * capacity), s.day, s.items))
    return out, notes


def _window(lib: Library) -> tuple[float, float]:
    if lib.hours is None:
        return (0.0, 24 * 3600.0)
    return (lib.hours.start_min * 60.0, lib.hours.end_min * 60.0)


def plan_day(
    shipments: Sequence[Shipment],
    libraries: Sequence[Library],
    vans: Sequence[Vehicle],
    *,
    cost: CostModel,
    speed_kph: float,
    hub_id: str | None = None,
    via_hub: frozenset[str] | None = None,
    control: Control | None = None,
    solution_limit: int | None = None,
) -> CourierPlan:
    """Route the day's shipments directly (hub_id None) or through the hub library (all of them,
    or only those whose ids are in `via_hub`), searching
    for at most `control.time_limit_s` (default 30 s) after the constructed plan."""
    control = control or Control()
    time_limit_s = control.time_limit_s if control.time_limit_s is not None else 30.0
    lib = {x.id: x for x in libraries}
    ids = [x.id for x in libraries]
    xy = np.array([lib[i].xy for i in ids], float)
    seconds = cost.matrix(xy, xy)
    metres = seconds * speed_kph / 3.6
    loc = {i: k for k, i in enumerate(ids)}
    capacity = max((v.capacity_crates for v in vans), default=0)
    shipments, notes = split_oversized(shipments, max(capacity, 1))
    left: dict[str, tuple[str, str]] = {}
    ok = []
    for s in shipments:
        closed = [x for x in (s.from_id, s.to_id) if lib[x].closed]
        if closed:
            left[s.id] = (f"{lib[closed[0]].name} 今天闭馆，顺延到下一个工作日",
                          f"{lib[closed[0]].name} is closed today: left for the next working day")
        elif not vans:
            left[s.id] = ("没有可用的物流车", "no van is available")
        else:
            ok.append(s)

    def through_hub(s: Shipment) -> bool:
        return hub_id is not None and hub_id not in (s.from_id, s.to_id) and (via_hub is None or s.id in via_hub)

    legs = [leg for s in ok for leg in (
        [(s, s.from_id, hub_id), (s, hub_id, s.to_id)] if through_hub(s) else [(s, s.from_id, s.to_id)])]
    instance, plan, owner = _solve(legs, lib, loc, vans, seconds, metres, time_limit_s, control, solution_limit)
    at_hub = {owner[v] for v in plan.dropped if v.endswith(":2:P")} - {owner[v] for v in plan.dropped if v.endswith(":1:P")}
    for shipment_id in sorted(at_hub):
        # Its first leg is served: the crates are at the hub, to go on another day.
        left[shipment_id] = ("今天送到中心馆分拣，下一个工作日转运", "brought to the central library today: goes on the next working day")
    for visit_id in plan.dropped:
        left.setdefault(owner[visit_id], ("车队今天的时间或容量不够，顺延到下一个工作日",
                                          "the vans' hours or capacity ran out today: left for the next working day"))
    return CourierPlan(instance, plan, owner, shipments, left, notes, at_hub)


def _solve(
    legs: Sequence[tuple[Shipment, str, str]], lib: dict[str, Library], loc: dict[str, int], vans: Sequence[Vehicle],
    seconds: np.ndarray, metres: np.ndarray, time_limit_s: float, control: Control, solution_limit: int | None,
) -> tuple[RoutingInstance, Plan, dict[str, str]]:
    """One pickup–delivery pair per leg; a shipment's second leg (through the hub) is picked up
    no sooner than its first leg's unloading plus sorting."""
    visits, pairs, precedences, owner = [], [], [], {}
    first_leg: dict[str, tuple[str, float]] = {}
    for s, src, dst in legs:
        handling = CRATE_MIN * s.crates * 60.0
        a0, a1 = _window(lib[src])
        b0, b1 = _window(lib[dst])
        leg = 2 if s.id in first_leg else 1
        p_id, d_id = f"{s.id}:{leg}:P", f"{s.id}:{leg}:D"
        penalty = PENALTY_PER_CRATE_M * max(s.crates, 1)
        visits.append(Visit(p_id, loc[src], handling, ((a0, max(a0, a1 - handling)),), s.crates, penalty))
        visits.append(Visit(d_id, loc[dst], handling, ((b0, max(b0, b1 - handling)),), -s.crates, penalty))
        pairs.append((p_id, d_id))
        owner[p_id] = owner[d_id] = s.id
        if leg == 2:
            precedences.append((first_leg[s.id][0], p_id, first_leg[s.id][1] + HUB_SORT_MIN * 60.0))
        first_leg[s.id] = (d_id, handling)
    vehicles = tuple(
        VehicleSpec(v.id, loc[v.depot_id], loc[v.end_depot_id or v.depot_id], v.capacity_crates,
                    v.shift.start_min * 60.0, v.shift.end_min * 60.0)
        for v in vans
    )
    ids = tuple(sorted(loc, key=loc.get))
    instance = RoutingInstance("courier", tuple(visits), vehicles, metres, seconds, tuple(pairs), ids,
                               tuple(precedences), stop_time=STOP_MIN * 60.0)
    if not visits:
        return instance, Plan(routes=[], status="empty"), owner
    # A few constructions (nearest place with work, or the busiest of the 2–3 nearest): the best.
    looks = (1, 2, 3) if len(pairs) <= SEARCH_MAX_VISITS else (1, 2)
    plan = min((construct(instance, look) for look in looks), key=lambda p: (len(p.dropped), p.total_distance))
    assert_feasible(instance, plan)
    if len(visits) <= SEARCH_MAX_VISITS and time_limit_s > 0.2 and not control.cancel.is_set():
        start = [[stop.visit_id for stop in r.stops] for r in plan.routes]
        try:
            better = solve(instance, time_limit_s=time_limit_s, control=control, initial_routes=start,
                           solution_limit=solution_limit)
        except ValueError:  # rounding made the constructed routes unreadable: keep them
            better = None
        if better is not None and better.status == "ok" and (
            (len(better.dropped), better.total_distance) < (len(plan.dropped), plan.total_distance)
        ):
            plan = better
    return instance, plan, owner
