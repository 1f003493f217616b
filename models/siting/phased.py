"""Phased plan on CP-SAT: which candidates open in which year so that covered demand summed
over the years is highest, each year's opening cost within its budget (unspent budget carries
over to later years), sites once open staying open, demand per year scaled by a growth table.

xⱼₜ = 1 when candidate j is open in year t (xⱼₜ <= xⱼ,ₜ₊₁); yₖₜ <= Σ_{j∈Nₖ} xⱼₜ covers row k;
carry-over makes the budget cumulative: Σⱼ cⱼxⱼₜ <= Σ_{τ<=t} Bτ; max Σₜ Σₖ wₖgₖₜyₖₜ.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from models.control import Control, quiet
from models.coverage import GroupCoverage, group_coverage
from models.siting.covering import _rows
from models.siting.cpsat import _solve
from models.siting.problem import (
    _BUDGET_SCALE,
    InfeasibleError,
    SitingProblem,
    _int_weights,
    _within,
)


@dataclass(frozen=True)
class PlanYear:
    """One year of a phased plan: candidates opened that year and coverage at its end."""

    year: int
    opened: np.ndarray  # candidate indices opened this year
    cost: float
    budget_available: float  # this year's budget plus what earlier years left unspent
    covered: float
    total: float
    by_group: dict[str, GroupCoverage]

    @property
    def share(self) -> float:
        return self.covered / self.total if self.total > 0 else 0.0

    @property
    def worst_group(self) -> str | None:
        rows = [(g.share, name) for name, g in self.by_group.items() if g.total > 0]
        return min(rows)[1] if rows else None


@dataclass(frozen=True)
class PhasedPlan:
    """A phased plan: years in order, covered demand summed over them, proven gap."""

    years: list[PlanYear]
    objective: float
    optimal: bool
    gap: float
    seconds: float


def growth_matrix(
    groups: np.ndarray, years: Sequence[int], growth: Mapping[str, Sequence[float]] | None
) -> np.ndarray:
    """Per demand point × year multipliers from a district → per-year table (1 when absent)."""
    out = np.ones((len(groups), len(years)))
    for name, factors in (growth or {}).items():
        if len(factors) != len(years):
            raise ValueError(f"growth for {name!r} needs one factor per year")
        out[np.asarray(groups).astype(str) == name] = np.asarray(factors, float)
    return out


def solve_phased(
    problem: SitingProblem,
    years: Sequence[int],
    budgets: Sequence[float],
    *,
    growth: Mapping[str, Sequence[float]] | None = None,
    time_limit_s: float = 60.0,
    control: Control | None = None,
) -> PhasedPlan:
    """The phased plan maximising covered demand summed over `years` (see module doc);
    candidate costs come from problem.candidate_cost (required)."""
    control = control or quiet()
    started = time.monotonic()
    if problem.candidate_cost is None:
        raise ValueError("a phased plan needs candidate costs")
    if len(budgets) != len(years) or not years:
        raise ValueError("one budget per year")
    if min(budgets) < 0:
        raise ValueError("budgets must be non-negative")
    labels = problem.group_labels
    weights = np.asarray(problem.weights, float)
    mult = growth_matrix(labels, years, growth)
    if (mult < 0).any():
        raise ValueError("growth factors must be non-negative")
    control.report(0.0, "neighbours")
    cover = _within(problem, problem.candidates_xy)
    pre = _within(problem, problem.existing).covered_by_any()
    # Rows merge demand with the same candidate set and the same growth (its district).
    names, codes = np.unique(labels, return_inverse=True)
    rows = _rows(problem, cover, pre, codes)
    mask = rows.row_of >= 0
    n_t = len(years)
    w_year = weights[:, None] * mult  # demand × year
    scaled = _int_weights(w_year.ravel()).reshape(w_year.shape)
    w_row = np.stack(
        [
            np.bincount(rows.row_of[mask], weights=scaled[mask, t], minlength=len(rows.sets))
            for t in range(n_t)
        ],
        axis=1,
    ).astype(np.int64)
    price = np.asarray(problem.candidate_cost, float)
    cand = np.unique(np.concatenate([np.zeros(0, np.int64), *rows.sets]))
    cand = cand[np.isfinite(price[cand])]
    cumulative = np.cumsum(np.asarray(budgets, float))
    model = cp_model.CpModel()
    x = {(int(j), t): model.new_bool_var(f"x{j}_{t}") for j in cand for t in range(n_t)}
    y = {(k, t): model.new_bool_var(f"y{k}_{t}") for k in range(len(rows.sets)) for t in range(n_t)}
    cost_int = np.round(price * _BUDGET_SCALE).astype(np.int64)
    for t in range(n_t):
        for j in cand:
            if t:
                model.add(x[int(j), t] >= x[int(j), t - 1])
        model.add(
            sum(int(cost_int[j]) * x[int(j), t] for j in cand)
            <= int(np.floor(cumulative[t] * _BUDGET_SCALE + 1e-6))
        )
        for k, members in enumerate(rows.sets):
            live = [x[int(j), t] for j in members if (int(j), t) in x]
            model.add(sum(live) >= y[k, t]) if live else model.add(y[k, t] == 0)
            if t:
                model.add(y[k, t] >= y[k, t - 1])
    model.maximize(
        sum(int(w_row[k, t]) * y[k, t] for k in range(len(rows.sets)) for t in range(n_t))
    )
    keys = list(x)
    outcome = _solve(
        model,
        {"x": [x[key] for key in keys]},
        time_limit_s - (time.monotonic() - started),
        control,
        (0.1, 0.95),
        "phased plan",
    )
    if outcome.status == cp_model.INFEASIBLE:
        raise InfeasibleError("phased plan: no plan meets the budgets")
    if not outcome.found:
        raise TimeoutError("phased plan: no solution within the time limit")
    open_by = np.zeros((problem.n_candidates, n_t), bool)
    for (j, t), value in zip(keys, outcome.values["x"], strict=True):
        open_by[j, t] = bool(value)
    plan_years: list[PlanYear] = []
    spent = 0.0
    for t, year in enumerate(years):
        opened = np.flatnonzero(open_by[:, t] & ~(open_by[:, t - 1] if t else False))
        cost = float(price[opened].sum())
        available = float(cumulative[t] - spent)
        spent += cost
        covered = (pre | cover.covered_by_any(np.flatnonzero(open_by[:, t]))).astype(float)
        by_group = group_coverage(w_year[:, t], labels, covered)
        plan_years.append(
            PlanYear(
                int(year),
                opened.astype(np.int64),
                cost,
                available,
                float((w_year[:, t] * covered).sum()),
                float(w_year[:, t].sum()),
                by_group,
            )
        )
    control.report(1.0, "phased plan done")
    return PhasedPlan(
        plan_years,
        float(sum(py.covered for py in plan_years)),
        outcome.optimal,
        outcome.gap(),
        time.monotonic() - started,
    )
