"""Offline folium maps of a project: districts coloured by coverage, the population grid,
service points by kind with their catchments, planned new sites, bookmobile and courier routes.

One builder serves the desktop map view (ui/map_view.py adds its click bridge and loads the
page from a file) and the exported maps (`planner map`, the demo's coverage.html), which inline
Leaflet's JS/CSS from planner/assets so the file works with no internet. Tiles are optional;
the district outlines are the base. Every string from a user's file is escaped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from models.costs import MODES
from planner.geo import metric_crs_for
from planner.i18n import has, text
from planner.store import Project

ASSETS = Path(__file__).resolve().parent / "assets"
LEAFLET_JS = ASSETS / "leaflet" / "leaflet.js"
LEAFLET_CSS = ASSETS / "leaflet" / "leaflet.css"
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
# No tiles offline: a quiet sea-grey background under the district outlines, and labels that
# stay readable over any fill.
_STYLE = """<style>
.leaflet-container { background: #e4ebf0; }
.planner-label { font: 600 12px "Noto Sans CJK SC", "Noto Sans SC", sans-serif; color: #333;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; white-space: nowrap;
  transform: translate(-50%, -50%); pointer-events: none; }
.planner-star { font-size: 22px; line-height: 22px; transform: translate(-50%, -55%);
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #333; }
</style>"""


@dataclass(frozen=True)
class MapLayer:
    """One toggleable group on the map: its panel key, label and colour."""

    key: str
    label: str
    colour: str
    features: int


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
    """GeoJSON of the layer's `fields`, text escaped for the tooltips (names come from users'
    files), plus the raw id as `_key` for the click bridge."""
    keep = [f for f in fields if f in gdf.columns]
    data = json.loads(gdf[[*keep, gdf.geometry.name]].to_json(na="null", drop_id=True))
    for feature in data["features"]:
        props = feature["properties"]
        raw_id = props.get("id")
        for key, value in props.items():
            if isinstance(value, str):
                props[key] = escape(value)
        props["_key"] = None if raw_id is None else str(raw_id)
    return data


def js_literal(value: Any) -> str:
    """A JSON literal safe inside a <script> element."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def _tooltip(gdf: gpd.GeoDataFrame, fields: list[tuple[str, str]]) -> folium.GeoJsonTooltip | None:
    present = [(f, label) for f, label in fields if f in gdf.columns]
    if not present:
        return None
    return folium.GeoJsonTooltip(
        fields=[f for f, _ in present], aliases=[label for _, label in present]
    )


def build_map(
    project: Project,
    *,
    lang: str = "zh",
    colours: dict[str, str] | None = None,
    scenario: str | None = None,
    routes: str | None = None,
    catchments: bool = False,
    tiles: bool = False,
    route_layers: bool = True,
) -> tuple[folium.Map, list[MapLayer]]:
    """The project's layers and latest results as a folium map, and the groups a layer panel can
    toggle, in drawing order. `colours` overrides a group's colour by key ("libraries:branch");
    `scenario` picks the coverage run; `routes` ("bookmobile" or "courier") draws that run with
    one layer per vehicle (and day); `catchments` adds the threshold circles around each point."""
    palette = {
        **LAYER_COLOURS,
        **{f"libraries:{k}": c for k, c in KIND_COLOURS.items()},
        **(colours or {}),
    }
    zh = lang == "zh"
    # No zoom animation: an SVG layer caught mid-animation stays scaled in an offscreen render.
    fmap = folium.Map(
        location=[27.99, 120.70], zoom_start=9, tiles=None, control_scale=True, zoom_animation=False
    )
    if tiles:
        folium.TileLayer("OpenStreetMap", name=text("layer_tiles", lang), show=True).add_to(fmap)
    # Only Leaflet, from the package (set on this instance: the class lists are shared).
    fmap.default_js = [("leaflet", LEAFLET_JS.as_uri())]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS.as_uri())]
    layers: list[MapLayer] = []
    groups: dict[str, str] = {}
    clickable: list[tuple[str, str]] = []  # (table key, geojson variable)

    def group(key: str, label: str, colour: str, count: int) -> folium.FeatureGroup:
        fg = folium.FeatureGroup(name=label).add_to(fmap)
        groups[key] = fg.get_name()
        layers.append(MapLayer(key, label, colour, count))
        return fg

    coverage = _coverage_run(project, scenario)
    shares = (
        {r["district"]: r["share"] for r in coverage["result"]["by_district"]} if coverage else {}
    )
    bounds = None

    name = project.layer_for_role("districts")
    if name:
        gdf = project.read_layer(name)
        gdf["geometry"] = gdf.geometry.simplify(0.0005, preserve_topology=True)
        gdf["share_text"] = [f"{shares[n]:.1%}" if n in shares else "—" for n in gdf["name"]]
        bounds = gdf.total_bounds
        fg = group("districts", text("layer_districts", lang), LAYER_COLOURS["districts"], len(gdf))
        colours = {
            escape(n): _share_colour(s) for n, s in shares.items()
        }  # names are escaped in the GeoJSON
        folium.GeoJson(
            _features(gdf, ["id", "name", "name_en", "population", "share_text"]),
            style_function=lambda f, colours=colours: {
                "color": "#4d4d4d",
                "weight": 1.2,
                "fillColor": colours.get(f["properties"].get("name"), "#f0f0f0"),
                "fillOpacity": 0.45 if colours else 0.25,
            },
            tooltip=_tooltip(
                gdf,
                [
                    ("name", text("district", lang)),
                    ("population", text("population", lang)),
                    ("share_text", text("share", lang)),
                ],
            ),
        ).add_to(fg)
        label_column = "name" if zh or "name_en" not in gdf.columns else "name_en"
        for label, point in zip(
            gdf[label_column], gdf.geometry.representative_point(), strict=True
        ):
            folium.Marker(
                [point.y, point.x],
                icon=folium.DivIcon(
                    html=f'<div class="planner-label">{escape(str(label))}</div>', icon_size=(0, 0)
                ),
                interactive=False,
            ).add_to(fg)

    name = project.layer_for_role("population")
    if name:
        points = _population_points(project, name)
        fg = group("population", text("layer_population", lang), palette["population"], len(points))
        fmap.add_child(_Script(_population_js(fg.get_name(), points, palette["population"])))

    name = project.layer_for_role("candidates")
    if name:
        gdf = project.read_layer(name)
        fg = group("candidates", text("layer_candidates", lang), palette["candidates"], len(gdf))
        geo = folium.GeoJson(
            _features(gdf, ["id", "name", "district", "cost"]),
            marker=folium.CircleMarker(radius=4, weight=1, fill=True),
            style_function=lambda f: {
                "color": palette["candidates"],
                "fillColor": "#ffffff",
                "fillOpacity": 0.9,
                "radius": 4,
            },
            tooltip=_tooltip(
                gdf,
                [
                    ("name", text("col_name", lang)),
                    ("id", text("col_id", lang)),
                    ("district", text("district", lang)),
                ],
            ),
        ).add_to(fg)
        clickable.append(("candidates", geo.get_name()))

    name = project.layer_for_role("libraries")
    if name:
        gdf = project.read_layer(name)
        for kind in [k for k in KIND_COLOURS if k in set(gdf["kind"])] + sorted(
            set(gdf["kind"]) - set(KIND_COLOURS)
        ):
            part = gdf[gdf["kind"] == kind]
            colour = palette.get(f"libraries:{kind}", "#000000")
            label = text(f"kind_{kind}", lang) if has(f"kind_{kind}") else kind
            fg = group(f"libraries:{kind}", label, colour, len(part))
            radius = {"central": 9, "district": 7}.get(kind, 5)
            geo = folium.GeoJson(
                _features(part, ["id", "name", "kind", "district", "opens", "closes"]),
                marker=folium.CircleMarker(radius=radius, weight=1.5, fill=True),
                style_function=lambda f, c=colour, r=radius: {
                    "color": "#ffffff",
                    "fillColor": c,
                    "fillOpacity": 0.95,
                    "radius": r,
                },
                tooltip=_tooltip(
                    part,
                    [
                        ("name", text("col_name", lang)),
                        ("district", text("district", lang)),
                        ("opens", text("col_opens", lang)),
                        ("closes", text("col_closes", lang)),
                    ],
                ),
            ).add_to(fg)
            clickable.append(("libraries", geo.get_name()))
        if bounds is None and len(gdf):
            bounds = gdf.total_bounds

    siting = project.latest_run("siting")
    if siting and siting["result"].get("selected"):
        selected = siting["result"]["selected"]
        fg = group("selected", text("layer_selected", lang), palette["selected"], len(selected))
        for site in selected:
            # A star in a DivIcon: plain Leaflet (RegularPolygonMarker needs a CDN plugin).
            folium.Marker(
                [site["lat"], site["lon"]],
                icon=folium.DivIcon(
                    html=f'<div class="planner-star" style="color:{palette["selected"]}">★</div>',
                    icon_size=(0, 0),
                ),
                tooltip=escape(f"{text('layer_selected', lang)}：{site.get('name') or site['id']}"),
            ).add_to(fg)

    name = project.layer_for_role("stops")
    if name:
        gdf = project.read_layer(name)
        fg = group("stops", text("layer_stops", lang), palette["stops"], len(gdf))
        geo = folium.GeoJson(
            _features(gdf, ["id", "name", "tw_start", "tw_end", "visits_per_week"]),
            marker=folium.CircleMarker(radius=4, weight=1, fill=True),
            style_function=lambda f: {
                "color": "#ffffff",
                "fillColor": palette["stops"],
                "fillOpacity": 0.9,
                "radius": 4,
            },
            tooltip=_tooltip(
                gdf,
                [
                    ("name", text("col_name", lang)),
                    ("tw_start", text("col_tw_start", lang)),
                    ("tw_end", text("col_tw_end", lang)),
                ],
            ),
        ).add_to(fg)
        clickable.append(("stops", geo.get_name()))

    if catchments and coverage:
        _add_catchments(project, coverage["result"], group, lang)

    for kind in ("bookmobile", "courier") if route_layers or routes else ():
        if routes is not None and routes != kind:
            continue
        run = project.latest_run(kind)
        route_list = run["result"].get("routes", []) if run else []
        route_list = [r for r in route_list if r.get("stops")]
        if not route_list:
            continue
        vehicles = sorted({r["vehicle_id"] for r in route_list})
        if routes == kind:
            for route in route_list:
                colour = ROUTE_PALETTE[vehicles.index(route["vehicle_id"]) % len(ROUTE_PALETTE)]
                label = _route_label(route, lang)
                fg = group(f"{kind}:{route['vehicle_id']}:{route.get('day', '')}", label, colour, 1)
                _add_route(route, colour, fg, lang)
            continue
        fg = group(
            f"{kind}_routes",
            text(f"layer_{kind}_routes", lang),
            LAYER_COLOURS[f"{kind}_routes"],
            len(route_list),
        )
        for route in route_list:
            colour = ROUTE_PALETTE[vehicles.index(route["vehicle_id"]) % len(ROUTE_PALETTE)]
            folium.PolyLine(
                _route_path(route),
                color=colour,
                weight=3,
                opacity=0.8,
                tooltip=escape(f"{_route_label(route, lang)}: {route['distance_km']:.1f} km"),
            ).add_to(fg)

    if bounds is not None:
        minx, miny, maxx, maxy = (float(v) for v in bounds)
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    fmap.get_root().header.add_child(folium.Element(_STYLE))
    if shares:
        fmap.get_root().html.add_child(folium.Element(_legend(zh)))
    # Added last, so its script runs after every layer variable it names exists.
    fmap.add_child(_Script(_bridge_js(fmap.get_name(), groups, clickable)))
    return fmap, layers


