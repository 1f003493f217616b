"""Benchmark runs in the exact JSON form `planner bench` promises other tools:
{"instance", "vehicles", "distance", "routes": [[ids in visit order, depot excluded], …], "seconds"}."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from models.control import Control
from routing.instance import Plan, RoutingInstance
from routing.lilim import read_lilim
from routing.solomon import read_solomon
from routing.solver import solve


def _result(name: str, plan: Plan, started: float) -> dict[str, Any]:
    routes = [[stop.visit_id for stop in route.stops] for route in plan.used_routes]
    return {
        "instance": name,
        "vehicles": len(routes),
        "distance": round(plan.total_distance, 4),
        "routes": [[int(i) if i.isdigit() else i for i in r] for r in routes],
        "seconds": round(time.monotonic() - started, 3),
    }


def fewest_vehicles(instance: RoutingInstance, seconds: float, control: Control | None, first_solution: str = "auto") -> Plan:
    """Fewest vehicles, then distance: a first plan with a fixed cost per vehicle, then repeated
    attempts with one vehicle fewer, each given part of the budget; the last complete plan wins.
    (The routing library's local search rarely empties a whole route by itself.)"""
    started = time.monotonic()
    best = solve(instance, time_limit_s=seconds * 0.4, control=control, objective="vehicles_then_distance",
                 scale=1000, first_solution=first_solution)
    while not best.dropped:
        remaining = seconds - (time.monotonic() - started)
        if remaining < seconds * 0.1 or best.vehicles_used <= 1:
            break
        fewer = replace(instance, vehicles=instance.vehicles[: best.vehicles_used - 1])
        attempt = solve(fewer, time_limit_s=remaining, control=control, objective="distance", scale=1000,
                        first_solution=first_solution)
        if attempt.dropped:
            break
        best = attempt
    return best


def solve_solomon(path: Path, *, seconds: float, seed: int = 0, control: Control | None = None) -> dict[str, Any]:
    """Fewest vehicles first, then distance: a fixed cost per vehicle larger than any detour."""
    started = time.monotonic()
    instance = read_solomon(path)
    plan = fewest_vehicles(instance, seconds, control)
    if plan.dropped:
        raise RuntimeError(f"{instance.name}: no feasible plan found in {seconds} s")
    return _result(instance.name, plan, started)


def solve_lilim(path: Path, *, seconds: float, seed: int = 0, control: Control | None = None) -> dict[str, Any]:
    """Li & Lim PDPTW: fewest vehicles first, then distance; insertion first solution (cheapest
    arc builders fail on paired requests)."""
    started = time.monotonic()
    instance = read_lilim(path)
    plan = fewest_vehicles(instance, seconds, control, first_solution="parallel_cheapest_insertion")
    if plan.dropped:
        raise RuntimeError(f"{instance.name}: no feasible plan found in {seconds} s")
    return _result(instance.name, plan, started)
