"""The project store: what goes in comes out, and we refuse files that are not ours."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from planner.errors import PlannerError
from planner.store import SCHEMA_VERSION, Project, backup_path


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


def _contents(path) -> dict[str, list[tuple]]:
    """Every table of an SQLite file with its rows, and the file's id and schema version."""
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
        contents = {name: conn.execute(f"select * from [{name}]").fetchall() for name in names}
        contents["pragmas"] = [
            conn.execute(f"PRAGMA {p}").fetchone() for p in ("application_id", "user_version")
        ]
    finally:
        conn.close()
    return contents


def test_a_copy_opens_with_the_same_tables_and_rows_and_the_original_is_untouched(tmp_path):
    path = tmp_path / "p.planner"
    with Project.create(path, name="鹿城方案") as project:
        project.write_layer("libraries", _libraries(), role="libraries")
        project.add_run("coverage", {"share": 0.5})
    with Project.open(path) as project:
        before = path.read_bytes()
        copy = project.copy_to(tmp_path / "variants" / "b.planner")
        assert path.read_bytes() == before
        project.add_run("coverage", {"share": 0.9})  # the original goes on; the copy does not
    assert copy == tmp_path / "variants" / "b.planner"
    assert not copy.with_name("b.planner.tmp").exists()
    with Project.open(copy) as twin:
        assert list(twin.read_layer("libraries")["name"]) == ["温州市图书馆", "县前城市书房"]
        assert [r["result"] for r in twin.runs()] == [{"share": 0.5}]
        assert twin.meta["name"] == "鹿城方案"
    original, copied = _contents(path), _contents(copy)
    assert copied.keys() == original.keys()
    assert {name: rows for name, rows in original.items() if name != "runs"} == {
        name: rows for name, rows in copied.items() if name != "runs"
    }
    assert original["runs"][:1] == copied["runs"]


def test_a_copy_refuses_the_projects_own_file_and_an_existing_file_unless_told(tmp_path):
    path = tmp_path / "p.planner"
    other = tmp_path / "other.planner"
    Project.create(other).close()
    with Project.create(path) as project:
        project.write_layer("libraries", _libraries(), role="libraries")
        for own in (path, tmp_path / "sub" / ".." / "p.planner"):
            with pytest.raises(PlannerError) as err:
                project.copy_to(own, overwrite=True)
            assert "自身" in err.value.text("zh") and "onto itself" in err.value.text("en")
        with pytest.raises(PlannerError) as err:
            project.copy_to(other)
        assert "已存在" in err.value.text("zh") and "already exists" in err.value.text("en")
        assert err.value.file == str(other)
        with Project.open(other) as untouched:
            assert not untouched.has_layer("libraries")
        project.copy_to(other, overwrite=True)
    with Project.open(other) as replaced:
        assert replaced.has_layer("libraries")


