"""Coverage job: how much of a project's population is within a travel-cost threshold of its
libraries, by district, with equity figures; stored as a "coverage" run."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from models import accessibility, equity
from models.control import Control, quiet
from models.costs import CostModel
from models.coverage import CoverageResult as CoverageFigures
from models.coverage import coverage
from planner.errors import PlannerError
from planner.geo import metric_crs_for, points_xy
from planner.jobs.json_rows import record
from planner.network import travel_cost
from planner.store import Project
from routing.isochrone import Isochrone, network_isochrone
from routing.matrix import NetworkCost

#: Label of demand points whose district is blank.
NO_DISTRICT = "未分区"
#: A network catchment is stored for maps, not measurement: simplified by this tolerance
#: (metres, before conversion to EPSG:4326 with coordinates rounded to 1e-5°, about 1 m), more
#: while its GeoJSON is over CATCHMENT_MAX_BYTES (see catchment_geojson).
CATCHMENT_TOLERANCE_M = 10.0
CATCHMENT_MAX_BYTES = 400_000


@dataclass(frozen=True)
class Demand:
    """A project's population layer as arrays in a metric CRS."""

    gdf: gpd.GeoDataFrame
    xy: np.ndarray
    weights: np.ndarray
    groups: np.ndarray


def layer(project: Project, role: str) -> gpd.GeoDataFrame:
    """The project's layer for a role (the layer named like the role when several exist)."""
    name = role if project.has_layer(role) else project.layer_for_role(role)
    if name is None:
        raise PlannerError(f"项目中没有 “{role}” 图层", f"the project has no {role!r} layer")
    return project.read_layer(name)


def cost_and_crs(
    project: Project, mode: str | None, cost: CostModel | None, travel: str | None = None
) -> tuple[CostModel, CRS]:
    """The cost model (unless one is given: the project's roads or straight lines for `mode`
    as `travel` says, see planner.network.travel_cost) and the metric CRS its points are in
    (the cost model's own `crs` when it has one)."""
    cost = cost or travel_cost(project, mode, travel)
    crs = getattr(cost, "crs", None)
    if crs is None:
        crs = metric_crs_for(layer(project, "population"))
    return cost, CRS(crs)


def load_demand(project: Project, crs: CRS) -> Demand:
    gdf = layer(project, "population")
    weights = pd.to_numeric(gdf["population"], errors="coerce").fillna(0.0).to_numpy(float)
    if "district" in gdf.columns:
        groups = gdf["district"].fillna("").astype(str).replace("", NO_DISTRICT).to_numpy()
    else:
        groups = np.full(len(gdf), NO_DISTRICT, dtype=object)
    return Demand(gdf, points_xy(gdf, crs), weights, groups)


def load_supply(project: Project, kinds: Sequence[str] | None) -> gpd.GeoDataFrame:
    """Libraries of the given kinds (all kinds when None)."""
    libs = layer(project, "libraries")
    if kinds is not None:
        libs = libs[libs["kind"].isin(list(kinds))]
    return libs.reset_index(drop=True)


def capacity(sites: gpd.GeoDataFrame) -> np.ndarray:
    """Seats per site for accessibility; a site without a seat count gets the median of the rest
    (1 when none has one), so unknown capacity neither vanishes nor dominates."""
    column = "seats" if "seats" in sites.columns else "capacity"
    seats = (
        pd.to_numeric(sites[column], errors="coerce")
        if column in sites.columns
        else pd.Series(np.nan, index=sites.index)
    )
    known = seats[seats > 0]
    default = float(known.median()) if len(known) else 1.0
    return seats.where(seats > 0, default).to_numpy(float)


def district_rows(project: Project, by_group: dict[str, Any]) -> list[dict[str, Any]]:
    """The shared by_district rows: districts in the districts layer's order, then any other group."""
    official: dict[str, int | None] = {}
    if project.has_layer("districts") or project.layer_for_role("districts"):
        districts = layer(project, "districts")
        pops = (
            pd.to_numeric(districts.get("population"), errors="coerce")
            if "population" in districts
            else None
        )
        for k, name in enumerate(districts["name"].astype(str)):
            value = None if pops is None or pd.isna(pops.iloc[k]) else int(pops.iloc[k])
            official[name] = value
    names = [n for n in official if n in by_group] + [n for n in by_group if n not in official]
    return [
        {
            "district": name,
            "population_official": official.get(name),
            "population": by_group[name].total,
            "covered": by_group[name].covered,
            "share": by_group[name].share,
        }
        for name in names
    ]


