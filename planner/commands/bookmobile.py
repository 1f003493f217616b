"""`planner bookmobile PROJECT`: plan the bookmobile week (城市书巴周计划)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from planner import validation
from planner.commands.coverage import add_travel_option
from planner.paths import atomic_output, check_output_file, write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bookmobile", help="plan the bookmobile week (城市书巴周计划)")
    p.add_argument("project", type=Path)
    p.add_argument("--seconds", type=validation.seconds, default=30.0, help="time limit (s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--xlsx", type=Path, help="write the timetable workbook here")
    p.add_argument("--json", type=Path, dest="json_out", help="write the result as JSON here")
    add_travel_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.jobs.bookmobile import run_bookmobile_week
    from planner.progress import cli_control
    from planner.store import Project
    from planner.timetable import hhmm, write_timetable_xlsx

    for option, out in (("--xlsx", args.xlsx), ("--json", args.json_out)):
        if out:
            check_output_file(out, option)
    with Project.open(args.project) as project, cli_control("书巴周计划 bookmobile week", args.seconds) as control:
        result = run_bookmobile_week(project, time_limit_s=args.seconds, seed=args.seed, control=control,
                                     travel=args.travel)
    zh = args.lang == "zh"
    for route in result["routes"]:
        names = " → ".join(s["name"] for s in route["stops"])
        print(f"{route['vehicle_name']} {route['day']} {hhmm(route['depart_min'])}–{hhmm(route['return_min'])} "
              f"{route['distance_km']:.1f} km: {names}")
    t = result["totals"]
    print(("共 {served}/{asked} 次停靠，{distance_km} 公里" if zh else "{served}/{asked} visits, {distance_km} km").format(**t))
    for d in result["dropped"]:
        print(f"  {'未安排' if zh else 'not served'}: {d['name']} #{d['visit']} — {d['reason_zh'] if zh else d['reason_en']}")
    if args.xlsx:
        with atomic_output(args.xlsx) as tmp:
            write_timetable_xlsx(result, tmp, args.lang)
    if args.json_out:
        write_output(args.json_out, json.dumps(result, ensure_ascii=False, indent=1))
    return 0
