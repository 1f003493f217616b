"""`planner import PROJECT FILE --as ROLE`: validate a file and store it as a layer."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner import validation

ROLES = ("population", "districts", "libraries", "candidates", "stops", "roads")


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
    p.add_argument("--scale-to-districts", action="store_true",
                   help="population raster: rescale each district's cells to its official population")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.importers import import_layer
    from planner.store import Project

    if args.role == "roads" or args.file.suffix.lower() in (".tif", ".tiff", ".geotiff"):
        return _run_roads_or_raster(args)
    if args.scale_to_districts:
        from planner.errors import PlannerError

        raise PlannerError("--scale-to-districts 只用于人口栅格（GeoTIFF）",
                           "--scale-to-districts applies to a population raster (GeoTIFF) only",
                           file=str(args.file), field="--scale-to-districts")
    columns = {k: v for k, v in (("lon", args.lon), ("lat", args.lat)) if v}
    with Project.open(args.project) as project:
        info = import_layer(project, args.file, args.role, name=args.name, columns=columns or None,
                            crs=args.crs, datum=args.datum, layer=args.layer, sheet=args.sheet)
    zh = args.lang == "zh"
    print(f"{'已导入' if zh else 'imported'} {info.name}: {info.features} {'个要素' if zh else 'features'} ({info.geometry_type})")
    return 0


def _run_roads_or_raster(args: argparse.Namespace) -> int:
    """`--as roads` (GraphML, road lines, .osm.pbf) and a GeoTIFF `--as population`."""
    from planner.errors import PlannerError
    from planner.store import Project

    zh = args.lang == "zh"
    if args.role not in ("roads", "population"):
        raise PlannerError("栅格文件只能作为人口导入（--as population）",
                           "a raster can only be imported as population (--as population)",
                           file=str(args.file), field="--as")
    with Project.open(args.project) as project:
        if args.role == "roads":
            from planner.roads import import_roads

            info = import_roads(project, args.file)
            print(f"{'已导入路网' if zh else 'imported roads'}: {info.nodes} {'个节点' if zh else 'nodes'}, "
                  f"{info.edges} {'条有向边' if zh else 'edges'}, {info.km:,.1f} km; "
                  + (f"最大强连通部分之外舍去 {info.dropped_share:.1%}" if zh
                     else f"{info.dropped_share:.1%} dropped outside the largest strongly connected part"))
            return 0
        from planner.raster import import_population_raster

        result = import_population_raster(project, args.file, name=args.name or "population",
                                          scale_to_districts=args.scale_to_districts)
    print(result.message(args.lang))
    return 0
