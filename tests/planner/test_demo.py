"""`planner demo` end to end, run the way a new user runs it: from a wheel, from another folder."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from planner.store import Project
from tests.support.paths import DATA, ROOT

OFFICIAL = {
    row["name_zh"]: int(row["population"])
    for row in csv.DictReader((DATA / "districts_2021.csv").open(encoding="utf-8"))
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
    )
    (path,) = out.glob("*.whl")
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory, wheel) -> tuple[Path, subprocess.CompletedProcess]:
    """Install the wheel (without dependencies: they are in this venv) into a folder of its own,
    and run `python -m planner demo` from an unrelated working directory."""
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)], check=True
    )
    work = tmp_path_factory.mktemp("elsewhere")
    env = {**os.environ, "PYTHONPATH": str(site), "PLANNER_LANG": "zh"}
    proc = subprocess.run(
        [sys.executable, "-m", "planner", "demo", "--out", "out", "--seconds", "8"],
        cwd=work, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return work / "out", proc


def test_wheel_carries_the_embedded_data_and_map_assets(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "gis_data/wenzhou.gpkg" in names
    assert any(n.startswith("planner/assets/") and n.endswith(".js") for n in names)
    assert not any(n.startswith("tests/") for n in names)


def test_demo_ran_from_the_installed_wheel_not_the_source_tree(demo):
    out, proc = demo
    # The demo ran with the wheel's copy first on sys.path, in a folder with no source tree.
    assert not (out.parent / "planner").exists()
    assert (out / "demo.planner").is_file()


def test_summary_gives_every_district_with_its_official_population(demo):
    out, _ = demo
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = {row["district"]: row for row in summary["districts"]}
    assert set(rows) == set(OFFICIAL)
    for name, row in rows.items():
        assert row["population"] == OFFICIAL[name] and isinstance(row["population"], int)
        assert 0 <= row["covered_population"] <= row["population"]
        assert row["share"] == pytest.approx(row["covered_population"] / row["population"], abs=1e-3)


def test_fair_siting_never_lowers_a_district_and_lifts_the_worst(demo):
    out, _ = demo
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = summary["districts"]
    assert len(summary["siting"]["new_sites"]) == 10
    for row in rows:
        assert row["after_siting"]["share"] >= row["share"] - 1e-9
    assert min(r["after_siting"]["share"] for r in rows) > min(r["share"] for r in rows)


def test_demo_prints_a_table_and_reports_progress_on_stderr(demo):
    out, proc = demo
    for name in OFFICIAL:
        assert name in proc.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    bus, van = summary["bookmobile"], summary["courier"]
    assert f"{bus['served']}/{bus['asked']}" in proc.stdout and f"{van['served']}/{van['shipments']}" in proc.stdout
    # Captured stderr is not a terminal: plain lines, rising to 100 %, no carriage returns.
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("demo:")]
    percents = [int(ln.split(":")[1].split("%")[0]) for ln in lines]
    assert len(lines) >= 2 and percents[-1] == 100 and percents == sorted(percents)
    assert "\r" not in proc.stderr
    # Solver notes are shown in the user's language, never as raw solver English.
    assert not [ln for ln in lines if re.search(r"objective|neighbours|demand rows|bound ", ln)]


def test_demo_map_needs_no_internet(demo):
    out, _ = demo
    html = (out / "coverage.html").read_text(encoding="utf-8")
    assert "L.map(" in html or "L.map (" in html
    remote = re.findall(r"<(?:script|link)[^>]+(?:src|href)=[\"']?(https?:)?//", html)
    assert remote == []


def test_demo_project_holds_layers_and_runs(demo):
    out, _ = demo
    with Project.open(out / "demo.planner") as project:
        layers = {layer.name for layer in project.layers()}
        assert {"districts", "population", "libraries", "candidates", "stops", "roads"} <= layers
        kinds = {run["kind"] for run in project.runs()}
        assert {"coverage", "siting", "bookmobile", "courier"} <= kinds
        week = project.latest_run("bookmobile")["result"]
        assert week["check"]["feasible"] is True
        # every job ran on the roads imported into the project, and the routes follow them
        assert {run["cost_source"] for run in project.runs()} == {"network"}
        for kind in ("bookmobile", "courier"):
            for route in project.latest_run(kind)["result"]["routes"]:
                path = route["path"]
                assert len(path) > len(route["stops"]) + 2
                assert path[0] == pytest.approx([route["depot"]["lon"], route["depot"]["lat"]], abs=1e-5)
        assert project.db.execute("select count(*) from cache").fetchone()[0] > 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["cost_source"].values()) == {"network"}
