"""The generic routing solver against brute force and its own promises (windows, breaks,
pairs, penalties, cancel)."""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from models.control import Cancelled, Control
from routing.check import check_plan
from routing.instance import Break, RoutingInstance, VehicleSpec, Visit
from routing.solomon import read_solomon
from routing.solver import solve
from tests.support.paths import DATA

SOLOMON = DATA / "C101.txt"


def _instance(xy, visits, vehicles, pairs=()):
    d = cdist(np.asarray(xy, float), np.asarray(xy, float))
    return RoutingInstance("t", tuple(visits), tuple(vehicles), d, d.copy(), tuple(pairs))


def test_single_vehicle_tour_is_optimal_by_brute_force():
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 100, (7, 2))
    visits = [Visit(str(i), i) for i in range(1, 7)]
    inst = _instance(xy, visits, [VehicleSpec("v", 0, 0)])
    plan = solve(inst, time_limit_s=2)
    best = min(
        sum(inst.distance[a, b] for a, b in itertools.pairwise((0, *perm, 0)))
        for perm in itertools.permutations(range(1, 7))
    )
    assert plan.total_distance == pytest.approx(best, rel=1e-6)
    assert check_plan(inst, plan).feasible


def test_time_windows_force_the_order_and_waits_are_real():
    xy = [(0, 0), (10, 0), (20, 0)]
    visits = [Visit("far", 2, 5.0, ((20.0, 30.0),)), Visit("near", 1, 5.0, ((60.0, 70.0),))]
    plan = solve(_instance(xy, visits, [VehicleSpec("v", 0, 0)]), time_limit_s=1)
    (route,) = plan.used_routes
    assert [s.visit_id for s in route.stops] == ["far", "near"]
    assert route.stops[1].start >= 60.0


def test_impossible_optional_visit_is_dropped_with_a_reason():
    xy = [(0, 0), (10, 0), (500, 0)]
    visits = [Visit("ok", 1), Visit("too-far", 2, windows=((0.0, 100.0),), penalty=1000.0)]
    plan = solve(_instance(xy, visits, [VehicleSpec("v", 0, 0, shift_end=300.0)]), time_limit_s=1)
    assert set(plan.dropped) == {"too-far"} and plan.dropped["too-far"]


def test_pickup_and_delivery_ride_one_vehicle_in_order():
    xy = [(0, 0), (50, 0), (0, 50), (50, 50), (-50, 0)]
    visits = [Visit("p1", 1, demand=3), Visit("d1", 2, demand=-3), Visit("p2", 3, demand=3), Visit("d2", 4, demand=-3)]
    vehicles = [VehicleSpec("a", 0, 0, capacity=3), VehicleSpec("b", 0, 0, capacity=3)]
    inst = _instance(xy, visits, vehicles, pairs=[("p1", "d1"), ("p2", "d2")])
    plan = solve(inst, time_limit_s=2)
    assert check_plan(inst, plan).feasible
    for route in plan.used_routes:
        ids = [s.visit_id for s in route.stops]
        for p, d in (("p1", "d1"), ("p2", "d2")):
            if p in ids:
                assert d in ids and ids.index(p) < ids.index(d)


def test_lunch_break_falls_inside_its_window():
    xy = [(0, 0)] + [(10 * i, 0) for i in range(1, 6)]
    visits = [Visit(str(i), i, 60.0) for i in range(1, 6)]
    vehicle = VehicleSpec("v", 0, 0, shift_start=0.0, shift_end=1000.0, breaks=(Break(120.0, 200.0, 60.0),))
    plan = solve(_instance(xy, visits, [vehicle]), time_limit_s=1)
    (route,) = plan.used_routes
    (start, duration), = route.breaks
    assert 120.0 <= start <= 200.0 and duration == 60.0
    for stop in route.stops:  # no service overlaps the break
        assert stop.departure <= start + 1e-6 or stop.start >= start + duration - 1e-6


def test_solomon_c101_reaches_the_best_known_vehicle_count():
    inst = read_solomon(SOLOMON)
    plan = solve(inst, time_limit_s=3, objective="vehicles_then_distance", scale=1000)
    assert not plan.dropped and plan.vehicles_used == 10
    assert plan.total_distance < 828.94 * 1.05


def test_cancel_stops_a_long_solve_within_a_second():
    control = Control()
    inst = read_solomon(SOLOMON)
    threading.Timer(1.0, control.cancel.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        solve(inst, time_limit_s=60, control=control)
    assert time.monotonic() - started < 3.0


def test_progress_never_goes_back_even_when_a_step_revises_its_estimate() -> None:
    """A bar that jumps back looks broken: Control keeps the highest fraction it has shown."""
    from models.control import Control

    seen: list[float] = []
    control = Control(progress=lambda f, _m: seen.append(f))
    step = control.sub(0.5, 1.0)
    for fraction in (0.2, 0.6, 0.3, 0.9):
        step.report(fraction)
    control.report(0.1)
    assert seen == sorted(seen) and seen[-1] == 0.95