def coverage_figures(
    project: Project,
    demand: Demand,
    sites: gpd.GeoDataFrame,
    cost: CostModel,
    crs: CRS,
    threshold: float,
    control: Control,
) -> tuple[CoverageFigures, dict[str, Any]]:
    """Coverage of `demand` by `sites`, with the shared by_district/total/equity fields."""
    supply_xy = points_xy(sites, crs) if len(sites) else np.zeros((0, 2))
    result = coverage(
        demand.xy, demand.weights, demand.groups, supply_xy, cost, threshold, control.sub(0.0, 0.8)
    )
    control.report(0.85, "equity")
    within = cost.within(demand.xy, supply_xy, threshold)
    access = (
        accessibility.two_step_fca(within, demand.weights, capacity(sites))
        if len(sites)
        else np.zeros(len(demand.weights))
    )
    summary = equity.summarise(access, demand.weights, result.by_group, result.nearest_cost)
    split = equity.theil_decomposition(access, demand.weights, demand.groups)
    figures = {
        "by_district": district_rows(project, result.by_group),
        "total": {
            "population": result.total,
            "covered": result.covered_total,
            "share": result.share,
        },
        "equity": {
            "gini": summary.gini,
            "theil": summary.theil,
            "worst_district": summary.worst_group,
            "worst_share": summary.worst_share,
            "p90_cost": summary.p90_cost if np.isfinite(summary.p90_cost) else None,
            "palma": _finite(equity.palma(access, demand.weights)),
            "theil_between": split.between,
            "theil_within": split.within,
        },
    }
    return result, figures


def _finite(value: float) -> float | None:
    """JSON has no inf: None stands for it."""
    return float(value) if np.isfinite(value) else None


@dataclass(frozen=True)
class CoverageRequest:
    """What a coverage run asks for. The threshold is `threshold_s` seconds for a mode, or
    `threshold_m` metres when `mode` is None; `travel` "network" or "straight" (None: the
    project's roads when it has them); `kinds` of libraries counted (None: all)."""

    threshold_s: float = 900.0
    mode: str | None = "walk"
    kinds: tuple[str, ...] | None = None
    travel: str | None = None
    scenario: str = "baseline"
    threshold_m: float | None = None

    @property
    def threshold(self) -> float:
        """The threshold in the cost model's unit (seconds, or metres without a mode)."""
        if self.mode is None:
            return float(self.threshold_m if self.threshold_m is not None else self.threshold_s)
        return float(self.threshold_s)


@dataclass(frozen=True)
class DistrictCoverage:
    """One district's row: official and modelled population, covered persons, share."""

    district: str
    population_official: int | None
    population: float
    covered: float
    share: float


def district_rows_of(rows: Any) -> tuple[DistrictCoverage, ...]:
    """Stored district rows (a coverage run's by_district, a siting run's before/after) typed;
    a key an earlier version did not write takes its default."""
    return tuple(
        record(DistrictCoverage, row, district="", population_official=None, population=0.0,
               covered=0.0, share=0.0)
        for row in rows or () if isinstance(row, Mapping)
    )


@dataclass(frozen=True)
class CoverageTotal:
    """The city total (None in a run stored without it)."""

    population: float | None = None
    covered: float | None = None
    share: float | None = None


@dataclass(frozen=True)
class CoverageEquity:
    """Gini/Theil of 2SFCA access, the worst-covered district and the 90th-percentile cost."""

    gini: float | None = None  # None: a run stored without equity figures
    theil: float | None = None
    worst_district: str | None = None
    worst_share: float | None = None
    p90_cost: float | None = None
    palma: float | None = None  # None when the bottom 40 % hold nothing (or a run before it)
    theil_between: float | None = None  # Theil between districts (+ within = theil)
    theil_within: float | None = None


