"""Running the planner's jobs from the window: clicks on the forms, results in the panel and the
project store, and a long run cancelled while the window stays responsive."""

from __future__ import annotations

import time

from PyQt6.QtCore import Qt

from planner.store import Project
from tests.test_ui_window import project_file, window  # noqa: F401 - fixtures


def click_run(qtbot, window, key: str, timeout_ms: int = 60_000):  # noqa: F811
    form = window.forms[key]
    window.job_tabs.setCurrentWidget(form)
    with qtbot.waitSignal(window.runner.finished, timeout=timeout_ms) as done:
        qtbot.mouseClick(form.run_button, Qt.MouseButton.LeftButton)
    return done.args[1]


def test_coverage_run_from_the_form_lands_in_results_and_store(qtbot, window, project_file):  # noqa: F811
    result = click_run(qtbot, window, "coverage")
    with Project.open(project_file) as project:
        runs = project.runs("coverage")
    assert len(runs) == 1 and runs[0]["result"]["total"] == result["total"]
    assert {r["district"] for r in runs[0]["result"]["by_district"]} == {"鹿城区", "龙湾区"}
    assert (
        window.results.model.rowCount() == 1 and window.results.selected_run_id() == runs[0]["id"]
    )
    shown = window.results.shown_html()
    for row in result["by_district"]:
        assert row["district"] in shown and f"{row['share']:.1%}" in shown


def test_small_siting_job_from_the_form_shows_the_new_sites(qtbot, window, project_file):  # noqa: F811
    form = window.forms["siting"]
    form.p.setValue(2)
    form.time_limit.setValue(5.0)
    result = click_run(qtbot, window, "siting")
    with Project.open(project_file) as project:
        stored = project.latest_run("siting")
    assert stored is not None and len(stored["result"]["selected"]) == 2
    shown = window.results.shown_html()
    assert all(site["id"] in shown for site in result["selected"])
    qtbot.waitUntil(lambda: window.layer_panel.item_for("selected") is not None, timeout=10_000)
    # the compare tab offers the run's before and after, side by side
    assert window.compare.model.rowCount() == 2


def test_cancelling_a_long_bookmobile_week_stops_it_and_the_window_stays_responsive(qtbot, window):  # noqa: F811
    form = window.forms["bookmobile"]
    form.time_limit.setValue(60.0)
    window.job_tabs.setCurrentWidget(form)
    ticks: list[float] = []
    window.tick.timeout.connect(lambda: ticks.append(time.monotonic()))
    qtbot.mouseClick(form.run_button, Qt.MouseButton.LeftButton)
    assert window.runner.busy
    qtbot.wait(1500)
    assert len(ticks) >= 8  # the 100 ms timer kept running on the GUI thread
    assert max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) < 0.5
    asked = time.monotonic()
    with qtbot.waitSignal(window.runner.cancelled, timeout=3000):
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    assert time.monotonic() - asked < 2.0
    assert "取消" in window.statusBar().currentMessage()
