"""Returns-log dates are read row by row in the formats staff actually have (ISO, 2026/9/1,
2026年9月1日, Excel date cells), never guessed from the first row; ambiguous or implausible
dates are refused naming the file, row and field."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import PlannerError
from planner.returns_log import parse_log_date, read_returns_log

LIBS = {"A", "B"}


def _csv(tmp_path, dates):
    path = tmp_path / "log.csv"
    pd.DataFrame(
        [[f"i{k}", "A", "B", d] for k, d in enumerate(dates)],
        columns=["item_id", "owner", "returned_at", "date"],
    ).to_csv(path, index=False)
    return path


def test_mixed_formats_in_one_log_are_each_read_on_their_own(tmp_path):
    # The first row is Chinese-style: a reader that guessed the format from it refused the rest.
    log = read_returns_log(
        _csv(
            tmp_path,
            ["2026年9月1日", "2026/9/2", "2026-09-03", "2026.9.4", "20260907", "25/09/2026"],
        ),
        LIBS,
    )
    assert list(log["date"]) == [date(2026, 9, d) for d in (1, 2, 3, 4, 7, 25)]


def test_excel_date_cells_are_dates(tmp_path):
    path = tmp_path / "log.xlsx"
    pd.DataFrame(
        {
            "item_id": ["a", "b"],
            "owner": ["A", "A"],
            "returned_at": ["B", "B"],
            "date": [datetime(2026, 9, 1), datetime(2026, 9, 2)],
        }
    ).to_excel(path, index=False)
    log = read_returns_log(path, LIBS)
    assert list(log["date"]) == [date(2026, 9, 1), date(2026, 9, 2)]
    assert parse_log_date("46266", excel=True)[0] == date(2026, 9, 1)
    assert parse_log_date("46266")[0] is None  # a bare number in a CSV is not a date


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("2099-09-01", "not plausible"),
        ("03/04/2026", "could be"),
        ("2026-02-30", "not a real date"),
        ("周一", "not a date"),
    ],
)
def test_bad_dates_are_refused_with_row_and_field(tmp_path, bad, words):
    with pytest.raises(PlannerError) as err:
        read_returns_log(_csv(tmp_path, ["2026-09-01", "2026-09-02", bad]), LIBS)
    text = err.value.text("en")
    assert "log.csv" in text and "row 4, field 'date'" in text and words in text


def test_a_date_far_from_the_rest_is_refused(tmp_path):
    with pytest.raises(PlannerError) as err:
        read_returns_log(
            _csv(tmp_path, ["2026-09-01", "2026-09-02", "2026-09-03", "2025-09-02"]), LIBS
        )
    text = err.value.text("en")
    assert "row 5, field 'date'" in text and "far from" in text and "row 2" not in text


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=24),
        st.dates().map(str),
        st.dates().map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
        st.from_regex(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}", fullmatch=True),
    ),
    st.booleans(),
)
def test_any_cell_is_a_plausible_date_or_a_reason(cell, excel):
    day, why = parse_log_date(cell, excel=excel)
    assert (day is None) != (why is None)
    if day is not None:
        assert 2000 <= day.year <= date.today().year + 1
    else:
        assert why[0] and why[1]
