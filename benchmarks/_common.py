"""Shared bits of the routing benchmarks: the machine they ran on, best-known solutions, and
writing one section of docs/benchmarks.md without touching the others."""

from __future__ import annotations

import csv
import os
import platform
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The instances and best-known tables, inside the repository (benchmarks/instances/README.md).
INSTANCES = ROOT / "benchmarks" / "instances"
DOC = ROOT / "docs" / "benchmarks.md"


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def bks(folder: str) -> dict[str, tuple[int, float]]:
    with (INSTANCES / folder / "bks.csv").open() as fh:
        return {r["instance"]: (int(r["vehicles"]), float(r["distance"])) for r in csv.DictReader(fh)}


def write_section(title: str, body: str) -> None:
    """Replace (or append) the `## title` section of docs/benchmarks.md."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    DOC.write_text(text, encoding="utf-8")
