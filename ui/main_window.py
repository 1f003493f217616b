"""The main window: layers on the left, the map in the centre, analyses and results on the
right, the editable data tables below, one job at a time in a worker thread."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QSettings, QStandardPaths, Qt, QTimer
from PyQt6.QtGui import QAction, QActionGroup, QCloseEvent, QColor, QKeySequence, QUndoStack
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from planner.demo import DemoOptions, build_demo
from planner.errors import PlannerError
from planner.i18n import text
from planner.maps import write_coverage_map, write_routes_map
from planner.report import write_report
from planner.store import Project, backup_path
from planner.timetable import write_routes_xlsx
from ui import strings
from ui.compare import CompareWidget
from ui.dialogs import Button, ImportDialog, ask, show_error
from ui.importing import ImportRequest, import_layer
from ui.job_forms import (
    BookmobileForm,
    CourierForm,
    CoverageForm,
    SitingForm,
    _Form,
)
from ui.layer_panel import LayerPanel
from ui.map_view import KIND_COLOURS, MapView
from ui.plan_tab import PlanForm
from ui.results import ResultsPanel
from ui.strings import tr
from ui.table_models import TABLES, EditableTableModel
from ui.workers import Job, JobRunner

MAP_TABLES = ("libraries", "candidates", "stops")  # tables whose rows the map can select
RECENT_LIMIT = 6


def user_error(key: str, **fields: object) -> PlannerError:
    """A PlannerError worded by the label `key` in both languages (the box shows the current
    one)."""
    return PlannerError(text(key, "zh", **fields), text(key, "en", **fields))


def demo_project_path() -> Path:
    """Where the demo project is built once: the user's application data folder."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".planner") / "demo" / "demo.planner"


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        strings.set_language(str(self.settings.value("language", "zh")))
        self.project: Project | None = None
        self.undo_stack = QUndoStack(self)
        self.runner = JobRunner(self)
        self._on_done: Callable[[Any], None] | None = None
        self.resize(1400, 880)

        self.map_view = MapView(self)
        self.setCentralWidget(self.map_view)
        self.layer_panel = LayerPanel()
        self.forms: dict[str, _Form] = {
            "coverage": CoverageForm(),
            "siting": SitingForm(),
            "bookmobile": BookmobileForm(),
            "courier": CourierForm(),
            "plan": PlanForm(),
        }
        self.job_tabs = QTabWidget()
        for key, form in self.forms.items():
            self.job_tabs.addTab(form, "")
            form.runRequested.connect(lambda key=key: self.run_form(key))
        self.results = ResultsPanel()
        self.compare = CompareWidget()
        self.result_tabs = QTabWidget()
        self.result_tabs.addTab(self.results, "")
        self.result_tabs.addTab(self.compare, "")

        self.table_models: dict[str, EditableTableModel] = {}
        self.table_views: dict[str, QTableView] = {}
        self.data_tabs = QTabWidget()
        for spec in TABLES:
            model = EditableTableModel(spec, self.undo_stack, self)
            model.editRefused.connect(self._edit_refused)
            model.dirtyChanged.connect(self._update_title)
            view = QTableView()
            view.setModel(model)
            view.setAlternatingRowColors(True)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setEditTriggers(
                QAbstractItemView.EditTrigger.DoubleClicked
                | QAbstractItemView.EditTrigger.EditKeyPressed
                | QAbstractItemView.EditTrigger.AnyKeyPressed
            )
            view.verticalHeader().setDefaultSectionSize(22)
            self.table_models[spec.key] = model
            self.table_views[spec.key] = view
            self.data_tabs.addTab(view, "")
        self.edit_message = QLabel()
        self.edit_message.setObjectName("editMessage")
        self.edit_message.setStyleSheet("color:#b00000; padding:2px 4px")
        self.edit_message.setWordWrap(True)
        self.edit_message.hide()
        self.undo_stack.indexChanged.connect(lambda _: self.edit_message.hide())
        data_box = QWidget()
        data_layout = QVBoxLayout(data_box)
        data_layout.setContentsMargins(2, 2, 2, 2)
        data_layout.addWidget(self.edit_message)
        data_layout.addWidget(self.data_tabs, 1)

        self.dock_layers = self._dock(
            "layers", self.layer_panel, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.dock_jobs = self._dock("jobs", self.job_tabs, Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock_results = self._dock(
            "results", self.result_tabs, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.dock_data = self._dock("data", data_box, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.dock_layers, self.dock_jobs], [230, 400], Qt.Orientation.Horizontal)
        self.resizeDocks(
            [self.dock_data, self.dock_jobs, self.dock_results],
            [240, 330, 420],
            Qt.Orientation.Vertical,
        )

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(260)
        self.progress_label = QLabel()
        self.elapsed_label = QLabel()
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancel_job)
        for widget in (self.progress_label, self.progress, self.elapsed_label, self.cancel_button):
            self.statusBar().addPermanentWidget(widget)
        self.tick = QTimer(self)
        self.tick.setInterval(100)
        self.tick.timeout.connect(self._tick)
        self._show_running(False)

        self._build_actions()
        self.map_view.layersChanged.connect(
            lambda layers: self.layer_panel.set_layers(layers, self._hidden_layers())
        )
        self.map_view.featureClicked.connect(self.select_feature)
        self.layer_panel.visibilityChanged.connect(self.map_view.set_layer_visible)
        self.layer_panel.colourRequested.connect(self.choose_colour)
        self.settings.beginGroup("colours")
        self.map_view.colours = {
            k.replace("|", ":"): str(self.settings.value(k)) for k in self.settings.childKeys()
        }
        self.settings.endGroup()
        self.runner.started.connect(lambda job: self._show_running(True, job.title))
        self.runner.progress.connect(self._progress)
        self.runner.finished.connect(self._job_finished)
        self.runner.cancelled.connect(self._job_cancelled)
        self.runner.failed.connect(self._job_failed)
        self.undo_stack.cleanChanged.connect(self._update_title)

        self.retranslate()
        geometry, state = self.settings.value("geometry"), self.settings.value("window_state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    # ---- construction ----------------------------------------------------------------
    def _dock(self, key: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(f"dock_{key}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(
        self, key: str, slot: Callable[[], Any], shortcut: QKeySequence.StandardKey | None = None
    ) -> QAction:
        action = QAction(self)
        action.setObjectName(f"action_{key}")
        action.setData(key)
        action.triggered.connect(slot)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        self._actions.append(action)
        return action

    def _build_actions(self) -> None:
        self._actions: list[QAction] = []
        sk = QKeySequence.StandardKey
        self.act_new = self._action("new_project", self.new_project, sk.New)
        self.act_open = self._action("open_project", self.choose_project, sk.Open)
        self.act_save = self._action("save_project", self.save_edits, sk.Save)
        self.act_save_as = self._action("save_as", self.save_as, sk.SaveAs)
        self.act_import = self._action("import_layer", self.import_dialog)
        self.act_export_map = self._action("export_map", self.export_map)
        self.act_export_bookmobile_map = self._action(
            "export_bookmobile_map", lambda: self.export_routes_map("bookmobile")
        )
        self.act_export_courier_map = self._action(
            "export_courier_map", lambda: self.export_routes_map("courier")
        )
        self.act_export_timetable = self._action("export_timetable", self.export_timetable)
        self.act_export_courier_xlsx = self._action("export_courier_xlsx", self.export_courier_runs)
        self.act_export_report = self._action("export_report", self.export_report)
        self.act_quit = self._action("quit", self.close, sk.Quit)
        self.act_refresh = self._action("refresh_map", self.refresh_map, sk.Refresh)
        self.act_undo = self.undo_stack.createUndoAction(self)
        self.act_undo.setShortcut(QKeySequence(sk.Undo))
        self.act_redo = self.undo_stack.createRedoAction(self)
        self.act_redo.setShortcut(QKeySequence(sk.Redo))

        bar = self.menuBar()
        self.menu_file = bar.addMenu("")
        for action in (self.act_new, self.act_open):
            self.menu_file.addAction(action)
        self.menu_recent = self.menu_file.addMenu("")
        self.menu_file.addAction(self.act_save)
        self.menu_file.addAction(self.act_save_as)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_import)
        self.menu_file.addSeparator()
        for action in (
            self.act_export_map,
            self.act_export_bookmobile_map,
            self.act_export_courier_map,
            self.act_export_timetable,
            self.act_export_courier_xlsx,
            self.act_export_report,
        ):
            self.menu_file.addAction(action)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.menu_edit = bar.addMenu("")
        self.menu_edit.addAction(self.act_undo)
        self.menu_edit.addAction(self.act_redo)
        self.menu_view = bar.addMenu("")
        self.menu_view.addAction(self.act_refresh)
        self.menu_view.addSeparator()
        for dock in (self.dock_layers, self.dock_jobs, self.dock_results, self.dock_data):
            self.menu_view.addAction(dock.toggleViewAction())
        self.menu_language = bar.addMenu("")
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for lang in strings.LANGUAGES:
            action = QAction(tr(f"lang_{lang}"), self, checkable=True)
            action.setChecked(lang == strings.language())
            action.triggered.connect(lambda _=False, lang=lang: self.set_language(lang))
            group.addAction(action)
            self.menu_language.addAction(action)
            self.language_actions[lang] = action

        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("toolbar_main")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (
            self.act_open,
            self.act_save,
            self.act_undo,
            self.act_redo,
            self.act_refresh,
            self.act_import,
        ):
            self.toolbar.addAction(action)
        self.addToolBar(self.toolbar)

    # ---- language --------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        """Switch every label to `lang` and rebuild the map's labels."""
        strings.set_language(lang)
        self.settings.setValue("language", lang)
        self.language_actions[lang].setChecked(True)
        self.retranslate()
        self.refresh_map()

    def retranslate(self) -> None:
        for action in self._actions:
            action.setText(tr(action.data()))
        self.act_undo.setText(tr("undo"))
        self.act_redo.setText(tr("redo"))
        self.menu_file.setTitle(tr("menu_file"))
        self.menu_recent.setTitle(tr("menu_recent"))
        self.menu_edit.setTitle(tr("menu_edit"))
        self.menu_view.setTitle(tr("menu_view"))
        self.menu_language.setTitle(tr("menu_language"))
        self.toolbar.setWindowTitle(tr("app_title"))
        for dock, key in (
            (self.dock_layers, "dock_layers"),
            (self.dock_jobs, "dock_jobs"),
            (self.dock_results, "dock_results"),
            (self.dock_data, "dock_data"),
        ):
            dock.setWindowTitle(tr(key))
        for i, key in enumerate(self.forms):
            self.job_tabs.setTabText(i, tr(f"tab_{key}"))
            self.forms[key].retranslate()
        self.result_tabs.setTabText(0, tr("runs"))
        self.result_tabs.setTabText(1, tr("tab_compare"))
        for i, spec in enumerate(TABLES):
            self.data_tabs.setTabText(i, tr(f"tab_{spec.key}"))
            model = self.table_models[spec.key]
            model.headerDataChanged.emit(
                Qt.Orientation.Horizontal, 0, max(model.columnCount() - 1, 0)
            )
        self.layer_panel.retranslate()
        self.results.retranslate()
        self.compare.set_runs(self.project.runs() if self.project else [])
        self.cancel_button.setText(tr("cancel"))
        self._update_recent_menu()
        self._update_title()

    def _update_title(self) -> None:
        title = tr("app_title")
        if self.project is not None:
            path = self.project.path
            name = self.project.meta.get("name") or path.stem
            # A copy made by Save As keeps the project's name: the file tells them apart.
            title = f"{name} — {title}" if name == path.stem else f"{name} — {path.name} — {title}"
            if self.project.read_only:
                title = f"{title} ({tr('read_only')})"
            if self.dirty:
                title = f"* {title} ({tr('unsaved')})"
        self.setWindowTitle(title)
        self.setWindowFilePath(str(self.project.path) if self.project is not None else "")

    # ---- project ---------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return any(model.dirty for model in self.table_models.values())

    def open_project(self, path: str | Path) -> bool:
        """Open a project file; on a bad file show why and keep the current one. Unsaved table
        edits in the current project: Save / Don't save / Cancel, as on closing."""
        if self.dirty and not self._may_close():
            return False
        try:
            project = Project.open(path)
        except PlannerError as exc:
            show_error(self, exc)
            return False
        self._continue_in(project)
        return True

    def _continue_in(self, project: Project) -> None:
        """Show `project`, opened already, in place of the current one (closed, its table edits
        dropped: the caller saved them, in it or in `project`)."""
        if self.project is not None:
            self.project.close()
        self.project = project
        self.undo_stack.clear()
        for model in self.table_models.values():
            model.load(project)
        libraries = self.table_models["libraries"]
        present = (
            {str(libraries.value(r, "kind")) for r in range(libraries.rowCount())}
            if "kind" in libraries.columns()
            else set()
        )
        kinds = [k for k in KIND_COLOURS if k in present] + sorted(present - set(KIND_COLOURS))
        self.forms["coverage"].set_kinds(kinds)
        for view in self.table_views.values():
            view.resizeColumnsToContents()
        self._remember(project.path)
        self.reload_runs()
        self.refresh_map()
        self._update_title()
        lang = strings.language()
        notices = [notice.text(lang) for notice in project.notices]
        message = " ".join([tr("opened", path=project.path), *notices])
        self.statusBar().showMessage(message, 30000 if notices else 5000)

    def open_demo(self) -> bool:
        """Open the demo project, building it first (once, in the worker) when it is missing;
        False when that cannot even start."""
        path = demo_project_path()
        if path.is_file():
            return self.open_project(path)
        options = DemoOptions(path.parent, seconds=10.0, lang=strings.language())

        def build(_project: Project | None, control: Any) -> Path:
            build_demo(options, control)
            return path

        return self.start_job(Job(tr("job_demo"), build, None), on_done=self.open_project)

    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("open_project"), "", tr("planner_files"))
        if path:
            self.open_project(path)

    def new_project(self) -> None:
        path = self._ask_save_path("new_project", "project.planner", "planner_files")
        if path is None:
            return
        try:
            Project.create(path, overwrite=True).close()
        except PlannerError as exc:
            show_error(self, exc)
            return
        self.open_project(path)

    def save_edits(self) -> bool:
        """Write every edited table back to the project in one transaction."""
        if self.project is None or not self.dirty:
            return True
        try:
            self._write_edits(self.project)
        except PlannerError as exc:
            show_error(self, exc)  # rolled back: every edit is still pending
            return False
        self._mark_saved()
        self.statusBar().showMessage(tr("saved"), 5000)
        self.refresh_map()
        return True

    def _write_edits(self, project: Project) -> None:
        """The edited tables written to `project`, all in one transaction or none."""
        with project.transaction():
            for model in self.table_models.values():
                model.save(project)

    def _mark_saved(self) -> None:
        """Once the edits' transaction has committed, and only then: the tables are clean."""
        for model in self.table_models.values():
            model.mark_saved()
        self.undo_stack.setClean()
        self._update_title()

    def discard_edits(self) -> None:
        """Drop the table edits not saved yet: the tables show the project as last saved."""
        for model in self.table_models.values():
            model.load(self.project)
        self.undo_stack.clear()
        self._update_title()

    def save_as(self) -> None:
        if self.project is None:
            self.statusBar().showMessage(tr("no_project"), 5000)
            return
        path = self._ask_save_path("save_as", self.project.path.name, "planner_files")
        if path is not None:
            self.save_project_as(path)

    def save_project_as(self, path: str | Path) -> bool:
        """Write the project, with the table edits not saved yet, to a new file and go on in
        that file; the file open until now keeps its last saved state."""
        if self.project is None:
            return False
        if self.runner.busy:  # a job writes its run into the file it opened
            self.statusBar().showMessage(tr("busy"), 5000)
            return False
        target = Path(path)
        if target.resolve() == self.project.path.resolve():
            show_error(self, user_error("save_as_same_file", path=target))
            return False
        try:
            self._write_copy(target)
            copy = self._open_copy(target)
        except PlannerError as exc:
            show_error(self, exc)  # the window stays on the original, every edit still pending
            return False
        self._continue_in(copy)  # its tables, read back from the copy, hold the edits
        self.statusBar().showMessage(tr("saved_as", path=target), 10000)
        return True

    @staticmethod
    def _open_copy(target: Path) -> Project:
        """The copy Save As wrote, opened; if it cannot be, an error saying where the edits are."""
        try:
            return Project.open(target)
        except PlannerError as exc:
            zh, en = (
                text("save_as_not_opened", lang, path=target, reason=exc.text(lang))
                for lang in ("zh", "en")
            )
            raise PlannerError(zh, en) from exc

    def _write_copy(self, target: Path) -> None:
        """The project as last saved with the table edits written into it, at `target`.

        Built in a file beside `target` and renamed in, so a failure leaves `target` as it was.
        """
        assert self.project is not None
        staging = target.with_name(target.name + ".saving")
        try:
            self.project.copy_to(staging, overwrite=True)
            with Project.open(staging) as copy:
                self._write_edits(copy)
            staging.replace(target)
        except PlannerError as exc:  # the user knows the file they chose, not the staging one
            problems = [replace(p, file=str(target)) for p in exc.problems]
            raise PlannerError(problems=problems) from exc
        except OSError as exc:
            raise user_error("save_as_failed", path=target, reason=exc) from exc
        finally:
            for leftover in (staging, backup_path(staging)):  # opening it made a backup too
                with suppress(OSError):
                    leftover.unlink(missing_ok=True)

    def _ask_save_path(self, title_key: str, default_name: str, filter_key: str) -> Path | None:
        """A file to write, from the save dialog (starting in the project's folder), with the
        default name's suffix added when the user typed none; None when cancelled.

        The dialog asks before replacing the name as typed; a file that only the added suffix
        makes an existing one is asked about here, and "no" goes back to the dialog."""
        folder = self.project.path.parent if self.project is not None else Path()
        start, suffix = str(folder / default_name), Path(default_name).suffix
        while True:
            path, _ = QFileDialog.getSaveFileName(self, tr(title_key), start, tr(filter_key))
            if not path:
                return None
            if path.lower().endswith(suffix.lower()):
                return Path(path)
            target = Path(f"{path}{suffix}")
            if not target.exists() or self._may_replace(target):
                return target
            start = str(target)

    def _may_replace(self, target: Path) -> bool:
        answer = ask(
            self,
            tr("replace_title"),
            tr("replace_file", path=target),
            [(Button.No, tr("button_other_name")), (Button.Yes, tr("button_replace"))],
            escape=Button.No,
        )
        return answer == Button.Yes

    def _remember(self, path: Path) -> None:
        recent = [str(path.resolve())] + [p for p in self._recent() if p != str(path.resolve())]
        self.settings.setValue("last_project", str(path.resolve()))
        self.settings.setValue("recent_projects", recent[:RECENT_LIMIT])
        self._update_recent_menu()

    def _recent(self) -> list[str]:
        value = self.settings.value("recent_projects", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _update_recent_menu(self) -> None:
        self.menu_recent.clear()
        for path in self._recent():
            self.menu_recent.addAction(path, lambda path=path: self.open_project(path))
        self.menu_recent.setEnabled(bool(self._recent()))

    def reload_runs(self, select: int | None = None) -> None:
        runs = self.project.runs() if self.project is not None else []
        self.results.set_runs(runs, select)
        self.compare.set_runs(runs)

    def refresh_map(self) -> None:
        self.map_view.show_project(self.project, strings.language())

    def choose_colour(self, key: str) -> None:
        """Restyle one layer (e.g. one kind of library); remembered across sessions."""
        current = next(
            (layer.colour for layer in self.map_view.layers if layer.key == key), "#000000"
        )
        colour = QColorDialog.getColor(QColor(current), self, tr("dock_layers"))
        if colour.isValid():
            self.set_layer_colour(key, colour.name())

    def set_layer_colour(self, key: str, colour: str) -> None:
        self.map_view.colours[key] = colour
        self.settings.setValue(f"colours/{key.replace(':', '|')}", colour)
        self.refresh_map()

    def _hidden_layers(self) -> set[str]:
        return {layer.key for layer in self.map_view.layers if self.map_view.is_hidden(layer.key)}

    # ---- tables ----------------------------------------------------------------------
    def _edit_refused(self, message: str) -> None:
        self.edit_message.setText(message)
        self.edit_message.show()
        self.statusBar().showMessage(message, 8000)

    def select_feature(self, table: str, feature_id: str) -> None:
        """Show the clicked map feature's row in its table."""
        if table not in self.table_models:
            return
        row = self.table_models[table].row_of_id(feature_id)
        if row is None:
            return
        self.data_tabs.setCurrentWidget(self.table_views[table])
        view = self.table_views[table]
        view.selectRow(row)
        view.scrollTo(view.model().index(row, 0))
        self.statusBar().showMessage(
            tr("selected_feature", layer=tr(f"tab_{table}"), id=feature_id), 5000
        )

    # ---- jobs ------------------------------------------------------------------------
    def run_form(self, key: str) -> None:
        if self.project is None:
            self.statusBar().showMessage(tr("no_project"), 5000)
            return
        self.start_on_saved_project(self.forms[key].job(self.project.path))

    def start_on_saved_project(
        self, job: Job, on_done: Callable[[Any], None] | None = None
    ) -> bool:
        """Start a job that reads the project file (a run, an import, an export) on what the
        window shows: the table edits are saved first, and if that fails nothing starts."""
        if self.runner.busy:
            self.statusBar().showMessage(tr("busy"), 5000)
            return False
        if job.stores_run and self.project is not None:
            try:  # refused now, not after the run computed a result it cannot store
                self.project.check_writable()
            except PlannerError as exc:
                show_error(self, exc)
                return False
        if self.dirty:
            if not self.save_edits():
                return False
            self.statusBar().showMessage(tr("save_before_run"), 3000)
        return self.start_job(job, on_done)

    def start_job(self, job: Job, on_done: Callable[[Any], None] | None = None) -> bool:
        if self.runner.busy:
            self.statusBar().showMessage(tr("busy"), 5000)
            return False
        self._on_done = on_done
        self.runner.start(job)
        return True

    def cancel_job(self) -> None:
        self.runner.cancel()
        self.progress_label.setText(tr("cancelling"))
        self.cancel_button.setEnabled(False)

    def _show_running(self, running: bool, title: str = "") -> None:
        for widget in (self.progress, self.elapsed_label, self.cancel_button):
            widget.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.progress_label.setText(tr("running", title=title) if running else "")
        self.progress.setValue(0)
        for form in self.forms.values():
            form.run_button.setEnabled(not running)
        if running:
            self.tick.start()
        else:
            self.tick.stop()

    def _tick(self) -> None:
        self.elapsed_label.setText(tr("elapsed", s=self.runner.elapsed_s()))

    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(fraction * 1000)))
        if message and self.cancel_button.isEnabled():
            self.progress_label.setText(
                f"{tr('running', title=self.runner.job.title if self.runner.job else '')} · {message}"
            )

    def _job_finished(self, job: Job, result: Any, seconds: float) -> None:
        self._show_running(False)
        self.statusBar().showMessage(tr("finished", title=job.title, s=seconds), 10000)
        if job.stores_run and self.project is not None:
            self.reload_runs()
            self.result_tabs.setCurrentWidget(self.results)
            self.refresh_map()
        callback, self._on_done = self._on_done, None
        if callback is not None:
            callback(result)

    def _job_cancelled(self, job: Job, seconds: float) -> None:
        self._show_running(False)
        self._on_done = None
        self.statusBar().showMessage(tr("cancelled", title=job.title), 10000)

    def _job_failed(self, job: Job, exc: BaseException) -> None:
        self._show_running(False)
        self._on_done = None
        self.statusBar().showMessage(tr("failed", title=job.title), 10000)
        show_error(self, exc)
        if not isinstance(exc, PlannerError):
            # A bug, not the user's doing: also report it the way Python reports crashes
            # (stderr; pytest-qt turns it into a test failure).
            sys.excepthook(type(exc), exc, exc.__traceback__)

    # ---- import and export -----------------------------------------------------------
    def import_dialog(self, path: Path | None = None) -> ImportDialog | None:
        if self.project is None:
            self.statusBar().showMessage(tr("no_project"), 5000)
            return None
        dialog = ImportDialog(self, path)
        dialog.accepted.connect(lambda: self.import_file(dialog.request()))
        dialog.open()
        return dialog

    def import_file(self, request: ImportRequest) -> None:
        if self.project is None:
            return

        def run(project: Project | None, _control: Any) -> str:
            assert project is not None
            return import_layer(project, request)

        def done(_name: str) -> None:
            if self.project is not None:
                self.open_project(self.project.path)

        # Saved first, or reopening the project afterwards would save the edited old table
        # over the imported one.
        self.start_on_saved_project(Job(tr("job_import"), run, self.project.path), on_done=done)

    def _export(self, fn: Callable[[Project], Any]) -> None:
        """Run `fn(project)`, which writes a file, in the worker on the project as shown."""
        if self.project is None:
            self.statusBar().showMessage(tr("no_project"), 5000)
            return
        lang = strings.language()

        def run(project: Project | None, _control: Any) -> Any:
            assert project is not None
            return fn(project)

        def done(path: Any) -> None:
            self.statusBar().showMessage(tr("exported", path=path), 10000)

        job = Job(tr("job_export") + f" ({lang})", run, self.project.path)
        self.start_on_saved_project(job, on_done=done)

    def export_map(self) -> None:
        path = self._ask_save_path("export_map", "map.html", "html_files")
        if path is None:
            return
        lang = strings.language()
        self._export(lambda project: write_coverage_map(project, path, lang=lang))

    def export_routes_map(self, kind: str) -> None:
        """The latest bookmobile week or courier day on an offline map."""
        if self._latest_run(kind) is None:
            return
        path = self._ask_save_path(f"export_{kind}_map", f"{kind}_routes.html", "html_files")
        if path is None:
            return
        lang = strings.language()
        self._export(lambda project: write_routes_map(project, kind, path, lang=lang))

    def export_timetable(self) -> None:
        self._export_routes_xlsx("bookmobile", "export_timetable", "bookmobile_timetable.xlsx")

    def export_courier_runs(self) -> None:
        self._export_routes_xlsx("courier", "export_courier_xlsx", "courier_runs.xlsx")

    def _export_routes_xlsx(self, kind: str, title_key: str, default_name: str) -> None:
        """The latest run of `kind` as a workbook, one sheet per vehicle."""
        run = self._latest_run(kind)
        if run is None:
            return
        path = self._ask_save_path(title_key, default_name, "xlsx_files")
        if path is None:
            return
        lang, result = strings.language(), run["result"]
        self._export(lambda _project: write_routes_xlsx(result, path, lang=lang))

    def _latest_run(self, kind: str) -> dict[str, Any] | None:
        """The newest stored run of `kind`; None, after saying so, when there is none yet."""
        if self.project is None:
            self.statusBar().showMessage(tr("no_project"), 5000)
            return None
        run = self.project.latest_run(kind)
        if run is None:
            zh, en = (
                text("no_run", lang, kind=text(f"kind_{kind}", lang)) for lang in ("zh", "en")
            )
            show_error(self, PlannerError(zh, en))
        return run

    def export_report(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("choose_dir"))
        if not folder:
            return
        lang = strings.language()

        def report(project: Project) -> Path:
            write_report(project, Path(folder), lang=lang)
            return Path(folder)

        self._export(report)

    # ---- closing ---------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask what becomes of unsaved table edits, then stop a running job, remember the
        layout and close the project. Cancel, or a save that fails, keeps the window open."""
        if self.dirty and not self._may_close():
            event.ignore()
            return
        if self.runner.busy:
            self.runner.cancel()
            self.runner.wait(5000)
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        if self.project is not None:
            self.project.close()
            self.project = None
        self.map_view.close()
        super().closeEvent(event)

    def _may_close(self) -> bool:
        """Save / Don't save / Cancel for the unsaved table edits: True once they are saved or
        dropped; False on Cancel, or when the save failed (its error shown, every edit kept)."""
        assert self.project is not None
        name = self.project.meta.get("name") or self.project.path.stem
        answer = ask(
            self,
            tr("unsaved_title"),
            tr("close_unsaved", name=name),
            [
                (Button.Save, tr("button_save")),
                (Button.Discard, tr("button_discard")),
                (Button.Cancel, tr("cancel")),
            ],
            escape=Button.Cancel,
        )
        if answer == Button.Save:
            return self.save_edits()
        if answer == Button.Discard:
            self.discard_edits()
            return True
        return False
