"""Publishing a timetable: per stop a sheet, a printable Chinese notice (names from files stay
text) and an iCalendar file; per bus an iCalendar file and the dated run sheet."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import icalendar
import openpyxl
import pytest

from planner.jobs.bookmobile import run_bookmobile_plan
from planner.jobs.bookmobile_contract import BookmobileRequest
from planner.publish import publish, safe_name
from tests.support.browser import dump_dom, print_pdf
from tests.support.projects import bookmobile_project

HOSTILE = "<script>document.title='pwned'</script>村口"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("pub")
    p = bookmobile_project(root / "p.planner")
    stops = p.read_layer("stops")
    stops.loc[stops["id"] == "s2", "name"] = HOSTILE
    p.write_layer("stops", stops, "stops")
    result = run_bookmobile_plan(p, BookmobileRequest(start_date=date(2026, 9, 28), weeks=2, time_limit_s=3,
                                                      solution_limit=200))
    p.close()
    return result, publish(result, root / "out"), root / "out"


def test_each_stop_gets_a_sheet_with_its_dates(published):
    result, files, _ = published
    wb = openpyxl.load_workbook(files["stops_xlsx"])
    visited = {v.stop for v in result.visits}
    assert len(wb.sheetnames) == len(visited)
    rows = [r for ws in wb.worksheets for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted((r[0], r[2]) for r in rows) == sorted((v.date, v.arrive) for v in result.visits)
    assert "书巴1号" in openpyxl.load_workbook(files["timetable"]).sheetnames


def test_ics_per_stop_and_per_bus_hold_every_visit(published):
    result, files, _ = published
    events = []
    for path in files["stop_ics"]:
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        events += list(cal.walk("VEVENT"))
    assert len(events) == len(result.visits)
    first = min(result.visits, key=lambda v: (v.date, v.arrive))
    starts = {e.decoded("dtstart") for e in events}
    hh, mm = map(int, first.arrive.split(":"))
    assert datetime.fromisoformat(first.date).replace(hour=hh, minute=mm, tzinfo=ZoneInfo("Asia/Shanghai")) in starts
    per_bus = sum(len(list(icalendar.Calendar.from_ical(p.read_bytes()).walk("VEVENT"))) for p in files["bus_ics"])
    assert per_bus == len(result.visits) and len(files["bus_ics"]) == len({v.bus for v in result.visits})


def test_notice_is_chinese_printable_and_keeps_names_as_text(published, tmp_path):
    result, files, out = published
    page = out / "notices" / f"{safe_name('s2')}.html"
    assert page in files["notices"]
    dom = dump_dom(page)
    assert "城市书巴停靠时刻表" in dom and dom.split("<title>")[1].split("</title>")[0] != "pwned"
    assert "&lt;script&gt;" in dom and "国庆节" in dom
    assert dom.count("<tr>") == 1 + sum(1 for v in result.visits if v.stop == "s2")
    pdf = print_pdf(page, tmp_path / "notice.pdf")
    assert pdf.read_bytes()[:4] == b"%PDF"


def test_file_names_from_ids_are_safe():
    assert safe_name("S001") == "S001"
    odd = safe_name("../../etc/passwd")
    assert "/" not in odd and ".." not in odd and odd != safe_name("__etc_passwd")
