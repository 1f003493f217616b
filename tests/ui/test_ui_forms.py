"""A user's mistake in a job form is a plain message naming the field, never the internal-error
box; coverage with no service kind ticked is refused instead of storing 0 %."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QMessageBox

from planner.i18n import text
from ui.dialogs import ERROR_BOX
from ui.strings import language


def _error_box(qtbot, window) -> QMessageBox:  # noqa: F811
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, ERROR_BOX) is not None, timeout=3000)
    return window.findChild(QMessageBox, ERROR_BOX)


def test_typing_a_weekday_in_the_courier_date_is_a_plain_message_naming_the_field(qtbot, window):  # noqa: F811
    form = window.forms["courier"]
    runs_before = len(window.project.runs())
    for typed in ("周一", "Mon"):
        form.day.setText(typed)
        qtbot.mouseClick(form.run_button, Qt.MouseButton.LeftButton)
        box = _error_box(qtbot, window)
        assert box.icon() == QMessageBox.Icon.Warning and not box.detailedText()  # no traceback
        assert text("day", language()) in box.text() and typed in box.text()
        box.close()
        box.deleteLater()
        qtbot.waitUntil(lambda: window.findChild(QMessageBox, ERROR_BOX) is None, timeout=3000)
    assert not window.runner.busy and len(window.project.runs()) == runs_before
    assert form.day.placeholderText() == text("any_day", language())
    assert "2026-" in text("any_day", "zh") and "全部" not in text("any_day", "zh")


def test_coverage_with_no_service_kind_ticked_is_refused_with_a_plain_message(qtbot, window):  # noqa: F811
    form = window.forms["coverage"]
    for i in range(form.kinds.count()):
        form.kinds.item(i).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(form.run_button, Qt.MouseButton.LeftButton)
    box = _error_box(qtbot, window)
    assert text("kinds", language()) in box.text() and not box.detailedText()
    assert not window.runner.busy and window.project.runs("coverage") == []


def test_the_siting_floor_is_a_percentage_and_the_budget_has_its_unit(qtbot):
    from ui.job_forms import SitingForm
    from ui.strings import tr

    form = SitingForm()
    qtbot.addWidget(form)
    form.floor.lineEdit().selectAll()
    qtbot.keyClicks(form.floor.lineEdit(), "30")
    form.floor.interpretText()
    form.budget.setValue(4.5)  # three sites in the urban core, cost 1.5 each
    assert form.floor.suffix().strip() == "%" and form.params().floor == 0.3
    assert form.params().budget == 4.5 and form.budget.suffix() == tr("budget_unit")
    assert "cost" in form.budget.toolTip()


def test_a_floor_with_a_model_that_takes_none_is_a_plain_message(qtbot, window):  # noqa: F811
    form = window.forms["siting"]
    form.model.setCurrentIndex(form.model.findData("mclp"))
    form.floor.setValue(30.0)
    qtbot.mouseClick(form.run_button, Qt.MouseButton.LeftButton)
    box = _error_box(qtbot, window)
    assert text("floor", language()) in box.text() and not box.detailedText()
    assert not window.runner.busy
