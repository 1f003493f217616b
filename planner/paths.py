"""Output paths: names that come from a project (a layer, a vehicle, a scenario) never decide
where on disk we write."""

from __future__ import annotations

import re
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
