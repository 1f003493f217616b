"""The `planner` command. Each sub-command lives in its own module under planner/commands/
and registers itself through `register(subparsers)`; this module only dispatches and turns
user errors into a plain message and exit status 2."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

import planner.commands
from models.control import Cancelled
from planner import __version__
from planner.errors import PlannerError
from planner.progress import set_progress_language


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner",
        description="图书馆服务网络规划 · Library network planner (coverage, siting, bookmobiles, couriers)",
    )
    parser.add_argument("--version", action="version", version=f"planner {__version__}")
    parser.add_argument(
        "--lang",
        choices=["zh", "en"],
        default=os.environ.get("PLANNER_LANG", "zh"),
        help="language of messages (default zh; or set PLANNER_LANG)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(planner.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"planner.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    set_progress_language(args.lang)  # progress notes on stderr follow --lang
    try:
        return int(args.func(args) or 0)
    except PlannerError as exc:
        label = "错误" if args.lang == "zh" else "error"
        print(f"{label}: {exc.text(args.lang)}", file=sys.stderr)
        return 2
    except (Cancelled, KeyboardInterrupt):
        print("已取消" if args.lang == "zh" else "cancelled", file=sys.stderr)
        return 130
