"""`planner map PROJECT --out FILE.html [--run ID | --scenario NAME] [--routes KIND]`: an
offline map of one run (by default the latest coverage run)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("map", help="write an offline HTML map of a project (覆盖地图)")
    p.add_argument("project", type=Path)
    p.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    p.add_argument("--run", type=int, metavar="ID",
                   help="the run to map: coverage, siting, bookmobile or courier (default: the latest coverage run)")
    p.add_argument("--scenario", help="the latest coverage run of this name instead")
    p.add_argument("--routes", choices=["bookmobile", "courier"], help="map the latest route run instead")
    p.add_argument("--tiles", action="store_true", help="add an online base map (needs internet to show)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.maps import map_for_run, write_routes_map
    from planner.paths import check_output_file
    from planner.store import Project

    check_output_file(args.out, "--out")
    with Project.open(args.project) as project:
        if args.routes:
            out = write_routes_map(project, args.routes, args.out, run_id=args.run, lang=args.lang, tiles=args.tiles)
        else:
            page = map_for_run(project, args.run, lang=args.lang, scenario=args.scenario, tiles=args.tiles)
            out = page.save(args.out)
    print(out)
    return 0
