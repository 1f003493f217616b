"""Safe cell writing for every workbook the planner writes: user text stays text.

A name from a user's file that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
would be a live formula (or DDE command) in Excel or LibreOffice. Every text cell is stored as
a string cell (never a formula), those starting with a formula character also carry Excel's
quote prefix (shown as typed, still text after an edit), and characters a workbook cannot hold
are replaced. Numbers stay numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

#: Characters a sheet title may not hold (Excel's rule), besides the illegal control characters.
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: First characters that make a spreadsheet read a text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def set_cell(cell: Cell, value: Any) -> Cell:
    """Write `value` into `cell`: text as a plain string cell (quote-prefixed when it starts
    with a formula character), anything else as openpyxl stores it."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell.value = value
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def append_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """`ws.append(values)` with every cell written by `set_cell`."""
    values = list(values)
    ws.append([None] * len(values))  # the next row, as openpyxl counts it; then fill it safely
    if values:
        for col, value in enumerate(values, start=1):
            set_cell(ws.cell(row=ws.max_row, column=col), value)


def sheet_title_text(name: str) -> str:
    """`name` made a valid sheet title: forbidden and control characters replaced, no quote at
    either end, at most 28 characters (room for a numbered suffix); "sheet" if nothing is left."""
    title = _TITLE_FORBIDDEN.sub("_", ILLEGAL_CHARACTERS_RE.sub("_", name)).strip("'")[:28]
    return title or "sheet"


def unique_sheet_title(name: str, used: set[str]) -> str:
    """A valid sheet title for `name`, numbered when `used` already holds it (then added to it)."""
    title = sheet_title_text(name)
    base, k = title, 2
    while title in used:
        title = f"{base}_{k}"
        k += 1
    used.add(title)
    return title
