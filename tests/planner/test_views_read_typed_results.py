"""Views over stored runs read typed Results through one loader (planner/run_results.py): no
module of planner/ or ui/ reads a run's result JSON by string key outside the Result classes'
own modules, so a key renamed in a Result class cannot leave a view reading a stale key."""

from __future__ import annotations

import re

from tests.support.paths import ROOT

#: The Result classes' modules (their from_json reads the JSON) and the loader.
ALLOWED = {
    "planner/jobs/coverage.py",
    "planner/jobs/siting_result.py",
    "planner/jobs/plan.py",
    "planner/jobs/bookmobile_contract.py",
    "planner/jobs/courier.py",
    "planner/jobs/courier_week.py",
    "planner/jobs/json_rows.py",
    "planner/run_results.py",
    # Not a stored run: `planner bench` prints the benchmark contract's dict that it writes.
    "planner/commands/bench.py",
}

#: result["key"], result.get(…), run["result"][…], run["result"].get(…), run.get("result").
STRING_KEY_READ = re.compile(
    r"""\bresult\[["']|\bresult\.get\(|\[["']result["']\]\s*(\[|\.get\()|\.get\(["']result["']"""
)


def string_key_reads(text: str) -> list[str]:
    """The lines of `text` that read a run's result by string key."""
    return [line.strip() for line in text.splitlines() if STRING_KEY_READ.search(line)]


def test_the_pattern_finds_every_kind_of_string_key_read():
    reads = [
        'share = result["total"]["share"]',
        "mode = result.get('mode')",
        'rows = run["result"]["by_district"]',
        'plan = run["result"].get("plan_run_id")',
        'data = run.get("result") or {}',
    ]
    assert string_key_reads("\n".join(reads)) == reads
    typed = ["share = result.total.share", 'decoded = {"result": json.loads(row["result"])}']
    assert string_key_reads("\n".join(typed)) == []


def test_no_view_reads_a_run_result_by_string_key():
    found = {}
    for folder in ("planner", "ui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in ALLOWED:
                continue
            reads = string_key_reads(path.read_text(encoding="utf-8"))
            if reads:
                found[name] = reads
    assert found == {}, "read the run through planner.run_results.typed_result instead"
