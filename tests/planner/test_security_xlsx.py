"""Workbook cells from user text are text, never formulas (issue 19 item 3): every writer goes
through planner.xlsx; checked by reading the saved file back with openpyxl."""

from __future__ import annotations

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from planner.jobs.bookmobile_contract import BookmobileResult
from planner.timetable import write_routes_xlsx
from planner.xlsx import FORMULA_STARTS, append_row
from tests.support.hostile import HOSTILE_NAMES, hostile_names


def _as_read(name: str) -> str:
    """The text a workbook gives back: characters it cannot hold replaced, line ends as XML
    reads them."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", name).replace("\r\n", "\n").replace("\r", "\n")


def _read_back(path):
    ws = openpyxl.load_workbook(path).active
    return [[cell for cell in row] for row in ws.iter_rows()]


def test_formula_looking_text_is_a_quoted_string_and_numbers_stay_numbers(tmp_path):
    wb = Workbook()
    append_row(wb.active, ["名称", "公里", "箱数"])
    for i, name in enumerate(HOSTILE_NAMES):
        append_row(wb.active, [name, 12.5 + i, i])
    wb.save(tmp_path / "t.xlsx")
    rows = _read_back(tmp_path / "t.xlsx")
    assert [c.value for c in rows[0]] == ["名称", "公里", "箱数"]
    for (name_cell, km, crates), name in zip(rows[1:], HOSTILE_NAMES, strict=True):
        assert name_cell.data_type == "s" and name_cell.value == _as_read(name)
        assert name_cell.quotePrefix == name.startswith(FORMULA_STARTS)
        assert km.data_type == "n" and isinstance(km.value, float)
        assert crates.data_type == "n" and isinstance(crates.value, int)


def test_timetable_of_hostile_names_has_no_formula(tmp_path):
    stop = {
        "id": "s1",
        "name": '=HYPERLINK("http://evil.example")',
        "action": "serve",
        "arrival_min": 540,
        "start_min": 540,
        "departure_min": 600,
        "load_after": 1,
        "detail": "+cmd|' /C calc'!A0",
    }
    route = {
        "vehicle_id": "b1",
        "vehicle_name": "@SUM(1)",
        "day": "Mon",
        "depot": {"name": "-1+1"},
        "depart_min": 500,
        "return_min": 700,
        "distance_km": 10.0,
        "duration_h": 3.0,
        "break": None,
        "stops": [stop],
    }
    path = write_routes_xlsx(
        BookmobileResult.from_json({
            "routes": [route],
            "dropped": [{"id": "x", "name": "=1+1", "reason_zh": "远", "reason_en": "far"}],
        }),
        tmp_path / "r.xlsx",
    )
    wb = openpyxl.load_workbook(path)
    values = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                values.add(cell.value)
    assert {stop["name"], stop["detail"], "@SUM(1)", "-1+1", "=1+1", 10.0} <= values


@settings(max_examples=20, deadline=None)
@given(names=st.lists(hostile_names(), min_size=1, max_size=5), number=st.integers(-(10**9), 10**9))
def test_any_name_reads_back_as_the_same_text(tmp_path_factory, names, number):
    path = tmp_path_factory.getbasetemp() / "fuzz.xlsx"
    wb = Workbook()
    append_row(wb.active, [*names, number])
    wb.save(path)
    row = _read_back(path)[0]
    for cell, name in zip(row, names, strict=False):
        assert cell.data_type != "f"
        if name:
            assert cell.data_type == "s"
            assert cell.value == _as_read(name)
    assert row[-1].value == number


def test_vehicle_names_that_cannot_be_sheet_titles_still_give_a_readable_workbook(tmp_path):
    routes = [
        {"vehicle_id": f"v{i}", "vehicle_name": name, "day": "Mon", "depot": {"name": "D"},
         "depart_min": 500, "return_min": 700, "distance_km": 1.0, "duration_h": 1.0, "break": None,
         "stops": []}
        for i, name in enumerate(["\x1f", "'引号'", "a/b:c*d?[e]", "=1+1", ""])
    ]  # fmt: skip
    wb = openpyxl.load_workbook(write_routes_xlsx(BookmobileResult.from_json({"routes": routes}), tmp_path / "t.xlsx"))
    assert len(wb.sheetnames) == 6 and "=1+1" in wb.sheetnames
    assert all(c.value != "\x1f" for c in wb["汇总"]["A"])
