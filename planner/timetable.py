"""Timetables as XLSX workbooks: a summary sheet, then one sheet per vehicle listing each day's
stops in order with arrival, service start, departure and load (Chinese headers by default)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from planner.i18n import has, text
from planner.xlsx import append_row, unique_sheet_title

if TYPE_CHECKING:  # the contract module imports change_lines from here
    from planner.jobs.bookmobile_contract import BookmobileResult, Change

_HEAD = {
    "zh": ["日期", "顺序", "地点", "操作", "到达", "开始", "离开", "车上箱数", "说明"],
    "en": ["Day", "Order", "Place", "Action", "Arrival", "Start", "Departure", "Load (crates)", "Detail"],
}
_ACTION = {"serve": ("停靠服务", "serve"), "pickup": ("装货", "pick up"), "deliver": ("卸货", "deliver")}


def hhmm(minutes: float | None) -> str:
    if minutes is None:
        return ""
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"





def _style_header(ws: Any, ncols: int) -> None:
    for col in range(1, ncols + 1):
        cell = ws.cell(row=1, column=col)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = "A2"


def summary_sheet(wb: Workbook, zh: bool) -> tuple[Any, set[str]]:
    """The workbook's first sheet, one row per vehicle run (its header written), and the set
    of sheet titles used so far."""
    summary = wb.active
    summary.title = "汇总" if zh else "Summary"
    append_row(summary, ["车辆", "日期", "出发", "返回", "公里", "小时", "停靠数"] if zh
               else ["Vehicle", "Date", "Leaves", "Returns", "km", "hours", "stops"])
    return summary, {summary.title}


def write_routes_xlsx(result: BookmobileResult, path: Path, lang: str = "zh") -> Path:
    """A bookmobile run as a workbook, one sheet per vehicle (courier runs: write_courier_xlsx)."""
    zh = lang != "en"
    wb = Workbook()
    summary, used = summary_sheet(wb, zh)
    sheets: dict[str, Any] = {}
    for route in result.routes:
        day = route.get("day", "")
        day_label = text(f"day_{day}", lang) if has(f"day_{day}") else day
        if route.get("date"):
            day_label = f"{route['date']} {day_label}"
        name = route.get("vehicle_name") or route["vehicle_id"]
        append_row(summary, [name, day_label, hhmm(route["depart_min"]), hhmm(route["return_min"]),
                        round(route["distance_km"], 1), round(route["duration_h"], 2), len(route["stops"])])
        ws = sheets.get(route["vehicle_id"])
        if ws is None:
            ws = wb.create_sheet(unique_sheet_title(name, used))
            append_row(ws, _HEAD["zh" if zh else "en"])
            _style_header(ws, len(_HEAD["zh"]))
            sheets[route["vehicle_id"]] = ws
        depot = route["depot"]["name"]
        append_row(ws, [day_label, 0, depot, "出发" if zh else "leave depot", "", "", hhmm(route["depart_min"]), "", ""])
        brk = route.get("break")
        rows: list[tuple[float, list[Any]]] = []
        for order, stop in enumerate(route["stops"], start=1):
            zh_a, en_a = _ACTION.get(stop.get("action", "serve"), (stop.get("action", ""),) * 2)
            rows.append((stop["start_min"], [day_label, order, stop.get("name") or stop["id"], zh_a if zh else en_a,
                                             hhmm(stop["arrival_min"]), hhmm(stop["start_min"]), hhmm(stop["departure_min"]),
                                             stop.get("load_after", ""), stop.get("detail", "")]))
        if brk:
            rows.append((brk["start_min"], [day_label, "", "午休" if zh else "lunch break", "", "", hhmm(brk["start_min"]),
                                            hhmm(brk["start_min"] + brk["duration_min"]), "", ""]))
        # The break sits in time order among the stops (a tie: the break first, it ends before the start).
        for _, values in sorted(rows, key=lambda r: (r[0], r[1][1] != "")):
            append_row(ws, values)
        append_row(ws, [day_label, len(route["stops"]) + 1, depot, "返回" if zh else "back at depot",
                   hhmm(route["return_min"]), "", "", "", ""])
    _style_header(summary, 7)
    if result.dropped:
        ws = wb.create_sheet(unique_sheet_title("未安排" if zh else "Not served", used))
        append_row(ws, ["编号", "名称", "缺少次数", "日期", "原因"] if zh else ["Id", "Name", "Visits missing", "Dates", "Reason"])
        _style_header(ws, 5)
        for d in result.dropped:
            append_row(ws, [d.stop, d.name, d.missing, "、".join(d.dates), d.reason_zh if zh else d.reason_en])
    if result.changes is not None:
        write_changes_sheet(wb, result.changes, zh, used)
    for ws in wb.worksheets:
        for col in range(1, ws.max_column + 1):
            width = max(len(str(c.value or "")) for c in ws[get_column_letter(col)])
            ws.column_dimensions[get_column_letter(col)].width = min(max(8, width * 1.6), 48)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_timetable_xlsx(result: BookmobileResult, path: Path, lang: str = "zh") -> Path:
    """The bookmobile timetable: one sheet per bus, the unserved stops, a re-plan's changes."""
    return write_routes_xlsx(result, path, lang)


_CHANGE = {"moved": ("改期/改时", "moved"), "cancelled": ("取消", "cancelled"), "added": ("新增", "added")}


def change_lines(changes: Any, lang: str = "zh") -> list[str]:
    """A re-plan's change list as lines for the console (Change records or their JSON)."""
    zh = lang != "en"
    rows = [c if isinstance(c, dict) else c.__dict__ for c in changes]
    if not rows:
        return ["已发布的班次没有变化" if zh else "no published visit changed"]
    out = [f"变更 {len(rows)} 项（受影响停靠点 {len({r['stop'] for r in rows})} 个）：" if zh
           else f"{len(rows)} changes ({len({r['stop'] for r in rows})} stops' readers affected):"]
    for r in rows:
        kind = _CHANGE[r["kind"]][0 if zh else 1]
        old = f"{r['from_date']} {r['from_arrive']} {r['from_bus']}".strip()
        new = f"{r['to_date']} {r['to_arrive']} {r['to_bus']}".strip()
        out.append(f"  {kind}: {r['name']} {old}{' → ' if old and new else ''}{new}")
    return out


def write_changes_sheet(wb: Any, changes: Sequence[Change], zh: bool, used: set[str]) -> None:
    """The change list of a re-plan: one row per moved, cancelled or added visit."""
    ws = wb.create_sheet(unique_sheet_title("变更" if zh else "Changes", used))
    append_row(ws, ["变更", "编号", "停靠点", "原日期", "原到达", "原车辆", "新日期", "新到达", "新车辆"] if zh
         else ["Change", "Id", "Stop", "Old date", "Old arrival", "Old bus", "New date", "New arrival", "New bus"])
    _style_header(ws, 9)
    for c in changes:
        append_row(ws, [_CHANGE[c.kind][0 if zh else 1], c.stop, c.name, c.from_date, c.from_arrive,
                  c.from_bus, c.to_date, c.to_arrive, c.to_bus])
