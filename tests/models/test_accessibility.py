"""2SFCA and E2SFCA on a case worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from models.accessibility import gaussian_decay, step_decay, two_step_fca
from models.costs import NeighbourCosts


def _pairs() -> NeighbourCosts:
    # Demand a (100 people), b (200), c (300); library L1 (10 seats), L2 (30 seats).
    # a–L1 5 min, b–L1 10, b–L2 20, c–L2 5 (c–L1 and a–L2 beyond the catchment).
    return NeighbourCosts(
        origin=np.array([0, 1, 1, 2]),
        destination=np.array([0, 0, 1, 1]),
        cost=np.array([5.0, 10.0, 20.0, 5.0]),
        n_origins=3,
        n_destinations=2,
        unit="s",
        source="straight-line",
    )


def test_two_step_fca_by_hand():
    # R1 = 10 / (100 + 200) = 1/30; R2 = 30 / (200 + 300) = 3/50.
    # A_a = 1/30; A_b = 1/30 + 3/50; A_c = 3/50.
    access = two_step_fca(_pairs(), np.array([100.0, 200.0, 300.0]), np.array([10.0, 30.0]))
    assert access == pytest.approx([1 / 30, 1 / 30 + 3 / 50, 3 / 50])


def test_total_accessibility_times_people_equals_total_capacity():
    demand = np.array([100.0, 200.0, 300.0])
    access = two_step_fca(_pairs(), demand, np.array([10.0, 30.0]))
    assert (access * demand).sum() == pytest.approx(40.0)


def test_enhanced_two_step_fca_with_step_bands_by_hand():
    # Weights: <= 10 → 1, <= 20 → 0.5.
    # R1 = 10 / (100·1 + 200·1) = 1/30; R2 = 30 / (200·0.5 + 300·1) = 3/40.
    # A_a = 1/30; A_b = 1/30 + 0.5·3/40; A_c = 3/40.
    decay = step_decay({10.0: 1.0, 20.0: 0.5})
    access = two_step_fca(_pairs(), np.array([100.0, 200.0, 300.0]), np.array([10.0, 30.0]), decay)
    assert access == pytest.approx([1 / 30, 1 / 30 + 0.5 * 3 / 40, 3 / 40])


def test_step_bands_match_pysal_access_semantics():
    decay = step_decay({20: 1, 40: 0.68, 60: 0.22})
    got = decay(np.arange(0, 71, 10))
    assert got == pytest.approx([1, 1, 1, 0.68, 0.68, 0.22, 0.22, 0])


def test_gaussian_decay_is_one_at_zero_and_e_to_minus_half_at_sigma():
    f = gaussian_decay(600.0)
    assert f(np.array([0.0, 600.0])) == pytest.approx([1.0, np.exp(-0.5)])
