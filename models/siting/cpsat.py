"""CP-SAT back end: one solve with explicit workers, a time limit, progress and cancel, and the
site-count / budget rows every CP-SAT model shares."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from models.control import Control
from models.siting.problem import _BUDGET_SCALE, SitingProblem

#: CP-SAT stalls at a trivial bound on 2 cores with default parameters; 8 workers with the LP
#: relaxation at linearization level 2 proved these models optimal quickly (SETUP-NOTES).
SOLVER_WORKERS = 8
LINEARIZATION_LEVEL = 2


@dataclass
class _Solve:
    """Outcome of one CP-SAT solve."""

    status: int
    values: dict[str, np.ndarray] = field(default_factory=dict)
    objective: float = 0.0
    bound: float = 0.0

    @property
    def found(self) -> bool:
        return self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    @property
    def optimal(self) -> bool:
        return self.status == cp_model.OPTIMAL

    def gap(self) -> float:
        if self.optimal:
            return 0.0
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, control: Control, start: float, end: float, label: str) -> None:
        super().__init__()
        self.control, self.start, self.end, self.label = control, start, end, label
        self.limit = max(control.time_limit_s or 60.0, 1e-3)

    def on_solution_callback(self) -> None:
        fraction = min(self.wall_time / self.limit, 1.0)
        self.control.report(
            self.start + (self.end - self.start) * fraction,
            f"{self.label}: {self.objective_value:.6g} (bound {self.best_objective_bound:.6g})",
        )


def _solve(
    model: cp_model.CpModel,
    variables: dict[str, list[cp_model.IntVar]],
    time_limit_s: float,
    control: Control,
    span: tuple[float, float],
    label: str,
    workers: int = SOLVER_WORKERS,
) -> _Solve:
    """Solve with explicit workers, a time limit, progress callbacks and a cancel watcher."""
    control.check()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.linearization_level = LINEARIZATION_LEVEL
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.01)
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            if control.cancelled:
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        status = solver.solve(model, _Progress(control, *span, label))
    finally:
        done.set()
        watcher.join()
    control.check()
    out = _Solve(status)
    if out.found:
        out.values = {
            k: np.array([solver.value(v) for v in vs], np.int64) for k, vs in variables.items()
        }
        if model.has_objective():
            out.objective, out.bound = solver.objective_value, solver.best_objective_bound
    control.report(span[1], label)
    return out


def _limit_sites(
    model: cp_model.CpModel,
    x: list[cp_model.IntVar],
    cand: np.ndarray,
    problem: SitingProblem,
    p: int | None,
    budget: float | None,
) -> None:
    """Σ x <= p, and/or Σ cost·x <= budget (costs to 1/100)."""
    if p is not None:
        model.add(sum(x) <= int(p))
    if budget is not None:
        if problem.candidate_cost is None:
            raise ValueError("a budget needs candidate costs")
        costs = np.round(np.asarray(problem.candidate_cost, float)[cand] * _BUDGET_SCALE).astype(
            np.int64
        )
        model.add(
            sum(int(c) * v for c, v in zip(costs, x, strict=True))
            <= int(np.floor(budget * _BUDGET_SCALE))
        )
