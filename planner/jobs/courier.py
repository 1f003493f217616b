"""The courier day as a project job: shipments from a returns log (or the modelled one), vans
and opening hours from the project, direct and via-central plans compared, the better stored in
the shared route-run format with both plans' routes kept. A visit is one stop: a route lists
each library once per arrival, with everything loaded and unloaded there."""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from models.control import Control
from models.costs import MODES, CostModel
from models.records import WEEKDAYS, TimeWindow, Vehicle
from planner.errors import PlannerError
from planner.geo import metric_crs_for, points_xy
from planner.jobs.json_rows import record
from planner.network import attach_paths, travel_cost
from planner.returns_log import (
    flow_matrix,
    modelled_returns_log,
    read_returns_log,
    shipments_from_log,
)
from planner.store import Project
from planner.timetable import hhmm, summary_sheet
from planner.xlsx import append_row, unique_sheet_title
from routing.check import check_plan
from routing.courier import CourierPlan, Library, plan_day

if TYPE_CHECKING:  # the week's module imports this one
    from planner.jobs.courier_week import CourierWeekResult


def _hours(opens: Any, closes: Any) -> tuple[TimeWindow | None, bool]:
    """(opening hours or None for 24 h, closed all day)."""
    if opens is None or closes is None or str(opens).strip() in ("", "nan", "None"):
        return None, False
    a, b = str(opens).strip(), str(closes).strip()
    if a in ("00:00", "0:00") and b in ("24:00", "00:00"):
        return None, False
    if a == b:
        return None, True
    return TimeWindow.parse(a, b), False


def _vans(project: Project, known: set[str]) -> list[Vehicle]:
    if not project.has_table("vans"):
        raise PlannerError("项目中没有物流车辆表（vans）", "the project has no vans table")
    vans = []
    for i, v in enumerate(project.read_table("vans").itertuples(index=False), start=1):
        if str(v.depot_id) not in known:
            raise PlannerError(f"物流车 {v.id} 的车场 {v.depot_id} 不是项目中的图书馆",
                               f"van {v.id}'s depot {v.depot_id} is not a library in the project", row=i, field="depot_id")
        days = tuple(d for d in WEEKDAYS if d in str(getattr(v, "days", "") or ",".join(WEEKDAYS[:6])))
        vans.append(Vehicle(str(v.id), str(v.name), str(v.depot_id), TimeWindow.parse(v.shift_start, v.shift_end),
                            int(float(v.capacity_crates)), days))
    return vans


@dataclass(frozen=True)
class CourierRequest:
    """One courier day: which returns log (None: a modelled day), which date of it (None: the
    last), books per crate. The time limit travels in the job's Control."""

    returns_log: Path | None = None
    day: str | None = None
    crate_size: int = 30
    seed: int = 0
    solution_limit: int | None = None
    travel: str | None = None  # "network", "straight" or None: the project's roads when it has them


@dataclass(frozen=True)
class CourierResult:
    """A stored courier run: routes of the chosen plan (one stop per visit), both plans' routes
    and totals, what is left for tomorrow and why. `to_json()` keeps every key of the stored run."""

    day: str | None
    routes: list[dict[str, Any]]
    totals: dict[str, Any]
    comparison: dict[str, Any]
    plans: dict[str, list[dict[str, Any]]]
    dropped: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)
    check: dict[str, Any] = field(default_factory=lambda: {"feasible": True, "violations": []})
    cost_source: str = ""
    returns_log: str = ""
    crate_size: int = 30
    run_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"kind": "courier", **asdict(self)}
        if self.run_id is None:
            out.pop("run_id")
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CourierResult:
        """The day as stored by this or an earlier version (missing keys: their defaults;
        unknown keys ignored)."""
        return record(cls, data, day=None, routes=[], totals={}, comparison={}, plans={})

    def contract_days(self) -> list[dict[str, Any]]:
        """The day in the week contract's shape (one entry under "days")."""
        return [day_contract(self.day or "", self.routes)]


