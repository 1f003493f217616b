"""Siting models against brute-force enumeration on tiny instances, and their promises:
fairness, full coverage, fixed existing sites, budget, capacity, gap, cancel."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest

from models import siting
from models.control import Cancelled, Control
from models.costs import straight_line
from models.siting import InfeasibleError, SitingProblem, frontier, solve

METRES = straight_line(None)


def _random(seed: int, n: int = 40, m: int = 9, existing: int = 2):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 4000, (n, 2))
    weights = rng.integers(1, 60, n).astype(float)
    cands = rng.uniform(0, 4000, (m, 2))
    ex = rng.uniform(0, 4000, (existing, 2))
    groups = np.where(demand[:, 1] < 2000, "南", "北")
    return demand, weights, cands, ex, groups


def _open_dist(demand, ex, cands, subset):
    sites = np.vstack([ex, cands[list(subset)]])
    if len(sites) == 0:
        return np.full(len(demand), np.inf)
    return np.sqrt(((demand[:, None, :] - sites[None, :, :]) ** 2).sum(-1)).min(1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mclp_pmedian_pcenter_match_brute_force(seed):
    demand, weights, cands, ex, groups = _random(seed)
    problem = SitingProblem(demand, weights, cands, METRES, 900.0, existing_xy=ex, groups=groups)
    subsets = list(itertools.combinations(range(len(cands)), 3))
    dists = [_open_dist(demand, ex, cands, s) for s in subsets]
    best_cover = max(float(weights[d <= 900.0].sum()) for d in dists)
    best_median = min(float((weights * d).sum()) for d in dists)
    best_center = min(float(d.max()) for d in dists)

    mclp = solve(problem, "mclp", p=3)
    assert mclp.optimal and mclp.objective == pytest.approx(best_cover)
    pmedian = solve(problem, "pmedian", p=3)
    assert pmedian.optimal and pmedian.objective == pytest.approx(best_median)
    pcenter = solve(problem, "pcenter", p=3)
    assert pcenter.optimal and pcenter.objective == pytest.approx(best_center)
    # The reported objective is what the selection achieves.
    chosen = _open_dist(demand, ex, cands, pcenter.selected)
    assert chosen.max() == pytest.approx(pcenter.objective)


def test_fair_model_raises_worst_district_share():
    # District 甲: three towns of 100 people, one candidate each; district 乙: one village of 30.
    towns = np.array([[0.0, 0.0], [5000.0, 0.0], [10000.0, 0.0]])
    village = np.array([[0.0, 9000.0]])
    demand = np.vstack([towns, village])
    weights = np.array([100.0, 100.0, 100.0, 30.0])
    groups = np.array(["甲", "甲", "甲", "乙"])
    problem = SitingProblem(demand, weights, demand.copy(), METRES, 500.0, groups=groups)
    mclp = solve(problem, "mclp", p=2)
    fair = solve(problem, "fair", p=2)
    assert mclp.by_group["乙"].share == 0.0
    assert fair.optimal and mclp.optimal
    assert fair.worst_share == pytest.approx(1 / 3)
    assert fair.worst_share > mclp.worst_share
    assert 3 in fair.selected.tolist()
    # Lexicographic: among max-min choices, the most total coverage (100 + 30, not less).
    assert fair.covered_weight == pytest.approx(130.0)


def test_fair_floor_and_frontier_trade_total_for_worst_share():
    demand, weights, cands, ex, groups = _random(5, n=60, m=10, existing=1)
    problem = SitingProblem(demand, weights, cands, METRES, 800.0, existing_xy=ex, groups=groups)
    points = frontier(problem, p=2, steps=4)
    assert points
    totals = [pt.total_share for pt in points]
    worsts = [pt.worst_share for pt in points]
    # Pareto: as the worst share rises the total never rises.
    order = np.argsort(worsts)
    assert all(np.diff(np.array(totals)[order]) <= 1e-12)
    with pytest.raises(InfeasibleError):
        solve(problem, "fair", p=1, floor=1.0)


def test_lscp_covers_everyone_coverable_with_fewest_sites():
    demand, weights, cands, ex, _ = _random(7, n=30, m=8, existing=1)
    problem = SitingProblem(demand, weights, cands, METRES, 1200.0, existing_xy=ex)
    result = solve(problem, "lscp")
    all_open = _open_dist(demand, ex, cands, range(len(cands))) <= 1200.0
    chosen = _open_dist(demand, ex, cands, result.selected) <= 1200.0
    assert chosen[all_open].all()
    fewest = next(
        k
        for k in range(len(cands) + 1)
        for s in itertools.combinations(range(len(cands)), k)
        if (_open_dist(demand, ex, cands, s) <= 1200.0)[all_open].all()
    )
    assert len(result.selected) == fewest == result.objective


def test_existing_sites_stay_open_and_are_never_chosen_again():
    demand = np.array([[0.0, 0.0], [3000.0, 0.0], [6000.0, 0.0]])
    weights = np.array([500.0, 10.0, 20.0])
    ex = np.array([[0.0, 0.0]])
    cands = np.array([[0.0, 10.0], [3000.0, 0.0], [6000.0, 0.0]])
    result = solve(
        SitingProblem(demand, weights, cands, METRES, 100.0, existing_xy=ex), "mclp", p=1
    )
    # The big town is covered by the existing library; the one new site goes to the next best.
    assert result.selected.tolist() == [2]
    assert result.covered.tolist() == [1.0, 0.0, 1.0]
    assert result.covered_weight == 520.0


def test_budget_is_respected_and_optimal():
    demand, weights, cands, ex, _ = _random(11, n=40, m=8, existing=0)
    price = np.array([3.0, 1.0, 2.0, 2.5, 1.5, 4.0, 1.0, 2.0])
    problem = SitingProblem(demand, weights, cands, METRES, 900.0, candidate_cost=price)
    result = solve(problem, "mclp", budget=4.0)
    assert price[result.selected].sum() <= 4.0
    best = max(
        float(weights[_open_dist(demand, np.zeros((0, 2)), cands, s) <= 900.0].sum())
        for k in range(len(cands) + 1)
        for s in itertools.combinations(range(len(cands)), k)
        if price[list(s)].sum() <= 4.0
    )
    assert result.objective == pytest.approx(best)


def test_capacity_limits_what_one_site_covers():
    demand = np.array([[0.0, 0.0], [5000.0, 0.0]])
    weights = np.array([100.0, 60.0])
    cands = demand.copy()
    problem = SitingProblem(
        demand, weights, cands, METRES, 100.0, capacity=np.array([40.0, 1000.0])
    )
    one = solve(problem, "mclp", p=1)
    assert one.selected.tolist() == [1] and one.covered_weight == pytest.approx(60.0)
    two = solve(problem, "mclp", p=2)
    assert two.covered_weight == pytest.approx(100.0)
    assert two.covered[0] == pytest.approx(0.4)


def _big_problem() -> SitingProblem:
    rng = np.random.default_rng(0)
    demand = rng.uniform(0, 30_000, (20_000, 2))
    cands = rng.uniform(0, 30_000, (1000, 2))
    weights = rng.integers(1, 100, 20_000).astype(float)
    return SitingProblem(demand, weights, cands, METRES, 800.0)


@pytest.mark.slow
def test_time_limited_solve_reports_gap():
    # The fair model on CP-SAT (mclp on HiGHS: tests/test_mclp_exact.py).
    result = solve(_big_problem(), "fair", p=40, time_limit_s=0.5)
    assert not result.optimal
    assert result.status == "feasible"
    assert result.gap > 0.0
    assert len(result.selected) <= 40 and result.covered_weight > 0


@pytest.mark.slow
def test_cancel_stops_a_solve():
    control = Control()
    threading.Timer(0.5, control.cancel.set).start()
    with pytest.raises(Cancelled):
        solve(_big_problem(), "fair", p=40, time_limit_s=60.0, control=control)
    assert control.elapsed_s() < 5.0


def test_progress_is_reported():
    demand, weights, cands, ex, groups = _random(4)
    seen = []
    control = Control(progress=lambda f, m: seen.append(f))
    solve(
        SitingProblem(demand, weights, cands, METRES, 900.0, groups=groups),
        "fair",
        p=2,
        control=control,
    )
    assert seen and seen[-1] == 1.0 and all(0.0 <= f <= 1.0 for f in seen)


def _brute_force_median(demand, weights, ex, cands, subsets):
    return min(float((weights * _open_dist(demand, ex, cands, s)).sum()) for s in subsets)


@pytest.mark.parametrize("seed", [21, 22, 23, 24])
def test_pmedian_matches_brute_force_with_existing_sites_from_short_lists(seed, monkeypatch):
    # Lists of one candidate each: most demand points pay their cap at first, so the solve only
    # ends optimal after widening the lists of the ones that did.
    monkeypatch.setattr(siting.pmedian, "_initial_k", lambda *_: 1)
    demand, weights, cands, ex, _ = _random(seed, n=50, m=8, existing=2)
    weights[::7] = 0.0  # weightless demand points count for nothing
    problem = SitingProblem(demand, weights, cands, METRES, 900.0, existing_xy=ex)
    for p in (1, 2, 3):
        subsets = itertools.combinations(range(len(cands)), p)
        best = _brute_force_median(demand, weights, ex, cands, subsets)
        result = solve(problem, "pmedian", p=p)
        assert result.optimal and result.status == "optimal" and result.gap == 0.0
        assert len(result.selected) <= p
        assert result.objective == pytest.approx(best, rel=1e-9)


def test_pmedian_budget_matches_brute_force():
    demand, weights, cands, ex, _ = _random(31, n=40, m=8, existing=1)
    price = np.array([3.0, 1.0, 2.0, 2.5, 1.5, 4.0, 1.0, 2.0])
    problem = SitingProblem(
        demand, weights, cands, METRES, 900.0, existing_xy=ex, candidate_cost=price
    )
    result = solve(problem, "pmedian", budget=4.0)
    assert price[result.selected].sum() <= 4.0
    affordable = (
        s
        for k in range(len(cands) + 1)
        for s in itertools.combinations(range(len(cands)), k)
        if price[list(s)].sum() <= 4.0
    )
    best = _brute_force_median(demand, weights, ex, cands, affordable)
    assert result.optimal and result.objective == pytest.approx(best, rel=1e-9)


def test_pmedian_set_rows_price_every_selection_at_its_capped_cost():
    # The merged, chained rows are the model: for every selection of candidates, the rows' cost
    # (z of a set is 1 when none of it is open) must equal Σ w·min(cap, cheapest open listed).
    demand, weights, cands, ex, _ = _random(41, n=60, m=7, existing=1)
    demand[30:] = demand[:30] + 1.0  # near twins share candidate sets
    problem = SitingProblem(demand, weights, cands, METRES, 900.0, existing_xy=ex)
    existing_cost = _open_dist(demand, ex, cands, ())
    lists = siting._lists(problem, np.full(len(demand), 4), existing_cost)
    rows = siting._prefix_rows(lists, weights, len(cands))
    assert rows.candidate.size < lists.origin.size  # sets were merged
    for k in range(len(cands) + 1):
        for subset in itertools.combinations(range(len(cands)), k):
            is_open = np.isin(np.arange(len(cands)), subset)
            z = np.ones(rows.candidate.size)
            for r in range(rows.candidate.size):  # parents come first
                above = 1.0 if rows.parent[r] < 0 else z[rows.parent[r]]
                z[r] = above * (1.0 - is_open[rows.candidate[r]])
            paid = lists.cap.copy()
            served = is_open[lists.dest]
            np.minimum.at(paid, lists.origin[served], lists.cost[served])
            assert rows.constant + rows.weight @ z == pytest.approx(float(weights @ paid))


def test_pmedian_reports_progress_and_stops_when_cancelled():
    demand, weights, cands, ex, _ = _random(51)
    problem = SitingProblem(demand, weights, cands, METRES, 900.0, existing_xy=ex)
    seen = []
    solve(problem, "pmedian", p=2, control=Control(progress=lambda f, m: seen.append(f)))
    assert seen and seen[-1] == 1.0 and all(0.0 <= f <= 1.0 for f in seen)
    control = Control()
    control.progress = lambda f, m: control.cancel.set()
    with pytest.raises(Cancelled):
        solve(problem, "pmedian", p=2, control=control)


def test_time_limited_pmedian_reports_a_proven_gap():
    rng = np.random.default_rng(61)
    demand = rng.uniform(0, 20_000, (2000, 2))
    weights = rng.integers(1, 500, 2000).astype(float)
    cands = rng.uniform(0, 20_000, (200, 2))
    problem = SitingProblem(demand, weights, cands, METRES, 1000.0)
    result = solve(problem, "pmedian", p=10, time_limit_s=0.05)
    assert not result.optimal and result.status == "feasible"
    assert 0.0 < result.gap < 1.0
    assert 0 < len(result.selected) <= 10 and np.isfinite(result.objective)
