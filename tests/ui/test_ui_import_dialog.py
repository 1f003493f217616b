"""The import dialog says truthfully which column is read as what (Chinese headers too), asks
before replacing a layer, and offers the GCJ-02 datum as the command line does."""

from __future__ import annotations

from planner.store import Project
from tests.support.qt import answer_question
from ui import strings

ROOMS = "编号,名称,经度,纬度,类型\nR1,五马书房,120.65,28.02,城市书房\nR2,江心屿书房,120.64,28.03,城市书房\n"


def test_chinese_headers_show_as_the_fields_the_importer_reads(qtbot, window, tmp_path):  # noqa: F811
    csv = tmp_path / "rooms.csv"
    csv.write_text(ROOMS, encoding="utf-8")
    dialog = window.import_dialog(csv)
    qtbot.addWidget(dialog)
    dialog.role.setCurrentIndex(dialog.role.findData("libraries"))
    shown = {target: combo.currentText() for target, combo in dialog.mapping.items()}
    assert shown["lon"] == "经度" and shown["lat"] == "纬度" and shown["id"] == "编号"
    assert shown["name"] == "名称" and shown["kind"] == "类型"
    dialog.reject()


def test_replacing_a_layer_is_asked_and_gcj02_is_converted(qtbot, window, tmp_path):  # noqa: F811
    csv = tmp_path / "rooms.csv"
    csv.write_text(ROOMS, encoding="utf-8")
    dialog = window.import_dialog(csv)
    qtbot.addWidget(dialog)
    dialog.role.setCurrentIndex(dialog.role.findData("candidates"))
    dialog.name.setText("candidates")
    asked = answer_question(qtbot, strings.tr("button_other_name"))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert "candidates" in asked[0] and dialog.isVisible() and not window.runner.busy
    with Project.open(window.project.path) as project:
        assert len(project.read_layer("candidates")) == 12  # untouched
    dialog.name.setText("rooms_gcj")  # a new layer: nothing to ask
    dialog.datum.setCurrentIndex(dialog.datum.findData("gcj02"))
    with qtbot.waitSignal(window.runner.finished, timeout=20_000):
        dialog.ok_button.click()
    with Project.open(window.project.path) as project:
        rooms = project.read_layer("rooms_gcj")
    # GCJ-02 lies about 0.005° east of WGS84 around Wenzhou: converted back, lon is smaller
    assert 0.002 < 120.65 - rooms.geometry.x.iloc[0] < 0.008