def build_map_page(
    project: Project, out: Path, lang: str = "zh", colours: dict[str, str] | None = None
) -> list[MapLayer]:
    """The desktop view's page: written to `out` with Leaflet linked from the package files
    (fast to rebuild); returns the toggleable groups."""
    fmap, layers = build_map(project, lang=lang, colours=colours)
    out.parent.mkdir(parents=True, exist_ok=True)
    fmap.save(str(out))
    return layers


def save_standalone(fmap: folium.Map, out: Path, *, layer_control: bool = True) -> Path:
    """Write a map as one self-contained HTML file: Leaflet's JS and CSS inlined, so it opens
    anywhere with no internet and no files beside it."""
    if layer_control:
        folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.default_js = []
    fmap.default_css = []
    root = fmap.get_root()
    css = LEAFLET_CSS.read_text(encoding="utf-8")
    js = LEAFLET_JS.read_text(encoding="utf-8")
    root.header.add_child(folium.Element(f"<style>{css}</style>\n<script>{js}</script>"), index=0)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(root.render(), encoding="utf-8")
    return out


def write_coverage_map(
    project: Project,
    out: Path,
    *,
    scenario: str | None = None,
    lang: str = "zh",
    tiles: bool = False,
) -> Path:
    """`planner map`: coverage by district, population, service points with their catchments,
    new sites; one offline HTML file."""
    fmap, _ = build_map(
        project, lang=lang, scenario=scenario, catchments=True, tiles=tiles, route_layers=False
    )
    return save_standalone(fmap, out)


