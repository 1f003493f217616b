"""The officials' report: the stored figures appear, names are escaped, a PDF is printed."""

from __future__ import annotations

import base64
import io
import re

from PIL import Image

from planner.cli import main
from planner.report import build_report, write_report
from tests.support.paths import ARTIFACTS


def test_report_shows_the_district_table_from_the_stored_run(map_project, tmp_path):  # noqa: F811
    files = write_report(map_project, tmp_path, lang="en", pdf=False, maps=False)
    html = files["html"].read_text(encoding="utf-8")
    assert "鹿城区" in html and "75.0%" in html and "10.0%" in html  # shares of the stored run
    assert "42.5%" in html  # the city total
    assert "<script>document.title" not in html and "&lt;script&gt;" in html


def test_report_command_prints_a_pdf(map_project, tmp_path):  # noqa: F811
    assert main(["report", str(map_project.path), "--out", str(tmp_path)]) == 0
    pdf = tmp_path / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.pdf").write_bytes(pdf.read_bytes())


def test_the_chinese_report_names_modes_sources_and_days_in_chinese(map_project, tmp_path):  # noqa: F811
    html = write_report(map_project, tmp_path, lang="zh", pdf=False, maps=False)["html"].read_text(encoding="utf-8")
    assert "步行" in html and "直线距离估算" in html
    assert "(walk" not in html and "straight-line)" not in html
    assert "周一" in html and "<td>Mon</td>" not in html  # the bookmobile days
    english = write_report(map_project, tmp_path / "en", lang="en", pdf=False, maps=False)["html"].read_text(encoding="utf-8")
    assert "Walk" in english and "straight line" in english


def _second_run(map_project, scenario: str = "10分钟") -> int:  # noqa: F811
    """A later coverage run of another name (10 minutes' walk) with its own shares."""
    result = dict(map_project.latest_run("coverage")["result"], threshold=600.0, scenario=scenario)
    result["by_district"] = [dict(r, covered=r["covered"] / 5, share=r["share"] / 5) for r in result["by_district"]]
    result["total"] = dict(result["total"], share=0.085)
    return map_project.add_run("coverage", result, scenario=scenario)


def test_the_report_shows_the_latest_coverage_run_of_any_name_or_the_one_picked(map_project, tmp_path):  # noqa: F811
    first = map_project.latest_run("coverage")["id"]
    second = _second_run(map_project)
    html = build_report(map_project, "zh", maps=False)
    assert "15.0%" in html and "8.5%" in html and "75.0%" not in html  # 10分钟, not baseline
    assert f"#{second} 覆盖「10分钟」" in html and "步行 10 分钟" in html and "直线距离估算" in html
    picked = build_report(map_project, "zh", run_id=first, maps=False)
    assert "75.0%" in picked and "步行 15 分钟" in picked and "「baseline」" in picked
    assert main(["report", str(map_project.path), "--out", str(tmp_path), "--no-pdf", "--run", str(first)]) == 0
    assert "75.0%" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_the_report_refuses_a_run_that_has_no_coverage(map_project, tmp_path, capsys):  # noqa: F811
    bookmobile = map_project.latest_run("bookmobile")["id"]
    assert main(["report", str(map_project.path), "--out", str(tmp_path), "--no-pdf", "--run", str(bookmobile)]) == 2
    assert "--run" in capsys.readouterr().err


def test_the_report_puts_a_map_picture_beside_the_table_and_a_pair_for_a_plan(map_project):  # noqa: F811
    before = map_project.latest_run("coverage")
    plan_result = dict(before["result"], by_district=[dict(r, share=0.9) for r in before["result"]["by_district"]])
    plan = map_project.add_run("coverage", plan_result, scenario="plan")
    site = {"id": "C1", "name": "新址", "district": "鹿城区", "lon": 120.66, "lat": 28.0}
    siting = {"model": "lscp", "p": 5, "threshold": 900.0, "unit": "s", "mode": "walk",
              "cost_source": "straight-line", "selected": [site], "before": before["result"]["by_district"],
              "after": plan_result["by_district"], "total_before": {"share": 0.425}, "total_after": {"share": 0.9},
              "optimal": True, "gap": 0.0, "plan_run_id": plan}
    map_project.add_run("siting", siting, scenario="plan", params={"model": "lscp", "p": 5})
    html = build_report(map_project, "zh", run_id=before["id"])
    pictures = re.findall(r"<img class='map' alt='[^']*' src='data:image/png;base64,([^']+)'", html)
    assert len(pictures) == 3  # the run's own map, then before and after the plan
    image = Image.open(io.BytesIO(base64.b64decode(pictures[0])))
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert image.size == (900, 640) and len(colours) > 50  # a drawn map, not a blank page
    assert "<div class='pair'><div><table>" in html  # the table beside the picture
    assert "规划前后对比" in html and "集合覆盖" in html and "p = 5" not in html
    assert "90.0%" in html and "+47.5" in html  # the city total before and after
