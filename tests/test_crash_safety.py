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
