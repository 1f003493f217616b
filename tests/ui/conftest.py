"""The window on a small project, shared by the GUI tests."""
from __future__ import annotations

from pathlib import Path

import pytest
from PyQt6.QtCore import QSettings

from tests.support.projects import build_small_project
from ui import strings
from ui.app import application
from ui.main_window import MainWindow


# ---- the window ------------------------------------------------------------------------
@pytest.fixture
def project_file(tmp_path) -> Path:
    return build_small_project(tmp_path / "small.planner")


@pytest.fixture
def window(qtbot, tmp_path, project_file) -> MainWindow:
    application()
    strings.set_language("zh")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    # Closing asks about unsaved edits; at the end of a test nobody answers, so drop them.
    qtbot.addWidget(win, before_close_func=lambda w: w.discard_edits())
    win.show()
    with qtbot.waitSignal(win.map_view.mapLoaded, timeout=20_000):
        assert win.open_project(project_file)
    yield win
    win.runner.cancel()
    win.runner.wait(5000)
