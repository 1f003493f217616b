"""Import and export of the main window: the import dialog, and the maps, workbooks and report
written in the worker from the project as shown (a mixin of MainWindow)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PyQt6.QtWidgets import QFileDialog

from planner.errors import PlannerError
from planner.i18n import text
from planner.jobs.courier import write_courier_xlsx
from planner.maps import write_routes_map
from planner.report import write_report
from planner.run_map import write_run_map
from planner.run_results import route_result
from planner.store import Project
from planner.timetable import write_routes_xlsx
from ui import strings
from ui.dialogs import ImportDialog, show_error
from ui.importing import ImportRequest, import_layer
from ui.strings import tr
from ui.workers import Job


class ExportsMixin:
    """Import and export actions for MainWindow (they run in its worker, on the saved project)."""

    def import_dialog(self, path: Path | None = None) -> ImportDialog | None:
        if self.project is None:
            self.statusBar().showMessage(tr("no_project"), 5000)
            return None
        dialog = ImportDialog(self, path, {info.name for info in self.project.layers()})
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
        lang, run_id = strings.language(), self.map_run_id
        self._export(lambda project: write_run_map(project, run_id, path, lang=lang))

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
        self._export_routes_xlsx("courier", "export_courier_xlsx", "courier_runs.xlsx", write_courier_xlsx)

    def _export_routes_xlsx(
        self, kind: str, title_key: str, default_name: str, writer: Callable[..., Any] = write_routes_xlsx
    ) -> None:
        """The latest run of `kind` as a workbook, one sheet per vehicle."""
        run = self._latest_run(kind)
        if run is None:
            return
        path = self._ask_save_path(title_key, default_name, "xlsx_files")
        if path is None:
            return
        lang, result = strings.language(), route_result(run)
        self._export(lambda _project: writer(result, path, lang=lang))

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
        lang, run_id = strings.language(), self.map_run_id

        def report(project: Project) -> Path:
            write_report(project, Path(folder), lang=lang, run_id=run_id)
            return Path(folder)

        self._export(report)
