"""Equity of access across people: population-weighted Gini and Theil indices, the worst-served
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
