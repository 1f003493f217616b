"""Independent checks of a bookmobile rotation on top of routing.check.check_plan: every visit
on a date open for its stop (calendar, term, its weekdays), on a bus working that date, never
two on one day, the stop's frequency (visits served plus visits reported missing equal what is
due, never more), its gaps, the continuous-driving rule and the shift length. Recomputes
everything from the instance; shares no code with the planner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from routing.check import CheckReport, check_plan
from routing.instance import Plan, RoutingInstance
from routing.rotation import RotaStop

EPS_S = 1e-6


def check_rotation(
    instance: RoutingInstance,
    plan: Plan,
    rotas: Sequence[RotaStop],
    day_of_vehicle: Mapping[str, tuple[str, date]],
    rules: Any,  # routing.drivers.DriverRules (duck-typed: max_driving_min, min_rest_min, max_shift_min)
    dropped: Mapping[str, int] | None = None,
) -> CheckReport:
    """check_plan, then the rotation's own rules; `dropped` is the visits reported missing per stop."""
    report = check_plan(instance, plan)
    bad = report.violations
    dropped = dropped or {}
    dates: dict[str, list[date]] = {}
    for route in plan.routes:
        if route.vehicle_id not in day_of_vehicle:
            bad.append(f"{route.vehicle_id}: not a bus-date of the plan")
            continue
        _bus, day = day_of_vehicle[route.vehicle_id]
        for stop in route.stops:
            dates.setdefault(stop.visit_id.split("#")[0], []).append(day)
        if route.stops:
            _driving(instance, route, rules, bad)
    for rota in rotas:
        served = sorted([*rota.fixed, *dates.get(rota.id, [])])
        for d in dates.get(rota.id, []):
            if d not in rota.dates or d in rota.closed:
                bad.append(f"{rota.id}: visited on {d}, a date closed for it")
        if len(set(served)) < len(served):
            bad.append(f"{rota.id}: two visits on one day")
        if len(served) > rota.due:
            bad.append(f"{rota.id}: {len(served)} visits, due {rota.due}")
        elif len(served) + dropped.get(rota.id, 0) != rota.due:
            bad.append(f"{rota.id}: {len(served)} visits served and {dropped.get(rota.id, 0)} reported missing, due {rota.due}")
        for a, b in zip(served, served[1:], strict=False):
            if (b - a).days < rota.min_gap_days:
                bad.append(f"{rota.id}: visits on {a} and {b} closer than {rota.min_gap_days} days")
            gap = (b - a).days - sum(1 for c in rota.closed if a < c < b)
            if not dropped.get(rota.id) and gap > rota.max_gap_days:
                bad.append(f"{rota.id}: visits on {a} and {b} {gap} open days apart, more than {rota.max_gap_days}")
    report.feasible = not bad
    return report


def _driving(instance: RoutingInstance, route: Any, rules: Any, bad: list[str]) -> None:
    """Continuous driving between rests ≥ min_rest_min, and the shift length."""
    veh = next(v for v in instance.vehicles if v.id == route.vehicle_id)
    if rules.max_shift_min is not None and route.arrive - route.depart > rules.max_shift_min * 60.0 + EPS_S:
        bad.append(f"{veh.id}: shift of {(route.arrive - route.depart) / 60:.0f} min, more than {rules.max_shift_min}")
    breaks = sorted(route.breaks)
    loc, ready, block = veh.start_location, route.depart, 0.0
    stops = [(instance.visit(s.visit_id).location, s.start, instance.visit(s.visit_id).service) for s in route.stops]
    for to, begin, service in [*stops, (veh.end_location, route.arrive, 0.0)]:
        drive = float(instance.duration[loc, to])
        block += drive
        if block > rules.max_driving_min * 60.0 + EPS_S:
            bad.append(f"{veh.id}: {block / 60:.0f} min of continuous driving, more than {rules.max_driving_min}")
        # Standing still in the gap (waiting, a break) counted after the drive, then the service.
        slack = (begin - ready) - drive
        rested = any(ready - EPS_S <= s and s + d <= begin + EPS_S and d >= rules.min_rest_min * 60.0 - EPS_S
                     for s, d in breaks)
        if rested or slack + service >= rules.min_rest_min * 60.0 - EPS_S:
            block = 0.0
        loc, ready = to, begin + service
