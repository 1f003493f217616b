"""Issue 19 items 1–3: names from a received file are data, never code. A project is built
with the commands a user runs (`planner new`, `planner import` of CSV/GeoJSON files whose names
are Jinja, script and formula payloads), then mapped, planned and exported: no template runs,
no script runs in a real headless Chromium (no dialog, no request, no new element), no
workbook cell is a formula, and every name is shown as the text it is."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from html import unescape
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from PyQt6.QtCore import QSettings
from PyQt6.QtWidgets import QApplication, QDialog

from planner.cli import main
from planner.maps import map_for_run
from planner.store import Project
from tests.support import browser
from tests.support.hostile import HOSTILE_NAMES, SCRIPT, empty_page_scripts, fixed_scripts
from ui import strings
from ui.app import application
from ui.main_window import MainWindow  # QtWebEngine is imported before any QApplication

#: Hovers every feature and opens every popup on the map, and returns the text they showed
#: with a census of the DOM.
PROBE = """(function () {
  var texts = [];
  var seen = new Set();
  function grab(el) { if (el) texts.push(el.textContent); }
  function at(l) { return l.getLatLng ? l.getLatLng() : l.getBounds().getCenter(); }
  plannerMap.eachLayer(function (l) {
    if (seen.has(l)) return; seen.add(l);
    if (l.getTooltip && l.getTooltip()) {
      if (l.eachLayer) l.eachLayer(function (s) { s.fire('mouseover', {latlng: at(s)}, true); grab(l.getTooltip().getElement()); });
      else { l.fire('mouseover', {latlng: at(l)}); grab(l.getTooltip().getElement()); }
    }
    if (l.getPopup && l.getPopup()) { l.openPopup(); grab(l.getPopup().getElement()); }
  });
  document.querySelectorAll('.planner-label, .planner-legend, .leaflet-control-layers label')
    .forEach(grab);
  var onAttrs = Array.from(document.querySelectorAll('*')).filter(function (e) {
    return Array.from(e.attributes).some(function (a) { return a.name.toLowerCase().startsWith('on'); });
  }).length;
  return {texts: texts, scripts: document.scripts.length, images: document.images.length,
          frames: document.querySelectorAll('iframe, object, embed').length, onAttrs: onAttrs,
          title: document.title};
})()"""


def _write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The hostile project and every file the commands wrote, made in a folder that is also
    the working directory (where the Jinja payload would create PWNED)."""
    folder = tmp_path_factory.mktemp("hostile")
    before = Path.cwd()
    os.chdir(folder)
    try:
        project = folder / "h.planner"
        assert main(["new", str(project)]) == 0
        districts = gpd.GeoDataFrame(
            {
                "id": ["d1", "d2"],
                "name": [HOSTILE_NAMES[0], "</script><b>区</b>"],
                "population": [900, 800],
            },
            geometry=[
                shapely.box(120.60, 27.95, 120.70, 28.05),
                shapely.box(120.70, 27.95, 120.80, 28.05),
            ],
            crs=4326,
        )
        districts.to_file(folder / "districts.geojson", driver="GeoJSON")
        libraries = [
            {
                "id": f"L{i}",
                "name": name,
                "kind": "central" if i == 0 else "branch",
                "lon": 120.61 + 0.011 * i,
                "lat": 28.0 + 0.002 * (i % 3),
                "opens": "09:00",
                "closes": "17:00",
            }
            for i, name in enumerate(HOSTILE_NAMES)
        ]
        stops = [
            {
                "id": f"S{i}",
                "name": name,
                "lon": 120.63 + 0.03 * i,
                "lat": 27.97,
                "tw_start": "09:00",
                "tw_end": "16:00",
                "service_min": 30,
                "visits_per_week": 1,
                "allowed_days": "Mon,Tue",
            }
            for i, name in enumerate(HOSTILE_NAMES[5:11])
        ]
        population = [
            {
                "id": f"p{i}",
                "population": 50,
                "lon": 120.605 + 0.01 * i,
                "lat": 27.999,
                "district": districts["name"][0 if i < 10 else 1],
            }
            for i in range(18)
        ]
        log = [
            {
                "条码": f"b{i}",
                "所属馆": f"L{i % 4}",
                "归还馆": f"L{(i + 1) % 4 + 8}",
                "归还日期": "2026-11-24",
            }
            for i in range(12)
        ]
        for role, path in (
            ("districts", folder / "districts.geojson"),
            ("libraries", _write_csv(folder / "libraries.csv", libraries)),
            ("stops", _write_csv(folder / "stops.csv", stops)),
            ("population", _write_csv(folder / "population.csv", population)),
        ):
            assert main(["import", str(project), str(path), "--as", role]) == 0, role
        with Project.open(project) as p:  # fleets are tables: no import command for them yet
            p.write_table(
                "bookmobiles",
                pd.DataFrame(
                    [
                        {
                            "id": "bus1",
                            "name": "@SUM(1)",
                            "depot_id": "L0",
                            "shift_start": "08:30",
                            "shift_end": "17:30",
                            "break_start": "11:30",
                            "break_end": "13:30",
                            "break_min": 30,
                            "days": "Mon,Tue",
                            "capacity_crates": 12,
                        }
                    ]
                ),
                role="bookmobiles",
            )
            p.write_table(
                "vans",
                pd.DataFrame(
                    [
                        {
                            "id": "van1",
                            "name": "=1+1",
                            "depot_id": "L0",
                            "capacity_crates": 40,
                            "shift_start": "08:00",
                            "shift_end": "17:00",
                            "days": "Mon,Tue,Wed,Thu,Fri,Sat",
                        }
                    ]
                ),
                role="vans",
            )
        out = {"project": project, "folder": folder}
        assert main(["coverage", str(project), "--threshold", "600"]) == 0
        out["coverage_map"] = folder / "coverage.html"
        assert main(["map", str(project), "--out", str(out["coverage_map"])]) == 0
        out["bookmobile_xlsx"] = folder / "bookmobile.xlsx"
        assert (
            main(
                [
                    "bookmobile",
                    str(project),
                    "--seconds",
                    "1",
                    "--xlsx",
                    str(out["bookmobile_xlsx"]),
                ]
            )
            == 0
        )
        out["bookmobile_map"] = folder / "bookmobile.html"
        assert (
            main(
                ["map", str(project), "--routes", "bookmobile", "--out", str(out["bookmobile_map"])]
            )
            == 0
        )
        out["courier_xlsx"] = folder / "courier.xlsx"
        returns = _write_csv(folder / "returns.csv", log)
        assert (
            main(
                [
                    "courier",
                    str(project),
                    "--log",
                    str(returns),
                    "--seconds",
                    "1",
                    "--xlsx",
                    str(out["courier_xlsx"]),
                ]
            )
            == 0
        )
        out["courier_map"] = folder / "courier.html"
        assert (
            main(["map", str(project), "--routes", "courier", "--out", str(out["courier_map"])])
            == 0
        )
        with Project.open(project) as p:
            out["names"] = {
                "libraries": list(p.read_layer("libraries")["name"]),
                "stops": list(p.read_layer("stops")["name"]),
                "districts": list(p.read_layer("districts")["name"]),
            }
            out["bookmobile"] = p.latest_run("bookmobile")["result"]
            out["courier"] = p.latest_run("courier")["result"]
        yield out
    finally:
        os.chdir(before)


