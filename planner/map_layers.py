"""The groups of a project map as page data (planner.maps writes the page): districts,
population, candidates, libraries, new sites, stops, catchments, main roads and routes.

Every value is raw data for planner/assets/planner_map.js, which shows text with textContent;
nothing here writes markup or script.
"""

from __future__ import annotations

import json
import math
from typing import Any

import geopandas as gpd

from planner.i18n import has, text
from planner.jobs.coverage import CoverageResult
from planner.jobs.siting_result import SitingJobResult
from planner.maps import (
    KIND_COLOURS,
    LAYER_COLOURS,
    MAIN_ROADS,
    ROUTE_PALETTE,
    _bounds,
    _features,
    _share_colour,
    _tip_fields,
    catchment_radius_m,
    metric_buffer,
    project_roads_lines,
)
from planner.run_results import district_coverage, route_result, typed_result
from planner.store import Project


def add_base_layers(
    project: Project,
    builder: Any,
    palette: dict[str, str],
    lang: str,
    *,
    coverage: dict[str, Any] | None,
    siting: dict[str, Any] | None,
    catchments: bool,
) -> list[list[float]] | None:
    """Districts (coloured by `coverage`), main roads, population, candidates, libraries by
    kind, `siting`'s new sites, stops and (optionally) catchments; returns the map's bounds."""
    zh = lang == "zh"
    coloured_by = typed_result(coverage) if coverage else None
    shares = {
        str(r.district): float(r.share)
        for r in district_coverage(coloured_by)
        if r.district != "" and isinstance(r.share, int | float)
    }
    bounds = None

    name = project.layer_for_role("districts")
    if name:
        gdf = project.read_layer(name)
        items = builder.group(
            "districts", text("layer_districts", lang), palette["districts"], len(gdf)
        )
        if len(gdf) and "name" in gdf.columns:
            gdf["geometry"] = gdf.geometry.simplify(0.0005, preserve_topology=True)
            gdf["share_text"] = [
                f"{shares[str(n)]:.1%}" if str(n) in shares else "—" for n in gdf["name"]
            ]
            bounds = _bounds(gdf)
            items.append(
                {
                    "t": "geojson",
                    "fc": _features(gdf, ["id", "name", "name_en", "population", "share_text"]),
                    "style": {
                        "color": "#4d4d4d",
                        "weight": 1.2,
                        "fillOpacity": 0.45 if shares else 0.25,
                    },
                    "fill_by": {
                        "field": "name",
                        "colours": {n: _share_colour(s) for n, s in shares.items()},
                        "fallback": "#f0f0f0",
                    },
                    "tip": _tip_fields(
                        gdf,
                        [
                            ("name", text("district", lang)),
                            ("population", text("population", lang)),
                            ("share_text", text("share", lang)),
                        ],
                    ),
                }
            )
            label_column = "name" if zh or "name_en" not in gdf.columns else "name_en"
            for label, point in zip(
                gdf[label_column], gdf.geometry.representative_point(), strict=True
            ):
                if point is not None and not point.is_empty:
                    items.append({"t": "label", "lat": point.y, "lon": point.x, "text": str(label)})

    _add_roads(project, builder, palette, lang)

    name = project.layer_for_role("population")
    if name:
        points = _population_points(project.read_layer(name))
        items = builder.group(
            "population", text("layer_population", lang), palette["population"], len(points)
        )
        top = sorted(p[2] for p in points)[int(0.98 * (len(points) - 1))] if points else 1.0
        items.append(
            {"t": "population", "cells": points, "top": top, "colour": palette["population"]}
        )

    name = project.layer_for_role("candidates")
    if name:
        gdf = project.read_layer(name)
        items = builder.group(
            "candidates", text("layer_candidates", lang), palette["candidates"], len(gdf)
        )
        items.append(
            {
                "t": "geojson",
                "fc": _features(gdf, ["id", "name", "district", "cost"]),
                "style": {
                    "color": palette["candidates"],
                    "weight": 1,
                    "fillColor": "#ffffff",
                    "fillOpacity": 0.9,
                },
                "point": {"radius": 4},
                "tip": _tip_fields(
                    gdf,
                    [
                        ("name", text("col_name", lang)),
                        ("id", text("col_id", lang)),
                        ("district", text("district", lang)),
                    ],
                ),
                "click": "candidates",
            }
        )

    name = project.layer_for_role("libraries")
    if name:
        gdf = project.read_layer(name)
        kinds = [str(k) for k in gdf["kind"]] if "kind" in gdf.columns else ["branch"] * len(gdf)
        gdf = gdf.assign(kind=kinds)
        present = set(kinds)
        for kind in [k for k in KIND_COLOURS if k in present] + sorted(present - set(KIND_COLOURS)):
            # Compared in Python: pandas string columns miss text with a NUL in it.
            part = gdf[[k == kind for k in kinds]]
            colour = palette.get(f"libraries:{kind}", "#000000")
            label = text(f"kind_{kind}", lang) if has(f"kind_{kind}") else kind
            items = builder.group(f"libraries:{kind}", label, colour, len(part))
            items.append(
                {
                    "t": "geojson",
                    "fc": _features(part, ["id", "name", "kind", "district", "opens", "closes"]),
                    "style": {
                        "color": "#ffffff",
                        "weight": 1.5,
                        "fillColor": colour,
                        "fillOpacity": 0.95,
                    },
                    "point": {"radius": {"central": 9, "district": 7}.get(kind, 5)},
                    "tip": _tip_fields(
                        part,
                        [
                            ("name", text("col_name", lang)),
                            ("district", text("district", lang)),
                            ("opens", text("col_opens", lang)),
                            ("closes", text("col_closes", lang)),
                        ],
                    ),
                    "click": "libraries",
                }
            )
        if bounds is None:
            bounds = _bounds(gdf)

    plan = typed_result(siting) if siting else None
    selected = plan.selected if isinstance(plan, SitingJobResult) else None
    if selected:
        items = builder.group(
            "selected", text("layer_selected", lang), palette["selected"], len(selected)
        )
        for site in selected:
            if _finite_point(site):
                items.append(
                    {
                        "t": "star",
                        "lat": site["lat"],
                        "lon": site["lon"],
                        "colour": palette["selected"],
                        "tip": f"{text('layer_selected', lang)}：{site.get('name') or site.get('id')}",
                    }
                )

    name = project.layer_for_role("stops")
    if name:
        gdf = project.read_layer(name)
        items = builder.group("stops", text("layer_stops", lang), palette["stops"], len(gdf))
        items.append(
            {
                "t": "geojson",
                "fc": _features(gdf, ["id", "name", "tw_start", "tw_end", "visits_per_week"]),
                "style": {
                    "color": "#ffffff",
                    "weight": 1,
                    "fillColor": palette["stops"],
                    "fillOpacity": 0.9,
                },
                "point": {"radius": 4},
                "tip": _tip_fields(
                    gdf,
                    [
                        ("name", text("col_name", lang)),
                        ("tw_start", text("col_tw_start", lang)),
                        ("tw_end", text("col_tw_end", lang)),
                    ],
                ),
                "click": "stops",
            }
        )

    if catchments and isinstance(coloured_by, CoverageResult | SitingJobResult):
        _add_catchments(project, coloured_by, builder, lang)
    return bounds


