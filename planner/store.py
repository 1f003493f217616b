"""The project store: one SQLite file (`*.planner`) per project, written through sqlite-utils.

Holds layers (WKB geometry in EPSG:4326 plus attribute columns), plain tables (vehicles),
scenarios, runs with their results, and a cache (travel-time matrices). Every write is one
transaction; the schema version is in `PRAGMA user_version` and the file is marked with
`PRAGMA application_id` so we never mistake another SQLite file for a project.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlite_utils

from models.schema import STORAGE_CRS
from planner.errors import PlannerError, Problem
from planner.paths import check_output_file
from planner.store_safety import atomic_copy, backup_path, busy_error, exclusive, open_checked

SCHEMA_VERSION = 1
APPLICATION_ID = 0x4C4E5031  # "LNP1"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
#: SQLite's primary result codes for a write the disk or another program refuses, with the
#: reason a user is told.
_REFUSED_WRITES: dict[int, tuple[str, str]] = {
    sqlite3.SQLITE_FULL: ("磁盘已满", "the disk is full"),
    sqlite3.SQLITE_READONLY: ("文件或其所在文件夹只读", "the file or its folder is read-only"),
    sqlite3.SQLITE_BUSY: ("文件正被其他程序使用", "another program is using the file"),
    sqlite3.SQLITE_LOCKED: ("文件正被其他程序使用", "another program is using the file"),
    sqlite3.SQLITE_IOERR: ("磁盘读写出错", "a disk read or write error"),
    # SQLite creates its journal beside the file for every write: a folder it may not write in
    sqlite3.SQLITE_CANTOPEN: ("无法在文件所在文件夹中写入", "cannot write in the file's folder"),
}


@dataclass(frozen=True)
class LayerInfo:
    name: str
    role: str
    geometry_type: str
    features: int
    source_file: str
    provenance: str
    imported_at: str


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise PlannerError(
            f"名称 “{name}” 无效：只能用小写字母、数字和下划线，并以字母开头",
            f"invalid name {name!r}: use lower-case letters, digits and underscores, starting with a letter",
        )
    return name


def _plain(value: Any) -> Any:
    """numpy/pandas scalars → plain Python values SQLite can store; NaN/NaT → None."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if value is pd.NaT:
        return None
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


