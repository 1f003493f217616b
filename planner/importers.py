"""Importing the files library staff are sent: GeoPackage, GeoJSON, Shapefile, CSV and XLSX
with lon/lat columns. Every file is validated before anything is written, all problems are
reported at once (up to a limit) naming file, row and field, and the layer is then written in
one transaction, so a bad file never changes the project.

Rows are counted as a spreadsheet shows them (the header is row 1, the first data row is 2);
features of GIS files are numbered from 1.
"""

from __future__ import annotations

import argparse
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from models.records import WEEKDAYS
from models.schema import GEOMETRY_TYPES, LAYER_ROLES
from planner import validation
from planner.datum import geometry_gcj02_to_wgs84
from planner.errors import PlannerError, ProblemList
from planner.store import LayerInfo, Project

ROLES = tuple(LAYER_ROLES)
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
VECTOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb", ".kml")
#: A plausible lon/lat box when the project has no districts yet (China and its seas).
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)
#: How far outside the project's districts a point may lie before it is refused (degrees, ~50 km).
EXTENT_MARGIN_DEG = 0.5

#: Our field → names seen in staff's files (compared case-insensitively, spaces stripped).
ALIASES: dict[str, tuple[str, ...]] = {
    "lon": ("lon", "lng", "long", "longitude", "经度", "x", "东经"),
    "lat": ("lat", "latitude", "纬度", "y", "北纬"),
    "id": ("id", "编号", "代码", "code", "序号", "adcode"),
    "name": ("name", "名称", "名字", "馆名", "站点名称", "地点"),
    "population": ("population", "pop", "人口", "常住人口", "人口数"),
    "kind": ("kind", "type", "类型", "类别"),
    "district": ("district", "区县", "所属区县", "县区", "county"),
    "seats": ("seats", "座位", "座位数"),
    "books": ("books", "藏书", "藏书量", "馆藏"),
    "opens": ("opens", "开馆", "开馆时间", "开门"),
    "closes": ("closes", "闭馆", "闭馆时间", "关门"),
    "cost": ("cost", "成本", "费用"),
    "capacity": ("capacity", "容量"),
    "tw_start": ("tw_start", "开始时间", "最早"),
    "tw_end": ("tw_end", "结束时间", "最晚"),
    "service_min": ("service_min", "服务时长", "停留分钟", "服务分钟"),
    "visits_per_week": ("visits_per_week", "每周次数", "频次"),
    "allowed_days": ("allowed_days", "可服务日", "服务日"),
    "load_crates": ("load_crates", "箱数"),
    "priority": ("priority", "优先级"),
    "allowed_vehicles": ("allowed_vehicles", "指定车辆"),
}
NUMERIC_FIELDS = ("population", "seats", "books", "cost", "capacity", "service_min",
                  "visits_per_week", "load_crates", "priority")
TIME_PAIRS = (("opens", "closes"), ("tw_start", "tw_end"))


@dataclass(frozen=True)
class Source:
    """A file read into a GeoDataFrame, and how its rows are numbered in messages."""

    gdf: gpd.GeoDataFrame
    first_row: int  # the number the first feature/row gets in messages
    tabular: bool


def _fail(path: Path, zh: str, en: str, **kw: object) -> PlannerError:
    return PlannerError(zh, en, file=str(path), **kw)  # type: ignore[arg-type]


def check_regular_file(path: Path) -> None:
    """Refuse, before opening it, anything that is not a plain file: a named pipe or a device
    would block the reader for ever, a folder cannot be read as one layer."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise _fail(path, "找不到文件", "file not found") from None
    except OSError as exc:
        raise _fail(path, f"无法读取文件（{exc.strerror or exc}）", f"cannot read the file ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(mode):
        raise _fail(path, "这不是普通文件（是文件夹、管道或设备），无法导入",
                    "this is not a regular file (a folder, pipe or device) and cannot be imported")


def read_preview(path: Path, *, sheet: str | None = None, nrows: int = 20) -> pd.DataFrame:
    """The first rows of a table, or a GIS file's attributes, as text: for the mapping dialog."""
    path = Path(path)
    if path.suffix.lower() in TABLE_SUFFIXES:
        return _read_table(path, sheet).head(nrows)
    gdf = _read_vector(path, None, rows=nrows)
    return pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(str)


