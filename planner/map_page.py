"""A map page as folium HTML: a `folium.Map` (Leaflet inlined from planner/assets for a file that
opens anywhere offline, or linked from them for the desktop view), the page's JSON data and
planner/assets/planner_map.js, which draws every layer on folium's map.

User text never becomes template source. folium and branca render Jinja templates, and a
branca MacroElement renders its own output once more as a template; so no folium layer,
tooltip, popup or MacroElement carries our data. The only elements added here are branca
Elements whose Jinja source is a constant of this module; our assets and the page data
(already escaped for a <script> element by planner.maps.page_json) are only ever the *value*
of a template variable, rendered once: `{{ … }}` or `{% … %}` in a name stays text.
"""

from __future__ import annotations

from html import escape
from typing import Any

import folium
from branca.element import Element
from jinja2 import Template

from planner.maps import LEAFLET_CSS, LEAFLET_JS, MAP_JS, page_json

#: Where the map opens before it fits the data: Wenzhou.
CENTRE = (27.99, 120.70)
# No tiles offline: a quiet sea-grey background under the district outlines, and labels that
# stay readable over any fill.
STYLE = """<style>
.leaflet-container { background: #e4ebf0; }
.planner-label { font: 600 12px "Noto Sans CJK SC", "Noto Sans SC", sans-serif; color: #333;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; white-space: nowrap;
  transform: translate(-50%, -50%); pointer-events: none; }
.planner-star { font-size: 22px; line-height: 22px; transform: translate(-50%, -55%);
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #333; }
.planner-tip th { text-align: left; padding-right: 6px; }
.planner-legend { background: rgba(255,255,255,.9); padding: 6px 8px; border: 1px solid #999;
  border-radius: 4px; font: 12px "Noto Sans CJK SC", sans-serif; max-width: 360px; }
.planner-swatch { display: inline-block; width: 22px; height: 10px; }
</style>"""


class _Text(Element):
    """Text put into the page as it is: the value of a constant template's only variable."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class _Title(Element):
    """The page's title, escaped for HTML text."""

    _template = Template("<title>{{ this.title }}</title>")

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title = escape(title)


class _Leaflet(Element):
    """Leaflet's CSS and JS inlined: the package files are values, never template source."""

    _template = Template("<style>{{ this.css }}</style>\n<script>{{ this.js }}</script>")

    def __init__(self) -> None:
        super().__init__()
        self.css = LEAFLET_CSS.read_text(encoding="utf-8")
        self.js = LEAFLET_JS.read_text(encoding="utf-8")


class _PageData(Element):
    """The page's data: JSON already escaped so that it cannot end its <script> element."""

    _template = Template(
        '<script type="application/json" id="planner-data">{{ this.payload }}</script>'
    )

    def __init__(self, payload: str) -> None:
        super().__init__()
        self.payload = payload


class _MapScript(Element):
    """planner_map.js, placed in the page's closing script when folium renders the map (where
    folium places its own layers), so it runs once folium's `L.map` exists."""

    def render(self, **kwargs: Any) -> None:
        code = _Text(MAP_JS.read_text(encoding="utf-8"))
        self.get_root().script.add_child(code, name=self.get_name())


def render_page(
    data: dict[str, Any], *, title: str, tiles: bool, standalone: bool, zoom_control: bool
) -> str:
    """The page of `data` (planner.maps.MapPage's groups, legend, bounds …) on a folium map:
    OpenStreetMap tiles only when `tiles` (with their credit line), no zoom buttons unless
    `zoom_control`; Leaflet inlined when `standalone`, else linked from the package files."""
    fmap = folium.Map(
        location=CENTRE,
        zoom_start=9,
        tiles="OpenStreetMap" if tiles else None,
        zoom_control=zoom_control,
        attribution_control=tiles,
        font_size="0.75rem",  # Leaflet's own size for its controls (folium's default is 1rem)
        # No zoom animation: an SVG layer caught mid-animation stays scaled in an offscreen render.
        zoom_animation=False,
    )
    # Only Leaflet, from the package (set on this instance: the class lists are shared).
    if standalone:
        fmap.default_js, fmap.default_css = [], []
    else:
        fmap.default_js = [("leaflet", LEAFLET_JS.as_uri())]
        fmap.default_css = [("leaflet_css", LEAFLET_CSS.as_uri())]
    root = fmap.get_root()
    # After folium's charset line, which a browser must meet within the first 1024 bytes.
    root.header.add_child(_Title(title), name="planner_title", index=1)
    if standalone:
        root.header.add_child(_Leaflet(), name="leaflet", index=2)
    root.header.add_child(_Text(STYLE), name="planner_style")
    root.html.add_child(_PageData(page_json({**data, "map": fmap.get_name()})), name="planner_data")
    fmap.add_child(_MapScript(), name="planner_map")
    return root.render()
