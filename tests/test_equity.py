"""Equity measures against textbook values and a pairwise computation done here."""

from __future__ import annotations

import numpy as np
import pytest

from models.coverage import GroupCoverage
from models.equity import gini, theil, weighted_quantile, worst_group


def _pairwise_gini(x: np.ndarray, w: np.ndarray) -> float:
    total = w.sum()
    mean = (w * x).sum() / total
    return sum(w[i] * w[j] * abs(x[i] - x[j]) for i in range(x.size) for j in range(x.size)) / (
        2 * total**2 * mean
    )


def test_equal_values_have_zero_gini_and_theil():
    x = np.full(7, 3.5)
    w = np.arange(1, 8, dtype=float)
    assert gini(x, w) == pytest.approx(0.0)
    assert theil(x, w) == pytest.approx(0.0)


def test_one_person_with_everything_gives_gini_one_minus_one_over_n_and_theil_ln_n():
    n = 10
    x = np.zeros(n)
    x[3] = 42.0
    assert gini(x, np.ones(n)) == pytest.approx(1 - 1 / n)
    assert theil(x, np.ones(n)) == pytest.approx(np.log(n))


def test_weighted_gini_matches_pairwise_sum_and_replicated_people():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 10, 25)
    w = rng.integers(1, 5, 25).astype(float)
    assert gini(x, w) == pytest.approx(_pairwise_gini(x, w))
    # A weight of 3 is three people with the same value.
    assert gini(x, w) == pytest.approx(gini(np.repeat(x, w.astype(int)), np.ones(int(w.sum()))))


def test_theil_of_two_groups_by_hand():
    # Half the people have 1, half have 3: mean 2; T = ½(½ ln ½) + ½(1.5 ln 1.5).
    expected = 0.5 * (0.5 * np.log(0.5)) + 0.5 * (1.5 * np.log(1.5))
    assert theil(np.array([1.0, 3.0]), np.array([5.0, 5.0])) == pytest.approx(expected)


def test_weighted_90th_percentile_cost():
    costs = np.array([100.0, 200.0, 300.0, np.inf])
    assert weighted_quantile(costs, np.array([85.0, 5.0, 5.0, 5.0]), 0.9) == 200.0
    assert weighted_quantile(costs, np.array([10.0, 10.0, 10.0, 70.0]), 0.9) == np.inf


def test_worst_group_ignores_empty_groups():
    groups = {
        "鹿城区": GroupCoverage(100.0, 80.0, 0.8),
        "泰顺县": GroupCoverage(50.0, 10.0, 0.2),
        "洞头区": GroupCoverage(0.0, 0.0, 0.0),
    }
    assert worst_group(groups) == ("泰顺县", 0.2)
