"""p-median at the issue's size: 5,000 demand points × 300 candidates, p = 20, proven optimal.

    python benchmarks/pmedian_scale.py [--cases 5000x300x20] [--before] [--write]

Ours: `models.siting.solve(..., "pmedian")`, which on a plain p-median of this size first
proves most candidates useless (Lagrangian lower bound, interchange upper bound:
models/siting/pmedian_reduce.py) and runs the exact model on the rest. `--before` also runs
the exact model on every candidate (the method before the reduction) in the same run, with
the same time limit. Instances: benchmarks/siting.py's generator (clustered demand, integer
weights, uniform candidates, 20 km square, seed 7). spopt is not run at this size (it took
292 s on 2,000 × 200; see the Siting section).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import load_average, machine, write_section
from siting import instance

from models.control import Control
from models.costs import straight_line
from models.siting import SitingProblem, solve
from models.siting.pmedian import _pmedian

COMMAND = "python benchmarks/pmedian_scale.py --before --write"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", nargs="+", default=["5000x300x20"], help="DEMANDxCANDIDATESxP")
    ap.add_argument("--before", action="store_true", help="also run the exact model on every candidate")
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
        ours_obj = float((weights * dense[:, ours.selected].min(1)).sum())
        before = None
        if args.before:
            started = time.perf_counter()
            chosen, optimal, _, _ = _pmedian(problem, p, None, args.time_limit, Control(), reduce=False)
            before = (time.perf_counter() - started, float((weights * dense[:, chosen].min(1)).sum()), optimal)
        rows.append((case, ours_s, ours_obj, ours.optimal, before))
        print(rows[-1], flush=True)
    lines = [f"Machine: {machine()}; load average {load_before} before the run, {load_average()} after. "
             f"Command: `{COMMAND}`; time limit {args.time_limit:.0f} s.", "",
             "| case (n × m × p) | ours (s) | proven | objective | before (s) | before proven | same objective |",
             "| --- | ---: | --- | ---: | ---: | --- | --- |"]
    for case, s, obj, opt, before in rows:
        b = (f"{before[0]:.1f} | {'yes' if before[2] else 'no'} | {'yes' if np.isclose(before[1], obj) else 'no'}"
             if before else "— | — | —")
        lines.append(f"| {case.replace('x', ' × ')} | {s:.1f} | {'yes' if opt else 'no'} | {obj:,.0f} | {b} |")
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("p-median at scale", text)


if __name__ == "__main__":
    main()