def load_libraries(
    project: Project, cost: CostModel | None, travel: str | None = None
) -> tuple[pd.DataFrame, list[Library], CostModel]:
    """The project's libraries as the courier sees them (metric coordinates, opening hours);
    without a `cost`, `travel` picks the project's roads or straight lines (planner.network)."""
    cost = cost or travel_cost(project, "van", travel)
    libraries = project.read_layer(project.layer_for_role("libraries") or "libraries")
    crs = getattr(cost, "crs", None) or metric_crs_for(libraries)
    xy = points_xy(libraries, crs)
    libs = []
    for k, r in enumerate(libraries.itertuples(index=False)):
        hours, closed = _hours(getattr(r, "opens", None), getattr(r, "closes", None))
        libs.append(Library(str(r.id), str(r.name), (float(xy[k, 0]), float(xy[k, 1])), hours, closed))
    return libraries, libs, cost


def read_log(project: Project, libraries: pd.DataFrame, returns_log: Path | None, seed: int,
             dates: tuple[str, ...] = ("2026-11-24",)) -> tuple[pd.DataFrame, str]:
    """The returns log (or a modelled one, through the same reader and checks) and its source."""
    known = set(libraries["id"].astype(str))
    if returns_log is not None:
        return read_returns_log(returns_log, known), Path(returns_log).name
    frames = [modelled_returns_log(libraries, date=d, seed=seed + k) for k, d in enumerate(dates)]
    log = pd.concat(frames, ignore_index=True)
    log["item_id"] = [f"M{k + 1:06d}" for k in range(len(log))]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "modelled_returns.csv"
        log.to_csv(path, index=False)
        return read_returns_log(path, known), "modelled"


def routes_json(plan: CourierPlan, lib_rows: dict[str, tuple[str, float, float]], vans: list[Vehicle],
                day: str = "") -> list[dict[str, Any]]:
    """The plan's routes in the shared route-run format, one stop per visit: consecutive loads
    and unloads at one library (one arrival) are one stop listing them all."""
    names = {v.id: v.name for v in vans}
    depot = {v.id: v.depot_id for v in vans}
    instance = plan.instance
    owner_of = {s.id: s for s in plan.shipments}
    out = []
    for route in plan.plan.used_routes:
        dname, dlon, dlat = lib_rows[depot[route.vehicle_id]]
        stops: list[dict[str, Any]] = []
        previous = None
        for s in route.stops:
            visit = instance.visit(s.visit_id)
            lib_id = instance.location_ids[visit.location]
            crates = abs(visit.demand)
            other_loc = _other_end(instance, s.visit_id)
            other = instance.location_ids[other_loc]
            shipment = owner_of.get(plan.shipment_of_visit[s.visit_id])
            final = shipment.to_id if shipment else other
            if previous is None or previous["id"] != lib_id:
                name, lon, lat = lib_rows[lib_id]
                previous = {"id": lib_id, "name": name, "lon": lon, "lat": lat, "arrival_min": s.arrival / 60,
                            "start_min": s.start / 60, "departure_min": s.departure / 60, "load_after": s.load_after,
                            "load": [], "unload": []}
                stops.append(previous)
            previous["departure_min"] = s.departure / 60
            previous["load_after"] = s.load_after
            if visit.demand > 0:
                _add(previous["load"], "to", other, lib_rows[other][0], crates, final)
            else:
                _add(previous["unload"], "from", other, lib_rows[other][0], crates, final)
        for stop in stops:
            stop["action"] = "both" if stop["load"] and stop["unload"] else ("pickup" if stop["load"] else "deliver")
            stop["detail"] = visit_detail(stop)
        out.append({"vehicle_id": route.vehicle_id, "vehicle_name": names[route.vehicle_id], "day": day,
                    "depot": {"id": depot[route.vehicle_id], "name": dname, "lon": dlon, "lat": dlat},
                    "depart_min": route.depart / 60, "return_min": route.arrive / 60,
                    "distance_km": route.distance / 1000, "duration_h": (route.arrive - route.depart) / 3600,
                    "break": None, "stops": stops})
    return out


def _other_end(instance: Any, visit_id: str) -> int:
    """The location at the other end of a visit's pickup–delivery pair."""
    partner = visit_id[:-1] + ("D" if visit_id.endswith("P") else "P")
    return instance.visit(partner).location


def _add(rows: list[dict[str, Any]], key: str, lib_id: str, name: str, crates: int, final: str) -> None:
    """Add crates to a visit's load/unload list, one row per other library."""
    for row in rows:
        if row[key] == lib_id:
            row["crates"] += crates
            return
    rows.append({key: lib_id, f"{key}_name": name, "crates": crates, "via_hub": final != lib_id and key == "to"})


