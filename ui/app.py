"""Starting the desktop application: Qt set-up, the main window with its hook for bugs (shown
and logged, not fatal), and the screenshot mode that renders the window with a project loaded
to a PNG (for checking what a person sees)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

#: Chinese first: the UI font must have CJK glyphs or Chinese shows as boxes.
UI_FONTS = [
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
]
SCREENSHOT_SIZE = (1280, 720)  # a small laptop screen: what must fit
SCREENSHOT_SETTLE_S = 1.5  # after the map page loads, let Leaflet draw
SCREENSHOT_TIMEOUT_S = 900.0  # the demo project may have to be built first


def _prepare_environment(offscreen: bool) -> None:
    if offscreen:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium refuses to run its sandbox as root (containers, CI).
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def application():  # -> QApplication
    """The QApplication, made once, with our names (QSettings uses them) and a CJK font."""
    from PyQt6 import QtWebEngineWidgets  # noqa: F401 - must be loaded before the QApplication
    from PyQt6.QtCore import QCoreApplication, Qt
    from PyQt6.QtGui import QFont, QFontDatabase
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        app = QApplication(sys.argv[:1])
    app.setOrganizationName("WenzhouLibrary")
    app.setApplicationName("LibraryNetworkPlanner")
    families = set(QFontDatabase.families())
    family = next((f for f in UI_FONTS if f in families), None)
    if family is not None:
        font = QFont(family, 10)
        app.setFont(font)
    return app


def run_gui(
    project: Path | None = None, screenshot: Path | None = None, lang: str | None = None
) -> int:
    """Open the window on `project` (the demo project when None); with `screenshot`, save the
    window with the map drawn to that PNG and exit 0."""
    _prepare_environment(offscreen=screenshot is not None)
    app = application()
    from PyQt6.QtCore import QSettings

    from ui.bug_report import BugReporter, bug_log_path
    from ui.main_window import MainWindow

    if screenshot is not None:
        # A throwaway settings file: the picture must not depend on (or change) the user's layout.
        scratch = tempfile.TemporaryDirectory(prefix="planner-shot-")
        settings = QSettings(str(Path(scratch.name) / "settings.ini"), QSettings.Format.IniFormat)
    else:
        settings = QSettings()
    window = MainWindow(settings)
    # A bug in a slot is shown and logged instead of aborting the application with the edits.
    reporter = BugReporter(window, bug_log_path(settings)).install()
    try:
        return _show_window(app, window, project, screenshot, lang)
    finally:
        reporter.uninstall()


def _show_window(
    app, window, project: Path | None, screenshot: Path | None, lang: str | None
) -> int:  # noqa: ANN001
    """Show the window on the project, then run the event loop (or take the screenshot)."""
    from PyQt6.QtWidgets import QMessageBox

    if lang is not None:
        window.set_language(lang)
    if screenshot is not None:
        window.resize(*SCREENSHOT_SIZE)
        window.fit_docks()
    window.show()
    opened = window.open_project(project) if project is not None else window.open_demo()
    if not opened and screenshot is not None:
        box = window.findChild(QMessageBox)
        print(box.text() if box is not None else f"cannot open {project}", file=sys.stderr)
        return 2
    if screenshot is not None:
        return _screenshot(app, window, screenshot)
    return app.exec()


def _screenshot(app, window, out: Path) -> int:  # noqa: ANN001 - Qt objects made above
    """Wait until the project is open and its map has loaded and settled, then grab."""
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QMessageBox

    state = {"loaded_at": None, "status": 0}
    started = time.monotonic()

    def on_loaded(ok: bool) -> None:
        if window.project is not None:
            state["loaded_at"] = time.monotonic()

    def poll() -> None:
        now = time.monotonic()
        ready = (
            state["loaded_at"] is not None
            and not window.map_view.loading
            and not window.runner.busy
            and now - state["loaded_at"] >= SCREENSHOT_SETTLE_S
        )
        if not ready and now - started < SCREENSHOT_TIMEOUT_S:
            return
        if not ready:
            state["status"] = 1
            print("the map did not finish loading; saving what is shown", file=sys.stderr)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out), "PNG"):
            state["status"] = 1
        timer.stop()
        window.close()
        app.exit(state["status"])

    def on_failed(*_: object) -> None:
        box = window.findChild(QMessageBox)
        print(box.text() if box is not None else "the project could not be built", file=sys.stderr)
        timer.stop()
        app.exit(2)

    window.map_view.mapLoaded.connect(on_loaded)
    window.runner.failed.connect(on_failed)
    window.runner.cancelled.connect(on_failed)
    timer = QTimer(window)
    timer.setInterval(200)
    timer.timeout.connect(poll)
    timer.start()
    return app.exec()
