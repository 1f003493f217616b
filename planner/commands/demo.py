"""`planner demo [--out DIR]`: the whole planner, end to end, on the embedded Wenzhou data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planner import validation


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="build and solve the Wenzhou demo project (演示)")
    p.add_argument("--out", type=Path, default=Path("demo-out"), help="output folder (default ./demo-out)")
    p.add_argument("--seconds", type=validation.seconds, default=15.0, help="time limit per routing solve (s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--travel", choices=["network", "straight"], default="network",
                   help="jobs along the imported demo roads (default) or straight lines")
    p.add_argument("--overwrite", action="store_true", help="replace a demo project already in the --out folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.demo import DemoOptions, build_demo, format_table
    from planner.errors import PlannerError
    from planner.paths import check_output_folder
    from planner.progress import cli_control

    check_output_folder(args.out, "--out")
    existing = args.out / "demo.planner"
    if existing.exists() and not args.overwrite:
        raise PlannerError(
            "这个文件夹里已有项目，未覆盖；要替换它和旁边的输出文件，请加 --overwrite，或用 --out 选另一个文件夹",
            "a project is already in this folder and was not replaced; add --overwrite to replace it "
            "(and the outputs beside it), or choose another folder with --out",
            file=str(existing),
        )

    options = DemoOptions(args.out, seconds=args.seconds, seed=args.seed, travel=args.travel, lang=args.lang)
    with cli_control("demo") as control:
        summary = build_demo(options, control)
    print(format_table(summary, args.lang))
    zh = args.lang == "zh"
    print(("输出文件：" if zh else "files: ") + str(args.out.resolve()), file=sys.stderr)
    return 0
