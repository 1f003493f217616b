"""Driving the window as a person does: typing into cells, answering dialogs, clicking Run,
reading the map page."""
from __future__ import annotations

import re
import time
from pathlib import Path

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QInputMethodEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox

from ui.main_window import MainWindow


def js(qtbot, win: MainWindow, code: str):
    """The value of a JavaScript expression in the map page."""
    box: list = []
    win.map_view.page().runJavaScript(code, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5000)
    return box[0]


def type_into_cell(qtbot, win: MainWindow, table: str, column: str, row: int, text: str) -> None:
    """Double-click a cell, replace its text, press Enter: what a person does."""
    view = win.table_views[table]
    model = win.table_models[table]
    win.data_tabs.setCurrentWidget(view)
    index = model.index(row, model.columns().index(column))
    view.scrollTo(index)
    rect = view.visualRect(index)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor = view.viewport().findChild(QLineEdit) or view.findChild(QLineEdit)
    assert editor is not None and editor.isVisible()
    editor.selectAll()
    if text.isascii():
        qtbot.keyClicks(editor, text)
    else:  # Chinese arrives from the input method as committed text, not as key presses
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(editor, event)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: view.viewport().findChild(QLineEdit) is None, timeout=2000
    )  # Qt commits queued


# ---- runs ------------------------------------------------------------------------------
def district_row(name: str, population: float, covered: float) -> dict:
    return {
        "district": name,
        "population_official": None,
        "population": population,
        "covered": covered,
        "share": covered / population,
    }


def answer_question(qtbot, label: str) -> list[str]:
    """Click the button labelled `label` on the next question the window asks (it waits for
    the answer); returns the questions' texts as they are asked."""
    asked: list[str] = []
    deadline = time.monotonic() + 10.0

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if time.monotonic() < deadline:
                QTimer.singleShot(20, click)
            return
        asked.append(box.text())
        buttons = [b for b in box.buttons() if b.text() == label]
        (buttons[0] if buttons else box.escapeButton()).click()  # never leave the test hanging
        if not buttons:
            asked.append(f"no button {label!r} among {[b.text() for b in box.buttons()]}")

    QTimer.singleShot(0, click)
    return asked


def click_run(qtbot, window, key: str, timeout_ms: int = 60_000):  # noqa: F811
    form = window.forms[key]
    window.job_tabs.setCurrentWidget(form)
    with qtbot.waitSignal(window.runner.finished, timeout=timeout_ms) as done:
        qtbot.mouseClick(form.run_button, Qt.MouseButton.LeftButton)
    return done.args[1]


# ---- saving as and exporting -------------------------------------------------------------
def answer_save_dialog(monkeypatch, path: Path) -> list[str]:
    """Qt's save dialog answers `path` (typed without a suffix if so given); returns the titles
    it was opened with."""
    asked: list[str] = []

    def ask(_parent, title, _start="", filters="", *_rest):
        asked.append(title)
        return str(path), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    return asked


def remote_scripts(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^\"' >]*", html, re.I)
