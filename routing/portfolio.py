"""Two engines on two cores, same time budget, keep the better checked plan.

For an instance PyVRP's model covers (routing.pyvrp_engine.unsupported_reason is None) the
two processes lead and follow. This process runs PyVRP's iterated local search as its examples
set it up (times rounded to the nearest unit; the plan is then checked in real numbers), the
very search PyVRP alone runs, untouched, and publishes each new best plan in shared memory
(routing.pyvrp_engine.SharedBest). A child process runs OR-Tools (routing.fleet_size /
routing.solver) for a tenth of the budget, then PyVRP with the next seed from OR-Tools' fleet:
its fleet minimisation, then its search from its last plan, in ten rounds; between rounds it
carries on from the leader's best plan when that is better than its own. Why: two independent
searches only keep the better end point, and on a shared two-core machine each iterates a
little slower than one search alone, so the leader alone ends slightly behind PyVRP alone
where PyVRP improves late (R201 at 30 s); the follower spends the second core searching
around the leader's best with its own random moves, and its fleet-first start keeps the fleet
down where one PyVRP run stays a vehicle above (RC101 at 10 s). A symmetric exchange (both
searches adopting each other's best) was measured too and lost R112: it takes the leader off
PyVRP's own path.
For any other instance (several windows per visit, breaks, transfers, vehicle lists) this
process runs OR-Tools and the child a second OR-Tools search started differently (another
first-solution builder and guided-local-search coefficient). Both plans are checked by
routing.check; the better one wins: fewer unserved mandatory visits, then (for
"vehicles_then_distance") fewer vehicles, then least distance plus fixed costs and penalties
of the visits left out. The plan says which engine produced it (`Plan.engine`).

Opt-in: callers that want both cores call `solve_portfolio` instead of the single-engine
functions; each engine gets the full `seconds`, so the wall time is `seconds` plus the child's
start (a fork on Linux, well under a second; a fresh interpreter elsewhere or when threads run).
"""

from __future__ import annotations

import math
import multiprocessing
import sys
import threading
import time
import traceback
from dataclasses import dataclass

from models.control import Control
from routing.check import InfeasiblePlan, check_plan
from routing.fleet_size import solve_fewest_vehicles
from routing.instance import Plan, RoutingInstance
from routing.pyvrp_engine import SharedBest, solve_pyvrp, unsupported_reason
from routing.solver import solve

#: Share of the child's PyVRP budget spent on its fleet minimisation first.
FLEET_SHARE = 0.25
#: Share of the budget OR-Tools gets before PyVRP continues from its plan (in PyVRP's scope).
HANDOFF_SHARE = 0.1
#: The second OR-Tools search (out of PyVRP's scope): another start and a stronger penalty.
RESTART_FIRST = {"pairs": "local_cheapest_insertion", "plain": "savings"}
RESTART_GLS_LAMBDA = 0.5
#: Seconds the child may take beyond its budget (start-up, model building) before it is stopped.
CHILD_GRACE_S = 30.0


@dataclass(frozen=True)
class EngineRun:
    """One engine's part of a portfolio run: which engine, with what settings."""

    engine: str  # "ortools", "ortools-restart", "pyvrp" or "ortools+pyvrp"
    seconds: float
    objective: str
    first_solution: str = "auto"
    seed: int = 0


def engines_for(instance: RoutingInstance) -> tuple[str, str]:
    """The two engines the portfolio runs on `instance`: (this process, the child)."""
    if unsupported_reason(instance) is None:
        return ("pyvrp", "ortools+pyvrp")
    return ("ortools", "ortools-restart")


def solve_portfolio(
    instance: RoutingInstance,
    seconds: float,
    *,
    objective: str = "vehicles_then_distance",
    control: Control | None = None,
    first_solution: str = "auto",
    seed: int = 0,
) -> Plan:
    """Run two engines in parallel for `seconds` each and return the better checked plan."""
    control = control or Control()
    started = time.monotonic()
    here, there = engines_for(instance)
    child = _Child(instance, EngineRun(there, seconds, objective, first_solution, seed))
    plans: list[Plan] = []
    errors: list[str] = []
    try:
        run = EngineRun(here, seconds, objective, first_solution, seed)
        plans.append(run_engine(instance, run, control, child.shared))
    except Exception:  # noqa: BLE001 - one engine failing must not lose the other's plan
        if control.cancel.is_set():
            child.stop()
            raise
        errors.append(f"{here}: {traceback.format_exc(limit=3)}")
    other = child.result(control)
    if isinstance(other, Plan):
        plans.append(other)
    elif other:
        errors.append(f"{there}: {other}")
    control.check()
    if not plans:
        raise RuntimeError("both routing engines failed:\n" + "\n".join(errors))
    best = min(plans, key=lambda p: plan_key(instance, p, objective))
    if plan_key(instance, best, objective) == (math.inf,):
        raise InfeasiblePlan("no engine returned a plan routing.check accepts")
    best.seconds = time.monotonic() - started
    if errors:
        best.status = f"{best.status}; {errors[0].splitlines()[0]} failed"
    return best


