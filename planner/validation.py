"""Every rule about user data in one place: times of day, weekdays, service kinds, ids, numbers
and command-line options. The importers, the table editors and the CLI all call these, so a
value one accepts the others accept too (issue 16 item 2).

A broken rule raises `Invalid`, which carries an i18n key and its fields: the importer turns it
into a Problem naming file/row/field, the table editor into its refusal, argparse into exit 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from models.records import WEEKDAYS, ServiceKind
from planner import i18n

SQLITE_INT_MAX = 2**63 - 1  # SQLite's INTEGER is 64-bit
#: The largest value a field may hold: more is a typo or a unit mix-up, not data (per row).
FIELD_MAX: dict[str, float] = {"population": 1e9}
#: Any other number: far beyond every real count or cost, still exact in a float.
NUMBER_MAX = 1e15
_TIME = re.compile(r"^\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2})(?:\.\d+)?)?\s*$")
_DATETIME = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[ T](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*$")
_DAY_SEP = re.compile(r"[,，、;；/\s]+")
_ZH_DIGITS = "一二三四五六日"
DAY_ALIASES: dict[str, str] = {
    **{d.lower(): d for d in WEEKDAYS},
    **{
        name.lower(): d
        for name, d in zip(
            ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
            WEEKDAYS,
            strict=True,
        )
    },
    **{
        f"{p}{c}": d
        for p in ("周", "星期", "礼拜")
        for c, d in zip(_ZH_DIGITS, WEEKDAYS, strict=True)
    },
    **{f"{p}{k}": d for p in ("周", "星期") for k, d in zip("1234567", WEEKDAYS, strict=True)},
    "周天": "Sun",
    "星期天": "Sun",
    "礼拜天": "Sun",
}
#: Names staff write for a kind of service point → its code (the codes are accepted too).
KIND_ALIASES: dict[str, str] = {
    "中心馆": "central",
    "总馆": "district",
    "县级馆": "district",
    "区县馆": "district",
    "分馆": "branch",
    "城市书房": "study_room",
    "书房": "study_room",
    "书站": "station",
    "城市书站": "station",
    "流通点": "station",
    "学校": "school",
    "学校图书馆": "school",
    "书巴停靠点": "bookmobile_stop",
    # the labels the planner itself shows (planner.i18n kind_<code>), in both languages
    **{
        i18n.text(f"kind_{k.value}", lang).lower(): k.value
        for k in ServiceKind
        for lang in i18n.LANGUAGES
    },
}
KINDS: tuple[str, ...] = tuple(k.value for k in ServiceKind)


class Invalid(ValueError):
    """A value that breaks a rule; `key` and `fields` are its planner.i18n message."""

    def __init__(self, key: str, **fields: object) -> None:
        self.key, self.fields = key, fields
        super().__init__(self.text("en"))

    def text(self, lang: str = "zh") -> str:
        return i18n.text(self.key, lang, **self.fields)


def is_blank(value: Any) -> bool:
    """None, NaN/NaT/NA, or only spaces: a cell the user left empty."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def text_list(value: Any) -> tuple[str, ...]:
    """A comma list ("v1, v2"); a blank cell is the empty tuple, never the word "nan"."""
    if is_blank(value):
        return ()
    return tuple(v.strip() for v in re.split(r"[,，、;；]", str(value)) if v.strip())


# ---- times of day --------------------------------------------------------------------------
def minutes(value: Any) -> int:
    """Minutes after midnight of a time of day: "8:30", "08:30:00", 24:00 (end of day), a
    datetime.time, a pandas Timestamp or timedelta (as GeoPackage, Excel and GeoJSON store them)."""
    if is_blank(value):
        raise Invalid("bad_time", v="")
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        value = value.time()
    if isinstance(value, dt.time):
        total = (
            value.hour * 60 + value.minute + round((value.second + value.microsecond / 1e6) / 60)
        )
        return total
    if isinstance(value, (dt.timedelta, pd.Timedelta, np.timedelta64)):
        seconds = pd.Timedelta(value).total_seconds()
        if not 0 <= seconds <= 24 * 3600:
            raise Invalid("bad_time", v=str(value))
        return round(seconds / 60)
    text = str(value)
    match = _DATETIME.match(text)
    if match:
        text = match.group(1)
    match = _TIME.match(text)
    if match is None:
        raise Invalid("bad_time", v=str(value))
    h, m, s = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    total = h * 60 + m
    if m >= 60 or s >= 60 or total > 24 * 60 or (total == 24 * 60 and s):
        raise Invalid("bad_time", v=str(value))
    return total


def time_of_day(value: Any) -> str:
    """A time of day as the planner stores it, "HH:MM" ("24:00" for the end of the day)."""
    total = minutes(value)
    return f"{total // 60:02d}:{total % 60:02d}"


def window(start: Any, end: Any, *, overnight_ok: bool = False) -> tuple[str, str]:
    """A start and end time as "HH:MM"; the end may not come before the start (a closing time
    of 00:00 means midnight when `overnight_ok`)."""
    a, z = time_of_day(start), time_of_day(end)
    if z < a and not (overnight_ok and z == "00:00"):
        raise Invalid("window_reversed", start=a, end=z)
    return a, z


