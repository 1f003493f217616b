"""PyVRP (iterated local search) as a second routing engine, for the instances its model covers.

In scope: one time window per visit, no breaks, no allowed-vehicle lists, no precedences
between visits on different vehicles; paired pickups and deliveries become PyVRP shipments
(the pickup's demand q > 0, the delivery's −q), other visits carry a demand ≥ 0 picked up on
the way (the load after a stop is the sum so far, as in `routing.check`). Depots, shifts,
capacities and fixed costs per vehicle map to PyVRP vehicle types; optional visits become
prizes. `unsupported_reason` says why an instance is out of scope; the OR-Tools solver
(routing.solver) covers everything.

PyVRP works in integers: with "safe" times durations, service times and window openings are
scaled and rounded up, window closings rounded down, so its integer schedule is feasible in
real time; with "nearest" times (PyVRP's examples) the search keeps the cheapest plan it meets
that keeps every window in real numbers (an exact pass over the stops). The plan's
times are then recomputed from the real matrices (latest departure that keeps every window,
then earliest service starts) and the plan passes routing.check before it is returned.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

from models.control import Control
from routing.check import assert_feasible
from routing.instance import (
    Plan,
    Route,
    RouteStop,
    RoutingInstance,
    VehicleSpec,
    scale_round,
    scale_up,
)
from routing.solver import DROPPED_BY_SOLVER

ENGINE = "pyvrp"
_INT_MAX = np.iinfo(np.int64).max
#: Rounds of a search that follows another's best plan (solve_pyvrp's `follow`).
ROUNDS = 10
#: Largest scaled time, distance or prize we hand PyVRP: far below int64 so sums cannot overflow.
_CAP = 2**52


def unsupported_reason(instance: RoutingInstance) -> str | None:
    """Why PyVRP's model cannot express `instance` (None when it can)."""
    if not instance.vehicles or not instance.visits:
        return "no vehicles or no visits"
    if instance.precedences:
        return "precedences between visits (transfers)"
    if any(v.breaks for v in instance.vehicles):
        return "driver breaks"
    if any(not math.isfinite(v.shift_start) for v in instance.vehicles):
        return "a shift without a start"
    in_pair: dict[str, int] = {}
    for k, (p, d) in enumerate(instance.pairs):
        for visit_id in (p, d):
            if visit_id in in_pair:
                return f"visit {visit_id} in two pickup-delivery pairs"
            in_pair[visit_id] = k
        pickup, delivery = instance.visit(p), instance.visit(d)
        if pickup.demand < 0 or delivery.demand != -pickup.demand:
            return f"pair {p}->{d}: the delivery does not unload what the pickup loads"
        if (pickup.penalty is None) != (delivery.penalty is None):
            return f"pair {p}->{d}: one half optional, the other mandatory"
    for visit in instance.visits:
        if len(visit.windows) != 1:
            return f"visit {visit.id} has {len(visit.windows)} time windows"
        if visit.allowed_vehicles is not None:
            return f"visit {visit.id} is limited to some vehicles"
        if visit.id not in in_pair and visit.demand < 0:
            return f"visit {visit.id} unloads without a paired pickup"
    return None


