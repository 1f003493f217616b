"""Nothing lost: a process killed with SIGKILL in the middle of saving leaves a project that
opens with either the previous or the new state, never a broken one; older files migrate,
newer ones are refused, a damaged file points at its backup."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from planner.errors import PlannerError
from planner.store import SCHEMA_VERSION, Project, backup_path

WRITER = textwrap.dedent("""
    import sys, itertools
    import geopandas as gpd, numpy as np
    from planner.store import Project
    path = sys.argv[1]
    with Project.open(path) as project:
        for generation in itertools.count(1):
            n = 4000 + generation % 7
            gdf = gpd.GeoDataFrame({"id": [str(i) for i in range(n)], "population": np.full(n, float(generation))},
                                   geometry=gpd.points_from_xy(np.linspace(120, 121, n), np.full(n, 28.0)), crs=4326)
            project.write_layer("population", gdf, "population")
            print(generation, flush=True)
""")


@pytest.mark.slow
def test_sigkill_mid_save_never_leaves_a_broken_project(tmp_path):
    path = tmp_path / "p.planner"
    Project.create(path).close()
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    rng = random.Random(7)
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True,
                                cwd=os.getcwd(), env={**os.environ, "PYTHONPATH": os.getcwd()})
        proc.stdout.readline()  # at least one generation committed
        time.sleep(rng.uniform(0.0, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with Project.open(path) as project:
            assert project.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            layer = project.read_layer("population")
            generation = layer["population"].iloc[0]
            # one whole generation: its own size and the same value in every row
            assert len(layer) == 4000 + int(generation) % 7
            assert (layer["population"] == generation).all()


def test_an_unversioned_older_file_is_migrated(tmp_path):
    path = tmp_path / "old.planner"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1280200753")  # "LNP1": ours, from before user_version
    conn.execute("create table meta (key text primary key, value text)")
    conn.execute("insert into meta values ('name', '旧项目')")
    conn.commit()
    conn.close()
    with Project.open(path) as project:
        assert project.schema_version == SCHEMA_VERSION
        assert project.meta["name"] == "旧项目"
        assert project.layers() == [] and project.runs() == []


def test_a_damaged_project_names_its_backup(tmp_path):
    path = tmp_path / "p.planner"
    Project.create(path).close()
    Project.open(path).close()  # a good open leaves the backup
    assert backup_path(path).is_file()
    data = bytearray(path.read_bytes())
    data[4096:8192] = os.urandom(4096)  # scribble over the second page
    path.write_bytes(bytes(data))
    with pytest.raises(PlannerError) as err:
        Project.open(path)
    assert str(backup_path(path)) in err.value.text("en")
    with Project.open(backup_path(path)):
        pass


# ---- the backup: written only from a good file, atomically, by one process at a time -------
def _good_project_with_backup(tmp_path):
    import geopandas as gpd
    import shapely

    path = tmp_path / "p.planner"
    with Project.create(path) as project:
        project.write_layer("libraries", gpd.GeoDataFrame({"id": ["a"], "name": ["馆"], "kind": ["branch"]},
                                                          geometry=[shapely.Point(120.6, 28.0)], crs=4326), "libraries")
    Project.open(path).close()
    return path, backup_path(path).read_bytes()


def _drop_table(path, table):
    conn = sqlite3.connect(path)
    conn.execute(f"drop table [{table}]")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("damage", ["scribble", "no runs table", "layer data gone", "meta without name"])
def test_opening_a_damaged_project_keeps_the_good_backup(tmp_path, damage):
    path, good = _good_project_with_backup(tmp_path)
    if damage == "scribble":
        data = bytearray(path.read_bytes())
        data[4096:8192] = os.urandom(4096)
        path.write_bytes(bytes(data))
    elif damage == "meta without name":  # passes SQLite's quick check: the planner's own check
        conn = sqlite3.connect(path)
        conn.execute("delete from meta")
        conn.commit()
        conn.close()
    else:
        _drop_table(path, "runs" if damage == "no runs table" else "layer_libraries")
    for _ in range(2):
        with pytest.raises(PlannerError) as err:
            Project.open(path)
        text = err.value.text("en")
        assert "damaged" in text and f"restore it from {backup_path(path)}" in text
        assert "已损坏" in err.value.text("zh") and err.value.file == str(path)
    assert backup_path(path).read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.planner", "p.planner.bak"]


def test_a_project_another_program_is_writing_is_busy_not_damaged(tmp_path):
    path, good = _good_project_with_backup(tmp_path)
    other = sqlite3.connect(path)
    other.execute("BEGIN EXCLUSIVE")  # another program in the middle of a write
    try:
        with pytest.raises(PlannerError) as err:
            Project.open(path)
    finally:
        other.rollback()
        other.close()
    assert "正在被另一个程序使用" in err.value.text("zh") and "in use by another program" in err.value.text("en")
    assert "damaged" not in err.value.text("en") and "备份" not in err.value.text("zh")
    assert backup_path(path).read_bytes() == good
    Project.open(path).close()  # once the other program is done, it opens


OPENER = textwrap.dedent("""
    import sys
    from planner.store import Project
    for _ in range(int(sys.argv[2])):
        with Project.open(sys.argv[1]) as project:
            assert not [n for n in project.notices if "backup" in n.text("en")], project.notices
""")


def test_concurrent_opens_always_leave_a_valid_backup(tmp_path):
    path, _ = _good_project_with_backup(tmp_path)
    script = tmp_path / "opener.py"
    script.write_text(OPENER)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    procs = [subprocess.Popen([sys.executable, str(script), str(path), "12"], cwd=os.getcwd(), env=env,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    checked = 0
    while any(p.poll() is None for p in procs):
        conn = sqlite3.connect(f"{backup_path(path).as_uri()}?mode=ro", uri=True)
        try:  # whichever backup is in place at this moment is a whole project
            assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x4C4E5031
            assert conn.execute("select count(*) from layer_libraries").fetchone()[0] == 1
        finally:
            conn.close()
        checked += 1
    for proc in procs:
        assert proc.wait() == 0, proc.stderr.read()
    assert checked > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["opener.py", "p.planner", "p.planner.bak"]
