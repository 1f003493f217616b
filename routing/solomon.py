"""Solomon's VRPTW benchmark files (C/R/RC 1xx and 2xx) as RoutingInstances: one depot, real
Euclidean distances, travel time equal to distance, windows bound the start of service."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.spatial.distance import cdist

from routing.instance import RoutingInstance, VehicleSpec, Visit


def read_solomon(path: Path, vehicles: int | None = None) -> RoutingInstance:
    """Parse a Solomon file (CRLF or LF, whitespace-separated); `vehicles` overrides the fleet."""
    lines = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
    name = lines[0][0]
    k = next(i for i, line in enumerate(lines) if line[0].upper() == "VEHICLE")
    fleet, capacity = int(lines[k + 2][0]), int(lines[k + 2][1])
    rows = [line for line in lines if len(line) == 7 and all(_is_number(x) for x in line)]
    data = np.array(rows, float)
    xy = data[:, 1:3]
    distance = cdist(xy, xy)
    depot = data[0]
    visits = tuple(
        Visit(id=str(int(r[0])), location=i, service=float(r[6]), windows=((float(r[4]), float(r[5])),), demand=int(r[3]))
        for i, r in enumerate(data[1:], start=1)
    )
    spec = [
        VehicleSpec(f"v{j + 1}", 0, 0, capacity, float(depot[4]), float(depot[5]))
        for j in range(vehicles if vehicles is not None else fleet)
    ]
    return RoutingInstance(name, visits, tuple(spec), distance, distance.copy())


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
