"""The main window: layers on the left, the map in the centre, analyses and results on the
right, the editable data tables below, one job at a time in a worker thread."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QSettings, Qt, QTimer
from PyQt6.QtGui import QAction, QActionGroup, QCloseEvent, QColor, QKeySequence, QUndoStack
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from planner.errors import PlannerError
from planner.progress_text import progress_text
from planner.store import Project
from ui import strings
from ui.compare import CompareWidget
from ui.dialogs import show_error
from ui.exports import ExportsMixin
from ui.job_forms import (
    BookmobileForm,
    CourierForm,
    CoverageForm,
    SitingForm,
    _Form,
)
from ui.layer_panel import LayerPanel
from ui.map_view import MapView
from ui.plan_tab import PlanForm
from ui.qt_language import use_qt_language
from ui.results import ResultsPanel
from ui.session import SessionMixin, demo_project_path, user_error
from ui.strings import tr
from ui.table_models import TABLES, EditableTableModel
from ui.workers import Job, JobRunner

__all__ = ["MainWindow", "demo_project_path", "user_error"]

DOCK_MIN_W, DOCK_MIN_H = 120, 80  # pixels: a dock scrolls below this
MAP_TABLES = ("libraries", "candidates", "stops")  # tables whose rows the map can select


class MainWindow(SessionMixin, ExportsMixin, QMainWindow):
    """The window: docks, actions, language, jobs; the session and exports live in mixins."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        strings.set_language(str(self.settings.value("language", "zh")))
        use_qt_language(strings.language())
        self.project: Project | None = None
        self.map_run_id: int | None = None  # the coverage run the map shows; None: the latest
        self.undo_stack = QUndoStack(self)
        self.runner = JobRunner(self)
        self._on_done: Callable[[Any], None] | None = None
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        self.resize(
            min(1400, screen.width()) if screen else 1280,
            min(880, screen.height()) if screen else 720,
        )

        self.map_view = MapView(self)
        # The map and the compare view share the centre: the chart gets the room it needs.
        self.centre_tabs = QTabWidget()
        self.centre_tabs.setObjectName("centreTabs")
        self.setCentralWidget(self.centre_tabs)
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
        self.centre_tabs.addTab(self.map_view, "")
        self.centre_tabs.addTab(self.compare, "")

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
        self.add_row_button, self.delete_rows_button = QPushButton(), QPushButton()
        self.add_row_button.setObjectName("addRowButton")
        self.delete_rows_button.setObjectName("deleteRowsButton")
        self.add_row_button.clicked.connect(self.add_table_row)
        self.delete_rows_button.clicked.connect(self.delete_table_rows)
        row_buttons = QWidget()  # beside the tabs: a short dock keeps its rows for the table
        row_layout = QHBoxLayout(row_buttons)
        row_layout.setContentsMargins(0, 0, 2, 0)
        row_layout.addWidget(self.add_row_button)
        row_layout.addWidget(self.delete_rows_button)
        self.data_tabs.setCornerWidget(row_buttons, Qt.Corner.TopRightCorner)
        data_layout.addWidget(self.edit_message)
        data_layout.addWidget(self.data_tabs, 1)

        self.dock_layers = self._dock(
            "layers", self.layer_panel, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.dock_jobs = self._dock("jobs", self.job_tabs, Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock_results = self._dock(
            "results", self.results, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.dock_data = self._dock("data", data_box, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.fit_docks()

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
        self.results.runSelected.connect(self.show_run_on_map)
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
    def fit_docks(self) -> None:
        """Dock sizes as shares of the window, so a 720-pixel screen keeps every dock usable."""
        width, height = self.width(), self.height()
        self.resizeDocks(
            [self.dock_layers, self.dock_jobs],
            [width * 18 // 100, width * 30 // 100],
            Qt.Orientation.Horizontal,
        )
        self.resizeDocks(
            [self.dock_data, self.dock_jobs, self.dock_results],
            [height * 32 // 100, height * 36 // 100, height * 46 // 100],
            Qt.Orientation.Vertical,
        )

    def _dock(self, key: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(f"dock_{key}")
        # Scrolls instead of holding the window open: it must fit a 1280×720 screen.
        scroll = QScrollArea()
        scroll.setObjectName(f"scroll_{key}")
        scroll.setWidget(widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumSize(DOCK_MIN_W, DOCK_MIN_H)
        dock.setWidget(scroll)
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
        # Our own undo/redo actions: Qt's prefix its texts with an untranslated "Undo".
        self.act_undo = self._action("undo", self.undo_stack.undo, sk.Undo)
        self.act_redo = self._action("redo", self.undo_stack.redo, sk.Redo)
        self.undo_stack.canUndoChanged.connect(self.act_undo.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.act_redo.setEnabled)
        self.undo_stack.undoTextChanged.connect(lambda _: self._undo_texts())
        self.undo_stack.redoTextChanged.connect(lambda _: self._undo_texts())
        self.act_undo.setEnabled(False)
        self.act_redo.setEnabled(False)
        self.act_add_row = self._action("add_row_action", self.add_table_row)
        self.act_delete_rows = self._action("delete_rows_action", self.delete_table_rows)

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
        self.menu_edit.addSeparator()
        self.menu_edit.addAction(self.act_add_row)
        self.menu_edit.addAction(self.act_delete_rows)
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
        use_qt_language(lang)
        self.settings.setValue("language", lang)
        self.language_actions[lang].setChecked(True)
        self.retranslate()
        self.refresh_map()

    def retranslate(self) -> None:
        for action in self._actions:
            action.setText(tr(action.data()))
        self._undo_texts()
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
        self.centre_tabs.setTabText(0, tr("tab_map"))
        self.centre_tabs.setTabText(1, tr("tab_compare"))
        for i, spec in enumerate(TABLES):
            self.data_tabs.setTabText(i, tr(f"tab_{spec.key}"))
            model = self.table_models[spec.key]
            model.headerDataChanged.emit(
                Qt.Orientation.Horizontal, 0, max(model.columnCount() - 1, 0)
            )
        self.layer_panel.retranslate()
        self.results.retranslate()
        self.compare.retranslate()
        self.compare.set_runs(self.project.runs() if self.project else [])
        self.cancel_button.setText(tr("cancel"))
        self.add_row_button.setText(tr("add_row_action"))
        self.delete_rows_button.setText(tr("delete_rows_action"))
        self._update_recent_menu()
        self._update_title()

    def _undo_texts(self) -> None:
        """撤销 修改 停靠(分钟): the action's word and the step's text, both in the language."""
        for action, key, step in (
            (self.act_undo, "undo", self.undo_stack.undoText()),
            (self.act_redo, "redo", self.undo_stack.redoText()),
        ):
            action.setText(f"{tr(key)} {step}" if step else tr(key))

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

    def reload_runs(self, select: int | None = None) -> None:
        runs = self.project.runs() if self.project is not None else []
        self.results.set_runs(runs, select)
        self.compare.set_runs(runs)

    def refresh_map(self) -> None:
        self.map_view.show_project(self.project, strings.language(), self.map_run_id)

    def show_run_on_map(self, run_id: int) -> None:
        """A coverage or siting run picked in the runs list colours the map (and goes into the
        exported map and report); other runs leave the map as it is."""
        if self.project is None:
            return
        kind = next((r["kind"] for r in self.results.runs() if r["id"] == run_id), None)
        if kind in ("coverage", "siting") and run_id != self.map_run_id:
            self.map_run_id = run_id
            self.refresh_map()

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

    def current_table(self) -> tuple[EditableTableModel, QTableView]:
        """The data table on the front tab, and its view."""
        key = TABLES[max(self.data_tabs.currentIndex(), 0)].key
        return self.table_models[key], self.table_views[key]

    def add_table_row(self) -> None:
        """A new row below the selected one (or at the end), selected to be filled in."""
        model, view = self.current_table()
        selected = [i.row() for i in view.selectionModel().selectedRows()]
        row = model.add_row(max(selected) + 1 if selected else None)
        if row is not None:
            view.selectRow(row)
            view.scrollTo(model.index(row, 0))

    def delete_table_rows(self) -> None:
        """The selected rows of the front table deleted, in one step the Undo action restores."""
        model, view = self.current_table()
        rows = [i.row() for i in view.selectionModel().selectedRows()]
        if not rows:
            self.statusBar().showMessage(tr("no_rows_selected"), 5000)
            return
        model.delete_rows(rows)

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
        try:
            job = self.forms[key].job(self.project.path)
        except PlannerError as exc:  # the user's input: a plain message naming the field
            show_error(self, exc)
            return
        self.start_on_saved_project(job)

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
        shown = progress_text(message, strings.language())
        if shown and self.cancel_button.isEnabled():
            self.progress_label.setText(
                f"{tr('running', title=self.runner.job.title if self.runner.job else '')} · {shown}"
            )

    def _job_finished(self, job: Job, result: Any, seconds: float) -> None:
        self._show_running(False)
        self.statusBar().showMessage(tr("finished", title=job.title, s=seconds), 10000)
        if job.stores_run and self.project is not None:
            self.reload_runs()
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