def _strings(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values()), set())
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value), set())
    return set()


def _page_data(html: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="planner-data">(.*?)</script>', html, re.S
    )
    assert found, "the map has no data element"
    return json.loads(found.group(1))


def test_the_names_were_imported_unchanged(made):
    assert set(made["names"]["libraries"]) == set(HOSTILE_NAMES)
    assert set(made["names"]["stops"]) == set(HOSTILE_NAMES[5:11])


def test_no_template_ran_and_the_names_are_the_maps_data(made):
    assert not (made["folder"] / "PWNED").exists()
    assert not any(made["folder"].rglob("PWNED"))
    for key, kind in (("coverage_map", "libraries"), ("bookmobile_map", "stops")):
        html = made[key].read_text(encoding="utf-8")
        assert "looploop" not in html
        data = _page_data(html)
        assert set(made["names"][kind]) <= _strings(data), key
        # Outside its JSON data element the page holds no user text at all.
        outside = html.replace(
            re.search(r'id="planner-data">.*?</script>', html, re.S).group(0), ""
        )
        for name in HOSTILE_NAMES:
            assert name not in outside, (key, name)
        # Only the fixed scripts (Leaflet, folium's switches and map, planner_map.js) and the
        # data: the same as on a page with no names at all, nothing injected.
        assert fixed_scripts(html) == empty_page_scripts()
        assert len(SCRIPT.findall(html)) == len(empty_page_scripts()) + 1


