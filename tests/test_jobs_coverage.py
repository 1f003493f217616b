"""Coverage and siting jobs on a real project file: shared run formats, stored runs, before/after."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.jobs.coverage import CoverageRequest, CoverageResult, coverage_job, run_coverage
from planner.jobs.siting import SitingRequest, run_siting
from planner.store import Project

UTM = "EPSG:32651"
X0, Y0 = 500_000.0, 3_100_000.0
DISTRICT_KEYS = {"district", "population_official", "population", "covered", "share"}


@pytest.fixture()
def project(tmp_path):
    p = Project.create(tmp_path / "t.planner")
    # 甲: a 4×4 grid of 100 people around its library; 乙: 3 villages of 50, no library.
    grid = [(X0 + i * 500, Y0 + j * 500) for i in range(4) for j in range(4)]
    villages = [(X0 + 8000, Y0), (X0 + 12000, Y0), (X0 + 8000, Y0 + 6000)]
    pop = gpd.GeoDataFrame(
        {
            "id": [f"p{k}" for k in range(19)],
            "population": [100.0] * 16 + [50.0] * 3,
            "district": ["甲"] * 16 + ["乙"] * 3,
        },
        geometry=shapely.points(np.array(grid + villages)),
        crs=UTM,
    )
    p.write_layer("population", pop, role="population")
    districts = gpd.GeoDataFrame(
        {"id": ["1", "2"], "name": ["甲", "乙"], "population": [2000, 200]},
        geometry=[
            shapely.box(X0 - 500, Y0 - 500, X0 + 3000, Y0 + 3000),
            shapely.box(X0 + 3000, Y0 - 500, X0 + 13000, Y0 + 7000),
        ],
        crs=UTM,
    )
    p.write_layer("districts", districts, role="districts")
    libs = gpd.GeoDataFrame(
        {
            "id": ["L1", "S1"],
            "name": ["甲馆", "书站"],
            "kind": ["district", "station"],
            "seats": [200, 10],
        },
        geometry=shapely.points(np.array([[X0 + 750, Y0 + 750], [X0 + 1500, Y0 + 1500]])),
        crs=UTM,
    )
    p.write_layer("libraries", libs, role="libraries")
    cands = gpd.GeoDataFrame(
        {
            "id": ["c1", "c2", "c3"],
            "name": ["候选一", "候选二", "候选三"],
            "district": ["甲", "乙", "乙"],
            "cost": [1.0, 1.0, 1.0],
        },
        geometry=shapely.points(
            np.array([[X0 + 1500, Y0 + 250], [X0 + 8000, Y0 + 100], [X0 + 12000, Y0]])
        ),
        crs=UTM,
    )
    p.write_layer("candidates", cands, role="candidates")
    yield p
    p.close()


def test_coverage_run_has_the_shared_format_and_is_stored(project):
    result = run_coverage(project, threshold=900.0, mode="walk", kinds=["district"])
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
    stored = project.latest_run("coverage")
    assert stored["id"] == result["run_id"] and stored["result"]["total"] == result["total"]
    json.dumps(stored["result"])  # plain JSON, no inf/NaN objects


def test_typed_coverage_request_and_result_keep_the_stored_keys(project):
    request = CoverageRequest(
        threshold_s=900.0, mode="walk", kinds=("district",), travel="straight"
    )
    result = coverage_job(project, request)
    assert isinstance(result, CoverageResult) and result.cost_source == "straight-line"
    stored = project.run(result.run_id)
    assert stored["result"] == {k: v for k, v in result.to_json().items() if k != "run_id"}
    assert CoverageResult.from_json(result.to_json()) == result
    assert result.to_json() == run_coverage(
        project, threshold=900.0, mode="walk", kinds=["district"], travel="straight"
    ) | {"run_id": result.run_id}
    # without a mode the threshold is metres: 960 m is what 900 s walking means above
    metres = coverage_job(project, CoverageRequest(mode=None, threshold_m=960.0))
    assert metres.unit == "m" and metres.threshold == 960.0
    assert metres.total.covered >= result.total.covered
    with pytest.raises(FrozenInstanceError):
        request.threshold_s = 1.0


def test_fair_siting_reaches_the_uncovered_district_and_stores_plan(project):
    result = run_siting(
        project, SitingRequest(model="fair", p=1, threshold_s=900.0, mode="walk", time_limit_s=10)
    ).to_json()
    assert [s["id"] for s in result["selected"]] in (["c2"], ["c3"])
    assert set(result["selected"][0]) == {"id", "name", "lon", "lat", "district"}
    assert 120 < result["selected"][0]["lon"] < 124 and 27 < result["selected"][0]["lat"] < 29
    before = {r["district"]: r for r in result["before"]}
    after = {r["district"]: r for r in result["after"]}
    assert before["乙"]["share"] == 0.0 and after["乙"]["share"] == pytest.approx(1 / 3)
    assert result["total_after"]["covered"] > result["total_before"]["covered"]
    assert result["optimal"] is True and result["gap"] == 0.0
    assert project.latest_run("coverage", scenario="plan")["id"] == result["plan_run_id"]
    assert project.latest_run("siting")["id"] == result["run_id"]


def test_mclp_siting_prefers_the_bigger_gain(project):
    # c1 covers 甲's uncovered corner (several 100-person cells); a village holds only 50.
    result = run_siting(
        project, SitingRequest(model="mclp", p=1, threshold_s=900.0, mode="walk", time_limit_s=10)
    ).to_json()
    assert [s["id"] for s in result["selected"]] == ["c1"]
