"""Untrusted project files and names: opening a project never runs code, output paths stay in
the chosen folder, SQL takes values as parameters."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from planner.errors import PlannerError
from planner.paths import safe_output_path
from planner.store import Project

ROOT = Path(__file__).resolve().parents[1]
CODE = [p for d in ("planner", "models", "routing", "ui", "gis_data") for p in (ROOT / d).rglob("*.py")]


def test_no_code_path_deserialises_or_evaluates_data():
    pattern = re.compile(r"^\s*(import|from)\s+(pickle|marshal|shelve|dill)\b|(?:^|[\s=(,])(eval|exec)\(")
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in CODE
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line) and not line.lstrip().startswith("#")]
    assert offenders == []


@pytest.mark.parametrize("name", ["../evil.html", "/etc/passwd", "a/../../b.xlsx", "x\x00.html", "..\\win.html", ""])
def test_output_names_cannot_leave_the_folder(tmp_path, name):
    with pytest.raises(PlannerError):
        safe_output_path(tmp_path, name)


def test_plain_and_chinese_names_are_fine(tmp_path):
    assert safe_output_path(tmp_path, "书巴1号.xlsx") == (tmp_path / "书巴1号.xlsx").resolve()


def test_hostile_layer_values_are_stored_as_data(tmp_path):
    import geopandas as gpd
    import shapely

    evil = "x'); DROP TABLE layers; --"
    with Project.create(tmp_path / "p.planner") as project:
        gdf = gpd.GeoDataFrame({"id": [evil], evil: [evil]}, geometry=[shapely.Point(120.6, 28.0)], crs=4326)
        project.write_layer("libraries", gdf, "libraries", source_file=evil)
        project.add_run("coverage", {"name": evil}, scenario=evil)
    with Project.open(tmp_path / "p.planner") as project:
        back = project.read_layer("libraries")
        assert back["id"].iloc[0] == evil and back[evil].iloc[0] == evil
        assert project.latest_run("coverage", evil)["result"]["name"] == evil


def test_no_template_engine_or_markup_builder_sees_user_text():
    """Maps and reports never hand text to Jinja/branca/folium (whose templates evaluate
    `{{ … }}`), and the map script builds no markup or code from its data."""
    engines = re.compile(r"^\s*(import|from)\s+(jinja2|folium|branca|mako|string\.Template)\b|Template\(")
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in CODE
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if engines.search(line)]
    assert offenders == []
    script = (ROOT / "planner" / "assets" / "planner_map.js").read_text(encoding="utf-8")
    for risky in ("`", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                  "Function(", "setTimeout(", "bindPopup(item.popup.title"):
        assert risky not in script, risky


@pytest.mark.parametrize(
    "name",
    ["</script><script>alert(1)</script>", "</SCRIPT>", "<!--", "a\u2028b\u2029c", "&lt;", "${x}", "{{ 7*7 }}"],
)
def test_page_data_cannot_close_its_script_and_reads_back_exactly(name):
    from planner.maps import page_json

    text = page_json({"name": name, "n": float("nan")})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"name": name, "n": None}
