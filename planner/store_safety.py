"""Opening a project file safely: every check a file must pass before it is used (ours, not
newer, not damaged, not locked by another program), and the backup beside it written only from
a file that has just passed them, atomically, by one process at a time (issue 19 item 4).

Kept apart from planner.store so the store holds what a project *is*; this holds how a file
on disk is trusted.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from planner.errors import PlannerError

SQLITE_HEADER = b"SQLite format 3\x00"
#: How long opening waits for another program's write to finish before calling the file busy.
BUSY_TIMEOUT_S = 3.0
#: The tables every current project holds, with the columns the planner reads from them.
REQUIRED_TABLES: dict[str, frozenset[str]] = {
    "meta": frozenset({"key", "value"}),
    "layers": frozenset({"name", "role", "geometry_type", "features", "columns"}),
    "tables": frozenset({"name", "role", "rows"}),
    "scenarios": frozenset({"name", "params"}),
    "runs": frozenset({"id", "kind", "scenario", "params", "result", "status"}),
    "cache": frozenset({"key", "value"}),
}


def backup_path(path: Path) -> Path:
    return Path(path).with_name(Path(path).name + ".bak")


def busy_error(path: Path) -> PlannerError:
    return PlannerError(
        "项目文件正在被另一个程序使用（另一个规划工具窗口或其他软件正在写入）；请关闭那个程序或稍后再试。文件未被改动",
        "the project file is in use by another program (another planner window or other software is "
        "writing to it); close that program or try again later. The file was not changed",
        file=str(path),
    )


def damaged_error(path: Path, reason_zh: str = "", reason_en: str = "") -> PlannerError:
    """The file is damaged: say how, and where the copy from the last good open is."""
    backup = backup_path(path)
    why_zh = f"（{reason_zh}）" if reason_zh else ""
    why_en = f" ({reason_en})" if reason_en else ""
    if backup.is_file():
        return PlannerError(
            f"项目文件已损坏{why_zh}；请用上次正常打开时的备份 {backup} 恢复（把它复制为项目文件）",
            f"the project file is damaged{why_en}; restore it from {backup}, the copy from the "
            "last good open (copy it over the project file)",
            file=str(path),
        )
    return PlannerError(
        f"项目文件已损坏{why_zh}，且没有备份",
        f"the project file is damaged{why_en} and has no backup",
        file=str(path),
    )


def _busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def read_header(path: Path) -> bytes:
    """The first 16 bytes, refusing what is not a plain readable file."""
    if not path.is_file():
        raise PlannerError(
            f"找不到项目文件：{path}", f"project file not found: {path}", file=str(path)
        )
    try:
        with path.open("rb") as fh:
            return fh.read(16)
    except OSError as exc:
        raise PlannerError(
            f"无法读取项目文件（{exc.strerror or exc}）",
            f"cannot read the project file ({exc.strerror or exc})",
            file=str(path),
        ) from exc


def connect(path: Path, read_only: bool) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S
        )
    return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)


def query(conn: sqlite3.Connection, path: Path, sql: str) -> list[tuple]:
    """Run a read on a file being opened: busy → "in use", any other failure → damaged."""
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.DatabaseError as exc:
        conn.close()
        if _busy(exc):
            raise busy_error(path) from exc
        raise damaged_error(path, str(exc), str(exc)) from exc


def check_whole(conn: sqlite3.Connection, path: Path, version: int, current: int) -> None:
    """SQLite's quick check, then the planner's own: the tables and columns it reads, and each
    layer and table the index names. Raises the damaged (or busy) error; closes on failure."""
    result = query(conn, path, "PRAGMA quick_check")
    if not result or result[0][0] != "ok":
        conn.close()
        raise damaged_error(path, "SQLite 检查未通过", "SQLite's check failed")
    if version < current:
        return  # an older file: its migration creates what is missing
    problem = contents_problem(conn)
    if problem is not None:
        conn.close()
        raise damaged_error(path, *problem)


def contents_problem(conn: sqlite3.Connection) -> tuple[str, str] | None:
    """What is missing or wrong in a current project's tables (zh, en), or None."""
    try:
        names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        for table, needed in REQUIRED_TABLES.items():
            if table not in names:
                return f"缺少数据表 {table}", f"the table {table!r} is missing"
            have = {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}
            if not needed <= have:
                missing = ", ".join(sorted(needed - have))
                return (
                    f"数据表 {table} 缺少列 {missing}",
                    f"the table {table!r} lacks the columns {missing}",
                )
        meta = dict(conn.execute("select key, value from meta").fetchall())
        if not isinstance(meta.get("name"), str):
            return "项目信息（meta）缺少名称", "the project information (meta) has no name"
        for name, columns in conn.execute("select name, columns from layers"):
            if f"layer_{name}" not in names:
                return f"缺少图层 {name} 的数据", f"the data of layer {name!r} is missing"
            have = {r[1] for r in conn.execute(f"PRAGMA table_info([layer_{name}])")}
            listed = json.loads(columns or "[]")
            if not isinstance(listed, list) or not {"_fid", "geometry", *map(str, listed)} <= have:
                return (
                    f"图层 {name} 的列与索引不符",
                    f"the columns of layer {name!r} do not match the index",
                )
        for (name,) in conn.execute("select name from tables"):
            if f"table_{name}" not in names:
                return f"缺少数据表 {name} 的数据", f"the data of table {name!r} is missing"
    except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
        return str(exc), str(exc)
    return None


