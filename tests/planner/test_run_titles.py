"""Run titles name each run's key settings, so two siting runs are told apart by eye."""

from __future__ import annotations

from planner.run_titles import run_title


def _siting(model: str, p: int, budget: float | None, opened: int) -> dict:
    params = {"model": model, "p": p, "threshold": 900.0, "mode": "walk", "budget": budget}
    result = {
        "model": model,
        "p": p,
        "threshold": 900.0,
        "unit": "s",
        "mode": "walk",
        "cost_source": "network",
        "selected": [{"id": str(i)} for i in range(opened)],
    }
    return {"id": 7, "kind": "siting", "scenario": "plan", "params": params, "result": result}


def test_a_coverage_title_names_threshold_mode_source_and_scenario():
    run = {
        "id": 12,
        "kind": "coverage",
        "scenario": "10分钟",
        "params": {},
        "result": {"threshold": 600.0, "unit": "s", "mode": "walk", "cost_source": "network"},
    }
    assert run_title(run, "zh") == "#12 覆盖「10分钟」 · 步行 10 分钟 · 路网"
    metres = dict(
        run, result={"threshold": 1000.0, "unit": "m", "mode": None, "cost_source": "straight-line"}
    )
    assert "直线距离 1000 米" in run_title(metres, "zh")
    assert "1000 m" in run_title(metres, "en")


def test_siting_titles_show_the_model_its_own_parameters_and_sites_opened():
    lscp = run_title(_siting("lscp", 5, None, 213), "zh")
    assert "集合覆盖" in lscp and "新开 213 处" in lscp and "p =" not in lscp
    assert "plan" not in lscp
    budget = run_title(_siting("mclp", 5, 3.0, 3), "zh")
    assert "最大覆盖" in budget and "预算 3 标准站点" in budget and "新开 3 处" in budget
    assert run_title(_siting("pmedian", 4, None, 4), "en").startswith(
        "#7 siting · p-median · p = 4"
    )


def test_the_runs_list_and_details_show_titles_and_p_only_where_the_model_takes_it(qtbot):
    from ui.results import ResultsPanel
    from ui.strings import language

    panel = ResultsPanel()
    qtbot.addWidget(panel)
    lscp, mclp = _siting("lscp", 5, None, 213), dict(_siting("mclp", 5, None, 5), id=8)
    panel.set_runs([mclp, lscp], select=7)
    cells = [panel.model.row(i)[1] for i in range(2)]
    assert cells[1] == run_title(lscp, language()).split(" ", 1)[1]
    assert "p = " not in panel.shown_html() and "213" in panel.shown_html()
    panel.set_runs([mclp, lscp], select=8)
    assert "p = 5" in panel.shown_html()
