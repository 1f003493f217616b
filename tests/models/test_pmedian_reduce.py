"""p-median candidate reduction: the bounds never remove a candidate of an optimal choice, the
reduced solve proves the same optimum as the full one, and the fast interchange ends where no
single swap helps (checked by brute force)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from models.control import Control
from models.costs import straight_line
from models.coverage import nearest_costs
from models.siting import SitingProblem
from models.siting.pmedian import _initial_k, _lists, _pmedian, _reduced
from models.siting.pmedian_reduce import _greedy_start, _interchange, reduce_candidates, reducible


def _problem(seed: int, n: int = 600, m: int = 50, existing: int = 0) -> SitingProblem:
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 10_000, (n, 2))
    weights = rng.integers(1, 50, n).astype(float)
    cands = rng.uniform(0, 10_000, (m, 2))
    ex = rng.uniform(0, 10_000, (existing, 2)) if existing else None
    return SitingProblem(demand, weights, cands, straight_line(None), 1000.0, existing_xy=ex)


def _true(problem: SitingProblem, chosen: np.ndarray) -> float:
    cost = problem.cost.matrix(problem.demand_xy, problem.candidates_xy)[:, chosen].min(1)
    if problem.existing_xy is not None:
        cost = np.minimum(cost, problem.cost.matrix(problem.demand_xy, problem.existing_xy).min(1))
    return float((np.asarray(problem.weights) * cost).sum())


@pytest.mark.parametrize("seed, existing", [(1, 0), (2, 3)])
def test_reduced_solve_proves_the_full_optimum_and_keeps_its_sites(seed, existing):
    problem = _problem(seed, existing=existing)
    p = 6
    full, optimal, _, _ = _pmedian(problem, p, None, 120, Control(), reduce=False)
    assert optimal
    existing_cost = nearest_costs(problem.demand_xy, problem.existing, problem.cost, 1000.0)[1]
    lists = _lists(problem, np.full(600, _initial_k(problem, p, None)), existing_cost)
    keep, _, upper, lower = reduce_candidates(problem, lists, p, existing_cost, 60, Control())
    assert keep.size < problem.n_candidates  # the bounds do remove candidates
    assert set(full) <= set(keep)
    assert upper >= _true(problem, full) - 1e-6
    assert lower <= _true(problem, full) * (1 + 1e-12)
    reduced, optimal, gap, _ = _reduced(problem, p, 120, Control(), lists, existing_cost)
    assert optimal and gap == 0.0
    assert _true(problem, reduced) == pytest.approx(_true(problem, full), rel=1e-12)


def test_interchange_ends_where_no_single_swap_helps():
    problem = _problem(3, n=200, m=14)
    dense = problem.cost.matrix(problem.demand_xy, problem.candidates_xy)
    w = np.asarray(problem.weights, float)
    none = np.full(200, np.inf)
    chosen = _interchange(dense, w, none, _greedy_start(dense, w, none, 4))
    best = float((w * dense[:, chosen].min(1)).sum())
    for out, into in itertools.product(chosen, set(range(14)) - set(chosen)):
        swapped = [j for j in chosen if j != out] + [into]
        assert float((w * dense[:, swapped].min(1)).sum()) >= best * (1 - 1e-12)


def test_reduction_applies_to_plain_p_median_with_dense_costs():
    big = _problem(4, n=5000, m=300)
    assert reducible(big, 20, None)
    assert not reducible(big, None, 1e9)  # a budget
    assert reducible(_problem(4), 5, None)  # small ones too: the bounds cost less than they save
    assert not reducible(_problem(4, n=30_000, m=300), 20, None)  # dense costs too large
