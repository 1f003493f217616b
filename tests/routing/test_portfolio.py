"""The PyVRP engine and the two-core portfolio: scope, real-time schedules that pass the
independent checker, the better plan kept, the engine named, cancel, and `planner bench`."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from models.control import Cancelled, Control
from planner.cli import main
from routing.check import check_plan
from routing.instance import Break, Plan, RoutingInstance, VehicleSpec, Visit
from routing.lilim import read_lilim
from routing.portfolio import engines_for, plan_key, solve_portfolio
from routing.pyvrp_engine import schedule_route, solve_pyvrp, unsupported_reason
from routing.solomon import read_solomon
from routing.solver import solve
from tests.support.paths import DATA


def _small_solomon(n: int = 30) -> RoutingInstance:
    """The first n customers of Solomon C101 (tight windows, capacity 200)."""
    inst = read_solomon(DATA / "C101.txt")
    return replace(inst, visits=inst.visits[:n])


def _small_lilim(pairs: int = 12) -> RoutingInstance:
    inst = read_lilim(DATA / "lc101.txt")
    keep = set()
    for p, d in inst.pairs[:pairs]:
        keep |= {p, d}
    return replace(
        inst, visits=tuple(v for v in inst.visits if v.id in keep), pairs=inst.pairs[:pairs]
    )


def test_scope_names_what_pyvrp_cannot_model():
    inst = _small_solomon(5)
    assert unsupported_reason(inst) is None
    assert unsupported_reason(_small_lilim(3)) is None
    two = replace(
        inst,
        visits=(replace(inst.visits[0], windows=((0.0, 10.0), (50.0, 60.0))), *inst.visits[1:]),
    )
    assert "time windows" in unsupported_reason(two)
    lunch = replace(inst, vehicles=(replace(inst.vehicles[0], breaks=(Break(100, 200, 30),)),))
    assert "breaks" in unsupported_reason(lunch)
    transfer = replace(inst, precedences=(("1", "2", 5.0),))
    assert "precedences" in unsupported_reason(transfer)
    assert engines_for(inst) == ("pyvrp", "ortools+pyvrp")
    assert engines_for(two) == ("ortools", "ortools-restart")


def test_pyvrp_plan_passes_the_checker_and_matches_ortools_on_vehicles():
    inst = _small_solomon(30)
    plan = solve_pyvrp(inst, time_limit_s=1.0, objective="vehicles_then_distance")
    report = check_plan(inst, plan)
    assert report.feasible and not report.unserved_mandatory and plan.engine == "pyvrp"
    reference = solve(inst, time_limit_s=1.0, objective="vehicles_then_distance")
    assert plan.vehicles_used <= reference.vehicles_used
    # Real-valued distance recomputed by the checker, not PyVRP's scaled integers.
    assert plan.total_distance == pytest.approx(report.distance, rel=1e-12)


def test_pyvrp_serves_pairs_as_shipments_pickup_first_on_one_vehicle():
    inst = _small_lilim(12)
    plan = solve_pyvrp(inst, time_limit_s=1.0, objective="vehicles_then_distance")
    assert check_plan(inst, plan).feasible and not plan.dropped
    where = {s.visit_id: (r.vehicle_id, k) for r in plan.routes for k, s in enumerate(r.stops)}
    for p, d in inst.pairs:
        assert where[p][0] == where[d][0] and where[p][1] < where[d][1]


def test_pyvrp_two_depots_shifts_and_an_optional_visit_not_worth_its_penalty():
    xy = np.array([[0, 0], [100, 0], [5, 0], [95, 0], [10, 0], [500, 500]], float)
    d = cdist(xy, xy)
    visits = (
        Visit("a", 2, 1.0, ((0.0, 50.0),), 1),
        Visit("b", 3, 1.0, ((0.0, 50.0),), 1),
        Visit("c", 4, 1.0, ((20.0, 60.0),), 1),
        Visit("far", 5, penalty=10.0),
    )
    vehicles = (VehicleSpec("west", 0, 0, 5, 0.0, 200.0), VehicleSpec("east", 1, 1, 5, 0.0, 200.0))
    inst = RoutingInstance("two-depots", visits, vehicles, d, d.copy())
    plan = solve_pyvrp(inst, time_limit_s=0.5)
    assert check_plan(inst, plan).feasible
    assert set(plan.dropped) == {"far"}
    by_vehicle = {r.vehicle_id: [s.visit_id for s in r.stops] for r in plan.used_routes}
    assert by_vehicle == {"west": ["a", "c"], "east": ["b"]}
    # Leaves as late as "a" (closing at 50, 5 away) allows, so nobody waits for "c" to open at 20.
    west = next(r for r in plan.routes if r.vehicle_id == "west")
    assert west.depart == pytest.approx(45.0)
    assert [s.start for s in west.stops] == pytest.approx([50.0, 56.0])
    assert all(s.arrival == pytest.approx(s.start) for s in west.stops)


def test_schedule_route_leaves_late_and_keeps_every_window():
    inst = _small_solomon(10)
    ids = ["5", "3", "7", "8", "10", "9", "6", "4", "2", "1"]
    route = schedule_route(inst, inst.vehicles[0], ids)
    plan = Plan(routes=[route], dropped={v.id: "" for v in inst.visits if v.id not in ids})
    assert check_plan(inst, plan).feasible
    assert route.depart > inst.vehicles[0].shift_start  # C101's first windows open late


def test_plan_key_puts_unchecked_plans_last_and_fewer_vehicles_first():
    inst = _small_solomon(8)
    a = solve(inst, time_limit_s=0.5, objective="vehicles_then_distance")
    spread = Plan(
        routes=[
            schedule_route(inst, v, [visit.id])
            for v, visit in zip(inst.vehicles, inst.visits, strict=False)
        ]
    )
    assert check_plan(inst, spread).feasible
    assert plan_key(inst, a, "vehicles_then_distance") < plan_key(
        inst, spread, "vehicles_then_distance"
    )
    broken = Plan(
        routes=[schedule_route(inst, inst.vehicles[0], [inst.visits[0].id])]
    )  # the rest unreported
    assert plan_key(inst, broken, "distance") == (float("inf"),)


def test_portfolio_keeps_a_checked_plan_and_names_its_engine():
    inst = _small_solomon(40)
    plan = solve_portfolio(inst, 2.0)
    assert check_plan(inst, plan).feasible and not plan.dropped
    assert plan.engine in ("ortools", "pyvrp", "ortools+pyvrp")
    assert plan.vehicles_used == 5  # C101's first 40 customers: 5 vans of 200 carry 390 units


def test_portfolio_outside_pyvrp_scope_runs_two_ortools_searches():
    inst = _small_solomon(12)
    two = replace(
        inst,
        visits=tuple(
            replace(v, windows=(v.windows[0], (v.windows[0][1] + 50, v.windows[0][1] + 80)))
            for v in inst.visits
        ),
    )
    plan = solve_portfolio(two, 1.0)
    assert check_plan(two, plan).feasible and not plan.dropped
    assert plan.engine in ("ortools", "ortools-restart")


def test_portfolio_cancel_stops_both_engines():
    control = Control()
    threading.Timer(0.5, control.cancel.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        solve_portfolio(_small_solomon(60), 30.0, control=control)
    assert time.monotonic() - started < 10


def test_bench_cli_writes_the_contract_keys_and_the_engine(tmp_path):
    out = tmp_path / "c101.json"
    assert (
        main(["bench", "vrptw", str(DATA / "C101.txt"), "--seconds", "2", "--json", str(out)]) == 0
    )
    result = json.loads(out.read_text())
    assert set(result) == {"instance", "vehicles", "distance", "routes", "seconds", "engine"}
    assert result["engine"] in ("ortools", "pyvrp", "ortools+pyvrp") and result["vehicles"] == 10
    assert sorted(i for r in result["routes"] for i in r) == list(range(1, 101))
