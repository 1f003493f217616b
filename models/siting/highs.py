"""HiGHS back end (through MathOpt) for the p-median radius formulation."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
from ortools.math_opt import model_pb2
from ortools.math_opt.python import mathopt
from ortools.math_opt.solvers import highs_pb2

from models.control import Control
from models.siting.problem import InfeasibleError, SitingProblem

if TYPE_CHECKING:
    from models.siting.pmedian import _PrefixRows


@dataclass(frozen=True)
class _MipOutcome:
    """One HiGHS solve of the capped p-median: candidates opened, capped cost, proven bound."""

    selected: np.ndarray
    objective: float
    bound: float
    optimal: bool


#: HiGHS options for a solve that starts from a good incumbent (see _pmedian_mip): no restarts,
#: no large-neighbourhood and reduced-cost heuristics (they search for plans it already has).
_FROM_INCUMBENT = highs_pb2.HighsOptionsProto(
    bool_options={
        "mip_allow_restart": False,
        "mip_heuristic_run_rins": False,
        "mip_heuristic_run_rens": False,
        "mip_heuristic_run_root_reduced_cost": False,
    }
)

#: HiGHS stops at this relative gap (its default, 1e-4, would call a 0.01 % gap optimal).
PMEDIAN_REL_GAP = 1e-9


def _pmedian_mip(
    problem: SitingProblem,
    rows: _PrefixRows,
    p: int | None,
    budget: float | None,
    time_limit_s: float,
    control: Control,
    span: tuple[float, float],
    hint: np.ndarray | None = None,
) -> _MipOutcome | None:
    """min constant + Σ_S weight_S·z_S over the prefix rows, Σ x <= p, Σ cost·x <= budget, x
    binary, z in [0, 1], on HiGHS through MathOpt; the model goes in as arrays (no Python call
    per variable). The radius formulation's LP bound equals the classic assignment
    formulation's, with one row per distinct set instead of one per demand–candidate pair.
    None when no solution was found in time. `hint` (candidates) is handed to HiGHS as its
    first incumbent, so it prunes by it from the root on; HiGHS then does not restart after
    fixing columns by reduced cost (with the optimum in hand each restart re-solved the root
    LP and its cut rounds: 29 s against 8.5 s on one 147-candidate model of 5,000 × 300) and
    skips its RINS, RENS and root reduced-cost heuristics (8.8 s against 3.9 s on the same).

    HiGHS through OR-Tools cannot be interrupted: cancel is checked before and after."""
    control.check()
    cand, x_of_row = np.unique(rows.candidate, return_inverse=True)
    nx, nr = cand.size, rows.candidate.size
    has_parent = rows.parent >= 0
    limit_rows: list[tuple[np.ndarray, float]] = []
    if p is not None:
        limit_rows.append((np.ones(nx), float(p)))
    if budget is not None:
        if problem.candidate_cost is None:
            raise ValueError("a budget needs candidate costs")
        limit_rows.append((np.asarray(problem.candidate_cost, float)[cand], float(budget)))
    # Row r: z_r + x_cand(r) − z_parent(r) >= (1 if no parent else 0); then the site limits.
    row_ids = np.r_[
        np.arange(nr),
        np.arange(nr),
        np.flatnonzero(has_parent),
        np.repeat(nr + np.arange(len(limit_rows)), nx),
    ]
    col_ids = np.r_[
        x_of_row.ravel(),
        nx + np.arange(nr),
        nx + rows.parent[has_parent],
        np.tile(np.arange(nx), len(limit_rows)),
    ]
    values = np.concatenate(
        [np.ones(2 * nr), -np.ones(int(has_parent.sum())), *[a for a, _ in limit_rows]]
    )
    order = np.lexsort((col_ids, row_ids))
    nonzero = values[order] != 0.0
    proto = model_pb2.ModelProto()
    variables = proto.variables
    variables.ids.extend(range(nx + nr))
    variables.lower_bounds.extend([0.0] * (nx + nr))
    variables.upper_bounds.extend([1.0] * (nx + nr))
    variables.integers.extend([True] * nx + [False] * nr)
    proto.objective.offset = rows.constant
    weighted = np.flatnonzero(rows.weight > 0)
    proto.objective.linear_coefficients.ids.extend((nx + weighted).tolist())
    proto.objective.linear_coefficients.values.extend(rows.weight[weighted].tolist())
    constraints = proto.linear_constraints
    constraints.ids.extend(range(nr + len(limit_rows)))
    constraints.lower_bounds.extend(
        np.r_[np.where(has_parent, 0.0, 1.0), np.full(len(limit_rows), -np.inf)].tolist()
    )
    constraints.upper_bounds.extend(
        np.r_[np.full(nr, np.inf), [rhs for _, rhs in limit_rows]].tolist()
    )
    matrix = proto.linear_constraint_matrix
    matrix.row_ids.extend(row_ids[order][nonzero].tolist())
    matrix.column_ids.extend(col_ids[order][nonzero].tolist())
    matrix.coefficients.extend(values[order][nonzero].tolist())
    model = mathopt.Model.from_model_proto(proto)
    x = [model.get_variable(j) for j in range(nx)]
    control.check()

    started = time.monotonic()
    limit_s = max(time_limit_s, 0.01)

    def on_log(_: list[str]) -> None:
        fraction = min((time.monotonic() - started) / limit_s, 1.0)
        control.report(
            span[0] + (span[1] - span[0]) * fraction, f"p-median: HiGHS, {nr:,} set rows"
        )

    result = mathopt.solve(
        model,
        mathopt.SolverType.HIGHS,
        params=mathopt.SolveParameters(
            time_limit=timedelta(seconds=limit_s),
            relative_gap_tolerance=PMEDIAN_REL_GAP,
            highs=None if hint is None else _FROM_INCUMBENT,
        ),
        model_params=mathopt.ModelSolveParameters(
            variable_values_filter=mathopt.SparseVectorFilter(filtered_items=x),
            solution_hints=[] if hint is None else [_hint(model, rows, cand, hint)],
        ),
        msg_cb=on_log,
    )
    control.check()
    reason = result.termination.reason
    if reason == mathopt.TerminationReason.INFEASIBLE:
        raise InfeasibleError("p-median: no choice of sites meets the budget")
    if not result.has_primal_feasible_solution():
        return None
    chosen = np.array(result.variable_values(x)) > 0.5
    return _MipOutcome(
        selected=np.sort(cand[chosen]).astype(np.int64),
        objective=result.objective_value(),
        bound=result.termination.objective_bounds.dual_bound,
        optimal=reason == mathopt.TerminationReason.OPTIMAL,
    )


def _hint(
    model: mathopt.Model, rows: _PrefixRows, cand: np.ndarray, chosen: np.ndarray
) -> mathopt.SolutionHint:
    """The radius model's values for opening `chosen`: x = 1 on them, z_S = 1 where no member
    of S is open (a set is open-free when its last member is closed and its parent is)."""
    is_open = np.isin(cand, chosen)
    free = ~np.isin(rows.candidate, chosen)
    z = free.copy()
    has_parent = rows.parent >= 0
    while True:  # one pass per level of the parent chains
        nxt = free & np.where(has_parent, z[np.maximum(rows.parent, 0)], True)
        if (nxt == z).all():
            break
        z = nxt
    values = np.r_[is_open, z].astype(float)
    return mathopt.SolutionHint(
        variable_values={model.get_variable(j): float(v) for j, v in enumerate(values)}
    )


@dataclass(frozen=True)
class ArrayMip:
    """A MIP as arrays: min obj·v + offset, var_lb <= v <= var_ub, row_lb <= A v <= row_ub,
    A given as (row, column, value) triplets."""

    obj: np.ndarray
    var_lb: np.ndarray
    var_ub: np.ndarray
    integer: np.ndarray  # bool per variable
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    row_lb: np.ndarray
    row_ub: np.ndarray
    offset: float = 0.0


@dataclass(frozen=True)
class ArraySolution:
    """Values, objective and proven bound of one HiGHS solve; None values when none found."""

    values: np.ndarray | None
    objective: float
    bound: float
    optimal: bool
    infeasible: bool
    reduced_costs: np.ndarray | None = None  # of an LP (no integer variable) solved to optimality


def solve_arrays(
    mip: ArrayMip,
    time_limit_s: float,
    control: Control,
    label: str,
    hint: np.ndarray | None = None,
    lp_algorithm: mathopt.LPAlgorithm | None = None,
) -> ArraySolution:
    """Solve an ArrayMip on HiGHS through MathOpt (built from arrays, no call per variable),
    starting from `hint` (a value per variable) when given."""
    control.check()
    nv = mip.obj.size
    proto = model_pb2.ModelProto()
    proto.variables.ids.extend(range(nv))
    proto.variables.lower_bounds.extend(mip.var_lb.astype(float).tolist())
    proto.variables.upper_bounds.extend(mip.var_ub.astype(float).tolist())
    proto.variables.integers.extend(mip.integer.astype(bool).tolist())
    proto.objective.offset = float(mip.offset)
    nz = np.flatnonzero(mip.obj != 0)
    proto.objective.linear_coefficients.ids.extend(nz.tolist())
    proto.objective.linear_coefficients.values.extend(mip.obj[nz].astype(float).tolist())
    proto.linear_constraints.ids.extend(range(mip.row_lb.size))
    proto.linear_constraints.lower_bounds.extend(mip.row_lb.astype(float).tolist())
    proto.linear_constraints.upper_bounds.extend(mip.row_ub.astype(float).tolist())
    keep = mip.vals != 0
    order = np.lexsort((mip.cols[keep], mip.rows[keep]))
    matrix = proto.linear_constraint_matrix
    matrix.row_ids.extend(mip.rows[keep][order].tolist())
    matrix.column_ids.extend(mip.cols[keep][order].tolist())
    matrix.coefficients.extend(mip.vals[keep][order].astype(float).tolist())
    model = mathopt.Model.from_model_proto(proto)
    started = time.monotonic()
    limit_s = max(time_limit_s, 0.01)

    def on_log(_: list[str]) -> None:
        control.report(min((time.monotonic() - started) / limit_s, 1.0), label)

    hints = []
    if hint is not None:
        variables = [model.get_variable(j) for j in range(nv)]
        values_by_variable = dict(zip(variables, hint.tolist(), strict=True))
        hints = [mathopt.SolutionHint(variable_values=values_by_variable)]
    result = mathopt.solve(
        model,
        mathopt.SolverType.HIGHS,
        params=mathopt.SolveParameters(
            time_limit=timedelta(seconds=limit_s),
            relative_gap_tolerance=PMEDIAN_REL_GAP,
            lp_algorithm=lp_algorithm,
        ),
        model_params=mathopt.ModelSolveParameters(solution_hints=hints),
        msg_cb=on_log,
    )
    control.check()
    reason = result.termination.reason
    if reason in (
        mathopt.TerminationReason.INFEASIBLE,
        mathopt.TerminationReason.INFEASIBLE_OR_UNBOUNDED,
    ):
        return ArraySolution(None, np.inf, np.inf, False, True)
    if not result.has_primal_feasible_solution():
        return ArraySolution(None, np.inf, -np.inf, False, False)
    values = result.variable_values()
    array = np.array([values[model.get_variable(j)] for j in range(nv)])
    optimal = reason == mathopt.TerminationReason.OPTIMAL
    reduced = None
    if optimal and not mip.integer.any() and result.has_dual_feasible_solution():
        costs = result.reduced_costs()
        reduced = np.array([costs[model.get_variable(j)] for j in range(nv)])
    return ArraySolution(
        array,
        result.objective_value(),
        result.termination.objective_bounds.dual_bound,
        optimal,
        False,
        reduced,
    )
