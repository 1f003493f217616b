"""The slow fuzz job (`pytest -m fuzz`): thousands of malformed tables and byte strings through
every importer role; each must import or raise PlannerError, nothing else."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import PlannerError
from planner.importers import import_layer
from planner.store import Project
from tests.hostile import hostile_names

pytestmark = pytest.mark.fuzz
CELL = st.one_of(st.text(max_size=10), st.sampled_from(["约3000", "NaN", "1e309", "-1", "", "120.6", "28.0", "周一", "25:99", "15:30"]),
                 st.floats(allow_nan=True).map(str), st.integers().map(str), hostile_names())
HEADER = st.lists(st.sampled_from(["id", "lon", "lat", "population", "name", "kind", "tw_start", "tw_end", "allowed_days",
                                   "经度", "纬度", "人口", "编号", "seats", "books", "x", "y", "?"]), max_size=8)
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
