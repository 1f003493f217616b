"""Reading a file the user wants to import: a preview for the field-mapping dialog, and the
import itself through planner.importers (validation, CRS, datum) when it is installed."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

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


def preview(path: Path, rows: int = 20) -> pd.DataFrame:
    """The first `rows` rows of a CSV/XLSX table or a GIS file's attributes."""
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
        raise PlannerError(
            "导入模块（planner.importers）尚未安装",
            "the importer (planner.importers) is not installed",
        ) from None
    info = importers.import_layer(
        project,
        request.path,
        request.role,
        name=request.name or None,
        columns=request.columns or None,
    )
    return getattr(info, "name", request.name)
