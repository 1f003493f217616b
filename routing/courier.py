"""Courier runs for shared borrowing (通借通还): crates picked up at one library and delivered
to another within both libraries' opening hours, by vans with capacities and shifts.

Search: paired requests make cheapest-arc first solutions fail (they build routes arc by arc
and cannot keep a pickup and its delivery together), so the first solution is parallel
cheapest insertion, which inserts each pickup–delivery pair whole, then guided local search.

Two plans are compared: *direct* (each shipment is one pickup–delivery pair) and *hub* (every
shipment not already touching the central library goes in via the central library: a morning
stage brings crates to the hub, the crates are sorted there, and an afternoon stage takes them
on). The hub plan is solved as two stages on purpose: the second stage's pickups at the hub may
only start once stage one has delivered and sorting is over, which is a precedence between two
pairs the routing library cannot state directly; vans continue into stage two from wherever
their stage-one shift ended, so the two stages together are one feasible day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from models.control import Control
from models.costs import CostModel
from models.records import Shipment, TimeWindow, Vehicle
from routing.instance import Plan, RoutingInstance, VehicleSpec, Visit
from routing.solver import solve

STOP_MIN = 5.0  # parking and paperwork per shipment handled
CRATE_MIN = 1.0  # loading or unloading one crate
HUB_SORT_MIN = 45.0  # sorting at the central library between the two hub stages
PENALTY_PER_CRATE_M = 500_000.0


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
    """A day's plan: the solver plan(s), which shipment each visit belongs to, what is left."""

    stages: list[tuple[RoutingInstance, Plan]]
    shipment_of_visit: dict[str, str]
    shipments: list[Shipment]  # after splitting oversized ones
    left: dict[str, tuple[str, str]] = field(default_factory=dict)  # shipment id → (zh, en)
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def distance_m(self) -> float:
        return sum(plan.total_distance for _, plan in self.stages)

    @property
    def duration_s(self) -> float:
        return sum(r.arrive - r.depart for _, plan in self.stages for r in plan.used_routes)

    @property
    def vehicles(self) -> int:
        return len({r.vehicle_id for _, plan in self.stages for r in plan.used_routes})


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
    time_limit_s: float = 30.0,
    control: Control | None = None,
    solution_limit: int | None = None,
) -> CourierPlan:
    """Route the day's shipments directly (hub_id None) or through the hub library."""
    control = control or Control()
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

    if hub_id is None:
        inst, plan, owner = _solve_stage(ok, lib, loc, vans, {v.id: v.shift.start_min * 60.0 for v in vans},
                                         seconds, metres, time_limit_s, control, solution_limit, "d")
        stages = [(inst, plan)]
    else:
        first = [Shipment(s.id, s.from_id, hub_id, s.crates, s.day) for s in ok if s.from_id != hub_id]
        inst1, plan1, owner1 = _solve_stage(first, lib, loc, vans, {v.id: v.shift.start_min * 60.0 for v in vans},
                                            seconds, metres, time_limit_s / 2, control.sub(0, 0.5), solution_limit, "h1")
        dropped1 = {owner1[v] for v in plan1.dropped}
        # Sorting starts when the last inbound crate has been unloaded at the hub.
        at_hub = max((st.departure for r in plan1.routes for st in r.stops
                      if inst1.location_ids[inst1.visit(st.visit_id).location] == hub_id), default=0.0)
        ready = at_hub + HUB_SORT_MIN * 60.0
        free = {v.id: v.shift.start_min * 60.0 for v in vans}
        for route in plan1.used_routes:
            free[route.vehicle_id] = max(free[route.vehicle_id], route.arrive)
        second = [Shipment(s.id, hub_id, s.to_id, s.crates, s.day) for s in ok
                  if s.to_id != hub_id and s.id not in dropped1]
        inst2, plan2, owner2 = _solve_stage(second, lib, loc, vans, free, seconds, metres, time_limit_s / 2,
                                            control.sub(0.5, 1.0), solution_limit, "h2", hub_ready=(hub_id, ready))
        stages = [(inst1, plan1), (inst2, plan2)]
        owner = {**owner1, **owner2}
        plan = plan2
        for visit_id in plan1.dropped:
            plan.dropped.setdefault(visit_id, plan1.dropped[visit_id])
    for visit_id in (v for _, p in stages for v in p.dropped):
        left.setdefault(owner[visit_id], ("车队今天的时间或容量不够，顺延到下一个工作日",
                                          "the vans' hours or capacity ran out today: left for the next working day"))
    return CourierPlan(stages, owner, shipments, left, notes)


def _solve_stage(
    shipments: Sequence[Shipment], lib: dict[str, Library], loc: dict[str, int], vans: Sequence[Vehicle],
    start_at: dict[str, float], seconds: np.ndarray, metres: np.ndarray, time_limit_s: float,
    control: Control, solution_limit: int | None, tag: str, hub_ready: tuple[str, float] | None = None,
) -> tuple[RoutingInstance, Plan, dict[str, str]]:
    visits, pairs, owner = [], [], {}
    for s in shipments:
        handling = (STOP_MIN + CRATE_MIN * s.crates) * 60.0
        a0, a1 = _window(lib[s.from_id])
        if hub_ready is not None and s.from_id == hub_ready[0]:
            a0 = max(a0, hub_ready[1])
        b0, b1 = _window(lib[s.to_id])
        p_id, d_id = f"{tag}:{s.id}:P", f"{tag}:{s.id}:D"
        penalty = PENALTY_PER_CRATE_M * max(s.crates, 1)
        visits.append(Visit(p_id, loc[s.from_id], handling, ((a0, max(a0, a1 - handling)),), s.crates, penalty))
        visits.append(Visit(d_id, loc[s.to_id], handling, ((b0, max(b0, b1 - handling)),), -s.crates, penalty))
        pairs.append((p_id, d_id))
        owner[p_id] = owner[d_id] = s.id
    vehicles = tuple(
        VehicleSpec(v.id, loc[v.depot_id], loc[v.end_depot_id or v.depot_id], v.capacity_crates,
                    max(start_at[v.id], v.shift.start_min * 60.0), v.shift.end_min * 60.0)
        for v in vans
    )
    ids = tuple(sorted(loc, key=loc.get))
    instance = RoutingInstance(f"courier-{tag}", tuple(visits), vehicles, metres, seconds, tuple(pairs), ids)
    if not visits:
        return instance, Plan(routes=[], status="empty"), owner
    plan = solve(instance, time_limit_s=time_limit_s, control=control, first_solution="parallel_cheapest_insertion",
                 solution_limit=solution_limit)
    return instance, plan, owner
