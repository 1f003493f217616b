"""The map in the centre of the window: the project's offline folium page (planner.maps,
asked for through planner.run_map) in a QWebEngineView.

The page is written to a file and loaded from it (`setHtml` stops at 2 MB). Each layer the
layer panel lists is one Leaflet feature group the panel shows or hides through the page's
`plannerSetVisible`; clicking a feature logs `planner-select:{"layer":…,"id":…}` to the console,
which the page object turns into the `featureClicked` signal (works offline, needs no web
channel). Names from the user's files reach the page only as JSON data shown as text.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QUrl, pyqtSignal
from PyQt6.QtWebEngineCore import QWebEnginePage
from PyQt6.QtWebEngineWidgets import QWebEngineView

from planner.maps import KIND_COLOURS, SELECT_PREFIX, MapLayer, js_literal
from planner.run_map import desktop_map
from planner.store import Project
from ui.strings import tr

__all__ = ["KIND_COLOURS", "MapLayer", "MapView"]


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
        if message.startswith(SELECT_PREFIX):
            try:
                payload = json.loads(message[len(SELECT_PREFIX) :])
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
        self._stale = False  # loaded while hidden: load again when shown
        self.layers: list[MapLayer] = []
        self.loadFinished.connect(self._on_loaded)

    def show_project(self, project: Project | None, lang: str, run_id: int | None = None) -> None:
        """Rebuild the page from the project (its layers, coverage or siting run `run_id` or by
        default the latest coverage run, and the latest routes) and load it."""
        self._generation += 1
        path = Path(self._dir.name) / f"map-{self._generation}.html"
        if project is None:
            path.write_text(
                f"<html><body style='font:14px sans-serif;color:#666;padding:2em'>{tr('no_project')}</body></html>",
                encoding="utf-8",
            )
            self.layers = []
        else:
            self.layers = desktop_map(project, path, run_id, lang=lang, colours=self.colours)
        self.layersChanged.emit(self.layers)
        self.loading = True
        self.load(QUrl.fromLocalFile(str(path)))

    def is_hidden(self, key: str) -> bool:
        return key in self._hidden

    def set_layer_visible(self, key: str, visible: bool) -> None:
        (self._hidden.discard if visible else self._hidden.add)(key)
        if not self.loading:
            self.page().runJavaScript(
                f"window.plannerSetVisible && plannerSetVisible({js_literal(key)}, {js_literal(visible)})"
            )

    def _on_loaded(self, ok: bool) -> None:
        self.loading = False
        # Leaflet sizes the map when the page loads: hidden (another centre tab in front), it
        # has no size and draws nothing, so the page loads again once the view is shown.
        self._stale = not self.isVisible()
        for key in self._hidden:
            self.page().runJavaScript(
                f"window.plannerSetVisible && plannerSetVisible({js_literal(key)}, false)"
            )
        self.mapLoaded.emit(ok)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._stale and not self.loading:
            self._stale = False
            self.loading = True
            self.reload()

    def closeEvent(self, event: Any) -> None:
        self._dir.cleanup()
        # The page must go before the web engine profile does at exit (Qt warns otherwise).
        self.page().deleteLater()
        super().closeEvent(event)
