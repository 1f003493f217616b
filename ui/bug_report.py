"""Bugs nothing caught: an exception raised in a Qt slot or event handler goes to
sys.excepthook, and PyQt6 aborts the whole application when that is Python's own hook, losing
the table edits. The window's hook instead writes the traceback to a log file, shows it in an
error box (plain words, details to expand) and hands it on to the hook it replaced: stderr
when run by a person, the test's failure under pytest-qt.
"""

from __future__ import annotations

import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import TracebackType

from PyQt6 import sip
from PyQt6.QtCore import QObject, QSettings, pyqtSignal
from PyQt6.QtWidgets import QWidget

from ui.dialogs import show_error
from ui.strings import tr

BUG_LOG = "planner-errors.log"
LOG_LIMIT_BYTES = 1_000_000  # beyond this the log starts afresh, the previous one kept as .old


def bug_log_path(settings: QSettings) -> Path:
    """The log beside the user's settings file; in the temp folder when the settings are not a
    file (the Windows registry)."""
    if settings.format() == QSettings.Format.IniFormat or sys.platform != "win32":
        return Path(settings.fileName()).parent / BUG_LOG
    return Path(tempfile.gettempdir()) / BUG_LOG


class BugReporter(QObject):
    """A sys.excepthook that logs a bug, shows it over `window` and passes it on."""

    _raised = pyqtSignal(object, object)  # the exception, the log it went to (or None)

    def __init__(self, window: QWidget, log_path: Path) -> None:
        super().__init__()  # made in the GUI thread: a bug in another thread is shown from it
        self.window = window
        self.log_path = log_path
        self.previous = sys.excepthook
        self._reporting = False
        self._raised.connect(self._show)

    def install(self) -> BugReporter:
        self.previous = sys.excepthook
        sys.excepthook = self
        return self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self.previous

    def __call__(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        try:
            # Ctrl+C and exit are no bugs; a bug while reporting one is only passed on.
            if isinstance(exc, Exception) and not self._reporting:
                self._reporting = True
                try:
                    if exc.__traceback__ is None:
                        exc = exc.with_traceback(tb)
                    self._raised.emit(exc, self.write_log(exc_type, exc, tb))
                finally:
                    self._reporting = False
        finally:
            self.previous(exc_type, exc, tb)

    def write_log(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> Path | None:
        """Append the traceback to the log, or to one in the temp folder when that cannot be
        written; None when neither can."""
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        entry = f"==== {stamp}\n{''.join(traceback.format_exception(exc_type, exc, tb))}\n"
        for path in (self.log_path, Path(tempfile.gettempdir()) / self.log_path.name):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if path.is_file() and path.stat().st_size > LOG_LIMIT_BYTES:
                    path.replace(path.with_name(path.name + ".old"))
                with path.open("a", encoding="utf-8") as fh:
                    fh.write(entry)
                return path
            except OSError:
                continue
        return None

    def _show(self, exc: BaseException, logged: Path | None) -> None:
        parent = None if sip.isdeleted(self.window) else self.window
        box = show_error(parent, exc)
        if logged is not None and str(logged) not in box.informativeText():
            box.setInformativeText(f"{box.informativeText()}\n\n{tr('bug_logged', path=logged)}")