def solve_pyvrp(
    instance: RoutingInstance,
    *,
    time_limit_s: float,
    objective: str = "distance",
    seed: int = 0,
    scale: int = 100,
    control: Control | None = None,
    initial: Plan | None = None,
    fleet_share: float = 0.0,
    times: str = "safe",
    lead: SharedBest | None = None,
    follow: SharedBest | None = None,
) -> Plan:
    """Solve with PyVRP within `time_limit_s` and return a checked Plan (engine "pyvrp").

    `objective="vehicles_then_distance"` puts a fixed cost on every vehicle larger than any
    distance saving (fewest vehicles first), as routing.solver does. `initial` (a plan for
    this instance, e.g. OR-Tools') is where the search starts instead of a random plan, and
    its fleet size caps the fleet. `fleet_share` of the budget first goes to PyVRP's own fleet
    minimisation (one vehicle type, every visit mandatory), the rest to the capped fleet.

    `times="safe"` rounds durations and window openings up and closings down (every PyVRP
    plan is feasible in real time); `"nearest"` rounds them to the nearest unit as PyVRP's own
    examples do (unbiased, so a slightly different search; PyVRP alone's search for the same
    seed), and the plan returned is the cheapest the search met that also keeps every window
    in real numbers (PyVRP's best may be a hair late: on Solomon R112 its 955.03 starts a
    visit at 172.01 in a window closing at 172).

    Two searches of the same instance in two processes (the portfolio's) share a SharedBest:
    the one given it as `lead` publishes every new best plan there and is otherwise PyVRP's
    search untouched; the one given it as `follow` runs in ROUNDS rounds and, between rounds,
    carries on from the plan there when it is better than its own (see `_search`)."""
    from pyvrp.stop import MaxRuntime

    reason = unsupported_reason(instance)
    if reason is not None:
        raise ValueError(f"PyVRP cannot model {instance.name}: {reason}")
    if objective not in ("distance", "vehicles_then_distance"):
        raise ValueError(f"unknown objective {objective!r}")
    control = control or Control()
    started = time.monotonic()
    if times not in ("safe", "nearest"):
        raise ValueError(f"unknown rounding of times {times!r}")
    data, clients, shipments, groups = _problem_data(instance, objective, scale, times)
    limit_s = max(time_limit_s, 0.1)
    one_type = data.num_vehicle_types == 1 and all(v.penalty is None for v in instance.visits)
    fleet = initial.vehicles_used if one_type and initial is not None else None
    if fleet is not None and 0 < fleet < data.vehicle_type(0).num_available:
        data = data.replace(vehicle_types=[data.vehicle_type(0).replace(num_available=fleet)])
    start = _solution(data, initial, clients, shipments, groups) if initial is not None else None
    if one_type and fleet_share > 0 and objective == "vehicles_then_distance":
        control.report(0.0, "PyVRP: fewest vehicles")
        data, start = _fewer_vehicles(data, start, MaxRuntime(limit_s * fleet_share), seed, control)
        limit_s = max(limit_s * (1 - fleet_share), 0.1)
    holds = in_real_time(instance, clients, shipments, groups) if times == "nearest" else None
    best = _search(data, seed, start, _Stop(limit_s, control), lead, follow, holds)
    control.check()
    seconds = time.monotonic() - started
    if best is None:
        return Plan(
            routes=[],
            dropped={v.id: DROPPED_BY_SOLVER[1] for v in instance.visits},
            status="no solution",
            seconds=seconds,
            engine=ENGINE,
        )
    free = [list(vehicles) for vehicles in groups]
    routes_of: dict[str, list[str]] = {}
    for route in best.routes():
        vehicle = free[route.vehicle_type()].pop(0)
        routes_of[vehicle.id] = [
            _visit_id(activity, clients, shipments)
            for activity in route
            if activity.type.name != "DEPOT"
        ]
    routes = [
        schedule_route(instance, vehicle, routes_of.get(vehicle.id, []))
        for vehicle in instance.vehicles
    ]
    served = {s.visit_id for r in routes for s in r.stops}
    dropped = {v.id: DROPPED_BY_SOLVER[1] for v in instance.visits if v.id not in served}
    plan = Plan(
        routes=routes,
        dropped=dropped,
        objective=_cost(best) / scale,
        seconds=seconds,
        status="ok",
        engine=ENGINE,
    )
    assert_feasible(instance, plan)
    return plan


def _fewer_vehicles(data, start, budget, seed: int, control: Control):  # noqa: ANN001, ANN202
    """PyVRP's fleet minimisation (as pyvrp.minimise_fleet: one vehicle fewer until no
    feasible plan turns up in the budget), keeping the last feasible plan as the next search's
    start. Returns the data with the smallest fleet found and that plan (or `start`)."""
    from pyvrp import Route, Solution
    from pyvrp import solve as pyvrp_solve
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.stop import FirstFeasible, MultipleCriteria

    vehicle_type = data.vehicle_type(0)
    k = vehicle_type.num_available
    found = None
    while k > 1 and not control.cancel.is_set():
        trial = data.replace(vehicle_types=[vehicle_type.replace(num_available=k - 1)])
        stop = MultipleCriteria([FirstFeasible(), budget])
        with warnings.catch_warnings():  # a fleet too small is expected to strain the penalties
            warnings.simplefilter("ignore", PenaltyBoundWarning)
            best = pyvrp_solve(trial, stop=stop, seed=seed, collect_stats=False).best
        if not best.is_feasible():
            break
        k = best.num_routes()
        found = [_stops(route) for route in best.routes()]
        if budget(0):
            break
    if found is None:
        return data, start
    data = data.replace(vehicle_types=[vehicle_type.replace(num_available=k)])
    return data, Solution(data, [Route(data, acts, 0) for acts in found])


