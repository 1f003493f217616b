"""`planner plan PROJECT --years Y1-Y2 --budget-per-year B [--growth FILE] [--travel …]
--json OUT`: the phased plan (issue 13), one coverage run per year for the timeline.
`--travel network|straight` as on every job; `--mode walk|…|none` the travel mode."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from models.costs import MODES
from planner import validation
from planner.commands.coverage import add_travel_option
from planner.jobs.plan import CARRY_OVER_NOTE, PlanRequest, parse_years, read_growth, run_plan
from planner.jobs.siting import DEFAULT_THRESHOLD_M, DEFAULT_THRESHOLD_S
from planner.paths import check_output_file, write_output
from planner.progress import cli_control
from planner.store import Project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plan", help="phased plan: which sites open in which year under a budget")
    p.add_argument("project")
    p.add_argument("--years", required=True, help="years, e.g. 2026-2030")
    p.add_argument(
        "--budget-per-year",
        type=validation.non_negative,
        required=True,
        dest="budget",
        help="budget per year in the candidates' cost unit; unspent budget carries over",
    )
    p.add_argument("--growth", type=Path, help="CSV: district, then one column per year")
    p.add_argument(
        "--mode",
        choices=[*MODES, "none"],
        default="walk",
        help="travel mode (default walk); none = straight-line metres",
    )
    add_travel_option(p)
    p.add_argument(
        "--threshold",
        type=validation.non_negative,
        help=f"seconds for a mode (default {DEFAULT_THRESHOLD_S:.0f}); metres with none "
        f"(default {DEFAULT_THRESHOLD_M:.0f}, the same walk as the crow flies)",
    )
    p.add_argument("--time-limit", type=validation.seconds, default=60.0, help="seconds (default 60)")
    p.add_argument("--json", type=Path, required=True, dest="json_out", help="result file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    years = parse_years(args.years)
    growth = read_growth(args.growth, years) if args.growth else {}
    request = PlanRequest(
        years=years,
        budget_per_year=args.budget,
        growth=growth,
        threshold_s=args.threshold or DEFAULT_THRESHOLD_S,
        threshold_m=args.threshold or DEFAULT_THRESHOLD_M,
        mode=None if args.mode == "none" else args.mode,
        travel=args.travel,
        time_limit_s=args.time_limit,
    )
    check_output_file(args.json_out, "--json")
    with Project.open(args.project) as project, cli_control("plan", args.time_limit) as control:
        result = run_plan(project, request, control=control)
    write_output(args.json_out, json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    zh = args.lang == "zh"
    print(
        f"{'年份':<6}{'新开':>6}{'费用':>10}{'覆盖率':>9}  {'最差区县'}"
        if zh
        else f"{'year':<6}{'opened':>7}{'cost':>10}{'share':>9}  worst district"
    )
    for y in result.years:
        print(
            f"{y.year:<6}{len(y.opened):>6}{y.cost:>10.2f}{y.covered_share:>9.1%}  {y.worst_district or ''}"
        )
    note = "未用完的预算结转到以后年份" if zh else CARRY_OVER_NOTE
    state = (
        ("最优" if zh else "optimal")
        if result.optimal
        else (f"{'差距' if zh else 'gap'} {result.gap:.2%}")
    )
    print(f"{note}; {state}")
    return 0
