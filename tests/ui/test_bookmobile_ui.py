"""The GUI's bookmobile pieces: the plan-range control feeds the same job as the CLI, and a
re-plan's change list shows in the results panel with names kept as text."""

from __future__ import annotations

from datetime import date

from PyQt6.QtCore import QDate

from models.control import Control
from planner.jobs.bookmobile import run_bookmobile_plan
from planner.jobs.bookmobile_contract import BookmobileRequest, BookmobileResult, Unavailable
from planner.run_results import typed_result
from planner.store import Project
from tests.support.projects import bookmobile_project
from ui.bookmobile_views import DateRangeEdit, changes_html
from ui.job_forms import BookmobileForm
from ui.results import run_html


def test_date_range_control(qtbot):
    widget = DateRangeEdit()
    qtbot.addWidget(widget)
    assert widget.start().weekday() == 0 and widget.start() > date.today()
    widget.first.setDate(QDate(2026, 9, 28))
    widget.count.setValue(4)
    assert (widget.start(), widget.weeks()) == (date(2026, 9, 28), 4)


def test_form_runs_the_plan_and_results_show_the_change_list(qtbot, tmp_path):
    form = BookmobileForm()
    qtbot.addWidget(form)
    form.dates.first.setDate(QDate(2026, 10, 12))
    form.time_limit.setValue(2)
    bookmobile_project(tmp_path / "ui.planner").close()
    with Project.open(tmp_path / "ui.planner") as project:
        job = form.job(tmp_path / "ui.planner")
        result = job.fn(project, Control())
        assert result["from"] == "2026-10-12" and result["visits"]
        again = run_bookmobile_plan(project, BookmobileRequest(
            replan_run_id=result["run_id"], lock_until=date(2026, 10, 12),
            unavailable=(Unavailable("bus2", date(2026, 10, 12), date(2026, 10, 18)),), time_limit_s=2,
            solution_limit=100))
        run = project.run(again.run_id)
    html = run_html(run)
    assert again.changes and all(c.from_bus == "bus2" for c in again.changes if c.kind == "cancelled")
    assert changes_html(typed_result(run)) in html and html.count("<tr>") > len(again.changes)


def test_change_names_stay_text():
    result = {"changes": [{"kind": "moved", "stop": "x", "name": "<b>村</b>", "from_date": "2026-10-12",
                           "from_bus": "bus1", "from_arrive": "09:00", "to_date": "2026-10-13", "to_bus": "bus1",
                           "to_arrive": "09:00"}]}
    html = changes_html(BookmobileResult.from_json(result))
    assert "&lt;b&gt;村" in html and "<b>" not in html
    assert changes_html(BookmobileResult.from_json({})) == ""
