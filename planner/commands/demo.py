"""`planner demo [--out DIR]`: the whole planner, end to end, on the embedded Wenzhou data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="build and solve the Wenzhou demo project (演示)")
    p.add_argument("--out", type=Path, default=Path("demo-out"), help="output folder (default ./demo-out)")
    p.add_argument("--seconds", type=float, default=15.0, help="time limit per routing solve (s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--travel", choices=["network", "straight"], default="network",
                   help="jobs along the imported demo roads (default) or straight lines")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.demo import DemoOptions, build_demo, format_table
    from planner.progress import cli_control

    options = DemoOptions(args.out, seconds=args.seconds, seed=args.seed, travel=args.travel, lang=args.lang)
    with cli_control("demo") as control:
        summary = build_demo(options, control)
    print(format_table(summary, args.lang))
    zh = args.lang == "zh"
    print(("输出文件：" if zh else "files: ") + str(args.out.resolve()), file=sys.stderr)
    return 0
