"""Coverage and siting jobs on a real project file: shared run formats, stored runs, before/after."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError

import numpy as np
import pytest

from planner.jobs.coverage import CoverageRequest, CoverageResult, coverage_job, run_coverage
from planner.jobs.siting import SitingRequest, run_siting

DISTRICT_KEYS = {"district", "population_official", "population", "covered", "share"}




def test_coverage_run_has_the_shared_format_and_is_stored(city_project):
    result = run_coverage(city_project, threshold=900.0, mode="walk", kinds=["district"])
    assert {
        "threshold",
        "unit",
        "mode",
        "cost_source",
        "kinds",
        "by_district",
        "total",
        "equity",
        "scenario",
        "run_id",
    } <= set(result)
    assert (
        result["unit"] == "s"
        and result["cost_source"] == "straight-line"
        and result["kinds"] == ["district"]
    )
    rows = {r["district"]: r for r in result["by_district"]}
    assert set(rows["甲"]) == DISTRICT_KEYS and rows["甲"]["population_official"] == 2000
    # 900 s walk = 960 m straight line around (750, 750) on the 500 m grid.
    within = sum(np.hypot(i * 500 - 750, j * 500 - 750) <= 960 for i in range(4) for j in range(4))
    assert rows["甲"]["covered"] == pytest.approx(100.0 * within)
    assert rows["乙"]["share"] == 0.0
    assert result["equity"]["worst_district"] == "乙"
    stored = city_project.latest_run("coverage")
    assert stored["id"] == result["run_id"] and stored["result"]["total"] == result["total"]
    json.dumps(stored["result"])  # plain JSON, no inf/NaN objects


def test_typed_coverage_request_and_result_keep_the_stored_keys(city_project):
    request = CoverageRequest(
        threshold_s=900.0, mode="walk", kinds=("district",), travel="straight"
    )
    result = coverage_job(city_project, request)
    assert isinstance(result, CoverageResult) and result.cost_source == "straight-line"
    stored = city_project.run(result.run_id)
    assert stored["result"] == {k: v for k, v in result.to_json().items() if k != "run_id"}
    assert CoverageResult.from_json(result.to_json()) == result
    assert result.to_json() == run_coverage(
        city_project, threshold=900.0, mode="walk", kinds=["district"], travel="straight"
    ) | {"run_id": result.run_id}
    # without a mode the threshold is metres: 960 m is what 900 s walking means above
    metres = coverage_job(city_project, CoverageRequest(mode=None, threshold_m=960.0))
    assert metres.unit == "m" and metres.threshold == 960.0
    assert metres.total.covered >= result.total.covered
    with pytest.raises(FrozenInstanceError):
        request.threshold_s = 1.0


def test_fair_siting_reaches_the_uncovered_district_and_stores_plan(city_project):
    result = run_siting(
        city_project, SitingRequest(model="fair", p=1, threshold_s=900.0, mode="walk", time_limit_s=10)
    ).to_json()
    assert [s["id"] for s in result["selected"]] in (["c2"], ["c3"])
    assert set(result["selected"][0]) == {"id", "name", "lon", "lat", "district"}
    assert 120 < result["selected"][0]["lon"] < 124 and 27 < result["selected"][0]["lat"] < 29
    before = {r["district"]: r for r in result["before"]}
    after = {r["district"]: r for r in result["after"]}
    assert before["乙"]["share"] == 0.0 and after["乙"]["share"] == pytest.approx(1 / 3)
    assert result["total_after"]["covered"] > result["total_before"]["covered"]
    assert result["optimal"] is True and result["gap"] == 0.0
    assert city_project.latest_run("coverage", scenario="plan")["id"] == result["plan_run_id"]
    assert city_project.latest_run("siting")["id"] == result["run_id"]


def test_mclp_siting_prefers_the_bigger_gain(city_project):
    # c1 covers 甲's uncovered corner (several 100-person cells); a village holds only 50.
    result = run_siting(
        city_project, SitingRequest(model="mclp", p=1, threshold_s=900.0, mode="walk", time_limit_s=10)
    ).to_json()
    assert [s["id"] for s in result["selected"]] == ["c1"]
