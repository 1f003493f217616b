"""Chinese chart labels draw with the installed CJK font, in the report and in the window's
compare chart: no "Glyph … missing" warning even when matplotlib's settings are the defaults."""

from __future__ import annotations

import warnings

import matplotlib
import pytest
from matplotlib import font_manager

from planner.fonts import cjk_font_file
from planner.report import build_report
from ui.compare import CompareWidget

pytestmark = pytest.mark.skipif(cjk_font_file() is None, reason="no CJK font installed")


@pytest.fixture
def fresh_machine(monkeypatch):
    """matplotlib as on a fresh machine: default settings, and a font cache built before the
    CJK fonts were installed (so it knows none of them)."""
    manager = font_manager.fontManager
    known = [f for f in manager.ttflist if not any(k in f.fname for k in ("CJK", "wqy"))]
    monkeypatch.setattr(manager, "ttflist", known)
    manager._findfont_cached.cache_clear()
    matplotlib.rcdefaults()
    yield
    manager._findfont_cached.cache_clear()


def _glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "Glyph" in str(w.message)]


def test_the_report_chart_draws_chinese_without_missing_glyphs(map_project, fresh_machine):  # noqa: F811
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = build_report(map_project, "zh", maps=False)
    assert "data:image/png" in html
    assert _glyph_warnings(caught) == []


def test_the_compare_chart_draws_chinese_without_missing_glyphs(qtbot, map_project, fresh_machine):  # noqa: F811
    first = map_project.latest_run("coverage")
    map_project.add_run("coverage", first["result"], scenario="10分钟")  # two runs to compare
    widget = CompareWidget()
    qtbot.addWidget(widget)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        widget.set_runs(map_project.runs())
        widget.canvas.draw()
    assert widget.figure.axes, "the chart drew nothing"
    labels = [t.get_text() for t in widget.figure.axes[0].get_xticklabels()]
    assert any("区" in label or "县" in label for label in labels)
    assert _glyph_warnings(caught) == []


def test_chart_labels_are_text_not_mathtext():
    """A district written as "$\\nosuchcommand{1}$" is drawn as those characters (user text is data;
    as mathtext it raised while drawing the report's chart)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from planner.fonts import use_cjk_font

    use_cjk_font()
    fig, ax = plt.subplots()
    label = ax.set_title("$\\nosuchcommand{1}$ 鹿城区")
    fig.canvas.draw()  # as mathtext this raises ValueError (an unknown command)
    assert label.get_text() == "$\\nosuchcommand{1}$ 鹿城区"
    plt.close(fig)
