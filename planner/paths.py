"""Output paths: names that come from a project (a layer, a vehicle, a scenario) never decide
where on disk we write; every output file is checked before the work and written whole or not
at all."""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from planner.errors import PlannerError

_UNSAFE = re.compile(r'[<>:"|?*\x00-\x1f]')


def safe_output_path(out_dir: Path, name: str) -> Path:
    """`out_dir / name`, refusing absolute names, `..`, and anything resolving outside out_dir."""
    if not name or Path(name).is_absolute() or ".." in Path(name).parts or _UNSAFE.search(name) or "\\" in name:
        raise PlannerError(f"文件名“{name}”不安全：只能写在所选的输出文件夹中",
                           f"unsafe file name {name!r}: files are written inside the chosen output folder only")
    root = Path(out_dir).resolve()
    target = (root / name).resolve()
    if root != target and root not in target.parents:
        raise PlannerError(f"文件名“{name}”指向输出文件夹之外", f"file name {name!r} points outside the output folder")
    return target


# ---- output files every command writes -------------------------------------------------------
NAME_MAX_BYTES = 255  # the longest file name common disks take (ext4, NTFS, APFS)


def _refuse(path: Path, zh: str, en: str, option: str | None) -> PlannerError:
    return PlannerError(zh, en, file=str(path), field=option)


def _check_name_lengths(path: Path, option: str | None) -> None:
    if "\x00" in str(path):
        raise _refuse(path, "文件名含有空字符", "the file name holds a NUL character", option)
    for part in path.parts:
        if len(os.fsencode(part)) > NAME_MAX_BYTES:
            raise _refuse(path, f"文件名太长（超过 {NAME_MAX_BYTES} 字节），请改短",
                          f"the file name is too long (over {NAME_MAX_BYTES} bytes); shorten it", option)


def _writable_folder(folder: Path, path: Path, option: str | None) -> None:
    if not folder.exists():
        raise _refuse(path, f"文件夹不存在：{folder}", f"the folder does not exist: {folder}", option)
    if not folder.is_dir():
        raise _refuse(path, f"{folder} 不是文件夹", f"{folder} is not a folder", option)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refuse(path, f"不能在文件夹 {folder} 中写入（只读？）", f"cannot write in the folder {folder} (read-only?)", option)


def check_output_file(path: Path, option: str | None = None, *, make_folder: bool = False) -> Path:
    """Refuse, before any work is done or stored, an output file that cannot be written: a
    missing (unless the writer makes it: `make_folder`) or read-only folder, a folder where the
    file should go, a name too long."""
    path = Path(path)
    _check_name_lengths(path, option)
    if path.is_dir():
        raise _refuse(path, "这里已有一个同名文件夹，无法写入文件", "a folder of that name is in the way", option)
    if path.exists() and not os.access(path, os.W_OK):
        raise _refuse(path, "文件只读，无法覆盖", "the file is read-only and cannot be replaced", option)
    if make_folder:
        check_output_folder(path.absolute().parent, option)
    else:
        _writable_folder(path.absolute().parent, path, option)
    return path


def check_output_folder(folder: Path, option: str | None = None) -> Path:
    """Refuse, before any work, an output folder that cannot be made or written in (it is made
    when missing, with its parents, by the writer)."""
    folder = Path(folder)
    _check_name_lengths(folder, option)
    if folder.exists() and not folder.is_dir():
        raise _refuse(folder, "这里已有一个同名文件，不是文件夹", "a file of that name is in the way of the folder", option)
    existing = folder.absolute()
    while not existing.exists():
        existing = existing.parent
    _writable_folder(existing, folder, option)
    return folder


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` (same suffix) to write to; renamed over `path` when the
    block ends without error, removed when it fails, so a full disk leaves no 0-byte file. A
    disk error becomes a PlannerError naming `path`."""
    path = Path(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.stem[:100]}.", suffix=f".tmp{path.suffix}", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise _disk_error(path, exc) from exc
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        raise _disk_error(path, exc) from exc
    finally:
        with suppress(OSError):
            tmp.unlink()


def write_output(path: Path, text: str) -> Path:
    """Write a text output (JSON, HTML) whole or not at all."""
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def _disk_error(path: Path, exc: OSError) -> PlannerError:
    if exc.errno == errno.ENOSPC:
        zh, en = "磁盘已满", "the disk is full"
    else:
        zh = en = exc.strerror or str(exc)
    return PlannerError(f"无法写入输出文件（{zh}）；未留下不完整的文件", f"cannot write the output file ({en}); no partial file was left",
                        file=str(path))
