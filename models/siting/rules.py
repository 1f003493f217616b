"""Required candidates, closable existing sites and existing-site capacity, by rewriting the
problem so every model sees plain candidates with rules (`SiteRules`) and mapping back."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from models.siting.problem import SiteRules, SitingProblem


@dataclass(frozen=True)
class Rewritten:
    """A problem whose rules live in `SiteRules`, and how its candidates map back."""

    problem: SitingProblem
    existing_of: np.ndarray  # original existing index per new candidate, -1 for a candidate
    candidate_of: np.ndarray  # original candidate index per new candidate, -1 for existing


def needs_rules(problem: SitingProblem) -> bool:
    """True when the problem has required, closable or capacitated sites (with capacities,
    existing sites join the assignment as fixed, unlimited unless given a capacity)."""
    return (
        problem.existing_capacity is not None
        or (problem.capacity is not None and problem.existing.shape[0] > 0)
        or (problem.required is not None and bool(np.asarray(problem.required).any()))
        or (problem.closable is not None and bool(np.asarray(problem.closable).any()))
    )


def rewrite(problem: SitingProblem) -> Rewritten:
    """Every existing site and candidate becomes a candidate: non-closable existing sites and
    required candidates are fixed open, only the original candidates count against p and the
    budget, closable existing sites are free to close (up to max_closures). Existing sites
    without a capacity are unlimited."""
    ex = problem.existing
    e, m = ex.shape[0], problem.n_candidates
    closable = np.zeros(e, bool) if problem.closable is None else np.asarray(problem.closable, bool)
    required = np.zeros(m, bool) if problem.required is None else np.asarray(problem.required, bool)
    capacity = None
    if problem.capacity is not None or problem.existing_capacity is not None:
        capacity = np.r_[
            np.full(e, np.inf)
            if problem.existing_capacity is None
            else np.asarray(problem.existing_capacity, float),
            np.full(m, np.inf) if problem.capacity is None else np.asarray(problem.capacity, float),
        ]
    cost = (
        None
        if problem.candidate_cost is None
        else np.r_[np.zeros(e), np.asarray(problem.candidate_cost, float)]
    )
    rules = SiteRules(
        fixed=np.r_[~closable, required],
        counted=np.r_[np.zeros(e, bool), np.ones(m, bool)],
        closable=np.r_[closable, np.zeros(m, bool)],
        max_closures=int(problem.max_closures),
    )
    new = replace(
        problem,
        candidates_xy=np.vstack([ex, np.asarray(problem.candidates_xy, float).reshape(-1, 2)]),
        existing_xy=None,
        candidate_cost=cost,
        capacity=capacity,
        existing_capacity=None,
        required=None,
        closable=None,
        max_closures=0,
        rules=rules,
    )
    return Rewritten(new, np.r_[np.arange(e), np.full(m, -1)], np.r_[np.full(e, -1), np.arange(m)])


def map_back(rewritten: Rewritten, selected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(original candidates opened, original existing sites closed) from the rewritten
    selection; fixed sites the model never saw are open, closable ones it never saw stay open."""
    rules = rewritten.problem.rules
    assert rules is not None
    is_open = np.zeros(rewritten.existing_of.size, bool)
    is_open[np.asarray(selected, np.int64)] = True
    is_open |= rules.fixed
    cands = rewritten.candidate_of[is_open & (rewritten.candidate_of >= 0)]
    closed = rewritten.existing_of[~is_open & rules.closable]
    return np.sort(cands).astype(np.int64), np.sort(closed).astype(np.int64)