def _add_roads(project: Project, builder: Any, palette: dict[str, str], lang: str) -> None:
    """The main-roads base layer, one GeoJSON per class (wider lines for bigger roads)."""
    roads = project_roads_lines(project)
    if roads is None:
        return
    colour = palette.get("roads", LAYER_COLOURS["roads"])
    items = builder.group("roads", text("layer_main_roads", lang), colour, len(roads))
    for cls, width in MAIN_ROADS.items():
        part = roads[roads["highway"] == cls]
        if len(part):
            items.append(
                {
                    "t": "geojson",
                    "fc": json.loads(part.to_json(drop_id=True)),
                    "style": {"color": colour, "weight": width, "opacity": 0.9},
                    "interactive": False,
                }
            )


def _finite_point(place: dict[str, Any]) -> bool:
    lat, lon = place.get("lat"), place.get("lon")
    return (
        isinstance(lat, int | float)
        and isinstance(lon, int | float)
        and math.isfinite(lat)
        and math.isfinite(lon)
    )


def _population_points(gdf: gpd.GeoDataFrame) -> list[list[float]]:
    """[[lat, lon, people], …] of the population layer (cell centroids), rounded to ~1 m."""
    if gdf.empty or "population" not in gdf.columns:
        return []
    if not (gdf.geometry.geom_type == "Point").all():
        gdf = gdf.assign(geometry=gdf.to_crs(3857).geometry.centroid.to_crs(4326))
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    lon, lat = gdf.geometry.x.round(5), gdf.geometry.y.round(5)
    people = gdf["population"].astype(float).fillna(0.0).round(1)
    return [[y, x, p] for y, x, p in zip(lat.tolist(), lon.tolist(), people.tolist(), strict=True)]


