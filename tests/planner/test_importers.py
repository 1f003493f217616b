"""`planner import`: good files land as layers; bad files are refused with every problem named
(file, row, field) and the project file left byte-for-byte as it was."""

from __future__ import annotations

import contextlib
import hashlib

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cli import main
from planner.datum import gcj02_to_wgs84, wgs84_to_gcj02
from planner.errors import PlannerError
from planner.importers import import_layer, read_preview
from planner.store import Project


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "p.planner"
    Project.create(path).close()
    return path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_import(capsys, project, file, role, *extra):
    code = main(["--lang", "en", "import", str(project), str(file), "--as", role, *extra])
    return code, capsys.readouterr().err


def test_csv_with_chinese_headers_in_gbk_imports(project, tmp_path, capsys):
    csv = tmp_path / "libs.csv"
    csv.write_bytes("编号,名称,类型,经度,纬度\nA1,温州市图书馆,中心馆,120.6924,27.99363\nA2,县前书房,城市书房,120.655,28.01\n".encode("gbk"))
    code, _ = run_import(capsys, project, csv, "libraries")
    assert code == 0
    with Project.open(project) as p:
        libs = p.read_layer("libraries")
    assert list(libs["name"]) == ["温州市图书馆", "县前书房"]
    assert list(libs["kind"]) == ["central", "study_room"]
    assert libs.geometry.iloc[0].x == pytest.approx(120.6924)


def test_non_numeric_population_names_row_and_field_and_changes_nothing(project, tmp_path, capsys):
    csv = tmp_path / "pop.csv"
    csv.write_text("id,lon,lat,population\n1,120.6,28.0,3000\n2,120.7,28.0,约3000\n3,120.8,28.0,-5\n", encoding="utf-8")
    before = digest(project)
    code, err = run_import(capsys, project, csv, "population")
    assert code == 2
    assert str(csv) in err and "row 3" in err and "'population'" in err and "约3000" in err
    assert "row 4" in err and "negative" in err  # both problems, at once
    assert "Traceback" not in err
    assert digest(project) == before


def test_shapefile_without_prj_asks_for_a_crs(project, tmp_path, capsys):
    shp = tmp_path / "cands.shp"
    gdf = gpd.GeoDataFrame({"id": ["c1", "c2"]}, geometry=[shapely.Point(120.6, 28.0), shapely.Point(120.7, 28.1)], crs=4326)
    gdf.to_file(shp)
    shp.with_suffix(".prj").unlink()
    code, err = run_import(capsys, project, shp, "candidates")
    assert code == 2 and "--crs" in err and str(shp) in err
    code, _ = run_import(capsys, project, shp, "candidates", "--crs", "EPSG:4326")
    assert code == 0


def test_polygons_refused_as_libraries_and_duplicate_ids_reported(project, tmp_path, capsys):
    gj = tmp_path / "libs.geojson"
    gdf = gpd.GeoDataFrame(
        {"id": ["x", "x"], "name": ["a", "b"], "kind": ["branch", "branch"]},
        geometry=[shapely.box(120.6, 28.0, 120.61, 28.01), shapely.Point(120.7, 28.0)], crs=4326,
    )
    gdf.to_file(gj, driver="GeoJSON")
    code, err = run_import(capsys, project, gj, "libraries")
    assert code == 2
    assert "Polygon" in err and "row 1" in err
    assert "duplicate id 'x'" in err and "row 2" in err


def test_time_window_ending_before_it_starts_is_refused(project, tmp_path, capsys):
    csv = tmp_path / "stops.csv"
    csv.write_text("id,name,lon,lat,tw_start,tw_end,allowed_days\ns1,学校,120.6,28.0,17:30,15:30,周一、周四\n", encoding="utf-8")
    code, err = run_import(capsys, project, csv, "stops")
    assert code == 2 and "'tw_end'" in err and "before it starts" in err


def test_points_outside_the_districts_are_refused(project, tmp_path, capsys):
    with Project.open(project) as p:
        p.write_layer("districts", gpd.GeoDataFrame({"id": ["1"], "name": ["鹿城区"]},
                      geometry=[shapely.box(120.5, 27.9, 120.8, 28.1)], crs=4326), "districts")
    csv = tmp_path / "stops.csv"
    # (122.9, 27.0) is in the East China Sea; the second row has lon/lat swapped.
    csv.write_text("id,name,lon,lat\ns1,海上,122.9,27.0\ns2,反了,28.0,120.6\ns3,好的,120.6,28.0\n", encoding="utf-8")
    code, err = run_import(capsys, project, csv, "stops")
    assert code == 2 and "row 2" in err and "row 3" in err and "row 4" not in err


