"""The `planner site` contract: exact JSON keys, the fair model, exit 2 naming a bad file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from planner.cli import main
from tests.support.projects import SITE_KEYS


def test_site_fair_writes_exactly_the_contract_keys(site_files):
    out = site_files / "out.json"
    code = main(
        [
            "site",
            "--demand",
            str(site_files / "demand.geojson"),
            "--candidates",
            str(site_files / "cands.gpkg"),
            "--model",
            "fair",
            "--p",
            "2",
            "--threshold",
            "500",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result) == SITE_KEYS
    assert set(result["by_group"]) == {"甲", "乙"}
    assert set(result["by_group"]["乙"]) == {"covered", "total", "share"}
    assert "c4" in result["selected"] and len(result["selected"]) == 2
    assert result["covered_weight"] == pytest.approx(130.0) and result[
        "total_weight"
    ] == pytest.approx(330.0)
    assert result["optimal"] is True and result["gap"] == 0.0


def test_site_threshold_is_inclusive_in_metres(site_files):
    out = site_files / "out.json"
    # Candidates sit 300 m from their demand point (UTM metres, though the files are lon/lat).
    args = [
        "site",
        "--demand",
        str(site_files / "demand.geojson"),
        "--candidates",
        str(site_files / "cands.gpkg"),
        "--model",
        "mclp",
        "--p",
        "4",
        "--json",
        str(out),
    ]
    assert main([*args, "--threshold", "299"]) == 0
    assert json.loads(out.read_text())["covered_weight"] == 0.0
    assert main([*args, "--threshold", "300.5"]) == 0
    assert json.loads(out.read_text())["covered_weight"] == pytest.approx(330.0)


def test_site_exits_2_naming_a_bad_file(tmp_path, site_files):
    bad = tmp_path / "broken.gpkg"
    bad.write_text("this is not a GeoPackage")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "--lang",
            "en",
            "site",
            "--demand",
            str(bad),
            "--candidates",
            str(site_files / "cands.gpkg"),
            "--model",
            "mclp",
            "--p",
            "1",
            "--json",
            str(tmp_path / "o.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "broken.gpkg" in proc.stderr
    assert not (tmp_path / "o.json").exists()


def test_site_exits_2_on_a_missing_weight_field(tmp_path, site_files):
    code = main(
        [
            "site",
            "--demand",
            str(site_files / "demand.geojson"),
            "--candidates",
            str(site_files / "cands.gpkg"),
            "--model",
            "mclp",
            "--p",
            "1",
            "--weight-field",
            "people",
            "--json",
            str(tmp_path / "o.json"),
        ]
    )
    assert code == 2