def _search(data, seed: int, start, stop: _Stop, lead, follow, holds):  # noqa: ANN001, ANN202
    """PyVRP's iterated local search, set up as pyvrp.solve sets it up (same seed, same plan);
    returns the cheapest plan it met that also `holds` (keeps every window in real time; None
    when `data`'s safe times guarantee it), or None. With `lead` (a SharedBest) every new such
    plan is published there; the search itself is untouched. With `follow` it runs in ROUNDS
    rounds (penalties, random stream and current plan carried over) and between rounds takes
    the plan published there when it is cheaper than its own, as its kept plan and as the plan
    it goes on from: it searches around the leader's best with its own random moves."""
    from pyvrp import RandomNumberGenerator, Solution
    from pyvrp.IteratedLocalSearch import IteratedLocalSearch, IteratedLocalSearchParams
    from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
    from pyvrp.search import (
        OPERATORS,
        LocalSearch,
        NeighbourhoodParams,
        PerturbationManager,
        PerturbationParams,
        compute_neighbours,
    )

    rng = RandomNumberGenerator(seed=seed)
    neighbours = compute_neighbours(data, NeighbourhoodParams())
    ls = LocalSearch(data, rng, neighbours, PerturbationManager(PerturbationParams()))
    for op in OPERATORS:
        if op.supports(data):
            ls.add_operator(op(data))
    penalty = PenaltyParams()
    pm = PenaltyManager(penalty.midpoint_penalties(data), penalty)
    if start is None:
        start = ls(Solution.make_random(data, rng), pm.max_cost_evaluator(), exhaustive=True)
    watch = _Watch(start, lead, holds)
    params = IteratedLocalSearchParams(callbacks=watch)
    rounds = ROUNDS if follow is not None else 1
    for k in range(1, rounds + 1):
        stop.round_end = k / rounds
        IteratedLocalSearch(data, pm, ls, watch.current, params).run(stop, collect_stats=False)
        if follow is None or stop.done():
            break
        theirs = follow.fetch(data, watch.kept_cost)
        if theirs is not None:
            watch.current = theirs
            watch.consider(theirs)
    return watch.kept


def _cost(solution) -> float:  # noqa: ANN001
    """A plan's objective without penalties (distance and fixed costs); inf when infeasible."""
    from pyvrp import CostEvaluator

    if not solution.is_feasible():
        return math.inf
    return CostEvaluator([0] * len(solution.excess_load()), 0, 0).cost(solution)


def in_real_time(instance: RoutingInstance, clients, shipments, groups):  # noqa: ANN001, ANN202
    """A test that a PyVRP solution's routes keep every window and shift in real numbers (the
    earliest-start schedule, as routing.check sees it), for searches on nearest-rounded times
    and for grading PyVRP alone in the benchmarks: fast (a pass over the stops), and
    remembering the verdict per solution. `clients` and `shipments` are the visit ids of
    PyVRP's clients and (pickup, delivery) shipments in index order; `groups` the vehicles of
    each vehicle type."""
    eps = 1e-6
    duration = instance.duration
    kinds = {"CLIENT": [instance.visit(v) for v in clients]}
    kinds["PICKUP"] = [instance.visit(p) for p, _ in shipments]
    kinds["DELIVERY"] = [instance.visit(d) for _, d in shipments]
    late: set[int] = set()  # hashes of solutions found late (a collision can only reject)

    def holds(solution) -> bool:  # noqa: ANN001
        key = hash(solution)
        if key in late:
            return False
        if all(_route_holds(route) for route in solution.routes()):
            return True
        if len(late) > 100_000:
            late.clear()
        late.add(key)
        return False

    def _route_holds(route) -> bool:  # noqa: ANN001
        vehicle = groups[route.vehicle_type()][0]
        t, here = vehicle.shift_start, vehicle.start_location
        for a in route:
            kind = a.type.name
            if kind == "DEPOT":
                continue
            visit = kinds[kind][a.idx]
            ((opens, closes),) = visit.windows
            t = max(t + float(duration[here, visit.location]), opens)
            if t > closes + eps:
                return False
            t, here = t + visit.service, visit.location
        return t + float(duration[here, vehicle.end_location]) <= vehicle.shift_end + eps

    return holds


