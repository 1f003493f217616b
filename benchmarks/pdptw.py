"""Li & Lim PDPTW: our OR-Tools solver against the best-known solutions.

    python benchmarks/pdptw.py [--seconds 30] [--write]

Objective: fewest vehicles, then real-valued Euclidean distance. The named baseline is the
best-known solution table (SINTEF, `../shared/benchmarks/lilim/bks.csv`); ratios are ours ÷ BKS.
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import SHARED, bks, machine, write_section

from planner.benchmark_io import solve_lilim


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    best = bks("lilim")
    rows = []
    for path in sorted((SHARED / "lilim").glob("*.txt")):
        ours = solve_lilim(path, seconds=args.seconds)
        bv, bd = best[path.stem]
        rows.append((path.stem, bv, bd, ours["vehicles"], ours["distance"], ours["seconds"]))
        print(f"{path.stem:<7} BKS {bv:>2} {bd:9.4f} | ours {ours['vehicles']:>2} {ours['distance']:9.4f} "
              f"({100 * (ours['distance'] / bd - 1):+5.2f}%)", flush=True)
    lines = [f"Machine: {machine()}. Command: `python benchmarks/pdptw.py --write`; {args.seconds:.0f} s per instance.",
             "Baseline: best-known solutions (SINTEF table). Vehicles first, then distance.", "",
             "| instance | BKS veh | BKS dist | ours veh | ours dist | gap | ours/BKS | seconds |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for n, bv, bd, ov, od, s in rows:
        lines.append(f"| {n} | {bv} | {bd:.4f} | {ov} | {od:.4f} | {100 * (od / bd - 1):+.2f} % | {od / bd:.4f} | {s:.1f} |")
    gap = np.mean([r[4] / r[2] - 1 for r in rows]) * 100
    lines.append(f"\nAverage gap {gap:+.2f} %; at most {max(r[3] - r[1] for r in rows)} vehicle(s) above BKS; every plan "
                 "passed the independent checker (routing/check.py) before it was returned.")
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("PDPTW (Li & Lim)", text)


if __name__ == "__main__":
    main()
