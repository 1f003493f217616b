"""Population rasters (WorldPop, GHSL, census grids as GeoTIFF, any CRS) into a project's
population layer: every valid cell with population > 0 becomes a point at the cell centre with
its population; nodata, NaN and negative cells are skipped and counted. The raster is read in
strips of rows, so a country-size tile never needs all its cells in memory at once.

When the project has districts, only the raster's window over them is read and cells outside
every district are left out (counted). With `scale_to_districts` each district's cells are rescaled to add up to its official
population exactly: cell values become whole persons by largest remainders, so every figure
built from them (district totals, coverage) is that integer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from models.control import Control, quiet
from planner.errors import PlannerError
from planner.store import Project

RASTER_SUFFIXES = (".tif", ".tiff", ".geotiff")
#: Cells read at once (a strip of whole rows): about 64 MB of float32.
STRIP_CELLS = 16_000_000
NO_DISTRICT = ""


@dataclass(frozen=True)
class DistrictScale:
    """How one district's cells were rescaled to its official population."""

    district: str
    raster_sum: float
    official: int
    factor: float


@dataclass(frozen=True)
class RasterImport:
    """What a raster import stored and what it skipped."""

    name: str
    cells: int
    total: float
    skipped_nodata: int
    skipped_nan: int
    skipped_negative: int
    outside_districts: int
    scales: tuple[DistrictScale, ...] = field(default_factory=tuple)

    @property
    def skipped(self) -> int:
        return self.skipped_nodata + self.skipped_nan + self.skipped_negative

    def message(self, lang: str = "zh") -> str:
        """The lines `planner import` prints."""
        zh = lang == "zh"
        lines = [
            f"已导入 {self.name}：{self.cells} 个格网，人口合计 {self.total:,.1f}；"
            f"跳过 {self.skipped} 个格网（无数据 {self.skipped_nodata}，NaN {self.skipped_nan}，"
            f"负值 {self.skipped_negative}）"
            if zh
            else f"imported {self.name}: {self.cells} cells, population {self.total:,.1f}; "
            f"skipped {self.skipped} cells (nodata {self.skipped_nodata}, NaN "
            f"{self.skipped_nan}, negative {self.skipped_negative})"
        ]
        if self.outside_districts:
            lines.append(
                f"  区县外格网 {self.outside_districts} 个未导入"
                if zh
                else f"  {self.outside_districts} populated cells outside every district left out"
            )
        for s in self.scales:
            lines.append(
                f"  {s.district}：栅格 {s.raster_sum:,.1f} → 官方 {s.official:,}（× {s.factor:.4f}）"
                if zh
                else f"  {s.district}: raster {s.raster_sum:,.1f} → official {s.official:,} "
                f"(× {s.factor:.4f})"
            )
        return "\n".join(lines)


def _fail(path: Path, zh: str, en: str, **kw: object) -> PlannerError:
    return PlannerError(zh, en, file=str(path), **kw)


