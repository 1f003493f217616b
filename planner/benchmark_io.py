"""Benchmark runs in the exact JSON form `planner bench` promises other tools:
{"instance", "vehicles", "distance", "routes": [[ids in visit order, depot excluded], …], "seconds"}."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from models.control import Control
from planner.errors import PlannerError
from routing.fleet_size import solve_fewest_vehicles
from routing.instance import Plan, RoutingInstance
from routing.lilim import read_lilim
from routing.solomon import read_solomon


def _result(name: str, plan: Plan, started: float) -> dict[str, Any]:
    routes = [[stop.visit_id for stop in route.stops] for route in plan.used_routes]
    return {
        "instance": name,
        "vehicles": len(routes),
        "distance": round(plan.total_distance, 4),
        "routes": [[int(i) if i.isdigit() else i for i in r] for r in routes],
        "seconds": round(time.monotonic() - started, 3),
    }


def read_instance(path: Path, reader: Callable[[Path], RoutingInstance], form: str) -> RoutingInstance:
    """Read a benchmark file; one that is not of its published form is a PlannerError naming it."""
    from planner.importers import check_regular_file

    check_regular_file(Path(path))
    wrong = PlannerError(f"这不是 {form} 格式的算例文件", f"this is not a {form} benchmark instance file", file=str(path))
    try:
        instance = reader(path)
    except (OSError, UnicodeDecodeError, ValueError, IndexError, KeyError, StopIteration, TypeError) as exc:
        raise wrong from exc
    if not instance.visits or not instance.vehicles or not np.isfinite(instance.distance).all():
        raise wrong
    return instance


def solve_solomon(path: Path, *, seconds: float, seed: int = 0, control: Control | None = None) -> dict[str, Any]:
    """Solomon VRPTW: fewest vehicles first, then distance (routing.fleet_size)."""
    started = time.monotonic()
    instance = read_instance(path, read_solomon, "Solomon VRPTW")
    plan = solve_fewest_vehicles(instance, seconds, control)
    if plan.dropped:
        raise RuntimeError(f"{instance.name}: no feasible plan found in {seconds} s")
    return _result(instance.name, plan, started)


def solve_lilim(path: Path, *, seconds: float, seed: int = 0, control: Control | None = None) -> dict[str, Any]:
    """Li & Lim PDPTW: fewest vehicles first, then distance; insertion first solution (cheapest
    arc builders fail on paired requests)."""
    started = time.monotonic()
    instance = read_instance(path, read_lilim, "Li & Lim PDPTW")
    plan = solve_fewest_vehicles(instance, seconds, control, first_solution="parallel_cheapest_insertion")
    if plan.dropped:
        raise RuntimeError(f"{instance.name}: no feasible plan found in {seconds} s")
    return _result(instance.name, plan, started)
