"""The window fits a 1280×720 screen with its progress bar and Cancel in view, and shows no
English from Qt or from the solvers in the Chinese interface."""

from __future__ import annotations

import re

from PyQt6.QtCore import QRect
from PyQt6.QtWidgets import QDialogButtonBox

from ui import strings
from ui.qt_language import qt_translations_dir

LATIN = re.compile(r"[A-Za-z]")


def test_the_window_fits_1280_by_720_with_progress_and_cancel_in_view(qtbot, window):  # noqa: F811
    hint = window.minimumSizeHint()
    assert hint.height() <= 720 and hint.width() <= 1280
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.height() == 720, timeout=3000)
    window._show_running(True, strings.tr("job_coverage"))
    try:
        qtbot.waitUntil(lambda: window.cancel_button.isVisible(), timeout=3000)
        inside = QRect(0, 0, window.width(), window.height())
        for widget in (window.progress, window.cancel_button):
            place = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
            assert widget.isVisible() and inside.contains(place), widget.objectName()
    finally:
        window._show_running(False)
    canvas = window.compare.canvas  # the compare chart keeps a readable size in a narrow dock
    assert canvas.minimumWidth() >= 400 and canvas.minimumHeight() >= 300


def test_qt_buttons_are_chinese_in_the_chinese_window(qtbot, window):  # noqa: F811
    assert (qt_translations_dir() / "qtbase_zh_CN.qm").is_file()
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    qtbot.addWidget(buttons)
    texts = [b.text() for b in buttons.buttons()]
    assert texts and not any(LATIN.search(t.replace("&", "")) for t in texts), texts
    window.set_language("en")
    english = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
    qtbot.addWidget(english)
    assert english.buttons()[0].text().replace("&", "") == "OK"
    assert window.compare.views.tabText(1) == "Chart"  # the compare view follows the switch
    window.set_language("zh")


def test_solver_notes_show_as_chinese_progress_text(qtbot, window):  # noqa: F811
    window._show_running(True, strings.tr("job_courier"))
    try:
        for note, key in (
            ("objective 8140408.7", "progress_routes"),
            ("neighbours", "progress_neighbours"),
        ):
            window._progress(0.5, note)
            shown = window.progress_label.text()
            assert strings.tr(key) in shown and note not in shown
            assert not LATIN.search(shown)
        window._progress(0.6, "something the window does not know")
        assert "something" not in window.progress_label.text()
    finally:
        window._show_running(False)
