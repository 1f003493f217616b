"""p-median proof at scale: the exact model started from a hinted plan proves the brute-force
optimum whatever the hint, the hint is a feasible point of the radius rows, the repeated bound
passes never drop a site of an optimal plan, and a time-limited reduced solve returns a plan
of p sites with an honest gap."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from ortools.math_opt.python import mathopt

from models.control import Control
from models.costs import straight_line
from models.coverage import nearest_costs
from models.siting import SitingProblem, solve
from models.siting.highs import _hint
from models.siting.pmedian import _initial_k, _lists, _pmedian, _prefix_rows
from models.siting.pmedian_reduce import reduce_candidates, reducible


def _clustered(seed: int, n: int, m: int, existing: int = 0) -> SitingProblem:
    rng = np.random.default_rng(seed)
    towns = rng.uniform(1_000, 9_000, (4, 2))
    demand = towns[rng.integers(0, 4, n)] + rng.normal(0, 700, (n, 2))
    weights = rng.integers(1, 60, n).astype(float)
    cands = rng.uniform(0, 10_000, (m, 2))
    ex = rng.uniform(0, 10_000, (existing, 2)) if existing else None
    return SitingProblem(demand, weights, cands, straight_line(None), 1000.0, existing_xy=ex)


def _true(problem: SitingProblem, chosen) -> float:  # noqa: ANN001
    cost = problem.cost.matrix(problem.demand_xy, problem.candidates_xy)[:, list(chosen)].min(1)
    if problem.existing_xy is not None:
        cost = np.minimum(cost, problem.cost.matrix(problem.demand_xy, problem.existing_xy).min(1))
    return float((np.asarray(problem.weights) * cost).sum())


def _brute(problem: SitingProblem, p: int) -> tuple[float, list[tuple[int, ...]]]:
    costs = {s: _true(problem, s) for s in itertools.combinations(range(problem.n_candidates), p)}
    best = min(costs.values())
    return best, [s for s, c in costs.items() if c <= best * (1 + 1e-12)]


@pytest.mark.parametrize("seed, existing", [(5, 0), (6, 2)])
def test_hinted_solve_proves_the_brute_force_optimum_from_any_hint(seed, existing):
    problem = _clustered(seed, 150, 11, existing)
    p = 3
    best, optima = _brute(problem, p)
    worst = max(itertools.combinations(range(11), p), key=lambda s: _true(problem, s))  # a bad hint
    for hint in (np.array(optima[0]), np.array(worst)):
        chosen, optimal, gap, status = _pmedian(
            problem, p, None, 60, Control(), reduce=False, hint=hint
        )
        assert optimal and gap == 0.0 and status == "optimal"
        assert _true(problem, chosen) == pytest.approx(best, rel=1e-12)


def test_hint_is_a_feasible_point_of_the_radius_rows():
    problem = _clustered(7, 120, 12)
    weights = np.asarray(problem.weights, float)
    none = np.full(120, np.inf)
    lists = _lists(problem, np.full(120, 5), none)
    rows = _prefix_rows(lists, weights, 12)
    cand = np.unique(rows.candidate)
    rng = np.random.default_rng(0)
    for _ in range(5):
        chosen = np.sort(rng.choice(12, 4, replace=False))
        model = mathopt.Model()
        for _ in range(cand.size + rows.candidate.size):
            model.add_variable()
        values = np.array(list(_hint(model, rows, cand, chosen).variable_values.values()))
        x, z = values[: cand.size], values[cand.size :]
        assert set(cand[x > 0.5]) == set(chosen) & set(cand)
        is_open = np.isin(np.arange(12), chosen)
        # z of a set is 1 exactly when none of its members is open: walk the parent chains.
        for r in range(rows.candidate.size):
            members, at = [], r
            while at >= 0:
                members.append(rows.candidate[at])
                at = rows.parent[at]
            assert z[r] == float(not is_open[members].any())
        # The hinted point meets every row z_S + x_last − z_parent >= (1 if no parent else 0).
        x_of = dict(zip(cand.tolist(), x, strict=True))
        parent_z = np.where(rows.parent >= 0, z[np.maximum(rows.parent, 0)], 1.0)
        assert (z + np.array([x_of[j] for j in rows.candidate]) - parent_z >= 0).all()


def test_bound_passes_keep_every_optimal_site():
    problem = _clustered(8, 400, 14)
    p = 4
    _, optima = _brute(problem, p)
    existing_cost = nearest_costs(problem.demand_xy, problem.existing, problem.cost, 1000.0)[1]
    lists = _lists(problem, np.full(400, _initial_k(problem, p, None)), existing_cost)
    keep, chosen, upper, lower = reduce_candidates(problem, lists, p, existing_cost, 60, Control())
    assert keep.size < problem.n_candidates  # the passes do remove candidates
    assert lower <= _brute(problem, p)[0] * (1 + 1e-12)
    for optimum in optima:
        assert set(optimum) <= set(keep)
    assert set(chosen) <= set(keep)
    assert upper == pytest.approx(_true(problem, chosen), rel=1e-12)


def test_time_limited_reduced_pmedian_returns_p_sites_and_an_honest_gap():
    problem = _clustered(9, 2500, 400)
    assert reducible(problem, 20, None)
    exact = solve(problem, "pmedian", p=20, time_limit_s=120)
    assert exact.optimal
    result = solve(problem, "pmedian", p=20, time_limit_s=0.5)
    assert len(result.selected) == 20
    assert result.objective == pytest.approx(_true(problem, result.selected), rel=1e-9)
    assert result.objective >= exact.objective * (1 - 1e-9)
    if result.optimal:
        assert result.gap == 0.0
    else:
        # The bound the gap implies holds: it is at most the proven optimum.
        assert result.status == "feasible" and 0.0 < result.gap < 1.0
        assert result.objective * (1 - result.gap) <= exact.objective * (1 + 1e-9)
