"""Scenario compare: two runs side by side, as a table and a bar chart (matplotlib in Qt).

Coverage and siting runs compare by district share (a siting run offers its before and after);
bookmobile and courier runs compare by each vehicle's kilometres and hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PyQt6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from planner.fonts import use_cjk_font
from planner.jobs.bookmobile_contract import BookmobileResult
from planner.jobs.courier import CourierResult
from planner.jobs.courier_week import CourierWeekResult
from planner.jobs.coverage import CoverageEquity, CoverageResult, district_rows_of
from planner.jobs.plan import PlanResult
from planner.jobs.siting_result import SitingJobResult
from planner.plan_figures import chosen_point, frontier_figure, timeline_figure
from planner.run_results import typed_result
from planner.run_titles import run_title, settings_text
from ui import strings
from ui.strings import language, tr
from ui.table_models import RowsModel

CHART_MIN_W, CHART_MIN_H = 420, 300  # pixels: below this the district names overlap


@dataclass(frozen=True)
class Entry:
    """One side a user can pick: a run, or the before/after half of a siting run."""

    run_id: int
    label: str
    family: str  # "coverage", "routes", "timeline" or "frontier"
    data: Any  # DistrictCoverage rows, routes, PlanYearRow rows, or the SitingJobResult
    total_share: float | None = None  # the city's share stored with the run (coverage)
    equity: CoverageEquity | None = None  # Gini, Theil, worst district (coverage runs)


def entries(runs: list[dict[str, Any]]) -> list[Entry]:
    found: list[Entry] = []
    for run in runs:
        result = typed_result(run)
        title = run_title(run, language())
        if isinstance(result, CoverageResult):
            found.append(
                Entry(run["id"], title, "coverage", result.by_district, result.total.share, result.equity)
            )
        elif isinstance(result, SitingJobResult):
            settings = settings_text(run, language())
            found.append(
                Entry(
                    run["id"],
                    f"{tr('before_of', id=run['id'])} · {settings}",
                    "coverage",
                    district_rows_of(result.before),
                    result.total_before.get("share"),
                )
            )
            found.append(
                Entry(
                    run["id"],
                    f"{tr('after_of', id=run['id'])} · {settings}",
                    "coverage",
                    district_rows_of(result.after),
                    result.total_after.get("share"),
                )
            )
            if result.frontier:
                found.append(Entry(run["id"], f"#{run['id']} {tr('frontier')}", "frontier", result))
        elif isinstance(result, PlanResult):
            found.append(Entry(run["id"], title, "timeline", result.years))
        elif isinstance(result, BookmobileResult | CourierResult | CourierWeekResult):
            found.append(Entry(run["id"], title, "routes", list(result.routes)))
    return found


def _share_row(name: str, sa: float | None, sb: float | None) -> list[str]:
    delta = f"{(sb - sa) * 100:+.1f}" if sa is not None and sb is not None else "—"
    return [name, "—" if sa is None else f"{sa:.1%}", "—" if sb is None else f"{sb:.1%}", delta]


def _total_share(entry: Entry) -> float | None:
    """The city's share: the stored total, else covered over population of the districts."""
    if entry.total_share is not None:
        return float(entry.total_share)
    population = sum(float(r.population or 0) for r in entry.data)
    covered = sum(float(r.covered or 0) for r in entry.data)
    return covered / population if population else None


def _equity_rows(a: Entry, b: Entry) -> list[list[str]]:
    """Gini and Theil of seats per person and the worst-covered district, for each side."""
    ea, eb = a.equity or CoverageEquity(), b.equity or CoverageEquity()
    rows = []
    for key in ("gini", "theil"):
        va, vb = getattr(ea, key), getattr(eb, key)
        delta = f"{vb - va:+.3f}" if va is not None and vb is not None else "—"
        rows.append([tr(f"{key}_seats"), _fmt3(va), _fmt3(vb), delta])

    def worst(e: CoverageEquity) -> str:
        if not e.worst_district:
            return "—"
        return f"{e.worst_district} {e.worst_share or 0:.1%}"

    rows.append([tr("worst"), worst(ea), worst(eb), ""])
    return rows


