"""How a courier run reads to a person, shared by the window's results panel and the report:
the direct/hub comparison (a plan that found nothing says so and is not compared), each plan's
routes, and for a week the measures, the frontier of designs (table and chart) and every
van-day's visits. Every string from the project is escaped."""

from __future__ import annotations

import io
from html import escape
from typing import Any

from planner.i18n import text
from planner.jobs.courier import CourierResult
from planner.jobs.courier_week import CourierWeekResult


def _table(head: list[str], rows: list[list[Any]]) -> str:
    h = "".join(f"<th>{escape(str(x))}</th>" for x in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(x))}</td>" for x in r) + "</tr>" for r in rows
    )
    return f"<table cellspacing=0 cellpadding=3 border=1 style='border-collapse:collapse'><tr>{h}</tr>{body}</table>"


def _clock(minutes: float | None) -> str:
    m = int(round(minutes or 0))
    return f"{m // 60:02d}:{m % 60:02d}"


def _visits(route: dict[str, Any]) -> str:
    """A route's visits on one line: library (+loaded / −unloaded crates)."""
    out = []
    for s in route["stops"]:
        up = sum(x["crates"] for x in s.get("load", []))
        down = sum(x["crates"] for x in s.get("unload", []))
        out.append(f"{s.get('name') or s['id']} {_clock(s['arrival_min'])} (+{up}/−{down})")
    return " → ".join(out)


def comparison_html(result: CourierResult, lang: str) -> str:
    """Direct against via-the-hub; a plan that found nothing is said so, never shown as numbers."""
    comparison = result.comparison
    chosen = comparison.get("chosen")
    rows, missing = [], []
    for name, t in comparison.items():
        if name == "chosen":
            continue
        label = text(f"plan_{name}", lang) if name in ("direct", "hub") else name
        if not t.get("found", True):
            missing.append(
                f"<p style='color:#b00'>{escape(label)}：{escape(text('courier_not_found', lang))}</p>"
            )
            continue
        rows.append(
            [
                label,
                t["vehicles"],
                f"{t['distance_km']:.1f}",
                f"{t['duration_h']:.1f}",
                f"{t['served']}/{t['shipments']}",
                t["dropped"],
                "✓" if name == chosen else "",
            ]
        )
    if not rows and not missing:
        return ""
    head = [
        "",
        text("vehicle", lang),
        text("km", lang),
        text("hours", lang),
        text("served", lang),
        text("dropped", lang),
        text("plan_chosen", lang),
    ]
    return (
        f"<h4>{escape(text('courier_plans', lang))}</h4>"
        + (_table(head, rows) if rows else "")
        + "".join(missing)
    )


def plans_html(result: CourierResult, lang: str) -> str:
    """Both plans' routes (the run keeps them all), one row per van."""
    parts = []
    for name, routes in result.plans.items():
        if not routes:
            continue
        label = text(f"plan_{name}", lang) if name in ("direct", "hub") else name
        parts.append(
            f"<h4>{escape(text('courier_plan_routes', lang, plan=label))}</h4>"
            + _table(
                [text("vehicle", lang), text("km", lang), text("courier_visits", lang)],
                [
                    [
                        r.get("vehicle_name") or r["vehicle_id"],
                        f"{r['distance_km']:.1f}",
                        _visits(r),
                    ]
                    for r in routes
                ],
            )
        )
    return "".join(parts)