def write_routes_map(
    project: Project, kind: str, out: Path, *, lang: str = "zh", tiles: bool = False
) -> Path:
    """The latest bookmobile week or courier day: one layer per vehicle (and day), stop order
    and times in popups; one offline HTML file."""
    fmap, _ = build_map(project, lang=lang, routes=kind, tiles=tiles)
    return save_standalone(fmap, out)


def _coverage_run(project: Project, scenario: str | None) -> dict[str, Any] | None:
    if scenario is not None:
        return project.latest_run("coverage", scenario)
    return project.latest_run("coverage", "plan") or project.latest_run("coverage")


def _add_catchments(project: Project, result: dict[str, Any], group: Any, lang: str) -> None:
    """The coverage run's catchments around the counted service points: the road-network
    catchment the run stored (routing.isochrone) when it used a network, else circles of the
    threshold (straight-line radius: the threshold in metres, or in seconds times the mode's
    straight-line speed); nothing for a network run stored without one."""
    name = project.layer_for_role("libraries")
    if not name:
        return
    gdf = project.read_layer(name)
    kinds = result.get("kinds")
    if kinds:
        gdf = gdf[gdf["kind"].isin(kinds)]
    threshold = float(result["threshold"])
    stored = result.get("catchment_geojson")
    if stored:
        fg = group("catchments", _network_catchment_label(result, lang), "#3182bd", len(gdf))
        _draw_catchment(stored, fg)
        return
    if result.get("cost_source") not in (None, "straight-line") or gdf.empty:
        return
    mode = MODES.get(result.get("mode") or "")
    radius_m = (
        threshold
        if result.get("unit") == "m" or mode is None
        else threshold * mode.speed_kph / 3.6 / mode.circuity
    )
    metric = metric_crs_for(gdf)
    rings = gpd.GeoDataFrame(geometry=gdf.to_crs(metric).buffer(radius_m, 24), crs=metric).to_crs(
        4326
    )
    rings["geometry"] = rings.union_all().simplify(0.0002) if len(rings) > 1 else rings.geometry
    rings = rings.iloc[:1]
    fg = group(
        "catchments", text("layer_catchments", lang, radius=round(radius_m)), "#3182bd", len(gdf)
    )
    _draw_catchment(json.loads(rings.to_json(drop_id=True)), fg)


