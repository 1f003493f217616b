"""`planner siting PROJECT --model …`: choose new sites among a project's candidates through
the siting job (the same one the GUI runs); the result is stored as the "plan" scenario, which
`planner map --scenario plan` and `planner report` show."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from models.costs import MODES
from models.siting import MODELS
from planner import validation
from planner.commands.coverage import add_travel_option
from planner.commands.site import add_model_options
from planner.jobs.siting_result import SitingJobResult
from planner.paths import check_output_file, write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("siting", help="choose new sites among a project's candidates (选址)")
    p.add_argument("project", type=Path)
    p.add_argument("--model", choices=MODELS, required=True, help="siting model")
    p.add_argument("--p", type=int, default=10, help="number of new sites (default 10)")
    p.add_argument(
        "--threshold",
        type=validation.non_negative,
        default=900.0,
        help="seconds for a mode, metres with --mode none (default 900)",
    )
    p.add_argument(
        "--mode", choices=[*MODES, "none"], default="walk", help="travel mode (default walk)"
    )
    p.add_argument("--kinds", nargs="+", type=validation.kind, help="existing library kinds kept open (default all)")
    p.add_argument("--seconds", type=validation.seconds, default=60.0, help="solver time limit (default 60)")
    add_travel_option(p)
    add_model_options(p)
    p.add_argument(
        "--by-age",
        action="store_true",
        help="demand split into children, working age and elderly, each at its own walking speed",
    )
    p.add_argument("--json", type=Path, dest="json_out", help="also write the result here")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.jobs.siting import SitingRequest, run_siting
    from planner.progress import cli_control
    from planner.store import Project

    mode = None if args.mode == "none" else args.mode
    request = SitingRequest(
        model=args.model,
        p=args.p,
        threshold_s=args.threshold if mode is not None else None,
        threshold_m=args.threshold if mode is None else None,
        mode=mode,
        kinds=None if args.kinds is None else tuple(args.kinds),
        time_limit_s=args.seconds,
        travel=args.travel,
        target=args.target,
        target_per_group=args.target_per_group,
        frontier_steps=args.frontier,
        by_age=args.by_age,
    )
    if args.json_out:
        check_output_file(args.json_out, "--json")
    with Project.open(args.project) as project, cli_control("选址 siting", args.seconds) as control:
        result = run_siting(project, request, control=control)
    if args.json_out:
        write_output(args.json_out, json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    print(format_result(result, args.lang))
    return 0


def format_result(result: SitingJobResult, lang: str = "zh") -> str:
    """The chosen sites, then coverage per district before and after."""
    zh = lang == "zh"
    n, source = len(result.selected), result.cost_source
    lines = [
        f"模型 {result.model}，新增 {n} 处（{source}），{'最优' if result.optimal else '时间限制内最好'}"
        if zh
        else f"model {result.model}: {n} new sites ({source}), "
        f"{'optimal' if result.optimal else 'best within the time limit'}"
    ]
    for site in result.selected:
        lines.append(f"  {site['id']}  {site['name']}  {site['district']}")
    after = {row["district"]: row for row in result.after}
    for row in result.before:
        share_after = after.get(row["district"], row)["share"]
        lines.append(f"  {row['district']}: {row['share']:.1%} → {share_after:.1%}")
    before, total_after = result.total_before["share"], result.total_after["share"]
    lines.append(f"{'合计' if zh else 'total'}: {before:.1%} → {total_after:.1%}")
    return "\n".join(lines)
