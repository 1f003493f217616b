"""Reading a file the user wants to import: a preview for the field-mapping dialog, and the
import itself through planner.importers (validation, CRS, datum) when it is installed."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from models.schema import LAYER_ROLES
from planner.errors import PlannerError
from planner.store import Project

TABLE_SUFFIXES = (".csv", ".xlsx", ".xls")


@dataclass(frozen=True)
class ImportRequest:
    """What the dialog decided: the file, the role and name of the layer, and for a table which
    source column feeds each target column (`lon`, `lat`, `id`, `population`, …)."""

    path: Path
    role: str
    name: str
    columns: dict[str, str] = field(default_factory=dict)


def is_table(path: Path) -> bool:
    return path.suffix.lower() in TABLE_SUFFIXES


def preview(path: Path, rows: int | None = 20) -> pd.DataFrame:
    """The first `rows` rows (None: all) of a CSV/XLSX table or a GIS file's attributes."""
    try:
        if path.suffix.lower() == ".csv":
            try:
                return pd.read_csv(path, nrows=rows, dtype=str, encoding="utf-8-sig")
            except UnicodeDecodeError:
                return pd.read_csv(path, nrows=rows, dtype=str, encoding="gb18030")
        if path.suffix.lower() in (".xlsx", ".xls"):
            return pd.read_excel(path, nrows=rows, dtype=str)
        gdf = gpd.read_file(path, rows=rows)
        return pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    except PlannerError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is a file the user must fix
        raise PlannerError(
            f"无法读取文件：{exc}", f"cannot read the file: {exc}", file=str(path)
        ) from exc


def import_layer(project: Project, request: ImportRequest) -> str:
    """Import through planner.importers; returns the stored layer's name."""
    try:
        importers = importlib.import_module("planner.importers")
    except ImportError:
        return _write_mapped(project, request)
    info = importers.import_layer(
        project,
        request.path,
        request.role,
        name=request.name or None,
        columns=request.columns or None,
    )
    return getattr(info, "name", request.name)


def _write_mapped(project: Project, request: ImportRequest) -> str:
    """The mapped columns of a table (points from lon/lat, WGS84) or a GIS file, straight into
    the store: the stand-in while planner.importers is not there."""
    required, optional = LAYER_ROLES[request.role]
    path = request.path
    if is_table(path):
        frame = preview(path, rows=None)
        missing = [c for c in ("lon", "lat", *required) if c not in request.columns]
        if missing:
            raise PlannerError(
                f"请指定这些字段对应的列：{', '.join(missing)}",
                f"say which column holds: {', '.join(missing)}",
                file=str(path),
            )
        data = frame[list(request.columns.values())].set_axis(list(request.columns), axis=1)
        coords = data[["lon", "lat"]].apply(pd.to_numeric, errors="coerce")
        bad = coords.isna().any(axis=1)
        if bad.any():
            raise PlannerError(
                "经纬度不是数字",
                "longitude/latitude is not a number",
                file=str(path),
                row=int(bad.to_numpy().argmax()) + 1,
                field="lon/lat",
            )
        gdf = gpd.GeoDataFrame(
            data.drop(columns=["lon", "lat"]),
            geometry=gpd.points_from_xy(coords["lon"], coords["lat"]),
            crs="EPSG:4326",
        )
    else:
        gdf = gpd.read_file(path)
        gdf = gdf.rename(columns={source: target for target, source in request.columns.items()})
        keep = [c for c in (*required, *optional) if c in gdf.columns]
        gdf = gdf[[*keep, gdf.geometry.name]]
    name = request.name or request.role
    project.write_layer(name, gdf, request.role, source_file=path.name, provenance="imported")
    return name
