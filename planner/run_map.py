"""The one place the GUI and the report ask for a run's map (planner.maps, by run id): the
desktop view's page, the exported file and its picture drawn offline by headless Chromium for
the report; and which coverage run a report is about."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from planner.errors import PlannerError
from planner.headless import chromium, run_chromium
from planner.jobs.siting_result import SitingJobResult
from planner.maps import MapLayer, build_map_page, map_for_run
from planner.run_results import plan_run_id_of, typed_result
from planner.store import Project

MAP_PICTURE_SIZE = (900, 640)  # pixels: wide enough for the city, small enough for A4
CHROMIUM_TIMEOUT_S = 90


def coverage_run(project: Project, run_id: int | None = None) -> dict[str, Any] | None:
    """Run `run_id` (a siting run stands for the coverage run of its plan), or by default the
    latest coverage run whatever its name; None when the project has no coverage run."""
    if run_id is None:
        return project.latest_run("coverage")
    run = project.run(run_id)
    result = typed_result(run)
    if isinstance(result, SitingJobResult) and result.plan_run_id is not None:
        return project.run(int(result.plan_run_id))
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
        (r for r in project.runs("siting") if plan_run_id_of(r) == plan_run_id),
        None,
    )


def desktop_map(
    project: Project,
    out: Path,
    run_id: int | None = None,
    *,
    lang: str = "zh",
    colours: dict[str, str] | None = None,
) -> list[MapLayer]:
    """The desktop view's page of run `run_id` (default: the latest coverage run) with the
    project's layers in the user's `colours` and the latest routes, written to `out`; returns
    the groups the layer panel toggles."""
    return build_map_page(project, out, lang, colours, run_id=run_id)


def write_run_map(
    project: Project,
    run_id: int | None,
    out: Path,
    *,
    lang: str = "zh",
    tiles: bool = False,
) -> Path:
    """Run `run_id`'s map (default: the latest coverage run) as one offline HTML file."""
    return map_for_run(project, run_id, lang=lang, tiles=tiles).save(out)


def run_map_png(project: Project, run_id: int, lang: str = "zh") -> bytes | None:
    """A picture of run `run_id`'s offline map (no network: nothing loads from outside, no
    buttons to click), or None when Chromium is not installed or draws nothing."""
    if chromium() is None:
        return None
    with tempfile.TemporaryDirectory(prefix="planner-map-shot-") as folder:
        page, png = Path(folder) / "map.html", Path(folder) / "map.png"
        map_for_run(project, run_id, lang=lang).save(page, layer_control=False, zoom_control=False)
        width, height = MAP_PICTURE_SIZE
        args = ["--virtual-time-budget=4000", "--hide-scrollbars", f"--window-size={width},{height}",
                f"--screenshot={png}", page.resolve().as_uri()]
        run_chromium(args, CHROMIUM_TIMEOUT_S)
        return png.read_bytes() if png.is_file() and png.stat().st_size > 0 else None
