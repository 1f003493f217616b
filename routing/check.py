"""Independent solution checker: recompute every time, load and distance of a plan from the
instance alone, and list every violation. Shares no code with the solvers on purpose."""

from __future__ import annotations

from dataclasses import dataclass, field

from routing.instance import Plan, RoutingInstance

#: Slack for float comparisons, in the instance's time unit.
EPS = 1e-6


@dataclass
class CheckReport:
    """What the checker found: feasibility, violations in words, and recomputed totals."""

    feasible: bool
    violations: list[str] = field(default_factory=list)
    distance: float = 0.0
    duration: float = 0.0
    vehicles_used: int = 0
    served: int = 0
    #: Mandatory visits the plan could not serve (reported as dropped, with a reason): the plan
    #: is still a valid schedule, but not a complete one.
    unserved_mandatory: list[str] = field(default_factory=list)


class InfeasiblePlan(AssertionError):
    """A solver returned a plan the checker rejects: a bug, never the user's fault."""


def check_plan(instance: RoutingInstance, plan: Plan, eps: float = EPS) -> CheckReport:
    """Recompute and verify a plan; never trusts the times or totals the solver reported."""
    v_of = {v.id: v for v in instance.visits}
    veh_of = {v.id: v for v in instance.vehicles}
    bad: list[str] = []
    seen: dict[str, str] = {}
    position: dict[str, tuple[str, int]] = {}
    total_dist = total_dur = 0.0
    used = 0

    for route in plan.routes:
        veh = veh_of.get(route.vehicle_id)
        if veh is None:
            bad.append(f"route for unknown vehicle {route.vehicle_id}")
            continue
        if not route.stops:
            continue
        used += 1
        if route.depart < veh.shift_start - eps:
            bad.append(f"{veh.id}: leaves at {route.depart:.2f} before its shift starts {veh.shift_start:.2f}")
        loc = veh.start_location
        at_place = False  # whether the vehicle is already stopped at `loc` (one stop per arrival)
        t = route.depart
        load = 0
        dist = 0.0
        breaks = sorted(route.breaks)
        break_used = [False] * len(breaks)
        for k, stop in enumerate(route.stops):
            visit = v_of.get(stop.visit_id)
            if visit is None:
                bad.append(f"{veh.id}: unknown visit {stop.visit_id}")
                continue
            if stop.visit_id in seen:
                bad.append(f"visit {stop.visit_id} served twice ({seen[stop.visit_id]} and {veh.id})")
            seen[stop.visit_id] = veh.id
            position[stop.visit_id] = (veh.id, k)
            if visit.allowed_vehicles is not None and veh.id not in visit.allowed_vehicles:
                bad.append(f"{veh.id}: not allowed to serve {visit.id}")
            travel = float(instance.duration[loc, visit.location])
            dist += float(instance.distance[loc, visit.location])
            # Breaks taken between the previous departure and this start lengthen the gap.
            pause = _breaks_in_gap(breaks, break_used, t, stop.start, eps)
            earliest_arrival = t + travel
            # The fixed stop time is paid once per arrival: not again for the next visit at
            # the same place, always after driving in from elsewhere or leaving the depot.
            stop_time = 0.0 if at_place and visit.location == loc else instance.stop_time
            if stop.start + eps < earliest_arrival + pause + stop_time:
                bad.append(
                    f"{veh.id}: starts {visit.id} at {stop.start:.2f} but cannot arrive and stop before "
                    f"{earliest_arrival + pause + stop_time:.2f}"
                )
            if not any(a - eps <= stop.start <= b + eps for a, b in visit.windows):
                bad.append(f"{veh.id}: starts {visit.id} at {stop.start:.2f}, outside its time windows {visit.windows}")
            load += visit.demand
            if load > veh.capacity or load < 0:
                bad.append(f"{veh.id}: load {load} after {visit.id} outside [0, {veh.capacity}]")
            t = stop.start + visit.service
            loc = visit.location
            at_place = True
        travel = float(instance.duration[loc, veh.end_location])
        dist += float(instance.distance[loc, veh.end_location])
        pause = _breaks_in_gap(breaks, break_used, t, route.arrive, eps)
        if route.arrive + eps < t + travel + pause:
            bad.append(f"{veh.id}: back at the depot at {route.arrive:.2f}, cannot be before {t + travel + pause:.2f}")
        if route.arrive > veh.shift_end + eps:
            bad.append(f"{veh.id}: back at {route.arrive:.2f}, after its shift ends {veh.shift_end:.2f}")
        for spec in veh.breaks:
            if not any(
                spec.earliest - eps <= s <= spec.latest + eps and d + eps >= spec.duration for s, d in breaks
            ):
                bad.append(f"{veh.id}: no break of {spec.duration} starting in [{spec.earliest}, {spec.latest}]")
        for (s, d), ok in zip(breaks, break_used, strict=True):
            # A break before leaving or after coming back is taken at the depot.
            at_depot = s + d <= route.depart + eps or s >= route.arrive - eps
            if not ok and not at_depot:
                bad.append(f"{veh.id}: break at {s:.2f} overlaps a service or lies outside the route")
        total_dist += dist
        total_dur += route.arrive - route.depart

    for pickup, delivery in instance.pairs:
        p, d = position.get(pickup), position.get(delivery)
        if (p is None) != (d is None):
            bad.append(f"pair {pickup}->{delivery}: only one half served")
        elif p is not None and d is not None:
            if p[0] != d[0]:
                bad.append(f"pair {pickup}->{delivery}: pickup on {p[0]}, delivery on {d[0]}")
            elif p[1] > d[1]:
                bad.append(f"pair {pickup}->{delivery}: delivered before it is picked up")

    start_of = {stop.visit_id: stop.start for route in plan.routes for stop in route.stops}
    for first, then, gap in instance.precedences:
        a, b = start_of.get(first), start_of.get(then)
        if a is None and b is not None:
            bad.append(f"transfer {first}->{then}: {then} served without {first}")
        elif a is not None and b is not None and b + eps < a + gap:
            bad.append(f"transfer {first}->{then}: {then} starts at {b:.2f}, before {a + gap:.2f}")

    for visit in instance.visits:
        if visit.id in seen:
            continue
        if visit.id not in plan.dropped:
            bad.append(f"visit {visit.id} is neither served nor reported as dropped")
    for visit_id in plan.dropped:
        if visit_id in seen:
            bad.append(f"visit {visit_id} is reported dropped but is served")

    missing = [v.id for v in instance.visits if v.penalty is None and v.id not in seen]
    return CheckReport(not bad, bad, total_dist, total_dur, used, len(seen), missing)


def _breaks_in_gap(
    breaks: list[tuple[float, float]], used: list[bool], gap_start: float, gap_end: float, eps: float
) -> float:
    """Total duration of the breaks lying wholly inside [gap_start, gap_end]; marks them used."""
    total = 0.0
    for i, (s, d) in enumerate(breaks):
        if not used[i] and s + eps >= gap_start and s + d <= gap_end + eps:
            used[i] = True
            total += d
    return total


def assert_feasible(instance: RoutingInstance, plan: Plan) -> CheckReport:
    """Check a plan and raise InfeasiblePlan (a bug) if the checker rejects it."""
    report = check_plan(instance, plan)
    if not report.feasible:
        raise InfeasiblePlan("solver returned an infeasible plan:\n" + "\n".join(report.violations[:20]))
    return report

