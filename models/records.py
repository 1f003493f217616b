"""Domain records: frozen dataclasses with units in their field names.

Collections of places travel as GeoDataFrames (schemas in `models.schema`); these records are
what one row means, and what the routing and siting models take one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ServiceKind(StrEnum):
    """Kinds of service point in a city library network (Wenzhou's names in the comments)."""

    CENTRAL = "central"  # 中心馆 (温州市图书馆)
    DISTRICT = "district"  # 县(市、区)总馆
    BRANCH = "branch"  # 分馆 (first- or second-level)
    STUDY_ROOM = "study_room"  # 城市书房, 24 h
    STATION = "station"  # 城市书站 / 流通点, self-service
    SCHOOL = "school"  # 学校图书馆
    BOOKMOBILE_STOP = "bookmobile_stop"  # 城市书巴 停靠点


WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def minutes_of_day(hhmm: str) -> int:
    """'08:30' → 510. '24:00' is allowed (end of day)."""
    h, _, m = hhmm.strip().partition(":")
    value = int(h) * 60 + int(m or 0)
    if not 0 <= value <= 24 * 60 or not 0 <= int(m or 0) < 60:
        raise ValueError(f"not a time of day: {hhmm!r}")
    return value


@dataclass(frozen=True)
class TimeWindow:
    """A window in minutes after midnight, start <= end."""

    start_min: int
    end_min: int

    def __post_init__(self) -> None:
        if self.end_min < self.start_min:
            raise ValueError(f"time window ends ({self.end_min}) before it starts ({self.start_min})")

    @classmethod
    def parse(cls, start: str, end: str) -> TimeWindow:
        return cls(minutes_of_day(start), minutes_of_day(end))


@dataclass(frozen=True)
class BookmobileStop:
    """A place a bookmobile parks: a square, a school gate, a factory, a village, a barracks."""

    id: str
    name: str
    lon: float
    lat: float
    window: TimeWindow
    service_min: int
    visits_per_week: int
    allowed_days: tuple[str, ...] = WEEKDAYS[:5]
    load_crates: int = 0
    priority: int = 1  # higher = more important to keep when not everything fits
    allowed_vehicles: tuple[str, ...] = ()  # empty: any vehicle
    district: str = ""


@dataclass(frozen=True)
class Vehicle:
    """A bookmobile or van: where it starts and ends, its shift, break and capacity."""

    id: str
    name: str
    depot_id: str
    shift: TimeWindow
    capacity_crates: int
    days: tuple[str, ...] = WEEKDAYS[:5]
    break_window: TimeWindow | None = None  # when the lunch break may start
    break_min: int = 0
    speed_kph: float | None = None  # None: the mode's default speed
    end_depot_id: str | None = None  # None: back to depot_id


@dataclass(frozen=True)
class Shipment:
    """Crates to carry from one library to another on one day (通借通还)."""

    id: str
    from_id: str
    to_id: str
    crates: int
    day: str = ""
    items: int = 0
    extra: dict[str, str] = field(default_factory=dict, compare=False)
