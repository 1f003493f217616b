"""Covering models: location set covering (lscp), the fair model (max the worst group's
covered share, then the total), target coverage and capacitated maximal covering on CP-SAT;
maximal covering without capacities (mclp) on HiGHS (`mclp`). All share the merged rows."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from models.control import Control
from models.costs import NeighbourCosts
from models.siting.cpsat import _counted, _limit_sites, _ruled, _Solve, _solve
from models.siting.mclp import _fits, _local_search, _mclp, _sites
from models.siting.problem import (
    SHARE_RESOLUTION,
    InfeasibleError,
    SitingProblem,
    _int_weights,
    _merge_sets,
    _within,
)


@dataclass(frozen=True)
class _Rows:
    """Demand not covered by existing sites, merged into rows with identical candidate sets
    (and group). Existing sites are unlimited, so what they cover is covered whatever is opened."""

    pre_covered: np.ndarray  # bool per demand point
    row_of: np.ndarray  # row per demand point, -1 when pre-covered, weightless or uncoverable
    sets: list[np.ndarray]  # candidate indices per row
    group: np.ndarray  # group code per row


def _rows(
    problem: SitingProblem, cover: NeighbourCosts, pre: np.ndarray, codes: np.ndarray
) -> _Rows:
    weights = np.asarray(problem.weights, float)
    keep = ~pre[cover.origin] & (weights[cover.origin] > 0)
    origin, dest = cover.origin[keep], cover.destination[keep]
    order = np.lexsort((dest, origin))
    owners, row, sets = _merge_sets(origin[order], dest[order], codes)
    row_of = np.full(weights.size, -1, np.int64)
    row_of[owners] = row
    first = np.unique(row, return_index=True)[1]  # each row's first demand point
    return _Rows(pre, row_of, sets, np.asarray(codes, np.int64)[owners[first]])


def _covering(
    problem: SitingProblem,
    model_name: str,
    p: int | None,
    budget: float | None,
    floor: float | None,
    time_limit_s: float,
    control: Control,
    target: float | None = None,
    per_group: bool = False,
) -> tuple[np.ndarray, np.ndarray, bool, float, str]:
    """Solve lscp/mclp/fair/target; returns (selected, covered fraction per demand, optimal, gap, status).

    mclp: max Σ wₖyₖ, yₖ <= Σ_{j∈Nₖ} xⱼ, Σ xⱼ <= p (or Σ cⱼxⱼ <= budget). lscp: min Σ xⱼ with
    every coverable row covered. fair: first max t with covered_g >= t·total_g for all groups,
    then max total with t fixed; with a floor, max total with covered_g >= floor·total_g.
    target: first min Σ xⱼ with covered >= target·total (in every group when per_group), then
    max total with that many sites.
    With capacities, row k's covered weight is split over its open sites: Σₖ aₖⱼ <= capⱼxⱼ.
    """
    started = time.monotonic()
    control.report(0.0, "neighbours")
    weights = np.asarray(problem.weights, float)
    cover = _within(problem, problem.candidates_xy)
    pre = _within(problem, problem.existing).covered_by_any()
    if problem.capacity is None and problem.rules is not None:
        pre |= cover.covered_by_any(np.flatnonzero(problem.rules.fixed))  # fixed sites are open
    names, codes = np.unique(problem.group_labels, return_inverse=True)
    # mclp ignores groups: rows with the same candidates merge across them
    rows = _rows(problem, cover, pre, np.zeros_like(codes) if model_name == "mclp" else codes)
    control.report(0.1, f"{len(rows.sets)} demand rows")

    scaled = _int_weights(weights)
    mask = rows.row_of >= 0
    w_row = np.bincount(rows.row_of[mask], weights=scaled[mask], minlength=len(rows.sets)).astype(
        np.int64
    )
    total_g = np.bincount(codes, weights=scaled, minlength=names.size).astype(np.int64)
    pre_g = np.bincount(codes[pre], weights=scaled[pre], minlength=names.size).astype(np.int64)

    cand = np.unique(np.concatenate([np.zeros(0, np.int64), *rows.sets, _ruled(problem)]))
    if model_name == "mclp" and problem.capacity is None:
        remaining = time_limit_s - (time.monotonic() - started)
        chosen, optimal, gap = _mclp(
            problem, rows.sets, w_row, cand, p, budget, remaining, control.sub(0.1, 1.0)
        )
        selected = np.sort(cand[chosen]).astype(np.int64)
        if problem.rules is None:
            selected = _prune(selected, cover, pre, weights)
        fraction = (pre | cover.covered_by_any(selected)).astype(float)
        return selected, fraction, optimal, gap, "optimal" if optimal else "feasible"
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{j}") for j in cand]
    xi = {int(j): v for j, v in zip(cand, x, strict=True)}
    if problem.capacity is None:
        got = [model.new_bool_var(f"y{k}") for k in range(len(rows.sets))]
        for k, members in enumerate(rows.sets):
            model.add(sum(xi[int(j)] for j in members) >= got[k])
        terms = [int(w) * v for w, v in zip(w_row, got, strict=True)]
        full = [1] * len(got)
    else:
        factor = scaled.sum() / max(weights.sum(), 1e-12)
        raw = np.asarray(problem.capacity, float) * factor
        cap = np.floor(np.minimum(raw, float(scaled.sum())) + 1e-9).astype(np.int64)
        got, load = [], {}
        for k, members in enumerate(rows.sets):
            parts = [model.new_int_var(0, int(w_row[k]), f"a{k}_{j}") for j in members]
            for j, a in zip(members, parts, strict=True):
                load.setdefault(int(j), []).append(a)
            got.append(model.new_int_var(0, int(w_row[k]), f"c{k}"))
            model.add(got[k] == sum(parts))
        for j, parts in load.items():
            model.add(sum(parts) <= int(cap[j]) * xi[j])
        terms = got
        full = [int(w) for w in w_row]
    by_group: list[list] = [[] for _ in names]
    for k, term in enumerate(terms):
        by_group[rows.group[k]].append(term)
    active = [g for g in range(names.size) if total_g[g] > 0]

    t = model.new_int_var(0, SHARE_RESOLUTION, "min_share")
    if model_name == "lscp":
        for k, v in enumerate(got):
            model.add(v == full[k])
        stages = ["sites"]
    elif model_name == "target":
        if target is None:
            raise ValueError("the target model needs a target share")
        _limit_sites(model, x, cand, problem, None, budget)
        groups = active if per_group else [None]
        for g in groups:
            have = int(pre_g.sum()) if g is None else int(pre_g[g])
            terms_g = terms if g is None else by_group[g]
            whole = int(total_g.sum()) if g is None else int(total_g[g])
            model.add(have + sum(terms_g) >= int(np.ceil(target * whole - 1e-9)))
        stages = ["sites", "total"]
    else:
        _limit_sites(model, x, cand, problem, p, budget)
        if model_name == "fair" and floor is not None:
            for g in active:
                model.add(
                    int(pre_g[g]) + sum(by_group[g]) >= int(np.ceil(floor * total_g[g] - 1e-9))
                )
            stages = ["total"]
        elif model_name == "fair":
            for g in active:
                model.add(
                    SHARE_RESOLUTION * (int(pre_g[g]) + sum(by_group[g])) >= int(total_g[g]) * t
                )
            stages = ["min share", "total"]
        else:
            stages = ["total"]
    warm, fits = np.zeros(0, np.int64), False
    if model_name != "lscp" and p is not None:
        sites = _sites(problem, rows.sets, w_row, cand, p, budget)
        warm, fits = cand[_local_search(sites, None, started + 0.1 * time_limit_s)], _fits(sites)
    for j in warm:
        model.add_hint(xi[int(j)], 1)
    variables = {"x": x, "rows": got, "t": [t]}
    optimal, gap, status, best = True, 0.0, "optimal", None
    for s, stage in enumerate(stages):
        if stage == "sites":
            model.minimize(sum(_counted(x, cand, problem)))
        elif stage == "min share":
            model.maximize(t)
        else:
            model.maximize(sum(terms))
        span = (0.1 + 0.9 * s / len(stages), 0.1 + 0.9 * (s + 1) / len(stages))
        remaining = time_limit_s - (time.monotonic() - started)
        outcome = _solve(model, variables, remaining, control, span, f"{model_name} {stage}")
        if outcome.status == cp_model.INFEASIBLE:
            raise InfeasibleError(f"{model_name}: no choice of sites meets the constraints")
        if not outcome.found:
            if best is None and fits and problem.capacity is None:
                # Nothing found in time: report the greedy warm start, bound unknown.
                best = _Solve(cp_model.FEASIBLE, {"x": np.isin(cand, warm).astype(np.int64)})
            if best is None:
                raise TimeoutError(f"{model_name}: no solution within the time limit")
            optimal, status = False, "feasible"
            gap = max(gap, 1.0)
            break
        best = outcome
        optimal &= outcome.optimal
        gap = max(gap, outcome.gap())
        if not outcome.optimal:
            status = "feasible"
        if stage == "sites" and len(stages) > 1:
            counted = _counted(x, cand, problem)
            if counted:
                model.add(sum(counted) <= int(round(outcome.objective)))
            for v, val in zip(x, outcome.values["x"], strict=True):
                model.add_hint(v, int(val))
        if stage == "min share":
            model.add(t >= int(outcome.values["t"][0]))
            model.clear_hints()
            for v, val in zip(x, outcome.values["x"], strict=True):
                model.add_hint(v, int(val))
    assert best is not None
    selected = np.sort(cand[best.values["x"] == 1]).astype(np.int64)
    if problem.capacity is None:
        if problem.rules is None:
            selected = _prune(selected, cover, pre, weights)
        fraction = (pre | cover.covered_by_any(selected)).astype(float)
    else:
        fraction = pre.astype(float)
        row_frac = best.values["rows"] / np.maximum(w_row, 1)
        fraction[mask] = np.minimum(row_frac[rows.row_of[mask]], 1.0)
    return selected, fraction, optimal, gap, status


def _prune(
    selected: np.ndarray, cover: NeighbourCosts, pre: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Drop opened sites that cover nobody no other open site covers (a solver may open
    redundant sites when p allows it)."""
    is_open = np.zeros(cover.n_destinations, bool)
    is_open[selected] = True
    hit = is_open[cover.destination] & (weights[cover.origin] > 0) & ~pre[cover.origin]
    count = np.bincount(cover.origin[hit], minlength=cover.n_origins)
    for j in selected:
        mine = cover.origin[hit & (cover.destination == j)]
        if (count[mine] >= 2).all():
            count[mine] -= 1
            hit &= cover.destination != j
            is_open[j] = False
    return np.flatnonzero(is_open).astype(np.int64)
