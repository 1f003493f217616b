"""Maximal covering on HiGHS (models/siting/mclp.py) against brute force on tiny cases, with
the job's extras (existing, required and closable sites, budgets, a threshold per demand
point); reduced-cost fixing never cuts a better plan; time limit and cancel are honoured."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from models.control import Cancelled, Control
from models.costs import straight_line
from models.siting import SitingProblem, solve
from models.siting.covering import _rows
from models.siting.highs import solve_arrays
from models.siting.mclp import _fix, _local_search, _model, _sites
from models.siting.problem import _int_weights, _within

METRES = straight_line(None)


def _case(seed: int, n: int = 60, m: int = 10, e: int = 3):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 4000, (n, 2))
    weights = rng.integers(1, 80, n).astype(float)
    weights[::11] = 0.0
    return demand, weights, rng.uniform(0, 4000, (m, 2)), rng.uniform(0, 4000, (e, 2))


def _covered(demand, weights, sites, reach) -> float:
    if len(sites) == 0:
        return 0.0
    d = np.sqrt(((demand[:, None, :] - np.asarray(sites)[None, :, :]) ** 2).sum(-1))
    return float(weights[(d <= np.asarray(reach)[:, None]).any(1)].sum())


def _brute(
    demand,
    weights,
    cands,
    ex,
    reach,
    p,
    *,
    budget=None,
    cost=None,
    required=(),
    closable=(),
    max_closures=0,
):
    """Best covered weight over every plan: required candidates open, at most max_closures
    closable existing sites closed (each frees one new site), new sites within p and budget."""
    best = -1.0
    others = [i for i in range(len(ex)) if i not in closable]
    for k in range(max_closures + 1):
        for closed in itertools.combinations(closable, k):
            kept = [ex[i] for i in others] + [ex[i] for i in closable if i not in closed]
            for size in range((len(cands) if p is None else p + k) + 1):
                for chosen in itertools.combinations(range(len(cands)), size):
                    if not set(required) <= set(chosen):
                        continue
                    if budget is not None and cost[list(chosen)].sum() > budget + 1e-9:
                        continue
                    sites = kept + [cands[j] for j in chosen]
                    best = max(best, _covered(demand, weights, sites, reach))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_mclp_matches_brute_force(seed):
    demand, weights, cands, _ = _case(seed)
    reach = np.full(len(demand), 700.0)
    for p in (2, 4):
        result = solve(SitingProblem(demand, weights, cands, METRES, 700.0), "mclp", p=p)
        assert result.optimal and result.status == "optimal" and result.gap == 0.0
        assert len(result.selected) <= p
        assert result.objective == pytest.approx(_brute(demand, weights, cands, [], reach, p))
        assert result.objective == pytest.approx(
            _covered(demand, weights, cands[result.selected], reach)
        )


@pytest.mark.parametrize("seed", range(4))
def test_mclp_with_every_extra_matches_brute_force(seed):
    demand, weights, cands, ex = _case(seed + 10, n=50, m=8)
    rng = np.random.default_rng(seed)
    cost = rng.uniform(1, 5, len(cands)).round(2)
    own = np.where(np.arange(len(demand)) % 3 == 0, 500.0, 800.0)
    problem = SitingProblem(
        demand,
        weights,
        cands,
        METRES,
        800.0,
        existing_xy=ex,
        candidate_cost=cost,
        required=np.isin(np.arange(len(cands)), [1]),
        closable=np.array([True, True, False]),
        max_closures=1,
        demand_threshold=own,
    )
    result = solve(problem, "mclp", p=2, budget=8.0)
    best = _brute(
        demand,
        weights,
        cands,
        ex,
        own,
        2,
        budget=8.0,
        cost=cost,
        required=(1,),
        closable=(0, 1),
        max_closures=1,
    )
    assert result.optimal
    assert result.objective == pytest.approx(best)
    assert 1 in result.selected and cost[result.selected].sum() <= 8.0 + 1e-9
    assert len(result.selected) <= 2 + len(result.closed) and len(result.closed) <= 1
    kept = [ex[i] for i in range(len(ex)) if i not in result.closed]
    assert result.objective == pytest.approx(
        _covered(demand, weights, kept + list(cands[result.selected]), own)
    )


@pytest.mark.parametrize("seed", range(3))
def test_mclp_with_a_budget_and_no_p_matches_brute_force(seed):
    demand, weights, cands, _ = _case(seed + 20, n=50, m=9)
    cost = np.random.default_rng(seed).uniform(1, 4, len(cands)).round(2)
    reach = np.full(len(demand), 800.0)
    problem = SitingProblem(demand, weights, cands, METRES, 800.0, candidate_cost=cost)
    result = solve(problem, "mclp", budget=6.5)
    assert result.optimal and cost[result.selected].sum() <= 6.5 + 1e-9
    best = _brute(demand, weights, cands, [], reach, None, budget=6.5, cost=cost)
    assert result.objective == pytest.approx(best)


def _small_model(seed: int, p: int):
    demand, weights, cands, _ = _case(seed, n=80, m=12)
    problem = SitingProblem(demand, weights, cands, METRES, 900.0)
    cover = _within(problem, problem.candidates_xy)
    n = len(demand)
    rows = _rows(problem, cover, np.zeros(n, bool), np.zeros(n, np.int64))
    scaled = _int_weights(weights)
    mask = rows.row_of >= 0
    w = np.bincount(rows.row_of[mask], weights=scaled[mask], minlength=len(rows.sets))
    cand = np.unique(np.concatenate(rows.sets))
    return _sites(problem, rows.sets, w.astype(np.int64), cand, p, None)


@pytest.mark.parametrize("seed", range(5))
def test_reduced_cost_fixing_keeps_every_better_plan(seed):
    # Against an incumbent one unit below the optimum (some candidates get fixed) and one at
    # the 90th percentile, every strictly better plan of three sites must stay feasible.
    sites = _small_model(seed, 3)
    plans = np.array(
        [
            np.isin(np.arange(sites.n_cols), chosen)
            for chosen in itertools.combinations(range(sites.n_cols), 3)
        ]
    )
    values = np.array([sites.value(plan) for plan in plans])
    mip = _model(sites)
    lp = solve_arrays(replace(mip, integer=np.zeros_like(mip.integer)), 10, Control(), "lp")
    assert -lp.objective >= values.max() - 1e-6  # the LP bounds every plan
    for k, incumbent in enumerate((values.max() - 1.0, float(np.quantile(values, 0.9)))):
        lo, hi = _fix(lp, -incumbent, sites.n_cols)
        assert k > 0 or (hi - lo < 0.5).any()
        for plan in plans[values > incumbent]:
            assert ((plan >= lo) & (plan <= hi)).all()


def test_local_search_respects_p_and_budget():
    sites = _small_model(3, 4)
    plan = _local_search(sites, None, deadline=np.inf)
    assert plan.sum() <= 4
    budgeted = replace(sites, p=None, budget=2.5, cost=np.linspace(0.5, 1.5, sites.n_cols))
    plan = _local_search(budgeted, None, deadline=np.inf)
    assert budgeted.cost[plan].sum() <= 2.5 + 1e-12 and plan.any()


def _hard_problem() -> SitingProblem:
    # Uniform demand and wide circles: the LP is fractional and the MIP takes many seconds.
    rng = np.random.default_rng(0)
    demand = rng.uniform(0, 30_000, (20_000, 2))
    cands = rng.uniform(0, 30_000, (1000, 2))
    weights = rng.integers(1, 100, 20_000).astype(float)
    return SitingProblem(demand, weights, cands, METRES, 1500.0)


@pytest.mark.slow
def test_mclp_time_limit_returns_the_best_plan_with_an_honest_gap():
    problem = _hard_problem()
    result = solve(problem, "mclp", p=40, time_limit_s=1.0)
    assert not result.optimal and result.status == "feasible"
    assert len(result.selected) <= 40 and result.covered_weight > 0
    assert result.gap > 0.0 and result.seconds < 6.0
    # The gap is a bound: a longer solve never covers more than the reported plan plus its gap.
    longer = solve(problem, "mclp", p=40, time_limit_s=6.0)
    assert longer.covered_weight <= result.covered_weight * (1 + result.gap) + 1e-6


@pytest.mark.slow
def test_mclp_cancel_is_honoured_between_steps():
    control = Control()

    def progress(_: float, message: str) -> None:
        if message.startswith("mclp"):  # after the local search, before the LP
            control.cancel.set()

    control.progress = progress
    with pytest.raises(Cancelled):
        solve(_hard_problem(), "mclp", p=40, time_limit_s=60.0, control=control)
    assert control.elapsed_s() < 20.0


def test_required_sites_beyond_p_open_by_closing_an_existing_one():
    # Two required candidates with p = 1: feasible only by closing the closable library.
    demand, weights, cands, ex = _case(40, n=40, m=6, e=2)
    reach = np.full(len(demand), 900.0)
    problem = SitingProblem(
        demand,
        weights,
        cands,
        METRES,
        900.0,
        existing_xy=ex,
        required=np.isin(np.arange(len(cands)), [0, 1]),
        closable=np.array([True, False]),
        max_closures=1,
    )
    result = solve(problem, "mclp", p=1)
    best = _brute(
        demand, weights, cands, ex, reach, 1, required=(0, 1), closable=(0,), max_closures=1
    )
    assert result.optimal and list(result.closed) == [0]
    assert result.objective == pytest.approx(best)


def test_nothing_coverable_is_optimal_at_zero():
    demand, weights, _, _ = _case(41, n=10)
    far = np.array([[1e6, 1e6], [2e6, 2e6]])
    result = solve(SitingProblem(demand, weights, far, METRES, 500.0), "mclp", p=1)
    assert result.optimal and result.objective == 0.0 and result.status == "optimal"
