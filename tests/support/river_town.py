"""A small river town written as the files a library would be sent: districts (GeoJSON), a
population GeoTIFF (with nodata, NaN and negative cells), libraries (CSV) and a GraphML road
grid whose two banks meet at one bridge only. Used by the roads, raster and travel tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

UTM = "EPSG:32651"
X0, Y0 = 260_000.0, 3_100_000.0
CELL_M = 100.0
COLS, ROWS = 30, 20
#: The river fills column 15 (x0 + 1500 … 1600); roads cross it only in the top row.
RIVER_COL = 15
NODATA = -9999.0


@dataclass(frozen=True)
class Town:
    districts: Path
    raster: Path
    libraries: Path
    candidates: Path
    roads: Path
    valid_sum: float
    skipped: dict[str, int]


def cell_centre(col: int, row_from_bottom: int) -> tuple[float, float]:
    return X0 + (col + 0.5) * CELL_M, Y0 + (row_from_bottom + 0.5) * CELL_M


def population_grid() -> np.ndarray:
    """Persons per cell, top row first (as a GeoTIFF stores it), with bad cells."""
    rng = np.random.default_rng(7)
    values = rng.uniform(5.0, 80.0, (ROWS, COLS)).astype(np.float32)
    values[:, RIVER_COL] = NODATA
    values[0, 0] = np.nan
    values[1, 1] = np.nan
    values[2, 2] = -3.0
    values[3, 3] = 0.0
    return values


def write_raster(path: Path, values: np.ndarray, crs: str = UTM) -> Path:
    import rasterio
    from affine import Affine

    transform = Affine(CELL_M, 0.0, X0, 0.0, -CELL_M, Y0 + ROWS * CELL_M)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=values.shape[0],
        width=values.shape[1],
        count=1,
        dtype="float32",
        crs=crs,
        transform=transform,
        nodata=NODATA,
        tiled=True,
        blockxsize=16,
        blockysize=16,
    ) as dst:
        dst.write(values, 1)
    return path


def write_graphml(path: Path, bridge_rows: tuple[int, ...] = (ROWS - 1,)) -> Path:
    """A 100 m street grid through the cell centres, two-way; the river column has road only
    where a bridge crosses it."""
    graph = nx.MultiDiGraph(crs=UTM)
    for c in range(COLS):
        for r in range(ROWS):
            if c == RIVER_COL and r not in bridge_rows:
                continue
            x, y = cell_centre(c, r)
            graph.add_node(f"{c}_{r}", x=x, y=y)

    def road(a: str, b: str) -> None:
        if a in graph and b in graph:
            for s, t in ((a, b), (b, a)):
                graph.add_edge(s, t, length=CELL_M, highway="residential", oneway="False")

    for c in range(COLS):
        for r in range(ROWS):
            road(f"{c}_{r}", f"{c + 1}_{r}")
            if c != RIVER_COL:
                road(f"{c}_{r}", f"{c}_{r + 1}")
    nx.write_graphml(graph, path)
    return path


def write_districts(folder: Path) -> Path:
    """Two districts split by the river: 西岸 (west bank) and 东岸 (east bank), GeoJSON."""
    folder.mkdir(parents=True, exist_ok=True)
    west = shapely.box(X0, Y0, X0 + 1550, Y0 + ROWS * CELL_M)
    east = shapely.box(X0 + 1550, Y0, X0 + COLS * CELL_M, Y0 + ROWS * CELL_M)
    districts = gpd.GeoDataFrame(
        {"id": ["W", "E"], "name": ["西岸", "东岸"], "population": [30_000, 20_001]},
        geometry=[west, east],
        crs=UTM,
    ).to_crs(4326)
    districts.to_file(folder / "districts.geojson", driver="GeoJSON")
    return folder / "districts.geojson"


def write_town(folder: Path, valid_nodata: bool = True) -> Town:
    folder.mkdir(parents=True, exist_ok=True)
    write_districts(folder)
    values = population_grid()
    raster = write_raster(folder / "population.tif", values)
    # The library stands on the west bank by the river, at the bottom: the bridge is 1.8 km away.
    lx, ly = cell_centre(RIVER_COL - 1, 0)
    lon, lat = (
        gpd.GeoSeries(shapely.points([[lx, ly]]), crs=UTM).to_crs(4326).get_coordinates().iloc[0]
    )
    pd.DataFrame(
        {"id": ["L1"], "name": ["河西图书馆"], "kind": ["district"], "lon": [lon], "lat": [lat]}
    ).to_csv(folder / "libraries.csv", index=False)
    # Candidates: two on the far bank (one by the river, one by the bridge), one on this bank.
    spots = [
        cell_centre(RIVER_COL + 2, 0),
        cell_centre(RIVER_COL + 2, ROWS - 1),
        cell_centre(3, 10),
    ]
    lonlat = gpd.GeoSeries(shapely.points(spots), crs=UTM).to_crs(4326).get_coordinates()
    pd.DataFrame(
        {
            "id": ["C1", "C2", "C3"],
            "name": ["东岸河边", "东岸桥头", "西岸"],
            "lon": lonlat["x"],
            "lat": lonlat["y"],
        }
    ).to_csv(folder / "candidates.csv", index=False)
    roads = write_graphml(folder / "roads.graphml")
    v = values.astype(np.float64)
    valid = np.isfinite(v) & (v != NODATA) & (v > 0)
    skipped = {
        "nodata": int((v == NODATA).sum()),
        "nan": int(np.isnan(v).sum()),
        "negative": int((np.isfinite(v) & (v != NODATA) & (v < 0)).sum()),
    }
    return Town(
        folder / "districts.geojson",
        raster,
        folder / "libraries.csv",
        folder / "candidates.csv",
        roads,
        float(v[valid].sum()),
        skipped,
    )