def _stops(route) -> list:  # noqa: ANN001
    from pyvrp import Activity

    return [Activity(a.type, a.idx) for a in route if a.type.name != "DEPOT"]


class _Watch:
    """ILS callbacks: keep the current plan (where the next round goes on from) and the
    cheapest feasible plan met that also `holds` in real time, published to `lead` if any."""

    def __init__(self, solution, lead, holds) -> None:  # noqa: ANN001
        self.current, self.lead, self.holds = solution, lead, holds
        self.kept, self.kept_cost = None, math.inf
        self.consider(solution)

    def consider(self, solution) -> None:  # noqa: ANN001
        if not solution.is_feasible():
            return
        cost = _cost(solution)
        if cost >= self.kept_cost:
            return
        if self.holds is not None and not self.holds(solution):
            return
        self.kept, self.kept_cost = solution, cost
        if self.lead is not None:
            self.lead.publish(solution, cost)

    def on_start(self, ils) -> None:  # noqa: ANN001
        pass

    def on_iteration(self, current, candidate, best, cost_evaluator) -> None:  # noqa: ANN001
        self.current = current
        self.consider(candidate)

    def on_best(self, best) -> None:  # noqa: ANN001
        self.consider(best)

    def on_restart(self, best) -> None:  # noqa: ANN001
        pass

    def on_end(self, result) -> None:  # noqa: ANN001
        pass


class SharedBest:
    """One search's best plan, readable by a search in another process, in shared memory
    (never blocks, unlike a pipe whose reader may be busy). The slot holds [version, cost,
    length, then per route: vehicle type, stops, and per stop: activity type and index]."""

    def __init__(self, slot) -> None:  # noqa: ANN001 - a multiprocessing Array of int64
        self.slot = slot
        self.version = 0

    @classmethod
    def create(cls, ctx, instance: RoutingInstance) -> SharedBest:  # noqa: ANN001
        """An empty slot sized for `instance`'s plans, in multiprocessing context `ctx`."""
        return cls(ctx.Array("q", 3 + 2 * len(instance.vehicles) + 2 * len(instance.visits)))

    def publish(self, solution, cost: float) -> None:  # noqa: ANN001
        """Offer a (feasible) plan to the other search."""
        if not math.isfinite(cost):
            return
        flat: list[int] = []
        for route in solution.routes():
            acts = _stops(route)
            flat += [route.vehicle_type(), len(acts)]
            for a in acts:
                flat += [int(a.type), a.idx]
        self.version += 1
        with self.slot.get_lock():
            self.slot[0 : 3 + len(flat)] = [self.version, int(cost), len(flat), *flat]

    def fetch(self, data, cost: float):  # noqa: ANN001, ANN201
        """The published plan as a Solution for `data`, when it is feasible there, costs less
        than `cost` and fits `data`'s fleet; else None."""
        from pyvrp import Activity, ActivityType, Route, Solution

        with self.slot.get_lock():
            version, their_cost, length = self.slot[0:3]
            if not version or their_cost >= cost:
                return None
            flat = self.slot[3 : 3 + length]
        routes, k, used = [], 0, [0] * data.num_vehicle_types
        while k < len(flat):
            vehicle_type, n = flat[k], flat[k + 1]
            acts = [
                Activity(ActivityType(flat[j]), flat[j + 1]) for j in range(k + 2, k + 2 + 2 * n, 2)
            ]
            routes.append(Route(data, acts, vehicle_type))
            used[vehicle_type] += 1
            k += 2 + 2 * n
        if any(used[t] > data.vehicle_type(t).num_available for t in range(len(used))):
            return None
        solution = Solution(data, routes)
        return solution if solution.is_feasible() and _cost(solution) < cost else None


