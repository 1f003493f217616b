"""Headless Chromium, offline: the one way the planner (report PDF, map pictures) and its tests
start the browser, so every run has the same no-network flags."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

#: Flags for a browser that can reach nothing: any http(s) request fails at once (a proxy that
#: is not there), no name resolves, and Chromium's own background traffic is off.
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def chromium() -> str | None:
    """The installed headless browser, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run_chromium(args: list[str], timeout_s: float) -> subprocess.CompletedProcess[str] | None:
    """Run Chromium offline with a fresh profile and `args`; None when it is not installed."""
    browser = chromium()
    if browser is None:
        return None
    with tempfile.TemporaryDirectory(prefix="planner-chromium-") as profile:
        return subprocess.run(
            [browser, *OFFLINE_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
