"""`planner demo`: build a project from the embedded Wenzhou data and run every job on it,
end to end, as a planner would: the layers, then the embedded roads through the same import
as `planner import … --as roads`, then coverage now, 10 new study rooms by the fair model, a
bookmobile week and a courier day through the same job functions as the CLI and the GUI (on
the project's roads, or straight lines with travel "straight"), maps, timetables and a
summary a script can check."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from models.control import Control
from planner import embedded, maps, roads, timetable
from planner.jobs import bookmobile, courier, coverage, siting
from planner.jobs.bookmobile_contract import BookmobileRequest, BookmobileResult
from planner.jobs.siting_result import SitingJobResult
from planner.network import DEMO_NETWORK
from planner.store import Project

#: 15 minutes' walk: 900 s at 4.8 km/h with a circuity of 1.25, i.e. about 1 km as the crow flies.
DEMO_THRESHOLD_S = 900.0
DEMO_NEW_SITES = 10
#: The bookmobile week the demo plans (an ordinary week, no holiday).
DEMO_WEEK = date(2026, 10, 12)


@dataclass(frozen=True)
class DemoOptions:
    out_dir: Path
    seconds: float = 15.0  # time limit per routing solve (the road network costs time too)
    seed: int = 0
    travel: str = "network"  # or "straight"
    lang: str = "zh"


def build_demo(options: DemoOptions, control: Control) -> dict[str, Any]:
    """Run the whole demo into `options.out_dir`; returns the summary that is also written as
    summary.json."""
    out = options.out_dir
    out.mkdir(parents=True, exist_ok=True)
    steps = 7
    step = iter(range(steps))

    def next_step(message: str) -> Control:
        k = next(step)
        control.report(k / steps, message)
        control.check()
        return control.sub(k / steps, (k + 1) / steps)

    with Project.create(out / "demo.planner", name="温州市图书馆服务网络 (演示)", overwrite=True) as project:
        embedded.populate_project(project, control=next_step("载入温州数据 loading Wenzhou data"))
        roads.import_roads(project, DEMO_NETWORK, control=next_step("导入路网 importing roads"))
        travel = options.travel
        before = coverage.coverage_job(
            project,
            coverage.CoverageRequest(threshold_s=DEMO_THRESHOLD_S, mode="walk", travel=travel),
            control=next_step("现状覆盖 coverage now"),
        )
        site = siting.run_siting(
            project,
            siting.SitingRequest(
                model="fair", p=DEMO_NEW_SITES, threshold_s=DEMO_THRESHOLD_S, mode="walk",
                time_limit_s=max(options.seconds * 3, 30.0), travel=travel,
            ),
            control=next_step("公平选址 fair siting"),
        )
        week = bookmobile.run_bookmobile_plan(
            project, BookmobileRequest(start_date=DEMO_WEEK, time_limit_s=options.seconds, travel=travel),
            next_step("城市书巴周计划 bookmobile week"),
        )
        day_control = next_step("通借通还物流 courier day")
        day_control.time_limit_s = options.seconds
        day = courier.run_courier_day(
            project, courier.CourierRequest(seed=options.seed, travel=travel), control=day_control
        )

        files_control = next_step("地图与时刻表 maps and timetables")
        files = {
            "project": out / "demo.planner",
            "coverage_map": maps.write_coverage_map(project, out / "coverage.html", lang=options.lang),
            "bookmobile_map": maps.write_routes_map(project, "bookmobile", out / "bookmobile.html", lang=options.lang),
            "courier_map": maps.write_routes_map(project, "courier", out / "courier.html", lang=options.lang),
            "timetable": timetable.write_timetable_xlsx(week, out / "bookmobile_timetable.xlsx", lang=options.lang),
            "courier_xlsx": courier.write_courier_xlsx(day, out / "courier_runs.xlsx", lang=options.lang),
        }
        files_control.report(1.0, "")
        summary = _summary(before, site, week, day, files)
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    control.report(1.0, "完成 done")
    return summary


def _district_rows(before: coverage.CoverageResult, after: list[Any]) -> list[dict[str, Any]]:
    after_by = {row["district"]: row for row in after}
    rows = []
    for row in before.by_district:
        plan = after_by.get(row.district, {"covered": row.covered, "share": row.share})
        rows.append(
            {
                "district": row.district,
                "population": row.population_official,
                "covered_population": round(row.covered),
                "share": round(row.share, 4),
                "after_siting": {
                    "covered_population": round(plan["covered"]),
                    "share": round(plan["share"], 4),
                },
            }
        )
    return rows


def _summary(
    before: coverage.CoverageResult,
    site: SitingJobResult,
    week: BookmobileResult,
    day: courier.CourierResult,
    files: dict[str, Path],
) -> dict[str, Any]:
    return {
        "scenario": "温州 Wenzhou",
        "threshold": {"seconds": before.threshold, "mode": before.mode, "cost_source": before.cost_source,
                      "meaning": "15 分钟步行 15 minutes' walk"},
        "cost_source": {"coverage": before.cost_source, "siting": site.cost_source,
                        "bookmobile": week.cost_source, "courier": day.cost_source},
        "districts": _district_rows(before, list(site.after)),
        "total": {
            "population": sum(row.population_official or 0 for row in before.by_district),
            "covered_population": round(before.total.covered),
            "share": round(before.total.share, 4),
            "after_siting": {
                "covered_population": round(site.total_after["covered"]),
                "share": round(site.total_after["share"], 4),
            },
        },
        "equity": asdict(before.equity),
        "siting": {"model": site.model, "new_sites": site.selected_ids, "optimal": site.optimal, "gap": site.gap},
        "bookmobile": dict(week.totals),
        "courier": {**day.totals, "comparison": day.comparison},
        "files": {k: str(v) for k, v in files.items()},
    }


def format_table(summary: dict[str, Any], lang: str = "zh") -> str:
    """The short per-district table `planner demo` prints, and a line each for the vehicles."""
    zh = lang == "zh"
    head = (
        f"{'区县':<6}{'常住人口':>12}{'覆盖人口':>12}{'覆盖率':>8}{'选址后':>8}"
        if zh
        else f"{'district':<12}{'population':>12}{'covered':>12}{'share':>8}{'after':>8}"
    )
    lines = [head]
    for row in summary["districts"]:
        name = row["district"]
        name = name + "\u3000" * max(0, 4 - len(name)) if zh else name
        lines.append(
            f"{name:<6}{row['population']:>12,}{row['covered_population']:>12,}"
            f"{row['share']:>8.1%}{row['after_siting']['share']:>8.1%}"
        )
    total = summary["total"]
    label = "全市" + "\u3000\u3000" if zh else "Wenzhou"
    lines.append(
        f"{label:<6}{total['population']:>12,}{total['covered_population']:>12,}"
        f"{total['share']:>8.1%}{total['after_siting']['share']:>8.1%}"
    )
    bus, van = summary["bookmobile"], summary["courier"]
    chosen = van["comparison"]["chosen"]
    if zh:
        plan = {"direct": "直送", "hub": "经中心馆中转"}.get(chosen, chosen)
        lines += [
            f"城市书巴：{bus['vehicles']} 辆车，每周 {bus['served']}/{bus['asked']} 次停靠，{bus['distance_km']:,.0f} 公里，"
            f"{bus['dropped']} 次未能安排",
            f"通借通还：{van['vehicles']} 辆物流车，{van['served']}/{van['shipments']} 批当日送达（{plan}），"
            f"{van['distance_km']:,.0f} 公里，{van['dropped']} 批顺延",
        ]
    else:
        plan = {"direct": "direct", "hub": "via the central library"}.get(chosen, chosen)
        lines += [
            f"bookmobiles: {bus['vehicles']} buses, {bus['served']}/{bus['asked']} visits a week, "
            f"{bus['distance_km']:,.0f} km, {bus['dropped']} not served",
            f"courier: {van['vehicles']} vans, {van['served']}/{van['shipments']} shipments delivered today ({plan}), "
            f"{van['distance_km']:,.0f} km, {van['dropped']} left for the next day",
        ]
    return "\n".join(lines)