class _Stop:
    """PyVRP stopping criterion: the end of the round (a share of the time limit) or the
    caller's cancel; reports progress. The clock starts at the first call, after PyVRP's
    start-up search, as PyVRP's MaxRuntime does."""

    def __init__(self, limit_s: float, control: Control) -> None:
        self.limit_s, self.control = limit_s, control
        self.started: float | None = None
        self.last_report = 0.0
        self.round_end = 1.0

    def __call__(self, best_cost: float) -> bool:
        now = time.monotonic()
        if self.started is None:
            self.started = now
        elapsed = now - self.started
        if elapsed - self.last_report > 0.5:
            self.last_report = elapsed
            self.control.report(min(elapsed / self.limit_s, 0.99), "PyVRP")
        return elapsed > self.limit_s * self.round_end or self.control.cancel.is_set()

    def done(self) -> bool:
        """The whole time limit is spent, or the caller cancelled."""
        if self.started is None:
            return self.control.cancel.is_set()
        return time.monotonic() - self.started > self.limit_s or self.control.cancel.is_set()


def _problem_data(instance: RoutingInstance, objective: str, scale: int, times: str):  # noqa: ANN202
    """PyVRP ProblemData for the instance, with the visit behind each client and shipment and
    our vehicles behind each PyVRP vehicle type."""
    from pyvrp import Client, Depot, Location, ProblemData, Shipment, VehicleType

    nearest = times == "nearest"

    def t_up(value: float) -> int:
        return int(min(scale_round(value, scale) if nearest else scale_up(value, scale), _CAP))

    def t_down(value: float) -> int:
        if not math.isfinite(value):
            return _INT_MAX
        return int(
            min(scale_round(value, scale) if nearest else math.floor(value * scale + 1e-9), _CAP)
        )

    n_loc = instance.distance.shape[0]
    distance = np.minimum(scale_round(instance.distance, scale), _CAP)
    rounded = (
        scale_round(instance.duration, scale) if nearest else scale_up(instance.duration, scale)
    )
    duration = np.minimum(rounded, _CAP)
    locations = [Location(0, 0) for _ in range(n_loc)]
    depot_locs = sorted(
        {v.start_location for v in instance.vehicles} | {v.end_location for v in instance.vehicles}
    )
    depot_of = {loc: k for k, loc in enumerate(depot_locs)}
    shifts = {(v.shift_start, v.shift_end) for v in instance.vehicles}
    # One depot and one shift (the benchmarks' case): the shift is the depot's opening hours, as
    # in PyVRP's own examples; otherwise each vehicle type carries its shift.
    depot_hours = len(depot_locs) == 1 and len(shifts) == 1
    if depot_hours:
        ((start, end),) = shifts
        depots = [Depot(depot_locs[0], tw_early=t_up(start), tw_late=t_down(end))]
    else:
        depots = [Depot(loc) for loc in depot_locs]

    fixed = 0
    if objective == "vehicles_then_distance":
        # Ten times any plan's whole distance: a vehicle fewer always pays, and the search's
        # penalties (scaled to the objective) stay on the scale of the fleet, as PyVRP advises.
        bound = float(instance.distance.max()) * scale * (len(instance.visits) + 1) * 10
        fixed = int(min(bound, _CAP // 4))
    keys: dict[tuple, int] = {}
    groups: list[list[VehicleSpec]] = []
    for vehicle in instance.vehicles:
        key = (
            vehicle.start_location,
            vehicle.end_location,
            vehicle.capacity,
            vehicle.shift_start,
            vehicle.shift_end,
            vehicle.fixed_cost,
        )
        if key not in keys:
            keys[key] = len(groups)
            groups.append([])
        groups[keys[key]].append(vehicle)
    vehicle_types = [
        VehicleType(
            len(g),
            capacity=[min(g[0].capacity, _CAP)],
            start_depot=depot_of[g[0].start_location],
            end_depot=depot_of[g[0].end_location],
            fixed_cost=fixed + int(round(g[0].fixed_cost * scale)),
            tw_early=0 if depot_hours else t_up(g[0].shift_start),
            tw_late=_INT_MAX if depot_hours else t_down(g[0].shift_end),
        )
        for g in groups
    ]

    paired = {visit_id for pair in instance.pairs for visit_id in pair}
    clients, client_ids = [], []
    for visit in instance.visits:
        if visit.id in paired:
            continue
        ((a, b),) = visit.windows
        optional = visit.penalty is not None
        clients.append(
            Client(
                visit.location,
                # Loads add up along the route either way; without pairs, a delivery from the
                # depot (PyVRP's VRPTW convention), with them a pickup (loads carried onward).
                **{"pickup" if instance.pairs else "delivery": [visit.demand]},
                service_duration=t_up(visit.service),
                tw_early=t_up(a),
                tw_late=t_down(b),
                required=not optional,
                prize=int(min(round(visit.penalty * scale), _CAP)) if optional else 0,
            )
        )
        client_ids.append(visit.id)
    shipments, shipment_ids = [], []
    for p, d in instance.pairs:
        pickup, delivery = instance.visit(p), instance.visit(d)
        ((pa, pb),) = pickup.windows
        ((da, db),) = delivery.windows
        optional = pickup.penalty is not None
        prize = (
            int(min(round((pickup.penalty + delivery.penalty) * scale), _CAP)) if optional else 0
        )
        shipments.append(
            Shipment(
                pickup.location,
                delivery.location,
                t_up(pa),
                t_down(pb),
                t_up(pickup.service),
                t_up(da),
                t_down(db),
                t_up(delivery.service),
                amount=[pickup.demand],
                prize=prize,
                required=not optional,
            )
        )
        shipment_ids.append((p, d))
    data = ProblemData(
        locations, clients, depots, vehicle_types, [distance], [duration], shipments=shipments
    )
    return data, client_ids, shipment_ids, groups


def _solution(data, plan: Plan, clients: list[str], shipments: list[tuple[str, str]], groups):  # noqa: ANN001, ANN202
    """A plan of ours as a PyVRP Solution (each route on its vehicle's type)."""
    from pyvrp import Activity, ActivityType, Route, Solution

    activity = {visit_id: Activity(ActivityType.CLIENT, k) for k, visit_id in enumerate(clients)}
    for k, (p, d) in enumerate(shipments):
        activity[p] = Activity(ActivityType.PICKUP, k)
        activity[d] = Activity(ActivityType.DELIVERY, k)
    type_of = {vehicle.id: t for t, vehicles in enumerate(groups) for vehicle in vehicles}
    routes = [
        Route(data, [activity[s.visit_id] for s in route.stops], type_of[route.vehicle_id])
        for route in plan.used_routes
    ]
    return Solution(data, routes)


def _visit_id(activity, clients: list[str], shipments: list[tuple[str, str]]) -> str:  # noqa: ANN001
    kind = activity.type.name
    if kind == "CLIENT":
        return clients[activity.idx]
    return shipments[activity.idx][0 if kind == "PICKUP" else 1]


def schedule_route(instance: RoutingInstance, vehicle: VehicleSpec, visit_ids: list[str]) -> Route:
    """Real times for visits in a given order (one window each): leave as late as every window
    and the shift end allow, then start each service as early as possible."""
    if not visit_ids:
        return Route(vehicle.id, [], vehicle.shift_start, vehicle.shift_start)
    visits = [instance.visit(i) for i in visit_ids]
    locs = [vehicle.start_location, *(v.location for v in visits), vehicle.end_location]
    travel = [float(instance.duration[a, b]) for a, b in zip(locs, locs[1:], strict=False)]
    latest = vehicle.shift_end - travel[-1] - visits[-1].service
    for k in range(len(visits) - 1, -1, -1):
        latest = min(latest, visits[k].windows[0][1])
        if k:
            latest = latest - travel[k] - visits[k - 1].service
    depart = (
        max(vehicle.shift_start, latest - travel[0])
        if math.isfinite(latest)
        else vehicle.shift_start
    )
    t, load, stops = depart, 0, []
    for visit, tt in zip(visits, travel, strict=False):
        arrival = t + tt
        start = max(arrival, visit.windows[0][0])
        load += visit.demand
        stops.append(RouteStop(visit.id, arrival, start, start + visit.service, load))
        t = start + visit.service
    arrive = t + travel[-1]
    distance = float(sum(instance.distance[a, b] for a, b in zip(locs, locs[1:], strict=False)))
    return Route(vehicle.id, stops, depart, arrive, [], distance, arrive - depart)