def week_html(result: CourierWeekResult, lang: str, chart_src: str | None = None) -> str:
    """The week's measures, its design and frontier (with the chart at `chart_src`), and each van-day."""
    m, t, design = result.measures, result.turnaround_days, result.design
    worst = m.get("worst_pair")
    rows = [
        [text("courier_turnaround", lang), f"{t.get('mean')} / {t.get('p95')} / {t.get('max')}"],
        [
            text("courier_share_within", lang, d=f"{m.get('max_turnaround_days', 0):g}"),
            f"{m.get('share_within', 0):.1%}",
        ],
        [text("courier_items", lang), f"{m.get('items_home', 0)} / {m.get('items', 0)}"],
        [text("courier_crates", lang), m.get("crates_moved", 0)],
        [text("courier_van_km", lang), m.get("van_km", 0)],
        [text("courier_van_hours", lang), m.get("van_hours", 0)],
        [text("courier_van_days", lang), m.get("van_days", 0)],
        [text("courier_cost_total", lang), m.get("cost_total", 0)],
        [text("courier_cost_item", lang), result.cost_per_item],
        [text("courier_empty_crates", lang), m.get("empty_crates_returned", 0)],
    ]
    if worst:
        rows.append(
            [
                text("courier_worst_pair", lang),
                f"{worst['from_name']} → {worst['to_name']} ({worst['mean_days']})",
            ]
        )
    label = design.get("label_zh" if lang == "zh" else "label_en", "")
    parts = [
        f"<h4>{escape(text('courier_measures', lang))}</h4>",
        _table(["", ""], rows),
        f"<h4>{escape(text('courier_design', lang))}: {escape(label)}</h4>",
    ]
    if design and not design.get("meets_target", True):
        parts.append(f"<p style='color:#b00'>{escape(text('courier_target_missed', lang))}</p>")
    frontier = design.get("frontier", [])
    if frontier:
        parts.append(f"<h4>{escape(text('courier_frontier', lang))}</h4>")
        parts.append(
            _table(
                [
                    "",
                    text("courier_van_km", lang),
                    text("courier_share_within", lang, d=f"{m.get('max_turnaround_days', 0):g}"),
                    "p95",
                ],
                [
                    [
                        p["label_zh" if lang == "zh" else "label_en"]
                        + (" ✓" if p["name"] == design.get("chosen") else ""),
                        f"{p['van_km']:.0f}",
                        f"{p['share_within']:.1%}",
                        p.get("p95_days"),
                    ]
                    for p in frontier
                ],
            )
        )
        if chart_src:
            parts.append(f"<p><img alt='frontier' src='{escape(chart_src)}' width='480'></p>")
    parts.append(
        f"<h4>{escape(text('courier_week_table', lang))}</h4>"
        + _table(
            [
                text("day", lang),
                text("vehicle", lang),
                text("km", lang),
                text("courier_visits", lang),
            ],
            [
                [
                    r.get("day", ""),
                    r.get("vehicle_name") or r["vehicle_id"],
                    f"{r['distance_km']:.1f}",
                    _visits(r),
                ]
                for r in result.routes
            ],
        )
    )
    not_home = result.not_home
    if not_home:
        parts.append(
            f"<h4>{escape(text('courier_not_home', lang))}</h4>"
            + _table(
                ["", text("courier_items", lang), ""],
                [
                    [
                        f"{r['from_name']} → {r['to_name']}",
                        r["items"],
                        r["reason_zh" if lang == "zh" else "reason_en"],
                    ]
                    for r in not_home
                ],
            )
        )
    return "".join(parts)


def frontier_png(result: CourierWeekResult, lang: str) -> bytes | None:
    """The frontier as a small PNG chart (van-km against the share home in time), or None."""
    design = result.design
    points, frontier = design.get("evaluated", []), design.get("frontier", [])
    if not frontier:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    family = next((f.name for f in font_manager.fontManager.ttflist if "CJK SC" in f.name), None)
    style = {"font.family": family, "axes.unicode_minus": False} if family else {}
    with plt.rc_context(style):
        fig, ax = plt.subplots(figsize=(5.2, 3.2))
        ax.scatter(
            [p["van_km"] for p in points],
            [p["share_within"] * 100 for p in points],
            color="#bbbbbb",
            s=18,
        )
        ax.plot(
            [p["van_km"] for p in frontier],
            [p["share_within"] * 100 for p in frontier],
            "o-",
            color="#2c7fb8",
        )
        chosen = [p for p in frontier if p["name"] == design.get("chosen")]
        if chosen:
            ax.scatter(
                [chosen[0]["van_km"]],
                [chosen[0]["share_within"] * 100],
                s=90,
                facecolors="none",
                edgecolors="#d7301f",
                linewidths=2,
            )
        d = f"{result.measures.get('max_turnaround_days', 0):g}"
        ax.set_xlabel(text("courier_van_km", lang))
        ax.set_ylabel(text("courier_share_within", lang, d=d) + " %")
        ax.set_title(text("courier_frontier", lang), fontsize=10)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
    return buf.getvalue()


def report_section(result: CourierResult | CourierWeekResult, lang: str) -> str:
    """The report's courier section: comparison or week measures with the frontier chart inline."""
    import base64

    if isinstance(result, CourierResult):  # the report tables the plans found; say which found none
        return "".join(
            f"<p>{escape(text(f'plan_{k}', lang))}: {escape(text('courier_not_found', lang))}</p>"
            for k, v in result.comparison.items()
            if k in ("direct", "hub") and not v.get("found", True)
        )
    png = frontier_png(result, lang)
    src = "data:image/png;base64," + base64.b64encode(png).decode() if png else None
    return week_html(result, lang, src)
