"""The project session of the main window: open, new, save, save as, recent projects and
what becomes of unsaved table edits (a mixin of MainWindow, which owns the widgets)."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QStandardPaths
from PyQt6.QtWidgets import QFileDialog

from planner.demo import DemoOptions, build_demo
from planner.errors import PlannerError
from planner.i18n import text
from planner.store import Project, backup_path
from ui import strings
from ui.dialogs import Button, ask, show_error
from ui.map_view import KIND_COLOURS
from ui.strings import tr
from ui.workers import Job

RECENT_LIMIT = 6


def user_error(key: str, **fields: object) -> PlannerError:
    """A PlannerError worded by the label `key` in both languages (the box shows the current
    one)."""
    return PlannerError(text(key, "zh", **fields), text(key, "en", **fields))


def demo_project_path() -> Path:
    """Where the demo project is built once: the user's application data folder."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".planner") / "demo" / "demo.planner"


class SessionMixin:
    """Open/new/save/save-as/recent for MainWindow; every method works on the window's state."""

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
        self.map_run_id = None  # the map shows the latest coverage run until one is picked
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
