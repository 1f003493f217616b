"""The project store: what goes in comes out, and we refuse files that are not ours."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import pytest
import shapely

from planner.errors import PlannerError
from planner.store import SCHEMA_VERSION, Project


def _libraries() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["c", "s1"], "name": ["温州市图书馆", "县前城市书房"], "seats": [1200, None]},
        geometry=[shapely.Point(120.6924, 27.99363), shapely.Point(120.655, 28.01)],
        crs="EPSG:4326",
    )


def test_layer_round_trips_with_chinese_names_and_missing_values(tmp_path):
    with Project.create(tmp_path / "p.planner") as project:
        project.write_layer("libraries", _libraries(), role="libraries", source_file="x.gpkg")
    with Project.open(tmp_path / "p.planner") as project:
        back = project.read_layer("libraries")
        assert list(back["name"]) == ["温州市图书馆", "县前城市书房"]
        assert back["seats"].isna().tolist() == [False, True]
        assert back.geometry.iloc[0].equals_exact(shapely.Point(120.6924, 27.99363), 1e-12)
        assert project.layers()[0].features == 2


def test_projected_layers_are_stored_in_wgs84(tmp_path):
    with Project.create(tmp_path / "p.planner") as project:
        project.write_layer("libraries", _libraries().to_crs(32651), role="libraries")
        back = project.read_layer("libraries")
    assert back.crs.to_epsg() == 4326
    assert abs(back.geometry.iloc[0].x - 120.6924) < 1e-7


def test_failed_write_leaves_previous_layer_intact(tmp_path):
    with Project.create(tmp_path / "p.planner") as project:
        project.write_layer("libraries", _libraries(), role="libraries")
        bad = _libraries().set_crs(None, allow_override=True)
        with pytest.raises(PlannerError):
            project.write_layer("libraries", bad, role="libraries")
        with pytest.raises(ZeroDivisionError), project.transaction():
            project.delete_layer("libraries")
            raise ZeroDivisionError  # a crash in the middle of a multi-step write
        assert len(project.read_layer("libraries")) == 2


def test_runs_are_recorded_newest_first(tmp_path):
    with Project.create(tmp_path / "p.planner") as project:
        first = project.add_run("coverage", {"share": 0.5})
        second = project.add_run("coverage", {"share": 0.7}, scenario="plan")
        assert [r["id"] for r in project.runs("coverage")] == [second, first]
        assert project.latest_run("coverage", scenario="plan")["result"] == {"share": 0.7}


def test_refuses_a_newer_schema_without_touching_the_file(tmp_path):
    path = tmp_path / "p.planner"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(PlannerError) as err:
        Project.open(path)
    assert "newer" in err.value.text("en")
    assert path.read_bytes() == before


def test_refuses_files_that_are_not_projects(tmp_path):
    text = tmp_path / "notes.planner"
    text.write_text("hello")
    other = tmp_path / "other.planner"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    for path in (text, other):
        with pytest.raises(PlannerError) as err:
            Project.open(path)
        assert err.value.file == str(path)
