"""The officials' report: one HTML file (and a PDF printed by headless Chromium) with coverage
by district before and after the siting plan, equity figures, the new sites, and the bookmobile
and courier summaries, with static charts. Every string from the project is escaped."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from planner.i18n import has, text  # noqa: E402
from planner.plan_figures import plan_figures_section  # noqa: E402
from planner.standards import (  # noqa: E402
    standards_rows,
    standards_section,
    write_standards_sheet,
)
from planner.store import Project  # noqa: E402

_CSS = """
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.6em; border-bottom: 2px solid #2c7fb8; padding-bottom: .3em; }
h2 { font-size: 1.2em; margin-top: 1.6em; color: #2c7fb8; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: right; }
th { background: #eef4fa; } td:first-child, th:first-child { text-align: left; }
.note { color: #666; font-size: .85em; }
img { max-width: 100%; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } table, img { page-break-inside: avoid; } }
"""


def _font() -> None:
    """Use a CJK font for the charts when one is installed (fonts-noto-cjk), so Chinese shows."""
    for f in font_manager.fontManager.ttflist:
        if "CJK SC" in f.name or f.name in ("Noto Sans SC", "WenQuanYi Micro Hei"):
            plt.rcParams["font.family"] = f.name
            break
    plt.rcParams["axes.unicode_minus"] = False


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _label(prefix: str, value: object, zh: bool) -> str:
    """A value through the label table (mode_walk → 步行), or as it is when there is no label."""
    key = f"{prefix}{value}"
    return text(key, "zh" if zh else "en") if has(key) else str(value or "")


def _L(zh: bool, a: str, b: str) -> str:
    return a if zh else b


def _table(head: list[str], rows: list[list[Any]]) -> str:
    h = "".join(f"<th>{escape(str(x))}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(x))}</td>" for x in r) + "</tr>" for r in rows)
    return f"<table><tr>{h}</tr>{body}</table>"


def build_report(project: Project, lang: str = "zh") -> str:
    """The report as one HTML string."""
    zh = lang != "en"
    _font()
    parts = [f"<h1>{escape(project.meta.get('name', ''))} · {_L(zh, '图书馆服务覆盖与车辆计划报告', 'Library coverage and vehicle plan report')}</h1>"]
    before = project.latest_run("coverage", "baseline") or project.latest_run("coverage")
    siting = project.latest_run("siting")
    after = project.latest_run("coverage", "plan")
    if before:
        b = before["result"]
        a_rows = {r["district"]: r for r in (after["result"]["by_district"] if after else [])}
        minutes = b["threshold"] / 60 if b.get("unit") == "s" else None
        thr = f"{minutes:.0f} {_L(zh, '分钟', 'minutes')}" if minutes else f"{b['threshold']:.0f} m"
        parts.append(f"<h2>{_L(zh, '分区县覆盖', 'Coverage by district')}</h2><p class='note'>"
                     f"{escape(_L(zh, '覆盖：', 'Covered: '))}{escape(thr)} ({escape(_label('mode_', b.get('mode'), zh))}, "
                     f"{escape(_label('source_', b.get('cost_source', ''), zh))})</p>")
        head = [_L(zh, "区县", "District"), _L(zh, "常住人口", "Population"), _L(zh, "覆盖人口", "Covered"), _L(zh, "覆盖率", "Share")]
        if a_rows:
            head += [_L(zh, "规划后覆盖率", "Share after plan"), _L(zh, "变化", "Change")]
        rows = []
        for r in b["by_district"]:
            row = [r["district"], f"{r.get('population_official') or round(r['population']):,}", f"{round(r['covered']):,}", f"{r['share']:.1%}"]
            if a_rows:
                s2 = a_rows.get(r["district"], r)["share"]
                row += [f"{s2:.1%}", f"{(s2 - r['share']) * 100:+.1f}"]
            rows.append(row)
        t = b["total"]
        total = [_L(zh, "全市", "Total"), f"{round(t['population']):,}", f"{round(t['covered']):,}", f"{t['share']:.1%}"]
        if a_rows:
            t2 = after["result"]["total"]["share"]
            total += [f"{t2:.1%}", f"{(t2 - t['share']) * 100:+.1f}"]
        parts.append(_table(head, [*rows, total]))
        fig, ax = plt.subplots(figsize=(8, 3.6))
        names = [r["district"] for r in b["by_district"]]
        x = range(len(names))
        ax.bar([i - 0.2 for i in x], [r["share"] * 100 for r in b["by_district"]], 0.4, label=_L(zh, "现状", "now"), color="#9ecae1")
        if a_rows:
            ax.bar([i + 0.2 for i in x], [a_rows.get(n, {"share": 0})["share"] * 100 for n in names], 0.4,
                   label=_L(zh, "规划后", "after plan"), color="#2c7fb8")
        ax.set_xticks(list(x), names, rotation=30, ha="right")
        ax.set_ylabel("%")
        ax.legend()
        ax.set_title(_L(zh, "各区县覆盖率", "Coverage share by district"))
        parts.append(f"<img alt='chart' src='{_png(fig)}'>")
        e = b.get("equity", {})
        parts.append(f"<h2>{_L(zh, '公平性', 'Equity')}</h2>" + _table(
            [_L(zh, "指标", "Measure"), _L(zh, "数值", "Value")],
            [["Gini", f"{e.get('gini', float('nan')):.3f}"], ["Theil", f"{e.get('theil', float('nan')):.3f}"],
             [_L(zh, "最差区县", "Worst district"), f"{e.get('worst_district', '')} ({e.get('worst_share', 0):.1%})"],
             [_L(zh, "90% 人口的出行时间（分钟）", "90th percentile travel (min)"),
              f"{e.get('p90_cost', float('nan')) / 60:.1f}" if b.get("unit") == "s" else f"{e.get('p90_cost', float('nan')):.0f} m"]]))
    else:
        parts.append(f"<p>{_L(zh, '尚无覆盖分析结果。', 'No coverage analysis yet.')}</p>")
    if siting:
        s = siting["result"]
        parts.append(f"<h2>{_L(zh, '新址方案', 'New sites')}</h2><p class='note'>{escape(_label('model_', s.get('model'), zh))} · "
                     f"{_L(zh, '最优' if s.get('optimal') else '有时限', 'optimal' if s.get('optimal') else 'time-limited')}, {_L(zh, '差距', 'gap')} {s.get('gap', 0):.2%}</p>")
        parts.append(_table([_L(zh, "编号", "Id"), _L(zh, "名称", "Name"), _L(zh, "区县", "District"), _L(zh, "经度", "Lon"), _L(zh, "纬度", "Lat")],
                            [[x["id"], x.get("name", ""), x.get("district", ""), f"{x['lon']:.5f}", f"{x['lat']:.5f}"] for x in s["selected"]]))
    plan_run = project.latest_run("plan")
    parts.append(plan_figures_section(siting["result"] if siting else None,
                                      plan_run["result"] if plan_run else None, "zh" if zh else "en"))
    if project.layer_for_role("population") and project.layer_for_role("libraries"):
        parts.append(standards_section(project, "zh" if zh else "en"))
    for kind, title in (("bookmobile", _L(zh, "城市书巴周计划", "Bookmobile week")), ("courier", _L(zh, "通借通还物流", "Courier runs"))):
        run = project.latest_run(kind)
        if not run:
            continue
        r = run["result"]
        t = r["totals"]
        parts.append(f"<h2>{title}</h2>" + _table(
            [_L(zh, "车辆", "Vehicle"), _L(zh, "日期", "Day"), _L(zh, "停靠", "Stops"), _L(zh, "公里", "km"), _L(zh, "小时", "hours")],
            [[x.get("vehicle_name") or x["vehicle_id"], _label("day_", x.get("day", ""), zh), len(x["stops"]), f"{x['distance_km']:.1f}", f"{x['duration_h']:.1f}"]
             for x in r["routes"]]))
        parts.append(f"<p>{_L(zh, '合计', 'Total')}: {t.get('distance_km', 0)} km, {t.get('duration_h', 0)} h; "
                     f"{_L(zh, '未安排', 'not served')}: {t.get('dropped', 0)}</p>")
        if r.get("comparison"):
            c = r["comparison"]
            parts.append(_table([_L(zh, "方案", "Plan"), _L(zh, "车辆", "Vans"), _L(zh, "公里", "km"), _L(zh, "顺延", "Left")],
                                [[_label("plan_", k, zh) + (" ✓" if k == c.get("chosen") else ""), v["vehicles"],
                                  v["distance_km"], v["dropped"]] for k, v in c.items() if k != "chosen"]))
        if r.get("dropped"):
            parts.append(_table([_L(zh, "地点", "Place"), _L(zh, "原因", "Reason")],
                                [[d.get("name", d["id"]), d["reason_zh"] if zh else d["reason_en"]] for d in r["dropped"]]))
    body = "\n".join(parts)
    return (f"<!doctype html><html lang='{'zh-CN' if zh else 'en'}'><head><meta charset='utf-8'>"
            f"<title>{_L(zh, '规划报告', 'Planning report')}</title><style>{_CSS}</style></head><body>{body}</body></html>")


def write_report(project: Project, out_dir: Path, *, lang: str = "zh", pdf: bool = True) -> dict[str, Path]:
    """Write report.html (and report.pdf when Chromium is installed) into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / "report.html"
    html.write_text(build_report(project, lang), encoding="utf-8")
    files = {"html": html}
    if project.layer_for_role("population") and project.layer_for_role("libraries"):
        files["xlsx"] = write_standards_sheet(out_dir / "standards.xlsx", standards_rows(project), lang)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if pdf and browser:
        target = out_dir / "report.pdf"
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", f"--user-data-dir={profile}", "--no-pdf-header-footer",
                 f"--print-to-pdf={target}", html.resolve().as_uri()],
                capture_output=True, timeout=120, check=False,
            )
        if target.is_file() and target.stat().st_size > 0:
            files["pdf"] = target
    return files