def _writable(path: Path) -> bool:
    """Whether the project at `path` can be changed: the file itself, and its folder, where
    SQLite creates a journal for every write."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def open_checked(
    path: Path, read_only: bool | None, application_id: int, schema_version: int
) -> tuple[sqlite3.Connection, int, bool]:
    """A connection to a project file that passed every check, its schema version, and whether
    it is open read-only (asked for, or the file or its folder cannot be written)."""
    path = Path(path)
    if read_header(path) != SQLITE_HEADER:
        raise PlannerError(
            "这不是规划项目文件（不是 SQLite 数据库）",
            "this is not a planner project file (not an SQLite database)",
            file=str(path),
        )
    if read_only is None:
        read_only = not _writable(path)
    try:
        conn = connect(path, read_only)
    except sqlite3.Error as exc:
        raise damaged_error(path, str(exc), str(exc)) from exc
    app_id = query(conn, path, "PRAGMA application_id")[0][0]
    version = query(conn, path, "PRAGMA user_version")[0][0]
    if app_id != application_id:
        conn.close()
        raise PlannerError(
            "这个 SQLite 文件不是规划项目文件",
            "this SQLite file is not a planner project file",
            file=str(path),
        )
    if version > schema_version:
        conn.close()
        raise PlannerError(
            f"项目文件由更新版本的规划工具保存（格式版本 {version}，本程序支持 {schema_version}），请升级后再打开；文件未被改动",
            f"the project was saved by a newer planner (schema {version}, this one reads {schema_version}); "
            "upgrade to open it. The file was not changed",
            file=str(path),
        )
    check_whole(conn, path, version, schema_version)
    if version < schema_version and read_only:
        conn.close()
        raise PlannerError(
            "项目文件由旧版本的规划工具保存，需要先更新格式，但文件或其所在文件夹只读；"
            "请把它复制到可写的文件夹后再打开。文件未被改动",
            "the project was saved by an older planner and must be updated, but the file or "
            "its folder is read-only: copy it to a folder you can write to and open that. "
            "The file was not changed",
            file=str(path),
        )
    return conn, version, read_only


@contextlib.contextmanager
def exclusive(lock: Path) -> Iterator[bool]:
    """Hold `lock` (a file beside the project) for one process at a time: yields True when this
    process holds it, False at once when another does (the caller then skips its work)."""
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield False
        return
    held = False
    try:
        held = _try_lock(fd) and _same_inode(fd, lock)
        yield held
    finally:
        if held:
            with contextlib.suppress(OSError):
                lock.unlink()  # while still held, so a waiting process sees a new file
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _same_inode(fd: int, path: Path) -> bool:
    """Whether the locked file is still the one at `path` (another holder may have removed it)."""
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except OSError:
        return False


def atomic_copy(
    source: sqlite3.Connection, target: Path, *, verify: bool = False, mode: int = 0o644
) -> None:
    """Copy an open SQLite database to `target`: into a uniquely named file beside it, synced
    to disk, checked when `verify`, then renamed over `target` in one step. A failure leaves
    `target` as it was and no temporary file; the copy gets the permission bits `mode`.
    Raises OSError, sqlite3.Error or PlannerError."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        dest = sqlite3.connect(str(tmp))
        try:
            source.backup(dest)
            if verify:
                ok = dest.execute("PRAGMA quick_check").fetchone()[0] == "ok"
                problem = (
                    contents_problem(dest) if ok else ("SQLite 检查未通过", "SQLite's check failed")
                )
                if problem is not None:
                    raise PlannerError(
                        f"副本未通过检查（{problem[0]}）",
                        f"the copy failed its check ({problem[1]})",
                        file=str(target),
                    )
        finally:
            dest.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        _sync_folder(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _sync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); where folders cannot be opened (Windows) do nothing."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
