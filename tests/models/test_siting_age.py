"""Age groups: demand split by district shares, coverage per group at its own walking speed,
the closure impact, and covering models with each demand point's own threshold (brute force)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from models.age_groups import (
    DEFAULT_GROUPS,
    WENZHOU_SHARES,
    AgeShares,
    closure_impact,
    coverage_by_age,
    read_shares,
    split_weights,
)
from models.costs import straight_line
from models.siting import SitingProblem, solve

SHARES = AgeShares({"甲": (0.2, 0.7, 0.1), "乙": (0.1, 0.6, 0.3)}, "test")


def test_embedded_wenzhou_table_is_labelled_and_sums_to_one():
    shares = read_shares(WENZHOU_SHARES)
    assert len(shares.by_district) == 12 and "鹿城区" in shares.by_district
    assert all(sum(v) == pytest.approx(1.0, abs=0.005) for v in shares.by_district.values())
    assert "全市" in shares.source  # every district uses the city's shares, and says so


def test_split_and_coverage_by_age_at_each_groups_own_speed():
    demand = np.array([[0.0, 0.0], [850.0, 0.0], [0.0, 1000.0]])
    weights = np.array([100.0, 50.0, 10.0])
    districts = np.array(["甲", "甲", "乙"])
    split = split_weights(weights, districts, SHARES)
    assert sum(split.values()) == pytest.approx(weights)
    assert split["elderly"][2] == pytest.approx(3.0)
    by_age = coverage_by_age(demand, weights, districts, np.array([[0.0, 0.0]]), SHARES)
    for g in DEFAULT_GROUPS:
        # Straight-line reach at the group's speed: 15 min × v / circuity 1.25.
        reach = 900 * g.walk_kph / 3.6 / 1.25
        hit = np.hypot(*demand.T) <= reach
        assert by_age[g.key]["甲"].covered == pytest.approx(split[g.key][:2][hit[:2]].sum())
    # The elderly (3.6 km/h: 720 m) miss the point at 850 m that working-age people reach.
    assert by_age["elderly"]["甲"].share < by_age["working"]["甲"].share


def test_closure_impact_counts_only_people_no_other_site_reaches():
    demand = np.array([[0.0, 0.0], [500.0, 0.0], [2000.0, 0.0]])
    weights = np.array([10.0, 10.0, 10.0])
    districts = np.array(["甲", "甲", "乙"])
    sites = np.array([[0.0, 0.0], [400.0, 0.0], [2000.0, 0.0]])
    impact = closure_impact(demand, weights, districts, sites, SHARES)
    # Points 0 and 1 are each within reach of sites 0 and 1: closing one loses nobody.
    assert impact[0] == {} and impact[1] == {}
    assert impact[2]["elderly"] == {"乙": pytest.approx(3.0)}
    assert impact[2]["children"] == {"乙": pytest.approx(1.0)}


@pytest.mark.parametrize("seed", [1, 2])
def test_mclp_with_a_threshold_per_demand_point_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 3000, (30, 2))
    weights = rng.integers(1, 30, 30).astype(float)
    own = rng.choice([600.0, 900.0], 30)
    cands = rng.uniform(0, 3000, (7, 2))
    problem = SitingProblem(
        demand, weights, cands, straight_line(None), 900.0, demand_threshold=own
    )
    d = np.sqrt(((demand[:, None] - cands[None]) ** 2).sum(-1))
    best = max(
        weights[(d[:, list(s)] <= own[:, None]).any(1)].sum()
        for s in itertools.combinations(range(7), 2)
    )
    result = solve(problem, "mclp", p=2)
    assert result.optimal and result.covered_weight == pytest.approx(best)
