"""The bookmobile job's typed contract: what is asked (`BookmobileRequest`) and what comes back
(`BookmobileResult`, with `to_json()` / `from_json()` for the stored run and `--json`).

The JSON keeps the issue-14 contract exactly — `visits` [{stop, bus, date, arrive, depart}],
`dropped` [{stop, reason, …}], `buses` [{bus, date, start, end, km, driving_blocks_min}] with
times "HH:MM" — and every key the stored week run had before (`routes`, `totals`, `check`,
`kind`, `cost_source`, `run_id`, and `id`/`name`/`visit`/`reason_zh`/`reason_en` per dropped row),
so maps, reports and the GUI keep reading it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from models.costs import CostModel
from planner.jobs.json_rows import record


def hhmm(seconds: float) -> str:
    """Seconds after midnight → "HH:MM" (rounded to the minute)."""
    m = int(round(seconds / 60.0))
    return f"{m // 60:02d}:{m % 60:02d}"


def minutes(text: str) -> int:
    h, _, m = text.partition(":")
    return int(h) * 60 + int(m)


@dataclass(frozen=True)
class Unavailable:
    """A bus out of service from `first` to `last` (inclusive)."""

    bus: str
    first: date
    last: date

    @classmethod
    def parse(cls, text: str) -> Unavailable:
        """'bus2:2026-10-12-2026-10-16' (or one date) → Unavailable; ValueError says why."""
        bus, sep, span = text.partition(":")
        if not sep or not bus.strip():
            raise ValueError(f"{text!r}: use BUS:YYYY-MM-DD-YYYY-MM-DD")
        span = span.strip()
        first, last = (span[:10], span[11:]) if len(span) > 10 else (span, span)
        try:
            a, b = date.fromisoformat(first), date.fromisoformat(last)
        except ValueError:
            raise ValueError(f"{text!r}: use BUS:YYYY-MM-DD-YYYY-MM-DD") from None
        if b < a:
            raise ValueError(f"{text!r}: the last date is before the first")
        return cls(bus.strip(), a, b)

    def covers(self, bus: str, day: date) -> bool:
        return bus == self.bus and self.first <= day <= self.last


@dataclass(frozen=True)
class BookmobileRequest:
    """A bookmobile plan: `weeks` from `start_date`, the calendar files added to the built-in one,
    the driver rules, and optionally a re-plan of a stored run with visits locked before
    `lock_until`. The time limit reaches the solver through models.control.Control."""

    start_date: date | None = None  # None: next Monday (a re-plan: the run's own start)
    weeks: int = 1
    time_limit_s: float = 30.0
    calendar_files: tuple[Path, ...] = ()
    buffer_pct: float = 0.0
    max_driving_min: float = 240.0
    min_rest_min: float = 20.0
    max_shift_min: float | None = None
    replan_run_id: int | None = None
    lock_until: date | None = None
    unavailable: tuple[Unavailable, ...] = ()
    add_stops: tuple[str, ...] = ()
    drop_stops: tuple[str, ...] = ()
    solution_limit: int | None = None  # repeatable runs (tests)
    travel: str | None = None  # "network", "straight" or None: the project's roads when it has them
    cost: CostModel | None = field(default=None, compare=False)

    def params(self) -> dict[str, Any]:
        """The request as stored with the run (JSON-safe)."""
        out = {k: v for k, v in asdict(self).items() if k != "cost"}
        out["start_date"] = self.start_date.isoformat() if self.start_date else None
        out["lock_until"] = self.lock_until.isoformat() if self.lock_until else None
        out["calendar_files"] = [str(p) for p in self.calendar_files]
        out["unavailable"] = [f"{u.bus}:{u.first}-{u.last}" for u in self.unavailable]
        out["add_stops"], out["drop_stops"] = list(self.add_stops), list(self.drop_stops)
        return out


@dataclass(frozen=True)
class VisitRow:
    stop: str
    bus: str
    date: str
    arrive: str
    depart: str


@dataclass(frozen=True)
class BusRow:
    bus: str
    date: str
    start: str
    end: str
    km: float
    driving_blocks_min: tuple[float, ...]


@dataclass(frozen=True)
class DroppedRow:
    """One row per stop: its unserved dates (empty when none could be picked) and why."""

    stop: str
    name: str
    dates: tuple[str, ...]
    missing: int
    reason_zh: str
    reason_en: str

    def to_json(self) -> dict[str, Any]:
        return {"stop": self.stop, "reason": self.reason_zh, "id": self.stop, "name": self.name,
                "visit": self.missing, "visits": list(self.dates), "reason_zh": self.reason_zh,
                "reason_en": self.reason_en}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DroppedRow:
        reason = d.get("reason", "")
        return cls(str(d.get("stop", d.get("id", ""))), d.get("name", ""), tuple(d.get("visits") or ()),
                   int(d.get("visit", 0)), d.get("reason_zh", reason), d.get("reason_en", reason))


@dataclass(frozen=True)
class Change:
    """A published visit moved, cancelled or added by a re-plan (dates/buses/arrivals ""-empty)."""

    kind: str  # "moved" | "cancelled" | "added"
    stop: str
    name: str
    from_date: str = ""
    from_bus: str = ""
    from_arrive: str = ""
    to_date: str = ""
    to_bus: str = ""
    to_arrive: str = ""


@dataclass(frozen=True)
class BookmobileResult:
    """A stored bookmobile plan."""

    start_date: str
    weeks: int
    stops: tuple[str, ...]  # the stops the plan covers (a re-plan starts from these)
    visits: tuple[VisitRow, ...]
    dropped: tuple[DroppedRow, ...]
    buses: tuple[BusRow, ...]
    routes: tuple[dict[str, Any], ...]  # the shared route-run format read by maps and reports
    totals: dict[str, Any]
    cost_source: str = ""
    check: dict[str, Any] = field(default_factory=lambda: {"feasible": True, "violations": []})
    changes: tuple[Change, ...] | None = None  # a re-plan's change list
    replan_of: int | None = None
    lock_until: str | None = None
    warnings: tuple[str, ...] = ()
    closed_days: tuple[tuple[str, str], ...] = ()  # (date, name): days the calendar closes in the range
    run_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": "bookmobile",
            "from": self.start_date,
            "weeks": self.weeks,
            "stops": list(self.stops),
            "visits": [asdict(v) for v in self.visits],
            "dropped": [d.to_json() for d in self.dropped],
            "buses": [{**asdict(b), "driving_blocks_min": list(b.driving_blocks_min)} for b in self.buses],
            "routes": [dict(r) for r in self.routes],
            "totals": dict(self.totals),
            "cost_source": self.cost_source,
            "check": dict(self.check),
            "warnings": list(self.warnings),
            "closed_days": [{"date": d, "name": n} for d, n in self.closed_days],
        }
        if self.changes is not None:
            out["changes"] = [asdict(c) for c in self.changes]
            out["replan_of"], out["lock_until"] = self.replan_of, self.lock_until
        if self.run_id is not None:
            out["run_id"] = self.run_id
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> BookmobileResult:
        """The plan as stored by this or an earlier version (missing keys: their defaults;
        unknown keys ignored)."""
        changes = d.get("changes")
        return cls(
            str(d.get("from", "")), int(d.get("weeks", 0)), tuple(d.get("stops", ())),
            tuple(record(VisitRow, v, stop="", bus="", date="", arrive="", depart="") for v in d.get("visits", ())),
            tuple(DroppedRow.from_json(x) for x in d.get("dropped", ())),
            tuple(record(BusRow, {**b, "driving_blocks_min": tuple(b.get("driving_blocks_min", ()))},
                         bus="", date="", start="", end="", km=0.0) for b in d.get("buses", ())),
            tuple(d.get("routes", ())), dict(d.get("totals", {})), d.get("cost_source", ""),
            dict(d.get("check", {"feasible": True, "violations": []})),
            tuple(record(Change, c, kind="", stop="", name="") for c in changes) if changes is not None else None,
            d.get("replan_of"), d.get("lock_until"), tuple(d.get("warnings", ())),
            tuple((c["date"], c["name"]) for c in d.get("closed_days", ())), d.get("run_id"),
        )

    def lines(self, lang: str = "zh") -> list[str]:
        """The plan as console lines: each bus-date's run, the totals, what is not served and
        why, warnings, a re-plan's change list and the run id."""
        from planner.timetable import change_lines

        zh = lang != "en"
        out = []
        for r in self.routes:
            names = " → ".join(s["name"] for s in r["stops"])
            out.append(f"{r['vehicle_name']} {r['date']} {r['day']} {hhmm(r['depart_min'] * 60)}–{hhmm(r['return_min'] * 60)} "
                       f"{r['distance_km']:.1f} km: {names}")
        t = self.totals
        out.append(("共 {served}/{asked} 次停靠，{distance_km} 公里" if zh else "{served}/{asked} visits, {distance_km} km").format(**t))
        for d in self.dropped:
            dates = f" ({', '.join(d.dates)})" if d.dates else ""
            out.append(f"  {'未安排' if zh else 'not served'}: {d.name} ×{d.missing}{dates} — {d.reason_zh if zh else d.reason_en}")
        out += [("  注意：" if zh else "  note: ") + w for w in self.warnings]
        if self.changes is not None:
            out += change_lines(self.changes, lang)
        if self.run_id is not None:
            out.append(("运行编号 {}" if zh else "run id {}").format(self.run_id))
        return out

    def with_run_id(self, run_id: int) -> BookmobileResult:
        from dataclasses import replace

        return replace(self, run_id=run_id)


__all__ = ["BookmobileRequest", "BookmobileResult", "BusRow", "Change", "DroppedRow", "Unavailable", "VisitRow",
           "hhmm", "minutes"]
