"""Untrusted project files and names: opening a project never runs code, output paths stay in
the chosen folder, SQL takes values as parameters."""

from __future__ import annotations

import ast
import json
import re

import pytest

from planner.errors import PlannerError
from planner.paths import safe_output_path
from planner.store import Project
from tests.support.paths import ROOT

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


#: The one module that builds pages with folium/branca/Jinja (planner.maps' page writer).
PAGE_BUILDER = ROOT / "planner" / "map_page.py"
#: folium/branca classes that would carry our data into a template (or render it twice).
TEMPLATE_CARRIERS = {"Element", "Html", "MacroElement", "Tooltip", "Popup", "GeoJson",
                     "GeoJsonTooltip", "GeoJsonPopup", "Marker", "DivIcon", "PolyLine",
                     "CircleMarker", "Figure", "Environment", "from_string"}


def _called(node: ast.Call) -> str:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")


def test_no_template_engine_or_markup_builder_sees_user_text():
    """Only planner/map_page.py uses Jinja/branca/folium (whose templates evaluate `{{ … }}`):
    every template source there is a constant string, every element is one of its own
    constant-template classes (never a MacroElement, which renders its output again), and no
    folium layer, tooltip or popup is made; the map script builds no markup or code."""
    engines = re.compile(r"^\s*(import|from)\s+(jinja2|folium|branca|mako|string\.Template)\b")
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in CODE if p != PAGE_BUILDER
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if engines.search(line) or "Template(" in line]
    assert offenders == []
    tree = ast.parse(PAGE_BUILDER.read_text(encoding="utf-8"))
    templates = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called(node) == "Template":
            templates += 1
            assert len(node.args) == 1 and not node.keywords, ast.unparse(node)
            assert isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
        if isinstance(node, ast.Call):
            assert _called(node) not in TEMPLATE_CARRIERS, ast.unparse(node)
        if isinstance(node, ast.ClassDef):
            assert [ast.unparse(b) for b in node.bases] == ["Element"], node.name
            assert any(isinstance(s, ast.FunctionDef) and s.name == "render" for s in node.body) or any(
                isinstance(s, ast.Assign) and ast.unparse(s.targets[0]) == "_template" for s in node.body
            ), node.name  # its own constant template, or a render placing one of those
    assert templates >= 3
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
