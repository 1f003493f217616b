"""Driver rules for bookmobile crews and what a day's route means for the driver: when the bus
really arrives (after a break taken on the way), and its blocks of continuous driving.

Chinese road-traffic rules for commercial drivers (道路交通安全法实施条例 第六十二条): no more than
4 hours' continuous driving without a stop of at least 20 minutes. A stop at a bookmobile stop
(waiting and serving readers) or the lunch break is such a rest when it lasts 20 minutes or more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from routing.instance import Route, RoutingInstance


@dataclass(frozen=True)
class DriverRules:
    """The limits a crew's day must keep; `buffer_pct` lengthens every leg (weather, traffic)."""

    max_driving_min: float = 240.0
    min_rest_min: float = 20.0
    max_shift_min: float | None = None  # None: the bus's shift window is the limit
    buffer_pct: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.buffer_pct <= 200:
            raise ValueError(f"buffer_pct {self.buffer_pct} outside [0, 200]")
        if self.max_driving_min <= 0 or self.min_rest_min < 0:
            raise ValueError("driving and rest limits must be positive")

    def buffered(self, seconds: np.ndarray) -> np.ndarray:
        """Travel times with the coordinator's buffer on every leg."""
        return np.asarray(seconds, float) * (1.0 + self.buffer_pct / 100.0)


@dataclass(frozen=True)
class Leg:
    """One drive of a route and the pause before it (waiting, service, a break), in seconds."""

    depart_s: float  # when the bus leaves (after any break taken before driving)
    arrive_s: float  # when it arrives
    pause_before_s: float  # time standing still since the previous arrival


def legs(instance: RoutingInstance, route: Route) -> list[Leg]:
    """Every leg of a route, with a break that lies between a departure and the next service
    start taken before the drive when it starts before the bus could arrive (so the bus
    arrives after its break), otherwise at the stop after arriving."""
    vehicle = instance.vehicles[[v.id for v in instance.vehicles].index(route.vehicle_id)]
    breaks = sorted(route.breaks)
    used = [False] * len(breaks)
    out: list[Leg] = []
    loc, t, last_arrival = vehicle.start_location, route.depart, route.depart
    targets = [(instance.visit(s.visit_id).location, s.start, instance.visit(s.visit_id).service) for s in route.stops]
    targets.append((vehicle.end_location, route.arrive, 0.0))
    for to, start, service in targets:
        travel = float(instance.duration[loc, to])
        leave = t
        for i, (bs, bd) in enumerate(breaks):
            if not used[i] and bs >= t - 1e-6 and bs + bd <= start + 1e-6 and bs < t + travel:
                used[i] = True
                leave = max(leave, bs + bd)
        arrive = leave + travel
        out.append(Leg(leave, arrive, leave - last_arrival))
        last_arrival = arrive
        loc, t = to, start + service
    return out


def arrivals(instance: RoutingInstance, route: Route) -> list[float]:
    """When the bus really arrives at each stop of the route (after a break on the way)."""
    return [leg.arrive_s for leg in legs(instance, route)[:-1]]


def driving_blocks_min(instance: RoutingInstance, route: Route, min_rest_min: float = 20.0) -> list[float]:
    """Minutes of continuous driving between rests of at least `min_rest_min` (the day starts rested)."""
    blocks: list[float] = []
    for k, leg in enumerate(legs(instance, route)):
        drive = (leg.arrive_s - leg.depart_s) / 60.0
        if k == 0 or leg.pause_before_s / 60.0 >= min_rest_min - 1e-9:
            blocks.append(drive)
        else:
            blocks[-1] += drive
    return [round(b, 1) for b in blocks if b > 0]