def _read_table(path: Path, sheet: str | None) -> pd.DataFrame:
    check_regular_file(path)
    raw = path.read_bytes()[:4096]
    if not raw.strip():
        raise _fail(path, "文件是空的", "the file is empty")
    try:
        if path.suffix.lower() == ".csv":
            if b"\x00" in raw:
                raise _fail(path, "这不是文本表格（含有二进制内容）", "this is not a text table (it holds binary data)")
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    frame = pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False, na_values=[""])
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise _fail(path, "无法识别文件编码（请另存为 UTF-8 或 GBK）", "unknown text encoding (save as UTF-8 or GBK)")
        else:
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=str)
    except PlannerError:
        raise
    except (ValueError, OSError, pd.errors.ParserError, pd.errors.EmptyDataError, KeyError) as exc:
        raise _fail(path, f"无法读取表格：{exc}", f"cannot read the table: {exc}") from exc
    except Exception as exc:  # openpyxl/zipfile raise many kinds for a damaged workbook
        raise _fail(path, f"无法读取表格：{exc}", f"cannot read the table: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise _fail(path, "表格没有数据行", "the table has no data rows")
    return frame


def _read_vector(path: Path, layer: str | None, rows: int | None = None) -> gpd.GeoDataFrame:
    check_regular_file(path)
    try:
        return gpd.read_file(path, layer=layer, rows=rows)
    except Exception as exc:  # pyogrio reports every unreadable file as its own error type
        raise _fail(path, f"无法读取地理数据文件：{exc}", f"cannot read this GIS file: {exc}") from exc


def _match_columns(columns: list[str], explicit: dict[str, str] | None) -> dict[str, str]:
    """Our field → the file's column: explicit choices first, then known aliases."""
    found: dict[str, str] = dict(explicit or {})
    norm = {re.sub(r"\s+", "", c).lower(): c for c in columns}
    for field, names in ALIASES.items():
        if field in found:
            continue
        for alias in names:
            if alias.lower() in norm:
                found[field] = norm[alias.lower()]
                break
    return found


def _read(path: Path, role: str, columns: dict[str, str] | None, crs: str | None,
          layer: str | None, sheet: str | None) -> Source:
    if path.suffix.lower() in TABLE_SUFFIXES:
        frame = _read_table(path, sheet)
        _check_columns(list(frame.columns), path)
        mapping = _match_columns(list(frame.columns), columns)
        missing = [f for f in ("lon", "lat") if f not in mapping or mapping[f] not in frame.columns]
        if missing:
            raise _fail(path, "找不到经纬度列（可用 --lon/--lat 指定列名）",
                        "no longitude/latitude columns found (name them with --lon/--lat)",
                        field="/".join(missing))
        problems = ProblemList(str(path))
        coords = {}
        for f in ("lon", "lat"):
            values = pd.to_numeric(frame[mapping[f]].str.strip(), errors="coerce")
            for i in np.flatnonzero(values.isna().to_numpy()):
                problems.add(f"坐标“{frame[mapping[f]].iloc[i]}”不是数字", f"coordinate {frame[mapping[f]].iloc[i]!r} is not a number",
                             row=int(i) + 2, field=mapping[f])
            coords[f] = values
        problems.raise_if_any()
        data = frame.rename(columns={v: k for k, v in mapping.items() if k not in ("lon", "lat")})
        data = data.drop(columns=[mapping["lon"], mapping["lat"]], errors="ignore")
        gdf = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(coords["lon"], coords["lat"]),
                               crs=_crs(path, crs or "EPSG:4326"))
        return Source(gdf, 2, True)
    if path.suffix.lower() not in VECTOR_SUFFIXES:
        raise _fail(path, "不支持的文件类型（可用 GeoPackage、GeoJSON、Shapefile、CSV、XLSX）",
                    "unsupported file type (use GeoPackage, GeoJSON, Shapefile, CSV or XLSX)")
    gdf = _read_vector(path, layer)
    _check_columns([c for c in gdf.columns if c != gdf.geometry.name], path)
    if gdf.crs is None:
        if crs is None:
            raise _fail(path, "文件没有坐标系（Shapefile 缺少 .prj？）；请用 --crs 指定，例如 --crs EPSG:4326",
                        "the file has no coordinate reference system (a shapefile without .prj?); "
                        "give it with --crs, e.g. --crs EPSG:4326")
        gdf = gdf.set_crs(_crs(path, crs))
    mapping = _match_columns([c for c in gdf.columns if c != gdf.geometry.name], columns)
    gdf = gdf.rename(columns={v: k for k, v in mapping.items() if v in gdf.columns and k not in ("lon", "lat")})
    return Source(gdf, 1, False)


