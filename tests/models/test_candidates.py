"""Candidate generation: spacing and distance to existing sites are kept."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from models.candidates import grid_candidates, thin


def test_thinning_keeps_the_most_important_points_apart_and_away_from_libraries():
    xy = np.array([[0, 0], [300, 0], [1000, 0], [1200, 0], [5000, 0]], float)
    priority = np.array([1, 5, 1, 2, 1])
    kept = thin(xy, priority, min_spacing_m=500, existing_xy=np.array([[5100.0, 0]]), min_to_existing_m=400)
    # 300 beats 0 (higher priority); 1200 beats 1000; 5000 is 100 m from a library
    assert kept.tolist() == [1, 3]


def test_grid_candidates_sit_where_people_live():
    rng = np.random.default_rng(1)
    town = rng.normal([2000, 2000], 150, (500, 2))
    hamlet = rng.normal([9000, 9000], 50, (5, 2))
    xy = np.vstack([town, hamlet])
    w = np.ones(len(xy)) * 10
    cand, pop = grid_candidates(xy, w, cell_m=500, min_population=200, existing_xy=np.array([[0.0, 0.0]]))
    assert len(cand) >= 1 and (cdist(cand, [[2000, 2000]]) < 800).all()  # only the town qualifies
    assert pop.min() >= 200
    if len(cand) > 1:
        d = cdist(cand, cand)
        assert d[np.triu_indices(len(cand), 1)].min() >= 250
