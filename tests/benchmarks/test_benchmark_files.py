"""Benchmarks run from a clone: their instances and best-known tables live in the repository
with their provenance, and no document or benchmark names a path of the machine it ran on."""

from __future__ import annotations

import csv
import re

from tests.support.paths import ROOT

INSTANCES = ROOT / "benchmarks" / "instances"
#: Absolute paths of a machine, or a reach outside the repository (../shared, /work/…, /home/…).
MACHINE_PATH = re.compile(r"(?<![\w.])(/work/|/home/|/root/|/tmp/|\.\./shared)")


def test_every_benchmark_instance_and_its_best_known_row_is_in_the_repository():
    for folder, count in (("solomon", 8), ("lilim", 4)):
        files = sorted((INSTANCES / folder).glob("*.txt"))
        assert len(files) == count
        with (INSTANCES / folder / "bks.csv").open() as fh:
            names = {row["instance"] for row in csv.DictReader(fh)}
        assert {f.stem for f in files} <= names
    readme = (INSTANCES / "README.md").read_text(encoding="utf-8")
    assert "Solomon" in readme and "Li" in readme and "licence" in readme.lower()


def test_benchmarks_read_their_instances_from_the_repository():
    common = (ROOT / "benchmarks" / "_common.py").read_text(encoding="utf-8")
    assert 'ROOT / "benchmarks" / "instances"' in common
    assert "shared" not in common


def test_no_machine_paths_in_docs_or_benchmarks():
    texts = [*ROOT.joinpath("docs").glob("*.md"), *ROOT.joinpath("benchmarks").glob("*.py"), ROOT / "README.md"]
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in texts for m in MACHINE_PATH.finditer(p.read_text("utf-8"))]
    assert not found, found
