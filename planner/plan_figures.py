"""Figures for issue 13 that the report and the GUI share: the efficiency–equity frontier of a
siting run (covered share against the worst district's share, the chosen plan marked) and the
phased plan's timeline (covered share by year)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from matplotlib.figure import Figure

from planner.i18n import text
from planner.jobs.plan import PlanResult, PlanYearRow
from planner.jobs.siting_result import SitingJobResult


def frontier_figure(
    points: Sequence[Mapping[str, Any]],
    chosen: tuple[float, float] | None,
    lang: str = "zh",
    figure: Figure | None = None,
) -> Figure:
    """The frontier as a line of plans (x: covered share, y: worst district's share, in %),
    with the chosen plan as a star."""
    fig = figure or Figure(figsize=(6, 4))
    fig.clear()
    ax = fig.add_subplot(111)
    xs = [100 * p["total_share"] for p in points]
    ys = [100 * p["worst_share"] for p in points]
    ax.plot(xs, ys, "o-", color="#2c7fb8", label=text("frontier", lang))
    if chosen is not None:
        ax.plot([100 * chosen[0]], [100 * chosen[1]], "*", ms=16, color="#d95f0e")
    ax.set_xlabel(text("frontier_x", lang) + " (%)")
    ax.set_ylabel(text("frontier_y", lang) + " (%)")
    ax.grid(alpha=0.3)
    return fig


def timeline_figure(
    years: Sequence[PlanYearRow], lang: str = "zh", figure: Figure | None = None
) -> Figure:
    """Covered share by year of a phased plan, with the sites opened each year."""
    fig = figure or Figure(figsize=(6, 3.5))
    fig.clear()
    ax = fig.add_subplot(111)
    xs = [y.year for y in years]
    ax.plot(xs, [100 * y.covered_share for y in years], "o-", color="#2c7fb8")
    for y in years:
        ax.annotate(
            f"+{len(y.opened)}",
            (y.year, 100 * y.covered_share),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=8,
        )
    ax.set_xticks(xs)
    ax.set_xlabel(text("year", lang))
    ax.set_ylabel("%")
    ax.set_title(text("plan", lang))
    ax.grid(alpha=0.3)
    return fig


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def chosen_point(siting: SitingJobResult) -> tuple[float, float] | None:
    """The siting run's own plan on its frontier: (covered share, worst district's share)."""
    shares = [r["share"] for r in siting.after if r.get("population", 0) > 0]
    share = siting.total_after.get("share")
    return (share, min(shares)) if shares and share is not None else None


def plan_figures_section(
    siting: SitingJobResult | None, plan: PlanResult | None, lang: str = "zh"
) -> str:
    """Report HTML: the latest siting run's frontier (chosen plan marked) and the latest
    phased plan's timeline; empty when neither exists."""
    parts = []
    if siting is not None and siting.frontier:
        parts.append(f"<h2>{escape(text('frontier', lang))}</h2>")
        figure = frontier_figure(siting.frontier, chosen_point(siting), lang)
        parts.append(f"<img alt='frontier' src='{_png(figure)}'>")
    if plan is not None and plan.years:
        parts.append(f"<h2>{escape(text('plan', lang))}</h2>")
        head = [text(k, lang) for k in ("year", "n_opened", "cost", "share", "worst_district")]
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{escape(str(c))}</td>"
                for c in (
                    y.year,
                    len(y.opened),
                    f"{y.cost:.2f}",
                    f"{y.covered_share:.1%}",
                    y.worst_district or "",
                )
            )
            + "</tr>"
            for y in plan.years
        )
        th = "".join(f"<th>{escape(h)}</th>" for h in head)
        parts.append(f"<table><tr>{th}</tr>{rows}</table>")
        parts.append(f"<p class='note'>{escape(text('carry_over', lang))}</p>")
        parts.append(f"<img alt='timeline' src='{_png(timeline_figure(plan.years, lang))}'>")
    return "\n".join(parts)
