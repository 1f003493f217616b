"""Fewest vehicles first: starting from a given plan, soft windows while eliminating a route,
stopping at the first complete plan, and the whole three-phase search on Solomon R101's start."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.spatial.distance import cdist

from routing.check import check_plan
from routing.fleet_size import solve_fewest_vehicles
from routing.instance import RoutingInstance, VehicleSpec, Visit
from routing.solomon import read_solomon
from routing.solver import solve
from tests.support.paths import DATA

SOLOMON = DATA / "C101.txt"


def _line(n: int, window_end: float = 1e9) -> RoutingInstance:
    """n visits on a line, 10 apart; each vehicle may serve at most 2 (capacity)."""
    xy = np.array([[0.0, 0.0]] + [[10.0 * k, 0.0] for k in range(1, n + 1)])
    d = cdist(xy, xy)
    visits = tuple(Visit(str(k), k, 1.0, ((0.0, window_end),), 1) for k in range(1, n + 1))
    vehicles = tuple(VehicleSpec(f"v{k}", 0, 0, 2) for k in range(n))
    return RoutingInstance("line", visits, vehicles, d, d.copy())


def test_search_starts_from_the_given_routes():
    inst = _line(4)
    poor = [["1", "4"], ["3", "2"]]  # criss-crossing: 160 against the best 80
    plan = solve(inst, time_limit_s=2, initial_routes=poor, solution_limit=1)
    assert check_plan(inst, plan).feasible and not plan.dropped
    assert [[s.visit_id for s in r.stops] for r in plan.used_routes] == poor
    better = solve(inst, time_limit_s=2, initial_routes=poor)
    assert better.total_distance < plan.total_distance


def test_stop_when_complete_ends_the_search_at_the_first_plan_serving_everyone():
    inst = _line(4)
    full = solve(inst, time_limit_s=1, initial_routes=[["1", "2"], ["3", "4"]], stop_when_complete=True)
    assert not full.dropped and full.seconds < 0.9


def test_soft_windows_report_late_visits_as_dropped_not_as_served():
    # One vehicle, capacity 10, windows closing at 25: only the first two visits can be on time.
    inst = _line(4, window_end=25.0)
    inst = replace(inst, vehicles=(VehicleSpec("v0", 0, 0, 10),))
    plan = solve(inst, time_limit_s=2, late_cost=100, solution_limit=500)
    assert plan.status == "late"
    assert set(plan.dropped) == {"3", "4"} and set(plan.dropped.values()) == {"late"}
    served = [s.visit_id for r in plan.routes for s in r.stops]
    assert sorted(served) == ["1", "2"]


def test_fewest_vehicles_never_uses_more_than_the_first_plan_and_passes_the_checker():
    inst = read_solomon(SOLOMON)
    first = solve(inst, time_limit_s=2, objective="vehicles_then_distance", scale=1000)
    plan = solve_fewest_vehicles(inst, seconds=6)
    report = check_plan(inst, plan)
    assert report.feasible and not plan.dropped
    assert plan.vehicles_used <= first.vehicles_used
    assert plan.vehicles_used == 10  # C101's best known fleet; the elimination keeps it there
