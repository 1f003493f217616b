"""The Plan tab: years, budget per year and a growth table (district × year multipliers) for
the phased plan job (planner.jobs.plan.run_plan, the same function as `planner plan`)."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from planner.errors import PlannerError
from planner.jobs.plan import PlanRequest, run_plan
from ui.job_forms import ThresholdInput, _Form, _seconds_spin
from ui.strings import tr
from ui.workers import Job


class PlanForm(_Form):
    title_key = "plan"
    hint_key = "plan_hint"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        years = QWidget()
        row = QHBoxLayout(years)
        row.setContentsMargins(0, 0, 0, 0)
        self.first_year, self.last_year = QSpinBox(), QSpinBox()
        for spin, value in ((self.first_year, 2026), (self.last_year, 2030)):
            spin.setRange(2000, 2100)
            spin.setValue(value)
            spin.valueChanged.connect(self._years_changed)
            row.addWidget(spin)
        self.row("plan_years", years)
        self.budget = self.row("budget_per_year", QDoubleSpinBox())
        self.budget.setRange(0.0, 1e12)
        self.budget.setDecimals(2)
        self.budget.setValue(3.0)
        self.threshold = self.row("threshold", ThresholdInput(15))
        self.time_limit = self.row("time_limit", _seconds_spin(60.0))
        self.travel_row()
        self.growth = QTableWidget(0, 1)
        self.growth.setMinimumHeight(120)
        self.row("growth_table", self.growth)
        buttons = QWidget()
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        self.add_row, self.remove_row = QPushButton("+"), QPushButton("−")
        self.add_row.clicked.connect(self._add_row)
        self.remove_row.clicked.connect(
            lambda: (
                self.growth.removeRow(max(self.growth.currentRow(), 0))
                if self.growth.rowCount()
                else None
            )
        )
        row.addWidget(self.add_row)
        row.addWidget(self.remove_row)
        row.addStretch(1)
        self.form.addRow("", buttons)
        self._years_changed()
        self.retranslate()

    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year.value(), self.last_year.value() + 1))

    def _years_changed(self) -> None:
        years = self.years()
        self.growth.setColumnCount(1 + len(years))
        self._header()

    def _header(self) -> None:
        self.growth.setHorizontalHeaderLabels([tr("district"), *[str(y) for y in self.years()]])

    def _add_row(self) -> None:
        r = self.growth.rowCount()
        self.growth.insertRow(r)
        for c in range(1, self.growth.columnCount()):
            self.growth.setItem(r, c, QTableWidgetItem("1.0"))

    def retranslate(self) -> None:
        super().retranslate()
        self.threshold.retranslate()
        self._header()

    def growth_cells(self) -> list[tuple[str, list[str]]]:
        """The table's text as (district, factor texts per year), blank districts skipped."""
        rows = []
        for r in range(self.growth.rowCount()):
            item = self.growth.item(r, 0)
            name = item.text().strip() if item else ""
            if name:
                cells = [self.growth.item(r, c) for c in range(1, self.growth.columnCount())]
                rows.append((name, [c.text().strip() if c else "" for c in cells]))
        return rows

    def job(self, project_path: Path | None) -> Job:
        years = self.years()
        cells = self.growth_cells()
        threshold, mode = self.threshold.value()
        budget, time_limit = self.budget.value(), self.time_limit.value()
        travel = self.travel.currentData()

        def run(project, control):  # noqa: ANN001, ANN202  (the worker's signature)
            if not years:
                raise PlannerError(
                    "结束年不能早于开始年",
                    "the last year must not precede the first",
                    field=tr("plan_years"),
                )
            request = PlanRequest(
                years=years,
                budget_per_year=budget,
                growth=parse_growth(cells, years),
                threshold_s=threshold if mode is not None else None,
                threshold_m=threshold if mode is None else None,
                mode=mode,
                time_limit_s=time_limit,
                travel=travel,
            )
            return run_plan(project, request, control=control)

        return Job(tr("job_plan"), run, project_path, stores_run=True)


def parse_growth(
    cells: list[tuple[str, list[str]]], years: tuple[int, ...]
) -> dict[str, tuple[float, ...]]:
    """District → factor per year (blank is 1); a bad cell is the user's error naming its row
    and year."""
    out: dict[str, tuple[float, ...]] = {}
    for r, (name, texts) in enumerate(cells, start=1):
        factors = []
        for year, text in zip(years, texts, strict=True):
            try:
                value = float(text) if text else 1.0
            except ValueError:
                value = -1.0
            if not value >= 0:
                raise PlannerError(
                    "增长系数必须是非负数",
                    "a growth factor must be a non-negative number",
                    row=r,
                    field=str(year),
                )
            factors.append(value)
        out[name] = tuple(factors)
    return out