class Project:
    """An open project file. Use as a context manager, or call close().

    `read_only`: the file was opened for reading only (it or its folder cannot be written);
    every write is then refused with a PlannerError naming the file. `notices`: what the user
    should know about how it was opened (read-only, no backup written), for a status line.
    """

    def __init__(self, path: Path, db: sqlite_utils.Database, read_only: bool = False) -> None:
        self.path = path
        self.db = db
        self.read_only = read_only
        self.notices: list[Problem] = []

    # ---- opening -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, name: str | None = None, overwrite: bool = False) -> Project:
        """Make a new, empty project file."""
        path = Path(path)
        check_output_file(path, make_folder=True)
        if path.exists():
            if not overwrite:
                raise PlannerError(
                    f"项目文件已存在：{path}",
                    f"project file already exists: {path}",
                    file=str(path),
                )
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(path)
        project = cls(path, db)
        project._configure()
        with project.transaction():
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            project._create_schema()
            db["meta"].insert_all(
                [
                    {"key": "name", "value": name or path.stem},
                    {"key": "created_at", "value": time.strftime("%Y-%m-%dT%H:%M:%S")},
                    {"key": "created_by", "value": "library-network-planner"},
                ],
                pk="key",
                replace=True,
            )
        return project

    @classmethod
    def open(cls, path: str | Path, read_only: bool | None = None) -> Project:
        """Open an existing project, refusing anything that is not one (or is from a newer version).

        A file that cannot be written, or whose folder cannot (a USB stick, an e-mail
        attachment), opens read-only (`read_only=True` asks for that): it can be read and
        copied, a write is refused naming the file, and no backup is written beside it.
        Otherwise a backup is written; when that fails the project still opens, with a notice.
        """
        path = Path(path)
        conn, version, read_only = open_checked(path, read_only, APPLICATION_ID, SCHEMA_VERSION)
        project = cls(path, sqlite_utils.Database(conn), read_only=read_only)
        try:
            project._configure()
        except sqlite3.OperationalError as exc:
            conn.close()
            raise busy_error(path) from exc
        project._migrate(version)
        if read_only:
            project.notices.append(
                Problem(
                    "项目以只读方式打开（文件或其所在文件夹只读）：可以查看，修改和运行结果无法存入；"
                    "要保留它们，请另存为到可写的文件夹",
                    "the project is open read-only (the file or its folder is read-only): you can "
                    "look, but changes and results cannot be stored in it; to keep them, save it "
                    "as a copy in a folder you can write to",
                    file=str(path),
                )
            )
        else:
            project._try_backup()
        return project

    def _try_backup(self) -> None:
        """Write the backup; a failure (full disk, a locked old backup) only becomes a notice,
        because the project itself is fine and every save is still one transaction."""
        try:
            self.write_backup()
        except PlannerError as exc:
            reason_zh, reason_en = exc.problems[0].message_zh, exc.problems[0].message_en
            self.notices.append(
                Problem(
                    f"未能写入备份副本（{reason_zh}）；项目已正常打开",
                    f"the backup copy was not written ({reason_en}); the project opened normally",
                    file=str(backup_path(self.path)),
                )
            )

    def write_backup(self) -> Path | None:
        """Copy the project, as it is now, to `<file>.bak`: the last good copy if a later save
        breaks. Call it only on a project that has just passed its checks; the copy is checked
        again before it replaces the old backup. Another process writing the backup at the same
        moment wins: this one then skips it (None)."""
        backup = backup_path(self.path)
        if backup.exists() and not backup.is_file():
            raise PlannerError("备份的位置被文件夹或其他非文件占用", "something that is not a file is in the backup's place",
                               file=str(backup))
        with exclusive(backup.with_name(backup.name + ".lock")) as held:
            if not held:
                return None
            self._copy(backup, verify=True)
        return backup

    def copy_to(self, target: str | Path, overwrite: bool = False) -> Path:
        """Copy the project, as it is now, to `target` and return its path.

        SQLite's online backup keeps the copy consistent while the project is open; it is
        written beside `target` and renamed into place, so a failed copy leaves no half file.
        """
        target = Path(target)
        if _same_file(target, self.path):
            raise PlannerError(
                "这是项目文件本身，不能把项目复制到它自身",
                "this is the project's own file: a project cannot be copied onto itself",
                file=str(target),
            )
        if target.exists() and not overwrite:
            raise PlannerError(
                "文件已存在，未覆盖",
                "the file already exists and was not overwritten",
                file=str(target),
            )
        self._copy(target)
        return target

    def _copy(self, target: Path, verify: bool = False) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            mode = self.path.stat().st_mode & 0o777
            atomic_copy(self.db.conn, target, verify=verify, mode=mode)
        except (OSError, sqlite3.Error) as exc:
            raise PlannerError(
                f"无法把项目复制到这里（{exc}）",
                f"cannot copy the project here ({exc})",
                file=str(target),
            ) from exc

    def _configure(self) -> None:
        # A rollback journal (not WAL) keeps the project one self-contained file to e-mail;
        # synchronous=FULL makes a committed transaction survive a crash or power loss.
        if not self.read_only:  # our files are never WAL, so a reader needs no change
            self.db.execute("PRAGMA journal_mode = DELETE")
        self.db.execute("PRAGMA synchronous = FULL")
        self.db.execute("PRAGMA foreign_keys = ON")

    def _create_schema(self) -> None:
        db = self.db
        db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
        db["layers"].create(
            {
                "name": str,
                "role": str,
                "geometry_type": str,
                "crs": str,
                "features": int,
                "source_file": str,
                "provenance": str,
                "columns": str,
                "imported_at": str,
            },
            pk="name",
            if_not_exists=True,
        )
        db["tables"].create(
            {"name": str, "role": str, "rows": int, "source_file": str, "imported_at": str},
            pk="name",
            if_not_exists=True,
        )
        db["scenarios"].create(
            {"name": str, "description": str, "params": str, "created_at": str},
            pk="name",
            if_not_exists=True,
        )
        db["runs"].create(
            {
                "id": int,
                "kind": str,
                "scenario": str,
                "params": str,
                "result": str,
                "status": str,
                "seconds": float,
                "cost_source": str,
                "created_at": str,
            },
            pk="id",
            if_not_exists=True,
        )
        db["cache"].create(
            {"key": str, "value": bytes, "created_at": str}, pk="key", if_not_exists=True
        )

    def _migrate(self, version: int) -> None:
        """Bring an older project file up to SCHEMA_VERSION, in one transaction."""
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            # Version 0 is a file made before the schema was versioned: create what is missing.
            self._create_schema()
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Project]:
        """Group several writes into one transaction (nested calls become savepoints).

        A write the disk or another program refuses (full, read-only, locked) rolls back and
        is raised as a PlannerError naming the file: the user can fix that, it is no bug.
        """
        try:
            with self.db.atomic():
                yield self
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorcode", None)
            reason = _REFUSED_WRITES.get(code & 0xFF) if code is not None else None
            if reason is None:
                raise
            if self.read_only:
                raise self._read_only_error() from exc
            raise PlannerError(
                f"无法写入项目文件：{reason[0]}；修改未写入，解决后可再保存",
                f"cannot write the project file: {reason[1]}. Nothing was written; "
                "save again once that is fixed",
                file=str(self.path),
            ) from exc

    def check_writable(self) -> None:
        """Refuse, before long work whose result is to be stored, a project open read-only."""
        if self.read_only:
            raise self._read_only_error()

    def _read_only_error(self) -> PlannerError:
        return PlannerError(
            "项目以只读方式打开（文件或其所在文件夹只读），修改未写入；"
            "请另存为（复制）到可写的文件夹后再修改",
            "the project is open read-only (the file or its folder is read-only): nothing "
            "was written. Save it as a copy in a folder you can write to and change that",
            file=str(self.path),
        )

    # ---- meta ----------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    @property
    def meta(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.db["meta"].rows}

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db["meta"].upsert({"key": key, "value": value}, pk="key")

    # ---- layers --------------------------------------------------------------------------
    def write_layer(
        self,
        name: str,
        gdf: gpd.GeoDataFrame,
        role: str,
        source_file: str = "",
        provenance: str = "",
    ) -> None:
        """Store a GeoDataFrame as layer `name` (replacing any layer of that name), in EPSG:4326."""
        _check_name(name)
        if gdf.crs is None:
            raise PlannerError(
                f"图层 “{name}” 没有坐标系", f"layer {name!r} has no CRS", file=source_file or None
            )
        gdf = gdf.to_crs(STORAGE_CRS)
        attrs = [c for c in gdf.columns if c != gdf.geometry.name]
        wkb = shapely.to_wkb(gdf.geometry.values, output_dimension=2)
        records = []
        for i, (row, geom) in enumerate(
            zip(gdf[attrs].itertuples(index=False, name=None), wkb, strict=True)
        ):
            rec = {"_fid": i}
            rec.update({col: _plain(v) for col, v in zip(attrs, row, strict=True)})
            rec["geometry"] = geom
            records.append(rec)
        geom_types = sorted(set(gdf.geometry.geom_type.dropna()))
        table = f"layer_{name}"
        with self.transaction():
            if table in self.db.table_names():
                self.db[table].drop()
            columns: dict[str, Any] = {"_fid": int}
            for col in attrs:
                columns[col] = _column_type(gdf[col])
            columns["geometry"] = bytes
            self.db[table].create(columns, pk="_fid")
            if records:
                self.db[table].insert_all(records, batch_size=2000)
            self.db["layers"].upsert(
                {
                    "name": name,
                    "role": role,
                    "geometry_type": ",".join(geom_types),
                    "crs": STORAGE_CRS,
                    "features": len(gdf),
                    "source_file": source_file,
                    "provenance": provenance,
                    "columns": json.dumps(attrs, ensure_ascii=False),
                    "imported_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                },
                pk="name",
            )

    def has_layer(self, name: str) -> bool:
        return self.db["layers"].count_where("name = ?", [name]) > 0

    def layers(self) -> list[LayerInfo]:
        return [
            LayerInfo(
                r["name"],
                r["role"],
                r["geometry_type"],
                r["features"],
                r["source_file"] or "",
                r["provenance"] or "",
                r["imported_at"],
            )
            for r in self.db["layers"].rows_where(order_by="name")
        ]

    def layer_for_role(self, role: str) -> str | None:
        """The layer playing `role`: the one named like the role if there is one, else the most
        recently imported layer with that role, else None."""
        if self.has_layer(role):
            return role
        rows = list(
            self.db["layers"].rows_where("role = ?", [role], order_by="imported_at desc, name")
        )
        return rows[0]["name"] if rows else None

    def read_layer(self, name: str) -> gpd.GeoDataFrame:
        """The layer as a GeoDataFrame in EPSG:4326, rows in stored order."""
        _check_name(name)
        info = self.db["layers"].get(name) if self.has_layer(name) else None
        if info is None:
            raise PlannerError(f"项目中没有图层 “{name}”", f"the project has no layer {name!r}")
        columns = json.loads(info["columns"])
        rows = list(self.db.query(f"select * from [layer_{name}] order by _fid"))
        df = pd.DataFrame(rows, columns=["_fid", *columns, "geometry"])
        geoms = shapely.from_wkb(df["geometry"].to_numpy()) if len(df) else []
        return gpd.GeoDataFrame(df[columns], geometry=geoms, crs=STORAGE_CRS)

    def delete_layer(self, name: str) -> None:
        _check_name(name)
        with self.transaction():
            if f"layer_{name}" in self.db.table_names():
                self.db[f"layer_{name}"].drop()
            self.db["layers"].delete_where("name = ?", [name])

    # ---- plain tables (vehicles, shipments) ----------------------------------------------
    def write_table(
        self, name: str, df: pd.DataFrame, role: str = "", source_file: str = ""
    ) -> None:
        """Store a plain table as `table_<name>`, replacing any table of that name."""
        _check_name(name)
        table = f"table_{name}"
        records = [{k: _plain(v) for k, v in rec.items()} for rec in df.to_dict("records")]
        with self.transaction():
            if table in self.db.table_names():
                self.db[table].drop()
            self.db[table].create({c: _column_type(df[c]) for c in df.columns})
            if records:
                self.db[table].insert_all(records, batch_size=2000)
            self.db["tables"].upsert(
                {
                    "name": name,
                    "role": role,
                    "rows": len(df),
                    "source_file": source_file,
                    "imported_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                },
                pk="name",
            )

    def has_table(self, name: str) -> bool:
        return self.db["tables"].count_where("name = ?", [name]) > 0

    def read_table(self, name: str) -> pd.DataFrame:
        _check_name(name)
        if not self.has_table(name):
            raise PlannerError(f"项目中没有数据表 “{name}”", f"the project has no table {name!r}")
        table = self.db[f"table_{name}"]
        return pd.DataFrame(list(table.rows), columns=list(table.columns_dict))

    def tables(self) -> list[dict[str, Any]]:
        return list(self.db["tables"].rows_where(order_by="name"))

    # ---- scenarios and runs --------------------------------------------------------------
    def add_run(
        self,
        kind: str,
        result: dict[str, Any],
        *,
        scenario: str = "",
        params: dict[str, Any] | None = None,
        status: str = "ok",
        seconds: float = 0.0,
        cost_source: str = "",
    ) -> int:
        """Record a finished run and its JSON-serialisable result; returns the run id."""
        with self.transaction():
            table = self.db["runs"]
            table.insert(
                {
                    "kind": kind,
                    "scenario": scenario,
                    "params": json.dumps(params or {}, ensure_ascii=False),
                    "result": json.dumps(result, ensure_ascii=False),
                    "status": status,
                    "seconds": float(seconds),
                    "cost_source": cost_source,
                    "created_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                }
            )
            return int(table.last_pk)

    def runs(self, kind: str | None = None, scenario: str | None = None) -> list[dict[str, Any]]:
        """Runs, newest first, with params and result decoded."""
        where, args = [], []
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        if scenario is not None:
            where.append("scenario = ?")
            args.append(scenario)
        rows = self.db["runs"].rows_where(" and ".join(where) or None, args, order_by="id desc")
        return [_decode_run(r) for r in rows]

    def run(self, run_id: int) -> dict[str, Any]:
        rows = list(self.db["runs"].rows_where("id = ?", [run_id]))
        if not rows:
            raise PlannerError(f"没有编号为 {run_id} 的运行结果", f"no run with id {run_id}")
        return _decode_run(rows[0])

    def latest_run(self, kind: str, scenario: str | None = None) -> dict[str, Any] | None:
        runs = self.runs(kind, scenario)
        return runs[0] if runs else None

    # ---- cache ---------------------------------------------------------------------------
    def cache_get(self, key: str) -> bytes | None:
        rows = list(self.db.query("select value from cache where key = ?", [key]))
        return rows[0]["value"] if rows else None

    def cache_delete_prefix(self, prefix: str) -> int:
        """Drop the cached entries whose key starts with `prefix`; returns how many."""
        with self.transaction():
            cursor = self.db.execute(
                "delete from cache where substr(key, 1, ?) = ?", [len(prefix), prefix]
            )
            return int(cursor.rowcount)

    def cache_put(self, key: str, value: bytes) -> None:
        with self.transaction():
            self.db["cache"].upsert(
                {"key": key, "value": value, "created_at": time.strftime("%Y-%m-%dT%H:%M:%S")},
                pk="key",
            )


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (also through links, or a case-insensitive disk)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def _decode_run(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "params": json.loads(row["params"] or "{}"),
        "result": json.loads(row["result"] or "{}"),
    }


def _column_type(series: pd.Series) -> type:
    if pd.api.types.is_bool_dtype(series):
        return int
    if pd.api.types.is_integer_dtype(series):
        return int
    if pd.api.types.is_float_dtype(series):
        return float
    return str