def test_gcj02_datum_is_converted_to_wgs84(project, tmp_path, capsys):
    lon, lat = 120.6924, 27.99363
    glon, glat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    csv = tmp_path / "libs.csv"
    csv.write_text(f"id,name,kind,lon,lat\nc,温州市图书馆,central,{glon[0]:.8f},{glat[0]:.8f}\n", encoding="utf-8")
    assert run_import(capsys, project, csv, "libraries", "--datum", "gcj02")[0] == 0
    with Project.open(project) as p:
        point = p.read_layer("libraries").geometry.iloc[0]
    assert point.x == pytest.approx(lon, abs=1e-7) and point.y == pytest.approx(lat, abs=1e-7)


def test_gcj02_inverse_round_trips_and_shifts_a_few_hundred_metres():
    lon = np.linspace(119.6, 121.3, 7)
    lat = np.linspace(27.0, 28.6, 7)
    wlon, wlat = gcj02_to_wgs84(lon, lat)
    flon, flat = wgs84_to_gcj02(wlon, wlat)
    assert np.abs(flon - lon).max() < 1e-8 and np.abs(flat - lat).max() < 1e-8
    shift_m = np.hypot((lon - wlon) * 111_320 * np.cos(np.radians(lat)), (lat - wlat) * 110_570)
    assert ((shift_m > 100) & (shift_m < 800)).all()


def test_preview_reads_the_first_rows_as_text(tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text("经度,纬度,常住人口\n" + "\n".join(f"120.{i},28.0,{i}" for i in range(50)), encoding="utf-8")
    frame = read_preview(csv, nrows=5)
    assert list(frame.columns) == ["经度", "纬度", "常住人口"] and len(frame) == 5


cell = st.one_of(st.text(max_size=8), st.sampled_from(["约3000", "NaN", "1e309", "-1", "", "120.6", "28.0", "周一", "25:99"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=6), min_size=0, max_size=6),
       header=st.lists(st.sampled_from(["id", "lon", "lat", "population", "name", "kind", "tw_start", "tw_end", "x", "经度", "纬度", "?"]), max_size=6),
       role=st.sampled_from(["population", "libraries", "candidates", "stops", "districts"]))
def test_any_malformed_table_is_a_planner_error_or_imports(tmp_path, rows, header, role):
    path = tmp_path / "fuzz.csv"
    path.write_text("\n".join([",".join(header), *(",".join(r) for r in rows)]), encoding="utf-8")
    db = tmp_path / "fuzz.planner"
    if not db.exists():
        Project.create(db).close()
    with Project.open(db) as p, contextlib.suppress(PlannerError):
        import_layer(p, path, role)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".geojson", ".gpkg", ".shp"]))
def test_any_bytes_are_a_planner_error_or_import(tmp_path, data, suffix):
    path = tmp_path / f"junk{suffix}"
    path.write_bytes(data)
    db = tmp_path / "junk.planner"
    if not db.exists():
        Project.create(db).close()
    with Project.open(db) as p, contextlib.suppress(PlannerError):
        import_layer(p, path, "candidates")


# ---- time values, and one set of rules for the importer and the table editor -------------
def test_times_stored_as_time_values_import_as_hh_mm(project, tmp_path, capsys):
    import datetime as dt

    import openpyxl

    gj = tmp_path / "libs.geojson"  # GeoJSON "08:30:00" is read back as a datetime.time
    gpd.GeoDataFrame({"id": ["a"], "name": ["书房"], "kind": ["城市书房"], "opens": ["08:30:00"], "closes": ["24:00"]},
                     geometry=[shapely.Point(120.6, 28.0)], crs=4326).to_file(gj, driver="GeoJSON")
    assert run_import(capsys, project, gj, "libraries")[0] == 0
    book = openpyxl.Workbook()
    book.active.append(["id", "name", "lon", "lat", "tw_start", "tw_end", "allowed_days"])
    book.active.append(["s1", "停靠点", 120.6, 28.0, dt.time(9, 0), dt.time(11, 30), "周一、星期三"])
    book.save(tmp_path / "stops.xlsx")
    assert run_import(capsys, project, tmp_path / "stops.xlsx", "stops")[0] == 0
    with Project.open(project) as p:
        libs, stops = p.read_layer("libraries"), p.read_layer("stops")
        p.write_layer("exported", libs, "libraries")  # the planner's own layer, read back in
        libs.to_file(tmp_path / "own.gpkg")
    assert (libs.loc[0, "opens"], libs.loc[0, "closes"], libs.loc[0, "kind"]) == ("08:30", "24:00", "study_room")
    assert (stops.loc[0, "tw_start"], stops.loc[0, "tw_end"], stops.loc[0, "allowed_days"]) == ("09:00", "11:30", "Mon,Wed")
    assert run_import(capsys, project, tmp_path / "own.gpkg", "libraries")[0] == 0


