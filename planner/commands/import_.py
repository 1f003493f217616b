"""`planner import PROJECT FILE --as ROLE`: validate a file and store it as a layer."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner import validation

ROLES = ("population", "districts", "libraries", "candidates", "stops")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import a GeoPackage/GeoJSON/Shapefile/CSV/XLSX layer (导入图层)")
    p.add_argument("project", type=Path)
    p.add_argument("file", type=Path)
    p.add_argument("--as", dest="role", required=True, choices=ROLES)
    p.add_argument("--name", help="layer name in the project (default: the role)")
    p.add_argument("--layer", help="which layer of a GeoPackage")
    p.add_argument("--sheet", help="which sheet of an XLSX workbook")
    p.add_argument("--lon", help="the longitude column of a table")
    p.add_argument("--lat", help="the latitude column of a table")
    p.add_argument("--crs", type=validation.crs, help="CRS of a file that has none, e.g. EPSG:4326")
    p.add_argument("--datum", choices=["wgs84", "gcj02"], default="wgs84",
                   help="gcj02: coordinates from Chinese web maps (Amap/Tencent), converted to WGS84")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.importers import import_layer
    from planner.store import Project

    columns = {k: v for k, v in (("lon", args.lon), ("lat", args.lat)) if v}
    with Project.open(args.project) as project:
        info = import_layer(project, args.file, args.role, name=args.name, columns=columns or None,
                            crs=args.crs, datum=args.datum, layer=args.layer, sheet=args.sheet)
    zh = args.lang == "zh"
    print(f"{'已导入' if zh else 'imported'} {info.name}: {info.features} {'个要素' if zh else 'features'} ({info.geometry_type})")
    return 0
