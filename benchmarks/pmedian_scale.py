"""p-median at the issue's size: 5,000 demand points × 300 candidates, p = 20, proven optimal.

    python benchmarks/pmedian_scale.py [--cases 5000x300x20] [--before] [--before-rev REV] [--write]

Ours: `models.siting.solve(..., "pmedian")`, which on a plain p-median of this size first
proves most candidates useless (Lagrangian lower bound, interchange upper bound, repeated on the
candidates left: models/siting/pmedian_reduce.py), then runs the exact model on the rest with
the interchange plan as HiGHS's first incumbent. `--before` also runs the exact model on every
candidate (the method before the reduction) in the same run, with the same time limit;
`--before-rev REV` runs the same call on the code of git revision REV (extracted to a temporary
folder, solved in a child process) right after ours, so both see the same machine load.
Instances: benchmarks/siting.py's generator (clustered demand, integer weights, uniform
candidates, 20 km square, seed 7). spopt is not run at this size (it took 292 s on 2,000 × 200;
see the Siting section).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from _common import ROOT, load_average, machine, write_section
from siting import instance

from models.control import Control
from models.costs import straight_line
from models.siting import SitingProblem, solve
from models.siting.pmedian import _pmedian

#: The child process that times one solve on another revision's code (same instance, same call).
_CHILD = """
import json, sys, time
sys.path.insert(0, "benchmarks")
from siting import instance
from models.costs import straight_line
from models.siting import SitingProblem, solve
n, m, p, limit = (float(v) for v in sys.argv[1:5])
demand, weights, candidates = instance(int(n), int(m), 20_000.0, 7)
problem = SitingProblem(demand, weights, candidates, straight_line(None), 1000.0)
started = time.perf_counter()
result = solve(problem, "pmedian", p=int(p), time_limit_s=limit)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "selected": result.selected.tolist(), "optimal": result.optimal}))
"""


def _at_revision(rev: str, n: int, m: int, p: int, time_limit_s: float) -> dict:
    """Time the same solve on git revision `rev`'s code in a child process."""
    with tempfile.TemporaryDirectory() as tree:
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", tree], input=archive.stdout, check=True)
        env = {**os.environ, "PYTHONPATH": tree}
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(n), str(m), str(p), str(time_limit_s)],
            cwd=tree, env=env, check=True, capture_output=True, text=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _total(weights: np.ndarray, dense: np.ndarray, chosen: np.ndarray) -> float:
    """True weighted cost of a choice (every demand point to its nearest chosen site)."""
    return float((weights * dense[:, chosen].min(1)).sum())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", nargs="+", default=["5000x300x20"], help="DEMANDxCANDIDATESxP")
    ap.add_argument("--before", action="store_true", help="also run the exact model on every candidate")
    ap.add_argument("--before-rev", help="also run the same solve on this git revision's code")
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = ap.parse_args()
    load_before = load_average()
    rows = []
    for case in args.cases:
        n, m, p = (int(v) for v in case.split("x"))
        demand, weights, candidates = instance(n, m, 20_000.0, 7)
        problem = SitingProblem(demand, weights, candidates, straight_line(None), 1000.0)
        dense = straight_line(None).matrix(demand, candidates)

        started = time.perf_counter()
        ours = solve(problem, "pmedian", p=p, time_limit_s=args.time_limit)
        ours_s = time.perf_counter() - started
        ours_obj = _total(weights, dense, ours.selected)
        before = None
        if args.before:
            started = time.perf_counter()
            chosen, optimal, _, _ = _pmedian(problem, p, None, args.time_limit, Control(), reduce=False)
            before = (time.perf_counter() - started, _total(weights, dense, chosen), optimal)
        rev = None
        if args.before_rev:
            got = _at_revision(args.before_rev, n, m, p, args.time_limit)
            rev = (got["seconds"], _total(weights, dense, np.array(got["selected"])), got["optimal"])
        rows.append((case, ours_s, ours_obj, ours.optimal, before, rev))
        print(rows[-1], flush=True)
    lines = [f"Machine: {machine()}; load average {load_before} before the run, {load_average()} after. "
             f"Command: `{' '.join(['python', 'benchmarks/pmedian_scale.py', *sys.argv[1:]])}`; time limit {args.time_limit:.0f} s.", "",
             "| case (n × m × p) | ours (s) | proven | objective | before (s) | before proven | same objective |",
             "| --- | ---: | --- | ---: | ---: | --- | --- |"]
    for case, s, obj, opt, before, rev in rows:
        b = (f"{before[0]:.1f} | {'yes' if before[2] else 'no'} | {'yes' if np.isclose(before[1], obj) else 'no'}"
             if before else "— | — | —")
        lines.append(f"| {case.replace('x', ' × ')} | {s:.1f} | {'yes' if opt else 'no'} | {obj:,.0f} | {b} |")
        if rev:
            lines.append(f"\n{case.replace('x', ' × ')} on revision {args.before_rev}: {rev[0]:.1f} s, "
                         f"proven {'yes' if rev[2] else 'no'}, same objective "
                         f"{'yes' if np.isclose(rev[1], obj) else 'no'} ({rev[1]:,.0f}).")
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("p-median at scale", text)


if __name__ == "__main__":
    main()
