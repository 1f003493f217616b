"""Which coverage run a map or report shows (the one the user picked, else the latest coverage
run of any name), the one call that draws it, and its picture rendered offline by headless
Chromium for the report."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import folium

from planner.errors import PlannerError
from planner.maps import MapLayer, build_map, save_standalone
from planner.store import Project

#: No English on a Chinese map: the scale bar in metres only, no "Leaflet" credit link.
METRIC_ONLY_CSS = (
    "<style>.leaflet-control-scale-line + .leaflet-control-scale-line { display: none; }"
    " .leaflet-control-attribution { display: none; }</style>"
)
PICTURE_CSS = "<style>.leaflet-control-zoom { display: none; }</style>"  # nothing to click
MAP_PICTURE_SIZE = (900, 640)  # pixels: wide enough for the city, small enough for A4
CHROMIUM_TIMEOUT_S = 90


def coverage_run(project: Project, run_id: int | None = None) -> dict[str, Any] | None:
    """Run `run_id` (a siting run stands for the coverage run of its plan), or by default the
    latest coverage run whatever its name; None when the project has no coverage run."""
    if run_id is None:
        return project.latest_run("coverage")
    run = project.run(run_id)
    if run["kind"] == "siting" and run["result"].get("plan_run_id") is not None:
        return project.run(int(run["result"]["plan_run_id"]))
    if run["kind"] != "coverage":
        raise PlannerError(
            f"运行 #{run_id} 不是覆盖分析或选址结果，不能用于覆盖地图和报告",
            f"run #{run_id} is not a coverage or siting run: it has no coverage to map or report",
            field="--run",
        )
    return run


def siting_of(project: Project, plan_run_id: int) -> dict[str, Any] | None:
    """The siting run whose plan is the coverage run `plan_run_id`, if any."""
    return next(
        (r for r in project.runs("siting") if r["result"].get("plan_run_id") == plan_run_id),
        None,
    )


def coverage_map(
    project: Project,
    run: dict[str, Any] | None,
    *,
    lang: str = "zh",
    colours: dict[str, str] | None = None,
    catchments: bool = True,
    route_layers: bool = False,
    tiles: bool = False,
) -> tuple[folium.Map, list[MapLayer]]:
    """The map of coverage run `run` (None: the project's layers only).

    The one place that asks planner.maps for a run's map: build_map picks a run by scenario
    name (the newest of that name); planner.maps.map_for_run(project, run_id) replaces it."""
    scenario = run["scenario"] if run is not None else None
    fmap, layers = build_map(
        project,
        lang=lang,
        colours=colours,
        scenario=scenario,
        catchments=catchments,
        route_layers=route_layers,
        tiles=tiles,
    )
    fmap.get_root().header.add_child(folium.Element(METRIC_ONLY_CSS))
    return fmap, layers


def write_run_map(
    project: Project,
    run: dict[str, Any] | None,
    out: Path,
    *,
    lang: str = "zh",
    tiles: bool = False,
) -> Path:
    """Run `run`'s coverage map as one offline HTML file."""
    fmap, _ = coverage_map(project, run, lang=lang, tiles=tiles)
    return save_standalone(fmap, out)


def chromium() -> str | None:
    """The headless browser that prints the report and draws its map pictures."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run_map_png(project: Project, run: dict[str, Any], lang: str = "zh") -> bytes | None:
    """A picture of run `run`'s offline map (no network: nothing loads from outside), or None
    when Chromium is not installed or draws nothing."""
    browser = chromium()
    if browser is None:
        return None
    with tempfile.TemporaryDirectory(prefix="planner-map-shot-") as folder:
        page, png, profile = (Path(folder) / n for n in ("map.html", "map.png", "profile"))
        fmap, _ = coverage_map(project, run, lang=lang)
        fmap.get_root().header.add_child(folium.Element(PICTURE_CSS))
        save_standalone(fmap, page, layer_control=False)
        width, height = MAP_PICTURE_SIZE
        args = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--proxy-server=127.0.0.1:9",  # offline: a stray remote request fails at once
            "--virtual-time-budget=4000",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={png}",
            page.resolve().as_uri(),
        ]
        subprocess.run(args, capture_output=True, timeout=CHROMIUM_TIMEOUT_S, check=False)
        return png.read_bytes() if png.is_file() and png.stat().st_size > 0 else None
