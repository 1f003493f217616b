"""The 建标[2008]74号 standards table on a real project file, figures recomputed here, and the
XLSX sheet keeps user text as text."""

from __future__ import annotations

import numpy as np
import pytest
from openpyxl import load_workbook

from planner.standards import (
    RADIUS_MET_SHARE,
    StandardsRow,
    standards_rows,
    standards_section,
    write_standards_sheet,
)


def test_standards_rows_by_district_and_city(city_project):  # noqa: F811
    rows = {r.district: r for r in standards_rows(city_project)}
    # 甲: 16 cells of 100 around its district library (medium tier); 乙: 3 villages, none.
    grid = np.array([(i * 500, j * 500) for i in range(4) for j in range(4)], float)
    villages = np.array([(8000, 0), (12000, 0), (8000, 6000)], float)
    library, station = np.array([750.0, 750.0]), np.array([1500.0, 1500.0])

    def share_within(points, sites, metres):
        d = np.min([np.hypot(*(points - s).T) for s in sites], axis=0)
        return float((d <= metres).mean())

    assert rows["甲"].radius_share["medium"] == pytest.approx(share_within(grid, [library], 6500))
    assert rows["乙"].radius_share["medium"] == pytest.approx(
        share_within(villages, [library], 6500)
    )
    assert rows["甲"].radius_met("medium") and not rows["乙"].radius_met("medium")
    assert rows["甲"].radius_share["large"] == 0.0  # no central library
    assert rows["甲"].libraries == 1 and rows["甲"].people_per_library == pytest.approx(1600)
    assert rows["乙"].people_per_library is None and not rows["乙"].people_per_library_met
    # Reading circle: 15 minutes at 4.8 km/h with circuity 1.25 is 960 m as the crow flies.
    circle = share_within(grid, [library, station], 960.0)
    assert rows["甲"].reading_circle_share == pytest.approx(circle)
    city = rows[None]
    assert city.population == pytest.approx(1750)
    assert city.reading_circle_share == pytest.approx(circle * 1600 / 1750)
    assert 0 < RADIUS_MET_SHARE <= 1
    html = standards_section(city_project, "en")
    assert "建标[2008]74号" in html and "甲" in html


def test_standards_sheet_keeps_text_as_text(tmp_path):
    row = StandardsRow(
        '=HYPERLINK("http://x")', 100.0, {"large": 0.0, "medium": 1.0, "small": 0.5}, 1, 100.0, 0.25
    )
    path = write_standards_sheet(tmp_path / "s.xlsx", [row], "zh")
    sheet = load_workbook(path)["标准对照"]
    cell = sheet.cell(2, 1)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    assert sheet.cell(2, 7).value is True and sheet.cell(2, 6).value is False  # medium met


def test_report_writes_the_standards_sheet_beside_the_html(city_project, tmp_path):  # noqa: F811
    from planner.report import write_report

    files = write_report(city_project, tmp_path / "out", lang="zh", pdf=False)
    sheet = load_workbook(files["xlsx"])["标准对照"]
    names = [sheet.cell(r, 1).value for r in range(2, 5)]
    assert names == ["甲", "乙", "全市"]
    assert "建标[2008]74号" in files["html"].read_text(encoding="utf-8")
