"""Documented GeoDataFrame schemas: the columns each layer role carries (CRS EPSG:4326).

Importers normalise user files to these; the embedded Wenzhou GeoPackage is written in them.
"""

from __future__ import annotations

STORAGE_CRS = "EPSG:4326"
#: Wenzhou's metric CRS (UTM zone 51N); other cities get their UTM zone from the data's extent.
WENZHOU_METRIC_CRS = "EPSG:32651"

#: role → (required columns, optional columns). `id` is a unique string everywhere.
LAYER_ROLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "districts": (("id", "name"), ("name_en", "population", "pop_year", "provenance", "source")),
    "population": (("id", "population"), ("district", "provenance", "method", "cell_m")),
    "libraries": (
        ("id", "name", "kind"),
        ("district", "level", "opens", "closes", "seats", "books", "provenance", "source"),
    ),
    "candidates": (("id",), ("name", "district", "cost", "capacity", "provenance")),
    "stops": (
        ("id", "name"),
        (
            "kind", "district", "tw_start", "tw_end", "service_min", "visits_per_week",
            "allowed_days", "load_crates", "priority", "allowed_vehicles", "provenance",
        ),
    ),
}
GEOMETRY_TYPES: dict[str, tuple[str, ...]] = {
    "districts": ("Polygon", "MultiPolygon"),
    "population": ("Point", "Polygon", "MultiPolygon"),
    "libraries": ("Point",),
    "candidates": ("Point", "Polygon", "MultiPolygon"),
    "stops": ("Point",),
}
