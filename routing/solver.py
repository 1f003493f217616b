"""One OR-Tools routing model for every problem here: time windows (several per visit), service
times, capacities, per-vehicle depots and shifts, driver breaks, allowed vehicles, optional
visits with penalties, paired pickups and deliveries, and precedences between visits on any
vehicles (transfers at a hub).

OR-Tools works in integers: durations and window openings are scaled and rounded *up*, window
closings rounded *down*, so the integer schedule is also feasible in real time; distances are
scaled and rounded (never truncated) for the objective, and every total reported is recomputed
from the real-valued matrices. Each plan passes routing.check before it is returned.

Determinism: the routing search is single-threaded and has no random seed; under a time limit
the result depends on how far the search gets, so a run is repeatable on one machine only up
to timing. `solution_limit` gives bit-for-bit repeatable runs (used by tests).
"""

from __future__ import annotations

import math
import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from models.control import Control
from routing.check import assert_feasible
from routing.instance import Plan, Route, RouteStop, RoutingInstance, scale_round, scale_up

_FIRST = {
    "auto": None,
    "path_cheapest_arc": routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
    "parallel_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
    "local_cheapest_insertion": routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
    "savings": routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    "christofides": routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES,
}
NO_VEHICLES = ("没有可用的车辆", "there is no vehicle to serve it")
DROPPED_BY_SOLVER = (
    "车队的时间或容量不够，或计算时限内未能排入（可延长计算时间）",
    "the fleet's hours or capacity ran out, or the time limit was too short to place it (allow more time)",
)


