"""Embedded default data: the Wenzhou GeoPackage and the script that builds it."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
WENZHOU_GPKG = HERE / "wenzhou.gpkg"
