"""A corpus of bad files (tests/data/bad/cases.csv): each import must end with exit status 2 and
a message naming the file and, where there is one, the field and row; good files import."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import pytest

from planner.cli import main
from planner.store import Project
from tests.support.paths import DATA

BAD = DATA / "bad"
CASES = list(csv.DictReader((BAD / "cases.csv").open(encoding="utf-8")))


def cli(argv: list[str], capsys) -> tuple[int, str]:
    """Run `planner` in this process, as a user would: the exit status and what it printed on
    stderr (argparse's own refusals end in SystemExit)."""
    try:
        code = main(["--lang", "en", *argv])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


@pytest.mark.parametrize("case", CASES, ids=[c["file"] + (" " + c["args"] if c["args"] else "") for c in CASES])
def test_import_of_each_corpus_file(case, tmp_path, capsys):
    project = tmp_path / "p.planner"
    Project.create(project).close()
    before = digest(project)
    code, err = cli(["import", str(project), str(BAD / case["file"]), "--as", case["role"], *case["args"].split()],
                    capsys)
    if not case["expect_en"]:
        assert code == 0, err
        return
    assert code == 2, err
    assert case["expect_en"] in err
    if err.startswith("error:"):  # the planner's message names the file; argparse's the option
        assert str(BAD / case["file"]) in err
    else:
        assert f"argument {case['field']}" in err
    if case["field"]:
        assert f"field '{case['field']}'" in err or f"argument {case['field']}" in err
    if case["row"]:
        assert f"row {case['row']}" in err
    assert digest(project) == before


# ---- things that are not files, options that are not values, outputs that cannot be written --
@pytest.fixture
def project(tmp_path) -> Path:
    """A small project coverage can run on (so a run would be stored if a check came late)."""
    path = tmp_path / "p.planner"
    Project.create(path).close()
    pop = tmp_path / "pop.csv"
    pop.write_text("id,lon,lat,population,district\n1,120.6,28.0,100,鹿城\n2,120.7,28.05,200,鹿城\n", encoding="utf-8")
    for file, role in ((BAD / "libraries_plain_ok.csv", "libraries"), (pop, "population")):
        assert main(["import", str(path), str(file), "--as", role]) == 0
    return path


def test_a_pipe_a_device_and_a_folder_are_refused_before_they_are_opened(project, tmp_path, capsys):
    pipe = tmp_path / "libraries.csv"
    os.mkfifo(pipe)  # opening it for reading would wait for a writer for ever
    folder = tmp_path / "folder.geojson"
    folder.mkdir()
    before = digest(project)
    for path in (pipe, folder, Path("/dev/zero.csv") if Path("/dev/zero.csv").exists() else pipe):
        code, err = cli(["import", str(project), str(path), "--as", "libraries"], capsys)
        assert code == 2 and str(path) in err and "not a regular file" in err
    code, err = cli(["bench", "vrptw", str(pipe), "--seconds", "1", "--json", str(tmp_path / "b.json")], capsys)
    assert code == 2 and "not a regular file" in err
    assert digest(project) == before


OPTIONS = [  # (argv after the project, the option named)
    (["coverage", "{p}", "--threshold", "-1000"], "--threshold"),
    (["coverage", "{p}", "--threshold", "nan"], "--threshold"),
    (["coverage", "{p}", "--threshold", "inf"], "--threshold"),
    (["coverage", "{p}", "--kinds", "branch", "libary"], "--kinds"),
    (["bookmobile", "{p}", "--seconds", "nan"], "--seconds"),
    (["bookmobile", "{p}", "--max-driving-min", "nan"], "--max-driving-min"),
    (["bookmobile", "{p}", "--shift-hours", "0"], "--shift-hours"),
    (["bookmobile", "{p}", "--buffer", "-5"], "--buffer"),
    (["courier", "{p}", "--seconds", "inf"], "--seconds"),
    (["courier", "{p}", "--seconds", "0"], "--seconds"),
    (["demo", "--out", "{d}", "--seconds", "nan"], "--seconds"),
    (["bench", "vrptw", "{d}/x.txt", "--seconds", "NaN", "--json", "{d}/b.json"], "--seconds"),
    (["site", "--demand", "{d}/a.gpkg", "--candidates", "{d}/b.gpkg", "--model", "mclp", "--p", "1",
      "--threshold", "-5", "--json", "{d}/s.json"], "--threshold"),
    (["site", "--demand", "{d}/a.gpkg", "--candidates", "{d}/b.gpkg", "--model", "mclp", "--p", "1",
      "--time-limit", "inf", "--json", "{d}/s.json"], "--time-limit"),
    (["matrix", "--from", "{d}/a.gpkg", "--to", "{d}/b.gpkg", "--max-snap", "nan", "--json", "{d}/m.json"], "--max-snap"),
]


@pytest.mark.parametrize(("argv", "option"), OPTIONS, ids=[" ".join(a[:1] + a[-2:]) for a, _ in OPTIONS])
def test_an_option_that_is_not_a_sane_value_is_exit_2_naming_it(tmp_path, capsys, argv, option):
    project = tmp_path / "p.planner"
    Project.create(project).close()
    before = digest(project)
    code, err = cli([a.format(p=project, d=tmp_path) for a in argv], capsys)
    assert code == 2 and f"argument {option}" in err
    if option == "--kinds":
        assert "study_room (城市书房)" in err and "bookmobile_stop" in err  # the known kinds
    assert digest(project) == before and not list(tmp_path.glob("*.json"))


def test_kinds_take_the_labels_staff_use(project, tmp_path, capsys):
    out = tmp_path / "c.json"
    code, err = cli(["coverage", str(project), "--kinds", "城市书房", "branch", "--json", str(out)], capsys)
    assert code == 0, err
    assert json.loads(out.read_text(encoding="utf-8"))["kinds"] == ["study_room", "branch"]


def _outputs(tmp_path: Path) -> list[tuple[list[str], str]]:
    long = "名" * 90 + ".json"  # 270 bytes in UTF-8
    (tmp_path / "in_the_way.json").mkdir()
    (tmp_path / "a_file").write_text("x")
    return [
        (["coverage", "{p}", "--json", "{d}/missing/c.json"], "the folder does not exist"),
        (["coverage", "{p}", "--json", "{d}/in_the_way.json"], "a folder of that name is in the way"),
        (["coverage", "{p}", "--json", f"{{d}}/{long}"], "the file name is too long"),
        (["coverage", "{p}", "--json", "{d}/a_file/c.json"], "is not a folder"),
        (["bookmobile", "{p}", "--xlsx", "{d}/missing/t.xlsx"], "the folder does not exist"),
        (["courier", "{p}", "--json", "{d}/in_the_way.json"], "a folder of that name is in the way"),
        (["map", "{p}", "--out", "{d}/missing/m.html"], "the folder does not exist"),
        (["report", "{p}", "--out", "{d}/a_file", "--no-pdf"], "a file of that name is in the way"),
        (["demo", "--out", "{d}/a_file"], "a file of that name is in the way"),
        (["new", "{d}/a_file/q.planner"], "a file of that name is in the way"),
        (["new", "{d}/in_the_way.json", "--force"], "a folder of that name is in the way"),
        (["new", "{d}/" + "项" * 90 + ".planner"], "the file name is too long"),
        (["bench", "vrptw", str(DATA / "C101.txt"), "--seconds", "1", "--json",
          "{d}/missing/b.json"], "the folder does not exist"),
    ]


def test_an_output_that_cannot_be_written_is_refused_before_any_work(project, tmp_path, capsys):
    before = digest(project)
    for argv, words in _outputs(tmp_path):
        code, err = cli([a.format(p=project, d=tmp_path) for a in argv], capsys)
        assert code == 2 and words in err, (argv, err)
        assert digest(project) == before, argv  # no run was stored
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "in_the_way.json", "p.planner", "p.planner.bak",
                                                          "pop.csv"]