def _network_catchment_label(result: dict[str, Any], lang: str) -> str:
    """The catchment layer's name: road network, mode and minutes (metres of road for a run
    in metres)."""
    threshold = float(result["threshold"])
    if result.get("unit") == "m":
        return text("layer_catchments_network_m", lang, metres=f"{threshold:,.0f}")
    props = result["catchment_geojson"]["features"][0].get("properties", {})
    mode = props.get("mode") or result.get("mode") or ""
    mode_label = text(f"mode_{mode}", lang) if has(f"mode_{mode}") else escape(str(mode))
    return text("layer_catchments_network", lang, mode=mode_label, minutes=f"{threshold / 60:g}")


def _draw_catchment(geojson: dict[str, Any], fg: Any) -> None:
    """A catchment polygon, light and not clickable (clicks reach the points under it)."""
    folium.GeoJson(
        geojson,
        style_function=lambda f: {
            "color": "#3182bd",
            "weight": 1,
            "fillColor": "#9ecae1",
            "fillOpacity": 0.15,
        },
        interactive=False,
    ).add_to(fg)


def _route_path(route: dict[str, Any]) -> list[list[float]]:
    depot = route["depot"]
    return [
        [depot["lat"], depot["lon"]],
        *[[s["lat"], s["lon"]] for s in route["stops"]],
        [depot["lat"], depot["lon"]],
    ]


