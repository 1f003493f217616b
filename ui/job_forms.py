"""Parameter forms for the four jobs. Each form turns what the user set into a `Job` (a call
of one planner.jobs function) when its Run button is pressed; the window runs it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from planner.errors import PlannerError
from planner.i18n import text
from planner.jobs.bookmobile import run_bookmobile_plan
from planner.jobs.bookmobile_contract import BookmobileRequest
from planner.jobs.courier import CourierRequest, run_courier_day
from planner.jobs.courier_week import CourierWeekRequest, run_courier_week
from planner.jobs.coverage import run_coverage
from planner.jobs.siting import SitingRequest, run_siting
from ui.bookmobile_views import DateRangeEdit
from ui.strings import has, tr
from ui.workers import Job

MODES = ("walk", "bicycle", "drive", None)  # None: straight-line distance in metres
TRAVELS = (None, "network", "straight")  # None: the project's roads when it has them
SITING_MODELS = ("fair", "mclp", "pmedian", "pcenter", "lscp", "target")


class _Form(QWidget):
    """A hint, a form of parameters, and a Run button."""

    runRequested = pyqtSignal()
    title_key = ""
    hint_key = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels: list[tuple[Any, str]] = []
        outer = QVBoxLayout(self)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color:#555")
        outer.addWidget(self.hint)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.form)
        outer.addStretch(1)
        self.run_button = QPushButton()
        self.run_button.setObjectName(f"run_{self.title_key}")
        self.run_button.setMinimumHeight(30)
        self.run_button.clicked.connect(self.runRequested)
        outer.addWidget(self.run_button)

    def row(self, key: str, widget: QWidget) -> QWidget:
        label = QLabel()
        self._labels.append((label, key))
        self.form.addRow(label, widget)
        return widget

    def retranslate(self) -> None:
        self.hint.setText(tr(self.hint_key))
        self.run_button.setText(tr("run") + " · " + tr(f"job_{self.title_key}"))
        for widget, key in self._labels:
            widget.setText(tr(key))
        if hasattr(self, "travel"):
            index = max(self.travel.currentIndex(), 0)
            self.travel.clear()
            for travel in TRAVELS:
                self.travel.addItem(tr(f"travel_{travel or 'auto'}"), travel)
            self.travel.setCurrentIndex(index)

    def travel_row(self) -> QComboBox:
        """Along the project's roads or straight lines (the job's `travel`)."""
        self.travel = self.row("travel", QComboBox())
        self.travel.setObjectName(f"travel_{self.title_key}")
        return self.travel

    def job(self, project_path: Path | None) -> Job:
        """The job for what the form holds; PlannerError naming the field when it is wrong."""
        raise NotImplementedError


def field_error(field_key: str, key: str, **fields: object) -> PlannerError:
    """A user-input error in a form, naming the field by its label, in both languages."""
    zh, en = (text(key, lang, **fields) for lang in ("zh", "en"))
    return PlannerError(zh, en, field=tr(field_key))  # the box says 字段 “日期”：…


class ThresholdInput(QWidget):
    """Travel mode and threshold: minutes for a mode, metres for straight-line distance."""

    def __init__(self, minutes: int = 15, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.mode = QComboBox()
        self.amount = QSpinBox()
        self.amount.setRange(1, 100_000)
        self.amount.setValue(minutes)
        self._minutes, self._metres = minutes, 1000
        layout.addWidget(self.mode, 1)
        layout.addWidget(self.amount, 1)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.retranslate()

    def retranslate(self) -> None:
        index = max(self.mode.currentIndex(), 0)
        self.mode.blockSignals(True)
        self.mode.clear()
        for mode in MODES:
            self.mode.addItem(tr(f"mode_{mode or 'distance'}"), mode)
        self.mode.setCurrentIndex(index)
        self.mode.blockSignals(False)
        self.amount.setSuffix(tr("unit_m") if self.mode.currentData() is None else tr("unit_min"))

    def _mode_changed(self) -> None:
        metres = self.mode.currentData() is None
        if metres and self.amount.suffix() != tr("unit_m"):
            self._minutes = self.amount.value()
            self.amount.setValue(self._metres)
        elif not metres and self.amount.suffix() == tr("unit_m"):
            self._metres = self.amount.value()
            self.amount.setValue(self._minutes)
        self.amount.setSuffix(tr("unit_m") if metres else tr("unit_min"))

    def value(self) -> tuple[float, str | None]:
        """(threshold, mode): seconds for a mode, metres for straight-line distance."""
        mode = self.mode.currentData()
        return (float(self.amount.value()) if mode is None else self.amount.value() * 60.0), mode


def _limited(control: Any, time_limit_s: float) -> Any:
    """The worker's control, carrying the form's time limit (the one place a limit travels)."""
    control.time_limit_s = time_limit_s
    return control


def _seconds_spin(default: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(0.5, 3600.0)
    spin.setDecimals(1)
    spin.setValue(default)
    spin.setSuffix(" s")
    return spin


class CoverageForm(_Form):
    title_key = "coverage"
    hint_key = "coverage_hint"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.threshold = self.row("threshold", ThresholdInput(15))
        self.kinds = self.row("kinds", QListWidget())
        self.kinds.setMaximumHeight(130)
        self.scenario = self.row("scenario", QLineEdit("baseline"))
        self.travel_row()
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        self.threshold.retranslate()
        for i in range(self.kinds.count()):
            item = self.kinds.item(i)
            kind = item.data(Qt.ItemDataRole.UserRole)
            item.setText(tr(f"kind_{kind}") if has(f"kind_{kind}") else kind)

    def set_kinds(self, kinds: list[str]) -> None:
        """Offer the service kinds the project has, all ticked."""
        self.kinds.clear()
        for kind in kinds:
            item = QListWidgetItem(tr(f"kind_{kind}") if has(f"kind_{kind}") else kind)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.kinds.addItem(item)

    def chosen_kinds(self) -> list[str] | None:
        items = [self.kinds.item(i) for i in range(self.kinds.count())]
        ticked = [
            i.data(Qt.ItemDataRole.UserRole)
            for i in items
            if i.checkState() == Qt.CheckState.Checked
        ]
        return None if len(ticked) == len(items) else ticked

    def job(self, project_path: Path | None) -> Job:
        threshold, mode = self.threshold.value()
        kinds, scenario = self.chosen_kinds(), self.scenario.text().strip() or "baseline"
        travel = self.travel.currentData()
        if kinds == []:
            raise field_error("kinds", "form_no_kinds")
        return Job(
            tr("job_coverage"),
            lambda project, control: run_coverage(
                project,
                threshold=threshold,
                mode=mode,
                kinds=kinds,
                scenario=scenario,
                travel=travel,
                control=control,
            ),
            project_path,
            stores_run=True,
        )


class SitingForm(_Form):
    title_key = "siting"
    hint_key = "siting_hint"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = self.row("model", QComboBox())
        self.p = self.row("p_sites", QSpinBox())
        self.p.setRange(1, 500)
        self.p.setValue(10)
        self.threshold = self.row("threshold", ThresholdInput(15))
        self.time_limit = self.row("time_limit", _seconds_spin(60.0))
        self.floor = self.row("floor", QDoubleSpinBox())  # a percentage, as every result is
        self.floor.setRange(0.0, 100.0)
        self.floor.setDecimals(1)
        self.floor.setSingleStep(5.0)
        self.budget = self.row("budget", QDoubleSpinBox())  # in the cost column's unit
        self.budget.setRange(0.0, 1e6)
        self.budget.setDecimals(1)
        self.budget.setSingleStep(0.5)
        self.target = self.row("target_share", QDoubleSpinBox())
        self.target.setRange(0.01, 1.0)
        self.target.setSingleStep(0.05)
        self.target.setValue(0.9)
        self.target_per_group = self.row("target_per_group", QCheckBox())
        self.by_age = self.row("by_age", QCheckBox())
        self.use_capacity = self.row("use_capacity", QCheckBox())
        self.frontier_steps = self.row("frontier_steps", QSpinBox())
        self.frontier_steps.setRange(0, 12)
        self.travel_row()
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        self.threshold.retranslate()
        index = max(self.model.currentIndex(), 0)
        self.model.clear()
        for model in SITING_MODELS:
            self.model.addItem(tr(f"model_{model}"), model)
        self.model.setCurrentIndex(index)
        self.floor.setSpecialValueText(tr("none"))
        self.floor.setSuffix(" %")
        self.floor.setToolTip(tr("floor_tip"))
        self.budget.setSpecialValueText(tr("none"))
        self.budget.setSuffix(tr("budget_unit"))
        self.budget.setToolTip(tr("budget_tip"))

    def params(self) -> SitingRequest:
        """The siting request the form holds: the floor as a fraction, the budget in cost units."""
        threshold, mode = self.threshold.value()
        model = self.model.currentData()
        return SitingRequest(
            model=model,
            p=self.p.value(),
            threshold_s=threshold if mode is not None else None,
            threshold_m=threshold if mode is None else None,
            mode=mode,
            time_limit_s=self.time_limit.value(),
            floor=self.floor.value() / 100.0 or None,
            budget=self.budget.value() or None,
            target=self.target.value() if model == "target" else None,
            target_per_group=self.target_per_group.isChecked(),
            by_age=self.by_age.isChecked(),
            use_capacity=self.use_capacity.isChecked(),
            frontier_steps=self.frontier_steps.value(),
            travel=self.travel.currentData(),
        )

    def job(self, project_path: Path | None) -> Job:
        request = self.params()
        if request.floor is not None and request.model != "fair":
            raise field_error("floor", "form_floor_fair_only")
        return Job(
            tr("job_siting"),
            lambda project, control: run_siting(project, request, control=control),
            project_path,
            stores_run=True,
        )


class BookmobileForm(_Form):
    title_key = "bookmobile"
    hint_key = "bookmobile_hint"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.time_limit = self.row("time_limit", _seconds_spin(30.0))
        self.dates = self.row("plan_range", DateRangeEdit())
        self.travel_row()
        self.retranslate()

    def job(self, project_path: Path | None) -> Job:
        request = BookmobileRequest(start_date=self.dates.start(), weeks=self.dates.weeks(),
                                    time_limit_s=self.time_limit.value(), travel=self.travel.currentData())
        return Job(
            tr("job_bookmobile"),
            lambda project, control: run_bookmobile_plan(project, request, control).to_json(),
            project_path,
            stores_run=True,
        )


class CourierForm(_Form):
    title_key = "courier"
    hint_key = "courier_hint"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QWidget()
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        self.returns_log = QLineEdit()
        self.choose = QPushButton()
        self.choose.clicked.connect(self._choose_log)
        line.addWidget(self.returns_log, 1)
        line.addWidget(self.choose)
        self.row("returns_log", box)
        self.day = self.row("day", QLineEdit())
        self.week = self.row("courier_week", QCheckBox())
        self.max_turnaround = self.row("max_turnaround_days", QDoubleSpinBox())
        self.max_turnaround.setRange(0.0, 20.0)
        self.max_turnaround.setValue(3.0)
        self.unit_costs = []
        for key, default in (("cost_per_km", 3.0), ("cost_per_hour", 60.0), ("cost_per_van_day", 150.0)):
            spin = self.row(key, QDoubleSpinBox())
            spin.setRange(0.0, 100000.0)
            spin.setValue(default)
            self.unit_costs.append(spin)
        self.crate_size = self.row("crate_size", QSpinBox())
        self.crate_size.setRange(1, 500)
        self.crate_size.setValue(30)
        self.time_limit = self.row("time_limit", _seconds_spin(30.0))
        self.seed = self.row("seed", QSpinBox())
        self.travel_row()
        self.retranslate()

    def retranslate(self) -> None:
        super().retranslate()
        self.choose.setText(tr("choose_file"))
        self.day.setPlaceholderText(tr("any_day"))
        self.day.setToolTip(tr("any_day"))

    def _choose_log(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("returns_log"), "", tr("import_files"))
        if path:
            self.returns_log.setText(path)

    def job(self, project_path: Path | None) -> Job:
        log, day = self.returns_log.text().strip(), self.day.text().strip()
        if log and not Path(log).is_file():
            raise field_error("returns_log", "form_no_file", path=log)
        if day:
            try:
                day = date.fromisoformat(day).isoformat()
            except ValueError:
                raise field_error("day", "form_bad_day", value=day) from None
        path = Path(log) if log else None
        limit = self.time_limit.value()
        travel = self.travel.currentData()
        per_km, per_hour, per_day = (spin.value() for spin in self.unit_costs)
        if self.week.isChecked():
            week = CourierWeekRequest(returns_log=path, crate_size=self.crate_size.value(),
                                      max_turnaround_days=self.max_turnaround.value(), cost_per_km=per_km,
                                      cost_per_hour=per_hour, cost_per_van_day=per_day, seed=self.seed.value(),
                                      travel=travel)
            return Job(tr("job_courier_week"),
                       lambda project, control: run_courier_week(project, week, control=_limited(control, limit)),
                       project_path, stores_run=True)
        request = CourierRequest(returns_log=path, day=day or None, crate_size=self.crate_size.value(),
                                 seed=self.seed.value(), travel=travel)
        return Job(
            tr("job_courier"),
            lambda project, control: run_courier_day(project, request, control=_limited(control, limit)),
            project_path,
            stores_run=True,
        )
