"""`planner bench vrptw|pdptw INSTANCE.txt --seconds S [--seed N] [--engine E] --json OUT.json`:
solve a published benchmark instance and write the result in the contract's exact form (plus
"engine"). By default OR-Tools and PyVRP run side by side on two cores (routing.portfolio)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from planner import validation
from planner.paths import check_output_file, write_output
from planner.progress import cli_control


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="solve a Solomon (vrptw) or Li & Lim (pdptw) benchmark instance")
    p.add_argument("kind", choices=["vrptw", "pdptw"])
    p.add_argument("instance", type=Path)
    p.add_argument("--seconds", type=validation.seconds, required=True, help="time limit in seconds")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--engine", choices=("portfolio", "ortools", "pyvrp"), default="portfolio",
                   help="portfolio: OR-Tools and PyVRP on two cores (default); or one engine alone")
    p.add_argument("--json", type=Path, required=True, dest="json_out")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_output_file(args.json_out, "--json")
    if args.kind == "vrptw":
        from planner.benchmark_io import solve_solomon as solve
    else:
        from planner.benchmark_io import solve_lilim as solve
    with cli_control(f"{args.kind} {args.instance.name}", args.seconds) as control:
        result = solve(args.instance, seconds=args.seconds, seed=args.seed, control=control, engine=args.engine)
    write_output(args.json_out, json.dumps(result, indent=1))
    print(f"{result['instance']}: {result['vehicles']} vehicles, distance {result['distance']:.2f}, {result['seconds']:.1f} s ({result['engine']})")
    return 0
