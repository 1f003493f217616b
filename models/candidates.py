"""Candidate sites for new service points: from a layer, thinned to a minimum spacing, or a grid
over populated land; both keep away from existing sites (a new study room next door to a
library adds nobody)."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def thin(
    xy: np.ndarray,
    priority: np.ndarray | None = None,
    *,
    min_spacing_m: float,
    existing_xy: np.ndarray | None = None,
    min_to_existing_m: float = 0.0,
) -> np.ndarray:
    """Indices of the points kept: greedily by descending priority, each at least
    `min_spacing_m` from those kept and `min_to_existing_m` from existing sites."""
    xy = np.asarray(xy, float).reshape(-1, 2)
    order = np.argsort(-np.asarray(priority, float), kind="stable") if priority is not None else np.arange(len(xy))
    ok = np.ones(len(xy), bool)
    if existing_xy is not None and len(existing_xy) and min_to_existing_m > 0:
        ok &= cKDTree(np.asarray(existing_xy, float).reshape(-1, 2)).query(xy)[0] >= min_to_existing_m
    tree = cKDTree(xy)
    blocked = np.zeros(len(xy), bool)
    kept = []
    for i in order:
        if not ok[i] or blocked[i]:
            continue
        kept.append(i)
        if min_spacing_m > 0:
            blocked[tree.query_ball_point(xy[i], min_spacing_m - 1e-9)] = True
    return np.array(sorted(kept), dtype=np.int64)


def grid_candidates(
    demand_xy: np.ndarray,
    weights: np.ndarray,
    *,
    cell_m: float = 1000.0,
    min_population: float = 500.0,
    existing_xy: np.ndarray | None = None,
    min_to_existing_m: float = 500.0,
    min_spacing_m: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A candidate at the population-weighted centre of every `cell_m` grid cell holding at
    least `min_population` people; returns (xy, population of its cell)."""
    xy = np.asarray(demand_xy, float).reshape(-1, 2)
    w = np.asarray(weights, float)
    if len(xy) == 0:
        return np.zeros((0, 2)), np.zeros(0)
    cells = np.floor(xy / cell_m).astype(np.int64)
    keys, inverse = np.unique(cells, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    pop = np.bincount(inverse, weights=w, minlength=len(keys))
    cx = np.bincount(inverse, weights=w * xy[:, 0], minlength=len(keys))
    cy = np.bincount(inverse, weights=w * xy[:, 1], minlength=len(keys))
    keep = pop >= max(min_population, 1e-12)
    centres = np.column_stack([cx[keep] / pop[keep], cy[keep] / pop[keep]])
    pop = pop[keep]
    chosen = thin(centres, pop, min_spacing_m=min_spacing_m if min_spacing_m is not None else cell_m * 0.5,
                  existing_xy=existing_xy, min_to_existing_m=min_to_existing_m)
    return centres[chosen], pop[chosen]
