"""Geometry plumbing between stored layers (EPSG:4326) and the metric coordinates the core
models compute in: choosing a metric CRS and turning layers into (N, 2) coordinate arrays."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from pyproj import CRS

from models.schema import WENZHOU_METRIC_CRS


def metric_crs_for(gdf: gpd.GeoDataFrame) -> CRS:
    """The layer's own CRS when it is projected, else the UTM zone of its extent's centre
    (EPSG:32651 for Wenzhou)."""
    if gdf.crs is not None and gdf.crs.is_projected:
        return CRS(gdf.crs)
    lonlat = gdf.to_crs(4326) if gdf.crs is not None else gdf
    minx, miny, maxx, maxy = lonlat.total_bounds
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    if not np.isfinite([lon, lat]).all():
        return CRS(WENZHOU_METRIC_CRS)
    zone = int((lon + 180) // 6) + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def points_xy(gdf: gpd.GeoDataFrame, crs: CRS | str) -> np.ndarray:
    """(N, 2) x/y in `crs` of each feature: points as they are, other shapes by their centroid
    (computed in the metric CRS, where a centroid means something)."""
    projected = gdf.to_crs(crs)
    geoms = projected.geometry
    if not (geoms.geom_type == "Point").all():
        geoms = geoms.centroid
    return np.column_stack([geoms.x.to_numpy(), geoms.y.to_numpy()])
