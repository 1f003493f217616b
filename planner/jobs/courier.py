"""The courier day as a project job: shipments from a returns log (or the modelled one), vans
and opening hours from the project, direct and via-central plans compared, the cheaper stored
in the shared route-run format."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from models.control import Control
from models.costs import MODES, CostModel
from models.records import WEEKDAYS, TimeWindow, Vehicle
from planner.errors import PlannerError
from planner.geo import metric_crs_for, points_xy
from planner.network import attach_paths, travel_cost
from planner.returns_log import (
    flow_matrix,
    modelled_returns_log,
    read_returns_log,
    shipments_from_log,
)
from planner.store import Project
from planner.timetable import write_routes_xlsx
from routing.courier import CourierPlan, Library, plan_day


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


def _routes(plan: CourierPlan, lib_rows: dict[str, tuple[str, float, float]], vans: list[Vehicle]) -> list[dict[str, Any]]:
    names = {v.id: v.name for v in vans}
    depot = {v.id: v.depot_id for v in vans}
    out = []
    instance = plan.instance
    for route in plan.plan.used_routes:
        dname, dlon, dlat = lib_rows[depot[route.vehicle_id]]
        stops = []
        for s in route.stops:
            visit = instance.visit(s.visit_id)
            lib_id = instance.location_ids[visit.location]
            name, lon, lat = lib_rows[lib_id]
            shipment = plan.shipment_of_visit[s.visit_id]
            src, _, rest = shipment.partition(">")
            dst = rest.split("@")[0]
            pickup = visit.demand > 0
            other = lib_rows.get(dst if pickup else src, (dst if pickup else src,))[0]
            detail = (f"装 {abs(visit.demand)} 箱 → {other} / load {abs(visit.demand)} crates for {other}" if pickup
                      else f"卸 {abs(visit.demand)} 箱（来自 {other}）/ unload {abs(visit.demand)} crates from {other}")
            if lib_id != (src if pickup else dst):
                detail += "（中心馆中转 / transfer at the hub）"
            stops.append({"id": lib_id, "name": name, "lon": lon, "lat": lat, "arrival_min": s.arrival / 60,
                          "start_min": s.start / 60, "departure_min": s.departure / 60, "load_after": s.load_after,
                          "action": "pickup" if pickup else "deliver", "detail": detail})
        out.append({"vehicle_id": route.vehicle_id, "vehicle_name": names[route.vehicle_id],
                    "day": "",
                    "depot": {"id": depot[route.vehicle_id], "name": dname, "lon": dlon, "lat": dlat},
                    "depart_min": route.depart / 60, "return_min": route.arrive / 60,
                    "distance_km": route.distance / 1000, "duration_h": (route.arrive - route.depart) / 3600,
                    "break": None, "stops": stops})
    return out


def _totals(plan: CourierPlan) -> dict[str, Any]:
    return {"vehicles": plan.vehicles, "distance_km": round(plan.distance_m / 1000, 2),
            "duration_h": round(plan.duration_s / 3600, 2), "shipments": len(plan.shipments),
            "served": len(plan.shipments) - len(plan.left), "dropped": len(plan.left)}


def run_courier_day(
    project: Project,
    *,
    returns_log: Path | None = None,
    day: str | None = None,
    crate_size: int = 30,
    time_limit_s: float = 30.0,
    seed: int = 0,
    cost: CostModel | None = None,
    control: Control | None = None,
    solution_limit: int | None = None,
    travel: str | None = None,
) -> dict[str, Any]:
    """Plan one day's courier runs both ways, store the cheaper as a run of kind "courier".
    Without a `cost`, `travel` picks the project's roads or straight lines (planner.network)."""
    control = control or Control()
    started = time.monotonic()
    libraries = project.read_layer(project.layer_for_role("libraries") or "libraries")
    known = set(libraries["id"].astype(str))
    vans = _vans(project, known)
    if returns_log is None:
        log = modelled_returns_log(libraries, seed=seed)
        with tempfile.TemporaryDirectory() as tmp:  # through the same reader and checks as a real file
            path = Path(tmp) / "modelled_returns.csv"
            log.to_csv(path, index=False)
            log = read_returns_log(path, known)
        source = "modelled"
    else:
        log = read_returns_log(returns_log, known)
        source = Path(returns_log).name
    days = sorted({str(d) for d in log["date"]})
    if day is None:
        day = days[-1] if days else None
    shipments = shipments_from_log(log, crate_size, day)
    weekday = WEEKDAYS[date.fromisoformat(day).weekday()] if day else "Mon"
    vans_today = [v for v in vans if weekday in v.days]

    cost = cost or travel_cost(project, "van", travel)
    crs = getattr(cost, "crs", None) or metric_crs_for(libraries)
    xy = points_xy(libraries, crs)
    libs = []
    for k, r in enumerate(libraries.itertuples(index=False)):
        hours, closed = _hours(getattr(r, "opens", None), getattr(r, "closes", None))
        libs.append(Library(str(r.id), str(r.name), (float(xy[k, 0]), float(xy[k, 1])), hours, closed))
    speed = MODES["van"].speed_kph
    central = libraries.loc[libraries["kind"] == "central", "id"].astype(str)
    hub = central.iloc[0] if len(central) else None
    direct = plan_day(shipments, libs, vans_today, cost=cost, speed_kph=speed, time_limit_s=time_limit_s / 2,
                      control=control.sub(0, 0.5), solution_limit=solution_limit)
    plans = {"direct": direct}
    if hub is not None:
        plans["hub"] = plan_day(shipments, libs, vans_today, cost=cost, speed_kph=speed, hub_id=hub,
                                time_limit_s=time_limit_s / 2, control=control.sub(0.5, 1.0), solution_limit=solution_limit)
    chosen = min(plans, key=lambda k: (len(plans[k].left), plans[k].distance_m))
    plan = plans[chosen]
    lib_rows = {str(r.id): (str(r.name), r.geometry.x, r.geometry.y) for r in libraries.itertuples(index=False)}
    by_id = {s.id: s for s in plan.shipments}
    left = [{"id": sid, "name": f"{lib_rows[by_id[sid].from_id][0]} → {lib_rows[by_id[sid].to_id][0]}",
             "crates": by_id[sid].crates, "reason_zh": zh, "reason_en": en} for sid, (zh, en) in plan.left.items()]
    flows = [{"from": s.from_id, "to": s.to_id, "from_name": lib_rows[s.from_id][0], "to_name": lib_rows[s.to_id][0],
              "crates": s.crates, "items": s.items} for s in shipments]
    result = {
        "kind": "courier", "cost_source": cost.source, "day": day, "returns_log": source, "crate_size": crate_size,
        "routes": attach_paths(_routes(plan, lib_rows, vans), cost), "dropped": left, "totals": _totals(plan),
        "comparison": {**{k: _totals(p) for k, p in plans.items()}, "chosen": chosen},
        "flows": flows, "notes": [{"zh": zh, "en": en} for zh, en in plan.notes],
        "check": {"feasible": True, "violations": []},
    }
    result["run_id"] = project.add_run("courier", result, params={"day": day, "crate_size": crate_size},
                                       seconds=time.monotonic() - started, cost_source=cost.source)
    control.report(1.0, "")
    return result


def write_courier_xlsx(result: dict[str, Any], path: Path, lang: str = "zh") -> Path:
    """The day's courier runs: one sheet per van."""
    return write_routes_xlsx(result, path, lang)


__all__ = ["flow_matrix", "run_courier_day", "write_courier_xlsx"]
