"""`planner matrix` file contract: keys, null for unreachable pairs, exit 2 on bad files."""

from __future__ import annotations

import json

import geopandas as gpd
from shapely.geometry import LineString, Point

from planner.cli import main

CRS = "EPSG:32651"
X0, Y0 = 500_000.0, 3_100_000.0


def write_inputs(tmp_path):  # noqa: ANN001, ANN201
    roads = gpd.GeoDataFrame(
        {"highway": ["primary", "primary", "footway", "residential"], "oneway": ["no"] * 4},
        geometry=[
            LineString([(X0, Y0), (X0 + 1000, Y0)]),
            LineString([(X0 + 1000, Y0), (X0 + 1000, Y0 + 1000)]),
            LineString([(X0 + 1000, Y0 + 1000), (X0 + 1500, Y0 + 1500)]),  # cars may not use it
            LineString([(X0 + 1500, Y0 + 1500), (X0 + 2500, Y0 + 1500)]),  # reached on foot only
        ],
        crs=CRS,
    )
    roads.to_file(tmp_path / "roads.gpkg", driver="GPKG")
    a = gpd.GeoDataFrame(
        {"id": ["lib1", "lib2"]}, geometry=[Point(X0, Y0), Point(X0 + 1000, Y0 + 1000)], crs=CRS
    )
    b = gpd.GeoDataFrame(
        {"id": [7, 8]}, geometry=[Point(X0 + 1000, Y0), Point(X0 + 2000, Y0 + 1500)], crs=CRS
    ).to_crs(4326)  # another CRS on purpose
    a.to_file(tmp_path / "a.gpkg", driver="GPKG")
    b.to_file(tmp_path / "b.geojson", driver="GeoJSON")


def test_matrix_cli_writes_the_contract_with_null_for_unreachable(tmp_path) -> None:  # noqa: ANN001
    write_inputs(tmp_path)
    out = tmp_path / "out.json"
    argv = ["matrix", "--network", str(tmp_path / "roads.gpkg"), "--from", str(tmp_path / "a.gpkg")]
    argv += ["--to", str(tmp_path / "b.geojson"), "--mode", "drive", "--json", str(out)]
    assert main(argv) == 0
    result = json.loads(out.read_text())
    assert set(result) == {"from_ids", "to_ids", "seconds", "source", "elapsed"}
    assert result["from_ids"] == ["lib1", "lib2"] and result["to_ids"] == ["7", "8"]
    assert result["source"] == "network"
    seconds = result["seconds"]
    assert abs(seconds[0][0] - 1000 / (50 / 3.6)) < 0.5
    assert seconds[0][1] is None and seconds[1][1] is None  # only a footway leads there
    walk = tmp_path / "walk.json"
    assert main([*argv[:-3], "walk", "--json", str(walk)]) == 0
    assert json.loads(walk.read_text())["seconds"][0][1] > 0


def test_matrix_cli_without_network_is_straight_line(tmp_path) -> None:  # noqa: ANN001
    write_inputs(tmp_path)
    out = tmp_path / "out.json"
    argv = [
        "matrix",
        "--from",
        str(tmp_path / "a.gpkg"),
        "--to",
        str(tmp_path / "b.geojson"),
        "--json",
        str(out),
    ]
    assert main(argv) == 0
    result = json.loads(out.read_text())
    assert result["source"] == "straight-line"
    assert abs(result["seconds"][0][0] - 1000 * 1.35 / (35 / 3.6)) < 1.0


def test_matrix_cli_exits_2_naming_a_bad_network_file(tmp_path, capsys) -> None:  # noqa: ANN001
    write_inputs(tmp_path)
    bad = tmp_path / "broken.graphml"
    bad.write_text("<graphml><oops")
    argv = [
        "matrix",
        "--network",
        str(bad),
        "--from",
        str(tmp_path / "a.gpkg"),
        "--to",
        str(tmp_path / "b.geojson"),
    ]
    assert main([*argv, "--json", str(tmp_path / "o.json")]) == 2
    assert "broken.graphml" in capsys.readouterr().err
    argv[2] = str(tmp_path / "missing.gpkg")
    assert main([*argv, "--json", str(tmp_path / "o.json")]) == 2
    assert "missing.gpkg" in capsys.readouterr().err