AGREEMENT = [  # (role, column, cell): the importer and the table editor must agree on each
    ("stops", "tw_end", "24:00"), ("stops", "tw_end", "17:00:00"), ("stops", "tw_end", "25:00"),
    ("stops", "tw_end", "08:00"), ("stops", "tw_start", "9:5"), ("stops", "tw_start", "7:30"),
    ("stops", "allowed_days", "周一"), ("stops", "allowed_days", "周1,星期三"), ("stops", "allowed_days", "Monday Fri"),
    ("stops", "allowed_days", "Funday"), ("stops", "service_min", "-5"), ("stops", "service_min", "1e308"),
    ("stops", "service_min", "NaN"), ("stops", "service_min", "1,200"), ("libraries", "kind", "城市书房"),
    ("libraries", "kind", "Branch"), ("libraries", "kind", "library"), ("libraries", "closes", "24:00"),
    ("libraries", "opens", "08:00:00"),
]
BASE = {
    "stops": {"id": "s1", "name": "停靠点", "tw_start": "09:00", "tw_end": "12:00", "allowed_days": "Mon",
              "service_min": "60"},
    "libraries": {"id": "a", "name": "馆", "kind": "branch", "opens": "08:00", "closes": "17:00"},
}


def _import_cell(project_path, tmp_path, role, column, cell):
    row = {**BASE[role], column: cell}
    csv = tmp_path / f"{role}.csv"
    csv.write_text(",".join([*row, "lon", "lat"]) + "\n" + ",".join(f'"{v}"' for v in row.values()) + ",120.6,28.0\n",
                   encoding="utf-8")
    with Project.open(project_path) as p:
        try:
            import_layer(p, csv, role, name=f"{role}_probe")
        except PlannerError:
            return False, None
        return True, p.read_layer(f"{role}_probe")[column].iloc[0]


def test_the_importer_and_the_table_editor_take_the_same_values(qtbot, project, tmp_path):
    from PyQt6.QtGui import QUndoStack

    from ui.table_models import EditableTableModel, EditRefused, TableSpec

    models = {}
    with Project.open(project) as p:  # a valid layer of each role for the editor to edit
        for role in BASE:
            import_layer(p, _write_base(tmp_path, role), role)
            models[role] = EditableTableModel(TableSpec(role, "layer", role), QUndoStack())
            models[role].load(p)
    for role, column, cell in AGREEMENT:
        try:
            edited, edit_ok = models[role].validate(0, column, cell), True
        except EditRefused:
            edited, edit_ok = None, False
        import_ok, imported = _import_cell(project, tmp_path, role, column, cell)
        assert import_ok == edit_ok, (column, cell, imported, edited)
        if import_ok:
            assert str(imported) == str(edited), (column, cell)


def _write_base(tmp_path, role):
    row = BASE[role]
    csv = tmp_path / f"{role}_base.csv"
    csv.write_text(",".join([*row, "lon", "lat"]) + "\n" + ",".join(row.values()) + ",120.6,28.0\n", encoding="utf-8")
    return csv


def test_a_blank_allowed_vehicles_cell_means_any_vehicle(project, tmp_path):
    import pandas as pd

    from planner.jobs.bookmobile import read_inputs

    stops = tmp_path / "stops.csv"
    stops.write_text("id,name,lon,lat,tw_start,tw_end,allowed_vehicles\n"
                     "s1,甲,120.6,28.0,09:00,12:00,\ns2,乙,120.61,28.0,09:00,12:00,bus1\n", encoding="utf-8")
    with Project.open(project) as p:
        import_layer(p, _write_base(tmp_path, "libraries"), "libraries")
        import_layer(p, stops, "stops")
        p.write_table("bookmobiles", pd.DataFrame([{"id": "bus1", "name": "书巴", "depot_id": "a", "shift_start": "08:00",
                                                    "shift_end": "17:00", "capacity_crates": 40, "days": "Mon"}]))
        records = read_inputs(p)[0]
    assert [s.allowed_vehicles for s in records] == [(), ("bus1",)]


def test_minus_zero_is_zero_in_the_importer_and_the_table_editor():
    """The fuzzer found "-0" read as -0.0 by the editor and 0.0 by the importer."""
    from planner import validation

    value = validation.number("-0", field="service_min")
    assert value == 0 and str(value) == "0.0"
