"""Fewest vehicles first, then distance (the literature's objective for Solomon and Li & Lim).

Three phases on one time budget:
1. a first plan with a fixed cost per vehicle larger than any detour;
2. route elimination: drop the route with fewest stops, start the search from the other routes
   with one vehicle fewer and stop at the first plan that serves everyone again; repeat until
   an attempt fails (the routing library's local search rarely empties a whole route itself);
3. distance: guided local search from the best complete plan for the rest of the budget.
Each phase starts from the previous plan, so no search is thrown away.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from models.control import Control
from routing.instance import Plan, RoutingInstance
from routing.solver import solve

FIRST_SHARE = 0.2  # of the budget for the first plan
ATTEMPT_SHARE = 0.2  # at most, per route-elimination attempt
FINAL_SHARE = 0.3  # at least, kept for the distance phase
LATE_COST = 100.0  # per time unit late, in distance units, while eliminating routes
GIVE_UP_SHARE = 0.05  # an attempt leaving more of the visits unserved ends route elimination
GLS_LAMBDA = 0.3  # a little stronger than OR-Tools' default 0.1: better on Solomon's long routes


def solve_fewest_vehicles(
    instance: RoutingInstance,
    seconds: float,
    control: Control | None = None,
    first_solution: str = "auto",
    scale: int = 1000,
    gls_lambda: float | None = None,
) -> Plan:
    """Fewest vehicles, then least distance, within `seconds`. Vehicles are taken in the
    instance's order, so they should be interchangeable (same depot, shift and capacity).
    `gls_lambda` overrides GLS_LAMBDA (the portfolio's second OR-Tools search differs by it)."""
    control = control or Control()
    lam = GLS_LAMBDA if gls_lambda is None else gls_lambda
    started = time.monotonic()

    def left() -> float:
        return seconds - (time.monotonic() - started)

    best = solve(instance, time_limit_s=seconds * FIRST_SHARE, control=control.sub(0, FIRST_SHARE),
                 objective="vehicles_then_distance", scale=scale, first_solution=first_solution,
                 gls_lambda=lam)
    if best.dropped and left() > 0.1:
        # No complete first plan in its share (tight windows, a busy machine): keep searching
        # with the rest of the budget rather than give up with visits unserved.
        retry = solve(instance, time_limit_s=left(), control=control.sub(FIRST_SHARE, 1),
                      objective="vehicles_then_distance", scale=scale,
                      first_solution="parallel_cheapest_insertion", gls_lambda=lam)
        best = min((best, retry), key=lambda p: (len(p.dropped), p.vehicles_used, p.total_distance))
    if best.dropped:
        return best
    while best.vehicles_used > 1 and left() > seconds * (FINAL_SHARE + 0.05):
        attempt = _eliminate_a_route(instance, best, seconds, left, control, scale, lam)
        if attempt is None:
            break
        best = attempt
    k = best.vehicles_used
    routes = [[s.visit_id for s in r.stops] for r in best.used_routes]
    final = solve(replace(instance, vehicles=instance.vehicles[:k]), time_limit_s=max(left(), 0.1),
                  control=control.sub(1 - FINAL_SHARE, 1), objective="distance", scale=scale,
                  initial_routes=routes, gls_lambda=lam)
    return final if not final.dropped and final.total_distance <= best.total_distance else best


def _eliminate_a_route(
    instance: RoutingInstance, best: Plan, seconds: float, left: Callable[[], float], control: Control, scale: int,
    gls_lambda: float,
) -> Plan | None:
    """Serve everyone with one vehicle fewer: start from `best` without one of its routes (the
    one with fewest stops first, then the next) and stop at the first plan that serves everyone
    in time; None when no attempt succeeds while time remains."""
    used = best.used_routes
    order = sorted(range(len(used)), key=lambda k: (len(used[k].stops), used[k].distance))
    fewer = replace(instance, vehicles=instance.vehicles[: len(used) - 1])
    for removed in order:
        if left() <= seconds * (FINAL_SHARE + 0.05):
            break
        routes = [[s.visit_id for s in r.stops] for k, r in enumerate(used) if k != removed]
        attempt = solve(fewer, time_limit_s=min(seconds * ATTEMPT_SHARE, left() - seconds * FINAL_SHARE),
                        control=control.sub(FIRST_SHARE, 1 - FINAL_SHARE), objective="distance", scale=scale,
                        initial_routes=routes, stop_when_complete=True, late_cost=LATE_COST, gls_lambda=gls_lambda)
        if not attempt.dropped:
            return attempt
        if len(attempt.dropped) > GIVE_UP_SHARE * len(instance.visits):
            break
    return None
