"""Returns logs (通借通还): which item, owned by which library, came back at which library on
which day; aggregated to crates to ship home per (from, to, day). Also a modelled log for the
Wenzhou demo, clearly labelled as modelled."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from models.records import Shipment
from planner.errors import PlannerError, ProblemList
from planner.importers import _read_table

COLUMNS: dict[str, tuple[str, ...]] = {
    "item_id": ("item_id", "item", "barcode", "条码", "图书条码", "册号"),
    "owner": ("owner", "owning_library", "owner_id", "所属馆", "所属图书馆", "馆藏地"),
    "returned_at": ("returned_at", "return_library", "returned_library", "归还馆", "还书馆", "归还地点"),
    "date": ("date", "return_date", "日期", "归还日期", "还书日期"),
}


#: A log's dates must lie within this many days of its median date (a typo such as 2062 for
#: 2026 is refused, not planned).
SPREAD_DAYS = 62
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_SLASHED = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_log_date(text: str, *, excel: bool = False) -> tuple[date | None, tuple[str, str] | None]:
    """One date cell of a returns log, each row on its own (never guessed from the first row):
    ISO 2026-09-01 (an Excel date cell reads so), 2026/9/1, 2026.9.1, 2026年9月1日, 20260901,
    an Excel day number in a workbook, or day/month/year only when it cannot be read the other
    way round. Returns (date, None) or (None, (zh, en) why not)."""
    value = text.strip()
    for pattern in (_ISO, _SLASHED, _CHINESE, _COMPACT):
        m = pattern.fullmatch(value)
        if m:
            return _ymd(int(m[1]), int(m[2]), int(m[3]), value)
    m = _DAY_FIRST.fullmatch(value)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        if a <= 12 and b <= 12 and a != b:
            return None, (f"“{value}”可读作 {y}-{a:02d}-{b:02d} 或 {y}-{b:02d}-{a:02d}，请写成 2026-09-01 这样的格式",
                          f"{value!r} could be {y}-{a:02d}-{b:02d} or {y}-{b:02d}-{a:02d}: write dates as 2026-09-01")
        return _ymd(y, b, a, value) if a > 12 else _ymd(y, a, b, value)
    if excel and re.fullmatch(r"\d{5}(?:\.0+)?", value):
        return _plausible(_EXCEL_EPOCH + timedelta(days=int(float(value))), value)
    return None, (f"“{value}”不是日期（例如 2026-11-25）", f"{value!r} is not a date (e.g. 2026-11-25)")


def _ymd(y: int, m: int, d: int, value: str) -> tuple[date | None, tuple[str, str] | None]:
    try:
        return _plausible(date(y, m, d), value)
    except ValueError:
        return None, (f"“{value}”不是存在的日期", f"{value!r} is not a real date")


def _plausible(day: date, value: str) -> tuple[date | None, tuple[str, str] | None]:
    """Refuse years no returns log can hold (before 2000, after next year)."""
    if not 2000 <= day.year <= date.today().year + 1:
        return None, (f"“{value}”的年份 {day.year} 不合理", f"{value!r}: the year {day.year} is not plausible")
    return day, None


def read_returns_log(path: Path, library_ids: set[str], *, sheet: str | None = None) -> pd.DataFrame:
    """Columns item_id, owner, returned_at, date (datetime.date); every bad row reported at once."""
    frame = _read_table(Path(path), sheet)
    norm = {str(c).strip().lower(): c for c in frame.columns}
    mapping = {}
    for field, names in COLUMNS.items():
        found = next((norm[n.lower()] for n in names if n.lower() in norm), None)
        if found is None:
            raise PlannerError(f"借还记录缺少“{field}”列（可用列名：{'、'.join(names)}）",
                               f"the returns log has no {field!r} column (accepted names: {', '.join(names)})",
                               file=str(path), field=field)
        mapping[field] = found
    data = frame[[mapping[f] for f in COLUMNS]].set_axis(list(COLUMNS), axis=1)
    problems = ProblemList(str(path))
    excel = Path(path).suffix.lower() in (".xlsx", ".xlsm", ".xls")
    parsed: list[date | None] = []
    for i in range(len(data)):
        row = i + 2
        for field in ("item_id", "owner", "returned_at", "date"):
            value = data[field].iloc[i]
            if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
                problems.add("不能为空", "must not be empty", row=row, field=mapping[field])
        for field in ("owner", "returned_at"):
            value = data[field].iloc[i]
            if isinstance(value, str) and value.strip() and value.strip() not in library_ids:
                problems.add(f"图书馆“{value}”不在项目中", f"library {value!r} is not in the project", row=row, field=mapping[field])
        day, why = None, None
        cell = data["date"].iloc[i]
        if isinstance(cell, str) and cell.strip():
            day, why = parse_log_date(cell, excel=excel)
            if why is not None:
                problems.add(*why, row=row, field=mapping["date"])
        parsed.append(day)
    known = sorted(d for d in parsed if d is not None)
    if known:
        middle = known[len(known) // 2]
        for i, day in enumerate(parsed):
            if day is not None and abs((day - middle).days) > SPREAD_DAYS:
                problems.add(f"{day.isoformat()} 与记录中其他日期（约 {middle.isoformat()}）相差太远，请检查是否输错",
                             f"{day.isoformat()} is far from the log's other dates (around {middle.isoformat()}): a typo?",
                             row=i + 2, field=mapping["date"])
    problems.raise_if_any()
    data["owner"] = data["owner"].str.strip()
    data["returned_at"] = data["returned_at"].str.strip()
    data["date"] = parsed
    return data


def shipments_from_log(log: pd.DataFrame, crate_size: int, day: str | None = None) -> list[Shipment]:
    """Items returned away from home → crates (ceil(items / crate_size)) per (from, to, date)."""
    if crate_size <= 0:
        raise PlannerError("每箱册数必须大于 0", "the crate size must be more than 0", field="crate_size")
    away = log[log["owner"] != log["returned_at"]]
    if day is not None:
        away = away[away["date"].astype(str) == day]
    groups = away.groupby(["returned_at", "owner", "date"]).size()
    return [
        Shipment(f"{src}>{dst}@{date}", src, dst, math.ceil(items / crate_size), str(date), int(items))
        for (src, dst, date), items in sorted(groups.items())
    ]


def flow_matrix(shipments: list[Shipment]) -> pd.DataFrame:
    """Crates from (rows) → to (columns)."""
    if not shipments:
        return pd.DataFrame()
    df = pd.DataFrame([{"from": s.from_id, "to": s.to_id, "crates": s.crates} for s in shipments])
    return df.pivot_table(index="from", columns="to", values="crates", aggfunc="sum", fill_value=0)


def modelled_returns_log(libraries: pd.DataFrame, date: str = "2026-11-24", seed: int = 0) -> pd.DataFrame:
    """A plausible day of cross-returns (MODELLED, not a real log). Books flow between each
    district library and the central library both ways, between district libraries of
    neighbouring large districts, and from school libraries to their district's library;
    item counts are Poisson with means growing with the libraries' book stocks."""
    rng = np.random.default_rng(seed)
    libs = libraries.reset_index(drop=True)
    books = pd.to_numeric(libs.get("books", pd.Series([1.0] * len(libs))), errors="coerce").fillna(1.0)
    size = dict(zip(libs["id"].astype(str), np.sqrt(np.maximum(books.to_numpy(), 1.0)) / 700.0, strict=True))
    central = libs.loc[libs["kind"] == "central", "id"].astype(str).tolist()
    district = libs[libs["kind"] == "district"]
    pairs: list[tuple[str, str, float]] = []
    for c in central:
        for d in district["id"].astype(str):
            pairs += [(c, d, 40 * size[d]), (d, c, 55 * size[d])]
    ids = district["id"].astype(str).tolist()
    for a, b in zip(ids, ids[1:], strict=False):  # neighbours in the list: a few district-to-district flows
        pairs += [(a, b, 15 * size[a]), (b, a, 15 * size[b])]
    by_district = dict(zip(district["district"], district["id"].astype(str), strict=False)) if "district" in libs else {}
    for row in libs[libs["kind"] == "school"].itertuples(index=False):
        home = by_district.get(getattr(row, "district", ""))
        if home:
            pairs.append((str(row.id), home, 12.0))
    rows = []
    for returned_at, owner, mean in pairs:
        for _ in range(rng.poisson(mean)):
            rows.append({"item_id": f"M{len(rows) + 1:06d}", "owner": owner, "returned_at": returned_at, "date": date})
    return pd.DataFrame(rows, columns=["item_id", "owner", "returned_at", "date"])
