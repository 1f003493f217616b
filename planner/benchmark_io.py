"""Benchmark runs in the exact JSON form `planner bench` promises other tools:
{"instance", "vehicles", "distance", "routes": [[ids in visit order, depot excluded], …], "seconds"}
plus "engine": which engine produced the plan ("ortools", "ortools-restart" or "pyvrp")."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from models.control import Control
from planner.errors import PlannerError
from routing.instance import Plan, RoutingInstance
from routing.lilim import read_lilim
from routing.portfolio import EngineRun, run_engine, solve_portfolio
from routing.solomon import read_solomon


def _result(name: str, plan: Plan, started: float) -> dict[str, Any]:
    routes = [[stop.visit_id for stop in route.stops] for route in plan.used_routes]
    return {
        "instance": name,
        "vehicles": len(routes),
        "distance": round(plan.total_distance, 4),
        "routes": [[int(i) if i.isdigit() else i for i in r] for r in routes],
        "seconds": round(time.monotonic() - started, 3),
        "engine": plan.engine,
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


def _solve(
    instance: RoutingInstance,
    started: float,
    seconds: float,
    seed: int,
    control: Control | None,
    engine: str,
    first_solution: str,
) -> dict[str, Any]:
    """Fewest vehicles first, then distance, with the engine(s) asked for."""
    if engine == "portfolio":
        plan = solve_portfolio(
            instance, seconds, control=control, seed=seed, first_solution=first_solution
        )
    else:  # one engine alone (routing.portfolio.run_engine rejects unknown names)
        plan = run_engine(
            instance,
            EngineRun(engine, seconds, "vehicles_then_distance", first_solution, seed),
            control,
        )
    if plan.dropped:
        raise RuntimeError(f"{instance.name}: no feasible plan found in {seconds} s")
    return _result(instance.name, plan, started)


def solve_solomon(
    path: Path,
    *,
    seconds: float,
    seed: int = 0,
    control: Control | None = None,
    engine: str = "portfolio",
) -> dict[str, Any]:
    """Solomon VRPTW: fewest vehicles first, then distance (OR-Tools and PyVRP on two cores)."""
    started = time.monotonic()
    return _solve(read_instance(path, read_solomon, "Solomon VRPTW"), started, seconds, seed, control, engine, "auto")


def solve_lilim(
    path: Path,
    *,
    seconds: float,
    seed: int = 0,
    control: Control | None = None,
    engine: str = "portfolio",
) -> dict[str, Any]:
    """Li & Lim PDPTW: fewest vehicles first, then distance; OR-Tools starts from insertion
    (cheapest-arc builders fail on paired requests), PyVRP models the pairs as shipments."""
    started = time.monotonic()
    return _solve(
        read_instance(path, read_lilim, "Li & Lim PDPTW"), started, seconds, seed, control, engine, "parallel_cheapest_insertion"
    )
