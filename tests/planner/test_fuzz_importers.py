"""The slow fuzz job (`pytest -m fuzz`): thousands of malformed tables and byte strings through
every importer role, odd option values, output names, benchmark and road files through the
command line; each must succeed or be a plain exit-2 error, never a traceback; and the importer
and the table editor must take exactly the same cell values."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import validation
from planner.cli import main
from planner.errors import PlannerError
from planner.importers import import_layer
from planner.store import Project
from tests.support.hostile import hostile_names

pytestmark = pytest.mark.fuzz
TIME_CELL = st.sampled_from(["24:00", "24:01", "08:30:00", "8:5", "08:30", "1900-01-01 17:00:00", "0830", "12:60",
                             "周一", "星期三", "周1", "Monday", "Funday", "城市书房", "study_room", "图书室"])
CELL = st.one_of(st.text(max_size=10), st.sampled_from(["约3000", "NaN", "1e309", "1e308", "-1", "", "120.6", "28.0",
                                                        "500", "周一", "25:99", "15:30", "inf", "2000000000"]),
                 st.floats(allow_nan=True).map(str), st.integers().map(str), hostile_names(), TIME_CELL)
HEADER = st.lists(st.sampled_from(["id", "lon", "lat", "population", "name", "kind", "tw_start", "tw_end", "allowed_days",
                                   "经度", "纬度", "人口", "编号", "seats", "books", "x", "y", "?", "ID", "_fid", "Name",
                                   "opens", "closes", "allowed_vehicles", "service_min", "geometry"]), max_size=8)
ROLE = st.sampled_from(["population", "libraries", "candidates", "stops", "districts"])


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(st.lists(CELL, max_size=8), max_size=8), header=HEADER, role=ROLE, sep=st.sampled_from([",", ";", "\t"]))
def test_thousands_of_tables(tmp_path, rows, header, role, sep):
    path = tmp_path / "fuzz.csv"
    path.write_text("\n".join([sep.join(header), *(sep.join(r) for r in rows)]), encoding="utf-8")
    db = tmp_path / "fuzz.planner"
    if not db.exists():
        Project.create(db).close()
    with Project.open(db) as project, contextlib.suppress(PlannerError):
        import_layer(project, path, role)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".geojson", ".gpkg", ".shp", ".json"]), role=ROLE)
def test_thousands_of_byte_strings(tmp_path, data, suffix, role):
    path = tmp_path / f"junk{suffix}"
    path.write_bytes(data)
    db = tmp_path / "junk.planner"
    if not db.exists():
        Project.create(db).close()
    with Project.open(db) as project, contextlib.suppress(PlannerError):
        import_layer(project, path, role)


def cli(argv: list[str]) -> int:
    """`planner` in this process: the exit status; a traceback fails the test by itself."""
    try:
        return main(["--lang", "en", *argv])
    except SystemExit as exc:
        return exc.code


NUMBER_TEXT = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers().map(str),
                        st.sampled_from(["nan", "NaN", "inf", "-inf", "1e309", "-0", "0", "", "abc", "1,5", "٣"]),
                        st.text(max_size=6))


@settings(max_examples=1500, deadline=None)
@given(text=NUMBER_TEXT)
def test_option_values_are_finite_or_refused(text):
    for convert, positive in ((validation.non_negative, False), (validation.seconds, True)):
        try:
            value = convert(text)
        except Exception as exc:  # argparse turns exactly this type into exit 2 naming the option
            assert type(exc).__name__ == "ArgumentTypeError"
            continue
        assert math.isfinite(value) and (value > 0 if positive else value >= 0)


@pytest.fixture(scope="module")
def small_project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "p.planner"
    Project.create(path).close()
    libs, pop = folder / "libs.csv", folder / "pop.csv"
    libs.write_text("id,name,kind,lon,lat\na,馆,branch,120.6,28.0\n", encoding="utf-8")
    pop.write_text("id,lon,lat,population,district\n1,120.6,28.0,100,鹿城\n", encoding="utf-8")
    for file, role in ((libs, "libraries"), (pop, "population")):
        assert main(["import", str(path), str(file), "--as", role]) == 0
    return path


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(threshold=NUMBER_TEXT, kinds=st.lists(st.one_of(TIME_CELL, hostile_names(), st.text(max_size=6)), min_size=1, max_size=3),
       name=st.one_of(st.text(max_size=300), hostile_names(), st.sampled_from(["a" * 256 + ".json", "x/y.json", "", "."])))
def test_coverage_options_and_output_names(small_project, tmp_path, threshold, kinds, name):
    argv = ["coverage", str(small_project), "--threshold", threshold, "--kinds", *kinds, "--json", str(tmp_path / name)]
    assert cli(argv) in (0, 2)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=400).map(lambda b: b.decode("latin-1")),
                      st.lists(st.lists(st.one_of(st.integers(-5, 300).map(str), st.sampled_from(["nan", "x", "1e309"])),
                                        min_size=1, max_size=9), max_size=12).map(lambda rows: "\n".join(" ".join(r) for r in rows))),
       kind=st.sampled_from(["vrptw", "pdptw"]))
def test_benchmark_files(tmp_path, data, kind):
    path = tmp_path / "instance.txt"
    path.write_text(data, encoding="utf-8")
    assert cli(["bench", kind, str(path), "--seconds", "0.2", "--json", str(tmp_path / "b.json")]) in (0, 2)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(length=st.one_of(st.none(), NUMBER_TEXT), travel=st.one_of(st.none(), NUMBER_TEXT),
       crs=st.sampled_from(["EPSG:32651", "EPSG:4326", "EPSG:bogus", "", "+proj=longlat"]),
       x=st.sampled_from([0.0, 120.6, 500.0, float("nan")]))
def test_road_files(tmp_path, length, travel, crs, x):
    import geopandas as gpd
    import networkx as nx
    import shapely

    graph = nx.MultiDiGraph(crs=crs)
    for n, (a, b) in enumerate([(x, 28.0), (x + 0.01, 28.0), (x + 0.01, 28.01)]):
        graph.add_node(n, x=a, y=b)
    attrs = {k: v for k, v in (("length", length), ("travel_time", travel)) if v is not None}
    graph.add_edge(0, 1, **attrs)
    graph.add_edge(1, 2, length=100.0)
    network = tmp_path / "roads.graphml"
    nx.write_graphml(graph, network)
    points = tmp_path / "points.geojson"
    if not points.exists():
        gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.Point(120.6, 28.0)], crs=4326).to_file(points)
    argv = ["matrix", "--network", str(network), "--from", str(points), "--to", str(points), "--json", str(tmp_path / "m.json")]
    assert cli(argv) in (0, 2)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(column=st.sampled_from(["tw_start", "tw_end", "allowed_days", "service_min"]), cell=st.one_of(TIME_CELL, CELL))
def test_the_importer_and_the_table_editor_agree(qtbot, tmp_path, column, cell):
    from PyQt6.QtGui import QUndoStack

    from ui.table_models import EditableTableModel, EditRefused, TableSpec

    if any(c in cell for c in '"\n\r') or cell != cell.strip():
        return  # one CSV cell; the editor strips what it is given
    base = {"id": "s1", "name": "点", "tw_start": "09:00", "tw_end": "12:00", "allowed_days": "Mon", "service_min": "60"}
    path = tmp_path / "p.planner"
    if not path.exists():
        Project.create(path).close()
    head = ",".join([*base, "lon", "lat"])
    good, probe = tmp_path / "good.csv", tmp_path / "probe.csv"
    good.write_text(head + "\n" + ",".join(base.values()) + ",120.6,28.0\n", encoding="utf-8")
    probe.write_text(head + "\n" + ",".join(f'"{v}"' for v in {**base, column: cell}.values()) + ",120.6,28.0\n",
                     encoding="utf-8")
    with Project.open(path) as project:
        import_layer(project, good, "stops")
        model = EditableTableModel(TableSpec("stops", "layer", "stops"), QUndoStack())
        model.load(project)
        try:
            import_layer(project, probe, "stops", name="probe")
            imported = str(project.read_layer("probe")[column].iloc[0])
        except PlannerError:
            imported = None
    try:
        edited = str(model.validate(0, column, cell))
    except EditRefused:
        edited = None
    if cell.strip() == "" or validation.is_blank(cell):
        return  # a blank cell is "not given" on import, and not a value in the editor
    assert imported == edited, (column, cell)
