"""Publishing a bookmobile timetable: for every stop a sheet (stops.xlsx) and a printable Chinese
notice for its notice board (notices/<stop>.html), an iCalendar file per stop and per bus
(ics/), and the dated run sheet of every bus (timetable.xlsx). Names come from files: they are
escaped in HTML, written as plain text in iCalendar and as data cells in XLSX."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from openpyxl import Workbook

from planner.i18n import text
from planner.jobs.bookmobile_contract import BookmobileResult, VisitRow
from planner.timetable import write_timetable_xlsx
from planner.xlsx import append_row, unique_sheet_title

TZ = ZoneInfo("Asia/Shanghai")
WEEKDAY_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def safe_name(key: str) -> str:
    """A file name for an id from a user's file: its safe characters plus a short hash."""
    clean = re.sub(r"[^A-Za-z0-9_-]", "_", key)[:40] or "x"
    return clean if clean == key else f"{clean}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def _names(result: BookmobileResult) -> tuple[dict[str, str], dict[str, str]]:
    stops = {s["id"]: s["name"] for r in result.routes for s in r["stops"]}
    stops.update({d.stop: d.name for d in result.dropped})
    buses = {r["vehicle_id"]: r.get("vehicle_name") or r["vehicle_id"] for r in result.routes}
    return stops, buses


def _by_stop(result: BookmobileResult) -> dict[str, list[VisitRow]]:
    out: dict[str, list[VisitRow]] = {}
    for v in sorted(result.visits, key=lambda v: (v.date, v.arrive)):
        out.setdefault(v.stop, []).append(v)
    return out



def stop_workbook(result: BookmobileResult, path: Path, lang: str = "zh") -> Path:
    """One sheet per stop: the dates and times the bus comes."""
    zh = lang != "en"
    stops, buses = _names(result)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for stop, visits in _by_stop(result).items():
        ws = wb.create_sheet(unique_sheet_title(stops.get(stop, stop), used))
        append_row(ws, ["日期", "星期", "到达", "离开", "书巴"] if zh else ["Date", "Day", "Arrives", "Leaves", "Bus"])
        for v in visits:
            d = date.fromisoformat(v.date)
            day = WEEKDAY_ZH[d.weekday()] if zh else d.strftime("%a")
            append_row(ws, [v.date, day, v.arrive, v.depart, buses.get(v.bus, v.bus)])
    if not wb.worksheets:
        wb.create_sheet("-")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


_NOTICE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; margin: 2cm; }}
h1 {{ font-size: 28pt; margin-bottom: 0; }} h2 {{ font-size: 20pt; font-weight: normal; margin-top: .3em; }}
table {{ border-collapse: collapse; font-size: 16pt; width: 100%; }}
th, td {{ border: 1px solid #333; padding: .3em .6em; text-align: center; }}
p.note {{ font-size: 13pt; }}
@media print {{ body {{ margin: 1cm; }} }}
</style></head><body>
<h1>城市书巴停靠时刻表</h1>
<h2>{stop}</h2>
<table><tr><th>日期</th><th>星期</th><th>到达</th><th>离开</th></tr>
{rows}
</table>
{closed}
<p class="note">计划期：{first} 起 {weeks} 周。如遇天气或车辆故障调整，以图书馆通知为准。</p>
</body></html>
"""


def notice_html(stop_name: str, visits: Iterable[VisitRow], result: BookmobileResult) -> str:
    """The printable notice for one stop (Chinese, for the notice board)."""
    rows = "\n".join(
        f"<tr><td>{escape(v.date)}</td><td>{WEEKDAY_ZH[date.fromisoformat(v.date).weekday()]}</td>"
        f"<td>{escape(v.arrive)}</td><td>{escape(v.depart)}</td></tr>"
        for v in visits
    )
    closed = ""
    if result.closed_days:
        spans: dict[str, list[str]] = {}
        for d, name in result.closed_days:
            spans.setdefault(name, []).append(d)
        items = "；".join(f"{escape(n)} {ds[0]}" + (f" 至 {ds[-1]}" if len(ds) > 1 else "") for n, ds in spans.items())
        closed = f'<p class="note">以下日期停止服务：{items}。</p>'
    return _NOTICE.format(title=escape(f"{stop_name} 书巴时刻表"), stop=escape(stop_name), rows=rows, closed=closed,
                          first=escape(result.start_date), weeks=result.weeks)


def _event(summary: str, v: VisitRow, location: str, uid: str) -> icalendar.Event:
    d = date.fromisoformat(v.date)
    start = datetime.combine(d, datetime.strptime(v.arrive, "%H:%M").time(), TZ)
    end = datetime.combine(d, datetime.strptime(v.depart, "%H:%M").time(), TZ)
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime(2026, 1, 1, tzinfo=TZ))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("location", location)
    return event


def _calendar(name: str, events: Iterable[icalendar.Event]) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Wenzhou Library Network Planner//bookmobile//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for e in events:
        cal.add_component(e)
    cal.add_missing_timezones()
    return cal.to_ical()


def publish(result: BookmobileResult, out_dir: Path, lang: str = "zh") -> dict[str, Any]:
    """Write every published file under `out_dir`; returns the paths written, by kind."""
    out_dir = Path(out_dir)
    (out_dir / "notices").mkdir(parents=True, exist_ok=True)
    (out_dir / "ics").mkdir(parents=True, exist_ok=True)
    stops, buses = _names(result)
    files: dict[str, Any] = {"stops_xlsx": stop_workbook(result, out_dir / "stops.xlsx", lang),
                             "timetable": write_timetable_xlsx(result, out_dir / "timetable.xlsx", lang),
                             "notices": [], "stop_ics": [], "bus_ics": []}
    label = text("kind_bookmobile", lang)
    for stop, visits in _by_stop(result).items():
        name = stops.get(stop, stop)
        page = out_dir / "notices" / f"{safe_name(stop)}.html"
        page.write_text(notice_html(name, visits, result), encoding="utf-8")
        files["notices"].append(page)
        ics = out_dir / "ics" / f"stop_{safe_name(stop)}.ics"
        ics.write_bytes(_calendar(name, (_event(f"{label} · {name}", v, name, f"{stop}-{v.date}@bookmobile")
                                         for v in visits)))
        files["stop_ics"].append(ics)
    by_bus: dict[str, list[VisitRow]] = {}
    for v in result.visits:
        by_bus.setdefault(v.bus, []).append(v)
    for bus, visits in sorted(by_bus.items()):
        ics = out_dir / "ics" / f"bus_{safe_name(bus)}.ics"
        name = buses.get(bus, bus)
        ics.write_bytes(_calendar(name, (_event(f"{name} · {stops.get(v.stop, v.stop)}", v, stops.get(v.stop, v.stop),
                                                f"{bus}-{v.stop}-{v.date}@bookmobile") for v in visits)))
        files["bus_ics"].append(ics)
    return files


__all__ = ["notice_html", "publish", "safe_name", "stop_workbook"]
