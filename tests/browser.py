"""Headless Chromium for tests: load a local page with no network and read back what the page
itself computed (its DOM after scripts ran), or take a screenshot."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    # No network at all: any http(s) request the page makes fails instead of loading.
    "--proxy-server=127.0.0.1:9",
    "--virtual-time-budget=5000",
]


def _run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    assert CHROMIUM, "chromium is not installed (scripts/install-system.sh installs it)"
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=timeout,
        )


def dump_dom(page: Path) -> str:
    """The page's DOM after its scripts ran."""
    return _run(["--dump-dom", page.resolve().as_uri()]).stdout


def screenshot(page: Path, png: Path, size: str = "1200,900") -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    _run([f"--screenshot={png}", f"--window-size={size}", page.resolve().as_uri()])
    return png


def print_pdf(page: Path, pdf: Path) -> Path:
    _run(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.resolve().as_uri()])
    return pdf