def _add_catchments(
    project: Project, result: CoverageResult | SitingJobResult, builder: Any, lang: str
) -> None:
    """The coverage run's catchments around the counted service points: the road-network
    catchment the run stored (routing.isochrone) when it used a network, else circles of the
    threshold; nothing for a network run stored without one (a siting run stores none)."""
    name = project.layer_for_role("libraries")
    if not name or not isinstance(result.threshold, int | float):
        return
    gdf = project.read_layer(name)
    coverage = result if isinstance(result, CoverageResult) else None
    kinds = list(coverage.kinds) if coverage is not None else []
    if kinds and "kind" in gdf.columns:
        gdf = gdf[gdf["kind"].isin(kinds)]
    stored = coverage.catchment_geojson if coverage is not None else None
    if stored:
        items = builder.group(
            "catchments", _network_catchment_label(result, stored, lang), "#3182bd", len(gdf)
        )
        items.append(_catchment_item(stored))
        return
    if result.cost_source not in ("", "straight-line") or gdf.empty:
        return
    radius_m = catchment_radius_m(result)
    items = builder.group(
        "catchments", text("layer_catchments", lang, radius=round(radius_m)), "#3182bd", len(gdf)
    )
    items.append(_catchment_item(metric_buffer(gdf, radius_m)))


def _network_catchment_label(
    result: CoverageResult | SitingJobResult, stored: dict[str, Any], lang: str
) -> str:
    """The catchment layer's name: road network, mode and minutes (metres of road for a run
    in metres)."""
    threshold = float(result.threshold or 0.0)
    if result.unit == "m":
        return text("layer_catchments_network_m", lang, metres=f"{threshold:,.0f}")
    features = stored.get("features") or [{}]
    mode = features[0].get("properties", {}).get("mode") or result.mode or ""
    mode_label = text(f"mode_{mode}", lang) if has(f"mode_{mode}") else str(mode)
    return text("layer_catchments_network", lang, mode=mode_label, minutes=f"{threshold / 60:g}")


def _catchment_item(geojson: dict[str, Any]) -> dict[str, Any]:
    """A catchment polygon, light and not clickable (clicks reach the points under it)."""
    return {
        "t": "geojson",
        "fc": geojson,
        "style": {"color": "#3182bd", "weight": 1, "fillColor": "#9ecae1", "fillOpacity": 0.15},
        "interactive": False,
    }


def add_route_layers(
    builder: Any, run: dict[str, Any], kind: str, *, per_vehicle: bool, lang: str
) -> None:
    """A route run: one group per vehicle and day with numbered stops and their times
    (`per_vehicle`), or one group of all its route lines."""
    routed = route_result(run)
    route_list = [r for r in (routed.routes if routed else ()) if r.get("stops")]
    if not route_list:
        return
    vehicles = sorted({str(r.get("vehicle_id")) for r in route_list})

    def colour_of(route: dict[str, Any]) -> str:
        return ROUTE_PALETTE[vehicles.index(str(route.get("vehicle_id"))) % len(ROUTE_PALETTE)]

    if per_vehicle:
        for route in route_list:
            label = route_label(route, lang)
            items = builder.group(
                f"{kind}:{route.get('vehicle_id')}:{route.get('day', '')}",
                label,
                colour_of(route),
                1,
            )
            _route_items(route, colour_of(route), items, lang)
        return
    items = builder.group(
        f"{kind}_routes",
        text(f"layer_{kind}_routes", lang),
        LAYER_COLOURS[f"{kind}_routes"],
        len(route_list),
    )
    for route in route_list:
        items.append(
            {
                "t": "line",
                "path": route_path(route),
                "colour": colour_of(route),
                "opacity": 0.8,
                "tip": f"{route_label(route, lang)}: {_num(route.get('distance_km')):.1f} km",
            }
        )


