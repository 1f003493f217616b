"""The siting job's typed contract: requests with explicit threshold units, results that report
what was solved (sites opened, the model's own parameters, p only where a model takes one),
`planner site` through the same job function with the same default threshold."""

from __future__ import annotations

import json

import numpy as np
import pytest

from models.costs import straight_line
from planner.cli import build_parser, main
from planner.errors import PlannerError
from planner.jobs.siting import (
    DEFAULT_THRESHOLD_M,
    DEFAULT_THRESHOLD_S,
    SitingJobResult,
    SitingRequest,
    run_siting,
)
from planner.report import build_report
from tests.support.projects import SITE_KEYS


def test_site_default_threshold_is_the_jobs_walk_in_metres():
    args = build_parser().parse_args(
        ["site", "--demand", "d", "--candidates", "c", "--model", "lscp", "--json", "o"]
    )
    assert args.threshold == DEFAULT_THRESHOLD_M
    walk = straight_line("walk").matrix(np.zeros((1, 2)), np.array([[DEFAULT_THRESHOLD_M, 0.0]]))
    assert walk[0, 0] == pytest.approx(DEFAULT_THRESHOLD_S)


def test_request_names_its_threshold_unit():
    with pytest.raises(PlannerError):
        SitingRequest(model="mclp", p=1, mode=None, threshold_m=None)
    assert SitingRequest(model="mclp", p=1, mode=None, threshold_m=500.0).threshold == 500.0
    assert SitingRequest(model="mclp", p=1, mode="walk", threshold_s=600.0).threshold == 600.0


def test_lscp_and_budget_runs_report_what_was_solved(city_project):  # noqa: F811
    lscp = run_siting(city_project, SitingRequest(model="lscp", p=5, threshold_s=900.0, time_limit_s=10))
    stored = city_project.latest_run("siting")["result"]
    assert stored["p"] is None and "p" not in stored["parameters"]
    assert stored["n_opened"] == len(stored["selected"]) == lscp.n_opened
    budget = run_siting(
        city_project,
        SitingRequest(model="mclp", p=5, budget=1.0, threshold_s=900.0, time_limit_s=10),
    )
    assert budget.n_opened == 1 and budget.parameters == {"p": 5, "budget": 1.0}
    again = SitingJobResult.from_json(city_project.latest_run("siting")["result"])
    assert again.to_json() == {k: v for k, v in budget.to_json().items() if k != "run_id"}