@dataclass(frozen=True)
class CoverageResult:
    """A coverage run as stored and as `planner coverage --json` writes it; `cost_source` is
    "network" or "straight-line"."""

    threshold: float | None  # None only in a run stored without one
    unit: str
    mode: str | None
    cost_source: str
    kinds: tuple[str, ...]
    by_district: tuple[DistrictCoverage, ...]
    total: CoverageTotal
    equity: CoverageEquity
    scenario: str
    catchment_geojson: dict[str, Any] | None = None
    run_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The stored run's keys (every key the CLI JSON and the stored run had before)."""
        out: dict[str, Any] = {
            "threshold": self.threshold,
            "unit": self.unit,
            "mode": self.mode,
            "cost_source": self.cost_source,
            "kinds": list(self.kinds),
            "by_district": [asdict(row) for row in self.by_district],
            "total": asdict(self.total),
            "equity": asdict(self.equity),
            "scenario": self.scenario,
        }
        if self.catchment_geojson is not None:
            out["catchment_geojson"] = self.catchment_geojson
        if self.run_id is not None:
            out["run_id"] = self.run_id
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CoverageResult:
        """The run as stored by this or an earlier version (missing keys: their defaults;
        unknown keys ignored; a threshold never stored: None)."""
        mode = data.get("mode")
        threshold = data.get("threshold")
        return cls(
            threshold=float(threshold) if isinstance(threshold, int | float) else None,
            unit=str(data.get("unit") or ("m" if mode is None else "s")),
            mode=mode,
            cost_source=str(data.get("cost_source") or "straight-line"),
            kinds=tuple(data.get("kinds") or ()),
            by_district=district_rows_of(data.get("by_district")),
            total=record(CoverageTotal, data.get("total")),
            equity=record(CoverageEquity, data.get("equity")),
            scenario=str(data.get("scenario") or ""),
            catchment_geojson=data.get("catchment_geojson"),
            run_id=data.get("run_id"),
        )


def run_coverage(
    project: Project,
    *,
    threshold: float = 900.0,
    mode: str | None = "walk",
    kinds: Sequence[str] | None = None,
    extra_sites: gpd.GeoDataFrame | None = None,
    scenario: str = "baseline",
    cost: CostModel | None = None,
    control: Control | None = None,
    travel: str | None = None,
    closed_ids: Sequence[str] = (),
    catchment: bool = True,
) -> dict[str, Any]:
    """Keyword form of `coverage_job` for callers that hold loose arguments (siting, the GUI);
    returns the result's JSON (threshold: seconds for a mode, metres when mode is None)."""
    request = CoverageRequest(
        threshold_s=float(threshold),
        mode=mode,
        kinds=None if kinds is None else tuple(kinds),
        travel=travel,
        scenario=scenario,
        threshold_m=float(threshold) if mode is None else None,
    )
    return coverage_job(
        project, request, extra_sites=extra_sites, cost=cost, control=control,
        closed_ids=closed_ids,
        catchment=catchment,
    ).to_json()


def coverage_job(
    project: Project,
    request: CoverageRequest,
    *,
    extra_sites: gpd.GeoDataFrame | None = None,
    cost: CostModel | None = None,
    control: Control | None = None,
    closed_ids: Sequence[str] = (),
    catchment: bool = True,
) -> CoverageResult:
    """Coverage of the project's population by its libraries (of the request's kinds, less
    `closed_ids`) plus `extra_sites`, within the threshold, stored as a "coverage" run; `cost`
    overrides the request's travel (siting passes the one it solved with); `catchment` False
    skips the network catchment outline (a phased plan draws it for its last year only).

    Equity: Gini/Theil of 2SFCA seats per person (catchment = threshold) weighted by population.
    """
    control = control or quiet()
    started = time.monotonic()
    threshold, mode, kinds = request.threshold, request.mode, request.kinds
    cost, crs = cost_and_crs(project, mode, cost, request.travel)
    demand = load_demand(project, crs)
    sites = load_supply(project, kinds)
    if closed_ids:
        sites = sites[~sites["id"].astype(str).isin(list(closed_ids))].reset_index(drop=True)
    counted = sorted(set(sites["kind"].astype(str))) if kinds is None else list(kinds)
    if extra_sites is not None and len(extra_sites):
        extra = extra_sites.to_crs(sites.crs)
        sites = pd.concat([sites, extra], ignore_index=True)
        if "kind" in extra.columns:
            counted = sorted(set(counted) | set(extra["kind"].dropna().astype(str)))
    sites = gpd.GeoDataFrame(sites, geometry=sites.geometry.name, crs=sites.crs)
    control.check()
    network = isinstance(cost, NetworkCost)
    figures_control = control.sub(0.0, 0.8) if network else control
    _, figures = coverage_figures(project, demand, sites, cost, crs, threshold, figures_control)
    outline = None
    if network and len(sites) and catchment:
        control.report(0.8, "catchment")
        supply_xy = points_xy(sites, crs)
        area = network_isochrone(cost, supply_xy, threshold, control=control.sub(0.8, 0.95))
        outline = catchment_geojson(area, crs)
    result = CoverageResult.from_json(
        {
            "threshold": float(threshold),
            "unit": cost.unit,
            "mode": mode,
            "cost_source": cost.source,
            "kinds": counted,
            **figures,
            "scenario": request.scenario,
            "catchment_geojson": outline,
        }
    )
    params = {
        "threshold": threshold,
        "mode": mode,
        "kinds": list(kinds) if kinds is not None else None,
        "extra_sites": 0 if extra_sites is None else len(extra_sites),
        "travel": "network" if network else "straight",
        "closed_ids": list(closed_ids),
    }
    run_id = project.add_run(
        "coverage",
        result.to_json(),
        scenario=request.scenario,
        params=params,
        seconds=time.monotonic() - started,
        cost_source=cost.source,
    )
    control.report(1.0, "coverage done")
    return replace(result, run_id=run_id)


