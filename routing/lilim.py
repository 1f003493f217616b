"""Li & Lim's PDPTW benchmark files as RoutingInstances: paired pickups and deliveries, one
depot, real Euclidean distances, travel time equal to distance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.spatial.distance import cdist

from routing.instance import RoutingInstance, VehicleSpec, Visit


def read_lilim(path: Path, vehicles: int | None = None) -> RoutingInstance:
    """Parse `K Q S` then `id x y demand earliest latest service pickup delivery` rows."""
    path = Path(path)
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    fleet, capacity = int(rows[0][0]), int(rows[0][1])
    data = np.array([[float(x) for x in r] for r in rows[1:]])
    xy = data[:, 1:3]
    distance = cdist(xy, xy)
    visits, pairs = [], []
    for r in data[1:]:
        node = int(r[0])
        visits.append(Visit(str(node), node, float(r[6]), ((float(r[4]), float(r[5])),), int(r[3])))
        if r[3] > 0:
            pairs.append((str(node), str(int(r[8]))))
    depot = data[0]
    spec = tuple(
        VehicleSpec(f"v{j + 1}", 0, 0, capacity, float(depot[4]), float(depot[5]))
        for j in range(vehicles if vehicles is not None else fleet)
    )
    return RoutingInstance(path.stem, tuple(visits), spec, distance, distance.copy(), tuple(pairs))