def _route_label(route: dict[str, Any], lang: str) -> str:
    day = route.get("day", "")
    day = text(f"day_{day}", lang) if has(f"day_{day}") else day
    return f"{route.get('vehicle_name') or route['vehicle_id']} {day}".strip()


def _hhmm(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"


def _add_route(route: dict[str, Any], colour: str, fg: Any, lang: str) -> None:
    """A route line and numbered stops whose popups give the times (all text escaped)."""
    label = _route_label(route, lang)
    folium.PolyLine(
        _route_path(route),
        color=colour,
        weight=3,
        opacity=0.85,
        tooltip=escape(f"{label}: {route['distance_km']:.1f} km, {route['duration_h']:.1f} h"),
    ).add_to(fg)
    depot = route["depot"]
    folium.CircleMarker(
        [depot["lat"], depot["lon"]],
        radius=7,
        color="#000",
        weight=2,
        fill=True,
        fill_color=colour,
        fill_opacity=1.0,
        tooltip=escape(f"{text('depot', lang)}：{depot.get('name') or depot['id']}"),
    ).add_to(fg)
    for order, stop in enumerate(route["stops"], start=1):
        rows = [
            (text("col_name", lang), stop.get("name") or stop["id"]),
            (text("arrival", lang), _hhmm(stop.get("arrival_min"))),
            (text("start", lang), _hhmm(stop.get("start_min"))),
            (text("departure", lang), _hhmm(stop.get("departure_min"))),
        ]
        if stop.get("detail"):
            rows.append((text("detail", lang), stop["detail"]))
        html = (
            f"<b>{escape(label)} · #{order}</b><table>"
            + "".join(
                f"<tr><th style='text-align:left;padding-right:6px'>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
                for k, v in rows
            )
            + "</table>"
        )
        marker = folium.CircleMarker(
            [stop["lat"], stop["lon"]],
            radius=6,
            color="#fff",
            weight=1,
            fill=True,
            fill_color=colour,
            fill_opacity=0.95,
            tooltip=escape(
                f"#{order} {stop.get('name') or stop['id']} {_hhmm(stop.get('start_min'))}"
            ),
        ).add_to(fg)
        marker.add_child(_PopupHtml(html))
        folium.Marker(
            [stop["lat"], stop["lon"]],
            icon=folium.DivIcon(html=f'<div class="planner-label">{order}</div>', icon_size=(0, 0)),
            interactive=False,
        ).add_to(fg)


def _population_points(project: Project, name: str) -> list[list[float]]:
    """[[lat, lon, people], …] of the population layer (cell centroids), rounded to ~1 m."""
    gdf = project.read_layer(name)
    if len(gdf) and not (gdf.geometry.geom_type == "Point").all():
        gdf["geometry"] = gdf.to_crs(3857).geometry.centroid.to_crs(4326)
    lon, lat = gdf.geometry.x.round(5), gdf.geometry.y.round(5)
    people = gdf["population"].astype(float).fillna(0.0).round(1)
    return [[y, x, p] for y, x, p in zip(lat.tolist(), lon.tolist(), people.tolist(), strict=True)]


def _population_js(group_var: str, points: list[list[float]], colour: str) -> str:
    """Tens of thousands of grid cells: a compact array drawn on one canvas, in a pane below
    the clickable layers that lets clicks through (GeoJSON of 50,000 SVG markers is 17 MB and
    several seconds to build)."""
    top = sorted(p[2] for p in points)[int(0.98 * (len(points) - 1))] if points else 1.0
    return f"""
(function () {{
  var cells = {json.dumps(points, separators=(",", ":"))};
  var top = Math.max({top}, 1.0);
  var drawn = false;
  function draw(m) {{
    if (drawn || !m) return;
    drawn = true;
    var pane = m.getPane('population') || m.createPane('population');
    pane.style.zIndex = 350; pane.style.pointerEvents = 'none';
    var renderer = L.canvas({{pane: 'population'}});
    for (var i = 0; i < cells.length; i++) {{
      var c = cells[i];
      L.circleMarker([c[0], c[1]], {{renderer: renderer, pane: 'population', interactive: false, stroke: false,
        radius: 2.5, fillColor: {js_literal(colour)}, fillOpacity: 0.7 * Math.sqrt(Math.min(c[2] / top, 1.0))}}).addTo({group_var});
    }}
  }}
  {group_var}.on('add', function (e) {{ draw(e.target._map); }});
  draw({group_var}._map);
}})();
"""


class _PopupHtml(MacroElement):
    """A popup of ready-escaped HTML bound to its parent layer (folium's Popup needs jQuery,
    which we do not ship)."""

    _template = Template(
        "{% macro script(this, kwargs) %}{{ this._parent.get_name() }}.bindPopup({{ this.html }}, "
        "{maxWidth: 320});{% endmacro %}"
    )

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html = js_literal(html)


class _Script(MacroElement):
    """Raw JavaScript placed in the page's script after the elements added before it."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code


def _legend(zh: bool) -> str:
    title = "区县覆盖率" if zh else "District coverage"
    swatches = "".join(
        f'<span style="display:inline-block;width:22px;height:10px;background:{_share_colour(s)}"></span>'
        for s in (0.0, 0.25, 0.5, 0.75, 1.0)
    )
    return (
        '<div style="position:fixed;bottom:28px;right:12px;z-index:1000;background:rgba(255,255,255,.9);'
        'padding:6px 8px;border:1px solid #999;border-radius:4px;font:12px sans-serif">'
        f"<b>{title}</b><br>{swatches}<br>0%&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;50%&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;100%</div>"
    )


def _bridge_js(map_var: str, groups: dict[str, str], clickable: list[tuple[str, str]]) -> str:
    """Show/hide groups by key, and report clicked features' ids through the console."""
    group_map = ", ".join(f"{js_literal(k)}: {v}" for k, v in groups.items())
    clicks = "\n".join(
        f"{var}.on('click', function (e) {{ plannerPost({js_literal(table)}, e.layer.feature.properties._key); }});"
        for table, var in clickable
    )
    return f"""
window.plannerGroups = {{{group_map}}};
window.plannerSetVisible = function (key, on) {{
  var g = window.plannerGroups[key];
  if (!g) return false;
  if (on) {{ {map_var}.addLayer(g); }} else {{ {map_var}.removeLayer(g); }}
  return true;
}};
window.plannerVisible = function (key) {{
  var g = window.plannerGroups[key];
  return !!g && {map_var}.hasLayer(g);
}};
function plannerPost(layer, id) {{
  console.log({js_literal(SELECT_PREFIX)} + JSON.stringify({{layer: layer, id: String(id)}}));
}}
{clicks}
"""
