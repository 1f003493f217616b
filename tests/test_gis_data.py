"""The embedded Wenzhou data: official figures exact, modelled data labelled, places plausible."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from planner.datum import gcj02_to_wgs84, wgs84_to_gcj02
from planner.embedded import load_embedded, official_population

OFFICIAL = {
    r["name_zh"]: int(r["population"])
    for r in csv.DictReader(
        (Path(__file__).parent / "data" / "districts_2021.csv").open(encoding="utf-8")
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