def plan_key(instance: RoutingInstance, plan: Plan, objective: str) -> tuple:
    """Sort key of a plan (smaller is better); a plan routing.check rejects sorts last."""
    report = check_plan(instance, plan)
    if not report.feasible:
        return (math.inf,)
    penalty = sum(instance.visit(v).penalty or 0.0 for v in plan.dropped)
    fixed_of = {v.id: v.fixed_cost for v in instance.vehicles}
    cost = report.distance + penalty + sum(fixed_of[r.vehicle_id] for r in plan.used_routes)
    if objective == "vehicles_then_distance":
        return (len(report.unserved_mandatory), report.vehicles_used, cost)
    return (len(report.unserved_mandatory), cost)


def run_engine(
    instance: RoutingInstance,
    run: EngineRun,
    control: Control | None = None,
    shared: SharedBest | None = None,
) -> Plan:
    """One engine on `instance` (used on both sides of the portfolio). With `shared`, "pyvrp"
    publishes its best plans there and "ortools+pyvrp" follows them between rounds."""
    control = control or Control()
    if run.engine == "ortools+pyvrp":
        return _ortools_then_pyvrp(instance, run, control, shared)
    if run.engine == "pyvrp":
        return solve_pyvrp(
            instance,
            time_limit_s=run.seconds,
            objective=run.objective,
            seed=run.seed,
            control=control,
            times="nearest",
            lead=shared,
        )
    first, gls_lambda = run.first_solution, None
    if run.engine == "ortools-restart":
        first = RESTART_FIRST["pairs" if instance.pairs or instance.precedences else "plain"]
        gls_lambda = RESTART_GLS_LAMBDA
    elif run.engine != "ortools":
        raise ValueError(f"unknown engine {run.engine!r}")
    if run.objective == "vehicles_then_distance":
        plan = solve_fewest_vehicles(
            instance, run.seconds, control, first_solution=first, gls_lambda=gls_lambda
        )
    else:
        plan = solve(
            instance,
            time_limit_s=run.seconds,
            control=control,
            first_solution=first,
            objective=run.objective,
            gls_lambda=gls_lambda,
        )
    plan.engine = run.engine
    return plan


def _ortools_then_pyvrp(
    instance: RoutingInstance, run: EngineRun, control: Control, shared: SharedBest | None
) -> Plan:
    """OR-Tools for HANDOFF_SHARE of the budget, then PyVRP (the next seed, times rounded
    safely) from OR-Tools' fleet: its fleet minimisation, then its search, started from
    OR-Tools' plan; the better of the two plans (OR-Tools' may already be the best)."""
    first = EngineRun(
        "ortools", run.seconds * HANDOFF_SHARE, run.objective, run.first_solution, run.seed
    )
    ortools_plan = run_engine(instance, first, control.sub(0, HANDOFF_SHARE))
    complete = not check_plan(instance, ortools_plan).unserved_mandatory
    pyvrp_plan = solve_pyvrp(
        instance,
        time_limit_s=run.seconds * (1 - HANDOFF_SHARE),
        objective=run.objective,
        seed=run.seed + 1,
        control=control.sub(HANDOFF_SHARE, 1),
        initial=ortools_plan if complete else None,
        fleet_share=FLEET_SHARE,
        times="nearest",
        follow=shared,
    )
    pyvrp_plan.engine = "ortools+pyvrp" if complete else "pyvrp"
    return min((pyvrp_plan, ortools_plan), key=lambda p: plan_key(instance, p, run.objective))


def _child_main(instance: RoutingInstance, run: EngineRun, conn, shared: SharedBest) -> None:  # noqa: ANN001
    """Child process: run one engine, send back its plan or the error's text."""
    try:
        conn.send(run_engine(instance, run, shared=shared))
    except BaseException:  # noqa: BLE001 - reported to the parent, which decides
        conn.send(traceback.format_exc(limit=5))
    finally:
        conn.close()


class _Child:
    """The engine running in a child process: started at once, stopped on cancel."""

    def __init__(self, instance: RoutingInstance, run: EngineRun) -> None:
        forkable = sys.platform.startswith("linux") and threading.active_count() == 1
        ctx = multiprocessing.get_context("fork" if forkable else "spawn")
        self.conn, child_conn = ctx.Pipe(duplex=False)
        self.shared = SharedBest.create(ctx, instance)
        self.deadline = time.monotonic() + run.seconds + CHILD_GRACE_S
        self.process = ctx.Process(
            target=_child_main, args=(instance, run, child_conn, self.shared), daemon=True
        )
        self.process.start()
        child_conn.close()

    def result(self, control: Control) -> Plan | str | None:
        """The child's plan, its error text, or None if it was stopped (cancel, overrun)."""
        try:
            while not self.conn.poll(0.1):
                if (
                    control.cancel.is_set()
                    or time.monotonic() > self.deadline
                    or not self.process.is_alive()
                ):
                    if self.conn.poll(0):
                        break
                    return None if control.cancel.is_set() else "stopped without a plan"
            return self.conn.recv()
        except EOFError:
            return "ended without a plan"
        finally:
            self.stop()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(5)
        self.conn.close()
