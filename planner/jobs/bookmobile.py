"""Bookmobile timetables as a project job: stops, buses and depots from the project, the service
calendar, the plan from routing.bookmobile over `weeks` weeks, stored in the shared route-run
format. A re-plan starts from a stored run: visits before the lock date stay as published,
later ones are kept where possible, and the change list says what moved."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from models.control import Control
from models.costs import MODES, CostModel
from models.records import WEEKDAYS, BookmobileStop, TimeWindow, Vehicle
from planner.calendar import Calendar, load_calendar
from planner.errors import PlannerError
from planner.geo import metric_crs_for, points_xy
from planner.jobs.bookmobile_changes import change_list
from planner.jobs.bookmobile_contract import (
    BookmobileRequest,
    BookmobileResult,
    BusRow,
    DroppedRow,
    VisitRow,
    hhmm,
    minutes,
)
from planner.network import attach_paths, travel_cost
from planner.rota_fields import rota_fields
from planner.run_results import route_result, typed_result
from planner.store import Project
from planner.validation import text_list
from routing.bookmobile import BusDay, Published, RotationResult, plan_rotation
from routing.drivers import DriverRules
from routing.rotation import RotaStop, due_visits


def _days(text: Any) -> tuple[str, ...]:
    days = [d.strip() for d in str(text or "").replace("，", ",").split(",") if d.strip()]
    return tuple(d for d in WEEKDAYS if d in days) or WEEKDAYS[:5]


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def read_inputs(project: Project):  # noqa: ANN201
    """Stops (with their rotation fields), buses and the layers they come from; PlannerError
    naming the row and field that is wrong."""
    name = project.layer_for_role("stops")
    if name is None:
        raise PlannerError("项目中没有书巴停靠点图层（stops）", "the project has no bookmobile stops layer")
    if not project.has_table("bookmobiles"):
        raise PlannerError("项目中没有书巴车辆表（bookmobiles）", "the project has no bookmobiles table")
    stops_gdf = project.read_layer(name)
    libraries = project.read_layer(project.layer_for_role("libraries") or "libraries")
    buses_df = project.read_table("bookmobiles")
    stops, fields, schools = [], {}, set()
    for i, r in enumerate(stops_gdf.itertuples(index=False), start=1):
        try:
            window = TimeWindow.parse(r.tw_start, r.tw_end)
        except (ValueError, AttributeError, TypeError) as exc:
            raise PlannerError(f"停靠点 {r.id} 的时间窗无效：{exc}", f"stop {r.id} has an invalid time window: {exc}",
                               row=i, field="tw_start") from exc
        per_week = max(_int(getattr(r, "visits_per_week", 1), 1), 1)
        try:
            fields[str(r.id)] = rota_fields(r, per_week)
        except ValueError as exc:
            field = str(exc).partition(":")[0]
            raise PlannerError(f"停靠点 {r.id}：{exc}", f"stop {r.id}: {exc}", row=i, field=field) from exc
        if str(getattr(r, "kind", "") or "") == "school":
            schools.add(str(r.id))
        stops.append(BookmobileStop(
            str(r.id), str(r.name), 0.0, 0.0, window, _int(getattr(r, "service_min", 60), 60), per_week,
            _days(getattr(r, "allowed_days", "")), _int(getattr(r, "load_crates", 0)), _int(getattr(r, "priority", 1), 1),
            text_list(getattr(r, "allowed_vehicles", None)),  # blank (NaN) = any vehicle
            str(getattr(r, "district", "") or ""),
        ))
    buses = []
    known = set(libraries["id"].astype(str))
    for i, b in enumerate(buses_df.itertuples(index=False), start=1):
        if str(b.depot_id) not in known:
            raise PlannerError(f"书巴 {b.id} 的车场 {b.depot_id} 不是项目中的图书馆",
                               f"bookmobile {b.id}'s depot {b.depot_id} is not a library in the project",
                               row=i, field="depot_id")
        brk = TimeWindow.parse(b.break_start, b.break_end) if getattr(b, "break_start", None) else None
        buses.append(Vehicle(str(b.id), str(b.name), str(b.depot_id), TimeWindow.parse(b.shift_start, b.shift_end),
                             _int(b.capacity_crates, 10**6), _days(b.days), brk, _int(getattr(b, "break_min", 0))))
    return stops, fields, schools, buses, stops_gdf, libraries


def next_monday(today: date | None = None) -> date:
    today = today or date.today()
    return today + timedelta(days=7 - today.weekday())


def run_bookmobile_plan(project: Project, request: BookmobileRequest, control: Control | None = None) -> BookmobileResult:
    """Plan (or re-plan) the timetable, store it as a run of kind "bookmobile" and return it."""
    control = control or Control()
    started = time.monotonic()
    previous = _previous(project, request)
    start = date.fromisoformat(previous.start_date) if previous else (request.start_date or next_monday())
    weeks = previous.weeks if previous else request.weeks
    if not 1 <= weeks <= 26:
        raise PlannerError("周数应在 1 到 26 之间", "weeks must be between 1 and 26", field="--weeks")
    days = weeks * 7
    end = start + timedelta(days=days - 1)
    lock = request.lock_until or start
    if previous and not start <= lock <= end + timedelta(days=1):
        raise PlannerError(f"锁定日期 {lock} 不在计划期 {start}–{end} 内", f"--lock-until {lock} is outside the plan {start}–{end}",
                           field="--lock-until")
    calendar = load_calendar(request.calendar_files)
    warnings = tuple(f"日历中没有 {y} 年的法定节假日（发布后请补入 planner/assets/calendar_cn.csv）"
                     f" / the calendar has no {y} public holidays yet (add them to the calendar file when published)"
                     for y in sorted({start.year, end.year}) if not calendar.covers_year(y))

    stops, fields, schools, buses, stops_gdf, libraries = read_inputs(project)
    by_id = {s.id: s for s in stops}
    bus_ids = {b.id for b in buses}
    for flag, ids, known in (("--add-stop", request.add_stops, by_id), ("--drop-stop", request.drop_stops, by_id),
                             ("--unavailable", [u.bus for u in request.unavailable], bus_ids)):
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise PlannerError(f"{flag}：项目中没有 {', '.join(unknown)}", f"{flag}: {', '.join(unknown)} not in the project",
                               field=flag)
    planned = [*(previous.stops if previous else by_id), *request.add_stops]
    planned = [s for s in dict.fromkeys(planned) if s in by_id and s not in request.drop_stops]

    all_dates = [start + timedelta(days=k) for k in range(days)]
    bus_days = [BusDay(b, d) for b in buses for d in all_dates
                if d >= lock and calendar.weekday_keys(d) & set(b.days) and calendar.closed_reason(d) is None
                and not any(u.covers(b.id, d) for u in request.unavailable)]
    works = {(bd.bus.id, bd.day) for bd in bus_days}
    locked = [v for v in previous.visits if date.fromisoformat(v.date) < lock] if previous else []
    rotas = [_rota(by_id[sid], fields[sid], sid in schools, calendar, all_dates, lock, buses, works, locked)
             for sid in planned]
    # A re-plan keeps its published visits; a fresh plan of the same range starts from the
    # latest one (so an edit that only removes work never loses a stop that plan served).
    base = previous or _latest_same_range(project, start, weeks)
    keep: dict[str, dict[date, Published]] = {}
    for v in base.visits if base else ():
        d = date.fromisoformat(v.date)
        if d >= lock and v.stop in planned:
            service_s = by_id[v.stop].service_min * 60.0
            keep.setdefault(v.stop, {})[d] = Published(v.bus, minutes(v.arrive) * 60.0, minutes(v.depart) * 60.0 - service_s)

    cost = request.cost or travel_cost(project, "bookmobile", request.travel)
    crs = getattr(cost, "crs", None) or metric_crs_for(stops_gdf)
    index = {str(i): k for k, i in enumerate(stops_gdf["id"].astype(str))}
    stop_xy = points_xy(stops_gdf, crs)[[index[sid] for sid in planned]]
    lib_xy = points_xy(libraries, crs)
    lib_index = {str(i): k for k, i in enumerate(libraries["id"].astype(str))}
    depot_xy = {b.depot_id: tuple(lib_xy[lib_index[b.depot_id]]) for b in buses}
    rules = DriverRules(request.max_driving_min, request.min_rest_min, request.max_shift_min, request.buffer_pct)
    plan = plan_rotation(rotas, bus_days, start=start, days=days, stop_xy=stop_xy, depot_xy=depot_xy, cost=cost,
                         distance=getattr(cost, "distance_model", None), speed_kph=MODES["bookmobile"].speed_kph,
                         rules=rules, control=control.sub(0.0, 0.95, time_limit_s=request.time_limit_s),
                         solution_limit=request.solution_limit, keep=keep, hold=previous is not None)

    names = {str(r.id): (str(r.name), r.geometry.x, r.geometry.y) for r in stops_gdf.itertuples(index=False)}
    result = _result(plan, previous, lock, start, weeks, planned, rotas, names, buses, libraries, cost, warnings)
    closed = tuple((d.isoformat(), calendar.closed_reason(d) or "") for d in all_dates if calendar.closed_reason(d))
    result = replace(result, closed_days=closed)
    if previous is not None:
        result = replace(result, changes=tuple(change_list(previous, result, lock, names)),
                         replan_of=request.replan_run_id, lock_until=lock.isoformat())
    run_id = project.add_run("bookmobile", result.to_json(), params=request.params(),
                             seconds=time.monotonic() - started, cost_source=cost.source)
    control.report(1.0, "")
    return result.with_run_id(run_id)


def _latest_same_range(project: Project, start: date, weeks: int) -> BookmobileResult | None:
    """The latest stored plan over the same dates, if any."""
    latest = route_result(project.latest_run("bookmobile"))
    if not isinstance(latest, BookmobileResult) or (latest.start_date, latest.weeks) != (start.isoformat(), weeks):
        return None
    return latest


def _previous(project: Project, request: BookmobileRequest) -> BookmobileResult | None:
    if request.replan_run_id is None:
        if request.lock_until is not None:
            raise PlannerError("--lock-until 需要与 --replan 一起使用", "--lock-until needs --replan", field="--lock-until")
        return None
    previous = typed_result(project.run(request.replan_run_id))
    if not isinstance(previous, BookmobileResult) or not previous.start_date:  # a run before dated visits
        raise PlannerError(f"运行 {request.replan_run_id} 不是书巴计划", f"run {request.replan_run_id} is not a bookmobile plan",
                           field="--replan")
    if request.lock_until is None:
        raise PlannerError("重新规划需要 --lock-until 日期", "a re-plan needs --lock-until DATE", field="--lock-until")
    return previous


def _rota(stop: BookmobileStop, f: Any, school: bool, calendar: Calendar, all_dates: list[date], lock: date,
          buses: list[Vehicle], works: set[tuple[str, date]], locked: list[VisitRow]) -> RotaStop:
    """The stop over the range: dates closed for it, visits due, dates it may take after the lock."""
    closed = frozenset(d for d in all_dates if calendar.closed_reason(d, school=school) is not None)
    fleet = [b.id for b in buses if not stop.allowed_vehicles or b.id in stop.allowed_vehicles]
    dates = tuple(d for d in all_dates if d >= lock and d not in closed
                  and calendar.weekday_keys(d) & set(stop.allowed_days) and any((b, d) in works for b in fleet))
    fixed = tuple(sorted(date.fromisoformat(v.date) for v in locked if v.stop == stop.id))
    return RotaStop(stop, f.period_days, f.min_gap_days, f.max_gap_days, dates, closed,
                    due_visits(len(all_dates) - len(closed), f.period_days), f.preferred_weekdays, fixed)


def _result(plan: RotationResult, previous: BookmobileResult | None, lock: date, start: date, weeks: int,
            planned: list[str], rotas: list[RotaStop], names: dict[str, tuple[str, float, float]],
            buses: list[Vehicle], libraries: Any, cost: CostModel, warnings: tuple[str, ...]) -> BookmobileResult:
    """The typed result: the locked part of a previous plan, then the new plan."""
    bus_of = {b.id: b for b in buses}
    libs = {str(r.id): (r.name, r.geometry.x, r.geometry.y) for r in libraries.itertuples(index=False)}

    def before(d: str) -> bool:
        return date.fromisoformat(d) < lock

    visits = [v for v in previous.visits if before(v.date)] if previous else []
    bus_rows = [b for b in previous.buses if before(b.date)] if previous else []
    routes = [r for r in previous.routes if before(r["date"])] if previous else []
    visits += [VisitRow(v.stop_id, v.bus_id, v.day.isoformat(), hhmm(v.arrive_s), hhmm(v.depart_s)) for v in plan.visits]
    by_run = {(v.bus_id, v.day): [] for v in plan.visits}
    for v in plan.visits:
        by_run[(v.bus_id, v.day)].append(v)
    for run in plan.runs:
        bus_rows.append(BusRow(run.bus_id, run.day.isoformat(), hhmm(run.start_s), hhmm(run.end_s), round(run.km, 2),
                               run.driving_blocks_min))
        bus = bus_of[run.bus_id]
        dname, dlon, dlat = libs[bus.depot_id]
        stops = []
        for order, v in enumerate(sorted(by_run[(run.bus_id, run.day)], key=lambda x: x.start_s), start=1):
            name, lon, lat = names[v.stop_id]
            stops.append({"id": v.stop_id, "name": name, "lon": lon, "lat": lat, "arrival_min": v.arrive_s / 60,
                          "start_min": v.start_s / 60, "departure_min": v.depart_s / 60, "load_after": 0,
                          "action": "serve", "detail": f"第 {order} 站 / stop {order}"})
        routes.append({
            "vehicle_id": run.bus_id, "vehicle_name": bus.name, "day": WEEKDAYS[run.day.weekday()],
            "date": run.day.isoformat(), "depot": {"id": bus.depot_id, "name": dname, "lon": dlon, "lat": dlat},
            "depart_min": run.start_s / 60, "return_min": run.end_s / 60, "distance_km": run.km,
            "duration_h": (run.end_s - run.start_s) / 3600,
            "break": {"start_min": run.breaks[0][0] / 60, "duration_min": run.breaks[0][1] / 60} if run.breaks else None,
            "driving_blocks_min": list(run.driving_blocks_min), "stops": stops,
        })
    visits.sort(key=lambda v: (v.date, v.bus, v.arrive))
    bus_rows.sort(key=lambda b: (b.date, b.bus))
    routes.sort(key=lambda r: (r["date"], r["vehicle_id"]))
    attach_paths([r for r in routes if "path" not in r], cost)
    dropped = tuple(DroppedRow(d.stop_id, names[d.stop_id][0], tuple(x.isoformat() for x in d.dates), d.missing,
                               d.reason_zh, d.reason_en) for d in sorted(plan.dropped, key=lambda d: d.stop_id))
    asked = sum(r.due for r in rotas)
    missing = sum(d.missing for d in dropped)
    totals = {
        "vehicles": len({r["vehicle_id"] for r in routes}), "vehicle_days": len(routes),
        "distance_km": round(sum(r["distance_km"] for r in routes), 2),
        "duration_h": round(sum(r["duration_h"] for r in routes), 2),
        "served": len(visits), "asked": asked, "dropped": missing, "weeks": weeks,
    }
    check = {"feasible": plan.report.feasible, "violations": list(plan.report.violations)}
    return BookmobileResult(start.isoformat(), weeks, tuple(planned), tuple(visits), dropped, tuple(bus_rows),
                            tuple(routes), totals, cost.source, check, warnings=warnings)


__all__ = ["next_monday", "read_inputs", "run_bookmobile_plan"]
