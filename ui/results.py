"""The Results panel: the project's runs, newest first, and the selected run's figures."""

from __future__ import annotations

from html import escape
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from planner.jobs.bookmobile_contract import BookmobileResult
from planner.jobs.courier import CourierResult
from planner.jobs.courier_week import CourierWeekResult
from planner.jobs.coverage import CoverageResult, district_rows_of
from planner.jobs.plan import PlanResult
from planner.jobs.siting_result import SitingJobResult
from planner.run_results import typed_result
from planner.run_titles import run_title
from ui.bookmobile_views import changes_html
from ui.courier_week import add_chart, courier_parts
from ui.strings import has, language, tr
from ui.table_models import RowsModel


def label_of(prefix: str, value: object) -> str:
    """A value through the label table (model_lscp → 集合覆盖…), or as it is."""
    return tr(f"{prefix}{value}") if has(f"{prefix}{value}") else str(value)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse'><tr>{head}</tr>{body}</table>"


def _clock(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    m = int(round(minutes))
    return f"{m // 60:02d}:{m % 60:02d}"


def run_html(run: dict[str, Any]) -> str:
    """The figures of one stored run as a small HTML page (names escaped: they come from files)."""
    result = typed_result(run)
    parts = [f"<h3>{escape(run_title(run, language()))}</h3>"]
    source = getattr(result, "cost_source", "")
    if source:
        parts.append(f"<p>{tr('cost_source')}: {escape(tr(f'source_{source}') if has(f'source_{source}') else source)}</p>")
    if isinstance(result, CoverageResult):
        parts += _coverage_parts(result)
    elif isinstance(result, SitingJobResult):
        parts += _siting_parts(result)
    elif isinstance(result, PlanResult):
        rows = [
            [y.year, ", ".join(y.opened), f"{y.cost:.2f}", _pct(y.covered_share), y.worst_district or ""]
            for y in result.years
        ]
        parts.append(_table([tr("year"), tr("n_opened"), tr("cost"), tr("share"), tr("worst_district")], rows))
        parts.append(f"<p>{tr('carry_over')} · {tr('gap')}: {result.gap:.2%}</p>")
    elif isinstance(result, BookmobileResult | CourierResult | CourierWeekResult):
        parts += _route_parts(result)
    return "\n".join(parts)


def _coverage_parts(result: CoverageResult) -> list[str]:
    """A coverage run: each district's population, covered and share, the total and equity."""
    rows = [[r.district, _num(r.population), _num(r.covered), _pct(r.share)] for r in result.by_district]
    total = result.total
    rows.append([tr("total"), _num(total.population), _num(total.covered), _pct(total.share)])
    parts = [_table([tr("district"), tr("population"), tr("covered"), tr("share")], rows)]
    equity = result.equity
    if equity.gini is not None:
        parts.append(
            f"<p><b>{tr('equity')}</b>: {tr('gini_seats')} {equity.gini:.3f} · {tr('theil_seats')} "
            f"{equity.theil or 0:.3f} · {tr('worst')} {escape(str(equity.worst_district or ''))} "
            f"{_pct(equity.worst_share)}</p>"
            f"<p style='color:#666'>{escape(tr('gini_note'))}</p>"
        )
    return parts


def _siting_parts(result: SitingJobResult) -> list[str]:
    """A siting run: before and after by district, the model and its parameters, the new sites
    and the frontier."""
    after = {r.district: r for r in district_rows_of(result.after)}
    rows = [
        [r.district, _num(r.population), _pct(r.share), _pct(after.get(r.district, r).share)]
        for r in district_rows_of(result.before)
    ]
    before_total, after_total = result.total_before, result.total_after
    rows.append(
        [
            tr("total"),
            _num(before_total.get("population")),
            _pct(before_total.get("share")),
            _pct(after_total.get("share")),
        ]
    )
    parameters = ", ".join(f"{k} = {v}" for k, v in result.parameters.items() if v is not None)
    parts = [
        f"<p>{tr('model')}: {escape(label_of('model_', result.model))} · "
        f"{escape(tr('sites_opened', n=result.n_opened))} · "
        f"{escape(parameters)} · "
        f"{tr('optimal')}: {tr('yes') if result.optimal else tr('no')} · {tr('gap')}: {result.gap:.2%}</p>",
        _table([tr("district"), tr("population"), tr("before"), tr("after")], rows),
    ]
    sites = [[s["id"], s.get("name") or "", s.get("district") or ""] for s in result.selected]
    parts.append(
        f"<h4>{tr('selected_sites')}</h4>" + _table([tr("col_id"), tr("col_name"), tr("district")], sites)
    )
    if result.frontier:
        points = [
            [k + 1, _pct(pt["total_share"]), _pct(pt["worst_share"]), ", ".join(pt["selected"])]
            for k, pt in enumerate(result.frontier)
        ]
        parts.append(
            f"<h4>{tr('frontier')}</h4>"
            + _table(["#", tr("frontier_x"), tr("frontier_y"), tr("selected_sites")], points)
        )
    return parts


def _route_parts(result: BookmobileResult | CourierResult | CourierWeekResult) -> list[str]:
    """A bookmobile or courier run: each vehicle-day, the totals, feasibility, the courier's plans
    or week, a re-plan's changes and what is not served."""
    rows = [
        [
            r.get("vehicle_name") or r["vehicle_id"],
            (f"{r['date']} " if r.get("date") else "")
            + (tr(f"day_{r['day']}") if has(f"day_{r.get('day')}") else r.get("day", "")),
            _clock(r.get("depart_min")),
            _clock(r.get("return_min")),
            f"{r['distance_km']:.1f}",
            f"{r['duration_h']:.2f}",
            len(r["stops"]),
        ]
        for r in result.routes
    ]
    head = ["vehicle", "day", "depart", "return", "km", "hours", "stops"]
    parts = [_table([tr(h) for h in head], rows)]
    totals = result.totals
    parts.append(
        f"<p>{tr('km')}: {totals.get('distance_km', 0):.1f} · {tr('hours')}: {totals.get('duration_h', 0):.1f} · "
        f"{tr('dropped')}: {totals.get('dropped', 0)}</p>"
    )
    if result.check:
        ok = result.check.get("feasible")
        parts.append(
            f"<p style='color:{'#1a7f37' if ok else '#b00'}'>{tr('feasible') if ok else tr('infeasible')}</p>"
        )
    if isinstance(result, BookmobileResult):
        parts.append(changes_html(result))
        dropped = [[d.stop, d.name, d.reason_zh if language() == "zh" else d.reason_en] for d in result.dropped]
    else:
        parts += _courier_parts(result)
        reason = f"reason_{language()}"
        dropped = [[d["id"], d.get("name", ""), d.get(reason, "")] for d in result.dropped]
    if dropped:
        parts.append(f"<h4>{tr('dropped')}</h4>" + _table([tr("col_id"), tr("col_name"), ""], dropped))
    return parts


class ResultsPanel(QWidget):
    """Runs list above, the selected run's figures below; `runSelected(id)` on selection."""

    runSelected = pyqtSignal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RowsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setAlternatingRowColors(True)
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setSizes([120, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(splitter)
        self._runs: list[dict[str, Any]] = []
        self.view.selectionModel().selectionChanged.connect(self._on_selection)

    def set_runs(self, runs: list[dict[str, Any]], select: int | None = None) -> None:
        """Show `runs` (newest first) and select run `select` (default: the newest)."""
        self._runs = runs
        self.retranslate()
        if runs:
            ids = [r["id"] for r in runs]
            self.view.selectRow(ids.index(select) if select in ids else 0)
        else:
            self.details.setHtml(f"<p style='color:#666'>{tr('no_runs')}</p>")

    def retranslate(self) -> None:
        current = self.selected_run_id()
        headers = [
            tr("col_id"),
            tr("col_title"),
            tr("col_created"),
            tr("col_seconds"),
            tr("col_status"),
        ]
        rows = [
            [
                r["id"],
                run_title(r, language()).split(" ", 1)[-1],
                (r.get("created_at") or "").replace("T", " "),
                round(float(r.get("seconds") or 0.0), 2),
                r.get("status") or "",
            ]
            for r in self._runs
        ]
        self.model.set_rows(headers, rows)
        self.view.resizeColumnsToContents()
        if current is not None:
            ids = [r["id"] for r in self._runs]
            if current in ids:
                self.view.selectRow(ids.index(current))
        if not self._runs:
            self.details.setHtml(f"<p style='color:#666'>{tr('no_runs')}</p>")

    def runs(self) -> list[dict[str, Any]]:
        """The runs shown, newest first."""
        return self._runs

    def selected_run_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        return int(self.model.row(rows[0].row())[0]) if rows else None

    def shown_html(self) -> str:
        return self.details.toPlainText()

    def _on_selection(self) -> None:
        run_id = self.selected_run_id()
        run = next((r for r in self._runs if r["id"] == run_id), None)
        if run is not None:
            add_chart(self.details.document(), typed_result(run))
            self.details.setHtml(run_html(run))
            self.runSelected.emit(run_id)


def _courier_parts(result: CourierResult | CourierWeekResult) -> list[str]:
    """The direct/hub comparison and both plans' routes (or the week), and the day's flow matrix."""
    parts = courier_parts(result)
    flows = result.flows if isinstance(result, CourierResult) else []
    if flows:
        names = {f["from"]: f.get("from_name", f["from"]) for f in flows} | {f["to"]: f.get("to_name", f["to"]) for f in flows}
        ids = sorted({f["from"] for f in flows} | {f["to"] for f in flows})
        crates = {(f["from"], f["to"]): f["crates"] for f in flows}
        matrix = [[names.get(a, a), *[crates.get((a, b), "") for b in ids]] for a in ids]
        parts.append(f"<h4>{tr('flows')}</h4>" + _table(["", *[names.get(b, b) for b in ids]], matrix))
    return parts