def _cells(column: pd.Series, rule: Callable[[Any], Any], problems: ProblemList, row: Callable[[int], int],
           field: str, blank_ok: bool = True) -> pd.Series:
    """Each cell through a planner.validation rule; a broken rule becomes a problem at its row,
    a blank cell stays None (or is passed to the rule when `blank_ok` is False)."""
    values: list[Any] = []
    for i, value in enumerate(column):
        if blank_ok and validation.is_blank(value):
            values.append(None)
            continue
        try:
            values.append(rule(value))
        except validation.Invalid as exc:
            problems.add(exc.text("zh"), exc.text("en"), row=row(i), field=field)
            values.append(None)
    return pd.Series(values, index=column.index, dtype=object)


def _crs(path: Path, text: str) -> str:
    try:
        return validation.crs(text)
    except argparse.ArgumentTypeError:
        raise _fail(path, f"“{text}”不是坐标系（例如 EPSG:4326）", f"{text!r} is not a coordinate reference system (e.g. EPSG:4326)",
                    field="--crs") from None


def _check_columns(columns: list[str], path: Path) -> None:
    """Column names the project can store: none reserved, none equal apart from letter case
    (SQLite compares column names without case)."""
    problems = ProblemList(str(path))
    seen: dict[str, str] = {}
    for col in map(str, columns):
        if col.lower() in ("_fid", "geometry"):
            problems.add(f"列名“{col}”是规划工具保留的名称，请改名", f"the column name {col!r} is reserved by the planner; rename it",
                         field=col)
        other = seen.setdefault(col.lower(), col)
        if other != col:
            problems.add(f"列“{other}”和“{col}”只有大小写不同，请改名或删去其一",
                         f"the columns {other!r} and {col!r} differ only in letter case; rename or remove one", field=col)
    problems.raise_if_any()


def _extent(project: Project | None) -> tuple[float, float, float, float]:
    name = project.layer_for_role("districts") if project is not None else None
    if name is None:
        return CHINA_BOUNDS
    minx, miny, maxx, maxy = project.read_layer(name).total_bounds
    if not np.isfinite([minx, miny, maxx, maxy]).all():  # an empty districts layer: no area to go by
        return CHINA_BOUNDS
    m = EXTENT_MARGIN_DEG
    return (minx - m, miny - m, maxx + m, maxy + m)


def validate(source: Source, role: str, path: Path, extent: tuple[float, float, float, float],
             limit: int = 50) -> gpd.GeoDataFrame:
    """Check a layer against its role; raise one PlannerError listing every problem found."""
    gdf = source.gdf.copy()
    problems = ProblemList(str(path), limit)
    required, optional = LAYER_ROLES[role]
    row = lambda i: int(i) + source.first_row  # noqa: E731
    if len(gdf) == 0:
        raise _fail(path, "文件没有任何要素", "the file has no features")
    if "id" not in gdf.columns:
        if role in ("population", "candidates"):
            gdf["id"] = [str(i + 1) for i in range(len(gdf))]
        else:
            problems.add("缺少编号列（id）", "the id column is missing", field="id")
    for col in required:
        if col not in gdf.columns and col != "id":
            problems.add(f"缺少必需的列“{col}”", f"the required column {col!r} is missing", field=col)
    problems.raise_if_any()

    # geometry
    allowed = GEOMETRY_TYPES[role]
    gdf = gdf.to_crs("EPSG:4326")
    types = gdf.geometry.geom_type
    for i in np.flatnonzero(gdf.geometry.isna().to_numpy() | gdf.geometry.is_empty.to_numpy()):
        problems.add("没有几何图形（坐标为空）", "no geometry (empty coordinates)", row=row(i), field="geometry")
    for i in np.flatnonzero((~types.isin(allowed) & gdf.geometry.notna()).to_numpy()):
        problems.add(f"几何类型是 {types.iloc[i]}，此类图层需要 {'/'.join(allowed)}",
                     f"geometry is a {types.iloc[i]}; this layer needs {'/'.join(allowed)}", row=row(i), field="geometry")
    minx, miny, maxx, maxy = extent
    b = gdf.geometry.bounds
    outside = ((b["minx"] < minx) | (b["maxx"] > maxx) | (b["miny"] < miny) | (b["maxy"] > maxy)).to_numpy()
    outside = outside & gdf.geometry.notna().to_numpy()
    for i in np.flatnonzero(outside):
        c = gdf.geometry.iloc[i].representative_point()
        problems.add(f"位置（{c.x:.4f}, {c.y:.4f}）不在规划区域内（经纬度写反了？坐标系不对？）",
                     f"location ({c.x:.4f}, {c.y:.4f}) lies outside the planning area (lon/lat swapped? wrong CRS?)",
                     row=row(i), field="geometry")

    # ids
    gdf["id"] = _cells(gdf["id"], validation.record_id, problems, row, "id", blank_ok=False)
    dup = gdf["id"].duplicated(keep="first") & gdf["id"].notna()
    for i in np.flatnonzero(dup.to_numpy()):
        problems.add(f"编号“{gdf['id'].iloc[i]}”重复", f"duplicate id {gdf['id'].iloc[i]!r}", row=row(i), field="id")

    # numbers
    for col in NUMERIC_FIELDS:
        if col not in gdf.columns:
            continue
        if col in required:
            for i in np.flatnonzero(gdf[col].map(validation.is_blank).to_numpy(bool)):
                problems.add("不能为空", "must not be empty", row=row(i), field=col)
        gdf[col] = pd.to_numeric(_cells(gdf[col], lambda v, c=col: validation.number(v, field=c), problems, row, col))

    # time windows, stored as "HH:MM" whatever the file held (text, time or timedelta values)
    for start, end in TIME_PAIRS:
        for col in (start, end):
            if col in gdf.columns:
                gdf[col] = _cells(gdf[col], validation.time_of_day, problems, row, col)
        if start in gdf.columns and end in gdf.columns:
            for i, (a, z) in enumerate(zip(gdf[start], gdf[end], strict=True)):
                if isinstance(a, str) and isinstance(z, str):
                    try:
                        validation.window(a, z, overnight_ok=start == "opens")
                    except validation.Invalid as exc:
                        problems.add(exc.text("zh"), exc.text("en"), row=row(i), field=end)

    if role == "libraries" and "kind" in gdf.columns:
        gdf["kind"] = _cells(gdf["kind"], validation.service_kind, problems, row, "kind", blank_ok=False)
    if "allowed_days" in gdf.columns:
        days = _cells(gdf["allowed_days"], validation.weekdays, problems, row, "allowed_days")
        gdf["allowed_days"] = [",".join(d) if isinstance(d, tuple) and d else ",".join(WEEKDAYS[:5]) for d in days]
    problems.raise_if_any()
    keep = [c for c in (*required, *optional) if c in gdf.columns]
    extra = [c for c in gdf.columns if c not in keep and c != gdf.geometry.name]
    return gdf[[*keep, *extra, gdf.geometry.name]]


