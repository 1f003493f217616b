"""The portfolio's two PyVRP searches share the leader's best plan: a plan crosses the shared
memory intact, only a cheaper plan that fits the fleet is taken, the leader publishes its
best, and a follower handed a better plan ends at least as good as that plan."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from routing.check import check_plan
from routing.instance import RoutingInstance, VehicleSpec, Visit
from routing.pyvrp_engine import (
    SharedBest,
    _cost,
    in_real_time,
    _problem_data,
    solve_pyvrp,
)
from routing.solomon import read_solomon
from tests.support.paths import DATA


def _instance(n: int = 40):  # noqa: ANN202
    inst = read_solomon(DATA / "C101.txt")
    return replace(inst, visits=inst.visits[:n])


def _solution(inst, seconds: float, seed: int):  # noqa: ANN001, ANN202
    """A PyVRP solution for `inst` (PyVRP's own solve, as its examples call it)."""
    from pyvrp import solve
    from pyvrp.stop import MaxRuntime

    data = _problem_data(inst, "vehicles_then_distance", 100, "nearest")[0]
    return data, solve(data, stop=MaxRuntime(seconds), seed=seed, collect_stats=False).best


def _routes(solution) -> list[list[int]]:  # noqa: ANN001
    return [[a.idx for a in route if a.type.name != "DEPOT"] for route in solution.routes()]


def _shared(inst) -> SharedBest:  # noqa: ANN001
    return SharedBest.create(multiprocessing.get_context("fork"), inst)


def test_a_published_plan_crosses_intact_and_only_a_cheaper_fitting_one_is_taken():
    inst = _instance()
    shared = _shared(inst)
    data, best = _solution(inst, 0.5, 0)
    assert shared.fetch(data, float("inf")) is None  # nothing published yet
    shared.publish(best, _cost(best))
    got = shared.fetch(data, _cost(best) + 1)
    assert got is not None and got.is_feasible()
    assert _routes(got) == _routes(best) and _cost(got) == _cost(best)
    assert shared.fetch(data, _cost(best)) is None  # not cheaper than what we have
    small = data.replace(
        vehicle_types=[data.vehicle_type(0).replace(num_available=best.num_routes() - 1)]
    )
    assert shared.fetch(small, _cost(best) + 1) is None  # more routes than that fleet has


def test_the_leader_publishes_its_best_and_a_follower_ends_at_least_as_good_as_it():
    inst = _instance()
    shared = _shared(inst)
    leader = solve_pyvrp(
        inst, time_limit_s=1.0, objective="vehicles_then_distance", times="nearest", lead=shared
    )
    data = _problem_data(inst, "vehicles_then_distance", 100, "nearest")[0]
    published = shared.fetch(data, float("inf"))
    assert published is not None
    assert published.distance() / 100 == pytest.approx(
        leader.total_distance, abs=0.01 * len(inst.visits)
    )
    follower = solve_pyvrp(
        inst,
        time_limit_s=0.2,
        objective="vehicles_then_distance",
        times="nearest",
        seed=7,
        follow=shared,
    )
    report = check_plan(inst, follower)
    assert report.feasible and not report.unserved_mandatory
    assert follower.vehicles_used <= leader.vehicles_used
    assert report.distance <= leader.total_distance + 0.01 * len(inst.visits)


def test_nearest_times_keep_only_plans_that_hold_in_real_numbers():
    # One visit 1.004 away whose window closes at 1.0: on times rounded to the nearest 0.01
    # PyVRP arrives in time (1.00), in real numbers it is 0.004 late.
    xy = np.array([[0.0, 0.0], [1.004, 0.0], [0.0, 3.0]])
    d = cdist(xy, xy)
    tight = RoutingInstance(
        "hair-late",
        (Visit("late", 1, 0.0, ((0.0, 1.0),), 1), Visit("easy", 2, 0.0, ((0.0, 100.0),), 1)),
        (VehicleSpec("v", 0, 0, 10, 0.0, 100.0),),
        d,
        d.copy(),
    )
    data, clients, shipments, groups = _problem_data(tight, "distance", 100, "nearest")
    from pyvrp import Solution

    solution = Solution(data, [[0, 1]])  # PyVRP clients: "late" then "easy"
    assert solution.is_feasible()  # on PyVRP's integers
    assert not in_real_time(tight, clients, shipments, groups)(solution)
    loose = replace(
        tight, visits=(replace(tight.visits[0], windows=((0.0, 1.01),)), tight.visits[1])
    )
    data, clients, shipments, groups = _problem_data(loose, "distance", 100, "nearest")
    assert in_real_time(loose, clients, shipments, groups)(Solution(data, [[0, 1]]))
    # The search never returns the late plan: no plan serves "late" in time, so none is kept.
    plan = solve_pyvrp(tight, time_limit_s=0.2, times="nearest")
    assert "late" in plan.dropped and check_plan(tight, plan).feasible
