"""A corpus of bad files (tests/data/bad/cases.csv): each import must end with exit status 2 and
a message naming the file and, where there is one, the field and row; good files import."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from planner.cli import main
from planner.store import Project

BAD = Path(__file__).parent / "data" / "bad"
CASES = list(csv.DictReader((BAD / "cases.csv").open(encoding="utf-8")))


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_import_of_each_corpus_file(case, tmp_path, capsys):
    project = tmp_path / "p.planner"
    Project.create(project).close()
    before = hashlib.sha256(project.read_bytes()).digest()
    code = main(["--lang", "en", "import", str(project), str(BAD / case["file"]), "--as", case["role"]])
    err = capsys.readouterr().err
    if not case["expect_en"]:
        assert code == 0, err
        return
    assert code == 2, err
    assert str(BAD / case["file"]) in err and case["expect_en"] in err
    if case["field"]:
        assert f"field '{case['field']}'" in err
    if case["row"]:
        assert f"row {case['row']}" in err
    assert "Traceback" not in err
    assert hashlib.sha256(project.read_bytes()).digest() == before