def visit_detail(stop: dict[str, Any]) -> str:
    """One line per visit: what is loaded for where and unloaded from where (zh / en)."""
    zh = [f"装 {r['crates']} 箱 → {r['to_name']}" for r in stop["load"]]
    zh += [f"卸 {r['crates']} 箱（来自 {r['from_name']}）" for r in stop["unload"]]
    en = [f"load {r['crates']} crate{'s' if r['crates'] != 1 else ''} for {r['to_name']}" for r in stop["load"]]
    en += [f"unload {r['crates']} crate{'s' if r['crates'] != 1 else ''} from {r['from_name']}" for r in stop["unload"]]
    return "；".join(zh) + " / " + "; ".join(en)


def day_contract(day: str, routes: list[dict[str, Any]]) -> dict[str, Any]:
    """A day as `{"date", "vans": [{"van", "stops": [{"library", "arrive", "depart", "load", "unload"}]}]}`."""
    return {"date": day, "vans": [
        {"van": r["vehicle_id"], "stops": [
            {"library": s["id"], "arrive": hhmm(s["arrival_min"]), "depart": hhmm(s["departure_min"]),
             "load": [{"to": x["to"], "crates": x["crates"]} for x in s.get("load", [])],
             "unload": [{"from": x["from"], "crates": x["crates"]} for x in s.get("unload", [])]}
            for s in r["stops"]]}
        for r in routes]}


def totals(plan: CourierPlan) -> dict[str, Any]:
    """Vans, km, hours, shipments served and left; `found` False when nothing was found."""
    return {"vehicles": plan.vehicles, "distance_km": round(plan.distance_m / 1000, 2),
            "duration_h": round(float(plan.duration_s) / 3600, 2), "shipments": len(plan.shipments),
            "served": len(plan.shipments) - len(plan.left), "dropped": len(plan.left), "found": plan.found}


def check_of(plans: list[CourierPlan]) -> dict[str, Any]:
    """Every routed plan re-verified by the independent checker."""
    violations = [v for p in plans for v in check_plan(p.instance, p.plan).violations]
    return {"feasible": not violations, "violations": violations[:20]}


def _pick_day(log: pd.DataFrame, day: str | None) -> str | None:
    """The date to plan: the one asked for (it must be a date in the log), else the log's last."""
    days = sorted({str(d) for d in log["date"]})
    if day is None:
        return days[-1] if days else None
    if day not in days:
        shown = "、".join(days[:7]) + ("…" if len(days) > 7 else "")
        raise PlannerError(f"--day（日期）“{day}”不是借还记录中的日期；可选：{shown or '（记录为空）'}",
                           f"--day {day!r} is not a date in the returns log; it has: {shown or '(no dates)'}",
                           field="--day")
    return day


