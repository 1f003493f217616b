"""Offline maps of a project: districts coloured by one coverage run, the population grid,
service points by kind with their catchments, planned new sites, the project's main roads,
bookmobile and courier routes (along the roads when the plan stored their paths).

One builder serves the desktop map view (ui/map_view.py loads the page from a file, shows and
hides groups through `plannerSetVisible`, and turns the page's `planner-select:` console lines
into clicks) and the exported maps (`planner map`, the GUI's exports, the demo; `map_for_run`
for the report), which inline Leaflet's JS/CSS from planner/assets so the file works with no
internet. The page is a folium map (planner/map_page.py); tiles are optional, the district
outlines (and main roads) are the base.

User text is data, never code: every value from a user's file or a stored run goes into the page
only as JSON (escaped so it cannot close the <script> that holds it), as the value of a constant
template's variable, never as template source, and is shown by planner/assets/planner_map.js
with textContent. No user string is ever part of a template, a script, a template literal or
markup.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from models.costs import MODES
from planner.errors import PlannerError
from planner.geo import metric_crs_for
from planner.i18n import text
from planner.jobs.coverage import CoverageResult
from planner.jobs.siting_result import SitingJobResult
from planner.paths import check_output_file, write_output
from planner.run_results import district_coverage, plan_run_id_of, typed_result
from planner.run_titles import run_title
from planner.store import Project

ASSETS = Path(__file__).resolve().parent / "assets"
LEAFLET_JS = ASSETS / "leaflet" / "leaflet.js"
LEAFLET_CSS = ASSETS / "leaflet" / "leaflet.css"
MAP_JS = ASSETS / "planner_map.js"
SELECT_PREFIX = "planner-select:"

#: Colours of service points by kind (ColorBrewer Dark2, central library in red).
KIND_COLOURS: dict[str, str] = {
    "central": "#d7301f",
    "district": "#e6550d",
    "branch": "#2c7fb8",
    "study_room": "#1b9e77",
    "station": "#7570b3",
    "school": "#d4a017",
    "bookmobile_stop": "#e7298a",
}
LAYER_COLOURS: dict[str, str] = {
    "districts": "#636363",
    "population": "#8c6bb1",
    "candidates": "#969696",
    "selected": "#ff00ff",
    "stops": "#e7298a",
    "bookmobile_routes": "#1f78b4",
    "courier_routes": "#33a02c",
    "roads": "#b0a48a",
}
ROUTE_PALETTE = (
    "#1f78b4",
    "#33a02c",
    "#e31a1c",
    "#ff7f00",
    "#6a3d9a",
    "#b15928",
    "#a6cee3",
    "#fb9a99",
)
#: OSM road classes drawn as the main-roads base layer, with their line widths (px).
MAIN_ROADS: dict[str, float] = {
    "motorway": 3.0,
    "trunk": 2.6,
    "primary": 2.2,
    "secondary": 1.6,
    "tertiary": 1.1,
}
#: Main roads are simplified by this tolerance (degrees, ~20 m) to keep the HTML small.
ROAD_SIMPLIFY_DEG = 0.0002


@dataclass(frozen=True)
class MapLayer:
    """One toggleable group on the map: its panel key, label and colour."""

    key: str
    label: str
    colour: str
    features: int


@dataclass(frozen=True)
class MapPage:
    """A built map: its groups (drawing order) as page data, the layer panel's entries, and the
    run it shows; `html()` / `save()` write it as one page."""

    groups: list[dict[str, Any]]
    layers: list[MapLayer]
    run: dict[str, Any] | None = None
    title: str = ""
    legend: dict[str, Any] | None = None
    bounds: list[list[float]] | None = None
    tiles: bool = False

    def html(
        self, *, standalone: bool = True, layer_control: bool = True, zoom_control: bool = True
    ) -> str:
        """The page: Leaflet inlined (`standalone`, opens anywhere offline) or linked from the
        package files (the desktop view, fast to rebuild); no zoom buttons on a picture."""
        from planner.map_page import render_page

        data = {
            "groups": self.groups,
            "bounds": self.bounds,
            "legend": self.legend,
            "title": self.title,
            "layer_control": layer_control,
            "select_prefix": SELECT_PREFIX,
        }
        return render_page(
            data,
            title=self.title,
            tiles=self.tiles,
            standalone=standalone,
            zoom_control=zoom_control,
        )

    def save(
        self,
        out: Path,
        *,
        standalone: bool = True,
        layer_control: bool = True,
        zoom_control: bool = True,
    ) -> Path:
        """Write the page to `out` whole or not at all (planner.paths: a full disk never leaves
        a truncated map); a path that cannot be written is a PlannerError naming it."""
        out = check_output_file(Path(out), make_folder=True)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PlannerError(
                f"无法创建文件夹 {out.parent}（{exc.strerror or exc}）",
                f"cannot create the folder {out.parent} ({exc.strerror or exc})",
                file=str(out),
            ) from exc
        page = self.html(
            standalone=standalone, layer_control=layer_control, zoom_control=zoom_control
        )
        return write_output(out, page)


def page_json(value: Any) -> str:
    """JSON safe inside a <script> element: `<`, `>`, `&` and the JS line separators escaped
    (so no text can end the element or start markup), non-finite numbers as null."""
    return (
        json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def js_literal(value: Any) -> str:
    """A JSON literal safe inside a <script> element (or a runJavaScript call)."""
    return page_json(value)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _share_colour(share: float) -> str:
    """Red (nobody covered) through yellow to green (everyone covered)."""
    stops = ((0.0, (215, 48, 39)), (0.5, (254, 224, 139)), (1.0, (26, 152, 80)))
    share = min(max(share, 0.0), 1.0)
    for (s0, c0), (s1, c1) in zip(stops, stops[1:], strict=False):
        if share <= s1:
            t = (share - s0) / (s1 - s0)
            return "#" + "".join(
                f"{round(a + (b - a) * t):02x}" for a, b in zip(c0, c1, strict=True)
            )
    return "#1a9850"


def _features(gdf: gpd.GeoDataFrame, fields: list[str]) -> dict[str, Any]:
    """GeoJSON of the layer's `fields` (raw text: the page shows it with textContent), plus
    the id as `_key` for the click bridge."""
    keep = [f for f in fields if f in gdf.columns]
    data = json.loads(gdf[[*keep, gdf.geometry.name]].to_json(na="null", drop_id=True))
    for feature in data["features"]:
        raw_id = feature["properties"].get("id")
        feature["properties"]["_key"] = None if raw_id is None else str(raw_id)
    return data


def _tip_fields(gdf: gpd.GeoDataFrame, fields: list[tuple[str, str]]) -> list[list[str]]:
    return [[f, label] for f, label in fields if f in gdf.columns]


def _bounds(gdf: gpd.GeoDataFrame) -> list[list[float]] | None:
    """[[south, west], [north, east]] of a layer, or None for an empty one."""
    if gdf.empty:
        return None
    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return None
    return [[miny, minx], [maxy, maxx]]


class _Builder:
    """Collects the groups of one map in drawing order."""

    def __init__(self) -> None:
        self.groups: list[dict[str, Any]] = []
        self.layers: list[MapLayer] = []

    def group(self, key: str, label: str, colour: str, count: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        self.groups.append({"key": key, "label": label, "items": items})
        self.layers.append(MapLayer(key, label, colour, count))
        return items


def chosen_runs(
    project: Project, run_id: int | None = None, scenario: str | None = None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, dict[str, Any] | None]:
    """(the run the map names, the coverage run its districts are coloured by, the siting run
    whose new sites it shows) for `--run ID`, `--scenario NAME` or, by default, the latest
    coverage run of any name."""
    if run_id is not None:
        run = project.run(int(run_id))
    elif scenario is not None:
        run = project.latest_run("coverage", scenario)
        if run is None:
            raise PlannerError(
                f"没有名为 “{scenario}” 的覆盖分析结果（--scenario）",
                f"no coverage run named '{scenario}' (--scenario)",
                field="--scenario",
            )
    else:
        run = project.latest_run("coverage")
    if run is None:
        return None, None, None
    if run["kind"] == "siting":
        # Without its plan's coverage run, the siting run's own "after" colours the districts.
        plan = _run_or_none(project, plan_run_id_of(run))
        return run, plan if plan is not None else run, run
    if run["kind"] == "coverage":
        linked = next((s for s in project.runs("siting") if plan_run_id_of(s) == run["id"]), None)
        return run, run, linked
    if run["kind"] in ("bookmobile", "courier"):
        _, coverage, linked = chosen_runs(project)  # the latest coverage colours the districts
        return run, coverage, linked
    raise PlannerError(
        f"运行 #{run['id']} 是 {run['kind']}，地图只能显示覆盖、选址、书巴或物流的运行结果（--run）",
        f"run #{run['id']} is a {run['kind']} run; a map shows a coverage, siting, bookmobile "
        "or courier run (--run)",
        field="--run",
    )


def _run_or_none(project: Project, run_id: Any) -> dict[str, Any] | None:
    if run_id is None:
        return None
    try:
        return project.run(int(run_id))
    except (PlannerError, ValueError, TypeError):
        return None


def project_roads_lines(project: Project) -> gpd.GeoDataFrame | None:
    """The project's main roads (motorway … tertiary) as simplified WGS84 lines with their
    `highway` class, for the base layer; None when the project has no usable road layer."""
    name = "roads" if project.has_layer("roads") else project.layer_for_role("roads")
    if not name:
        return None
    gdf = project.read_layer(name)
    if gdf.empty or "highway" not in gdf.columns or gdf.crs is None:
        return None
    gdf = gdf[gdf.geometry.notna()]
    gdf = gdf[gdf.geometry.geom_type.isin(["LineString", "MultiLineString"])]
    gdf = gdf.assign(highway=[_main_class(v) for v in gdf["highway"]])
    gdf = gdf[gdf["highway"].notna()]
    if gdf.empty:
        return None
    gdf = gdf[["highway", gdf.geometry.name]].to_crs(4326)
    geoms = shapely.set_precision(
        gdf.geometry.simplify(ROAD_SIMPLIFY_DEG, preserve_topology=False).values, 1e-5
    )
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=4326))
    gdf = gdf[~gdf.geometry.is_empty]
    return gdf if len(gdf) else None


def _main_class(value: Any) -> str | None:
    """The main-road class of an OSM `highway` value ("primary_link" counts as primary; a
    GraphML list such as "['trunk', 'primary']" takes its first main class)."""
    if not isinstance(value, str):
        return None
    for token in (
        value.replace("[", " ").replace("]", " ").replace("'", " ").replace(",", " ").split()
    ):
        base = token.removesuffix("_link")
        if base in MAIN_ROADS:
            return base
    return None


def build_map(
    project: Project,
    *,
    lang: str = "zh",
    colours: dict[str, str] | None = None,
    run_id: int | None = None,
    scenario: str | None = None,
    routes: str | None = None,
    catchments: bool = False,
    tiles: bool = False,
    route_layers: bool = True,
    latest_plan: bool = False,
) -> MapPage:
    """The project's layers and one run as a map, with the groups a layer panel can toggle in
    drawing order. `colours` overrides a group's colour by key ("libraries:branch"); `run_id`
    / `scenario` pick the run (default: the latest coverage run); `routes` ("bookmobile" or
    "courier") draws the latest (or the chosen) route run with one layer per vehicle and day;
    `catchments` adds the coverage run's catchments; `latest_plan` shows the latest siting
    run's new sites even when the coverage run is not its plan (the desktop view)."""
    from planner.map_layers import add_base_layers, add_route_layers

    palette = {
        **LAYER_COLOURS,
        **{f"libraries:{k}": c for k, c in KIND_COLOURS.items()},
        **(colours or {}),
    }
    named, coverage, siting = chosen_runs(project, run_id, scenario)
    if named is not None and named["kind"] in ("bookmobile", "courier"):
        if routes not in (None, named["kind"]):
            raise PlannerError(
                f"运行 #{named['id']} 是 {named['kind']}，不是 {routes}（--run）",
                f"run #{named['id']} is a {named['kind']} run, not {routes} (--run)",
                field="--run",
            )
        routes = named["kind"]
    if latest_plan and siting is None:
        siting = project.latest_run("siting")
    builder = _Builder()
    bounds = add_base_layers(
        project, builder, palette, lang, coverage=coverage, siting=siting, catchments=catchments
    )
    for kind in ("bookmobile", "courier") if route_layers or routes else ():
        if routes is not None and routes != kind:
            continue
        run = named if named is not None and named["kind"] == kind else project.latest_run(kind)
        if run is None:
            continue
        if routes == kind and (named is None or named["kind"] != kind):
            named = run  # a route map names its route run
        add_route_layers(builder, run, kind, per_vehicle=routes == kind, lang=lang)
    if routes is not None and (named is None or named["kind"] != routes):
        named = None  # no run of that kind yet: the map says so rather than name another run
    shares = bool(coverage and district_coverage(typed_result(coverage)))
    title_key = f"map_title_{routes}" if routes else "map_title_coverage"
    title = text(title_key, lang)
    run_line = run_title(named, lang) if named is not None else text("map_no_run", lang)
    lines = [run_line]
    if routes is not None and shares:
        lines.append(f"{text('map_legend_coverage', lang)}：{run_title(coverage, lang)}")
    legend = {
        "title": text("map_legend_coverage", lang) if shares and routes is None else title,
        "lines": lines,
        "swatches": [_share_colour(s) for s in (0.0, 0.25, 0.5, 0.75, 1.0)] if shares else None,
    }
    return MapPage(
        groups=builder.groups,
        layers=builder.layers,
        run=named,
        title=f"{title} · {run_line}",
        legend=legend,
        bounds=bounds,
        tiles=tiles,
    )


