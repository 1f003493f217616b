"""The one way long work runs: a planner function in a QThread, reporting through signals.

The worker opens its own connection to the project file (SQLite connections belong to the
thread that made them), hands the function a models.control.Control whose progress becomes a
signal and whose cancel Event the Cancel button sets, and reports exactly one of finished,
cancelled or failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QObject, QThread, pyqtSignal, pyqtSlot

from models.control import Cancelled, Control
from planner.store import Project

JobFunction = Callable[[Project | None, Control], Any]


@dataclass(frozen=True)
class Job:
    """What to run: `fn(project, control)` on the project at `project_path` (None: no project)."""

    title: str
    fn: JobFunction
    project_path: Path | None
    stores_run: bool = False  # the function records a run in the project


class _Worker(QObject):
    progress = pyqtSignal(float, str)
    finished = pyqtSignal(object)
    cancelled = pyqtSignal()
    failed = pyqtSignal(object)

    def __init__(self, job: Job, control: Control) -> None:
        super().__init__()
        self.job = job
        self.control = control
        self._last_report = 0.0

    def report(self, fraction: float, message: str) -> None:
        """Forward progress to the GUI thread, at most 20 times a second (solvers may call
        this far more often, and a flooded event queue is a frozen window)."""
        now = time.monotonic()
        if now - self._last_report >= 0.05 or fraction >= 1.0:
            self._last_report = now
            self.progress.emit(fraction, message)

    @pyqtSlot()
    def run(self) -> None:
        try:
            if self.job.project_path is None:
                result = self.job.fn(None, self.control)
            else:
                with Project.open(self.job.project_path) as project:
                    result = self.job.fn(project, self.control)
        except Cancelled:
            self.cancelled.emit()
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI thread
            self.failed.emit(exc)
        else:
            # A solver that saw the cancel flag may return its best result so far; the user
            # asked to stop, so say so rather than pretend it ran to the end.
            if self.control.cancelled:
                self.cancelled.emit()
            else:
                self.finished.emit(result)


class JobRunner(QObject):
    """Runs one Job at a time off the GUI thread; the window binds its progress bar to it."""

    started = pyqtSignal(object)  # Job
    progress = pyqtSignal(float, str)
    finished = pyqtSignal(object, object, float)  # Job, result, seconds
    cancelled = pyqtSignal(object, float)  # Job, seconds
    failed = pyqtSignal(object, object)  # Job, exception

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._control: Control | None = None
        self._job: Job | None = None
        self._started_at = 0.0

    @property
    def busy(self) -> bool:
        return self._thread is not None

    @property
    def job(self) -> Job | None:
        return self._job

    def elapsed_s(self) -> float:
        return time.monotonic() - self._started_at if self.busy else 0.0

    def start(self, job: Job) -> None:
        if self.busy:
            raise RuntimeError("a job is already running")
        self._job = job
        self._control = Control()
        worker = _Worker(job, self._control)
        self._control.progress = worker.report
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self.progress)
        worker.finished.connect(self._on_finished)
        worker.cancelled.connect(self._on_cancelled)
        worker.failed.connect(self._on_failed)
        self._thread, self._worker = thread, worker
        self._started_at = time.monotonic()
        thread.start()
        self.started.emit(job)

    def cancel(self) -> None:
        """Ask the running job to stop; solvers check the flag at least once a second."""
        if self._control is not None:
            self._control.cancel.set()

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Block until the worker thread has ended (for closing the window and for tests)."""
        return self._thread.wait(timeout_ms) if self._thread is not None else True

    def _finish(self) -> tuple[Job, float]:
        job, seconds = self._job, self.elapsed_s()
        assert self._thread is not None and job is not None
        self._thread.quit()
        self._thread.wait()
        self._thread.deleteLater()
        if self._worker is not None:
            self._worker.deleteLater()
        self._thread = self._worker = self._control = self._job = None
        return job, seconds

    def _on_finished(self, result: object) -> None:
        job, seconds = self._finish()
        self.finished.emit(job, result, seconds)

    def _on_cancelled(self) -> None:
        job, seconds = self._finish()
        self.cancelled.emit(job, seconds)

    def _on_failed(self, exc: BaseException) -> None:
        job, _ = self._finish()
        self.failed.emit(job, exc)