def catchment_geojson(
    area: Isochrone, crs: CRS, max_bytes: int = CATCHMENT_MAX_BYTES
) -> dict[str, Any]:
    """The network catchment (in `crs`) as a one-feature GeoJSON FeatureCollection in EPSG:4326,
    small enough to store with the run and draw on a map.

    Simplified by CATCHMENT_TOLERANCE_M, doubled while the GeoJSON is over `max_bytes` up to
    half the band's width (beyond that the band loses its shape); if still over, the
    smallest holes (blocks enclosed by reached roads) are filled until it fits. The feature's
    properties record threshold, unit, mode, cap_m, road_km, the tolerance_m used and the
    largest hole filled (filled_ha, 0 when none)."""
    tolerance = CATCHMENT_TOLERANCE_M
    geometry = shapely.simplify(area.geometry, tolerance, preserve_topology=True)
    lonlat = _lonlat_geojson(geometry, crs)
    while len(json.dumps(lonlat)) > max_bytes and tolerance * 2 <= area.cap_m / 2:
        tolerance *= 2
        geometry = shapely.simplify(area.geometry, tolerance, preserve_topology=True)
        lonlat = _lonlat_geojson(geometry, crs)
    filled_m2 = 0.0
    size = len(json.dumps(lonlat))
    if size > max_bytes:
        keep = int(shapely.get_num_coordinates(geometry) * 0.95 * max_bytes / size)
        geometry, filled_m2 = _fill_smallest_holes(geometry, keep)
        lonlat = _lonlat_geojson(geometry, crs)
    properties = {
        "threshold": area.threshold,
        "unit": area.unit,
        "mode": area.mode,
        "cap_m": area.cap_m,
        "road_km": round(area.road_km, 1),
        "tolerance_m": tolerance,
        "filled_ha": round(filled_m2 / 1e4, 2),
    }
    feature = {"type": "Feature", "properties": properties, "geometry": lonlat}
    return {"type": "FeatureCollection", "features": [feature]}


def _lonlat_geojson(geometry: shapely.Geometry, crs: CRS) -> dict[str, Any]:
    """GeoJSON geometry in EPSG:4326, coordinates on a 1e-5° grid (about 1 m)."""
    lonlat = gpd.GeoSeries([geometry], crs=crs).to_crs(4326).iloc[0]
    return json.loads(shapely.to_geojson(shapely.set_precision(lonlat, 1e-5)))


def _fill_smallest_holes(
    geometry: shapely.Geometry, keep_coords: int
) -> tuple[shapely.Geometry, float]:
    """The geometry with its smallest holes filled until it has at most `keep_coords`
    coordinates (or no hole is left), and the area of the largest hole filled (m²)."""
    rings, part = shapely.get_rings(shapely.get_parts(geometry), return_index=True)
    hole = np.ones(len(rings), bool)
    hole[np.unique(part, return_index=True)[1]] = False  # each part's first ring is its shell
    area = np.where(hole, shapely.area(shapely.polygons(rings)), np.inf)
    order = np.argsort(area, kind="stable")
    excess = shapely.get_num_coordinates(rings).sum() - keep_coords
    freed = np.cumsum(shapely.get_num_coordinates(rings)[order])
    fill = order[: min(int(np.searchsorted(freed, excess)) + 1, int(hole.sum()))]
    if excess <= 0 or fill.size == 0:
        return geometry, 0.0
    kept = np.ones(len(rings), bool)
    kept[fill] = False
    polygons = shapely.polygons(rings[kept], indices=part[kept])
    return shapely.multipolygons(polygons), float(area[fill].max())