def map_for_run(
    project: Project,
    run_id: int | None = None,
    *,
    lang: str = "zh",
    scenario: str | None = None,
    tiles: bool = False,
) -> MapPage:
    """The map of one run for `planner map`, the GUI's export and the report: a coverage or
    siting run (districts coloured, catchments, new sites) or a bookmobile/courier run (one
    layer per vehicle and day); the latest coverage run when `run_id` is None. Write it with
    `.save(path)` or take `.html()`; `.run` is the run shown (None if the project has none)."""
    named, _, _ = chosen_runs(project, run_id, scenario)
    if named is not None and named["kind"] in ("bookmobile", "courier"):
        return build_map(project, lang=lang, run_id=run_id, tiles=tiles)
    return build_map(
        project,
        lang=lang,
        run_id=run_id,
        scenario=scenario,
        catchments=True,
        tiles=tiles,
        route_layers=False,
    )


def build_map_page(
    project: Project,
    out: Path,
    lang: str = "zh",
    colours: dict[str, str] | None = None,
    *,
    run_id: int | None = None,
) -> list[MapLayer]:
    """The desktop view's page of run `run_id` (default: the latest coverage run), every route
    layer and the latest plan's sites: written to `out` with Leaflet linked from the package
    files (fast to rebuild); returns the toggleable groups."""
    page = build_map(project, lang=lang, colours=colours, run_id=run_id, latest_plan=True)
    page.save(out, standalone=False, layer_control=False)
    return page.layers


