"""Capacity-aware spatial accessibility: the two-step floating catchment area (2SFCA) and its
enhanced, distance-decayed form (E2SFCA), as in PySAL `access`.

Step 1, per supply point j: Rⱼ = Sⱼ / Σᵢ Pᵢ f(dᵢⱼ) (capacity per weighted person in reach).
Step 2, per demand point i: Aᵢ = Σⱼ Rⱼ f(dᵢⱼ). Sums run over the pairs within the catchment
(the sparse `NeighbourCosts`); plain 2SFCA is f = 1.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from models.costs import NeighbourCosts

Decay = Callable[[np.ndarray], np.ndarray]


def step_decay(bands: dict[float, float]) -> Decay:
    """Weight of the first band whose upper cost bound is >= the cost; 0 beyond the last band."""
    uppers = np.array(sorted(bands), float)
    values = np.array([bands[u] for u in sorted(bands)], float)
    if (values < 0).any():
        raise ValueError("band weights must be non-negative")

    def f(cost: np.ndarray) -> np.ndarray:
        k = np.searchsorted(uppers, np.asarray(cost, float), side="left")
        return np.where(k < uppers.size, values[np.minimum(k, uppers.size - 1)], 0.0)

    return f


def gaussian_decay(sigma: float) -> Decay:
    """exp(−d² / 2σ²): 1 at distance 0, unnormalised like PySAL access's `weights.gaussian`."""
    if sigma <= 0:
        raise ValueError("sigma must be positive")
    return lambda cost: np.exp(-(np.asarray(cost, float) ** 2) / (2.0 * sigma**2))


def two_step_fca(
    neighbours: NeighbourCosts,
    demand: np.ndarray,
    capacity: np.ndarray,
    decay: Decay | None = None,
) -> np.ndarray:
    """Accessibility per demand point: capacity (seats, books) per person reachable, 2SFCA when
    `decay` is None, E2SFCA otherwise (the decay weights both steps)."""
    demand = np.asarray(demand, float)
    capacity = np.asarray(capacity, float)
    if demand.shape[0] != neighbours.n_origins or capacity.shape[0] != neighbours.n_destinations:
        raise ValueError(
            "demand and capacity must match the neighbour lists' origins and destinations"
        )
    f = np.ones(len(neighbours)) if decay is None else decay(neighbours.cost)
    reach = np.bincount(
        neighbours.destination,
        weights=demand[neighbours.origin] * f,
        minlength=neighbours.n_destinations,
    )
    ratio = np.divide(capacity, reach, out=np.zeros_like(capacity), where=reach > 0)
    return np.bincount(
        neighbours.origin, weights=ratio[neighbours.destination] * f, minlength=neighbours.n_origins
    )
