"""A bookmobile stop's rotation fields: `frequency` ("2/week", "weekly", "fortnightly",
"4-weekly"), `min_gap_days`, `max_gap_days` and `preferred_days`, parsed the same way on import
and when a plan reads the project (empty values fall back to `visits_per_week` and the
frequency's default gaps)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from models.records import WEEKDAYS
from routing.rotation import default_gaps, period_days

#: Our field → names seen in staff's files (merged into the importer's aliases).
ALIASES: dict[str, tuple[str, ...]] = {
    "frequency": ("frequency", "频率", "服务频率", "停靠频率"),
    "min_gap_days": ("min_gap_days", "最小间隔天数", "最短间隔"),
    "max_gap_days": ("max_gap_days", "最大间隔天数", "最长间隔"),
    "preferred_days": ("preferred_days", "偏好日", "首选日"),
}
_DAYS_ZH = {"周一": "Mon", "周二": "Tue", "周三": "Wed", "周四": "Thu", "周五": "Fri", "周六": "Sat", "周日": "Sun",
            "星期一": "Mon", "星期二": "Tue", "星期三": "Wed", "星期四": "Thu", "星期五": "Fri", "星期六": "Sat",
            "星期日": "Sun"}


@dataclass(frozen=True)
class RotaFields:
    """One stop's frequency as a period in days, its gaps and preferred weekdays."""

    period_days: float
    min_gap_days: int
    max_gap_days: int
    preferred_weekdays: tuple[str, ...]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip()


def _gap(value: Any, field: str) -> int | None:
    if _blank(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{field} {value!r} is not a number of days") from None
    if number != int(number) or not 1 <= number <= 366:
        raise ValueError(f"{field} {value!r} must be a whole number of days between 1 and 366")
    return int(number)


def parse_days(value: Any) -> tuple[str, ...]:
    """'Tue,Thu' or '周二、周四' → ('Tue', 'Thu'); ValueError naming what is not a weekday."""
    if _blank(value):
        return ()
    days = [_DAYS_ZH.get(d.strip(), d.strip().title()) for d in re.split(r"[,，、;/ ]+", str(value)) if d.strip()]
    bad = [d for d in days if d not in WEEKDAYS]
    if bad:
        raise ValueError(f"{', '.join(bad)} is not a weekday (use Mon,Tue,… or 周一…)")
    return tuple(d for d in WEEKDAYS if d in days)


def rota_fields(row: Any, visits_per_week: int = 1) -> RotaFields:
    """The rotation fields of one stop row (an object with attributes or a dict); ValueError
    says which field is wrong and why."""
    get: Callable[[str], Any] = (row.get if isinstance(row, dict) else lambda k: getattr(row, k, None))
    freq = get("frequency")
    try:
        period = period_days(None if _blank(freq) else str(freq), visits_per_week)
    except ValueError as exc:
        raise ValueError(f"frequency: {exc}") from None
    lo, hi = default_gaps(period)
    min_gap = _gap(get("min_gap_days"), "min_gap_days")
    max_gap = _gap(get("max_gap_days"), "max_gap_days")
    lo = lo if min_gap is None else min_gap
    hi = hi if max_gap is None else max_gap
    if lo > hi:
        raise ValueError(f"max_gap_days: {hi} is less than min_gap_days {lo}")
    try:
        preferred = parse_days(get("preferred_days"))
    except ValueError as exc:
        raise ValueError(f"preferred_days: {exc}") from None
    return RotaFields(period, lo, hi, preferred)


def check_rota_columns(gdf: Any, problems: Any, row: Callable[[int], int]) -> None:
    """Importer hook: add a problem for every stop whose rotation fields are wrong."""
    fields = [c for c in ALIASES if c in gdf.columns]
    if not fields:
        return
    for i, rec in enumerate(gdf[fields].to_dict("records")):
        try:
            rota_fields(rec)
        except ValueError as exc:
            field, _, message = str(exc).partition(": ")
            problems.add(f"{field} 无效：{message}", str(exc), row=row(i), field=field)


__all__ = ["ALIASES", "RotaFields", "check_rota_columns", "parse_days", "rota_fields"]