def run_courier_day(project: Project, request: CourierRequest | None = None, *,
                    control: Control | None = None, cost: CostModel | None = None) -> CourierResult:
    """Plan one day's courier runs directly and via the central library; store both plans'
    routes, the better one (more served, then fewer km) as the run's routes."""
    request = request or CourierRequest()
    control = control or Control()
    time_limit_s = control.time_limit_s if control.time_limit_s is not None else 30.0
    started = time.monotonic()
    libraries, libs, cost = load_libraries(project, cost, request.travel)
    vans = _vans(project, set(libraries["id"].astype(str)))
    log, source = read_log(project, libraries, request.returns_log, request.seed)
    day = _pick_day(log, request.day)
    shipments = shipments_from_log(log, request.crate_size, day)
    weekday = WEEKDAYS[date.fromisoformat(day).weekday()] if day else "Mon"
    vans_today = [v for v in vans if weekday in v.days]
    speed = MODES["van"].speed_kph
    central = libraries.loc[libraries["kind"] == "central", "id"].astype(str)
    hub = central.iloc[0] if len(central) else None
    plans = {"direct": plan_day(shipments, libs, vans_today, cost=cost, speed_kph=speed,
                                control=control.sub(0, 0.5, time_limit_s / 2), solution_limit=request.solution_limit)}
    if hub is not None:
        plans["hub"] = plan_day(shipments, libs, vans_today, cost=cost, speed_kph=speed, hub_id=hub,
                                control=control.sub(0.5, 1.0, time_limit_s / 2), solution_limit=request.solution_limit)
    found = [k for k, p in plans.items() if p.found] or list(plans)
    chosen = min(found, key=lambda k: (len(plans[k].left), plans[k].distance_m))
    plan = plans[chosen]
    lib_rows = {str(r.id): (str(r.name), r.geometry.x, r.geometry.y) for r in libraries.itertuples(index=False)}
    by_id = {s.id: s for s in plan.shipments}
    left = [{"id": sid, "name": f"{lib_rows[by_id[sid].from_id][0]} → {lib_rows[by_id[sid].to_id][0]}",
             "crates": by_id[sid].crates, "reason_zh": zh, "reason_en": en} for sid, (zh, en) in plan.left.items()]
    flows = [{"from": s.from_id, "to": s.to_id, "from_name": lib_rows[s.from_id][0], "to_name": lib_rows[s.to_id][0],
              "crates": s.crates, "items": s.items} for s in shipments]
    all_routes = {k: attach_paths(routes_json(p, lib_rows, vans, day or ""), cost) for k, p in plans.items()}
    result = CourierResult(
        day=day, routes=all_routes[chosen], totals=totals(plan),
        comparison={**{k: totals(p) for k, p in plans.items()}, "chosen": chosen}, plans=all_routes,
        dropped=left, flows=flows, notes=[{"zh": zh, "en": en} for zh, en in plan.notes],
        check=check_of(list(plans.values())), cost_source=cost.source, returns_log=source,
        crate_size=request.crate_size)
    run_id = project.add_run("courier", result.to_json(), params={"day": day, "crate_size": request.crate_size},
                             seconds=time.monotonic() - started, cost_source=cost.source)
    control.report(1.0, "")
    return CourierResult(**{**asdict(result), "run_id": run_id})



_VISIT_HEAD = {"zh": ["日期", "顺序", "图书馆", "到达", "离开", "装货", "卸货", "车上箱数"],
               "en": ["Date", "Order", "Library", "Arrive", "Leave", "Load", "Unload", "Crates on board"]}


def write_courier_xlsx(result: CourierResult | CourierWeekResult, path: Path, lang: str = "zh") -> Path:
    """Courier runs (a CourierResult day or a CourierWeekResult week) as a workbook: a summary,
    then one sheet per van-day listing each visit once with everything loaded and unloaded
    there; then what is left and why."""
    week = not isinstance(result, CourierResult)
    zh = lang != "en"
    wb = Workbook()
    summary, used = summary_sheet(wb, zh)
    for route in result.routes:
        name = route.get("vehicle_name") or route["vehicle_id"]
        day = route.get("day") or (None if week else result.day) or ""
        append_row(summary, [name, day, hhmm(route["depart_min"]), hhmm(route["return_min"]),
                           round(route["distance_km"], 1), round(route["duration_h"], 2), len(route["stops"])])
        title = unique_sheet_title(f"{name} {day[5:]}" if week else name, used)
        ws = wb.create_sheet(title)
        append_row(ws, _VISIT_HEAD["zh" if zh else "en"])
        depot = route["depot"]["name"]
        append_row(ws, [day, 0, depot, "", hhmm(route["depart_min"]), "", "", 0])
        for order, stop in enumerate(route["stops"], start=1):
            loads = "；".join(f"{r['crates']} → {r.get('to_name', r['to'])}" for r in stop.get("load", []))
            unloads = "；".join(f"{r['crates']} ← {r.get('from_name', r['from'])}" for r in stop.get("unload", []))
            append_row(ws, [day, order, stop.get("name") or stop["id"], hhmm(stop["arrival_min"]),
                          hhmm(stop["departure_min"]), loads, unloads, stop.get("load_after", "")])
        append_row(ws, [day, len(route["stops"]) + 1, depot, hhmm(route["return_min"]), "", "", "", 0])
    left = result.dropped
    if left:
        ws = wb.create_sheet(unique_sheet_title("未安排" if zh else "Not served", used))
        append_row(ws, ["编号", "名称", "原因"] if zh else ["Id", "Name", "Reason"])
        for d in left:
            append_row(ws, [d["id"], d.get("name", ""), d["reason_zh"] if zh else d["reason_en"]])
    for ws in wb.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path




__all__ = ["CourierRequest", "CourierResult", "flow_matrix", "run_courier_day", "write_courier_xlsx"]