def test_a_full_disk_leaves_no_empty_output_file(tmp_path, capsys):
    import resource
    import signal

    import geopandas as gpd
    import numpy as np
    import shapely

    points = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"id": [f"p{i}" for i in range(40)]},
                     geometry=shapely.points(np.linspace(120.6, 120.7, 40), np.full(40, 28.0)), crs=4326).to_file(points)
    out = tmp_path / "m.json"
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, hard))
    try:
        code, err = cli(["matrix", "--from", str(points), "--to", str(points), "--json", str(out)], capsys)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)
    assert code == 2 and "cannot write the output file" in err and str(out) in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["points.geojson"]


def test_the_demo_does_not_replace_a_project_without_overwrite(tmp_path, capsys):
    Project.create(tmp_path / "demo.planner", name="mine").close()
    before = digest(tmp_path / "demo.planner")
    code, err = cli(["demo", "--out", str(tmp_path), "--seconds", "1"], capsys)
    assert code == 2 and str(tmp_path / "demo.planner") in err and "--overwrite" in err
    assert digest(tmp_path / "demo.planner") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.planner"]


def test_malformed_benchmark_files_are_named(tmp_path, capsys):
    for kind, text in (("vrptw", "garbage\n1 2 3\n"), ("pdptw", "25 200 1\n0 nan 40 0 0 1236 0 0 0\n"),
                       ("vrptw", ""), ("pdptw", "\x00\x01binary")):
        bad = tmp_path / "bad.txt"
        bad.write_text(text)
        code, err = cli(["bench", kind, str(bad), "--seconds", "1", "--json", str(tmp_path / "b.json")], capsys)
        assert code == 2 and str(bad) in err and "benchmark instance" in err, (kind, text, err)
    assert not (tmp_path / "b.json").exists()


