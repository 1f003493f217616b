"""Phased plan: the CP-SAT plan equals a brute force over every candidate's opening year, and
`planner plan` on a project writes the contract JSON and one coverage run per year."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from models.costs import straight_line
from models.siting import SitingProblem, solve_phased

METRES = straight_line(None)
R = 900.0


def _brute_force(demand, weights, cands, ex, price, budgets, mult):
    """Best Σ over years of covered weight, trying every opening year (or never) per candidate."""
    n_t = len(budgets)
    cum = np.cumsum(budgets)
    d_ex = np.sqrt(((demand[:, None] - ex[None]) ** 2).sum(-1)).min(1) if len(ex) else np.inf
    d_c = np.sqrt(((demand[:, None] - cands[None]) ** 2).sum(-1))
    best = -1.0
    for when in itertools.product(range(n_t + 1), repeat=len(cands)):
        when = np.array(when)
        total = 0.0
        ok = True
        for t in range(n_t):
            is_open = when <= t
            if price[is_open].sum() > cum[t] + 1e-9:
                ok = False
                break
            hit = (d_ex <= R) | (d_c[:, is_open] <= R).any(1)
            total += (weights * mult[:, t])[hit].sum()
        if ok:
            best = max(best, total)
    return best


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_phased_plan_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 3000, (25, 2))
    weights = rng.integers(1, 40, 25).astype(float)
    cands = rng.uniform(0, 3000, (5, 2))
    ex = rng.uniform(0, 3000, (1, 2))
    price = rng.integers(1, 4, 5).astype(float)
    groups = np.where(demand[:, 0] < 1500, "西", "东")
    growth = {"东": [1.0, 1.2, 1.5]}
    mult = np.ones((25, 3))
    mult[groups == "东"] = [1.0, 1.2, 1.5]
    budgets = [2.0, 1.0, 2.0]
    problem = SitingProblem(
        demand, weights, cands, METRES, R, existing_xy=ex, groups=groups, candidate_cost=price
    )
    plan = solve_phased(problem, [2026, 2027, 2028], budgets, growth=growth)
    best = _brute_force(demand, weights, cands, ex, price, budgets, mult)
    assert plan.optimal and plan.gap == 0.0
    assert plan.objective == pytest.approx(best)
    spent = 0.0
    for t, year in enumerate(plan.years):
        spent += year.cost
        assert spent <= sum(budgets[: t + 1]) + 1e-9  # carry-over, never beyond
        assert year.cost <= year.budget_available + 1e-9
    opened = np.concatenate([y.opened for y in plan.years])
    assert opened.size == np.unique(opened).size  # a site opens once and stays open


from planner.cli import main  # noqa: E402
from planner.report import build_report  # noqa: E402

PLAN_KEYS = {"year", "opened", "cost", "covered", "covered_share", "worst_district"}


def test_plan_cli_writes_the_contract_and_a_run_per_year(city_project, tmp_path, capsys):  # noqa: F811
    growth = tmp_path / "growth.csv"
    growth.write_text("district,2026,2027,2028\n乙,1.0,2.0,3.0\n", encoding="utf-8")
    out = tmp_path / "plan.json"
    code = main(
        [
            "plan",
            str(city_project.path),
            "--years",
            "2026-2028",
            "--budget-per-year",
            "0.5",
            "--growth",
            str(growth),
            "--travel",
            "straight",
            "--mode",
            "walk",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"years", "objective", "gap"}
    assert [y["year"] for y in data["years"]] == [2026, 2027, 2028]
    assert all(set(y) == PLAN_KEYS for y in data["years"])
    # 0.5 a year buys a 1.0 site only by carrying 2026's budget into 2027; 2028 has 0.5 left.
    assert [len(y["opened"]) for y in data["years"]] == [0, 1, 0]
    printed = capsys.readouterr().out
    assert "结转" in printed or "carries over" in printed
    assert data["objective"] == pytest.approx(sum(y["covered"] for y in data["years"]))
    timeline = city_project.runs("coverage")
    assert {r["scenario"] for r in timeline} >= {"plan 2026", "plan 2027", "plan 2028"}
    html = build_report(city_project, "en")
    assert "Phased plan" in html and "alt='timeline'" in html and "2027" in html


def test_plan_cli_exits_2_naming_a_bad_growth_cell(city_project, tmp_path, capsys):  # noqa: F811
    growth = tmp_path / "growth.csv"
    growth.write_text("district,2026\n乙,lots\n", encoding="utf-8")
    before = len(city_project.runs())
    code = main(
        [
            "plan",
            str(city_project.path),
            "--years",
            "2026",
            "--budget-per-year",
            "1",
            "--growth",
            str(growth),
            "--json",
            str(tmp_path / "x.json"),
        ]
    )
    assert code == 2
    assert "2026" in capsys.readouterr().err
    assert len(city_project.runs()) == before


def test_plan_request_names_its_threshold_unit():
    from planner.errors import PlannerError
    from planner.jobs.plan import PlanRequest

    assert PlanRequest((2026,), 1.0, mode=None, threshold_m=960.0).threshold == 960.0
    assert PlanRequest((2026,), 1.0, threshold_s=600.0).threshold == 600.0
    with pytest.raises(PlannerError):
        _ = PlanRequest((2026,), 1.0, mode=None).threshold
