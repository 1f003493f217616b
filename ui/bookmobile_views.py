"""Small widgets for bookmobile timetables: the plan's date range (first day and weeks) and a
re-plan's change list (moved, cancelled, added visits) as HTML for the results panel."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from PyQt6.QtCore import QDate
from PyQt6.QtWidgets import QDateEdit, QHBoxLayout, QSpinBox, QWidget

from planner.jobs.bookmobile_contract import BookmobileResult
from ui.strings import tr


class DateRangeEdit(QWidget):
    """First day (a calendar pop-up, next Monday by default) and the number of weeks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        line = QHBoxLayout(self)
        line.setContentsMargins(0, 0, 0, 0)
        today = date.today()
        monday = today + timedelta(days=7 - today.weekday())
        self.first = QDateEdit(QDate(monday.year, monday.month, monday.day))
        self.first.setCalendarPopup(True)
        self.first.setDisplayFormat("yyyy-MM-dd")
        self.count = QSpinBox()
        self.count.setRange(1, 26)
        self.count.setValue(1)
        line.addWidget(self.first)
        line.addWidget(self.count)
        self.retranslate()

    def retranslate(self) -> None:
        self.count.setSuffix(tr("weeks_suffix"))

    def start(self) -> date:
        q = self.first.date()
        return date(q.year(), q.month(), q.day())

    def weeks(self) -> int:
        return self.count.value()


def changes_html(result: BookmobileResult) -> str:
    """A re-plan's change list as an HTML table (names escaped: they come from files); "" when
    the run is not a re-plan."""
    changes = result.changes
    if changes is None:
        return ""
    if not changes:
        return f"<h4>{escape(tr('changes'))}</h4><p>{escape(tr('no_changes'))}</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in (tr("change_kind"), tr("col_name"), tr("old_visit"), tr("new_visit")))
    rows = []
    for c in changes:
        old = f"{c.from_date} {c.from_arrive} {c.from_bus}".strip()
        new = f"{c.to_date} {c.to_arrive} {c.to_bus}".strip()
        cells = (tr(f"change_{c.kind}"), c.name, old, new)
        rows.append("<tr>" + "".join(f"<td>{escape(str(x))}</td>" for x in cells) + "</tr>")
    stops = len({c.stop for c in changes})
    return (f"<h4>{escape(tr('changes'))} ({len(changes)} · {stops})</h4>"
            f"<table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse'><tr>{head}</tr>{''.join(rows)}</table>")
