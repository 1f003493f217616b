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


# ---- Palma, concentration index, Theil decomposition (issue 13) -----------------------------

from models.equity import concentration_index, palma, theil_decomposition  # noqa: E402
from planner.jobs.coverage import run_coverage  # noqa: E402


def test_palma_on_ten_people_by_hand():
    # Ten people holding 1..10: bottom four hold 1+2+3+4 = 10, the top one 10: Palma 1.0.
    x = np.arange(1.0, 11.0)
    assert palma(x, np.ones(10)) == pytest.approx(1.0)
    # Weights are people: the same as listing each person (2 people holding 1, 1 holding 5 …).
    xs = np.array([1.0, 5.0, 2.0, 8.0, 3.0])
    ws = np.array([2.0, 1.0, 3.0, 2.0, 2.0])
    assert palma(xs, ws) == pytest.approx(palma(np.repeat(xs, ws.astype(int)), np.ones(10)))
    assert palma(np.full(5, 2.0), np.ones(5)) == pytest.approx(0.1 / 0.4)


def test_concentration_index_against_the_covariance_on_listed_people():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 5, 30)
    income = rng.permutation(30).astype(float)  # distinct ranks
    ci = concentration_index(x, income, np.ones(30))
    rank = (np.argsort(np.argsort(income)) + 0.5) / 30
    expected = 2 * np.mean((x - x.mean()) * (rank - rank.mean())) / x.mean()
    assert ci == pytest.approx(expected)
    assert concentration_index(income + 1, income, np.ones(30)) > 0  # rises with rank
    assert concentration_index(30 - income, income, np.ones(30)) < 0


def test_theil_decomposes_into_between_and_within():
    rng = np.random.default_rng(4)
    x = rng.uniform(0.1, 5, 40)
    w = rng.integers(1, 9, 40).astype(float)
    g = np.where(np.arange(40) < 15, "甲", "乙")
    d = theil_decomposition(x, w, g)
    assert d.total == pytest.approx(theil(x, w))
    assert d.between + d.within == pytest.approx(d.total)
    # Equal means in every group: nothing between; one value per group: nothing within.
    same = theil_decomposition(
        np.r_[np.full(5, 2.0), np.full(5, 6.0)], np.ones(10), np.r_[["a"] * 5, ["b"] * 5]
    )
    assert same.within == pytest.approx(0.0) and same.between == pytest.approx(same.total)
    assert same.total > 0


def test_coverage_run_reports_palma_and_theil_split(city_project):  # noqa: F811
    result = run_coverage(city_project, threshold=900.0, mode="walk")
    e = result["equity"]
    assert e["theil_between"] + e["theil_within"] == pytest.approx(e["theil"])
    # Seats per person are unequal (乙 has none): the top tenth holds more than a quarter of
    # what the bottom four tenths hold (0.25 would be perfect equality).
    assert e["palma"] is not None and e["palma"] > 0.25