@pytest.mark.parametrize("key", ["coverage_map", "bookmobile_map", "courier_map"])
def test_hostile_names_are_shown_as_text_in_a_real_browser(made, key):
    seen = browser.watch_page(made[key], PROBE)
    assert seen.dialogs == []
    assert seen.requests == []  # Leaflet is inlined; nothing else may be fetched
    assert seen.errors == []
    census = seen.probe
    assert census["scripts"] == len(empty_page_scripts()) + 1  # the fixed ones and the data
    assert census["images"] == 0 and census["frames"] == 0
    assert census["onAttrs"] == 0
    shown = "\n".join(census["texts"])
    names = made["names"]["libraries"] if key != "bookmobile_map" else made["names"]["stops"]
    if key == "coverage_map":
        names = [*names, *made["names"]["districts"]]
    for name in names:
        assert name in shown, (key, name)


def test_template_names_survive_the_folium_render_as_literal_text(tmp_path, monkeypatch):
    """folium writes the page through Jinja: names made of `{{ … }}` and `{% … %}` reach the
    page's title, legend, layer panel, labels and tooltips as the same literal text, nothing
    is evaluated (no PWNED file, no 49, no loop), and a real browser shows them as text."""
    monkeypatch.chdir(tmp_path)
    templates = [n for n in HOSTILE_NAMES if "{{" in n or "{%" in n]
    scenario = " ".join(templates)
    with Project.create(tmp_path / "t.planner") as project:
        libraries = gpd.GeoDataFrame(
            {"id": [f"L{i}" for i in range(len(templates))], "name": templates, "kind": templates},
            geometry=[shapely.Point(120.6 + 0.01 * i, 28.0) for i in range(len(templates))],
            crs=4326,
        )
        project.write_layer("libraries", libraries, "libraries")
        run = project.add_run("coverage", {"by_district": [], "total": {}}, scenario=scenario)
        page = map_for_run(project, run)
        out = page.save(tmp_path / "t.html")
    html = out.read_text(encoding="utf-8")
    data = _page_data(html)
    assert set(templates) <= _strings(data)  # layer labels and feature names, exactly
    assert scenario in data["title"] and scenario in data["legend"]["lines"][0]
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert unescape(title) == page.title and scenario in unescape(title)  # not rendered
    assert "looploop" not in html and "49" not in title
    assert not (tmp_path / "PWNED").exists() and not (Path.cwd() / "PWNED").exists()
    assert fixed_scripts(html) == empty_page_scripts()
    seen = browser.watch_page(out, PROBE)
    assert seen.dialogs == [] and seen.requests == [] and seen.errors == []
    assert seen.probe["title"] == page.title
    shown = "\n".join(seen.probe["texts"])
    for name in templates:
        assert name in shown, name


@pytest.mark.parametrize("key", ["bookmobile_xlsx", "courier_xlsx"])
def test_workbooks_hold_names_as_text_never_formulas(made, key):
    wb = openpyxl.load_workbook(made[key])
    values = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value[:1] in (
                    "=",
                    "+",
                    "-",
                    "@",
                    "\t",
                    "\r",
                ):
                    assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                values.add(cell.value)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, int | float):
                    assert cell.data_type == "n"
    run = made["bookmobile" if key.startswith("bookmobile") else "courier"]
    served = {s.get("name") for r in run["routes"] for s in r["stops"]}
    assert served and served <= values
    vehicle = "@SUM(1)" if key.startswith("bookmobile") else "=1+1"
    assert vehicle in values


def test_the_window_shows_hostile_names_as_text(qtbot, made, tmp_path):
    """The desktop window a user opens the project in: the same names, hovered on its map,
    are text; the page has no script error, no injected element, and no dialog opened."""
    application()
    strings.set_language("zh")
    project = shutil.copy(made["project"], tmp_path / "h.planner")
    win = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win, before_close_func=lambda w: w.discard_edits())
    win.show()
    with qtbot.waitSignal(win.map_view.mapLoaded, timeout=20_000):
        assert win.open_project(Path(project))
    box: list = []
    win.map_view.page().runJavaScript(PROBE, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=10_000)
    census = box[0]
    assert win.map_view.page().errors == []
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
    ]
    assert census["scripts"] == len(empty_page_scripts(standalone=False)) + 1
    assert census["images"] == 0 and census["onAttrs"] == 0
    shown = "\n".join(census["texts"])
    for name in [*made["names"]["libraries"], *made["names"]["stops"], *made["names"]["districts"]]:
        assert name in shown, name
    assert not (Path.cwd() / "PWNED").exists()
