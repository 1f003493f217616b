"""The courier run in the results panel: both plans (a plan that found nothing says so), both
plans' routes, and for a week the measures, each van-day and the frontier chart (a PNG added
to the panel's document as a resource, since the panel shows HTML)."""

from __future__ import annotations

from PyQt6.QtCore import QUrl
from PyQt6.QtGui import QImage, QTextDocument

from planner.courier_view import comparison_html, frontier_png, plans_html, week_html
from planner.jobs.courier import CourierResult
from planner.jobs.courier_week import CourierWeekResult
from ui.strings import language

CHART_URL = "courier-frontier.png"


def courier_parts(result: CourierResult | CourierWeekResult) -> list[str]:
    """HTML parts for a courier run, in the window's language."""
    lang = language()
    if isinstance(result, CourierWeekResult):
        chart = CHART_URL if result.design.get("frontier") else None
        return [week_html(result, lang, chart)]
    return [comparison_html(result, lang), plans_html(result, lang)]


def add_chart(document: QTextDocument, result: object) -> None:
    """Give the panel's document the week's frontier chart under CHART_URL (a courier week only)."""
    if not isinstance(result, CourierWeekResult):
        return
    png = frontier_png(result, language())
    if png:
        document.addResource(
            QTextDocument.ResourceType.ImageResource.value, QUrl(CHART_URL), QImage.fromData(png)
        )
