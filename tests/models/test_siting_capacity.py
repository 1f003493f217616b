"""Target coverage, capacities in every model and required/closable sites, each against an
optimum computed here independently: brute force over subsets, with scipy's LP for the
assignment of demand to an open set within capacity."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from models.costs import straight_line
from models.siting import InfeasibleError, SitingProblem, solve

METRES = straight_line(None)
R = 900.0


def _case(seed: int, n: int = 14, m: int = 6, e: int = 1):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 3000, (n, 2))
    weights = rng.integers(1, 30, n).astype(float)
    cands = rng.uniform(0, 3000, (m, 2))
    ex = rng.uniform(0, 3000, (e, 2))
    groups = np.where(demand[:, 0] < 1500, "西", "东")
    return demand, weights, cands, ex, groups


def _dist(a, b):
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))


def _transport(weights, d, cap, allowed=None):
    """min Σ w c y over y >= 0, Σⱼ yᵢⱼ = 1, Σᵢ wᵢ yᵢⱼ <= capⱼ, y = 0 where not allowed;
    None when infeasible."""
    n, k = d.shape
    allowed = np.ones_like(d, bool) if allowed is None else allowed
    c = (weights[:, None] * np.where(np.isfinite(d), d, 0.0)).ravel()
    a_eq = np.kron(np.eye(n), np.ones(k))
    a_ub = np.kron(np.ones(n), np.eye(k)) * np.repeat(weights, k)[None, :]
    bounds = [(0, 1 if ok else 0) for ok in allowed.ravel()]
    res = linprog(c, A_ub=a_ub, b_ub=cap, A_eq=a_eq, b_eq=np.ones(n), bounds=bounds)
    return res.fun if res.status == 0 else None


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("share", [0.6, 0.85])
def test_target_is_fewest_sites_then_most_covered(seed, share):
    demand, weights, cands, ex, groups = _case(seed, n=30, m=8)
    problem = SitingProblem(demand, weights, cands, METRES, R, existing_xy=ex, groups=groups)
    total = weights.sum()
    best = None
    for k in range(len(cands) + 1):
        covers = []
        for s in itertools.combinations(range(len(cands)), k):
            sites = np.vstack([ex, cands[list(s)]])
            covers.append(weights[_dist(demand, sites).min(1) <= R].sum())
        good = [c for c in covers if c >= share * total - 1e-9]
        if good:
            best = (k, max(good))
            break
    if best is None:
        with pytest.raises(InfeasibleError):
            solve(problem, "target", target=share)
        return
    result = solve(problem, "target", target=share)
    assert result.optimal
    assert (result.selected.size, result.covered_weight) == (best[0], pytest.approx(best[1]))
    assert result.share >= share - 1e-9


def test_target_per_group_holds_in_every_district():
    demand, weights, cands, ex, groups = _case(4, n=30, m=8)
    problem = SitingProblem(demand, weights, cands, METRES, R, existing_xy=ex, groups=groups)
    best_k = None
    for k in range(len(cands) + 1):
        for s in itertools.combinations(range(len(cands)), k):
            hit = _dist(demand, np.vstack([ex, cands[list(s)]])).min(1) <= R
            if all(
                weights[hit & (groups == g)].sum() >= 0.5 * weights[groups == g].sum()
                for g in ("东", "西")
            ):
                best_k = k
                break
        if best_k is not None:
            break
    result = solve(problem, "target", target=0.5, per_group=True)
    assert result.selected.size == best_k
    assert min(g.share for g in result.by_group.values()) >= 0.5 - 1e-9


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_capacitated_pmedian_matches_brute_force_with_lp_assignment(seed):
    demand, weights, cands, ex, _ = _case(seed)
    cap = np.full(len(cands), weights.sum() / 2.5)
    ex_cap = np.array([weights.sum() / 4])
    problem = SitingProblem(
        demand, weights, cands, METRES, R, existing_xy=ex, capacity=cap, existing_capacity=ex_cap
    )
    best = np.inf
    for s in itertools.combinations(range(len(cands)), 2):
        sites = np.vstack([ex, cands[list(s)]])
        value = _transport(weights, _dist(demand, sites), np.r_[ex_cap, cap[list(s)]])
        if value is not None:
            best = min(best, value)
    result = solve(problem, "pmedian", p=2)
    assert result.optimal and result.selected.size <= 2
    assert result.objective == pytest.approx(best, rel=1e-6)


def test_capacitated_pcenter_and_mclp_match_brute_force():
    demand, weights, cands, ex, _ = _case(8, n=10, m=5)
    cap = np.full(len(cands), weights.sum() / 2.5)
    problem = SitingProblem(demand, weights, cands, METRES, R, capacity=cap)
    best_r, best_cover = np.inf, 0.0
    for s in itertools.combinations(range(len(cands)), 3):
        d = _dist(demand, cands[list(s)])
        for r in np.unique(d):
            if r >= best_r:
                break
            if _transport(weights, d, cap[list(s)], allowed=d <= r) is not None:
                best_r = r
                break
        # max covered within capacity: max Σ w y over y <= [d <= R], Σⱼ y <= 1, Σᵢ w y <= cap
        k = len(s)
        allowed = (d <= R).ravel()
        res = linprog(
            -np.repeat(weights, k),
            A_ub=np.vstack(
                [
                    np.kron(np.eye(len(demand)), np.ones(k)),
                    np.kron(np.ones(len(demand)), np.eye(k)) * np.repeat(weights, k),
                ]
            ),
            b_ub=np.r_[np.ones(len(demand)), cap[list(s)]],
            bounds=[(0, 1 if a else 0) for a in allowed],
        )
        best_cover = max(best_cover, -res.fun)
    center = solve(problem, "pcenter", p=3)
    assert center.optimal and center.objective == pytest.approx(best_r)
    mclp = solve(problem, "mclp", p=3)
    # CP-SAT covers integer people: within one person per row of the LP's fractional optimum.
    assert mclp.covered_weight <= best_cover + 1e-6
    assert mclp.covered_weight >= best_cover - len(demand)


def test_required_and_closable_sites_in_one_run():
    demand, weights, cands, _, groups = _case(9, n=30, m=6)
    ex = cands[:0]
    ex = np.array([[100.0, 100.0], [2900.0, 2900.0], [1500.0, 1500.0]])
    required = np.zeros(len(cands), bool)
    required[0] = True
    closable = np.array([True, True, False])
    problem = SitingProblem(
        demand,
        weights,
        cands,
        METRES,
        R,
        existing_xy=ex,
        groups=groups,
        required=required,
        closable=closable,
        max_closures=1,
    )
    # p = 2 net new sites: candidate 0 plus one more, or two more after one closure.
    best = 0.0
    for close in [(), (0,), (1,)]:
        kept = [i for i in range(3) if i not in close]
        for s in itertools.combinations(range(1, len(cands)), 1 + len(close)):
            sites = np.vstack([ex[kept], cands[[0, *s]]])
            best = max(best, weights[_dist(demand, sites).min(1) <= R].sum())
    result = solve(problem, "mclp", p=2)
    assert result.optimal and 0 in result.selected
    assert result.selected.size - result.closed.size <= 2 and result.closed.size <= 1
    assert 2 not in result.closed
    assert result.covered_weight == pytest.approx(best)
