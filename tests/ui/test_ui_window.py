"""The desktop window, driven the way a person drives it (clicks and typing, offscreen)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from planner.i18n import LANGUAGES, text
from planner.maps import LEAFLET_JS
from planner.store import Project
from tests.support.paths import ROOT
from tests.support.projects import build_small_project
from tests.support.qt import (
    answer_question,
    answer_save_dialog,
    district_row,
    js,
    remote_scripts,
    type_into_cell,
)
from ui import strings
from ui.bug_report import BUG_LOG, BugReporter
from ui.dialogs import ERROR_BOX
from ui.main_window import MainWindow


def test_opening_a_project_shows_its_tables_layers_and_map(qtbot, window):
    assert window.table_models["libraries"].rowCount() == 4
    assert window.table_models["stops"].rowCount() == 4
    assert window.table_models["bookmobiles"].rowCount() == 1
    assert window.layer_panel.item_for("libraries:study_room") is not None
    assert js(qtbot, window, "plannerVisible('stops')") is True
    assert js(qtbot, window, "plannerVisible('population')") is False  # off by default: dense
    assert "测试项目" in window.windowTitle()
    assert window.map_view.page().errors == []


def test_the_recent_projects_menu_lists_the_open_project_in_the_window_language(
    qtbot, window, project_file
):
    assert window.menu_recent.title() == "最近的项目"
    assert [a.text() for a in window.menu_recent.actions()] == [str(project_file.resolve())]
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        window.set_language("en")
    assert window.menu_recent.title() == "Recent projects"


def test_a_time_window_that_ends_before_it_starts_is_refused(qtbot, window):
    model = window.table_models["stops"]
    type_into_cell(qtbot, window, "stops", "tw_end", 0, "08:00")  # the window starts at 09:00
    assert model.value(0, "tw_end") == "12:00"
    assert window.edit_message.isVisible()
    assert "早于" in window.edit_message.text() and "08:00" in window.edit_message.text()
    assert not window.dirty and window.undo_stack.count() == 0


def test_negative_numbers_and_unknown_days_are_refused(qtbot, window):
    stops, buses = window.table_models["stops"], window.table_models["bookmobiles"]
    type_into_cell(qtbot, window, "stops", "service_min", 1, "-30")
    assert stops.value(1, "service_min") == 60
    assert "负数" in window.edit_message.text()
    type_into_cell(qtbot, window, "bookmobiles", "days", 0, "Mon,Funday")
    assert buses.value(0, "days") == "Mon,Tue,Wed,Thu,Fri"
    assert not window.dirty


def test_a_whole_number_too_large_to_store_is_refused(qtbot, window):
    buses = window.table_models["bookmobiles"]
    type_into_cell(qtbot, window, "bookmobiles", "capacity_crates", 0, "1e20")
    assert buses.value(0, "capacity_crates") == 40
    assert "太大" in window.edit_message.text() and not window.dirty


def test_undo_restores_a_valid_edit_and_save_writes_it_to_the_project(qtbot, window, project_file):
    model = window.table_models["stops"]
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    assert model.value(0, "service_min") == 90 and window.dirty
    window.act_undo.trigger()
    assert model.value(0, "service_min") == 60
    window.act_redo.trigger()
    type_into_cell(qtbot, window, "stops", "tw_end", 0, "12:30")
    window.act_save.trigger()
    assert not window.dirty
    with Project.open(project_file) as project:
        stops = project.read_layer("stops")
    assert stops.loc[0, "service_min"] == 90 and stops.loc[0, "tw_end"] == "12:30"
    assert stops.loc[1, "service_min"] == 60


def test_a_save_the_full_disk_stops_halfway_keeps_every_edit_for_the_next_save(
    qtbot, window, project_file
):
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    vans = window.table_models["vans"]
    long_name = "温州市图书馆通借通还物流车" * 8_000  # ~300 KB: more than the disk has left
    assert vans.setData(vans.index(0, vans.columns().index("name")), long_name)
    before = hashlib.sha256(project_file.read_bytes()).digest()
    pages = window.project.db.execute("PRAGMA page_count").fetchone()[0]
    # SQLite's own limit, as on a full disk: the stops (written first) still fit, the vans not.
    window.project.db.execute(f"PRAGMA max_page_count = {pages + 4}")
    window.act_save.trigger()
    assert "磁盘已满" in close_error_box(window)
    assert hashlib.sha256(project_file.read_bytes()).digest() == before
    assert window.table_models["stops"].dirty and vans.dirty and window.dirty
    assert "*" in window.windowTitle() and not window.undo_stack.isClean()

    window.project.db.execute("PRAGMA max_page_count = 1073741823")  # space freed
    window.act_save.trigger()
    assert not window.dirty and window.undo_stack.isClean()
    with Project.open(project_file) as project:
        assert project.read_layer("stops").loc[0, "service_min"] == 90
        assert project.read_table("vans").loc[0, "name"] == long_name


def test_unticking_a_layer_hides_it_on_the_map(qtbot, window):
    item = window.layer_panel.item_for("stops")
    item.setCheckState(0, Qt.CheckState.Unchecked)
    qtbot.waitUntil(lambda: js(qtbot, window, "plannerVisible('stops')") is False, timeout=5000)
    item.setCheckState(0, Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: js(qtbot, window, "plannerVisible('stops')") is True, timeout=5000)


def click_feature(qtbot, win: MainWindow, feature_id: str) -> list:
    """A real mouse click where the feature is drawn; the (table, id) the map reported."""
    point = js(
        qtbot,
        win,
        """(function () {
        var found = null;
        Object.keys(plannerGroups).forEach(function (k) { plannerGroups[k].eachLayer(function (g) {
            if (g.eachLayer) g.eachLayer(function (f) {
                if (f.feature && f.feature.properties._key === FEATURE_ID) found = f.getLatLng(); }); }); });
        var map = Object.values(window).find(function (v) { return v instanceof L.Map; });
        var p = map.latLngToContainerPoint(found); return [p.x, p.y]; })()""".replace(
            "FEATURE_ID", repr(feature_id)
        ),
    )
    target = win.map_view.focusProxy() or win.map_view
    pos = QPoint(round(point[0]), round(point[1]))
    with qtbot.waitSignal(win.map_view.featureClicked, timeout=5000) as clicked:
        QTest.mouseMove(target, pos)
        qtbot.wait(50)
        QTest.mousePress(target, Qt.MouseButton.LeftButton, pos=pos)
        qtbot.wait(50)
        QTest.mouseRelease(target, Qt.MouseButton.LeftButton, pos=pos)
    return clicked.args


def test_clicking_a_library_on_the_map_selects_its_row(qtbot, window):
    assert click_feature(qtbot, window, "L2") == ["libraries", "L2"]  # 南塘书房
    view = window.table_views["libraries"]
    assert window.data_tabs.currentWidget() is view
    assert [i.row() for i in view.selectionModel().selectedRows()] == [2]
    assert click_feature(qtbot, window, "S3") == ["stops", "S3"]
    assert window.data_tabs.currentWidget() is window.table_views["stops"]


def test_a_file_that_is_not_a_project_gives_a_plain_message_and_keeps_the_open_one(
    qtbot, window, tmp_path
):
    bad = tmp_path / "notes.planner"
    bad.write_text("not a database", encoding="utf-8")
    assert not window.open_project(bad)
    box = window.findChild(QMessageBox, ERROR_BOX)
    assert box is not None and box.isVisible()
    assert "不是规划项目文件" in box.text()
    box.close()
    assert window.project is not None and window.table_models["libraries"].rowCount() == 4


def test_switching_to_english_retranslates_the_window(qtbot, window):
    window.language_actions["en"].trigger()
    assert window.menu_file.title() == "&File"
    assert window.job_tabs.tabText(0) == "Coverage"
    model = window.table_models["stops"]
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert "Window start" in headers
    window.language_actions["zh"].trigger()
    assert window.job_tabs.tabText(0) == "覆盖分析"


def test_the_window_remembers_its_last_project_and_layout(qtbot, window, project_file):
    window.close()
    assert Path(window.settings.value("last_project")) == project_file.resolve()
    assert window.settings.value("geometry") is not None
    assert str(project_file.resolve()) in [a.text() for a in window.menu_recent.actions()]




def _route(vehicle: str, day: str, km: float, hours: float, stops: list[dict]) -> dict:
    depot = {"id": "L0", "name": "温州市图书馆", "lon": 120.63, "lat": 28.00}
    return {
        "vehicle_id": vehicle,
        "vehicle_name": vehicle,
        "day": day,
        "depot": depot,
        "depart_min": 510,
        "return_min": 510 + hours * 60,
        "distance_km": km,
        "duration_h": hours,
        "break": None,
        "stops": stops,
    }


def test_results_panel_and_compare_show_stored_runs_side_by_side(qtbot, window, project_file):
    with Project.open(project_file) as project:
        for covered in ((500.0, 400.0), (700.0, 600.0)):
            project.add_run(
                "coverage",
                {
                    "threshold": 900.0,
                    "unit": "s",
                    "mode": "walk",
                    "cost_source": "straight-line",
                    "kinds": [],
                    "by_district": [
                        district_row("鹿城区", 1000.0, covered[0]),
                        district_row("龙湾区", 800.0, covered[1]),
                    ],
                    "total": {
                        "population": 1800.0,
                        "covered": sum(covered),
                        "share": sum(covered) / 1800.0,
                    },
                    "equity": {
                        "gini": 0.1,
                        "theil": 0.05,
                        "worst_district": "龙湾区",
                        "worst_share": 0.5,
                        "p90_cost": 800.0,
                    },
                    "scenario": "baseline",
                },
                scenario="baseline",
            )
    window.reload_runs()
    assert window.results.model.rowCount() == 2
    assert "鹿城区" in window.results.shown_html() and "70.0%" in window.results.shown_html()
    compare = window.compare
    rows = {compare.model.row(i)[0]: compare.model.row(i) for i in range(compare.model.rowCount())}
    assert rows["鹿城区"][1:] == ["50.0%", "70.0%", "+20.0"]  # older on the left
    assert rows[strings.tr("total")][1:] == ["50.0%", "72.2%", "+22.2"]  # the city total
    assert rows[strings.tr("gini_seats")][1:] == ["0.100", "0.100", "+0.000"]
    assert rows[strings.tr("worst")][1:3] == ["龙湾区 50.0%", "龙湾区 50.0%"]
    assert strings.tr("gini_note") == compare.note.text()
    bars = compare.figure.axes[0].patches
    assert sorted(round(b.get_height(), 1) for b in bars) == [50.0, 50.0, 70.0, 75.0]


def test_compare_routes_by_vehicle_hours_and_kilometres(qtbot, window, project_file):
    stop = {
        "id": "S0",
        "name": "江滨广场",
        "lon": 120.64,
        "lat": 28.01,
        "arrival_min": 540,
        "start_min": 540,
        "departure_min": 600,
        "load_after": 0,
        "action": "serve",
        "detail": "",
    }
    with Project.open(project_file) as project:
        for km in (30.0, 24.0):
            project.add_run(
                "bookmobile",
                {
                    "kind": "bookmobile",
                    "cost_source": "straight-line",
                    "routes": [
                        _route("bus1", "Mon", km, 5.0, [stop]),
                        _route("bus1", "Tue", 10.0, 3.0, [stop]),
                    ],
                    "dropped": [],
                    "totals": {
                        "vehicles": 1,
                        "distance_km": km + 10,
                        "duration_h": 8.0,
                        "served": 2,
                        "dropped": 0,
                    },
                    "check": {"feasible": True, "violations": []},
                },
            )
    window.reload_runs()
    rows = [window.compare.model.row(i) for i in range(window.compare.model.rowCount())]
    assert rows[0] == ["bus1", 40.0, 34.0, 8.0, 8.0]
    assert len(window.compare.figure.axes) == 2
    assert "校验通过" in window.results.shown_html()


def test_cancel_stops_a_job_while_the_window_keeps_ticking(qtbot, window):
    """A cooperative job (checks the cancel flag every 10 ms, as solvers do between steps)."""
    from ui.workers import Job

    def long_job(project, control):
        while True:
            control.check()
            control.report(min(control.elapsed_s() / 60.0, 1.0), "working")
            time.sleep(0.01)

    ticks = []
    window.tick.timeout.connect(lambda: ticks.append(time.monotonic()))
    assert window.start_job(Job("long", long_job, window.project.path))
    qtbot.wait(800)
    assert len(ticks) >= 5  # the event loop ran the 100 ms timer while the job worked
    assert window.progress.isVisible() and "秒" in window.elapsed_label.text()
    asked = time.monotonic()
    with qtbot.waitSignal(window.runner.cancelled, timeout=2000):
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    assert time.monotonic() - asked < 1.0
    assert not window.runner.busy and window.forms["coverage"].run_button.isEnabled()


def test_a_users_mistake_in_a_job_shows_its_plain_message(qtbot, window):
    from ui.workers import Job

    job = Job("read", lambda project, control: project.read_layer("roads"), window.project.path)
    with qtbot.waitSignal(window.runner.failed, timeout=5000):
        window.start_job(job)
    box = window.findChild(QMessageBox, ERROR_BOX)
    assert box is not None and box.isVisible()
    assert "没有图层" in box.text() and "roads" in box.text() and not box.detailedText()
    box.close()


def test_a_bug_in_a_job_shows_details_and_is_reported_as_an_exception(qtbot, window):
    from ui.workers import Job

    job = Job("bug", lambda project, control: {"share": 1 / 0}, window.project.path)
    with qtbot.capture_exceptions() as raised, qtbot.waitSignal(window.runner.failed, timeout=5000):
        window.start_job(job)
    assert [type(e[1]) for e in raised] == [ZeroDivisionError]
    box = window.findChild(QMessageBox, ERROR_BOX)
    assert "ZeroDivisionError" in box.detailedText() and "内部错误" in box.text()
    box.close()


def test_import_dialog_previews_a_table_and_guesses_the_field_mapping(qtbot, window, tmp_path):
    from ui.dialogs import ImportDialog

    csv = tmp_path / "rooms.csv"
    csv.write_text(
        "ID,name,Lng,latitude,kind\nR1,五马书房,120.65,28.02,study_room\nR2,江心屿书房,120.64,28.03,study_room\n",
        encoding="utf-8",
    )
    dialog = ImportDialog(window, csv)
    qtbot.addWidget(dialog)
    dialog.role.setCurrentIndex(dialog.role.findData("libraries"))
    assert dialog.preview_model.rowCount() == 2 and dialog.preview_model.row(0)[1] == "五马书房"
    request = dialog.request()
    assert request.role == "libraries" and request.name == "libraries"
    assert request.columns == {
        "lon": "Lng",
        "lat": "latitude",
        "id": "ID",
        "name": "name",
        "kind": "kind",
    }


def test_restyling_a_kind_recolours_its_markers_and_is_remembered(qtbot, window):
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=10_000):
        window.set_layer_colour("libraries:study_room", "#123456")
    fill = js(
        qtbot,
        window,
        "(function () { var c = null; plannerGroups['libraries:study_room'].eachLayer(function (g) {"
        " g.eachLayer(function (f) { c = f.options.fillColor; }); }); return c; })()",
    )
    assert fill == "#123456"
    assert window.settings.value("colours/libraries|study_room") == "#123456"
    assert (
        window.layer_panel.item_for("libraries:study_room")
        .icon(0)
        .pixmap(8, 8)
        .toImage()
        .pixelColor(4, 4)
        .name()
        == "#123456"
    )


def test_importing_a_csv_through_the_dialog_replaces_a_layer_in_the_map_and_tables(
    qtbot, window, tmp_path
):
    csv = tmp_path / "rooms.csv"
    csv.write_text(
        "编号,名称,经度,纬度,类型\nR1,五马书房,120.65,28.02,study_room\nR2,江心屿书房,120.64,28.03,study_room\n",
        encoding="utf-8",
    )
    dialog = window.import_dialog(csv)
    qtbot.addWidget(dialog)
    dialog.role.setCurrentIndex(dialog.role.findData("candidates"))
    dialog.name.setText("candidates")  # replaces the project's candidate sites
    for target, source in (("lon", "经度"), ("lat", "纬度"), ("id", "编号"), ("name", "名称")):
        combo = dialog.mapping[target]
        combo.setCurrentIndex(combo.findData(source))
    asked = answer_question(qtbot, strings.tr("button_replace"))  # it replaces a layer
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        dialog.ok_button.click()
    assert asked and "candidates" in asked[0]
    with Project.open(window.project.path) as project:
        rooms = project.read_layer("candidates")
    assert list(rooms["id"]) == ["R1", "R2"] and rooms.geometry.x.tolist() == [120.65, 120.64]
    model = window.table_models["candidates"]
    assert model.rowCount() == 2 and model.value(0, "name") == "五马书房"
    assert window.layer_panel.item_for("candidates").text(1) == "2"


def test_importing_over_an_edited_table_keeps_the_imported_layer(qtbot, window, tmp_path):
    type_into_cell(qtbot, window, "candidates", "name", 0, "旧候选点")
    csv = tmp_path / "rooms.csv"
    csv.write_text(
        "编号,名称,经度,纬度\nR1,五马书房,120.65,28.02\nR2,江心屿书房,120.64,28.03\n",
        encoding="utf-8",
    )
    dialog = window.import_dialog(csv)
    qtbot.addWidget(dialog)
    dialog.role.setCurrentIndex(dialog.role.findData("candidates"))
    dialog.name.setText("candidates")
    for target, source in (("lon", "经度"), ("lat", "纬度"), ("id", "编号"), ("name", "名称")):
        combo = dialog.mapping[target]
        combo.setCurrentIndex(combo.findData(source))
    answer_question(qtbot, strings.tr("button_replace"))
    with qtbot.waitSignal(window.runner.finished, timeout=20_000):  # saving redraws the map too
        dialog.ok_button.click()
    with Project.open(window.project.path) as project:
        assert list(project.read_layer("candidates")["id"]) == ["R1", "R2"]
    assert window.table_models["candidates"].rowCount() == 2 and not window.dirty


def test_the_latest_results_are_drawn_on_the_map(qtbot, window, project_file):
    stop = {
        "id": "S0",
        "name": "江滨广场",
        "lon": 120.64,
        "lat": 28.01,
        "arrival_min": 540,
        "start_min": 540,
        "departure_min": 600,
        "load_after": 0,
        "action": "serve",
        "detail": "",
    }
    site = {"id": "C3", "name": "候选点3", "lon": 120.65, "lat": 28.0, "district": "鹿城区"}
    before = [district_row("鹿城区", 1000.0, 100.0), district_row("龙湾区", 800.0, 700.0)]
    with Project.open(project_file) as project:
        project.add_run("coverage", {"by_district": before, "total": {}, "equity": {}})
        project.add_run(
            "siting",
            {"model": "fair", "p": 1, "selected": [site], "before": before, "after": before},
        )
        project.add_run(
            "bookmobile", {"routes": [_route("bus1", "Mon", 12.0, 4.0, [stop])], "totals": {}}
        )
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        window.refresh_map()
    assert window.layer_panel.item_for("selected").text(1) == "1"
    assert window.layer_panel.item_for("bookmobile_routes").text(1) == "1"
    fills = js(
        qtbot,
        window,
        "(function () { var out = {}; plannerGroups['districts'].eachLayer(function (g) {"
        " if (g.eachLayer) g.eachLayer(function (f) { out[f.feature.properties.name] = f.options.fillColor; }); });"
        " return out; })()",
    )
    assert fills["鹿城区"] != fills["龙湾区"]  # 10% and 87.5% covered: different shades
    assert window.map_view.page().errors == []


def test_the_population_grid_draws_when_ticked_and_does_not_block_clicks(qtbot, window):
    window.layer_panel.item_for("population").setCheckState(0, Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: js(qtbot, window, "plannerVisible('population')") is True, timeout=5000)
    assert js(qtbot, window, "plannerGroups['population'].getLayers().length") == 80
    assert (
        js(
            qtbot,
            window,
            "getComputedStyle(document.querySelector('.leaflet-population-pane')).pointerEvents",
        )
        == "none"
    )
    assert window.map_view.page().errors == []
    assert click_feature(qtbot, window, "L1") == [
        "libraries",
        "L1",
    ]  # the canvas lets clicks through




def close_error_box(win: MainWindow) -> str:
    """The text of the error box the window shows, which is then closed."""
    boxes = [b for b in win.findChildren(QMessageBox, ERROR_BOX) if b.isVisible()]
    assert len(boxes) == 1
    message = boxes[0].text()
    boxes[0].close()
    return message


def names_in(html: str, *names: str) -> set[str]:
    """Which of `names` a page shows (as text, or \\u-escaped in its embedded JSON)."""
    return {name for name in names if name in html or json.dumps(name)[1:-1] in html}






def stored_service_min(path: Path) -> int:
    with Project.open(path) as project:
        return int(project.read_layer("stops").loc[0, "service_min"])


def test_save_as_writes_the_unsaved_edits_into_the_copy_and_continues_in_it(
    qtbot, window, project_file, tmp_path, monkeypatch
):
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    assert window.dirty
    copy = tmp_path / "variants" / "plan_b.planner"
    answer_save_dialog(monkeypatch, copy.with_suffix(""))  # the user typed no suffix
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        window.act_save_as.trigger()
    with Project.open(copy) as project:
        assert project.read_layer("stops").loc[0, "service_min"] == 90
        assert {layer.name for layer in project.layers()} >= {"districts", "libraries", "stops"}
        assert project.read_table("vans").loc[0, "id"] == "van1"
    with Project.open(project_file) as project:
        assert project.read_layer("stops").loc[0, "service_min"] == 60  # as last saved
    assert window.project.path == copy and not window.dirty
    assert "plan_b.planner" in window.windowTitle() and window.windowFilePath() == str(copy)
    assert window.table_models["stops"].value(0, "service_min") == 90
    assert str(copy.resolve()) == window.settings.value("last_project")


def test_save_as_refuses_to_overwrite_the_open_file(qtbot, window, project_file, monkeypatch):
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    before = hashlib.sha256(project_file.read_bytes()).digest()
    answer_save_dialog(monkeypatch, project_file)
    window.act_save_as.trigger()
    lang = strings.language()
    assert close_error_box(window) == text("save_as_same_file", lang, path=project_file)
    assert hashlib.sha256(project_file.read_bytes()).digest() == before
    assert window.project.path == project_file and window.dirty  # the edit is still there


def test_a_save_as_that_cannot_be_written_keeps_the_edits_in_the_open_project(
    qtbot, window, project_file, tmp_path, monkeypatch
):
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    blocker = tmp_path / "usb"
    blocker.write_text("a file where the folder should be")
    answer_save_dialog(monkeypatch, blocker / "plan_b.planner")
    window.act_save_as.trigger()
    message = close_error_box(window)
    assert str(blocker / "plan_b.planner") in message and ".saving" not in message
    assert window.project.path == project_file and window.dirty
    assert window.table_models["stops"].value(0, "service_min") == 90
    window.act_save.trigger()
    with Project.open(project_file) as project:
        assert project.read_layer("stops").loc[0, "service_min"] == 90


def test_route_exports_before_any_run_say_which_run_is_missing(qtbot, window, monkeypatch):
    asked = answer_save_dialog(monkeypatch, Path("never.html"))
    exports = (
        ("courier", window.act_export_courier_xlsx),
        ("courier", window.act_export_courier_map),
        ("bookmobile", window.act_export_bookmobile_map),
        ("bookmobile", window.act_export_timetable),
    )
    for lang in LANGUAGES:
        with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
            window.set_language(lang)
        for kind, action in exports:
            action.trigger()
            message = close_error_box(window)
            assert message == text("no_run", lang, kind=text(f"kind_{kind}", lang))
            assert text(f"kind_{kind}", lang) in message
    assert asked == [] and not window.runner.busy  # refused before asking for a file


def test_the_exported_map_shows_a_table_edit_not_saved_yet(
    qtbot, window, project_file, tmp_path, monkeypatch
):
    type_into_cell(qtbot, window, "libraries", "name", 2, "五马街书房")  # was 南塘书房
    assert window.dirty
    out = tmp_path / "map.html"
    answer_save_dialog(monkeypatch, out)
    with qtbot.waitSignal(window.runner.finished, timeout=30_000):
        window.act_export_map.trigger()
    html = out.read_text(encoding="utf-8")
    assert names_in(html, "五马街书房", "南塘书房") == {"五马街书房"}
    assert not window.dirty  # saved first, as before a run
    with Project.open(project_file) as project:
        assert project.read_layer("libraries").loc[2, "name"] == "五马街书房"


def test_the_bookmobile_week_exports_as_an_offline_route_map(
    qtbot, window, project_file, tmp_path, monkeypatch
):
    stop = {
        "id": "S1",
        "name": "状元小学",
        "lon": 120.61,
        "lat": 27.99,
        "arrival_min": 930,
        "start_min": 930,
        "departure_min": 990,
        "load_after": 0,
        "action": "serve",
        "detail": "",
    }
    with Project.open(project_file) as project:
        project.add_run(
            "bookmobile", {"routes": [_route("书巴一号", "Mon", 12.0, 4.0, [stop])], "totals": {}}
        )
    out = tmp_path / "exports" / "week.html"
    answer_save_dialog(monkeypatch, out)
    with qtbot.waitSignal(window.runner.finished, timeout=30_000):
        window.act_export_bookmobile_map.trigger()
    html = out.read_text(encoding="utf-8")
    assert "状元小学" in html and "书巴一号" in html
    assert remote_scripts(html) == []
    assert LEAFLET_JS.read_text(encoding="utf-8")[:200] in html  # Leaflet inlined, not fetched


def test_a_save_as_copy_that_cannot_be_opened_leaves_the_window_on_the_original_with_its_edits(
    qtbot, window, project_file, tmp_path, monkeypatch
):
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    copy = tmp_path / "plan_b.planner"
    answer_save_dialog(monkeypatch, copy)
    connect = sqlite3.connect

    def refuse_the_copy(database, *args, **kwargs):
        # As when the USB stick is pulled out just after the copy was written.
        if Path(str(database)).name == copy.name:
            raise sqlite3.OperationalError("unable to open database file")
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", refuse_the_copy)
    window.act_save_as.trigger()
    message = close_error_box(window)
    assert str(copy) in message and "无法打开" in message and "尚未保存到原项目" in message
    assert window.project.path == project_file and window.dirty
    assert "*" in window.windowTitle() and not window.undo_stack.isClean()
    assert window.table_models["stops"].value(0, "service_min") == 90
    monkeypatch.undo()
    with Project.open(copy) as project:  # the copy itself was written
        assert project.read_layer("stops").loc[0, "service_min"] == 90
    window.act_save.trigger()
    with Project.open(project_file) as project:
        assert project.read_layer("stops").loc[0, "service_min"] == 90


# ---- files we may not write ----------------------------------------------------------------
def test_a_project_whose_backup_cannot_be_written_opens_and_says_so(qtbot, window, tmp_path):
    other = build_small_project(tmp_path / "other.planner")
    (tmp_path / "other.planner.bak").mkdir()  # refused even to root
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        assert window.open_project(other)
    message = window.statusBar().currentMessage()
    assert "备份" in message and "other.planner.bak" in message
    assert window.project.path == other and "只读" not in window.windowTitle()


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root ignores file permissions (run as a user, or under `unshare --user`)",
)
def test_a_read_only_project_opens_and_a_save_says_the_file_is_read_only(qtbot, window, tmp_path):
    other = build_small_project(tmp_path / "attachment.planner")
    other.chmod(0o444)
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        assert window.open_project(other)
    assert "只读" in window.windowTitle() and "只读" in window.statusBar().currentMessage()
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    window.act_save.trigger()
    message = close_error_box(window)
    assert str(other) in message and "只读" in message
    assert window.dirty and window.table_models["stops"].value(0, "service_min") == 90
    assert stored_service_min(other) == 60
    window.discard_edits()
    window.forms["coverage"].run_button.click()  # a result it could not store: not computed
    assert "只读" in close_error_box(window) and not window.runner.busy


def test_save_as_a_name_whose_suffixed_file_exists_asks_before_replacing_it(
    qtbot, window, project_file, tmp_path, monkeypatch
):
    """The dialog only asked about `plan_b`; `plan_b.planner` is another plan."""
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    existing = tmp_path / "plan_b.planner"
    existing.write_bytes(b"another plan")
    answers = iter([tmp_path / "plan_b", tmp_path / "plan_c"])
    starts: list[str] = []

    def ask(_parent, _title, start="", filters="", *_rest):
        starts.append(start)
        return str(next(answers)), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    asked = answer_question(qtbot, "另选文件名")  # "no": back to the dialog
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        window.act_save_as.trigger()
    assert asked == [text("replace_file", "zh", path=existing)]
    assert existing.read_bytes() == b"another plan"
    assert starts[1] == str(existing)  # the dialog came back on the name it asked about
    assert window.project.path == tmp_path / "plan_c.planner" and not window.dirty

    answers = iter([tmp_path / "plan_b"])
    answer_question(qtbot, "替换")
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        window.act_save_as.trigger()
    assert window.project.path == existing
    with Project.open(existing) as project:
        assert project.read_layer("stops").loc[0, "service_min"] == 90


# ---- closing -----------------------------------------------------------------------------
def test_closing_with_unsaved_edits_asks_and_save_keeps_them(qtbot, window, project_file):
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    asked = answer_question(qtbot, "保存")
    assert window.close()
    assert asked == [text("close_unsaved", "zh", name="测试项目")]
    assert not window.isVisible() and window.project is None
    assert stored_service_min(project_file) == 90
    assert window.settings.value("geometry") is not None  # the layout is still remembered


def test_closing_and_not_saving_leaves_the_file_as_last_saved(qtbot, window, project_file):
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        window.set_language("en")
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    asked = answer_question(qtbot, "Don't save")
    assert window.close()
    assert asked == [text("close_unsaved", "en", name="测试项目")]
    assert stored_service_min(project_file) == 60


def test_cancel_on_closing_keeps_the_window_and_its_edits(qtbot, window, project_file):
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    asked = answer_question(qtbot, "取消")
    assert not window.close()
    assert len(asked) == 1 and window.isVisible() and window.project is not None
    assert window.dirty and window.table_models["stops"].value(0, "service_min") == 90
    assert stored_service_min(project_file) == 60


def test_a_save_that_fails_on_closing_shows_why_and_keeps_the_window_open(
    qtbot, window, project_file
):
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    vans = window.table_models["vans"]
    assert vans.setData(vans.index(0, vans.columns().index("name")), "物流车" * 100_000)
    pages = window.project.db.execute("PRAGMA page_count").fetchone()[0]
    window.project.db.execute(f"PRAGMA max_page_count = {pages + 4}")  # the disk is full
    answer_question(qtbot, "保存")
    assert not window.close()
    assert "磁盘已满" in close_error_box(window)
    assert window.isVisible() and window.project is not None and window.dirty
    assert window.table_models["stops"].value(0, "service_min") == 90
    assert stored_service_min(project_file) == 60

    window.project.db.execute("PRAGMA max_page_count = 1073741823")  # space freed
    answer_question(qtbot, "保存")
    assert window.close()
    assert stored_service_min(project_file) == 90


# ---- bugs nobody caught ------------------------------------------------------------------
REPO = ROOT


def run_python(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_a_bug_in_a_slot_is_logged_and_shown_and_the_window_keeps_its_edits(
    qtbot, window, tmp_path
):
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    log = tmp_path / "settings" / BUG_LOG
    button = QPushButton(window)
    button.clicked.connect(lambda: {}["no such key"])  # a slot with a bug
    with qtbot.capture_exceptions() as raised:
        reporter = BugReporter(window, log).install()
        try:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        finally:
            reporter.uninstall()
    assert [type(e[1]) for e in raised] == [KeyError]  # pytest-qt still saw it: tests still fail
    box = next(b for b in window.findChildren(QMessageBox, ERROR_BOX) if b.isVisible())
    assert "内部错误" in box.text() and "表格修改仍在窗口中" in box.text()
    assert "KeyError" in box.detailedText() and str(log) in box.informativeText()
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert "no such key" in log.read_text(encoding="utf-8")
    box.close()
    assert window.isVisible() and window.dirty
    assert window.table_models["stops"].value(0, "service_min") == 90


def test_a_bug_in_a_job_is_shown_once_with_the_log_it_went_to(qtbot, window, tmp_path):
    from ui.workers import Job

    log = tmp_path / BUG_LOG
    job = Job("bug", lambda project, control: {"share": 1 / 0}, window.project.path)
    with qtbot.capture_exceptions() as raised:
        reporter = BugReporter(window, log).install()
        try:
            with qtbot.waitSignal(window.runner.failed, timeout=5000):
                window.start_job(job)
        finally:
            reporter.uninstall()
    assert [type(e[1]) for e in raised] == [ZeroDivisionError]
    boxes = [b for b in window.findChildren(QMessageBox, ERROR_BOX) if b.isVisible()]
    assert len(boxes) == 1 and str(log) in boxes[0].informativeText()
    assert "ZeroDivisionError" in log.read_text(encoding="utf-8")
    boxes[0].close()


def test_a_bug_in_another_thread_is_shown_by_the_window(qtbot, window, tmp_path):
    log = tmp_path / BUG_LOG

    def worker() -> None:
        try:
            [][1]
        except IndexError:
            sys.excepthook(*sys.exc_info())  # what PyQt does with a bug in a thread's slot

    with qtbot.capture_exceptions() as raised:
        reporter = BugReporter(window, log).install()
        try:
            thread = threading.Thread(target=worker)
            thread.start()
            thread.join()
            qtbot.waitUntil(
                lambda: any(b.isVisible() for b in window.findChildren(QMessageBox, ERROR_BOX)),
                timeout=5000,
            )
        finally:
            reporter.uninstall()
    assert [type(e[1]) for e in raised] == [IndexError]
    box = next(b for b in window.findChildren(QMessageBox, ERROR_BOX) if b.isVisible())
    assert box.thread() is window.thread()  # made in the GUI thread, not the worker's
    assert "IndexError" in box.detailedText()
    box.close()


SLOT_WITH_A_BUG = """
import sys
from pathlib import Path
from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication, QMainWindow
from ui.bug_report import BugReporter

