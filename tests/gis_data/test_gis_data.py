"""The embedded Wenzhou data: official figures exact, modelled data labelled, places plausible."""

from __future__ import annotations

import csv

import geopandas as gpd
import numpy as np
import pytest

from planner.datum import gcj02_to_wgs84, wgs84_to_gcj02
from planner.embedded import load_embedded, official_population
from tests.support.paths import DATA

OFFICIAL = {
    r["name_zh"]: int(r["population"])
    for r in csv.DictReader(
        (DATA / "districts_2021.csv").open(encoding="utf-8")
    )
}


@pytest.fixture(scope="module")
def data():
    return load_embedded()


def test_twelve_districts_with_the_official_2021_population(data):
    d = data["districts"]
    assert dict(zip(d["name"], d["population"], strict=True)) == OFFICIAL
    assert sum(OFFICIAL.values()) == 9_645_000
    assert official_population() == OFFICIAL
    assert d.crs.to_epsg() == 4326 and d.geometry.is_valid.all()


def test_population_grid_sums_to_each_district_total_and_says_it_is_modelled(data):
    pop = data["population"]
    sums = pop.groupby("district")["population"].sum()
    for name, total in OFFICIAL.items():
        assert sums[name] == pytest.approx(total, rel=1e-9)
    assert (pop["provenance"] == "modelled").all() and (pop["population"] >= 1).all()


def test_population_is_densest_in_the_urban_core_and_thin_in_the_mountains(data):
    pop = data["population"]
    area_km2 = pop.groupby("district").size() * 0.25
    density = pop.groupby("district")["population"].sum() / area_km2
    assert density["鹿城区"] > 5 * density["泰顺县"] and density["鹿城区"] > 5 * density["文成县"]


def test_library_network_has_the_seed_plan_sizes_and_honest_labels(data):
    libs = data["libraries"]
    counts = libs["kind"].value_counts().to_dict()
    assert (
        counts["central"] == 1
        and counts["district"] == 12
        and counts["study_room"] == 15
        and counts["station"] == 31
    )
    assert (libs.loc[libs["kind"] == "branch", "level"].value_counts().to_dict()) == {2: 27, 1: 14}
    modelled = libs[libs["provenance"] == "modelled"]
    assert modelled["name"].str.contains("模拟").all()
    assert set(libs["provenance"]) == {"real", "modelled"}


def test_every_library_lies_in_wenzhou_and_the_central_one_in_lucheng(data):
    d, libs = data["districts"], data["libraries"]
    union = d.geometry.union_all().buffer(0.01)
    assert libs.geometry.within(union).all()
    lucheng = d.loc[d["name"] == "鹿城区"].geometry.iloc[0]
    assert lucheng.contains(libs.loc[libs["kind"] == "central"].geometry.iloc[0])


def test_every_layer_has_a_provenance_row(data):
    assert set(data["provenance"]["layer"]) >= {
        "districts",
        "population",
        "libraries",
        "candidates",
        "stops",
        "bookmobiles",
        "vans",
    }


def test_gcj02_shift_in_wenzhou_is_a_few_hundred_metres():
    lon, lat = np.array([120.69240]), np.array([27.99363])
    glon, glat = wgs84_to_gcj02(lon, lat)
    back = gcj02_to_wgs84(glon, glat)
    assert abs(back[0][0] - lon[0]) < 1e-8 and abs(back[1][0] - lat[0]) < 1e-8
    shift_m = np.hypot((glon - lon) * 98_500, (glat - lat) * 110_700)[0]
    assert 100 < shift_m < 700


def test_gcj02_inverse_round_trips_across_wenzhou_to_a_micro_degree():
    rng = np.random.default_rng(7)
    glon, glat = rng.uniform(119.6, 121.3, 500), rng.uniform(27.0, 28.6, 500)
    lon, lat = gcj02_to_wgs84(glon, glat)
    flon, flat = wgs84_to_gcj02(lon, lat)
    assert np.abs(flon - glon).max() < 1e-6 and np.abs(flat - glat).max() < 1e-6
    shift_m = np.hypot((glon - lon) * 98_500, (glat - lat) * 110_700)
    assert shift_m.min() > 100 and shift_m.max() < 800


def test_every_library_candidate_and_stop_lies_in_the_district_it_names(data):
    districts = data["districts"].set_index("name").geometry
    for layer in ("libraries", "candidates", "stops"):
        gdf = data[layer]
        inside = [
            districts[d].contains(p) for d, p in zip(gdf["district"], gdf.geometry, strict=True)
        ]
        assert all(inside), (layer, gdf.loc[[not i for i in inside], "name"].tolist())


def test_every_modelled_feature_is_labelled_modelled(data):
    for layer in ("population", "candidates", "stops"):
        assert (data[layer]["provenance"] == "modelled").all(), layer
    assert (data["candidates"]["name"].str.contains("模拟")).all()
    assert (data["stops"]["name"].str.contains("模拟")).all()
    for table in ("bookmobiles", "vans"):
        assert (data[table]["provenance"] == "modelled").all(), table
    real = data["libraries"][data["libraries"]["provenance"] == "real"]
    assert set(real["kind"]) == {"central", "district"} and len(real) == 13


def test_big_towns_are_population_peaks_and_mountain_cells_are_sparse(data):
    pop = data["population"].to_crs(32651)
    # approximate town centres (WGS84), independent of the build script's anchors
    towns = {
        "柳市": (120.90, 28.05),
        "塘下": (120.63, 27.86),
        "灵溪": (120.42, 27.50),
        "鳌江": (120.59, 27.60),
        "瓯北": (120.65, 28.04),
        "鹿城": (120.66, 28.01),
    }
    p95 = pop["population"].quantile(0.95)
    for name, (lon, lat) in towns.items():
        centre = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).to_crs(32651).iloc[0]
        near = pop[pop.distance(centre) < 2500]
        assert near["population"].max() > p95, name
    median = pop.groupby("district")["population"].median()
    assert median["鹿城区"] > 10 * median["文成县"] and median["鹿城区"] > 10 * median["泰顺县"]
    assert pop.loc[pop["population"].idxmax(), "district"] in {"鹿城区", "瓯海区", "龙湾区"}


def test_bookmobile_week_fits_the_fleet_on_paper(data):
    stops, buses = data["stops"], data["bookmobiles"]
    assert 40 <= len(stops) <= 60 and len(buses) == 4
    assert set(stops["kind"]) == {"community", "school", "firm", "village", "barracks"}
    minutes = lambda hhmm: int(hhmm[:2]) * 60 + int(hhmm[3:])  # noqa: E731
    window = stops["tw_end"].map(minutes) - stops["tw_start"].map(minutes)
    assert (window >= stops["service_min"]).all() and stops["service_min"].between(60, 120).all()
    bus_days = sum(len(d.split(",")) for d in buses["days"])
    fleet_min = bus_days * (minutes("17:30") - minutes("08:30") - 60)
    service_min = (stops["service_min"] * stops["visits_per_week"]).sum()
    assert (
        0.3 * fleet_min < service_min < 0.6 * fleet_min
    )  # tight once driving is added, but not impossible
    libs = data["libraries"].set_index("id").to_crs(32651)
    depots = gpd.GeoSeries(libs.geometry.loc[buses["depot_id"]].to_numpy(), crs=32651)
    nearest_km = [depots.distance(p).min() / 1000 for p in stops.to_crs(32651).geometry]
    assert max(nearest_km) < 25
