"""Equity of access across people: population-weighted Gini and Theil indices (with Theil's
between/within-group decomposition), the Palma ratio, the concentration index, the worst-served
group, and a weighted percentile of travel cost."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from models.coverage import GroupCoverage


@dataclass(frozen=True)
class EquitySummary:
    """Inequality of an accessibility measure and of coverage across groups."""

    gini: float
    theil: float
    worst_group: str | None
    worst_share: float | None
    p90_cost: float  # inf when more than 10 % of the weight has no reachable service point


def _clean(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, float)
    w = np.asarray(weights, float)
    if x.shape != w.shape:
        raise ValueError("values and weights must have the same shape")
    if (w < 0).any() or (x < 0).any():
        raise ValueError("values and weights must be non-negative")
    keep = w > 0
    return x[keep], w[keep]


def gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted Gini: Σᵢ Σⱼ wᵢwⱼ|xᵢ−xⱼ| / (2 W² μ), by sorting (O(n log n)); 0 when all equal."""
    x, w = _clean(values, weights)
    total = w.sum()
    if x.size == 0 or (x * w).sum() <= 0:
        return 0.0
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cum = np.cumsum(w)
    # Σ over ordered pairs of |xi − xj| wi wj = 2 Σᵢ wᵢ xᵢ (weight below i − weight above i).
    pair_sum = 2.0 * np.sum(w * x * (2.0 * cum - w - total))
    mean = (x * w).sum() / total
    return float(pair_sum / (2.0 * total**2 * mean))


def theil(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted Theil T: (1/W) Σᵢ wᵢ (xᵢ/μ) ln(xᵢ/μ), with 0·ln 0 = 0; 0 when all equal."""
    x, w = _clean(values, weights)
    if x.size == 0:
        return 0.0
    mean = (x * w).sum() / w.sum()
    if mean <= 0:
        return 0.0
    r = x / mean
    terms = np.zeros_like(r)
    pos = r > 0
    terms[pos] = r[pos] * np.log(r[pos])
    return float((w * terms).sum() / w.sum())


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value at or below which at least a fraction q of the weight lies (inf allowed)."""
    x = np.asarray(values, float)
    w = np.asarray(weights, float)
    keep = w > 0
    x, w = x[keep], w[keep]
    if x.size == 0:
        return float("nan")
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order])
    k = int(np.searchsorted(cum, q * cum[-1] * (1 - 1e-12), side="left"))
    return float(x[order][min(k, x.size - 1)])


def worst_group(by_group: Mapping[str, GroupCoverage]) -> tuple[str | None, float | None]:
    """The group with the lowest covered share among groups with any weight."""
    rows = [(g.share, name) for name, g in by_group.items() if g.total > 0]
    if not rows:
        return None, None
    share, name = min(rows)
    return name, share


def summarise(
    access: np.ndarray,
    weights: np.ndarray,
    by_group: Mapping[str, GroupCoverage],
    nearest_cost: np.ndarray,
) -> EquitySummary:
    """Gini and Theil of `access` per person, worst group share, weighted 90th-percentile cost."""
    name, share = worst_group(by_group)
    return EquitySummary(
        gini=gini(access, weights),
        theil=theil(access, weights),
        worst_group=name,
        worst_share=share,
        p90_cost=weighted_quantile(nearest_cost, weights, 0.9),
    )


def _lorenz_share(x: np.ndarray, w: np.ndarray, lo: float, hi: float) -> float:
    """Share of the total Σwx held by the people between population fractions lo and hi, when
    sorted by x ascending (people split at the boundaries)."""
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cum_w = np.r_[0.0, np.cumsum(w)] / w.sum()
    cum_x = np.r_[0.0, np.cumsum(w * x)]
    total = cum_x[-1]
    at = np.interp([lo, hi], cum_w, cum_x)
    return float((at[1] - at[0]) / total) if total > 0 else 0.0


def palma(values: np.ndarray, weights: np.ndarray) -> float:
    """Palma ratio: the share held by the top 10 % of people over that of the bottom 40 %
    (0.25 when everyone holds the same; inf when the bottom 40 % hold nothing)."""
    x, w = _clean(values, weights)
    if x.size == 0 or (x * w).sum() <= 0:
        return 0.0
    bottom = _lorenz_share(x, w, 0.0, 0.4)
    top = _lorenz_share(x, w, 0.9, 1.0)
    return float(top / bottom) if bottom > 0 else float("inf")


def concentration_index(values: np.ndarray, rank_by: np.ndarray, weights: np.ndarray) -> float:
    """Concentration index of `values` over people ranked by `rank_by` (e.g. income):
    2·cov_w(x, r)/μ with r each person's weighted fractional rank (ties share a mid rank);
    negative when the measure concentrates among the low-ranked, 0 when unrelated."""
    x = np.asarray(values, float)
    s = np.asarray(rank_by, float)
    w = np.asarray(weights, float)
    if not x.shape == s.shape == w.shape:
        raise ValueError("values, rank_by and weights must have the same shape")
    keep = w > 0
    x, s, w = x[keep], s[keep], w[keep]
    total = w.sum()
    mean = (x * w).sum() / total if total > 0 else 0.0
    if x.size == 0 or mean == 0:
        return 0.0
    levels, inverse = np.unique(s, return_inverse=True)
    level_w = np.bincount(inverse, weights=w, minlength=levels.size)
    below = np.r_[0.0, np.cumsum(level_w)[:-1]]
    rank = (below + level_w / 2.0)[inverse] / total
    r_mean = (rank * w).sum() / total
    cov = (w * (x - mean) * (rank - r_mean)).sum() / total
    return float(2.0 * cov / mean)


@dataclass(frozen=True)
class TheilDecomposition:
    """Theil T split into inequality between groups and within them (total = between + within)."""

    total: float
    between: float
    within: float
    by_group: dict[str, float]  # each group's own Theil T


def theil_decomposition(
    values: np.ndarray, weights: np.ndarray, groups: np.ndarray
) -> TheilDecomposition:
    """T = Σ_g s_g ln(μ_g/μ) + Σ_g s_g T_g, with s_g the group's share of Σwx."""
    x = np.asarray(values, float)
    w = np.asarray(weights, float)
    g = np.asarray(groups).astype(str)
    _clean(x, w)
    keep = w > 0
    x, w, g = x[keep], w[keep], g[keep]
    total_x = (x * w).sum()
    if x.size == 0 or total_x <= 0:
        return TheilDecomposition(0.0, 0.0, 0.0, {})
    mean = total_x / w.sum()
    between = within = 0.0
    own: dict[str, float] = {}
    for name in dict.fromkeys(g):
        mine = g == name
        share = (x[mine] * w[mine]).sum() / total_x
        own[str(name)] = theil(x[mine], w[mine])
        if share > 0:
            mean_g = (x[mine] * w[mine]).sum() / w[mine].sum()
            between += share * np.log(mean_g / mean)
            within += share * own[str(name)]
    return TheilDecomposition(float(between + within), float(between), float(within), own)