def test_target_model_on_a_project_and_on_files(city_project, site_files, tmp_path):  # noqa: F811
    result = run_siting(
        city_project, SitingRequest(model="target", target=0.5, threshold_s=900.0, time_limit_s=10)
    )
    assert result.p is None and result.parameters["target"] == 0.5
    assert result.covered_share >= 0.5
    out = tmp_path / "t.json"
    args = [
        "site",
        "--demand",
        str(site_files / "demand.geojson"),
        "--candidates",
        str(site_files / "cands.gpkg"),
        "--model",
        "target",
        "--target",
        "0.5",
    ]
    assert main([*args, "--threshold", "300", "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == SITE_KEYS | {"covered_share"}
    assert data["covered_share"] >= 0.5 and data["objective"] == len(data["selected"])


def test_fair_siting_by_age_group_reports_coverage_per_age(city_project):  # noqa: F811
    result = run_siting(
        city_project,
        SitingRequest(model="fair", p=1, threshold_s=900.0, time_limit_s=10, by_age=True),
    )
    assert set(result.by_age) == {"children", "working", "elderly"}
    for age in result.by_age:
        assert set(result.by_age[age]) == {"甲", "乙"}
    # The same 15 minutes reach less far at the elderly's slower walk.
    assert result.by_age["elderly"]["甲"]["share"] <= result.by_age["working"]["甲"]["share"]
    stored = city_project.latest_run("siting")
    assert stored["params"]["by_age"] is True and stored["result"]["by_age"] == result.by_age


def test_closable_library_and_required_candidate_in_one_run(city_project):  # noqa: F811
    request = SitingRequest(
        model="mclp",
        p=1,
        threshold_s=900.0,
        time_limit_s=10,
        required=("c2",),
        closable=("S1",),
        max_closures=1,
    )
    result = run_siting(city_project, request)
    assert "c2" in result.selected_ids
    assert result.n_opened - len(result.closed) <= 1 and set(result.closed) <= {"S1"}
    plan = city_project.latest_run("coverage", scenario="plan")
    assert plan["params"]["closed_ids"] == list(result.closed)
    if result.closed:
        assert result.lost_access is not None
    # Who loses access if S1 alone closes: people within reach of S1 and of no other library.
    assert set(result.closure_impact) == {"S1"}
    for rows in result.closure_impact["S1"].values():
        assert set(rows) <= {"甲", "乙"} and all(v > 0 for v in rows.values())
    with pytest.raises(PlannerError) as err:
        run_siting(city_project, SitingRequest(model="mclp", p=1, closable=("nope",), max_closures=1))
    assert err.value.field == "closable"


def test_frontier_reaches_the_stored_run_and_the_report(city_project):  # noqa: F811
    result = run_siting(
        city_project,
        SitingRequest(model="fair", p=1, threshold_s=900.0, time_limit_s=10, frontier_steps=3),
    )
    assert result.frontier and all(
        {"total_share", "worst_share", "selected"} <= set(pt) for pt in result.frontier
    )
    html = build_report(city_project, "en")
    assert "alt='frontier'" in html and "建标[2008]74号" in html


def test_site_capacity_field_limits_what_one_site_serves(site_files, tmp_path):  # noqa: F811
    import geopandas as gpd

    cands = gpd.read_file(site_files / "cands.gpkg")
    cands["seats"] = [50.0, 1000.0, 1000.0, 1000.0]  # c1 serves only half of d1's 100 people
    cands.to_file(site_files / "cap.gpkg")
    out = tmp_path / "cap.json"
    args = [
        "site",
        "--demand",
        str(site_files / "demand.geojson"),
        "--candidates",
        str(site_files / "cap.gpkg"),
        "--model",
        "mclp",
        "--p",
        "1",
        "--threshold",
        "400",
    ]
    assert main([*args, "--json", str(out)]) == 0
    free = json.loads(out.read_text(encoding="utf-8"))["covered_weight"]
    assert main([*args, "--capacity-field", "seats", "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert free == 100 and data["covered_weight"] == 100 and data["selected"] != ["c1"]
    cands["seats"] = [50.0, 10.0, 10.0, 10.0]
    cands.to_file(site_files / "cap.gpkg")
    assert main([*args, "--capacity-field", "seats", "--json", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["covered_weight"] == 50


def test_site_frontier_flag_adds_the_frontier_key_only(site_files, tmp_path):  # noqa: F811
    out = tmp_path / "f.json"
    args = [
        "site",
        "--demand",
        str(site_files / "demand.geojson"),
        "--candidates",
        str(site_files / "cands.gpkg"),
        "--model",
        "fair",
        "--p",
        "1",
        "--threshold",
        "400",
    ]
    assert main([*args, "--frontier", "3", "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == SITE_KEYS | {"frontier"} and data["frontier"]
    for point in data["frontier"]:
        assert 0 <= point["worst_share"] <= point["total_share"] + 1e-9 <= 1 + 1e-9


def test_planner_siting_on_a_project_takes_target_and_frontier(city_project, tmp_path):  # noqa: F811
    out = tmp_path / "s.json"
    code = main(
        [
            "siting",
            str(city_project.path),
            "--model",
            "target",
            "--target",
            "0.5",
            "--frontier",
            "3",
            "--travel",
            "straight",
            "--seconds",
            "10",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["p"] is None and data["parameters"]["target"] == 0.5
    assert data["covered_share"] >= 0.5 and data["frontier"]
