"""Coverage within a threshold: per point, per group, nearest beyond the threshold."""

from __future__ import annotations

import numpy as np
import pytest

from models.control import Cancelled, Control
from models.costs import straight_line
from models.coverage import coverage


def test_coverage_counts_points_within_threshold_inclusive_per_group():
    demand = np.array([[0.0, 0.0], [1000.0, 0.0], [1000.1, 0.0], [5000.0, 0.0]])
    weights = np.array([10.0, 20.0, 30.0, 40.0])
    groups = np.array(["鹿城区", "鹿城区", "瓯海区", "瓯海区"])
    result = coverage(demand, weights, groups, np.array([[0.0, 0.0]]), straight_line(None), 1000.0)
    assert result.covered.tolist() == [True, True, False, False]
    assert result.covered_total == 30.0 and result.total == 100.0
    assert result.by_group["鹿城区"].share == 1.0
    assert result.by_group["瓯海区"].covered == 0.0
    assert result.unit == "m" and result.source == "straight-line"


def test_nearest_service_point_is_found_beyond_the_threshold():
    demand = np.array([[0.0, 0.0], [30_000.0, 0.0]])
    supply = np.array([[100.0, 0.0], [25_000.0, 0.0], [-50_000.0, 0.0]])
    result = coverage(demand, np.ones(2), np.array(["a", "a"]), supply, straight_line(None), 500.0)
    assert result.nearest_index.tolist() == [0, 1]
    assert result.nearest_cost == pytest.approx([100.0, 5000.0])


def test_walk_threshold_of_900_seconds_is_about_one_kilometre():
    # 900 s at 4.8 km/h with circuity 1.25 reaches 960 m as the crow flies.
    demand = np.array([[950.0, 0.0], [970.0, 0.0]])
    result = coverage(
        demand, np.ones(2), np.array(["a", "a"]), np.zeros((1, 2)), straight_line("walk"), 900.0
    )
    assert result.covered.tolist() == [True, False]
    assert result.nearest_cost[0] == pytest.approx(950 * 1.25 / (4.8 / 3.6))


def test_large_sparse_coverage_matches_brute_force_on_a_sample():
    rng = np.random.default_rng(0)
    demand = rng.uniform(0, 50_000, (200_000, 2))
    supply = rng.uniform(0, 50_000, (500, 2))
    result = coverage(
        demand,
        np.ones(len(demand)),
        np.zeros(len(demand)).astype(str),
        supply,
        straight_line(None),
        800.0,
    )
    sample = rng.choice(len(demand), 300, replace=False)
    dense = np.sqrt(((demand[sample, None, :] - supply[None, :, :]) ** 2).sum(-1))
    assert result.covered[sample].tolist() == (dense.min(1) <= 800.0).tolist()
    assert result.nearest_cost[sample] == pytest.approx(dense.min(1))


def test_cancel_stops_coverage():
    control = Control()
    control.cancel.set()
    with pytest.raises(Cancelled):
        coverage(
            np.zeros((3, 2)),
            np.ones(3),
            np.array(["a"] * 3),
            np.ones((1, 2)) * 5000,
            straight_line(None),
            10.0,
            control,
        )
