"""The slow fuzz job (`pytest -m fuzz`): maps and workbooks of projects whose names are drawn
from template, script and formula syntaxes. Each name must come back exactly as page data,
never appear in the page outside its JSON element, and never be a workbook formula."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import openpyxl
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.jobs.bookmobile_contract import BookmobileResult
from planner.maps import MapPage, build_map
from planner.store import Project
from planner.timetable import write_routes_xlsx
from tests.support.hostile import MAP_NAME, empty_page_scripts, fixed_scripts, hostile_names

pytestmark = pytest.mark.fuzz
DATA = re.compile(r'<script type="application/json" id="planner-data">(.*?)</script>', re.S)


def _skeleton(html: str) -> str:
    """The page from <body> on without its data element, folium's map named "map"."""
    body = html.replace(DATA.search(html).group(0), "")
    return MAP_NAME.sub("map", body[body.index("<body>") :])


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=st.lists(hostile_names(), min_size=1, max_size=6, unique=True), kind=hostile_names())
def test_map_pages_keep_any_name_as_data(tmp_path, names, kind):
    path = tmp_path / "f.planner"
    with Project.create(path, overwrite=True) as project:
        libraries = gpd.GeoDataFrame(
            {
                "id": [f"L{i}" for i in range(len(names))],
                "name": names,
                "kind": [kind] * len(names),
            },
            geometry=[shapely.Point(120.6 + 0.01 * i, 28.0) for i in range(len(names))],
            crs=4326,
        )
        project.write_layer("libraries", libraries, "libraries")
        stop = {
            "id": "S",
            "name": names[0],
            "lon": 120.7,
            "lat": 28.0,
            "arrival_min": 540.0,
            "start_min": 540.0,
            "departure_min": 600.0,
            "detail": names[-1],
        }
        route = {
            "vehicle_id": names[0],
            "vehicle_name": names[-1],
            "day": kind,
            "depot": {"id": "L0", "name": names[0], "lon": 120.6, "lat": 28.0},
            "depart_min": 500,
            "return_min": 700,
            "distance_km": 1.0,
            "duration_h": 1.0,
            "break": None,
            "stops": [stop],
        }
        project.add_run("coverage", {"by_district": [], "total": {}}, scenario=kind)
        project.add_run("courier", {"routes": [route], "dropped": []})
        for page in (build_map(project, catchments=True), build_map(project, routes="courier")):
            html = page.html(layer_control=True)
            data = DATA.search(html)
            assert data and fixed_scripts(html) == empty_page_scripts()
            shown = _strings(json.loads(data.group(1)))
            # Outside its data element the page body is the same fixed skeleton for any names.
            assert _skeleton(html) == _skeleton(MapPage(groups=[], layers=[]).html())
            for name in [*names, kind]:
                assert any(name in s for s in shown)
        workbook = openpyxl.load_workbook(
            write_routes_xlsx(BookmobileResult.from_json({"routes": [route]}), tmp_path / "r.xlsx")
        )
        for ws in workbook.worksheets:
            assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
