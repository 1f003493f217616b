"""What the import dialog decided, and the import itself through planner.importers (which
validates the file, handles CRS and datum, and writes the layer in one transaction)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from planner import importers
from planner.store import Project


@dataclass(frozen=True)
class ImportRequest:
    """The file, the role and name of the layer, and for a table which source column feeds
    each target column (`lon`, `lat`, `id`, `population`, …)."""

    path: Path
    role: str
    name: str
    columns: dict[str, str] = field(default_factory=dict)
    datum: str = "wgs84"  # "gcj02": coordinates from a Chinese web map, converted to WGS84


def is_table(path: Path) -> bool:
    return path.suffix.lower() in importers.TABLE_SUFFIXES


def guess_columns(columns: list[str]) -> dict[str, str]:
    """Which of the file's columns the importer reads as each field when none is chosen."""
    return importers.guess_columns(columns)


def preview(path: Path, rows: int = 20):  # noqa: ANN201 - a pandas DataFrame
    return importers.read_preview(path, nrows=rows)


def import_layer(project: Project, request: ImportRequest) -> str:
    """Import the file as asked; returns the stored layer's name."""
    info = importers.import_layer(
        project,
        request.path,
        request.role,
        name=request.name or None,
        columns=request.columns or None,
        datum=request.datum,
    )
    return info.name
