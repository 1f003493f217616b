"""`planner bookmobile PROJECT`: plan (or re-plan) the bookmobile timetable (城市书巴时刻表) over
one or more weeks."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from planner import validation
from planner.commands.coverage import add_travel_option
from planner.errors import PlannerError
from planner.paths import atomic_output, check_output_file, write_output


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bookmobile", help="plan the bookmobile timetable over weeks (城市书巴时刻表)")
    p.add_argument("project", type=Path)
    p.add_argument("--from", dest="start", type=_date, help="first day YYYY-MM-DD (default: next Monday)")
    p.add_argument("--weeks", type=int, default=1, help="weeks to plan (default 1)")
    p.add_argument("--calendar", type=Path, action="append", default=[],
                   help="extra calendar rows (CSV start,end,kind,name) on top of the built-in China calendar")
    p.add_argument("--seconds", type=validation.seconds, default=30.0, help="time limit (s)")
    p.add_argument("--buffer", type=validation.non_negative, default=0.0, help="travel-time buffer per leg, %% (weather, traffic)")
    p.add_argument("--max-driving-min", type=validation.positive, default=240.0, help="continuous driving before a rest (min)")
    p.add_argument("--shift-hours", type=validation.positive, help="longest shift (h); default: each bus's shift window")
    p.add_argument("--replan", type=int, metavar="RUN_ID", help="re-plan this stored bookmobile run")
    p.add_argument("--lock-until", type=_date, metavar="DATE", help="keep every visit before this date")
    p.add_argument("--unavailable", action="append", default=[], metavar="BUS:DATE-DATE",
                   help="a bus out of service, e.g. bus2:2026-10-12-2026-10-16")
    p.add_argument("--add-stop", action="append", default=[], metavar="STOP_ID")
    p.add_argument("--drop-stop", action="append", default=[], metavar="STOP_ID")
    p.add_argument("--xlsx", type=Path, help="write the timetable workbook here")
    p.add_argument("--publish", type=Path, metavar="DIR", help="write per-stop notices, sheets and .ics files here")
    p.add_argument("--json", type=Path, dest="json_out", help="write the result as JSON here")
    add_travel_option(p)
    p.set_defaults(func=run)


def request_from_args(args: argparse.Namespace):  # noqa: ANN201
    """The BookmobileRequest the command line asks for; PlannerError naming a bad option."""
    from planner.jobs.bookmobile_contract import BookmobileRequest, Unavailable

    unavailable = []
    for text in args.unavailable:
        try:
            unavailable.append(Unavailable.parse(text))
        except ValueError as exc:
            raise PlannerError(f"--unavailable 无效：{exc}", f"--unavailable: {exc}", field="--unavailable") from None
    if args.buffer > 200:
        raise PlannerError("--buffer 应在 0 到 200 之间", "--buffer must be between 0 and 200", field="--buffer")
    return BookmobileRequest(
        start_date=args.start, weeks=args.weeks, time_limit_s=args.seconds, calendar_files=tuple(args.calendar),
        buffer_pct=args.buffer, max_driving_min=args.max_driving_min,
        max_shift_min=args.shift_hours * 60 if args.shift_hours else None, replan_run_id=args.replan,
        lock_until=args.lock_until, unavailable=tuple(unavailable), add_stops=tuple(args.add_stop),
        drop_stops=tuple(args.drop_stop), travel=args.travel,
    )


def run(args: argparse.Namespace) -> int:
    from planner.jobs.bookmobile import run_bookmobile_plan
    from planner.progress import cli_control
    from planner.store import Project
    from planner.timetable import write_timetable_xlsx

    for option, out in (("--xlsx", args.xlsx), ("--json", args.json_out)):
        if out:
            check_output_file(out, option)
    request = request_from_args(args)
    with Project.open(args.project) as project, cli_control("书巴时刻表 bookmobile timetable", args.seconds) as control:
        result = run_bookmobile_plan(project, request, control)
    for line in result.lines(args.lang):
        print(line)
    if args.xlsx:
        with atomic_output(args.xlsx) as tmp:
            write_timetable_xlsx(result, tmp, args.lang)
    if args.publish:
        from planner.publish import publish

        publish(result, args.publish, lang=args.lang)
    if args.json_out:
        write_output(args.json_out, json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    return 0
