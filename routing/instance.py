"""The generic routing instance every solver here compiles to, and the plan it returns.

Bookmobile weeks (one vehicle per bus-day), courier days (paired pickups and deliveries) and the
Solomon / Li & Lim benchmarks are all a `RoutingInstance`; `routing.check` verifies any `Plan`
against one from scratch. Times and distances are real numbers in the instance's own units
(seconds and metres for the planner, Solomon's units for benchmarks); solvers scale them to the
integers OR-Tools needs, and report real-valued totals recomputed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Visit:
    """Something a vehicle must (or may) do at a location: serve a stop, pick up, deliver.

    `windows` bound the start of service; `demand` is added to the load on arrival (negative for
    a delivery). `penalty=None` makes the visit mandatory; otherwise dropping it costs `penalty`.
    """

    id: str
    location: int  # row/column in the instance's matrices
    service: float = 0.0
    windows: tuple[tuple[float, float], ...] = ((0.0, math.inf),)
    demand: int = 0
    penalty: float | None = None
    allowed_vehicles: frozenset[str] | None = None  # None: any vehicle


@dataclass(frozen=True)
class Break:
    """A break of `duration` that must start within [earliest, latest] (e.g. lunch)."""

    earliest: float
    latest: float
    duration: float


@dataclass(frozen=True)
class VehicleSpec:
    """One vehicle (or one bus on one day): where it starts and ends, its shift and capacity."""

    id: str
    start_location: int
    end_location: int
    capacity: int = 10**9
    shift_start: float = 0.0
    shift_end: float = math.inf
    breaks: tuple[Break, ...] = ()
    fixed_cost: float = 0.0


@dataclass(frozen=True)
class RoutingInstance:
    """Visits, vehicles, and real-valued travel matrices indexed by location."""

    name: str
    visits: tuple[Visit, ...]
    vehicles: tuple[VehicleSpec, ...]
    distance: np.ndarray  # (L, L) real, e.g. metres
    duration: np.ndarray  # (L, L) real, e.g. seconds
    pairs: tuple[tuple[str, str], ...] = ()  # (pickup visit id, delivery visit id)
    location_ids: tuple[str, ...] = ()  # optional names of the locations, for reports
    #: (a, b, gap): visit b may be served only if visit a is, and then starts at least `gap`
    #: after a starts, on any vehicle (a transfer: crates sorted at a hub between two legs).
    precedences: tuple[tuple[str, str, float], ...] = ()
    #: Fixed time paid once each time a vehicle arrives at a location to serve visits there
    #: (parking, paperwork): consecutive visits at one location are one stop and share it.
    stop_time: float = 0.0

    def visit(self, visit_id: str) -> Visit:
        return self._visit_index[visit_id]

    @property
    def _visit_index(self) -> dict[str, Visit]:
        cache = self.__dict__.get("_vi")
        if cache is None:
            cache = {v.id: v for v in self.visits}
            object.__setattr__(self, "_vi", cache)
        return cache


@dataclass
class RouteStop:
    """One visit on a route, with the times the solver chose."""

    visit_id: str
    arrival: float
    start: float
    departure: float
    load_after: int = 0


@dataclass
class Route:
    """A vehicle's route: visits in order, with service start times and break starts."""

    vehicle_id: str
    stops: list[RouteStop]
    depart: float  # leaves the start depot
    arrive: float  # back at the end depot
    breaks: list[tuple[float, float]] = field(default_factory=list)  # (start, duration)
    distance: float = 0.0
    duration: float = 0.0


@dataclass
class Plan:
    """A solution: routes, the visits left out with a reason for each, and solver facts."""

    routes: list[Route]
    dropped: dict[str, str] = field(default_factory=dict)  # visit id → reason
    objective: float = 0.0
    seconds: float = 0.0
    status: str = ""
    engine: str = "ortools"  # which engine produced it: "ortools" (routing.solver) or "pyvrp"

    @property
    def used_routes(self) -> list[Route]:
        return [r for r in self.routes if r.stops]

    @property
    def vehicles_used(self) -> int:
        return len(self.used_routes)

    @property
    def total_distance(self) -> float:
        return float(sum(r.distance for r in self.routes))


def scale_up(values: np.ndarray | float, factor: float) -> np.ndarray:
    """Real times → integers for OR-Tools, rounded *up* so an integer-feasible schedule is also
    feasible in real time (truncating would let a plan arrive a fraction late)."""
    return np.ceil(np.asarray(values, float) * factor - 1e-9).astype(np.int64)


def scale_round(values: np.ndarray | float, factor: float) -> np.ndarray:
    """Real distances → integers for OR-Tools' objective (rounded to nearest, never truncated)."""
    return np.rint(np.asarray(values, float) * factor).astype(np.int64)
