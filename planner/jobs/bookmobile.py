"""The bookmobile week as a project job: stops, buses and depots from the project, the week
from routing.bookmobile, the run stored in the shared route-run format."""

from __future__ import annotations

import time
from typing import Any

from models.control import Control
from models.costs import MODES, CostModel
from models.records import WEEKDAYS, BookmobileStop, TimeWindow, Vehicle
from planner.errors import PlannerError
from planner.geo import metric_crs_for, points_xy
from planner.network import attach_paths, travel_cost
from planner.store import Project
from planner.validation import text_list
from routing.bookmobile import plan_week


def _days(text: Any) -> tuple[str, ...]:
    days = [d.strip() for d in str(text or "").replace("，", ",").split(",") if d.strip()]
    return tuple(d for d in WEEKDAYS if d in days) or WEEKDAYS[:5]


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def read_week_inputs(project: Project):  # noqa: ANN201
    """Stops, buses and the layers they come from, as records; PlannerError naming what is wrong."""
    name = project.layer_for_role("stops")
    if name is None:
        raise PlannerError("项目中没有书巴停靠点图层（stops）", "the project has no bookmobile stops layer")
    if not project.has_table("bookmobiles"):
        raise PlannerError("项目中没有书巴车辆表（bookmobiles）", "the project has no bookmobiles table")
    stops_gdf = project.read_layer(name)
    libraries = project.read_layer(project.layer_for_role("libraries") or "libraries")
    buses_df = project.read_table("bookmobiles")
    stops = []
    for i, r in enumerate(stops_gdf.itertuples(index=False), start=1):
        try:
            window = TimeWindow.parse(r.tw_start, r.tw_end)
        except (ValueError, AttributeError, TypeError) as exc:
            raise PlannerError(f"停靠点 {r.id} 的时间窗无效：{exc}", f"stop {r.id} has an invalid time window: {exc}",
                               row=i, field="tw_start") from exc
        stops.append(BookmobileStop(
            str(r.id), str(r.name), 0.0, 0.0, window, _int(getattr(r, "service_min", 60), 60),
            max(_int(getattr(r, "visits_per_week", 1), 1), 1), _days(getattr(r, "allowed_days", "")),
            _int(getattr(r, "load_crates", 0)), _int(getattr(r, "priority", 1), 1),
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
    return stops, buses, stops_gdf, libraries


def run_bookmobile_week(
    project: Project,
    *,
    time_limit_s: float = 30.0,
    seed: int = 0,
    cost: CostModel | None = None,
    control: Control | None = None,
    solution_limit: int | None = None,
    travel: str | None = None,
) -> dict[str, Any]:
    """Plan the week and store a run of kind "bookmobile"; returns the stored result. Without
    a `cost`, `travel` picks the project's roads or straight lines (planner.network)."""
    del seed  # the routing search has no random seed (see routing.solver)
    control = control or Control()
    started = time.monotonic()
    stops, buses, stops_gdf, libraries = read_week_inputs(project)
    cost = cost or travel_cost(project, "bookmobile", travel)
    crs = getattr(cost, "crs", None) or metric_crs_for(stops_gdf)
    stop_xy = points_xy(stops_gdf, crs)
    lib_xy = points_xy(libraries, crs)
    lib_index = {str(i): k for k, i in enumerate(libraries["id"].astype(str))}
    depot_xy = {b.depot_id: tuple(lib_xy[lib_index[b.depot_id]]) for b in buses}
    distance = getattr(cost, "distance_model", None)
    week = plan_week(stops, buses, stop_xy=stop_xy, depot_xy=depot_xy, cost=cost, distance=distance,
                     speed_kph=MODES["bookmobile"].speed_kph, time_limit_s=time_limit_s, control=control,
                     solution_limit=solution_limit)

    stop_rows = {str(r.id): (r.name, r.geometry.x, r.geometry.y) for r in stops_gdf.itertuples(index=False)}
    lib_rows = {str(r.id): (r.name, r.geometry.x, r.geometry.y) for r in libraries.itertuples(index=False)}
    bus_names = {b.id: b.name for b in buses}
    depot_of = {b.id: b.depot_id for b in buses}
    routes = []
    for route in week.plan.routes:
        if not route.stops:
            continue
        bus = week.bus_of_vehicle[route.vehicle_id]
        dname, dlon, dlat = lib_rows[depot_of[bus]]
        routes.append({
            "vehicle_id": bus, "vehicle_name": bus_names[bus], "day": week.day_of_vehicle[route.vehicle_id],
            "depot": {"id": depot_of[bus], "name": dname, "lon": dlon, "lat": dlat},
            "depart_min": route.depart / 60, "return_min": route.arrive / 60,
            "distance_km": route.distance / 1000, "duration_h": (route.arrive - route.depart) / 3600,
            "break": {"start_min": route.breaks[0][0] / 60, "duration_min": route.breaks[0][1] / 60} if route.breaks else None,
            "stops": [
                {"id": s.visit_id.split("#")[0], "name": stop_rows[s.visit_id.split("#")[0]][0],
                 "lon": stop_rows[s.visit_id.split("#")[0]][1], "lat": stop_rows[s.visit_id.split("#")[0]][2],
                 "arrival_min": s.arrival / 60, "start_min": s.start / 60, "departure_min": s.departure / 60,
                 "load_after": s.load_after, "action": "serve", "detail": f"第 {s.visit_id.split('#')[1]} 次 / visit {s.visit_id.split('#')[1]}"}
                for s in route.stops
            ],
        })
    routes.sort(key=lambda r: (r["vehicle_id"], WEEKDAYS.index(r["day"])))
    attach_paths(routes, cost)
    dropped = [{"id": d.stop_id, "name": stop_rows[d.stop_id][0], "visit": d.visit, "reason_zh": d.reason_zh,
                "reason_en": d.reason_en} for d in week.dropped]
    asked = sum(s.visits_per_week for s in stops)
    result = {
        "kind": "bookmobile",
        "cost_source": cost.source,
        "routes": routes,
        "dropped": dropped,
        "totals": {
            "vehicles": len({r["vehicle_id"] for r in routes}), "vehicle_days": len(routes),
            "distance_km": round(sum(r["distance_km"] for r in routes), 2),
            "duration_h": round(sum(r["duration_h"] for r in routes), 2),
            "served": asked - len(dropped), "asked": asked, "dropped": len(dropped),
        },
        "check": {"feasible": True, "violations": []},
    }
    seconds = time.monotonic() - started
    result["run_id"] = project.add_run("bookmobile", result, params={"time_limit_s": time_limit_s},
                                       seconds=seconds, cost_source=cost.source)
    control.report(1.0, "")
    return result


__all__ = ["read_week_inputs", "run_bookmobile_week"]
