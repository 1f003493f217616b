"""The map in the centre of the window: an offline folium page in a QWebEngineView.

The page is written to a file and loaded from it (`setHtml` stops at 2 MB). Each layer the
layer panel lists is one Leaflet feature group the panel shows or hides through a small JS
function; clicking a feature logs `planner-select:{"layer":…,"id":…}` to the console, which
the page object turns into the `featureClicked` signal (works offline, needs no web channel).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template
from PyQt6.QtCore import QUrl, pyqtSignal
from PyQt6.QtWebEngineCore import QWebEnginePage
from PyQt6.QtWebEngineWidgets import QWebEngineView

from planner.store import Project
from ui.strings import has, tr
from ui.table_models import layer_name

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
_SELECT_PREFIX = "planner-select:"
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
_LEAFLET = ("leaflet.js", "leaflet.css")


@dataclass(frozen=True)
class MapLayer:
    """One toggleable group on the map: its panel key, label and colour."""

    key: str
    label: str
    colour: str
    features: int


def _leaflet_files() -> dict[str, Path]:
    """Leaflet shipped with the package (planner/assets) — the map must work with no internet."""
    import planner

    root = Path(planner.__file__).parent / "assets"
    found = {p.name: p for p in root.rglob("leaflet*")} if root.is_dir() else {}
    if not all(name in found for name in _LEAFLET):
        import xstatic.pkg.leaflet as xleaflet

        found = {name: Path(xleaflet.BASE_DIR) / name for name in _LEAFLET}
    return {name: found[name] for name in _LEAFLET}


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


def _js(value: Any) -> str:
    """A JSON literal safe inside a <script> element."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def _tooltip(gdf: gpd.GeoDataFrame, fields: list[tuple[str, str]]) -> folium.GeoJsonTooltip | None:
    present = [(f, label) for f, label in fields if f in gdf.columns]
    if not present:
        return None
    return folium.GeoJsonTooltip(
        fields=[f for f, _ in present], aliases=[label for _, label in present]
    )


def build_map_page(
    project: Project, out: Path, lang: str = "zh", colours: dict[str, str] | None = None
) -> list[MapLayer]:
    """Write the project's layers and latest results as an offline folium page to `out`;
    returns the groups the layer panel can toggle, in drawing order. `colours` overrides the
    default colour of a group by its key (e.g. "libraries:branch", "stops")."""
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
    leaflet = _leaflet_files()
    fmap.default_js = [("leaflet", leaflet["leaflet.js"].as_uri())]
    fmap.default_css = [("leaflet_css", leaflet["leaflet.css"].as_uri())]
    layers: list[MapLayer] = []
    groups: dict[str, str] = {}
    clickable: list[tuple[str, str]] = []  # (table key, geojson variable)

    def group(key: str, label: str, colour: str, count: int) -> folium.FeatureGroup:
        fg = folium.FeatureGroup(name=label).add_to(fmap)
        groups[key] = fg.get_name()
        layers.append(MapLayer(key, label, colour, count))
        return fg

    coverage = project.latest_run("coverage")
    shares = (
        {r["district"]: r["share"] for r in coverage["result"]["by_district"]} if coverage else {}
    )
    bounds = None

    name = layer_name(project, "districts")
    if name:
        gdf = project.read_layer(name)
        gdf["geometry"] = gdf.geometry.simplify(0.0005, preserve_topology=True)
        gdf["share_text"] = [f"{shares[n]:.1%}" if n in shares else "—" for n in gdf["name"]]
        bounds = gdf.total_bounds
        fg = group("districts", tr("layer_districts"), LAYER_COLOURS["districts"], len(gdf))
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
                    ("name", tr("district")),
                    ("population", tr("population")),
                    ("share_text", tr("share")),
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

    name = layer_name(project, "population")
    if name:
        points = _population_points(project, name)
        fg = group("population", tr("layer_population"), palette["population"], len(points))
        fmap.add_child(_Script(_population_js(fg.get_name(), points, palette["population"])))

    name = layer_name(project, "candidates")
    if name:
        gdf = project.read_layer(name)
        fg = group("candidates", tr("layer_candidates"), palette["candidates"], len(gdf))
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
                gdf, [("name", tr("col_name")), ("id", tr("col_id")), ("district", tr("district"))]
            ),
        ).add_to(fg)
        clickable.append(("candidates", geo.get_name()))

    name = layer_name(project, "libraries")
    if name:
        gdf = project.read_layer(name)
        for kind in [k for k in KIND_COLOURS if k in set(gdf["kind"])] + sorted(
            set(gdf["kind"]) - set(KIND_COLOURS)
        ):
            part = gdf[gdf["kind"] == kind]
            colour = palette.get(f"libraries:{kind}", "#000000")
            label = tr(f"kind_{kind}") if has(f"kind_{kind}") else kind
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
                        ("name", tr("col_name")),
                        ("district", tr("district")),
                        ("opens", tr("col_opens")),
                        ("closes", tr("col_closes")),
                    ],
                ),
            ).add_to(fg)
            clickable.append(("libraries", geo.get_name()))
        if bounds is None and len(gdf):
            bounds = gdf.total_bounds

    siting = project.latest_run("siting")
    if siting and siting["result"].get("selected"):
        selected = siting["result"]["selected"]
        fg = group("selected", tr("layer_selected"), palette["selected"], len(selected))
        for site in selected:
            # A star in a DivIcon: plain Leaflet (RegularPolygonMarker needs a CDN plugin).
            folium.Marker(
                [site["lat"], site["lon"]],
                icon=folium.DivIcon(
                    html=f'<div class="planner-star" style="color:{palette["selected"]}">★</div>',
                    icon_size=(0, 0),
                ),
                tooltip=escape(f"{tr('layer_selected')}：{site.get('name') or site['id']}"),
            ).add_to(fg)

    name = layer_name(project, "stops")
    if name:
        gdf = project.read_layer(name)
        fg = group("stops", tr("layer_stops"), palette["stops"], len(gdf))
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
                    ("name", tr("col_name")),
                    ("tw_start", tr("col_tw_start")),
                    ("tw_end", tr("col_tw_end")),
                ],
            ),
        ).add_to(fg)
        clickable.append(("stops", geo.get_name()))

    for kind in ("bookmobile", "courier"):
        run = project.latest_run(kind)
        routes = run["result"].get("routes", []) if run else []
        if not routes:
            continue
        fg = group(
            f"{kind}_routes",
            tr(f"layer_{kind}_routes"),
            LAYER_COLOURS[f"{kind}_routes"],
            len(routes),
        )
        vehicles = sorted({r["vehicle_id"] for r in routes})
        for route in routes:
            depot = route["depot"]
            path = [
                [depot["lat"], depot["lon"]],
                *[[s["lat"], s["lon"]] for s in route["stops"]],
                [depot["lat"], depot["lon"]],
            ]
            colour = ROUTE_PALETTE[vehicles.index(route["vehicle_id"]) % len(ROUTE_PALETTE)]
            label = f"{route.get('vehicle_name') or route['vehicle_id']} {route.get('day', '')}"
            folium.PolyLine(
                path,
                color=colour,
                weight=3,
                opacity=0.8,
                tooltip=escape(f"{label}: {route['distance_km']:.1f} km"),
            ).add_to(fg)

    if bounds is not None:
        minx, miny, maxx, maxy = (float(v) for v in bounds)
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    fmap.get_root().header.add_child(folium.Element(_STYLE))
    if shares:
        fmap.get_root().html.add_child(folium.Element(_legend(zh)))
    # Added last, so its script runs after every layer variable it names exists.
    fmap.add_child(_Script(_bridge_js(fmap.get_name(), groups, clickable)))
    out.parent.mkdir(parents=True, exist_ok=True)
    fmap.save(str(out))
    return layers


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
        radius: 1.5 + 4.0 * Math.min(c[2] / top, 1.0), fillColor: {_js(colour)}, fillOpacity: 0.35}}).addTo({group_var});
    }}
  }}
  {group_var}.on('add', function (e) {{ draw(e.target._map); }});
  draw({group_var}._map);
}})();
"""


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
    group_map = ", ".join(f"{_js(k)}: {v}" for k, v in groups.items())
    clicks = "\n".join(
        f"{var}.on('click', function (e) {{ plannerPost({_js(table)}, e.layer.feature.properties._key); }});"
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
  console.log({_js(_SELECT_PREFIX)} + JSON.stringify({{layer: layer, id: String(id)}}));
}}
{clicks}
"""


