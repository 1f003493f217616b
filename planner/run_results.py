"""The one loader of a stored run's typed Result: every view over stored runs (maps, report,
timetable, titles, the window's panels) reads the run's kind and result JSON through
`typed_result`, never by string key, so a key renamed or added in a Result class reaches every
view, and runs stored by earlier versions open (missing keys take their defaults)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.jobs.bookmobile_contract import BookmobileResult
from planner.jobs.courier import CourierResult
from planner.jobs.courier_week import CourierWeekResult
from planner.jobs.coverage import CoverageResult, DistrictCoverage, district_rows_of
from planner.jobs.plan import PlanResult
from planner.jobs.siting_result import SitingJobResult

TypedResult = (
    CoverageResult
    | SitingJobResult
    | PlanResult
    | BookmobileResult
    | CourierResult
    | CourierWeekResult
)
RouteResult = BookmobileResult | CourierResult | CourierWeekResult

_BY_KIND: dict[str, Any] = {
    "coverage": CoverageResult,
    "siting": SitingJobResult,
    "plan": PlanResult,
    "bookmobile": BookmobileResult,
}


def typed_result(run: Mapping[str, Any]) -> TypedResult | None:
    """The typed Result of a stored run (`Project.run`/`runs`/`latest_run`), its `run_id` the
    run's id; None for a kind no job stores (nothing to show but its title)."""
    kind, data = run.get("kind"), run.get("result")
    data = dict(data) if isinstance(data, Mapping) else {}
    if run.get("id") is not None:
        data["run_id"] = run["id"]
    if kind == "courier":
        return (CourierWeekResult if data.get("mode") == "week" else CourierResult).from_json(data)
    cls = _BY_KIND.get(str(kind))
    return cls.from_json(data) if cls is not None else None


def route_result(run: Mapping[str, Any] | None) -> RouteResult | None:
    """A bookmobile or courier run's typed Result (None for no run or another kind)."""
    result = typed_result(run) if run is not None else None
    return (
        result if isinstance(result, BookmobileResult | CourierResult | CourierWeekResult) else None
    )


def plan_run_id_of(run: Mapping[str, Any]) -> int | None:
    """The coverage run of a siting run's plan (None for another kind or no plan)."""
    result = typed_result(run)
    return result.plan_run_id if isinstance(result, SitingJobResult) else None


def district_coverage(result: TypedResult | None) -> tuple[DistrictCoverage, ...]:
    """The district rows a map colours: a coverage run's, or a siting run's after its plan."""
    if isinstance(result, CoverageResult):
        return result.by_district
    if isinstance(result, SitingJobResult):
        return district_rows_of(result.after)
    return ()
