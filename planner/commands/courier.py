"""`planner courier PROJECT`: the day's shared-borrowing courier runs (通借通还物流), or with
`--week` a week of them with service patterns, turnaround and cost per item."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from planner import validation
from planner.commands.coverage import add_travel_option
from planner.errors import PlannerError
from planner.paths import atomic_output, check_output_file, write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("courier", help="plan a day's (or --week a week's) courier runs between libraries (通借通还物流)")
    p.add_argument("project", type=Path)
    p.add_argument("--log", type=Path, help="returns log (CSV/XLSX); default: a modelled day (or week)")
    p.add_argument("--day", help="which date of the log (YYYY-MM-DD; default the last)")
    p.add_argument("--week", action="store_true", help="plan Monday–Friday (or the log's dates), carrying what is left")
    p.add_argument("--max-turnaround-days", type=validation.non_negative, default=3.0,
                   help="with --week: 95%% of items home within this many working days (default 3)")
    p.add_argument("--van-km-budget", type=validation.non_negative, help="with --week: best turnaround within this many van-km a week")
    p.add_argument("--cost-per-km", type=validation.non_negative, default=3.0, help="with --week: cost per van-km (default 3)")
    p.add_argument("--cost-per-hour", type=validation.non_negative, default=60.0, help="with --week: cost per van-hour (default 60)")
    p.add_argument("--cost-per-van-day", type=validation.non_negative, default=150.0, help="with --week: cost per van-day (default 150)")
    p.add_argument("--school-term", nargs=2, metavar=("FIRST", "LAST"),
                   help="with --week: school libraries are served only between these dates (YYYY-MM-DD)")
    p.add_argument("--crate-size", type=int, default=30, help="books per crate")
    p.add_argument("--seconds", type=validation.seconds, default=30.0, help="time limit (s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--xlsx", type=Path)
    p.add_argument("--json", type=Path, dest="json_out")
    add_travel_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.jobs.courier import CourierRequest, run_courier_day, write_courier_xlsx
    from planner.progress import cli_control
    from planner.store import Project

    for option, out in (("--xlsx", args.xlsx), ("--json", args.json_out)):
        if out:
            check_output_file(out, option)
    if args.week:
        return _run_week(args)
    with Project.open(args.project) as project, cli_control("通借通还 courier", args.seconds) as control:
        result = run_courier_day(project, CourierRequest(returns_log=args.log, day=args.day, crate_size=args.crate_size,
                                                         seed=args.seed, travel=args.travel), control=control)
        libraries = project.read_layer(project.layer_for_role("libraries") or "libraries")
    _print_day(result, libraries, args.lang == "zh")
    if args.xlsx:
        with atomic_output(args.xlsx) as tmp:
            write_courier_xlsx(result, tmp, args.lang)
    if args.json_out:
        write_output(args.json_out, json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    return 0


def _print_day(result, libraries, zh: bool) -> None:  # noqa: ANN001
    from models.records import Shipment
    from planner.returns_log import flow_matrix

    names = dict(zip(libraries["id"].astype(str), libraries["name"].astype(str), strict=True))
    flows = [Shipment(f"{f['from']}>{f['to']}", f["from"], f["to"], f["crates"]) for f in result.flows]
    print(("流向（箱，行：归还馆 → 列：所属馆）" if zh else "flows (crates, rows: returned at → columns: owner)")
          + f" {result.day}:")
    matrix = flow_matrix(flows)
    print(matrix.map(lambda v: "·" if v == 0 else str(v)).to_string())
    shown = sorted(set(matrix.index) | set(matrix.columns))
    print(("馆号：" if zh else "libraries: ") + " · ".join(f"{i} {names.get(i, i)}" for i in shown))
    for name, totals in result.comparison.items():
        if name == "chosen":
            continue
        label = {"direct": ("直送", "direct"), "hub": ("经中心馆中转", "via the central library")}[name][0 if zh else 1]
        if not totals.get("found", True):
            print(f"{label}: " + ("在时限内没有找到方案（不作比较）" if zh else "found no plan in the time given (not compared)"))
            continue
        mark = " *" if name == result.comparison["chosen"] else ""
        print(f"{label}: {totals['vehicles']} {'车' if zh else 'vans'}, {totals['distance_km']} km, "
              f"{totals['duration_h']} h, {totals['served']}/{totals['shipments']} {'批送达' if zh else 'served'}, "
              f"{totals['dropped']} {'批顺延' if zh else 'left'}{mark}")
    for d in result.dropped:
        print(f"  {'顺延' if zh else 'left for tomorrow'}: {d['name']} — {d['reason_zh'] if zh else d['reason_en']}")


def _run_week(args: argparse.Namespace) -> int:
    from planner.jobs.courier import write_courier_xlsx
    from planner.jobs.courier_week import CourierWeekRequest, run_courier_week
    from planner.progress import cli_control
    from planner.returns_log import parse_log_date
    from planner.store import Project

    if args.day:
        raise PlannerError("--day 与 --week 不能同时使用", "--day and --week cannot be used together", field="--day")
    term = args.school_term or (None, None)
    for value in term:
        if value is not None and parse_log_date(value)[0] is None:
            raise PlannerError(f"--school-term 的“{value}”不是日期（例如 2026-09-01）",
                               f"--school-term {value!r} is not a date (e.g. 2026-09-01)", field="--school-term")
    first, last = (None if v is None else parse_log_date(v)[0].isoformat() for v in term)
    request = CourierWeekRequest(
        term_first_day=first, term_last_day=last, returns_log=args.log, crate_size=args.crate_size, max_turnaround_days=args.max_turnaround_days,
        van_km_budget=args.van_km_budget, cost_per_km=args.cost_per_km, cost_per_hour=args.cost_per_hour,
        cost_per_van_day=args.cost_per_van_day, seed=args.seed, travel=args.travel)
    with Project.open(args.project) as project, cli_control("通借通还 courier week", args.seconds) as control:
        result = run_courier_week(project, request, control=control)
    zh = args.lang == "zh"
    m, t = result.measures, result.turnaround_days
    print(("服务频次方案：" if zh else "service design: ") + (result.design["label_zh"] if zh else result.design["label_en"])
          + ("" if result.design["meets_target"] else ("（未达到周转目标，取周转最好的方案）" if zh
                                                       else " (no design meets the turnaround target: best turnaround shown)")))
    print(("周转（工作日）" if zh else "turnaround (working days)") + f": mean {t['mean']}, p95 {t['p95']}, max {t['max']}")
    print(f"{'册数' if zh else 'items'} {m['items']} ({'到馆' if zh else 'home'} {m['items_home']}), "
          f"{'箱数' if zh else 'crates'} {m['crates_moved']}, {m['van_km']} km, {m['van_hours']} h, "
          f"{m['van_days']} {'车日' if zh else 'van-days'}, {'每册成本' if zh else 'cost per item'} {result.cost_per_item}")
    print(("取舍前沿（车公里 / 按时到馆比例）：" if zh else "frontier (van-km / share home in time): ")
          + " · ".join(f"{p['van_km']:.0f} km {p['share_within']:.0%}" for p in result.design["frontier"]))
    if result.carry_days:
        print(("本周之后仅运送积压的工作日：" if zh else "days after the week that only carry its backlog: ")
              + ", ".join(result.carry_days))
    for r in result.not_home:
        print(f"  {r['from_name']} → {r['to_name']}: {r['items']} — {r['reason_zh'] if zh else r['reason_en']}")
    if args.xlsx:
        with atomic_output(args.xlsx) as tmp:
            write_courier_xlsx(result, tmp, args.lang)
    if args.json_out:
        write_output(args.json_out, json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    return 0