def solve(
    instance: RoutingInstance,
    *,
    time_limit_s: float,
    seed: int = 0,
    control: Control | None = None,
    first_solution: str = "auto",
    objective: str = "distance",
    scale: int = 100,
    solution_limit: int | None = None,
    vehicle_cost: float | None = None,
    initial_routes: list[list[str]] | None = None,
    stop_when_complete: bool = False,
    late_cost: float | None = None,
    gls_lambda: float | None = None,
) -> Plan:
    """Solve and return a checked Plan. `objective="vehicles_then_distance"` puts a fixed cost
    on every used vehicle larger than any distance saving (fewest vehicles first).

    `initial_routes` (visit ids per vehicle, in order) starts the search from that plan instead
    of a first-solution builder; visits left out start unserved. `stop_when_complete` ends the
    search at the first plan that serves every mandatory visit (used to test a smaller fleet).
    `late_cost` makes window closings soft, at that cost per time unit late: a search guided
    by how late it is rather than by how many visits it leaves out (route elimination). Late
    visits are then taken out of their routes and reported dropped, with status "late".
    `gls_lambda` overrides guided local search's penalty coefficient (OR-Tools' default 0.1).

    `seed` is accepted for interface symmetry: OR-Tools routing has no random seed to set."""
    del seed
    control = control or Control()
    started = time.monotonic()
    visits = instance.visits
    if not instance.vehicles or not visits:
        # OR-Tools aborts the whole process on a model without vehicles: answer here instead.
        reason = NO_VEHICLES[1] if not instance.vehicles else ""
        return Plan(routes=[], dropped={v.id: reason for v in visits}, status="no vehicles" if visits else "empty")
    depots = sorted({v.start_location for v in instance.vehicles} | {v.end_location for v in instance.vehicles})
    depot_node = {loc: i for i, loc in enumerate(depots)}
    node_loc = [*depots, *(v.location for v in visits)]
    n_depots = len(depots)
    starts = [depot_node[v.start_location] for v in instance.vehicles]
    ends = [depot_node[v.end_location] for v in instance.vehicles]
    manager = pywrapcp.RoutingIndexManager(len(node_loc), len(instance.vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    locs = np.asarray(node_loc)
    dist = scale_round(instance.distance[np.ix_(locs, locs)], scale)
    travel = scale_up(instance.duration[np.ix_(locs, locs)], scale)
    service = np.zeros(len(node_loc), np.int64)
    service[n_depots:] = scale_up(np.array([v.service for v in visits]), scale) if visits else []
    finite_end = [v.shift_end for v in instance.vehicles if math.isfinite(v.shift_end)]
    finite_windows = [b for v in visits for _, b in v.windows if math.isfinite(b)]
    horizon = int(math.ceil(max([*finite_end, *finite_windows, 0.0]) * scale)) + int(travel.max() + service.max()) + 1
    horizon = max(horizon, int(travel.max()) * (len(node_loc) + 1) + int(service.sum()) + 1) if not finite_end else horizon

    fixed = 0.0
    if objective == "vehicles_then_distance":
        fixed = vehicle_cost if vehicle_cost is not None else float(instance.distance.max()) * 10
    mandatory_penalty = (float(instance.distance.max()) * 2 + fixed) * (len(instance.vehicles) + len(visits)) * 10
    # Matrices evaluated inside OR-Tools (no Python call per arc during the search).
    dist_index = routing.RegisterTransitMatrix(dist.tolist())
    transit = travel + service[:, None]
    if instance.stop_time > 0:
        # One fixed stop time per arrival at a new location (from a depot always a new stop).
        arriving = locs[:, None] != locs[None, :]
        arriving[:n_depots, :] = True
        arriving[:, :n_depots] = False
        transit = transit + arriving * int(scale_up(instance.stop_time, scale))
    time_index = routing.RegisterTransitMatrix(transit.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(dist_index)
    routing.AddDimension(time_index, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")

    soft_end: dict[int, int] = {}
    for k, visit in enumerate(visits):
        index = manager.NodeToIndex(n_depots + k)
        windows = sorted((int(math.ceil(a * scale - 1e-9)), min(horizon, int(math.floor(b * scale + 1e-9))) if math.isfinite(b) else horizon) for a, b in visit.windows)
        cumul = time_dim.CumulVar(index)
        if late_cost is not None:
            soft_end[index] = max(windows[-1][1], windows[0][0])
            time_dim.SetCumulVarSoftUpperBound(index, soft_end[index], max(int(round(late_cost)), 1))
            windows[-1] = (windows[-1][0], horizon)
        cumul.SetRange(windows[0][0], max(windows[-1][1], windows[0][0]))
        for (_, b0), (a1, _) in zip(windows, windows[1:], strict=False):
            if a1 > b0 + 1:
                cumul.RemoveInterval(b0 + 1, a1 - 1)
        if visit.allowed_vehicles is not None:
            allowed = [i for i, v in enumerate(instance.vehicles) if v.id in visit.allowed_vehicles]
            # -1 keeps "not served" open (SetAllowedVehiclesForIndex's binding is broken in
            # ortools 9.15's Python wrapper: it rejects every list).
            routing.VehicleVar(index).SetValues([-1, *allowed])
        # Mandatory visits are droppable too, at a cost above any plan that serves them, so a
        # first solution always exists and an unservable visit is reported instead of failing.
        penalty = visit.penalty if visit.penalty is not None else mandatory_penalty
        routing.AddDisjunction([index], int(min(round(penalty * scale), 2**62 // max(len(visits), 1))))

    for v, vehicle in enumerate(instance.vehicles):
        lo = int(math.ceil(vehicle.shift_start * scale - 1e-9))
        hi = int(math.floor(vehicle.shift_end * scale + 1e-9)) if math.isfinite(vehicle.shift_end) else horizon
        time_dim.CumulVar(routing.Start(v)).SetRange(lo, hi)
        time_dim.CumulVar(routing.End(v)).SetRange(lo, hi)
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))

    solver = routing.solver()
    if any(v.breaks for v in instance.vehicles):
        node_visit_transit = [int(service[manager.IndexToNode(i)]) for i in range(routing.Size())]
        for v, vehicle in enumerate(instance.vehicles):
            intervals = [
                solver.FixedDurationIntervalVar(
                    int(math.ceil(b.earliest * scale)), int(math.floor(b.latest * scale)),
                    int(math.ceil(b.duration * scale)), False, f"break-{v}-{k}",
                )
                for k, b in enumerate(vehicle.breaks)
            ]
            if intervals:
                time_dim.SetBreakIntervalsOfVehicle(intervals, v, node_visit_transit)

    demands = [0] * n_depots + [v.demand for v in visits]
    if any(demands):
        demand_index = routing.RegisterUnaryTransitVector(demands)
        routing.AddDimensionWithVehicleCapacity(
            demand_index, 0, [min(v.capacity, 10**9) for v in instance.vehicles], True, "load"
        )

    node_of = {v.id: n_depots + k for k, v in enumerate(visits)}
    for pickup, delivery in instance.pairs:
        p, d = manager.NodeToIndex(node_of[pickup]), manager.NodeToIndex(node_of[delivery])
        routing.AddPickupAndDelivery(p, d)
        solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
        solver.Add(time_dim.CumulVar(p) <= time_dim.CumulVar(d))
        # An optional pair is dropped whole or served whole.
        if visits[node_of[pickup] - n_depots].penalty is not None:
            solver.Add(routing.ActiveVar(p) == routing.ActiveVar(d))

    for first, then, gap in instance.precedences:
        a, b = manager.NodeToIndex(node_of[first]), manager.NodeToIndex(node_of[then])
        solver.Add(routing.ActiveVar(b) <= routing.ActiveVar(a))
        # Binding only when b is served: an unserved b leaves its time free.
        solver.Add(time_dim.CumulVar(b) + horizon * (1 - routing.ActiveVar(b))
                   >= time_dim.CumulVar(a) + int(math.ceil(gap * scale)))

    if objective == "vehicles_then_distance":
        routing.SetFixedCostOfAllVehicles(int(round(fixed * scale)))
    elif objective != "distance":
        raise ValueError(f"unknown objective {objective!r}")

    # Progress on each improving solution; cancel checked by a limit polled during search.
    best = {"objective": None, "complete": False}
    limit_s = max(time_limit_s, 0.1)
    mandatory = [manager.NodeToIndex(n_depots + k) for k, v in enumerate(visits) if v.penalty is None]

    def on_solution() -> None:
        best["objective"] = routing.CostVar().Value()
        if stop_when_complete and all(routing.NextVar(i).Value() != i for i in mandatory) and all(
            time_dim.CumulVar(i).Min() <= end for i, end in soft_end.items()
        ):
            best["complete"] = True
        control.report(min((time.monotonic() - started) / limit_s, 0.99), f"objective {best['objective'] / scale:.1f}")

    routing.AddAtSolutionCallback(on_solution)
    routing.AddSearchMonitor(solver.CustomLimit(lambda: control.cancel.is_set() or best["complete"]))

    strategy = _FIRST[first_solution]
    if strategy is None:
        strategy = (
            routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
            if instance.pairs
            else routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
        )
    # Tight windows defeat some first-solution builders: fall back to insertion ones.
    fallbacks = [strategy] + [
        s
        for s in (
            routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
            routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
        )
        if s != strategy
    ]
    assignment = None
    if initial_routes is not None:
        fallbacks = []
        params = _search_parameters(strategy, limit_s - (time.monotonic() - started), solution_limit, gls_lambda)
        routing.CloseModelWithParameters(params)
        node_index = {v.id: manager.NodeToIndex(n_depots + k) for k, v in enumerate(visits)}
        routes = [[node_index[i] for i in route] for route in initial_routes]
        routes += [[] for _ in range(len(instance.vehicles) - len(routes))]
        start = routing.ReadAssignmentFromRoutes(routes, True)
        if start is None:
            raise ValueError("initial_routes do not form a feasible plan for this instance")
        assignment = routing.SolveFromAssignmentWithParameters(start, params)
    for attempt in fallbacks:
        remaining = limit_s - (time.monotonic() - started)
        if remaining <= 0.05 or control.cancel.is_set():
            break
        assignment = routing.SolveWithParameters(_search_parameters(attempt, remaining, solution_limit, gls_lambda))
        if assignment is not None:
            break
    control.check()
    if assignment is None:
        return Plan(routes=[], dropped={v.id: DROPPED_BY_SOLVER[1] for v in visits}, status="no solution",
                    seconds=time.monotonic() - started)
    plan = _extract(instance, routing, manager, assignment, time_dim, n_depots, scale)
    plan.seconds = time.monotonic() - started
    plan.objective = assignment.ObjectiveValue() / scale
    plan.status = "ok"
    late = {manager.IndexToNode(i) - n_depots for i, end in soft_end.items()
            if assignment.Value(routing.NextVar(i)) != i and assignment.Value(time_dim.CumulVar(i)) > end}
    if late:
        late_ids = {visits[k].id for k in late}
        late_ids |= {b for a, b in instance.pairs if a in late_ids} | {a for a, b in instance.pairs if b in late_ids}
        _take_out(plan, late_ids)
        return plan
    assert_feasible(instance, plan)
    return plan


def _take_out(plan: Plan, late: set[str]) -> None:
    """Remove late visits from their routes and report them dropped (soft-window search only:
    the routes left keep their modelled times and are not a checked plan)."""
    for route in plan.routes:
        route.stops = [s for s in route.stops if s.visit_id not in late]
    plan.dropped.update({v: "late" for v in late})
    plan.status = "late"


def _search_parameters(strategy: int, seconds: float, solution_limit: int | None, gls_lambda: float | None) -> object:
    """Guided local search from the given first-solution strategy, for `seconds` at most."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = strategy
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(int(seconds * 1000), 50))
    if gls_lambda is not None:
        params.guided_local_search_lambda_coefficient = gls_lambda
    if solution_limit is not None:
        params.solution_limit = solution_limit
    return params


def _extract(instance, routing, manager, assignment, time_dim, n_depots: int, scale: int) -> Plan:  # noqa: ANN001
    """Routes with real times: service starts from the integer schedule (feasible by the
    rounding above), arrivals and distances recomputed from the real matrices."""
    visits = instance.visits
    breaks_of: dict[int, list[tuple[float, float]]] = {}
    intervals = assignment.IntervalVarContainer()
    for i in range(intervals.Size()):
        brk = intervals.Element(i)
        if brk.PerformedValue():
            v = int(brk.Var().Name().split("-")[1])
            breaks_of.setdefault(v, []).append((brk.StartValue() / scale, brk.DurationValue() / scale))
    routes: list[Route] = []
    served: set[str] = set()
    for v, vehicle in enumerate(instance.vehicles):
        index = routing.Start(v)
        depart = assignment.Value(time_dim.CumulVar(index)) / scale
        loc, t = vehicle.start_location, depart
        stops: list[RouteStop] = []
        load = 0
        distance = 0.0
        index = assignment.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            visit = visits[manager.IndexToNode(index) - n_depots]
            start = assignment.Value(time_dim.CumulVar(index)) / scale
            arrival = t + float(instance.duration[loc, visit.location])
            distance += float(instance.distance[loc, visit.location])
            load += visit.demand
            stops.append(RouteStop(visit.id, min(arrival, start), start, start + visit.service, load))
            served.add(visit.id)
            loc, t = visit.location, start + visit.service
            index = assignment.Value(routing.NextVar(index))
        distance += float(instance.distance[loc, vehicle.end_location])
        arrive = assignment.Value(time_dim.CumulVar(index)) / scale
        breaks = sorted(breaks_of.get(v, [])) if stops else []
        if not stops:
            depart = arrive = vehicle.shift_start
        routes.append(Route(vehicle.id, stops, depart, arrive, breaks, distance, arrive - depart))
    dropped = {v.id: DROPPED_BY_SOLVER[1] for v in visits if v.id not in served}
    return Plan(routes=routes, dropped=dropped)
