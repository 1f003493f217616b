"""Li & Lim PDPTW: our portfolio against the best-known solutions and PyVRP alone, in one run.

    python benchmarks/pdptw.py [--seconds 10] [--instances lr101 lrc101] [--write]

Objective: fewest vehicles, then real-valued Euclidean distance. Ours is `planner bench pdptw`'s
default (routing.portfolio: in PyVRP's scope, pairs as PyVRP shipments, so PyVRP on one core
and OR-Tools then PyVRP on the other). Baselines: the best-known table (SINTEF,
benchmarks/instances/lilim/bks.csv) and PyVRP alone on one core for the same budget.
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import INSTANCES, bks, load_average, machine, pick, pyvrp_alone, write_section

from planner.benchmark_io import solve_lilim
from routing.lilim import read_lilim

COMMAND = "python benchmarks/pdptw.py --seconds 10 --write"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--instances", nargs="+", help="a subset, e.g. lr101 lrc101 (default: all four)")
    ap.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = ap.parse_args()
    best = bks("lilim")
    load_before = load_average()
    rows = []
    for path in pick(sorted((INSTANCES / "lilim").glob("*.txt")), args.instances):
        ours = solve_lilim(path, seconds=args.seconds)
        pv, pd_, on_time = pyvrp_alone(read_lilim(path), args.seconds)
        bv, bd = best[path.stem]
        rows.append((path.stem, bv, bd, ours["vehicles"], ours["distance"], ours["engine"], ours["seconds"], pv, pd_, on_time))
        print(f"{path.stem:<7} BKS {bv:>2} {bd:9.4f} | ours {ours['vehicles']:>2} {ours['distance']:9.4f} "
              f"({ours['engine']}) | PyVRP {pv:>2} {pd_:9.4f}{'' if on_time else ' (late)'}", flush=True)
    lines = [f"Machine: {machine()}; load average {load_before} before the run, {load_average()} after. "
             f"Command: `{COMMAND}`; {args.seconds:.0f} s per instance.",
             "Ours: `planner bench pdptw` (routing.portfolio; **it includes PyVRP**, which models the pairs as "
             "shipments). Baselines: best-known solutions (SINTEF) and PyVRP alone on one core, same budget. "
             "Vehicles first, then distance; every plan of ours passed routing/check.py before it was returned; "
             "*PyVRP on time*: the peer's plan keeps every window in real numbers (it works in rounded integers).", "",
             "| instance | BKS veh | BKS dist | ours veh | ours dist | gap | engine | PyVRP veh | PyVRP dist | "
             "PyVRP on time | ours/PyVRP | seconds |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: |"]
    for n, bv, bd, ov, od, eng, s, pv, pd_, on_time in rows:
        lines.append(f"| {n} | {bv} | {bd:.4f} | {ov} | {od:.4f} | {100 * (od / bd - 1):+.2f} % | {eng} | {pv} | "
                     f"{pd_:.4f} | {'yes' if on_time else '**no**'} | {od / pd_:.4f} | {s:.1f} |")
    gap = np.mean([r[4] / r[2] - 1 for r in rows]) * 100
    lines.append(f"\nAverage gap {gap:+.2f} %; at most {max(r[3] - r[1] for r in rows)} vehicle(s) above BKS; "
                 f"more vehicles than PyVRP alone on {sum(r[3] > r[7] for r in rows)} of {len(rows)}.")
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("PDPTW (Li & Lim)", text)


if __name__ == "__main__":
    main()
