"""`planner courier PROJECT`: the day's shared-borrowing courier runs (通借通还物流)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from planner import validation
from planner.commands.coverage import add_travel_option
from planner.paths import atomic_output, check_output_file, write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("courier", help="plan a day's courier runs between libraries (通借通还物流)")
    p.add_argument("project", type=Path)
    p.add_argument("--log", type=Path, help="returns log (CSV/XLSX); default: a modelled day")
    p.add_argument("--day", help="which date of the log (YYYY-MM-DD; default the last)")
    p.add_argument("--crate-size", type=int, default=30, help="books per crate")
    p.add_argument("--seconds", type=validation.seconds, default=30.0, help="time limit (s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--xlsx", type=Path)
    p.add_argument("--json", type=Path, dest="json_out")
    add_travel_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from models.records import Shipment
    from planner.jobs.courier import run_courier_day, write_courier_xlsx
    from planner.progress import cli_control
    from planner.returns_log import flow_matrix
    from planner.store import Project

    for option, out in (("--xlsx", args.xlsx), ("--json", args.json_out)):
        if out:
            check_output_file(out, option)
    with Project.open(args.project) as project, cli_control("通借通还 courier", args.seconds) as control:
        result = run_courier_day(project, returns_log=args.log, day=args.day, crate_size=args.crate_size,
                                 time_limit_s=args.seconds, seed=args.seed, control=control,
                                 travel=args.travel)
        libraries = project.read_layer(project.layer_for_role("libraries") or "libraries")
    names = dict(zip(libraries["id"].astype(str), libraries["name"].astype(str), strict=True))
    zh = args.lang == "zh"
    flows = [Shipment(f"{f['from']}>{f['to']}", f["from"], f["to"], f["crates"]) for f in result["flows"]]
    print(("流向（箱，行：归还馆 → 列：所属馆）" if zh else "flows (crates, rows: returned at → columns: owner)")
          + f" {result['day']}:")
    matrix = flow_matrix(flows)
    print(matrix.map(lambda v: "·" if v == 0 else str(v)).to_string())
    shown = sorted(set(matrix.index) | set(matrix.columns))
    print(("馆号：" if zh else "libraries: ") + " · ".join(f"{i} {names.get(i, i)}" for i in shown))
    for name, totals in result["comparison"].items():
        if name == "chosen":
            continue
        label = {"direct": ("直送", "direct"), "hub": ("经中心馆中转", "via the central library")}[name][0 if zh else 1]
        mark = " *" if name == result["comparison"]["chosen"] else ""
        print(f"{label}: {totals['vehicles']} {'车' if zh else 'vans'}, {totals['distance_km']} km, "
              f"{totals['duration_h']} h, {totals['dropped']} {'批顺延' if zh else 'left'}{mark}")
    for d in result["dropped"]:
        print(f"  {'顺延' if zh else 'left for tomorrow'}: {d['name']} — {d['reason_zh'] if zh else d['reason_en']}")
    if args.xlsx:
        with atomic_output(args.xlsx) as tmp:
            write_courier_xlsx(result, tmp, args.lang)
    if args.json_out:
        write_output(args.json_out, json.dumps(result, ensure_ascii=False, indent=1))
    return 0
