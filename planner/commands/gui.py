"""`planner gui [PROJECT] [--screenshot FILE.png]`: the desktop application."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the desktop application (图形界面)")
    p.add_argument(
        "project", nargs="?", type=Path, help="project file (*.planner); default: the Wenzhou demo"
    )
    p.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE.png",
        help="render the window with the project loaded to a PNG and exit (in the --lang language)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ui.app import run_gui

    # Interactively the window keeps the language last chosen in its menu; a screenshot
    # follows --lang so that it is reproducible.
    return run_gui(args.project, args.screenshot, args.lang if args.screenshot else None)