def write_coverage_map(
    project: Project,
    out: Path,
    *,
    run_id: int | None = None,
    scenario: str | None = None,
    lang: str = "zh",
    tiles: bool = False,
) -> Path:
    """`planner map`: one run's map (by default the latest coverage run) as one offline HTML
    file."""
    return map_for_run(project, run_id, lang=lang, scenario=scenario, tiles=tiles).save(out)


def write_routes_map(
    project: Project,
    kind: str,
    out: Path,
    *,
    run_id: int | None = None,
    lang: str = "zh",
    tiles: bool = False,
) -> Path:
    """The latest (or chosen) bookmobile week or courier day: one layer per vehicle (and day),
    stop order and times in popups; one offline HTML file."""
    return build_map(project, lang=lang, routes=kind, run_id=run_id, tiles=tiles).save(out)


def catchment_radius_m(result: CoverageResult | SitingJobResult) -> float:
    """The straight-line catchment radius of a run: the threshold in metres, or in seconds
    times the mode's straight-line speed."""
    threshold = float(result.threshold or 0.0)
    mode = MODES.get(result.mode or "")
    if result.unit == "m" or mode is None:
        return threshold
    return threshold * mode.speed_kph / 3.6 / mode.circuity


def metric_buffer(gdf: gpd.GeoDataFrame, radius_m: float) -> dict[str, Any]:
    """One simplified WGS84 polygon: the union of `radius_m` circles around the points."""
    metric = metric_crs_for(gdf)
    rings = gpd.GeoDataFrame(geometry=gdf.to_crs(metric).buffer(radius_m, 24), crs=metric).to_crs(
        4326
    )
    rings["geometry"] = rings.union_all().simplify(0.0002) if len(rings) > 1 else rings.geometry
    return json.loads(rings.iloc[:1].to_json(drop_id=True))
