"""The Plan tab: years, budget and growth table from the window run the phased plan job and
store one coverage run per year; a bad growth cell is a plain message, not the crash box."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QTableWidgetItem

from planner.errors import PlannerError
from planner.store import Project
from tests.support.qt import click_run
from ui.plan_tab import parse_growth


def test_plan_tab_runs_the_phased_plan(qtbot, window, project_file):  # noqa: F811
    form = window.forms["plan"]
    form.first_year.setValue(2026)
    form.last_year.setValue(2027)
    form.budget.setValue(1.0)
    form.time_limit.setValue(10.0)
    qtbot.mouseClick(form.add_row, Qt.MouseButton.LeftButton)
    form.growth.setItem(0, 0, QTableWidgetItem("龙湾区"))
    form.growth.setItem(0, 2, QTableWidgetItem("1.5"))
    result = click_run(qtbot, window, "plan")
    assert [y.year for y in result.years] == [2026, 2027]
    assert all(len(y.opened) <= 1 for y in result.years)  # 1.0 a year, sites cost 1.0
    with Project.open(project_file) as project:
        stored = project.latest_run("plan")
        scenarios = {r["scenario"] for r in project.runs("coverage")}
    assert stored["params"]["growth"] == {"龙湾区": [1.0, 1.5]}
    assert {"plan 2026", "plan 2027"} <= scenarios
    shown = window.results.shown_html()
    assert "分期规划" in shown and "2027" in shown
    # The compare view shows the plan as a timeline: one row per year.
    timeline = [k for k, e in enumerate(window.compare._entries) if e.family == "timeline"]
    assert timeline
    window.compare.choose(timeline[0], timeline[0])
    assert window.compare.model.rowCount() == 2


def test_bad_growth_cell_names_its_row_and_year():
    with pytest.raises(PlannerError) as err:
        parse_growth([("甲", ["1", "lots"])], (2026, 2027))
    assert err.value.field == "2027" and err.value.row == 1


def test_siting_form_runs_the_target_model_and_shows_the_frontier(qtbot, window, project_file):  # noqa: F811
    form = window.forms["siting"]
    form.model.setCurrentIndex(form.model.findData("target"))
    form.target.setValue(0.3)
    form.frontier_steps.setValue(3)
    form.time_limit.setValue(10.0)
    result = click_run(qtbot, window, "siting")
    assert result.p is None and result.parameters["target"] == 0.3
    assert result.covered_share >= 0.3 and result.frontier
    shown = window.results.shown_html()
    assert "target = 0.3" in shown and "效率—公平前沿" in shown
    # The compare view draws the frontier, one row per plan on it.
    drawn = [k for k, e in enumerate(window.compare._entries) if e.family == "frontier"]
    window.compare.choose(drawn[0], drawn[0])
    assert window.compare.model.rowCount() == len(result.frontier)
    assert window.compare.figure.axes and window.compare.figure.axes[0].lines
