"""`planner coverage PROJECT`: who is within the threshold of a library, by district."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from models.costs import MODES
from planner import validation
from planner.jobs.coverage import CoverageRequest, CoverageResult, coverage_job
from planner.network import TRAVEL_CHOICES
from planner.paths import check_output_file, write_output
from planner.progress import cli_control
from planner.store import Project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("coverage", help="population within a travel time of libraries, by district")
    p.add_argument("project")
    p.add_argument(
        "--threshold",
        type=validation.non_negative,
        default=900.0,
        help="seconds for a mode, metres with --mode none (default 900)",
    )
    p.add_argument(
        "--mode",
        choices=[*MODES, "none"],
        default="walk",
        help="travel mode (default walk); none = straight-line metres",
    )
    p.add_argument(
        "--kinds", nargs="+", type=validation.kind, help="library kinds to count (default all)"
    )
    add_travel_option(p)
    p.add_argument("--json", type=Path, dest="json_out", help="also write the result to this file")
    p.set_defaults(func=run)


def add_travel_option(p: argparse.ArgumentParser) -> None:
    """`--travel {network,straight}`, shared by coverage, siting, bookmobile and courier."""
    p.add_argument(
        "--travel",
        choices=TRAVEL_CHOICES,
        help="along the project's roads or straight lines (default: network when the project "
        "has roads, else straight)",
    )


def run(args: argparse.Namespace) -> int:
    mode = None if args.mode == "none" else args.mode
    request = CoverageRequest(
        threshold_s=args.threshold,
        mode=mode,
        kinds=None if args.kinds is None else tuple(args.kinds),
        travel=args.travel,
        threshold_m=args.threshold if mode is None else None,
    )
    if args.json_out:
        check_output_file(args.json_out, "--json")
    with Project.open(args.project) as project, cli_control("coverage") as control:
        result = coverage_job(project, request, control=control)
    if args.json_out:
        write_output(args.json_out, json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    print(format_table(result, args.lang))
    return 0


def _cell(text: str, width: int, right: bool = True) -> str:
    """Pad to a display width, counting CJK characters as two columns."""
    pad = " " * max(width - sum(2 if ord(c) > 0x2E80 else 1 for c in text), 1)
    return pad + text if right else text + pad


def format_table(result: CoverageResult, lang: str = "zh") -> str:
    """Per-district population, covered population and share, then the city and equity line."""
    zh = lang == "zh"
    head = (
        ("区县", "人口", "覆盖人口", "覆盖率")
        if zh
        else ("district", "population", "covered", "share")
    )
    lines = [
        _cell(head[0], 10, False) + _cell(head[1], 14) + _cell(head[2], 14) + _cell(head[3], 9)
    ]
    total = result.total
    rows = [(r.district, r.population, r.covered, r.share) for r in result.by_district]
    rows.append(("合计" if zh else "total", total.population, total.covered, total.share))
    for district, population, covered, share in rows:
        lines.append(
            _cell(str(district), 10, False)
            + _cell(f"{population:,.0f}", 14)
            + _cell(f"{covered:,.0f}", 14)
            + _cell(f"{share:.1%}", 9)
        )
    eq = result.equity
    worst = eq.worst_district or "-"
    share = eq.worst_share or 0.0
    lines.append(
        f"基尼系数 {eq.gini:.3f}  泰尔指数 {eq.theil:.3f}  最低覆盖 {worst} {share:.1%}"
        if zh
        else f"Gini {eq.gini:.3f}  Theil {eq.theil:.3f}  worst {worst} {share:.1%}"
    )
    return "\n".join(lines)