def _fmt3(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _per_vehicle(routes: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    totals: dict[str, tuple[float, float]] = {}
    for route in routes:
        name = route.get("vehicle_name") or route["vehicle_id"]
        km, hours = totals.get(name, (0.0, 0.0))
        totals[name] = (km + route["distance_km"], hours + route["duration_h"])
    return totals


class CompareWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_a, self.run_b = QComboBox(), QComboBox()
        self.label_a, self.label_b = QLabel(), QLabel()
        form = QFormLayout()
        form.addRow(self.label_a, self.run_a)
        form.addRow(self.label_b, self.run_b)
        self.message = QLabel()
        self.message.setStyleSheet("color:#b35900")
        self.message.setWordWrap(True)
        self.model = RowsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.figure = Figure(figsize=(5, 3), tight_layout=True)
        self.canvas = FigureCanvasQTAgg(self.figure)
        # The chart on its own tab, never squeezed below a readable size: a narrow dock scrolls.
        self.canvas.setMinimumSize(CHART_MIN_W, CHART_MIN_H)
        chart = QScrollArea()
        chart.setWidget(self.canvas)
        chart.setWidgetResizable(True)
        self.views = QTabWidget()
        self.views.addTab(self.table, "")
        self.views.addTab(chart, "")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#555")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.views, 1)
        layout.addWidget(self.note)
        self._entries: list[Entry] = []
        self.run_a.currentIndexChanged.connect(self.refresh)
        self.run_b.currentIndexChanged.connect(self.refresh)
        self.retranslate()

    def retranslate(self) -> None:
        self.label_a.setText(tr("run_a"))
        self.label_b.setText(tr("run_b"))
        self.views.setTabText(0, tr("compare_table"))
        self.views.setTabText(1, tr("compare_chart"))
        self.note.setText(tr("gini_note"))
        self.note.setToolTip(tr("gini_note"))
        self.refresh()

    def set_runs(self, runs: list[dict[str, Any]]) -> None:
        """Offer these runs; by default the two newest comparable ones (before/after of a siting run)."""
        self._entries = entries(runs)
        for combo in (self.run_a, self.run_b):
            combo.blockSignals(True)
            combo.clear()
            for entry in self._entries:
                combo.addItem(entry.label)
            combo.blockSignals(False)
        if len(self._entries) >= 2:
            first = self._entries[0]
            second = next(
                (i for i, e in enumerate(self._entries[1:], 1) if e.family == first.family), 1
            )
            # older on the left; a siting run's own entries come as (before, after) already
            same_run = self._entries[second].run_id == first.run_id
            a, b = (0, second) if same_run else (second, 0)
            self.run_a.setCurrentIndex(a)
            self.run_b.setCurrentIndex(b)
        self.refresh()

    def choose(self, a: int, b: int) -> None:
        self.run_a.setCurrentIndex(a)
        self.run_b.setCurrentIndex(b)

    def refresh(self) -> None:
        use_cjk_font()
        self.figure.clear()
        self.message.clear()
        ia, ib = self.run_a.currentIndex(), self.run_b.currentIndex()
        if ia < 0 or ib < 0 or not self._entries:
            self.model.set_rows([], [])
            self.canvas.draw_idle()
            return
        a, b = self._entries[ia], self._entries[ib]
        if "timeline" in (a.family, b.family):
            self._timeline(a if a.family == "timeline" else b)
        elif "frontier" in (a.family, b.family):
            self._frontier(a if a.family == "frontier" else b)
        elif a.family != b.family:
            self.message.setText(tr("compare_same_kind"))
            self.model.set_rows([], [])
        elif a.family == "coverage":
            self._coverage(a, b)
        else:
            self._routes(a, b)
        self.canvas.draw_idle()

    def _coverage(self, a: Entry, b: Entry) -> None:
        share_b = {r.district: r.share for r in b.data}
        districts = [r.district for r in a.data] + [
            d for d in share_b if d not in {r.district for r in a.data}
        ]
        share_a = {r.district: r.share for r in a.data}
        rows = [_share_row(d, share_a.get(d), share_b.get(d)) for d in districts]
        rows.append(_share_row(tr("total"), _total_share(a), _total_share(b)))
        rows += _equity_rows(a, b)
        self.model.set_rows([tr("district"), tr("run_a"), tr("run_b"), tr("delta_pp")], rows)
        self.table.resizeColumnsToContents()
        ax = self.figure.add_subplot(1, 1, 1)
        x = range(len(districts))
        width = 0.4
        ax.bar(
            [i - width / 2 for i in x],
            [100 * share_a.get(d, 0) for d in districts],
            width,
            label=f"{tr('run_a')}：{a.label}",
            color="#9ecae1",
        )
        ax.bar(
            [i + width / 2 for i in x],
            [100 * share_b.get(d, 0) for d in districts],
            width,
            label=f"{tr('run_b')}：{b.label}",
            color="#3182bd",
        )
        ax.set_xticks(list(x), districts, rotation=45, ha="right", fontsize=8)
        ax.set_ylabel(tr("share") + " (%)")
        ax.set_ylim(0, 100)
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)

    def _routes(self, a: Entry, b: Entry) -> None:
        va, vb = _per_vehicle(a.data), _per_vehicle(b.data)
        vehicles = list(va) + [v for v in vb if v not in va]
        rows = []
        for v in vehicles:
            ka, ha = va.get(v, (0.0, 0.0))
            kb, hb = vb.get(v, (0.0, 0.0))
            rows.append([v, round(ka, 1), round(kb, 1), round(ha, 2), round(hb, 2)])
        ta = [sum(x) for x in zip(*va.values(), strict=False)] or [0.0, 0.0]
        tb = [sum(x) for x in zip(*vb.values(), strict=False)] or [0.0, 0.0]
        rows.append(
            [tr("total"), round(ta[0], 1), round(tb[0], 1), round(ta[1], 2), round(tb[1], 2)]
        )
        self.model.set_rows(
            [
                tr("vehicle"),
                f"{tr('km')} A",
                f"{tr('km')} B",
                f"{tr('hours')} A",
                f"{tr('hours')} B",
            ],
            rows,
        )
        self.table.resizeColumnsToContents()
        width = 0.4
        for k, (key, index) in enumerate((("km", 0), ("hours", 1))):
            ax = self.figure.add_subplot(1, 2, k + 1)
            x = range(len(vehicles))
            ax.bar(
                [i - width / 2 for i in x],
                [va.get(v, (0, 0))[index] for v in vehicles],
                width,
                label="A",
                color="#a1d99b",
            )
            ax.bar(
                [i + width / 2 for i in x],
                [vb.get(v, (0, 0))[index] for v in vehicles],
                width,
                label="B",
                color="#31a354",
            )
            ax.set_xticks(list(x), vehicles, rotation=45, ha="right", fontsize=8)
            ax.set_title(tr(key), fontsize=9)
            ax.legend(fontsize=8)
            ax.grid(axis="y", alpha=0.3)

    def _timeline(self, plan: Entry) -> None:
        """A phased plan: its year-by-year table and covered share by year."""
        rows = [
            [y.year, len(y.opened), f"{y.cost:.2f}", f"{y.covered_share:.1%}", y.worst_district or ""]
            for y in plan.data
        ]
        head = [tr(k) for k in ("year", "n_opened", "cost", "share", "worst_district")]
        self.model.set_rows(head, rows)
        self.table.resizeColumnsToContents()
        timeline_figure(plan.data, strings.language(), figure=self.figure)

    def _frontier(self, run: Entry) -> None:
        """A siting run's efficiency–equity frontier: each point a plan (its sites listed), the
        run's own plan starred."""
        siting: SitingJobResult = run.data
        points = siting.frontier
        rows = [
            [k + 1, f"{pt['total_share']:.1%}", f"{pt['worst_share']:.1%}", ", ".join(pt["selected"])]
            for k, pt in enumerate(points)
        ]
        self.model.set_rows(["#", tr("frontier_x"), tr("frontier_y"), tr("selected_sites")], rows)
        self.table.resizeColumnsToContents()
        frontier_figure(points, chosen_point(siting), strings.language(), figure=self.figure)