def test_a_copy_that_cannot_be_written_says_so_and_leaves_no_file(tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the copy's folder should be")
    with Project.create(tmp_path / "p.planner") as project, pytest.raises(PlannerError) as err:
        project.copy_to(blocker / "b.planner")
    assert "无法" in err.value.text("zh") and "cannot copy" in err.value.text("en")
    assert err.value.file == str(blocker / "b.planner")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not_a_folder", "p.planner"]


def test_opening_a_project_keeps_a_backup_copy_beside_it(tmp_path):
    path = tmp_path / "p.planner"
    with Project.create(path) as project:
        project.write_layer("libraries", _libraries(), role="libraries")
    Project.open(path).close()
    assert _contents(backup_path(path)) == _contents(path)


def test_a_write_the_full_disk_refuses_is_a_plain_error_and_changes_nothing(tmp_path):
    path = tmp_path / "p.planner"
    with Project.create(path) as project:
        project.write_layer("libraries", _libraries(), role="libraries")
        before = _contents(path)
        pages = project.db.execute("PRAGMA page_count").fetchone()[0]
        project.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk is full"
        big = _libraries().assign(name=["温州市图书馆" * 20_000, "县前城市书房"])
        with pytest.raises(PlannerError) as err, project.transaction():
            project.delete_layer("libraries")
            project.write_layer("libraries", big, role="libraries")
        assert "磁盘已满" in err.value.text("zh") and "disk is full" in err.value.text("en")
        assert err.value.file == str(path)
        assert list(project.read_layer("libraries")["name"]) == ["温州市图书馆", "县前城市书房"]
    assert _contents(path) == before


# ---- files we may not write ------------------------------------------------------------
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_permissions = pytest.mark.skipif(
    AS_ROOT, reason="root ignores file permissions (run as a user, or under `unshare --user`)"
)


@pytest.fixture
def saved_project(tmp_path) -> Path:
    path = tmp_path / "usb" / "p.planner"
    with Project.create(path, name="鹿城方案") as project:
        project.write_layer("libraries", _libraries(), role="libraries")
    return path


def _read_only_write_is_refused_naming_the_file(project: Project, path: Path) -> None:
    for write in (lambda: project.add_run("coverage", {"share": 0.5}), project.check_writable):
        with pytest.raises(PlannerError) as err:
            write()
        assert err.value.file == str(path)
        assert "只读" in err.value.text("zh") and "read-only" in err.value.text("en")
    assert project.runs() == []


def test_a_project_opened_read_only_reads_refuses_writes_and_writes_no_backup(saved_project):
    """SQLite's mode=ro: the same read-only connection a read-only file gets, testable as root."""
    before = _contents(saved_project)
    with Project.open(saved_project, read_only=True) as project:
        assert project.read_only and project.meta["name"] == "鹿城方案"
        assert list(project.read_layer("libraries")["name"]) == ["温州市图书馆", "县前城市书房"]
        _read_only_write_is_refused_naming_the_file(project, saved_project)
        assert "只读" in project.notices[0].text("zh")
        assert "read-only" in project.notices[0].text("en")
        copy = project.copy_to(saved_project.parent.parent / "copy.planner")  # Save As works
    assert sorted(p.name for p in saved_project.parent.iterdir()) == ["p.planner"]
    assert _contents(saved_project) == before
    with Project.open(copy) as writable:
        assert not writable.read_only and writable.notices == []
        writable.check_writable()
        writable.add_run("coverage", {"share": 0.5})


def test_a_backup_that_cannot_be_written_is_a_notice_and_the_project_still_opens(saved_project):
    # Something that is not a file where the backup goes: refused even to root.
    backup_path(saved_project).mkdir()
    with Project.open(saved_project) as project:
        assert not project.read_only
        [notice] = project.notices
        assert notice.file == str(backup_path(saved_project))
        assert "备份" in notice.text("zh") and "backup" in notice.text("en")
        project.add_run("coverage", {"share": 0.5})  # the project itself is writable
    assert backup_path(saved_project).is_dir()


@needs_permissions
def test_a_read_only_file_opens_read_only(saved_project):
    saved_project.chmod(0o444)
    before = _contents(saved_project)
    with Project.open(saved_project) as project:
        assert project.read_only
        _read_only_write_is_refused_naming_the_file(project, saved_project)
    assert _contents(saved_project) == before
    assert not backup_path(saved_project).exists()


@needs_permissions
def test_a_project_in_a_read_only_folder_opens_read_only_without_a_backup(saved_project):
    folder = saved_project.parent
    folder.chmod(0o555)
    try:
        with Project.open(saved_project) as project:
            assert project.read_only and len(project.layers()) == 1
            _read_only_write_is_refused_naming_the_file(project, saved_project)
        assert sorted(p.name for p in folder.iterdir()) == ["p.planner"]
    finally:
        folder.chmod(0o755)


@needs_permissions
def test_an_unreadable_file_is_a_plain_error(saved_project):
    saved_project.chmod(0o000)
    with pytest.raises(PlannerError) as err:
        Project.open(saved_project)
    assert err.value.file == str(saved_project) and "cannot read" in err.value.text("en")


def test_an_older_read_only_project_asks_to_be_copied_rather_than_half_opening(tmp_path):
    path = tmp_path / "old.planner"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1280200753")  # ours, from before user_version
    conn.execute("create table meta (key text primary key, value text)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(PlannerError) as err:
        Project.open(path, read_only=True)
    assert err.value.file == str(path) and "older planner" in err.value.text("en")
    assert path.read_bytes() == before
