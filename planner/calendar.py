"""The service calendar (书巴日历): public holidays and make-up working days (调休) of mainland
China, school terms and the library's own closed days, read from an editable CSV.

The built-in file is planner/assets/calendar_cn.csv (package data); `--calendar FILE` adds
rows in the same format (a library's closed days, its own term dates). A day the calendar closes gets no visit;
a make-up working day (a Saturday or Sunday worked as a weekday) is worked by every bus and
stop that works on weekdays; school stops are visited only inside a term.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from models.records import WEEKDAYS
from planner.errors import PlannerError

BUILTIN = Path(__file__).parent / "assets" / "calendar_cn.csv"  # package data (assets/**)
KINDS = ("holiday", "workday", "term", "closed")
#: Chinese names for the kinds, accepted in the file too.
KIND_ALIASES = {"放假": "holiday", "节假日": "holiday", "调休上班": "workday", "上班": "workday",
                "学期": "term", "闭馆": "closed"}


@dataclass(frozen=True)
class Calendar:
    """Which days are closed, worked instead of a weekend, or in a school term (dates → names)."""

    holidays: dict[date, str]
    workdays: dict[date, str]
    closed: dict[date, str]
    terms: tuple[tuple[date, date, str], ...]

    def closed_reason(self, day: date, school: bool = False) -> str | None:
        """Why no bookmobile serves this day (a holiday's or closure's name), or None."""
        if day in self.holidays:
            return self.holidays[day]
        if day in self.closed:
            return self.closed[day]
        if school and self.terms and not self.in_term(day):
            return "学校放假 school holidays"
        return None

    def in_term(self, day: date) -> bool:
        return any(a <= day <= b for a, b, _ in self.terms)

    def weekday_keys(self, day: date) -> frozenset[str]:
        """The weekday names this day counts as: its own, and on a make-up working day also
        every working weekday (a bus or stop that works weekdays works it)."""
        own = WEEKDAYS[day.weekday()]
        return frozenset({own, *WEEKDAYS[:5]}) if day in self.workdays else frozenset({own})

    def covers_year(self, year: int) -> bool:
        """Whether the file holds that year's public holidays (2027 until it is published: no)."""
        return any(d.year == year for d in self.holidays)

    def merged(self, other: Calendar) -> Calendar:
        return Calendar({**self.holidays, **other.holidays}, {**self.workdays, **other.workdays},
                        {**self.closed, **other.closed}, self.terms + other.terms)


def _date(text: str, source: str, row: int, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise PlannerError(f"日历 {source} 第 {row} 行：{text!r} 不是日期（应为 YYYY-MM-DD）",
                           f"calendar {source} row {row}: {text!r} is not a date (use YYYY-MM-DD)",
                           file=source, row=row, field=field) from exc


def parse_calendar(text: str, source: str = "calendar") -> Calendar:
    """Read calendar rows (start,end,kind,name; lines starting with # are comments)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = {"start", "kind"} - set(reader.fieldnames or ())
    if missing:
        raise PlannerError(f"日历 {source} 缺少列：{', '.join(sorted(missing))}",
                           f"calendar {source} lacks the column(s): {', '.join(sorted(missing))}",
                           file=source, field=sorted(missing)[0])
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    closed: dict[date, str] = {}
    terms: list[tuple[date, date, str]] = []
    for row, rec in enumerate(reader, start=1):
        kind = (rec.get("kind") or "").strip()
        kind = KIND_ALIASES.get(kind, kind.lower())
        if kind not in KINDS:
            raise PlannerError(f"日历 {source} 第 {row} 行：类型 {kind!r} 应为 {'/'.join(KINDS)}",
                               f"calendar {source} row {row}: kind {kind!r} must be one of {', '.join(KINDS)}",
                               file=source, row=row, field="kind")
        start = _date(rec.get("start") or "", source, row, "start")
        end = _date(rec["end"], source, row, "end") if (rec.get("end") or "").strip() else start
        if end < start:
            raise PlannerError(f"日历 {source} 第 {row} 行：结束日期早于开始日期",
                               f"calendar {source} row {row}: end is before start", file=source, row=row, field="end")
        name = (rec.get("name") or "").strip() or kind
        if kind == "term":
            terms.append((start, end, name))
            continue
        target = {"holiday": holidays, "workday": workdays, "closed": closed}[kind]
        for k in range((end - start).days + 1):
            target[start + timedelta(days=k)] = name
    return Calendar(holidays, workdays, closed, tuple(terms))


def load_calendar(extra: Iterable[Path] = ()) -> Calendar:
    """The built-in China calendar plus the rows of every extra file."""
    cal = parse_calendar(BUILTIN.read_text(encoding="utf-8"), BUILTIN.name)
    for path in extra:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise PlannerError(f"无法读取日历文件 {path}：{exc}", f"cannot read the calendar file {path}: {exc}",
                               file=str(path)) from exc
        cal = cal.merged(parse_calendar(text, str(path)))
    return cal


__all__ = ["BUILTIN", "Calendar", "load_calendar", "parse_calendar"]
