"""Progress on stderr for the CLI: a tqdm bar fed by a models.control.Control, and Ctrl-C
turned into a cancel request so the solver stops cleanly instead of being killed."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm

from models.control import Control, ProgressCallback
from planner.progress_text import progress_text


@contextmanager
def cli_control(description: str, time_limit_s: float | None = None) -> Iterator[Control]:
    """A Control whose progress draws a bar on stderr, its notes in the user's language
    (`planner --lang`); the first Ctrl-C asks to cancel."""
    if sys.stderr.isatty():
        bar = tqdm(total=1000, desc=description, file=sys.stderr, leave=False,
                   bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed} {postfix}")
        progress, close = _bar_progress(bar), bar.close
    else:
        progress, close = _line_progress(description), lambda: None
    control = Control(progress=progress, time_limit_s=time_limit_s)
    previous = None
    if threading.current_thread() is threading.main_thread():

        def on_sigint(signum: int, frame: object) -> None:
            if control.cancel.is_set():
                raise KeyboardInterrupt
            control.cancel.set()

        previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield control
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        close()


def _bar_progress(bar: tqdm) -> ProgressCallback:
    """Redraw a terminal bar, at most every `bar.mininterval` seconds and at the end."""
    lock = threading.Lock()
    last = [0.0]

    def progress(fraction: float, message: str) -> None:
        with lock:
            bar.n = int(round(fraction * 1000))
            bar.set_postfix_str(_shown(message), refresh=False)
            now = time.monotonic()
            if now - last[0] >= bar.mininterval or fraction >= 1.0:
                last[0] = now
                bar.refresh()

    return progress


def _line_progress(description: str, every_s: float = 2.0) -> ProgressCallback:
    """Where stderr is a log file or a pipe: one plain line every few seconds and at the end,
    instead of carriage returns that pile up in the file."""
    lock = threading.Lock()
    started = time.monotonic()
    last = [-every_s]

    def progress(fraction: float, message: str) -> None:
        with lock:
            now = time.monotonic() - started
            if now - last[0] >= every_s or fraction >= 1.0:
                last[0] = now
                print(f"{description}: {fraction * 100:3.0f}% {now:6.1f} s {_shown(message)}".rstrip(), file=sys.stderr,
                      flush=True)

    return progress


#: The language progress notes are shown in; the CLI sets it from --lang.
_LANGUAGE = [os.environ.get("PLANNER_LANG", "zh")]


def set_progress_language(lang: str) -> None:
    _LANGUAGE[0] = lang


def _shown(note: str) -> str:
    """A solver's note as the user reads it ("objective 8140408.7" → its meaning), "" if it means nothing."""
    return progress_text(note, _LANGUAGE[0])