app = QApplication([])
window = QMainWindow()
window.show()
BugReporter(window, Path(sys.argv[1])).install()
QTimer.singleShot(0, lambda: {}["no such key"])
QTimer.singleShot(300, lambda: print("still running", flush=True) or app.quit())
sys.exit(app.exec())
"""


def test_the_application_goes_on_after_a_bug_in_a_slot(tmp_path):
    """Without the hook PyQt6 aborts the process here, edits and all."""
    script = tmp_path / "app.py"
    script.write_text(SLOT_WITH_A_BUG, encoding="utf-8")
    log = tmp_path / "settings" / BUG_LOG
    done = run_python([str(script), str(log)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "still running" in done.stdout
    assert "KeyError" in done.stderr  # passed on to Python's own hook too
    assert "no such key" in log.read_text(encoding="utf-8")


BUGGY_TEST = """
from pathlib import Path
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QMainWindow, QPushButton
from ui.bug_report import BugReporter


def test_a_slot_with_a_bug(qtbot, tmp_path):
    window = QMainWindow()
    qtbot.addWidget(window)
    BugReporter(window, tmp_path / "bugs.log").install()  # as the application does
    button = QPushButton(window)
    button.clicked.connect(lambda: 1 / 0)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "bugs.log").is_file()
"""


def test_with_the_hook_installed_a_bug_in_a_slot_still_fails_the_test(tmp_path):
    (tmp_path / "test_buggy.py").write_text(BUGGY_TEST, encoding="utf-8")
    done = run_python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_buggy.py"], tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed" in done.stdout and "ZeroDivisionError" in done.stdout


def test_opening_another_project_asks_about_unsaved_edits_and_cancel_stays(qtbot, window, project_file, tmp_path):
    other = build_small_project(tmp_path / "other.planner")
    type_into_cell(qtbot, window, "stops", "service_min", 0, "90")
    asked = answer_question(qtbot, text("cancel", "zh"))
    assert not window.open_project(other)
    assert asked == [text("close_unsaved", "zh", name="测试项目")]
    assert window.project.path == project_file and window.dirty
    asked = answer_question(qtbot, text("button_discard", "zh"))
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        assert window.open_project(other)
    assert len(asked) == 1 and window.project.path == other and not window.dirty
    assert stored_service_min(project_file) == 60
