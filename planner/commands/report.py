"""`planner report PROJECT --out DIR`: the officials' report as HTML and PDF."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write the report for officials (HTML + PDF) (报告)")
    p.add_argument("project", type=Path)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--no-pdf", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.paths import check_output_folder
    from planner.report import write_report
    from planner.store import Project

    check_output_folder(args.out, "--out")
    with Project.open(args.project) as project:
        files = write_report(project, args.out, lang=args.lang, pdf=not args.no_pdf)
    for path in files.values():
        print(path)
    if "pdf" not in files and not args.no_pdf:
        print("没有找到 Chromium，未生成 PDF / Chromium not found: no PDF written", file=sys.stderr)
    return 0
