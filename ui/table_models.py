"""Qt table models: the project's service points, candidates, stops and vehicles as editable
tables (model/view), with every edit validated and undoable, and saved back in one transaction.

An edit the data cannot take (a time window that ends before it starts, a negative count, a
day that is not a weekday) is refused: the model stays as it was and `editRefused` carries
the reason for the window to show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from PyQt6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QUndoCommand, QUndoStack

from planner import validation
from planner.store import Project
from ui.strings import has, language, tr

#: start column → end column of each time window a table may hold.
TIME_WINDOWS: dict[str, str] = {
    "opens": "closes",
    "tw_start": "tw_end",
    "shift_start": "shift_end",
    "break_start": "break_end",
}
_WINDOW_OF = {
    **{s: (s, e) for s, e in TIME_WINDOWS.items()},
    **{e: (s, e) for s, e in TIME_WINDOWS.items()},
}
DAY_COLUMNS = ("days", "allowed_days")
COORDINATES = ("lon", "lat")


def layer_name(project: Project, role: str) -> str | None:
    """The layer the jobs use for a role: the one named like the role, else the newest of that
    role (the rule of planner.jobs.coverage.layer)."""
    return project.layer_for_role(role)


@dataclass(frozen=True)
class TableSpec:
    """One editable table: a layer (by role) or a plain table (by name) of the project."""

    key: str  # also the strings key suffix: tab_<key>
    source: str  # "layer" or "table"
    name: str  # the layer role or the table name

    def locate(self, project: Project) -> str | None:
        if self.source == "layer":
            return layer_name(project, self.name)
        return self.name if project.has_table(self.name) else None


TABLES: tuple[TableSpec, ...] = (
    TableSpec("libraries", "layer", "libraries"),
    TableSpec("candidates", "layer", "candidates"),
    TableSpec("stops", "layer", "stops"),
    TableSpec("bookmobiles", "table", "bookmobiles"),
    TableSpec("vans", "table", "vans"),
)


class EditRefused(ValueError):
    """An edit the table cannot take; the message is in the current language."""


class SetCellCommand(QUndoCommand):
    """One accepted cell edit, undoable."""

    def __init__(
        self, model: EditableTableModel, row: int, column: str, old: Any, new: Any
    ) -> None:
        super().__init__(tr("edit_cell", col=model.header(column)))
        self.model, self.row, self.column, self.old, self.new = model, row, column, old, new

    def redo(self) -> None:
        self.model.set_raw(self.row, self.column, self.new)

    def undo(self) -> None:
        self.model.set_raw(self.row, self.column, self.old)


class EditableTableModel(QAbstractTableModel):
    """A project table as rows of typed values; lon/lat columns edit a point layer's geometry."""

    editRefused = pyqtSignal(str)
    dirtyChanged = pyqtSignal(bool)

    def __init__(
        self, spec: TableSpec, undo_stack: QUndoStack, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.undo_stack = undo_stack
        self.stored_name: str | None = None
        self._frame = pd.DataFrame()
        self._geometry: list[Any] | None = None
        self._columns: list[str] = []
        self._source_file = ""
        self._provenance = ""
        self._dirty = False

    # ---- loading and saving ----------------------------------------------------------
    def load(self, project: Project | None) -> None:
        """Read the table from the project (empty when the project has none)."""
        self.beginResetModel()
        self.stored_name = self.spec.locate(project) if project is not None else None
        self._frame, self._geometry, self._columns = pd.DataFrame(), None, []
        if project is not None and self.stored_name is not None:
            if self.spec.source == "layer":
                gdf = project.read_layer(self.stored_name)
                info = next(i for i in project.layers() if i.name == self.stored_name)
                self._source_file, self._provenance = info.source_file, info.provenance
                self._frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
                self._geometry = list(gdf.geometry.values)
                self._columns = list(self._frame.columns)
                if len(gdf) and (gdf.geometry.geom_type == "Point").all():
                    self._columns += list(COORDINATES)
            else:
                info = next(t for t in project.tables() if t["name"] == self.stored_name)
                self._source_file = info["source_file"] or ""
                self._frame = project.read_table(self.stored_name).astype(object)
                self._columns = list(self._frame.columns)
        self.endResetModel()
        self._set_dirty(False)

    def save(self, project: Project) -> None:
        """Write the edited table to `project`. The caller wraps all tables in one transaction
        and calls `mark_saved` once it has committed: until then the edits are still pending."""
        if not self._dirty or self.stored_name is None:
            return
        frame = self._frame.infer_objects()
        if self.spec.source == "layer":
            gdf = gpd.GeoDataFrame(frame, geometry=self._geometry, crs="EPSG:4326")
            project.write_layer(
                self.stored_name,
                gdf,
                self.spec.name,
                source_file=self._source_file,
                provenance=self._provenance,
            )
        else:
            project.write_table(
                self.stored_name, frame, role=self.spec.name, source_file=self._source_file
            )

    def mark_saved(self) -> None:
        """The table now matches the file: the transaction that saved it has committed."""
        self._set_dirty(False)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirtyChanged.emit(dirty)

    # ---- Qt model interface ----------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._frame)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def columns(self) -> list[str]:
        return list(self._columns)

    def header(self, column: str) -> str:
        return (
            tr(f"col_{column}") if has(f"col_{column}") else (tr(column) if has(column) else column)
        )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.header(self._columns[section])
        return section + 1

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = self._columns[index.column()]
        value = self.value(index.row(), column)
        if role == Qt.ItemDataRole.DisplayRole and column == "kind" and has(f"kind_{value}"):
            return tr(f"kind_{value}")  # edited as the code (central, branch, …), shown by name
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return _format(value, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column in COORDINATES:
            return QBrush(QColor("#555555"))
        return None

    def setData(self, index: QModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        row, column = index.row(), self._columns[index.column()]
        old = self.value(row, column)
        try:
            new = self.validate(row, column, value)
        except EditRefused as exc:
            self.editRefused.emit(tr("edit_refused", msg=str(exc)))
            return False
        if _same(old, new):
            return True
        self.undo_stack.push(SetCellCommand(self, row, column, old, new))
        return True

    # ---- values ----------------------------------------------------------------------
    def value(self, row: int, column: str) -> Any:
        if column in COORDINATES:
            point = self._geometry[row]
            return point.x if column == "lon" else point.y
        value = self._frame.iat[row, self._frame.columns.get_loc(column)]
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else value

    def set_raw(self, row: int, column: str, value: Any) -> None:
        """Store an already validated value (the undo commands' way in)."""
        if column in COORDINATES:
            point = self._geometry[row]
            x, y = (value, point.y) if column == "lon" else (point.x, value)
            self._geometry[row] = shapely.Point(x, y)
        else:
            self._frame.iat[row, self._frame.columns.get_loc(column)] = value
        index = self.index(row, self._columns.index(column))
        self.dataChanged.emit(index, index)
        self._set_dirty(True)

    def row_of_id(self, feature_id: str) -> int | None:
        if "id" not in self._frame.columns:
            return None
        matches = [i for i, v in enumerate(self._frame["id"]) if str(v) == str(feature_id)]
        return matches[0] if matches else None

    def validate(self, row: int, column: str, text: Any) -> Any:
        """The typed value `text` becomes in `column`, or EditRefused saying why not; the rules
        are planner.validation's, the importer's own."""
        text = "" if text is None else str(text).strip()
        try:
            return self._validate(row, column, text)
        except validation.Invalid as exc:
            raise EditRefused(exc.text(language())) from None

    def _validate(self, row: int, column: str, text: str) -> Any:
        if column in COORDINATES:
            return validation.coordinate(text, column)
        if column == "id":
            value = validation.record_id(text)
            if any(str(v) == value for i, v in enumerate(self._frame["id"]) if i != row):
                raise validation.Invalid("duplicate_id", v=value)
            return value
        if column in _WINDOW_OF:
            value = validation.time_of_day(text)
            start, end = _WINDOW_OF[column]
            other = self.value(row, end if column == start else start)
            if other not in (None, ""):
                pair = (value, other) if column == start else (other, value)
                validation.window(*pair, overnight_ok=start == "opens")
            return value
        if column in DAY_COLUMNS:
            days = validation.weekdays(text)
            if not days:
                raise validation.Invalid("bad_days", v=text)
            return ",".join(days)
        if column == "kind" and self.spec.name == "libraries":
            return validation.service_kind(text)
        current = self._frame[column]
        if _numeric_column(current):
            integer = all(isinstance(v, int) for v in current.dropna())
            return validation.number(text, field=column, integer=integer)
        return text


def _numeric_column(series: pd.Series) -> bool:
    values = series.dropna()
    return len(values) > 0 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
    )


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _format(value: Any, column: str) -> str:
    if value is None:
        return ""
    if column in COORDINATES:
        return f"{value:.6f}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"
    return str(value)


class RowsModel(QAbstractTableModel):
    """A read-only table of plain rows (runs, compare figures)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[list[Any]] = []

    def set_rows(self, headers: list[str], rows: list[list[Any]]) -> None:
        self.beginResetModel()
        self._headers, self._rows = list(headers), [list(r) for r in rows]
        self.endResetModel()

    def row(self, index: int) -> list[Any]:
        return self._rows[index]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, float):
                return f"{value:,.2f}"
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
