"""Dialogs: errors (a plain message for the user's problems, details for bugs) and importing a
layer with a preview and a field mapping.

Message boxes open window-modal with `open()`: the event loop keeps running (runs, timers,
tests) and a test can find the box among the window's children and close it. Only a question
whose answer the next step needs (close? replace?) waits for it with `exec()`.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from PyQt6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.schema import LAYER_ROLES
from planner.errors import PlannerError
from ui.importing import ImportRequest, guess_columns, is_table, preview
from ui.strings import has, language, tr
from ui.table_models import RowsModel

ERROR_BOX = "plannerErrorBox"
QUESTION_BOX = "plannerQuestionBox"


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    """A PlannerError's own message, or for anything else an apology with the traceback.

    An exception already shown in an open box is not shown twice (a failed job's bug reaches
    both the window and the exception hook)."""
    if parent is not None:
        for shown in parent.findChildren(QMessageBox, ERROR_BOX):
            if getattr(shown, "exception", None) is exc and shown.isVisible():
                return shown
    box = QMessageBox(parent)
    box.setObjectName(ERROR_BOX)
    box.exception = exc
    if isinstance(exc, PlannerError):
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("input_problem"))
        box.setText(exc.text(language()))
    else:
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(tr("error_title"))
        box.setText(tr("bug_text"))
        box.setInformativeText(f"{type(exc).__name__}: {exc}")
        box.setDetailedText("".join(traceback.format_exception(exc)))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


Button = QMessageBox.StandardButton


def ask(
    parent: QWidget, title: str, message: str, buttons: list[tuple[Button, str]], escape: Button
) -> Button:
    """The button the user chose among `buttons` (each with our label: Qt's own are English
    only), the first being the default; `escape` when the box is closed or Esc pressed."""
    box = QMessageBox(QMessageBox.Icon.Question, title, message, Button.NoButton, parent)
    box.setObjectName(QUESTION_BOX)
    for button, label in buttons:
        box.addButton(button).setText(label)
    box.setDefaultButton(buttons[0][0])
    box.setEscapeButton(escape)
    box.exec()
    clicked = box.clickedButton()
    answer = box.standardButton(clicked) if clicked is not None else escape
    box.deleteLater()
    return answer


def _role_label(role: str) -> str:
    return tr(f"layer_{role}") if has(f"layer_{role}") else role


class ImportDialog(QDialog):
    """Choose a file and its role, see its first rows, and say which column is which."""

    def __init__(
        self,
        parent: QWidget | None = None,
        path: Path | None = None,
        existing: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(parent)
        self.existing = set(existing)  # the project's layer names: replacing one is asked
        self.setWindowTitle(tr("import_title"))
        self.resize(760, 560)
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        browse = QPushButton(tr("choose_file"))
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        self.role = QComboBox()
        for role in LAYER_ROLES:
            self.role.addItem(_role_label(role), role)
        self.name = QLineEdit()
        self.datum = QComboBox()
        self.datum.addItem(tr("datum_wgs84"), "wgs84")
        self.datum.addItem(tr("datum_gcj02"), "gcj02")
        self.datum.setToolTip(tr("datum_tip"))
        form = QFormLayout()
        form.addRow(tr("file"), file_row)
        form.addRow(tr("role"), self.role)
        form.addRow(tr("layer_name"), self.name)
        form.addRow(tr("datum"), self.datum)
        self.preview_model = RowsModel(self)
        table = QTableView()
        table.setModel(self.preview_model)
        preview_box = QGroupBox(tr("preview"))
        QVBoxLayout(preview_box).addWidget(table)
        self.mapping_box = QGroupBox(tr("mapping"))
        self.mapping_form = QFormLayout(self.mapping_box)
        self.mapping: dict[str, QComboBox] = {}
        self.error = QLabel()
        self.error.setStyleSheet("color:#b00")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(preview_box, 1)
        layout.addWidget(self.mapping_box)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._source_columns: list[str] = []
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        if path is not None:
            self.set_file(path)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("import_title"), "", tr("import_files"))
        if path:
            self.set_file(Path(path))

    def set_file(self, path: Path) -> None:
        """Load the preview of `path` and guess the mapping from its column names."""
        self.path_edit.setText(str(path))
        self.error.clear()
        try:
            frame = preview(path)
        except PlannerError as exc:
            self.error.setText(exc.text(language()))
            self._source_columns = []
            self.preview_model.set_rows([], [])
        else:
            self._source_columns = [str(c) for c in frame.columns]
            self.preview_model.set_rows(
                self._source_columns,
                frame.astype(object).where(frame.notna(), None).values.tolist(),
            )
        self._role_changed()

    def _targets(self) -> list[str]:
        required, optional = LAYER_ROLES[self.role.currentData()]
        path = Path(self.path_edit.text())
        coordinates = ["lon", "lat"] if self.path_edit.text() and is_table(path) else []
        return [*coordinates, *required, *optional]

    def _role_changed(self) -> None:
        role = self.role.currentData()
        if not self.name.text() or self.name.text() in LAYER_ROLES:
            self.name.setText(role)
        while self.mapping_form.rowCount():
            self.mapping_form.removeRow(0)
        self.mapping = {}
        guessed = guess_columns(self._source_columns)  # what the importer itself would read
        for target in self._targets():
            combo = QComboBox()
            combo.addItem(tr("not_mapped"), "")
            for column in self._source_columns:
                combo.addItem(column, column)
            if guessed.get(target):
                combo.setCurrentIndex(combo.findData(guessed[target]))
            label = tr(f"col_{target}") if has(f"col_{target}") else target
            self.mapping_form.addRow(f"{label} ({target})", combo)
            self.mapping[target] = combo
        self.mapping_box.setVisible(bool(self._source_columns))

    def request(self) -> ImportRequest:
        columns = {
            target: combo.currentData()
            for target, combo in self.mapping.items()
            if combo.currentData()
        }
        return ImportRequest(
            Path(self.path_edit.text()),
            self.role.currentData(),
            self.name.text().strip(),
            columns,
            self.datum.currentData(),
        )

    def accept(self) -> None:
        """Asks before the import replaces a layer the project has; "no" keeps the dialog."""
        name = self.name.text().strip() or self.role.currentData()
        if name in self.existing:
            answer = ask(
                self,
                tr("replace_title"),
                tr("replace_layer", name=name),
                [(Button.No, tr("button_other_name")), (Button.Yes, tr("button_replace"))],
                escape=Button.No,
            )
            if answer != Button.Yes:
                self.name.setFocus()
                self.name.selectAll()
                return
        super().accept()
