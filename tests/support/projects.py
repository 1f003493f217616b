"""Small projects and inputs several test modules share: a two-district city, a courier week,
a bookmobile project, the siting CLI's keys, the window's small project."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, box

from planner.store import Project

UTM = "EPSG:32651"


X0, Y0 = 500_000.0, 3_100_000.0


HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"


LIBS = {
    "C": (120.692, 27.994, "central"),
    "R": (120.655, 27.779, "district"),
    "Y": (120.98, 28.12, "district"),
    "S": (120.70, 28.02, "branch"),
    "T": (120.75, 27.90, "branch"),
}


WEEK = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"]


def week_log(tmp_path, per_day: int = 70):
    rng = np.random.default_rng(3)
    ids = list(LIBS)
    rows = []
    for d in WEEK[:3]:
        for _ in range(per_day):
            a, b = rng.choice(ids, 2, replace=False)
            rows.append([f"i{len(rows)}", b, a, d])
    path = tmp_path / "week.csv"
    pd.DataFrame(rows, columns=["条码", "所属馆", "归还馆", "归还日期"]).to_csv(path, index=False)
    return path


def bookmobile_project(path):
    p = Project.create(path)
    libs = gpd.GeoDataFrame(
        {"id": ["C", "R"], "name": ["温州市图书馆", "瑞安市图书馆"], "kind": ["central", "district"]},
        geometry=[shapely.Point(120.692, 27.994), shapely.Point(120.655, 27.779)], crs=4326,
    )
    stops = [
        bookmobile_stop(1, 120.75, 28.02, frequency="2/week", tw_start="15:30", tw_end="17:30", kind="school"),
        bookmobile_stop(2, 120.62, 27.95, frequency="2/week"),
        bookmobile_stop(3, 120.70, 27.85, allowed_days="Tue,Thu", preferred_days="Thu"),
        bookmobile_stop(4, 120.60, 27.80, tw_start="11:30", tw_end="13:30", kind="firm"),
        bookmobile_stop(5, 120.66, 27.76, frequency="fortnightly"),
        bookmobile_stop(6, 120.72, 27.90, tw_start="10:00", tw_end="10:30", service_min=60),  # window shorter than the stay
        bookmobile_stop(7, 121.90, 27.00, tw_start="09:00", tw_end="09:30", service_min=20),  # far out at sea: unreachable
        bookmobile_stop(8, 120.68, 28.00, frequency="3/week", allowed_days="Mon"),  # 3 visits 2–4 days apart on Mondays: impossible
        bookmobile_stop(9, 120.64, 27.90, frequency="weekly", tw_start="13:00", tw_end="16:00"),
    ]
    p.write_layer("libraries", libs, "libraries")
    p.write_layer("stops", gpd.GeoDataFrame(stops, crs=4326), "stops")
    p.write_table("bookmobiles", pd.DataFrame([
        {"id": "bus1", "name": "书巴1号", "depot_id": "C", "shift_start": "08:30", "shift_end": "17:30",
         "break_start": "11:30", "break_end": "13:30", "break_min": 60, "days": "Mon,Tue,Wed,Thu,Fri", "capacity_crates": 12},
        {"id": "bus2", "name": "书巴2号", "depot_id": "R", "shift_start": "08:30", "shift_end": "17:30",
         "break_start": "11:30", "break_end": "13:30", "break_min": 60, "days": "Tue,Wed,Thu,Fri,Sat", "capacity_crates": 12},
    ]), role="bookmobiles")
    return p


SITE_KEYS = {
    "model",
    "selected",
    "objective",
    "covered_weight",
    "total_weight",
    "by_group",
    "optimal",
    "gap",
    "seconds",
}


# Two districts side by side near Wenzhou's centre (lon 120.60–120.72, lat 27.96–28.04).
DISTRICTS = [
    ("330302", "鹿城区", "Lucheng", box(120.60, 27.96, 120.66, 28.04)),
    ("330303", "龙湾区", "Longwan", box(120.66, 27.96, 120.72, 28.04)),
]


def build_small_project(path: Path) -> Path:
    """A project with every layer and table the window shows, small enough to solve in a second."""
    rng = np.random.default_rng(7)
    with Project.create(path, name="测试项目") as project:
        districts = gpd.GeoDataFrame(
            {
                "id": [d[0] for d in DISTRICTS],
                "name": [d[1] for d in DISTRICTS],
                "name_en": [d[2] for d in DISTRICTS],
                "population": [1_000, 800],
            },
            geometry=[d[3] for d in DISTRICTS],
            crs="EPSG:4326",
        )
        project.write_layer("districts", districts, "districts")
        lon = rng.uniform(120.601, 120.719, 80)
        lat = rng.uniform(27.961, 28.039, 80)
        population = gpd.GeoDataFrame(
            {
                "id": [f"p{i}" for i in range(80)],
                "population": np.full(80, 22.5),
                "district": ["鹿城区" if x < 120.66 else "龙湾区" for x in lon],
            },
            geometry=[Point(x, y) for x, y in zip(lon, lat, strict=True)],
            crs="EPSG:4326",
        )
        project.write_layer("population", population, "population")
        libraries = gpd.GeoDataFrame(
            {
                "id": ["L0", "L1", "L2", "L3"],
                "name": ["温州市图书馆", "龙湾区图书馆", "南塘书房", "蒲州书站"],
                "kind": ["central", "district", "study_room", "station"],
                "district": ["鹿城区", "龙湾区", "鹿城区", "龙湾区"],
                "opens": ["09:00", "09:00", "00:00", "08:00"],
                "closes": ["21:00", "17:00", "24:00", "20:00"],
                "seats": [1200, 300, 40, 0],
                "books": [2_000_000, 300_000, 5000, 800],
            },
            geometry=[
                Point(120.63, 28.00),
                Point(120.69, 27.99),
                Point(120.62, 27.97),
                Point(120.70, 28.03),
            ],
            crs="EPSG:4326",
        )
        project.write_layer("libraries", libraries, "libraries")
        cx = rng.uniform(120.605, 120.715, 12)
        cy = rng.uniform(27.965, 28.035, 12)
        candidates = gpd.GeoDataFrame(
            {
                "id": [f"C{i}" for i in range(12)],
                "name": [f"候选点{i}" for i in range(12)],
                "district": ["鹿城区" if x < 120.66 else "龙湾区" for x in cx],
                "cost": np.ones(12),
            },
            geometry=[Point(x, y) for x, y in zip(cx, cy, strict=True)],
            crs="EPSG:4326",
        )
        project.write_layer("candidates", candidates, "candidates")
        stops = gpd.GeoDataFrame(
            {
                "id": ["S0", "S1", "S2", "S3"],
                "name": ["江滨广场", "状元小学", "蒲州工业区", "永中社区"],
                "kind": ["square", "school", "factory", "village"],
                "district": ["鹿城区", "鹿城区", "龙湾区", "龙湾区"],
                "tw_start": ["09:00", "15:30", "11:30", "14:00"],
                "tw_end": ["12:00", "17:30", "13:30", "17:00"],
                "service_min": [60, 60, 45, 60],
                "visits_per_week": [2, 1, 1, 1],
                "allowed_days": ["Mon,Tue,Wed,Thu,Fri"] * 4,
                "load_crates": [4, 3, 2, 2],
                "priority": [2, 3, 1, 1],
                "allowed_vehicles": [""] * 4,
            },
            geometry=[
                Point(120.64, 28.01),
                Point(120.61, 27.99),
                Point(120.70, 27.98),
                Point(120.71, 28.02),
            ],
            crs="EPSG:4326",
        )
        project.write_layer("stops", stops, "stops")
        project.write_table(
            "bookmobiles",
            pd.DataFrame(
                {
                    "id": ["bus1"],
                    "name": ["书巴一号"],
                    "depot_id": ["L0"],
                    "shift_start": ["08:30"],
                    "shift_end": ["17:30"],
                    "break_start": ["11:30"],
                    "break_end": ["13:30"],
                    "break_min": [60],
                    "days": ["Mon,Tue,Wed,Thu,Fri"],
                    "capacity_crates": [40],
                }
            ),
            role="bookmobiles",
        )
        project.write_table(
            "vans",
            pd.DataFrame(
                {
                    "id": ["van1"],
                    "name": ["物流车一号"],
                    "depot_id": ["L0"],
                    "capacity_crates": [30],
                    "shift_start": ["08:00"],
                    "shift_end": ["17:00"],
                    "days": ["Mon,Tue,Wed,Thu,Fri"],
                }
            ),
            role="vans",
        )
    return path


def bookmobile_stop(i, lon, lat, **kw):
    base = {"id": f"s{i}", "name": f"停靠点{i}", "kind": "community", "tw_start": "09:00", "tw_end": "16:00",
            "service_min": 60, "visits_per_week": 1, "allowed_days": "Mon,Tue,Wed,Thu,Fri", "load_crates": 1,
            "priority": 1, "allowed_vehicles": "", "frequency": "", "min_gap_days": None, "max_gap_days": None,
            "preferred_days": "", "geometry": shapely.Point(lon, lat)}
    base.update(kw)
    return base
