"""How long computations report progress, honour a time limit and learn they should stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ProgressCallback = Callable[[float, str], None]


class Cancelled(Exception):
    """Raised inside a computation when its caller asked it to stop."""


@dataclass
class Control:
    """Progress callback, cancel flag and time limit handed to every long computation.

    `progress(fraction, message)` gets a fraction in [0, 1] that never goes back (a step whose
    own estimate drops keeps the bar where it was); `cancel` is a threading.Event another
    thread (the GUI, a Ctrl-C handler) may set at any time.
    """

    progress: ProgressCallback | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    time_limit_s: float | None = None
    started_at: float = field(default_factory=time.monotonic)
    _shown: float = field(default=0.0, repr=False)

    def report(self, fraction: float, message: str = "") -> None:
        self._shown = max(self._shown, min(max(fraction, 0.0), 1.0))
        if self.progress is not None:
            self.progress(self._shown, message)

    @property
    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def check(self) -> None:
        """Raise Cancelled if the caller asked to stop."""
        if self.cancel.is_set():
            raise Cancelled()

    def elapsed_s(self) -> float:
        return time.monotonic() - self.started_at

    def sub(self, start: float, end: float, time_limit_s: float | None = None) -> Control:
        """A control for one step of a longer job: its progress maps into [start, end] of ours,
        it shares our cancel flag, and its time limit is `time_limit_s` or else ours."""

        def progress(fraction: float, message: str) -> None:
            self.report(start + (end - start) * fraction, message)

        limit = self.time_limit_s if time_limit_s is None else time_limit_s
        return Control(progress=progress, cancel=self.cancel, time_limit_s=limit)


def quiet() -> Control:
    """A control with no progress output, no limit and no way to cancel."""
    return Control()