class _BridgePage(QWebEnginePage):
    """Turns the page's `planner-select:` console lines into a signal, and keeps its script
    errors (a map with an error draws partly, silently: tests look here)."""

    featureClicked = pyqtSignal(str, str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.errors: list[str] = []

    def javaScriptConsoleMessage(self, level: Any, message: str, line: int, source: str) -> None:
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            self.errors.append(f"{source}:{line}: {message}")
        if message.startswith(_SELECT_PREFIX):
            try:
                payload = json.loads(message[len(_SELECT_PREFIX) :])
            except json.JSONDecodeError:
                return
            self.featureClicked.emit(str(payload.get("layer", "")), str(payload.get("id", "")))


class MapView(QWebEngineView):
    """Shows the project's map; `featureClicked(table_key, id)` when a feature is clicked."""

    featureClicked = pyqtSignal(str, str)
    layersChanged = pyqtSignal(list)  # list[MapLayer] after each rebuild
    mapLoaded = pyqtSignal(bool)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        page = _BridgePage(self)
        page.featureClicked.connect(self.featureClicked)
        self.setPage(page)
        self._dir = tempfile.TemporaryDirectory(prefix="planner-map-")
        self._generation = 0
        self._hidden: set[str] = {"population"}
        self.colours: dict[str, str] = {}  # the user's colour for a group key
        self.loading = False
        self.layers: list[MapLayer] = []
        self.loadFinished.connect(self._on_loaded)

    def show_project(self, project: Project | None, lang: str) -> None:
        """Rebuild the page from the project (its layers and latest results) and load it."""
        self._generation += 1
        path = Path(self._dir.name) / f"map-{self._generation}.html"
        if project is None:
            path.write_text(
                f"<html><body style='font:14px sans-serif;color:#666;padding:2em'>{tr('no_project')}</body></html>",
                encoding="utf-8",
            )
            self.layers = []
        else:
            self.layers = build_map_page(project, path, lang, self.colours)
        self.layersChanged.emit(self.layers)
        self.loading = True
        self.load(QUrl.fromLocalFile(str(path)))

    def is_hidden(self, key: str) -> bool:
        return key in self._hidden

    def set_layer_visible(self, key: str, visible: bool) -> None:
        (self._hidden.discard if visible else self._hidden.add)(key)
        if not self.loading:
            self.page().runJavaScript(
                f"window.plannerSetVisible && plannerSetVisible({_js(key)}, {_js(visible)})"
            )

    def _on_loaded(self, ok: bool) -> None:
        self.loading = False
        for key in self._hidden:
            self.page().runJavaScript(
                f"window.plannerSetVisible && plannerSetVisible({_js(key)}, false)"
            )
        self.mapLoaded.emit(ok)

    def closeEvent(self, event: Any) -> None:
        self._dir.cleanup()
        # The page must go before the web engine profile does at exit (Qt warns otherwise).
        self.page().deleteLater()
        super().closeEvent(event)