def _graph(path: Path, length: str | None = "50", crs: str = "EPSG:32651") -> Path:
    import networkx as nx

    graph = nx.MultiDiGraph(crs=crs)
    for n, (x, y) in enumerate([(0, 0), (100, 0), (100, 100)]):
        graph.add_node(n, x=x, y=y)
    graph.add_edge(0, 1, **({} if length is None else {"length": length}))
    graph.add_edge(1, 2, length=100.0)
    nx.write_graphml(graph, path)
    return path


def test_road_files_with_bad_lengths_crs_or_coordinates_are_refused(tmp_path, capsys):
    import geopandas as gpd
    import shapely

    points = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[shapely.Point(120.6, 28.0), shapely.Point(120.61, 28.0)],
                     crs=4326).to_file(points)
    lon500 = tmp_path / "lon500.gpkg"
    gpd.GeoDataFrame({"highway": ["primary"]}, geometry=[shapely.LineString([(500, 28), (120.7, 28.1)])],
                     crs=4326).to_file(lon500)
    cases = [
        (_graph(tmp_path / "neg.graphml", "-5"), "lengths are metres >= 0"),
        (_graph(tmp_path / "nan.graphml", "nan"), "lengths are metres >= 0"),
        (_graph(tmp_path / "crs.graphml", crs="EPSG:bogus"), "is not one"),
        (lon500, "a longitude of 500"),
    ]
    for network, words in cases:
        code, err = cli(["matrix", "--network", str(network), "--from", str(points), "--to", str(points),
                         "--json", str(tmp_path / "m.json")], capsys)
        assert code == 2 and words in err and str(network) in err, (network, err)
    assert not (tmp_path / "m.json").exists()


def test_an_empty_districts_layer_does_not_switch_off_the_planning_area(project, capsys):
    import geopandas as gpd

    with Project.open(project) as p:  # however it got there
        p.write_layer("districts", gpd.GeoDataFrame({"id": [], "name": []}, geometry=[], crs=4326), "districts")
    code, err = cli(["import", str(project), str(BAD / "libraries_longitude_500.csv"), "--as", "libraries"], capsys)
    assert code == 2 and "outside the planning area" in err
