"""The map shows the run the user picks, by default the latest coverage run of any name (not
the siting plan, not only a run named baseline); exports follow the pick."""

from __future__ import annotations

from planner.store import Project
from tests.support.qt import district_row, js

FILLS = (
    "(function () { var out = {}; plannerGroups['districts'].eachLayer(function (g) {"
    " if (g.eachLayer) g.eachLayer(function (f) { out[f.feature.properties.name] ="
    " f.feature.properties.share_text; }); }); return out; })()"
)


def _coverage(shares: tuple[float, float]) -> dict:
    rows = [
        district_row("鹿城区", 1000.0, 1000.0 * shares[0]),
        district_row("龙湾区", 800.0, 800.0 * shares[1]),
    ]
    return {
        "threshold": 900.0,
        "unit": "s",
        "mode": "walk",
        "cost_source": "straight-line",
        "by_district": rows,
        "total": {},
        "equity": {},
    }


def test_the_map_shows_the_latest_coverage_run_then_the_one_picked(qtbot, window, project_file):  # noqa: F811
    with Project.open(project_file) as project:
        first = project.add_run("coverage", _coverage((0.10, 0.20)), scenario="baseline")
        project.add_run("coverage", _coverage((0.90, 0.90)), scenario="plan")
        project.add_run(
            "siting",
            {"model": "fair", "p": 1, "selected": [], "before": [], "after": []},
            scenario="plan",
        )
        latest = project.add_run("coverage", _coverage((0.025, 0.30)), scenario="5分钟")
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        window.reload_runs()
        window.refresh_map()
    assert js(qtbot, window, FILLS) == {"鹿城区": "2.5%", "龙湾区": "30.0%"}  # the 5-minute run
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        window.results.set_runs(window.project.runs(), select=first)
    assert window.map_run_id == first
    assert js(qtbot, window, FILLS) == {"鹿城区": "10.0%", "龙湾区": "20.0%"}
    assert latest != first


def test_a_map_rebuilt_behind_the_compare_tab_draws_once_shown_again(qtbot, window):  # noqa: F811
    window.centre_tabs.setCurrentWidget(window.compare)
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        window.refresh_map()  # Leaflet loads in a hidden view: no size, nothing drawn
    with qtbot.waitSignal(window.map_view.mapLoaded, timeout=20_000):
        window.centre_tabs.setCurrentWidget(window.map_view)
    size = js(
        qtbot,
        window,
        "(function () { var m = Object.values(window).find(function (v) {"
        " return v instanceof L.Map; }); return m.getSize().x; })()",
    )
    assert size > 100
