"""A visit is one stop: the fixed stop time is paid once per van arrival at a library, however
many loads it takes on or hands over there; the checker holds plans to the same rule."""

from __future__ import annotations

from dataclasses import replace

from models.control import Control
from models.costs import MODES, StraightLineCost
from models.records import Shipment, TimeWindow, Vehicle
from routing.check import check_plan
from routing.construct import construct
from routing.courier import CRATE_MIN, STOP_MIN, Library, plan_day

HOURS = TimeWindow.parse("08:00", "18:00")


def _day(n_dest: int = 4):
    libs = [Library("A", "A馆", (0.0, 0.0), HOURS)] + [
        Library(f"B{k}", f"B{k}馆", (3000.0 * (k + 1), 1000.0 * k), HOURS) for k in range(n_dest)
    ]
    vans = [Vehicle("v1", "1号", "A", HOURS, 40, ("Mon",))]
    shipments = [Shipment(f"A>B{k}", "A", f"B{k}", 2, "2026-11-23") for k in range(n_dest)]
    return shipments, libs, vans


def _plan(control_s: float = 2.0):
    shipments, libs, vans = _day()
    return plan_day(
        shipments,
        libs,
        vans,
        cost=StraightLineCost(MODES["van"]),
        speed_kph=MODES["van"].speed_kph,
        control=Control(time_limit_s=control_s),
        solution_limit=100,
    )


def test_loads_at_one_library_share_one_stop_time():
    day = _plan()
    assert not day.left
    stops = day.plan.used_routes[0].stops
    at_a = [
        s
        for s in stops
        if day.instance.location_ids[day.instance.visit(s.visit_id).location] == "A"
    ]
    assert len(at_a) == 4
    # Only the first load at A waits for parking; each next one starts when the previous ends.
    for prev, nxt in zip(at_a, at_a[1:], strict=False):
        assert abs(nxt.start - prev.departure) < 1.0
        assert abs(prev.departure - prev.start - CRATE_MIN * 2 * 60) < 1e-6


def test_checker_charges_the_stop_time_once_per_arrival():
    day = _plan()
    assert check_plan(day.instance, day.plan).feasible
    # Charged per load instead (the old model), the same plan is too fast to be possible.
    per_load = replace(
        day.instance,
        stop_time=0.0,
        visits=tuple(replace(v, service=v.service + STOP_MIN * 60) for v in day.instance.visits),
    )
    report = check_plan(per_load, day.plan)
    assert not report.feasible and any("cannot arrive" in v for v in report.violations)
    # And a plan that skips the stop time at a new library is rejected.
    longer = replace(day.instance, stop_time=day.instance.stop_time + 600.0)
    assert not check_plan(longer, day.plan).feasible


def test_constructed_plan_alone_is_complete_and_checked():
    day = _plan()
    built = construct(day.instance)
    assert not built.dropped and check_plan(day.instance, built).feasible


def test_constructed_plans_are_feasible_on_random_days_with_transfers():
    import numpy as np

    for seed in range(6):
        rng = np.random.default_rng(seed)
        libs = []
        for k in range(15):
            opens = int(rng.integers(7, 11))
            hours = TimeWindow.parse(f"{opens:02d}:00", f"{opens + int(rng.integers(3, 9)):02d}:00")
            libs.append(Library(f"L{k}", f"{k}", tuple(rng.uniform(0, 30000, 2)), hours))
        shipments = []
        for k in range(40):
            a, b = rng.choice(15, 2, replace=False)
            shipments.append(Shipment(f"s{k}", f"L{a}", f"L{b}", int(rng.integers(1, 12))))
        vans = [
            Vehicle(f"v{i}", str(i), f"L{i}", TimeWindow.parse("08:00", "16:00"), 15, ("Mon",))
            for i in range(3)
        ]
        for hub in (None, "L0"):
            day = plan_day(
                shipments,
                libs,
                vans,
                cost=StraightLineCost(MODES["van"]),
                speed_kph=MODES["van"].speed_kph,
                hub_id=hub,
                control=Control(time_limit_s=0.1),
            )  # the constructed plan alone
            report = check_plan(day.instance, day.plan)
            assert report.feasible, (seed, hub, report.violations[:3])
            assert day.plan.used_routes and len(day.left) < len(day.shipments)
