"""`planner map PROJECT --out FILE.html [--scenario NAME]`: an offline coverage (or route) map."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("map", help="write an offline HTML map of a project (覆盖地图)")
    p.add_argument("project", type=Path)
    p.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    p.add_argument("--scenario", help="the coverage scenario to colour districts by (default: the plan, else the latest)")
    p.add_argument("--routes", choices=["bookmobile", "courier"], help="map the latest route run instead")
    p.add_argument("--tiles", action="store_true", help="add an online base map (needs internet to show)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.maps import write_coverage_map, write_routes_map
    from planner.paths import atomic_output, check_output_file
    from planner.store import Project

    check_output_file(args.out, "--out")
    with Project.open(args.project) as project, atomic_output(args.out) as tmp:
        if args.routes:
            write_routes_map(project, args.routes, tmp, lang=args.lang, tiles=args.tiles)
        else:
            write_coverage_map(project, tmp, scenario=args.scenario, lang=args.lang, tiles=args.tiles)
    print(args.out)
    return 0
