"""Shared fixtures: a two-district city, a map project with hostile names, a courier week and the
siting CLI's input files. Qt runs offscreen; QtWebEngine as root needs its sandbox off."""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner.store import Project
from tests.support.projects import HOSTILE, LIBS, UTM, X0, Y0

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --no-sandbox")


@pytest.fixture()
def city_project(tmp_path):
    p = Project.create(tmp_path / "t.planner")
    # 甲: a 4×4 grid of 100 people around its library; 乙: 3 villages of 50, no library.
    grid = [(X0 + i * 500, Y0 + j * 500) for i in range(4) for j in range(4)]
    villages = [(X0 + 8000, Y0), (X0 + 12000, Y0), (X0 + 8000, Y0 + 6000)]
    pop = gpd.GeoDataFrame(
        {
            "id": [f"p{k}" for k in range(19)],
            "population": [100.0] * 16 + [50.0] * 3,
            "district": ["甲"] * 16 + ["乙"] * 3,
        },
        geometry=shapely.points(np.array(grid + villages)),
        crs=UTM,
    )
    p.write_layer("population", pop, role="population")
    districts = gpd.GeoDataFrame(
        {"id": ["1", "2"], "name": ["甲", "乙"], "population": [2000, 200]},
        geometry=[
            shapely.box(X0 - 500, Y0 - 500, X0 + 3000, Y0 + 3000),
            shapely.box(X0 + 3000, Y0 - 500, X0 + 13000, Y0 + 7000),
        ],
        crs=UTM,
    )
    p.write_layer("districts", districts, role="districts")
    libs = gpd.GeoDataFrame(
        {
            "id": ["L1", "S1"],
            "name": ["甲馆", "书站"],
            "kind": ["district", "station"],
            "seats": [200, 10],
        },
        geometry=shapely.points(np.array([[X0 + 750, Y0 + 750], [X0 + 1500, Y0 + 1500]])),
        crs=UTM,
    )
    p.write_layer("libraries", libs, role="libraries")
    cands = gpd.GeoDataFrame(
        {
            "id": ["c1", "c2", "c3"],
            "name": ["候选一", "候选二", "候选三"],
            "district": ["甲", "乙", "乙"],
            "cost": [1.0, 1.0, 1.0],
        },
        geometry=shapely.points(
            np.array([[X0 + 1500, Y0 + 250], [X0 + 8000, Y0 + 100], [X0 + 12000, Y0]])
        ),
        crs=UTM,
    )
    p.write_layer("candidates", cands, role="candidates")
    yield p
    p.close()


@pytest.fixture
def map_project(tmp_path) -> Project:
    p = Project.create(tmp_path / "m.planner")
    districts = gpd.GeoDataFrame(
        {"id": ["a", "b"], "name": ["鹿城区", HOSTILE], "population": [1000, 500]},
        geometry=[
            shapely.box(120.60, 27.95, 120.70, 28.05),
            shapely.box(120.70, 27.95, 120.80, 28.05),
        ],
        crs=4326,
    )
    libraries = gpd.GeoDataFrame(
        {
            "id": ["L1", "L2", "L3"],
            "name": ["温州市图书馆", HOSTILE, "书房"],
            "kind": ["central", "study_room", "study_room"],
        },
        geometry=[
            shapely.Point(120.69, 27.99),
            shapely.Point(120.65, 28.0),
            shapely.Point(120.75, 28.0),
        ],
        crs=4326,
    )
    population = gpd.GeoDataFrame(
        {
            "id": [str(i) for i in range(40)],
            "population": [10.0] * 40,
            "district": ["鹿城区"] * 20 + [HOSTILE] * 20,
        },
        geometry=[shapely.Point(120.61 + 0.0045 * i, 28.0) for i in range(40)],
        crs=4326,
    )
    p.write_layer("districts", districts, "districts")
    p.write_layer("libraries", libraries, "libraries")
    p.write_layer("population", population, "population")
    rows = [
        {
            "district": "鹿城区",
            "population_official": 1000,
            "population": 200.0,
            "covered": 150.0,
            "share": 0.75,
        },
        {
            "district": HOSTILE,
            "population_official": 500,
            "population": 200.0,
            "covered": 20.0,
            "share": 0.1,
        },
    ]
    p.add_run(
        "coverage",
        {
            "threshold": 900.0,
            "unit": "s",
            "mode": "walk",
            "cost_source": "straight-line",
            "kinds": ["central", "study_room"],
            "by_district": rows,
            "total": {"population": 400.0, "covered": 170.0, "share": 0.425},
        },
        scenario="baseline",
    )
    stop = {
        "id": "S1",
        "name": HOSTILE,
        "lon": 120.72,
        "lat": 28.02,
        "arrival_min": 560.0,
        "start_min": 570.0,
        "departure_min": 630.0,
        "load_after": 1,
        "action": "serve",
        "detail": "",
    }
    route = {
        "vehicle_id": "bus1",
        "vehicle_name": "书巴1号",
        "depot": {"id": "L1", "name": "温州市图书馆", "lon": 120.69, "lat": 27.99},
        "depart_min": 510,
        "return_min": 700,
        "distance_km": 12.3,
        "duration_h": 3.2,
        "break": None,
        "stops": [stop],
    }
    routes = [dict(route, day=day) for day in ("Mon", "Thu")]
    p.add_run("bookmobile", {"kind": "bookmobile", "routes": routes, "dropped": [], "totals": {}})
    yield p
    p.close()


@pytest.fixture
def week_project(tmp_path):
    p = Project.create(tmp_path / "w.planner")
    libs = gpd.GeoDataFrame(
        [
            {
                "id": k,
                "name": f"{k}馆",
                "kind": v[2],
                "opens": "08:00",
                "closes": "18:00",
                "books": 100000,
                "geometry": shapely.Point(v[0], v[1]),
            }
            for k, v in LIBS.items()
        ],
        crs=4326,
    )
    p.write_layer("libraries", libs, "libraries")
    p.write_table(
        "vans",
        pd.DataFrame(
            [
                {
                    "id": "van1",
                    "name": "物流1号",
                    "depot_id": "C",
                    "capacity_crates": 4,
                    "shift_start": "08:00",
                    "shift_end": "12:00",
                    "days": "Mon,Tue,Wed,Thu,Fri",
                }
            ]
        ),
        role="vans",
    )
    yield p
    p.close()


@pytest.fixture()
def site_files(tmp_path):
    # Lon/lat input: costs must be metres in the local UTM zone (51N for Wenzhou).
    utm = "EPSG:32651"
    x0, y0 = 500_000.0, 3_100_000.0
    demand = np.array([[x0, y0], [x0 + 5000, y0], [x0 + 10000, y0], [x0, y0 + 9000]])
    gpd.GeoDataFrame(
        {
            "id": ["d1", "d2", "d3", "d4"],
            "population": [100, 100, 100, 30],
            "district": ["甲", "甲", "甲", "乙"],
        },
        geometry=shapely.points(demand),
        crs=utm,
    ).to_crs(4326).to_file(tmp_path / "demand.geojson")
    gpd.GeoDataFrame(
        {"id": ["c1", "c2", "c3", "c4"]}, geometry=shapely.points(demand + [300.0, 0.0]), crs=utm
    ).to_crs(4326).to_file(tmp_path / "cands.gpkg")
    return tmp_path