def read_cells(
    path: Path,
    control: Control | None = None,
    bounds_lonlat: tuple[float, float, float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, dict[str, int]]:
    """Lon, lat (cell centres, EPSG:4326) and population of the valid cells > 0 (within
    `bounds_lonlat` when given: only that window of the raster is read), the cell size in
    metres (approximate for a geographic CRS) and the skipped counts."""
    import rasterio
    from rasterio.errors import RasterioError
    from rasterio.warp import transform_bounds
    from rasterio.windows import Window, from_bounds

    control = control or quiet()
    try:
        src = rasterio.open(path)
    except RasterioError as exc:
        raise _fail(
            path, f"无法读取栅格文件（{exc}）", f"cannot read this raster file ({exc})"
        ) from exc
    with src:
        if src.crs is None:
            raise _fail(path, "栅格文件没有坐标系", "the raster has no coordinate reference system")
        crs = CRS(src.crs)
        to_lonlat = Transformer.from_crs(crs, 4326, always_xy=True)
        nodata = src.nodata
        counts = {"nodata": 0, "nan": 0, "negative": 0}
        lon_parts, lat_parts, pop_parts = [], [], []
        left, width, first, last = 0, src.width, 0, src.height
        if bounds_lonlat is not None:  # the window over the bounds, one cell wider all round
            box = transform_bounds("EPSG:4326", src.crs, *bounds_lonlat, densify_pts=21)
            w = from_bounds(*box, transform=src.transform)
            c0, r0 = int(np.floor(w.col_off)) - 1, int(np.floor(w.row_off)) - 1
            c1 = int(np.ceil(w.col_off + w.width)) + 1
            r1 = int(np.ceil(w.row_off + w.height)) + 1
            left, first = max(c0, 0), max(r0, 0)
            width, last = max(min(c1, src.width) - left, 0), max(min(r1, src.height), first)
            last = last if width else first
        rows_per_strip = max(1, STRIP_CELLS // max(width, 1))
        for top in range(first, last, rows_per_strip):
            control.check()
            control.report((top - first) / max(last - first, 1), "raster")
            height = min(rows_per_strip, last - top)
            window = Window(left, top, width, height)
            try:
                values = src.read(1, window=window, masked=False).astype(np.float64)
                mask = src.read_masks(1, window=window) == 0
            except RasterioError as exc:
                raise _fail(
                    path, f"栅格文件已损坏（{exc}）", f"the raster file is damaged ({exc})"
                ) from exc
            nan = np.isnan(values)
            if nodata is not None and not np.isnan(nodata):
                mask |= values == nodata
            mask &= ~nan
            negative = ~mask & ~nan & (values < 0)
            counts["nodata"] += int(mask.sum())
            counts["nan"] += int(nan.sum())
            counts["negative"] += int(negative.sum())
            keep = ~mask & ~nan & (values > 0)
            rows, cols = np.nonzero(keep)
            if rows.size == 0:
                continue
            x, y = src.xy(rows + top, cols + left, offset="center")
            lon, lat = to_lonlat.transform(np.asarray(x, float), np.asarray(y, float))
            lon_parts.append(np.asarray(lon))
            lat_parts.append(np.asarray(lat))
            pop_parts.append(values[keep])
        cell_m = abs(src.res[0]) * abs(src.res[1])
        if crs.is_geographic:
            mid_lat = np.deg2rad((src.bounds.bottom + src.bounds.top) / 2)
            cell_m *= 111_320.0**2 * np.cos(mid_lat)
    if not pop_parts:
        raise _fail(
            path,
            "栅格中没有人口大于 0 的有效格网",
            "the raster has no valid cell with population > 0",
        )
    return (
        np.concatenate(lon_parts),
        np.concatenate(lat_parts),
        np.concatenate(pop_parts),
        float(np.sqrt(cell_m)),
        counts,
    )


def _whole(values: np.ndarray, total: int) -> np.ndarray:
    """Non-negative integers proportional to `values` adding up to `total` exactly (largest
    remainders)."""
    share = values / values.sum() * total
    out = np.floor(share).astype(np.int64)
    rest = int(total - out.sum())
    if rest > 0:
        out[np.argsort(-(share - out), kind="stable")[:rest]] += 1
    return out


def import_population_raster(
    project: Project,
    path: str | Path,
    *,
    name: str = "population",
    scale_to_districts: bool = False,
    control: Control | None = None,
) -> RasterImport:
    """Store the raster's valid cells as the population layer `name`, in one transaction; cells
    get their district from the project's districts layer when it has one."""
    path = Path(path)
    project.check_writable()
    if not path.is_file():
        raise _fail(path, "找不到文件", "file not found")
    if path.suffix.lower() not in RASTER_SUFFIXES:
        raise _fail(
            path, "人口栅格须为 GeoTIFF（.tif）", "a population raster must be a GeoTIFF (.tif)"
        )
    control = control or quiet()
    districts_name = project.layer_for_role("districts")
    districts = project.read_layer(districts_name) if districts_name else None
    if districts is not None and districts.empty:
        districts = None
    if scale_to_districts and (districts is None or "population" not in districts.columns):
        raise _fail(
            path,
            "按区县缩放需要项目中有带 population（官方人口）字段的区县图层",
            "--scale-to-districts needs a districts layer with official populations",
            field="--scale-to-districts",
        )
    bounds = None if districts is None else tuple(float(b) for b in districts.total_bounds)
    lon, lat, pop, cell_m, counts = read_cells(path, control.sub(0.0, 0.8), bounds)
    points = gpd.GeoDataFrame(
        {"population": pop}, geometry=shapely.points(lon, lat), crs="EPSG:4326"
    )
    outside = 0
    if districts is not None:
        # with districts, the project's area is theirs: cells outside every district are left out
        hit = gpd.sjoin(points, districts[["name", "geometry"]], how="left", predicate="within")
        hit = hit[~hit.index.duplicated(keep="first")]
        district = hit["name"].fillna(NO_DISTRICT).astype(str).to_numpy(object)
        outside = int((district == NO_DISTRICT).sum())
        points["district"] = district
        points = points[district != NO_DISTRICT].reset_index(drop=True)
    else:
        points["district"] = NO_DISTRICT
    if points.empty:
        raise _fail(
            path,
            "栅格中没有落在区县内的人口格网",
            "no populated cell of the raster lies in the districts",
        )
    scales: list[DistrictScale] = []
    if scale_to_districts:
        values = points["population"].to_numpy(float)
        scaled = np.zeros(len(points), np.int64)
        for row in districts.itertuples(index=False):
            official = pd.to_numeric(pd.Series([row.population]), errors="coerce").iloc[0]
            if pd.isna(official):
                continue
            here = (points["district"] == str(row.name)).to_numpy()
            raster_sum = float(values[here].sum())
            if raster_sum <= 0:
                raise _fail(
                    path,
                    f"区县“{row.name}”内没有人口格网，无法缩放",
                    f"district {row.name!r} has no populated cell in the raster to scale",
                    field="--scale-to-districts",
                )
            scaled[here] = _whole(values[here], int(official))
            scales.append(
                DistrictScale(str(row.name), raster_sum, int(official), int(official) / raster_sum)
            )
        points["population"] = scaled
        points = points[points["population"] > 0].reset_index(drop=True)
    points.insert(0, "id", [f"R{k:07d}" for k in range(len(points))])
    points["cell_m"] = round(cell_m, 1)
    method = "scaled to official district populations" if scale_to_districts else "raster cells"
    points["method"] = method
    points["provenance"] = f"raster {path.name}"
    control.report(0.9, "population")
    project.write_layer(
        name,
        points[["id", "population", "district", "provenance", "method", "cell_m", "geometry"]],
        role="population",
        source_file=path.name,
        provenance=f"imported from {path.name} ({method})",
    )
    control.report(1.0, "population")
    total = points["population"].sum()
    return RasterImport(
        name=name,
        cells=len(points),
        total=float(total),
        skipped_nodata=counts["nodata"],
        skipped_nan=counts["nan"],
        skipped_negative=counts["negative"],
        outside_districts=outside,
        scales=tuple(scales),
    )
