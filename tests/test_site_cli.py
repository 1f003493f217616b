"""The `planner site` contract: exact JSON keys, the fair model, exit 2 naming a bad file."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.cli import main

KEYS = {
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


@pytest.fixture()
def files(tmp_path):
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


def test_site_fair_writes_exactly_the_contract_keys(files):
    out = files / "out.json"
    code = main(
        [
            "site",
            "--demand",
            str(files / "demand.geojson"),
            "--candidates",
            str(files / "cands.gpkg"),
            "--model",
            "fair",
            "--p",
            "2",
            "--threshold",
            "500",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result) == KEYS
    assert set(result["by_group"]) == {"甲", "乙"}
    assert set(result["by_group"]["乙"]) == {"covered", "total", "share"}
    assert "c4" in result["selected"] and len(result["selected"]) == 2
    assert result["covered_weight"] == pytest.approx(130.0) and result[
        "total_weight"
    ] == pytest.approx(330.0)
    assert result["optimal"] is True and result["gap"] == 0.0


def test_site_threshold_is_inclusive_in_metres(files):
    out = files / "out.json"
    # Candidates sit 300 m from their demand point (UTM metres, though the files are lon/lat).
    args = [
        "site",
        "--demand",
        str(files / "demand.geojson"),
        "--candidates",
        str(files / "cands.gpkg"),
        "--model",
        "mclp",
        "--p",
        "4",
        "--json",
        str(out),
    ]
    assert main([*args, "--threshold", "299"]) == 0
    assert json.loads(out.read_text())["covered_weight"] == 0.0
    assert main([*args, "--threshold", "300.5"]) == 0
    assert json.loads(out.read_text())["covered_weight"] == pytest.approx(330.0)


def test_site_exits_2_naming_a_bad_file(tmp_path, files):
    bad = tmp_path / "broken.gpkg"
    bad.write_text("this is not a GeoPackage")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "--lang",
            "en",
            "site",
            "--demand",
            str(bad),
            "--candidates",
            str(files / "cands.gpkg"),
            "--model",
            "mclp",
            "--p",
            "1",
            "--json",
            str(tmp_path / "o.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "broken.gpkg" in proc.stderr
    assert not (tmp_path / "o.json").exists()


def test_site_exits_2_on_a_missing_weight_field(tmp_path, files):
    code = main(
        [
            "site",
            "--demand",
            str(files / "demand.geojson"),
            "--candidates",
            str(files / "cands.gpkg"),
            "--model",
            "mclp",
            "--p",
            "1",
            "--weight-field",
            "people",
            "--json",
            str(tmp_path / "o.json"),
        ]
    )
    assert code == 2
