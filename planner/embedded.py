"""The embedded Wenzhou scenario: read gis_data/wenzhou.gpkg (package data, so it works installed
from a wheel) and write it into a project."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio

from gis_data import WENZHOU_GPKG
from models.control import Control
from planner.store import Project

LAYERS = ("districts", "population", "libraries", "candidates", "stops")
TABLES = ("bookmobiles", "vans")


def load_embedded() -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """Every layer and table of the embedded GeoPackage, by name."""
    out: dict[str, gpd.GeoDataFrame | pd.DataFrame] = {}
    for name in LAYERS:
        out[name] = gpd.read_file(WENZHOU_GPKG, layer=name)
    for name in (*TABLES, "provenance"):
        out[name] = pyogrio.read_dataframe(WENZHOU_GPKG, layer=name, read_geometry=False)
    return out


def official_population() -> dict[str, int]:
    """Chinese district name → official 2021 year-end resident population."""
    districts = pyogrio.read_dataframe(WENZHOU_GPKG, layer="districts", read_geometry=False)
    return {str(n): int(p) for n, p in zip(districts["name"], districts["population"], strict=True)}


def populate_project(project: Project, control: Control | None = None) -> None:
    """Write the Wenzhou layers and vehicle tables into the project, in one transaction (a cancel
    through `control` rolls everything back)."""
    control = control or Control()
    data = load_embedded()
    provenance = {r["layer"]: r for r in data["provenance"].to_dict("records")}

    def note(name: str) -> str:
        p = provenance.get(name, {})
        parts = [
            f"real: {p['real']}" if p.get("real") else "",
            f"modelled: {p['modelled']}" if p.get("modelled") else "",
        ]
        return "; ".join(x for x in parts if x) + f" (embedded Wenzhou data, {p.get('method', '')})"

    steps = len(LAYERS) + len(TABLES)
    with project.transaction():
        for k, name in enumerate(LAYERS):
            control.report(k / steps, name)
            control.check()
            project.write_layer(
                name, data[name], role=name, source_file="wenzhou.gpkg", provenance=note(name)
            )
        for k, name in enumerate(TABLES, start=len(LAYERS)):
            control.report(k / steps, name)
            control.check()
            project.write_table(name, data[name], role=name, source_file="wenzhou.gpkg")
        project.set_meta("scenario", "温州 Wenzhou (embedded)")
    control.report(1.0, "")
