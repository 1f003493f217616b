"""`planner import PROJECT FILE.tif --as population [--scale-to-districts]`: GeoTIFF cells in
any CRS become population points; bad cells are skipped and counted; the total is the raster's
valid sum; scaling keeps every district's official population as an exact integer."""

from __future__ import annotations

import re

import numpy as np
import pytest

from planner.cli import main
from planner.raster import STRIP_CELLS
from planner.store import Project
from tests.support.river_town import (
    COLS,
    NODATA,
    ROWS,
    population_grid,
    write_districts,
    write_raster,
)


@pytest.fixture()
def project(tmp_path):
    districts = write_districts(tmp_path / "files")
    path = tmp_path / "p.planner"
    assert main(["new", str(path)]) == 0
    assert main(["import", str(path), str(districts), "--as", "districts"]) == 0
    return path


def _valid(values: np.ndarray) -> np.ndarray:
    v = values.astype(np.float64)
    return np.isfinite(v) & (v != NODATA) & (v > 0)


def test_cells_become_points_with_the_valid_sum_and_skips_counted(project, tmp_path, capsys):
    values = population_grid()
    raster = write_raster(tmp_path / "pop.tif", values)
    capsys.readouterr()
    assert main(["--lang", "en", "import", str(project), str(raster), "--as", "population"]) == 0
    out = capsys.readouterr().out
    nodata = int((values == NODATA).sum())
    assert f"skipped {nodata + 3} cells (nodata {nodata}, NaN 2, negative 1)" in out
    with Project.open(project) as p:
        layer = p.read_layer("population")
    expected = values.astype(np.float64)[_valid(values)].sum()
    assert len(layer) == int(_valid(values).sum())
    assert layer["population"].sum() == pytest.approx(expected, rel=1e-6)
    assert set(layer.geom_type) == {"Point"} and layer["id"].is_unique
    assert set(layer["district"]) == {"西岸", "东岸"}
    assert layer["cell_m"].iloc[0] == pytest.approx(100.0)


def test_a_geographic_raster_and_a_strip_smaller_than_the_raster(tmp_path, monkeypatch):
    import rasterio
    from affine import Affine

    # the same kind of grid in lon/lat, read in strips of two rows
    values = population_grid()
    path = tmp_path / "lonlat.tif"
    transform = Affine(0.001, 0.0, 120.5834, 0.0, -0.001, 28.0300)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=ROWS,
        width=COLS,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=transform,
        nodata=NODATA,
    ) as dst:
        dst.write(values, 1)
    monkeypatch.setattr("planner.raster.STRIP_CELLS", 2 * COLS)
    assert STRIP_CELLS > 2 * COLS
    project = tmp_path / "no_districts.planner"  # no districts: every cell is kept
    main(["new", str(project)])
    assert main(["import", str(project), str(path), "--as", "population"]) == 0
    with Project.open(project) as p:
        layer = p.read_layer("population")
    assert layer["population"].sum() == pytest.approx(values[_valid(values)].sum(), rel=1e-6)
    # cell centres: the first valid cell of the top row is half a cell in from the corner
    lon = layer.geometry.x.to_numpy()
    assert lon.min() == pytest.approx(120.5834 + 0.0005, abs=1e-9)
    assert layer["cell_m"].iloc[0] == pytest.approx(
        np.sqrt(111.32**2 * np.cos(np.deg2rad(28.02))), rel=0.01
    )


def test_scale_to_districts_keeps_official_populations_as_integers(project, tmp_path, capsys):
    raster = write_raster(tmp_path / "pop.tif", population_grid())
    capsys.readouterr()
    args = [
        "--lang",
        "en",
        "import",
        str(project),
        str(raster),
        "--as",
        "population",
        "--scale-to-districts",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "西岸" in out and "30,000" in out and "20,001" in out and "×" in out
    with Project.open(project) as p:
        layer = p.read_layer("population")
    sums = layer.groupby("district")["population"].sum()
    assert sums["西岸"] == 30_000 and sums["东岸"] == 20_001
    assert (layer["population"] == layer["population"].round()).all()
    # and coverage reports the official integers
    out_json = tmp_path / "c.json"
    libs = tmp_path / "libs.csv"
    libs.write_text("id,name,kind,lon,lat\nL1,馆,district,120.598,28.02\n", encoding="utf-8")
    assert main(["import", str(project), str(libs), "--as", "libraries"]) == 0
    assert main(["coverage", str(project), "--json", str(out_json)]) == 0
    import json

    rows = {
        r["district"]: r for r in json.loads(out_json.read_text(encoding="utf-8"))["by_district"]
    }
    assert rows["西岸"]["population"] == 30_000 and rows["东岸"]["population"] == 20_001


@pytest.mark.parametrize(
    ("name", "content"),
    [("broken.tif", b"II*\x00garbage"), ("empty.tif", b"")],
)
def test_a_bad_raster_exits_2_naming_it_and_changes_nothing(
    project, tmp_path, capsys, name, content
):
    before = project.read_bytes()
    bad = tmp_path / name
    bad.write_bytes(content)
    capsys.readouterr()
    assert main(["--lang", "en", "import", str(project), str(bad), "--as", "population"]) == 2
    assert name in capsys.readouterr().err
    assert project.read_bytes() == before


def test_a_raster_with_no_population_or_no_districts_to_scale_is_refused(tmp_path, capsys):
    path = tmp_path / "p.planner"
    main(["new", str(path)])
    empty = write_raster(tmp_path / "zero.tif", np.zeros((ROWS, COLS), np.float32))
    assert main(["--lang", "en", "import", str(path), str(empty), "--as", "population"]) == 2
    assert "no valid cell" in capsys.readouterr().err
    raster = write_raster(tmp_path / "pop.tif", population_grid())
    args = [
        "--lang",
        "en",
        "import",
        str(path),
        str(raster),
        "--as",
        "population",
        "--scale-to-districts",
    ]
    assert main(args) == 2
    assert "--scale-to-districts" in capsys.readouterr().err


def test_a_raster_wider_than_the_districts_is_read_over_them_only(project, tmp_path, capsys):
    wide = np.ones((ROWS, COLS * 4), np.float32)  # 3 town-widths of people east of the town
    raster = write_raster(tmp_path / "wide.tif", wide)
    capsys.readouterr()
    assert main(["--lang", "en", "import", str(project), str(raster), "--as", "population"]) == 0
    out = capsys.readouterr().out
    with Project.open(project) as p:
        layer = p.read_layer("population")
    assert len(layer) == ROWS * COLS and layer["population"].sum() == ROWS * COLS
    # only a window around the districts was read (a column or two beyond), not the 1,800
    # cells east of the town
    outside = int(re.search(r"(\d+) populated cells outside every district left out", out)[1])
    assert ROWS <= outside <= 3 * ROWS
