"""The embedded-data loader: reads the packaged GeoPackage and writes it into a real project file."""

from __future__ import annotations

import sqlite3

import pytest

from models.control import Cancelled, Control
from planner.embedded import load_embedded, official_population, populate_project
from planner.store import Project

LAYERS = {"districts", "population", "libraries", "candidates", "stops"}


def test_load_embedded_returns_every_layer_in_wgs84_and_the_tables():
    data = load_embedded()
    assert LAYERS | {"bookmobiles", "vans", "provenance"} <= set(data)
    for name in LAYERS:
        assert data[name].crs.to_epsg() == 4326 and len(data[name]) > 0, name
    assert len(data["bookmobiles"]) == 4 and len(data["vans"]) == 5


def test_official_population_is_read_from_the_districts_layer():
    pop = official_population()
    assert len(pop) == 12 and pop["鹿城区"] == 1_189_500 and pop["龙港市"] == 467_700
    assert sum(pop.values()) == 9_645_000


def test_populate_project_writes_everything_into_a_real_planner_file_and_reads_it_back(tmp_path):
    path = tmp_path / "wenzhou.planner"
    messages: list[str] = []
    with Project.create(path) as project:
        populate_project(project, Control(progress=lambda f, m: messages.append(m)))
    assert "population" in messages
    data = load_embedded()
    with Project.open(path) as project:
        infos = {layer.name: layer for layer in project.layers()}
        assert set(infos) == LAYERS
        for name in LAYERS:
            assert infos[name].provenance, name
            back = project.read_layer(name)
            assert len(back) == len(data[name]) and back.crs.to_epsg() == 4326
            assert project.layer_for_role(name) == name
        assert (
            "modelled" in infos["population"].provenance and "real" in infos["districts"].provenance
        )
        districts = project.read_layer("districts")
        assert (
            dict(zip(districts["name"], districts["population"].astype(int), strict=True))
            == official_population()
        )
        pop = project.read_layer("population")
        assert pop["population"].sum() == pytest.approx(9_645_000, rel=1e-9)
        buses, vans = project.read_table("bookmobiles"), project.read_table("vans")
        library_ids = set(project.read_layer("libraries")["id"])
        assert len(buses) == 4 and len(vans) == 5
        assert set(buses["depot_id"]) | set(vans["depot_id"]) <= library_ids
    # the file is an ordinary SQLite database another tool can open
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_cancelling_populate_project_leaves_the_project_empty(tmp_path):
    path = tmp_path / "cancelled.planner"
    control = Control()

    def cancel_after_two_layers(fraction: float, message: str) -> None:
        if message == "libraries":
            control.cancel.set()

    control.progress = cancel_after_two_layers
    with Project.create(path) as project, pytest.raises(Cancelled):
        populate_project(project, control)
    with Project.open(path) as project:
        assert project.layers() == [] and not project.has_table("bookmobiles")


def test_provenance_users_see_names_real_sources_not_paths_outside_the_repository():
    """The source column and the provenance table cite a bulletin, an address or a package,
    never a file of the development machine (issue 16)."""
    import sqlite3

    from gis_data import WENZHOU_GPKG

    with sqlite3.connect(WENZHOU_GPKG) as db:
        texts = [row[0] for row in db.execute("SELECT source FROM libraries")]
        texts += [row[0] for row in db.execute("SELECT source FROM provenance")]
    assert texts and not [t for t in texts if t and ("shared/" in t or "README" in t or "/work" in t)]
    assert any("温州市图书馆" in t for t in texts if t)
