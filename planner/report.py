"""The officials' report: one HTML file (and a PDF printed by headless Chromium) on the coverage
run the user picks (by default the latest), named with its settings, its table beside a picture
of its offline map, equity figures, the plan's before and after with a map of each, the new
sites, and the bookmobile and courier summaries. Every string from the project is escaped."""

from __future__ import annotations

import base64
import io
from html import escape
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from planner.courier_view import report_section as courier_report_section  # noqa: E402
from planner.fonts import use_cjk_font  # noqa: E402
from planner.headless import run_chromium  # noqa: E402
from planner.i18n import has, text  # noqa: E402
from planner.jobs.bookmobile_contract import BookmobileResult  # noqa: E402
from planner.jobs.courier import CourierResult  # noqa: E402
from planner.jobs.courier_week import CourierWeekResult  # noqa: E402
from planner.jobs.coverage import CoverageResult, district_rows_of  # noqa: E402
from planner.jobs.plan import PlanResult  # noqa: E402
from planner.jobs.siting_result import SitingJobResult  # noqa: E402
from planner.plan_figures import plan_figures_section  # noqa: E402
from planner.run_map import coverage_run, run_map_png, siting_of  # noqa: E402
from planner.run_results import RouteResult, route_result, typed_result  # noqa: E402
from planner.run_titles import run_title, threshold_text  # noqa: E402
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
.pair { display: flex; gap: 1em; align-items: flex-start; flex-wrap: wrap; }
.pair > div, .pair > figure { flex: 1 1 45%; margin: 0; }
img.map { border: 1px solid #bbb; }
figcaption { font-size: .85em; color: #444; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; } h2 { page-break-after: avoid; } table, img { page-break-inside: avoid; } }
"""


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


def _img(png: bytes | None, alt: str) -> str:
    if png is None:
        return ""
    return f"<img class='map' alt='{escape(alt)}' src='data:image/png;base64,{base64.b64encode(png).decode()}'>"


def _threshold(result: CoverageResult | SitingJobResult, zh: bool) -> str:
    """The run's threshold with its unit, mode and travel-time source, in words."""
    lang = "zh" if zh else "en"
    return (f"{_L(zh, '覆盖标准：', 'Covered within: ')}{_label('mode_', result.mode or 'distance', zh)} "
            f"{threshold_text(result.threshold, result.unit, lang)}{_L(zh, '；', '; ')}"
            f"{_L(zh, '出行时间来源：', 'travel times: ')}{_label('source_', result.cost_source, zh)}")


def _coverage_section(project: Project, run: dict[str, Any], zh: bool, maps: bool) -> list[str]:
    """The chosen coverage run: its table beside its map picture, its chart and equity."""
    lang = "zh" if zh else "en"
    b = typed_result(run)
    assert isinstance(b, CoverageResult)  # coverage_run gives coverage runs only
    parts = [f"<h2>{_L(zh, '分区县覆盖', 'Coverage by district')}：{escape(run_title(run, lang))}</h2>",
             f"<p class='note'>{escape(_threshold(b, zh))}</p>"]
    head = [_L(zh, "区县", "District"), _L(zh, "常住人口", "Population"), _L(zh, "覆盖人口", "Covered"), _L(zh, "覆盖率", "Share")]
    rows = [[r.district, f"{r.population_official or round(r.population):,}", f"{round(r.covered):,}",
             f"{r.share:.1%}"] for r in b.by_district]
    t = b.total
    if t.share is not None:
        rows.append([_L(zh, "全市", "Total"), f"{round(t.population or 0):,}", f"{round(t.covered or 0):,}", f"{t.share:.1%}"])
    picture = _img(run_map_png(project, run["id"], lang), _L(zh, "覆盖地图", "coverage map")) if maps else ""
    parts.append(f"<div class='pair'><div>{_table(head, rows)}</div><div>{picture}</div></div>")
    fig, ax = plt.subplots(figsize=(8, 3.4))
    names = [r.district for r in b.by_district]
    ax.bar(range(len(names)), [r.share * 100 for r in b.by_district], 0.6, color="#2c7fb8")
    ax.set_xticks(list(range(len(names))), names, rotation=30, ha="right")
    ax.set_ylabel("%")
    ax.set_title(_L(zh, "各区县覆盖率", "Coverage share by district"))
    parts.append(f"<img alt='chart' src='{_png(fig)}'>")
    e = b.equity
    p90 = e.p90_cost
    p90_text = "—" if p90 is None else (f"{p90 / 60:.1f}" if b.unit == "s" else f"{p90:.0f} m")
    gini, theil = (float("nan") if v is None else v for v in (e.gini, e.theil))
    parts.append(f"<h2>{_L(zh, '公平性', 'Equity')}</h2>" + _table(
        [_L(zh, "指标", "Measure"), _L(zh, "数值", "Value")],
        [[_L(zh, "基尼系数（人均座位数的不均，非覆盖率）", "Gini (of seats per person, not of coverage)"), f"{gini:.3f}"],
         [_L(zh, "泰尔指数（人均座位数）", "Theil (of seats per person)"), f"{theil:.3f}"],
         [_L(zh, "覆盖最差区县", "Worst covered district"), f"{e.worst_district or ''} ({e.worst_share or 0:.1%})"],
         [_L(zh, "90% 人口的出行时间（分钟）", "90th percentile travel (min)"), p90_text]]))
    parts.append(f"<p class='note'>{_L(zh, '基尼系数与泰尔指数衡量各处居民人均可用座位数（两步移动搜索法）的不均：0 为完全均等，越大越不均；它们不是覆盖率。', 'Gini and Theil measure how unequally seats per person (two-step floating catchment) are spread: 0 is perfectly even, higher is less even; they are not coverage shares.')}</p>")
    return parts


def _plan_section(project: Project, siting: dict[str, Any], zh: bool, maps: bool) -> list[str]:
    """Before and after the siting plan: the table of both and a map picture of each."""
    lang = "zh" if zh else "en"
    s = typed_result(siting)
    assert isinstance(s, SitingJobResult)  # siting runs only
    after_rows = {r.district: r for r in district_rows_of(s.after)}
    parts = [f"<h2>{_L(zh, '规划前后对比', 'Before and after the plan')}：{escape(run_title(siting, lang))}</h2>",
             f"<p class='note'>{escape(_threshold(s, zh))}</p>"]
    rows = []
    for r in district_rows_of(s.before):
        s2 = after_rows.get(r.district, r).share
        rows.append([r.district, f"{r.share:.1%}", f"{s2:.1%}", f"{(s2 - r.share) * 100:+.1f}"])
    tb, ta = s.total_before, s.total_after
    if tb and ta:
        rows.append([_L(zh, "全市", "Total"), f"{tb['share']:.1%}", f"{ta['share']:.1%}", f"{(ta['share'] - tb['share']) * 100:+.1f}"])
    parts.append(_table([_L(zh, "区县", "District"), _L(zh, "规划前", "Before"), _L(zh, "规划后", "After"),
                         _L(zh, "变化（百分点）", "Change (pp)")], rows))
    if maps:
        before = _matching_coverage(project, s)
        after = project.run(int(s.plan_run_id)) if s.plan_run_id else None
        pictures = [f"<figure>{_img(run_map_png(project, r['id'], lang), cap)}<figcaption>{escape(cap)}：{escape(run_title(r, lang))}</figcaption></figure>"
                    for r, cap in ((before, _L(zh, "规划前", "Before")), (after, _L(zh, "规划后", "After"))) if r is not None]
        parts.append(f"<div class='pair'>{''.join(pictures)}</div>")
    parts.append(f"<h3>{_L(zh, '新址', 'New sites')}</h3><p class='note'>{escape(_label('model_', s.model, zh))} · "
                 f"{_L(zh, '最优' if s.optimal else '有时限', 'optimal' if s.optimal else 'time-limited')}, {_L(zh, '差距', 'gap')} {s.gap:.2%}</p>")
    parts.append(_table([_L(zh, "编号", "Id"), _L(zh, "名称", "Name"), _L(zh, "区县", "District"), _L(zh, "经度", "Lon"), _L(zh, "纬度", "Lat")],
                        [[x["id"], x.get("name", ""), x.get("district", ""), f"{x['lon']:.5f}", f"{x['lat']:.5f}"] for x in s.selected]))
    return parts


def _matching_coverage(project: Project, siting: SitingJobResult) -> dict[str, Any] | None:
    """The latest coverage run of the plan's settings that is not a plan: the "before" map."""

    def same(run: dict[str, Any]) -> bool:
        c = typed_result(run)
        return isinstance(c, CoverageResult) and (c.threshold, c.unit, c.mode, c.cost_source) == (
            siting.threshold, siting.unit, siting.mode, siting.cost_source)

    return next((r for r in project.runs("coverage") if r["scenario"] != "plan" and same(r)), None)


def _route_section(title: str, r: RouteResult, zh: bool) -> list[str]:
    """A bookmobile or courier run: each vehicle-day, the totals, the courier plans compared and
    what is not served."""
    t = r.totals
    parts = [f"<h2>{title}</h2>" + _table(
        [_L(zh, "车辆", "Vehicle"), _L(zh, "日期", "Day"), _L(zh, "停靠", "Stops"), _L(zh, "公里", "km"), _L(zh, "小时", "hours")],
        [[x.get("vehicle_name") or x["vehicle_id"], _label("day_", x.get("day", ""), zh), len(x["stops"]), f"{x['distance_km']:.1f}", f"{x['duration_h']:.1f}"]
         for x in r.routes])]
    parts.append(f"<p>{_L(zh, '合计', 'Total')}: {t.get('distance_km', 0)} km, {t.get('duration_h', 0)} h; "
                 f"{_L(zh, '未安排', 'not served')}: {t.get('dropped', 0)}</p>")
    if isinstance(r, CourierResult) and r.comparison:
        c = r.comparison
        parts.append(_table([_L(zh, "方案", "Plan"), _L(zh, "车辆", "Vans"), _L(zh, "公里", "km"), _L(zh, "顺延", "Left")],
                            [[_label("plan_", k, zh) + (" ✓" if k == c.get("chosen") else ""), v["vehicles"],
                              v["distance_km"], v["dropped"]] for k, v in c.items() if k != "chosen" and v.get("found", True)]))
    if isinstance(r, CourierResult | CourierWeekResult):
        parts.append(courier_report_section(r, "zh" if zh else "en"))
    dropped = [(d.name or d.stop, d.reason_zh if zh else d.reason_en) for d in r.dropped] if isinstance(
        r, BookmobileResult) else [(d.get("name", d["id"]), d["reason_zh"] if zh else d["reason_en"]) for d in r.dropped]
    if dropped:
        parts.append(_table([_L(zh, "地点", "Place"), _L(zh, "原因", "Reason")], [list(d) for d in dropped]))
    return parts


def build_report(project: Project, lang: str = "zh", *, run_id: int | None = None, maps: bool = True) -> str:
    """The report as one HTML string, on coverage run `run_id` (default: the latest coverage
    run); `maps` adds the map pictures (drawn by headless Chromium)."""
    zh = lang != "en"
    use_cjk_font()
    parts = [f"<h1>{escape(project.meta.get('name', ''))} · {_L(zh, '图书馆服务覆盖与车辆计划报告', 'Library coverage and vehicle plan report')}</h1>"]
    run = coverage_run(project, run_id)
    if run is not None:
        parts += _coverage_section(project, run, zh, maps)
    else:
        parts.append(f"<p>{_L(zh, '尚无覆盖分析结果。', 'No coverage analysis yet.')}</p>")
    siting = (siting_of(project, run["id"]) if run is not None else None) or project.latest_run("siting")
    if siting is not None:
        parts += _plan_section(project, siting, zh, maps)
    plan_run = project.latest_run("plan")
    plan = typed_result(plan_run) if plan_run else None
    plan_of_sites = typed_result(siting) if siting else None
    parts.append(plan_figures_section(plan_of_sites if isinstance(plan_of_sites, SitingJobResult) else None,
                                      plan if isinstance(plan, PlanResult) else None, "zh" if zh else "en"))
    if project.layer_for_role("population") and project.layer_for_role("libraries"):
        parts.append(standards_section(project, "zh" if zh else "en"))
    for kind, title in (("bookmobile", _L(zh, "城市书巴周计划", "Bookmobile week")), ("courier", _L(zh, "通借通还物流", "Courier runs"))):
        routed = route_result(project.latest_run(kind))
        if routed is not None:
            parts += _route_section(title, routed, zh)
    body = "\n".join(parts)
    return (f"<!doctype html><html lang='{'zh-CN' if zh else 'en'}'><head><meta charset='utf-8'>"
            f"<title>{_L(zh, '规划报告', 'Planning report')}</title><style>{_CSS}</style></head><body>{body}</body></html>")


def write_report(project: Project, out_dir: Path, *, lang: str = "zh", pdf: bool = True,
                 run_id: int | None = None, maps: bool = True) -> dict[str, Path]:
    """Write report.html (and report.pdf when Chromium is installed) into `out_dir`, on coverage
    run `run_id` (default: the latest coverage run)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / "report.html"
    html.write_text(build_report(project, lang, run_id=run_id, maps=maps), encoding="utf-8")
    files = {"html": html}
    if project.layer_for_role("population") and project.layer_for_role("libraries"):
        files["xlsx"] = write_standards_sheet(out_dir / "standards.xlsx", standards_rows(project), lang)
    if pdf:
        target = out_dir / "report.pdf"
        run_chromium(["--no-pdf-header-footer", f"--print-to-pdf={target}", html.resolve().as_uri()], 120)
        if target.is_file() and target.stat().st_size > 0:
            files["pdf"] = target
    return files
