"""`planner gui PROJECT --screenshot FILE.png`: what a person sees, rendered offscreen."""

from __future__ import annotations

import os
import subprocess
import sys

from PyQt6.QtGui import QColor, QImage

from tests.support.projects import build_small_project


def test_screenshot_renders_the_window_with_the_project_and_its_map(tmp_path):
    project = build_small_project(tmp_path / "small.planner")
    out = tmp_path / "shots" / "window.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "--lang",
            "zh",
            "gui",
            str(project),
            "--screenshot",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)  # a small laptop screen
    # The centre is the map: the project's libraries are drawn there in their kinds' colours.
    centre = {
        image.pixelColor(x, y).getRgb()[:3]
        for x in range(image.width() // 4, 3 * image.width() // 4)
        for y in range(image.height() // 8, 5 * image.height() // 8)
    }
    red = QColor("#d7301f").getRgb()[:3]  # the central library's marker
    assert any(sum(abs(a - b) for a, b in zip(c, red, strict=True)) < 40 for c in centre)
    assert len(centre) > 20


def test_screenshot_of_a_file_that_is_not_a_project_exits_2_with_the_reason(tmp_path):
    bad = tmp_path / "budget.planner"
    bad.write_bytes(b"PK\x03\x04 a spreadsheet, renamed")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "--lang",
            "zh",
            "gui",
            str(bad),
            "--screenshot",
            str(tmp_path / "x.png"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "不是规划项目文件" in proc.stderr
    assert not (tmp_path / "x.png").exists()
