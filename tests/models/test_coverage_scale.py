"""Straight-line coverage through one k-d tree query: the same answer as the dense matrix
(ties at the threshold and coincident points included), and memory linear in demand points."""

from __future__ import annotations

import tracemalloc

import numpy as np

from models.costs import straight_line
from models.coverage import coverage, group_coverage, nearest_costs


def _grid_case(seed: int = 5):
    rng = np.random.default_rng(seed)
    demand = rng.integers(0, 60, (3000, 2)).astype(float) * 50.0  # on a 50 m grid: many exact ties
    sites = rng.integers(0, 60, (40, 2)).astype(float) * 50.0
    demand[:5] = sites[:5]  # on top of a library: cost 0, covered
    return demand, sites


def test_tree_path_matches_the_dense_matrix_with_inclusive_ties():
    demand, sites = _grid_case()
    walk = straight_line("walk")
    for cost, threshold in ((straight_line(), 250.0), (walk, float(walk.matrix([[0, 0]], [[250, 0]])[0, 0]))):
        dense = cost.matrix(demand, sites)
        result = coverage(demand, np.ones(len(demand)), np.zeros(len(demand), int), sites, cost, threshold)
        assert np.array_equal(result.covered, dense.min(1) <= threshold)
        assert np.allclose(result.nearest_cost, dense.min(1), rtol=1e-12, atol=1e-9)
        chosen = dense[np.arange(len(demand)), result.nearest_index]
        assert np.allclose(chosen, dense.min(1), rtol=1e-12, atol=1e-9)  # a nearest one, ties either way
        assert np.isclose(dense.min(1), threshold).any()  # the case really has ties at the threshold
        assert result.covered[:5].all() and (result.nearest_cost[:5] == 0).all()


def test_nearest_costs_stops_at_its_widest_search():
    cost = straight_line()
    index, best = nearest_costs(np.array([[0.0, 0.0], [5000.0, 0.0]]), np.array([[0.0, 3000.0]]), cost, 1.0)
    assert index[0] == -1 and np.isinf(best[0])  # 3 km is beyond 1 m × 1024
    index, best = nearest_costs(np.array([[0.0, 0.0]]), np.array([[0.0, 3000.0]]), cost, 10.0)
    assert index[0] == 0 and best[0] == 3000.0


def test_integer_group_codes_give_the_same_groups_as_their_names():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 7, 5000)
    weights = rng.random(5000)
    covered = rng.random(5000) < 0.4
    by_code = group_coverage(weights, codes, covered)
    by_name = group_coverage(weights, codes.astype(str), covered)
    assert list(by_code) == list(by_name)
    assert all(np.isclose(by_code[k].covered, by_name[k].covered) for k in by_code)


def test_memory_grows_with_demand_points_not_pairs():
    rng = np.random.default_rng(2)
    n = 400_000
    demand = rng.uniform(0, 50_000, (n, 2))
    sites = rng.uniform(0, 50_000, (2000, 2))  # ~60 sites within 5 km of a cell: 24 M pairs if materialised
    weights = np.ones(n)
    groups = rng.integers(0, 12, n)
    tracemalloc.start()
    result = coverage(demand, weights, groups, sites, straight_line(), 5000.0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.share > 0.99
    assert peak < 120 * n  # bytes per demand point; the pairs alone would take ~24 M × 24 B