# ---- days, kinds, ids ----------------------------------------------------------------------
def weekdays(value: Any) -> tuple[str, ...]:
    """Weekdays in week order from "Mon,Tue", "周一、周三", "星期五", "Monday"; blank is ()."""
    if is_blank(value):
        return ()
    parts = [p for p in _DAY_SEP.split(str(value).strip()) if p]
    days, bad = set(), []
    for part in parts:
        day = DAY_ALIASES.get(part.lower())
        if day is None:
            bad.append(part)
        days.add(day)
    if bad:
        raise Invalid("not_a_day", v="、".join(bad))
    return tuple(d for d in WEEKDAYS if d in days)


def service_kind(value: Any) -> str:
    """The code of a kind of service point, from its code or a name staff use (城市书房)."""
    text = "" if is_blank(value) else str(value).strip()
    code = text.lower() if text.lower() in KINDS else KIND_ALIASES.get(text.lower())
    if code is None:  # the label a table shows, in either language (城市书房, Study room)
        code = next(
            (k for k in KINDS for lang in ("zh", "en") if i18n.text(f"kind_{k}", lang).lower() == text.lower()),
            None,
        )
    if code is None:
        raise Invalid("bad_kind", v=text, choices=kind_choices())
    return code


def kind_choices() -> str:
    """The known kinds as users may write them: code (城市书房-style label)."""
    return ", ".join(f"{k} ({i18n.text(f'kind_{k}', 'zh')})" for k in KINDS)


def record_id(value: Any) -> str:
    """An id: any non-blank text, stripped (numbers keep their written form)."""
    if is_blank(value):
        raise Invalid("empty_id")
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))  # 12.0 read from a spreadsheet is the id "12"
    return str(value).strip()


# ---- numbers -------------------------------------------------------------------------------
def number(value: Any, *, field: str = "", integer: bool = False) -> int | float:
    """A finite, non-negative number ("1,234" allowed) within the field's sane maximum."""
    if isinstance(value, (bool, np.bool_)):
        raise Invalid("not_number", v=str(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        result = float(value)
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        try:
            result = float(text)
        except ValueError:
            raise Invalid("not_number", v=str(value)) from None
    if not math.isfinite(result):
        raise Invalid("not_number", v=str(value))
    if result < 0:
        raise Invalid("negative", v=f"{result:g}")
    if result > FIELD_MAX.get(field, NUMBER_MAX):
        raise Invalid("too_large", v=f"{result:g}")
    if integer:
        if not result.is_integer():
            raise Invalid("not_integer", v=str(value))
        if result > SQLITE_INT_MAX:
            raise Invalid("too_large", v=str(value))
        return int(result)
    return result + 0.0  # "-0" is 0 (a stored -0.0 would read back as 0.0)


def coordinate(value: Any, axis: str) -> float:
    """A longitude (axis "lon", -180..180) or latitude ("lat", -90..90) in degrees."""
    try:
        result = float(str(value).strip())
    except ValueError:
        raise Invalid("not_number", v=str(value)) from None
    limit = 180.0 if axis == "lon" else 90.0
    if not -limit <= result <= limit:  # also refuses NaN
        raise Invalid(f"bad_{axis}")
    return result


# ---- command-line options (argparse `type=` functions) -------------------------------------
def _option(parse: Any, key: str) -> Any:
    def convert(text: str) -> Any:
        try:
            return parse(text)
        except (Invalid, ValueError):
            raise argparse.ArgumentTypeError(
                f"{i18n.text(key, 'zh', v=text)} / {i18n.text(key, 'en', v=text)}"
            ) from None

    convert.__name__ = parse.__name__
    return convert


def _non_negative(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return value


def _positive(text: str) -> float:
    value = _non_negative(text)
    if value == 0:
        raise ValueError(text)
    return value


def _kind(text: str) -> str:
    try:
        return service_kind(text)
    except Invalid:
        raise argparse.ArgumentTypeError(
            f"{i18n.text('bad_kind', 'zh', v=text, choices=kind_choices())} / "
            f"{i18n.text('bad_kind', 'en', v=text, choices=kind_choices())}"
        ) from None


def _crs(text: str) -> str:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(text)
    except CRSError:
        raise ValueError(text) from None
    return text


#: `--threshold`, `--max-snap`: a finite number >= 0 (metres or seconds).
non_negative = _option(_non_negative, "opt_non_negative")
#: `--seconds`, `--time-limit`: a finite number of seconds > 0.
seconds = _option(_positive, "opt_seconds")
#: `--max-driving-min`, `--shift-hours`: a finite number > 0.
positive = _option(_positive, "opt_positive")
#: `--kinds`: a kind code or its label (城市书房); unknown → exit 2 listing the known kinds.
kind = _kind
#: `--crs`: anything pyproj reads as a CRS (EPSG:4326, a WKT, a PROJ string).
crs = _option(_crs, "opt_crs")

__all__ = [
    "DAY_ALIASES",
    "KINDS",
    "KIND_ALIASES",
    "Invalid",
    "coordinate",
    "crs",
    "is_blank",
    "kind",
    "minutes",
    "non_negative",
    "number",
    "positive",
    "record_id",
    "seconds",
    "service_kind",
    "text_list",
    "time_of_day",
    "weekdays",
    "window",
]
