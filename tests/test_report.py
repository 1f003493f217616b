"""The officials' report: the stored figures appear, names are escaped, a PDF is printed."""

from __future__ import annotations

from pathlib import Path

from planner.cli import main
from planner.report import write_report
from tests.test_maps import HOSTILE, project  # noqa: F401 - the same small project

ARTIFACTS = Path(__file__).parent / "artifacts"


def test_report_shows_the_district_table_from_the_stored_run(project, tmp_path):  # noqa: F811
    files = write_report(project, tmp_path, lang="en", pdf=False)
    html = files["html"].read_text(encoding="utf-8")
    assert "鹿城区" in html and "75.0%" in html and "10.0%" in html  # shares of the stored run
    assert "42.5%" in html  # the city total
    assert "<script>document.title" not in html and "&lt;script&gt;" in html


def test_report_command_prints_a_pdf(project, tmp_path):  # noqa: F811
    assert main(["report", str(project.path), "--out", str(tmp_path)]) == 0
    pdf = tmp_path / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.pdf").write_bytes(pdf.read_bytes())


def test_the_chinese_report_names_modes_sources_and_days_in_chinese(project, tmp_path):  # noqa: F811
    html = write_report(project, tmp_path, lang="zh", pdf=False)["html"].read_text(encoding="utf-8")
    assert "步行" in html and "直线距离估算" in html
    assert "(walk" not in html and "straight-line)" not in html
    assert "周一" in html and "<td>Mon</td>" not in html  # the bookmobile days
    english = write_report(project, tmp_path / "en", lang="en", pdf=False)["html"].read_text(encoding="utf-8")
    assert "Walk" in english and "straight line" in english