def _num(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else math.nan


def _lonlat_path(path: Any) -> list[list[float]] | None:
    """A stored [[lon, lat], …] path as [[lat, lon], …]; None unless every point is finite."""
    if not isinstance(path, list) or len(path) < 2:
        return None
    out = []
    for point in path:
        if not (
            isinstance(point, list | tuple)
            and len(point) >= 2
            and all(isinstance(v, int | float) and math.isfinite(v) for v in point[:2])
        ):
            return None
        out.append([float(point[1]), float(point[0])])
    return out


def route_path(route: dict[str, Any]) -> list[list[float]]:
    """[[lat, lon], …] of a route: along the roads when the plan stored the path (the route's
    `path`, or each leg's: `legs[i].path` or the arriving stop's `path`, and `return_path`),
    straight between depot and stops otherwise (also for any leg without a path)."""
    whole = _lonlat_path(route.get("path"))
    if whole:
        return whole
    depot = route["depot"]
    places = [depot, *route["stops"], depot]
    legs = route.get("legs") if isinstance(route.get("legs"), list) else []
    out: list[list[float]] = [[depot["lat"], depot["lon"]]]
    for i, place in enumerate(places[1:]):
        leg = legs[i] if i < len(legs) and isinstance(legs[i], dict) else {}
        own = place.get("path") if i < len(route["stops"]) else route.get("return_path")
        along = _lonlat_path(leg.get("path")) or _lonlat_path(own)
        out.extend(along[1:] if along else [[place["lat"], place["lon"]]])
    return out


def route_label(route: dict[str, Any], lang: str) -> str:
    day = str(route.get("day", ""))
    day = text(f"day_{day}", lang) if has(f"day_{day}") else day
    return f"{route.get('vehicle_name') or route.get('vehicle_id')} {day}".strip()


def _hhmm(minutes: Any) -> str:
    if not isinstance(minutes, int | float) or not math.isfinite(minutes):
        return "—"
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"


def _route_items(
    route: dict[str, Any], colour: str, items: list[dict[str, Any]], lang: str
) -> None:
    """A route line, its depot and numbered stops whose popups give the times."""
    label = route_label(route, lang)
    items.append(
        {
            "t": "line",
            "path": route_path(route),
            "colour": colour,
            "opacity": 0.85,
            "tip": f"{label}: {_num(route.get('distance_km')):.1f} km, {_num(route.get('duration_h')):.1f} h",
        }
    )
    depot = route["depot"]
    items.append(
        {
            "t": "circle",
            "lat": depot["lat"],
            "lon": depot["lon"],
            "radius": 7,
            "stroke": "#000",
            "weight": 2,
            "colour": colour,
            "fill_opacity": 1.0,
            "tip": f"{text('depot', lang)}：{depot.get('name') or depot.get('id')}",
        }
    )
    for order, stop in enumerate(route["stops"], start=1):
        rows = [
            [text("col_name", lang), str(stop.get("name") or stop.get("id"))],
            [text("arrival", lang), _hhmm(stop.get("arrival_min"))],
            [text("start", lang), _hhmm(stop.get("start_min"))],
            [text("departure", lang), _hhmm(stop.get("departure_min"))],
        ]
        if stop.get("detail"):
            rows.append([text("detail", lang), str(stop["detail"])])
        items.append(
            {
                "t": "circle",
                "lat": stop["lat"],
                "lon": stop["lon"],
                "radius": 6,
                "stroke": "#fff",
                "weight": 1,
                "colour": colour,
                "fill_opacity": 0.95,
                "tip": f"#{order} {stop.get('name') or stop.get('id')} {_hhmm(stop.get('start_min'))}",
                "popup": {"title": f"{label} · #{order}", "rows": rows},
            }
        )
        items.append({"t": "label", "lat": stop["lat"], "lon": stop["lon"], "text": str(order)})