def _check_layer_name(project: Project, name: str, role: str, path: Path) -> None:
    """A layer may replace a layer of its own role only, and may not take the name of another
    role (the jobs find a role's layer by that name first)."""
    taken = next((info.role for info in project.layers() if info.name == name), None)
    if (taken is not None and taken != role) or (name in ROLES and name != role):
        other = taken if taken is not None and taken != role else name
        raise PlannerError(f"图层名“{name}”已用于“{other}”图层，不能用于“{role}”图层；请用 --name 另取一个名字",
                           f"the layer name {name!r} belongs to the {other!r} layer and cannot hold a {role!r} layer; "
                           "choose another --name", file=str(path), field="--name")


def import_layer(
    project: Project,
    path: Path,
    role: str,
    *,
    name: str | None = None,
    columns: dict[str, str] | None = None,
    crs: str | None = None,
    datum: str = "wgs84",
    layer: str | None = None,
    sheet: str | None = None,
) -> LayerInfo:
    """Read, validate and store a file as layer `name` (default: the role), in one transaction.

    `columns` maps our field to the file's column (e.g. {"lon": "经度", "population": "常住人口"});
    `crs` is used when the file has none; `datum="gcj02"` converts Chinese web-map coordinates.
    """
    path = Path(path)
    if role not in ROLES:
        raise PlannerError(f"未知的图层用途“{role}”", f"unknown layer role {role!r}", file=str(path))
    if datum not in ("wgs84", "gcj02"):
        raise PlannerError(f"未知的基准“{datum}”", f"unknown datum {datum!r}", file=str(path))
    name = name or role
    _check_layer_name(project, name, role, path)
    source = _read(path, role, columns, crs, layer, sheet)
    if datum == "gcj02":
        lonlat = source.gdf.to_crs("EPSG:4326")
        lonlat["geometry"] = geometry_gcj02_to_wgs84(lonlat.geometry.values)
        source = Source(lonlat, source.first_row, source.tabular)
    gdf = validate(source, role, path, _extent(project))
    provenance = f"imported from {path.name}" + (" (GCJ-02 converted to WGS84)" if datum == "gcj02" else "")
    project.write_layer(name, gdf, role, source_file=path.name, provenance=provenance)
    return next(info for info in project.layers() if info.name == name)


__all__ = ["import_layer", "read_preview", "validate"]
