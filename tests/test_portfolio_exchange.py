"""The portfolio's two PyVRP searches share their best plan between rounds: a plan crosses the
shared memory intact, only a cheaper plan that fits the fleet is taken, and a search handed a
better plan by its partner ends at least as good as that plan."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from pathlib import Path

from routing.check import check_plan
from routing.pyvrp_engine import BestExchange, _cost, _problem_data, solve_pyvrp
from routing.solomon import read_solomon

DATA = Path(__file__).parent / "data"


def _instance(n: int = 40):
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


def test_a_published_plan_crosses_intact_and_only_a_cheaper_fitting_one_is_taken():
    inst = _instance()
    ours, theirs = BestExchange.pair(multiprocessing.get_context("fork"), inst)
    data, best = _solution(inst, 0.5, 0)
    assert theirs.fetch(data, float("inf")) is None  # nothing published yet
    ours.publish(best, _cost(best))
    got = theirs.fetch(data, _cost(best) + 1)
    assert got is not None and got.is_feasible()
    assert _routes(got) == _routes(best)
    assert _cost(got) == _cost(best)
    assert theirs.fetch(data, _cost(best)) is None  # not cheaper than what we have
    small = data.replace(
        vehicle_types=[data.vehicle_type(0).replace(num_available=best.num_routes() - 1)]
    )
    assert theirs.fetch(small, _cost(best) + 1) is None  # more routes than that fleet has


def test_a_search_handed_a_better_plan_by_its_partner_ends_at_least_as_good():
    inst = _instance()
    data, good = _solution(inst, 2.0, 3)
    ours, theirs = BestExchange.pair(multiprocessing.get_context("fork"), inst)
    theirs.publish(good, _cost(good))  # the partner's plan, waiting in its slot
    plan = solve_pyvrp(
        inst, time_limit_s=0.3, objective="vehicles_then_distance", times="nearest", partner=ours
    )
    report = check_plan(inst, plan)
    assert report.feasible and not report.unserved_mandatory
    assert plan.vehicles_used <= good.num_routes()
    assert report.distance <= good.distance() / 100 + 0.01 * len(inst.visits)
    assert ours.mine[0] > 0  # and it published its own best for the partner
