"""What a person sees of a courier run: a plan that found nothing is said so and not compared;
both plans' routes can be viewed; the week shows its measures, the frontier (table and chart)
and every van-day, in the window and in the report; the workbook has one sheet per van-day
with one row per visit."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook
from PyQt6.QtCore import QUrl
from PyQt6.QtGui import QTextDocument

from models.control import Control
from planner.cli import main
from planner.i18n import text
from planner.jobs.courier import CourierRequest, CourierResult, run_courier_day, write_courier_xlsx
from planner.jobs.courier_week import CourierWeekRequest, CourierWeekResult, run_courier_week
from planner.report import build_report
from tests.support.projects import week_log
from ui.courier_week import CHART_URL
from ui.results import ResultsPanel
from ui.strings import language


def test_a_plan_that_finds_nothing_says_so_and_is_not_compared(week_project, tmp_path, capsys):  # noqa: F811
    vans = week_project.read_table("vans")
    vans["shift_end"] = "08:01"  # no van can reach any library and come back
    week_project.write_table("vans", vans, role="vans")
    code = main(
        [
            "--lang",
            "en",
            "courier",
            str(week_project.path),
            "--log",
            str(week_log(tmp_path, 10)),
            "--seconds",
            "1",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("found no plan in the time given") == 2 and " km," not in out


def test_window_and_report_show_both_plans_and_the_week(qtbot, week_project, tmp_path):  # noqa: F811
    day = run_courier_day(
        week_project,
        CourierRequest(returns_log=week_log(tmp_path, 30), solution_limit=20),
        control=Control(time_limit_s=1),
    )
    assert set(day.plans) == {"direct", "hub"} and all(day.plans.values())
    assert {r["day"] for r in day.routes} == {day.day}  # the date column is filled
    week = run_courier_week(
        week_project,
        CourierWeekRequest(returns_log=week_log(tmp_path, 30), solution_limit=20),
        control=Control(time_limit_s=1),
    )
    assert CourierResult.from_json(json.loads(json.dumps(day.to_json()))) == day
    assert CourierWeekResult.from_json(json.loads(json.dumps(week.to_json()))) == week
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    runs = [{"id": r["id"], "kind": r["kind"], "result": r["result"]} for r in week_project.runs()]
    panel.set_runs(runs, select=day.run_id)
    shown = panel.shown_html()
    lang = language()
    for name in ("direct", "hub"):
        assert text("courier_plan_routes", lang, plan=text(f"plan_{name}", lang)) in shown
    panel.set_runs(runs, select=week.run_id)
    shown = panel.shown_html()
    assert text("courier_frontier", lang) in shown and text("courier_van_km", lang) in shown
    assert str(week.measures["crates_moved"]) in shown
    image = panel.details.document().resource(
        QTextDocument.ResourceType.ImageResource.value, QUrl(CHART_URL)
    )
    assert image is not None and not image.isNull()
    html = build_report(week_project, "en")
    assert (
        "Trade-off: van-km against the share home in time" in html
        and "data:image/png;base64," in html
    )


def test_workbook_has_a_sheet_per_van_day_with_one_row_per_visit(week_project, tmp_path):  # noqa: F811
    week = run_courier_week(
        week_project,
        CourierWeekRequest(returns_log=week_log(tmp_path, 30), solution_limit=20),
        control=Control(time_limit_s=1),
    )
    path = write_courier_xlsx(week, tmp_path / "week.xlsx", "en")
    book = load_workbook(path)
    summary, *sheets = book.worksheets
    if week.dropped:  # what is not home, and why, on a last sheet
        assert sheets.pop().max_row == len(week.dropped) + 1
    assert len(sheets) == len(week.routes) == summary.max_row - 1
    for ws, route in zip(sheets, week.routes, strict=True):
        rows = pd.DataFrame(list(ws.iter_rows(min_row=2, values_only=True)))
        assert len(rows) == len(route["stops"]) + 2  # leave depot, each visit once, back at depot
        libs = list(rows[2])[1:-1]
        assert all(a != b for a, b in zip(libs, libs[1:], strict=False))
        assert set(rows[0]) == {route["day"]}


def test_the_courier_form_plans_a_week_with_its_unit_costs_and_refuses_a_day_name(
    qtbot, week_project, tmp_path  # noqa: F811
):
    from models.control import Control as _Control
    from planner.errors import PlannerError
    from ui.job_forms import CourierForm
    from ui.strings import tr

    form = CourierForm()
    qtbot.addWidget(form)
    form.returns_log.setText(str(week_log(tmp_path, 20)))
    form.time_limit.setValue(1.0)
    form.day.setText("周一")
    with pytest.raises(PlannerError) as err:  # a plain message naming the field, before any run
        form.job(week_project.path)
    assert err.value.field == tr("day") and "周一" in err.value.text("zh")
    form.day.setText("")
    form.week.setChecked(True)
    form.unit_costs[0].setValue(10.0)  # per km
    result = form.job(week_project.path).fn(week_project, _Control())
    m = result.measures
    assert m["unit_costs"]["per_km"] == 10.0
    assert m["cost_total"] == pytest.approx(
        m["van_km"] * 10 + m["van_hours"] * 60 + m["van_days"] * 150, rel=0.01
    )
