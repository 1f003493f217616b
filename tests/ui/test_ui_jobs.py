"""Running the planner's jobs from the window: clicks on the forms, results in the panel and the
project store, and a long run cancelled while the window stays responsive."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from openpyxl import load_workbook
from PyQt6.QtCore import Qt

from planner.i18n import text
from planner.store import Project
from tests.support.qt import answer_save_dialog, click_run, remote_scripts
from ui.strings import language


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
    assert all(site_id in shown for site_id in result.selected_ids)
    qtbot.waitUntil(lambda: window.layer_panel.item_for("selected") is not None, timeout=10_000)
    # the compare tab offers the run's before and after, side by side
    first_column = [window.compare.model.row(i)[0] for i in range(window.compare.model.rowCount())]
    assert first_column[:2] == ["鹿城区", "龙湾区"] and text("total", language()) in first_column


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


@pytest.fixture
def courier_day(qtbot, window, project_file, tmp_path):  # noqa: F811
    """A courier day run from the form: two vans with one-hour shifts, each with its own pair of
    libraries to serve (L0 → L1 and L2 → L3), so both go out."""
    with Project.open(project_file) as project:
        project.write_table(
            "vans",
            pd.DataFrame(
                {
                    "id": ["van1", "van2"],
                    "name": ["物流车一号", "物流车二号"],
                    "depot_id": ["L0", "L2"],
                    "capacity_crates": [2, 2],
                    "shift_start": ["09:00", "09:00"],
                    "shift_end": ["10:00", "10:00"],
                    "days": ["Mon,Tue,Wed,Thu,Fri"] * 2,
                }
            ),
            role="vans",
        )
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        window.open_project(project_file)
    log = tmp_path / "returns.csv"
    rows = [f"a{i},L1,L0,2026-11-24" for i in range(40)] + [
        f"b{i},L3,L2,2026-11-24" for i in range(40)
    ]
    log.write_text("item_id,owner,returned_at,date\n" + "\n".join(rows) + "\n", encoding="utf-8")
    form = window.forms["courier"]
    form.returns_log.setText(str(log))
    form.time_limit.setValue(1.0)
    result = click_run(qtbot, window, "courier").to_json()
    assert {r["vehicle_name"] for r in result["routes"]} == {"物流车一号", "物流车二号"}
    return result


def test_courier_runs_export_as_a_workbook_with_a_sheet_per_van(
    qtbot,
    window,  # noqa: F811
    courier_day,
    tmp_path,
    monkeypatch,
):
    out = tmp_path / "exports" / "runs"  # the user typed no suffix
    answer_save_dialog(monkeypatch, out)
    with qtbot.waitSignal(window.runner.finished, timeout=30_000):
        window.act_export_courier_xlsx.trigger()
    book = load_workbook(out.with_suffix(".xlsx"))
    summary, *vans = book.worksheets
    assert [ws.title for ws in vans] == [r["vehicle_name"] for r in courier_day["routes"]]
    for ws, route in zip(vans, courier_day["routes"], strict=True):
        places = [row[2] for row in ws.iter_rows(min_row=2, values_only=True)]
        assert places[1:-1] == [stop["name"] for stop in route["stops"]]
        assert places[0] == places[-1] == route["depot"]["name"]  # leaves and returns home
    assert summary.max_row == 1 + len(courier_day["routes"])


def test_a_courier_day_exports_as_an_offline_route_map(
    qtbot,
    window,  # noqa: F811
    courier_day,
    tmp_path,
    monkeypatch,
):
    out = tmp_path / "courier.html"
    answer_save_dialog(monkeypatch, out)
    with qtbot.waitSignal(window.runner.finished, timeout=30_000):
        window.act_export_courier_map.trigger()
    html = out.read_text(encoding="utf-8")
    assert all(route["vehicle_name"] in html for route in courier_day["routes"])
    assert remote_scripts(html) == []


def test_a_courier_day_shows_both_plans_and_the_flow_matrix_in_results(window, courier_day):  # noqa: F811
    html = window.results.shown_html()
    assert text("courier_plans", language()) in html and text("plan_hub", language()) in html
    assert text("flows", language()) in html
    names = {f["from"]: f["from_name"] for f in courier_day["flows"]}
    assert names and all(name in html for name in names.values())


def test_bookmobile_days_in_results_are_named_in_the_window_language(qtbot):
    from ui.results import run_html

    route = {"vehicle_id": "bus1", "vehicle_name": "书巴1号", "day": "Thu", "depart_min": 510, "return_min": 700,
             "distance_km": 12.3, "duration_h": 3.2, "stops": []}
    run = {"id": 1, "kind": "bookmobile", "scenario": None, "result": {"routes": [route], "totals": {}}}
    html = run_html(run)
    assert f"<td>{text('day_Thu', language())}</td>" in html
