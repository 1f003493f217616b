"""Solomon VRPTW: our OR-Tools solver against PyVRP at the same time budget, in one run.

    python benchmarks/vrptw.py [--seconds 10 30] [--write]

Objective as in the literature: fewest vehicles, then real-valued Euclidean distance. PyVRP
works in integers: we give it distances ×100 (rounded) and report its own distance ÷ 100 (each arc within
±0.005 of the real value).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from _common import SHARED, bks, machine, write_section

from planner.benchmark_io import solve_solomon
from routing.solomon import read_solomon


def pyvrp_solve(path, seconds: float, seed: int = 0) -> tuple[int, float]:
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    inst = read_solomon(path)
    scale = 100
    m = Model()
    locs = [m.add_location(0, 0)] + [m.add_location(0, 0) for _ in inst.visits]
    depot = m.add_depot(locs[0], tw_early=int(inst.vehicles[0].shift_start * scale),
                        tw_late=int(inst.vehicles[0].shift_end * scale))
    m.add_vehicle_type(len(inst.vehicles), capacity=inst.vehicles[0].capacity, start_depot=depot, end_depot=depot,
                       fixed_cost=10**7)
    for k, v in enumerate(inst.visits, start=1):
        (a, b), = v.windows
        m.add_client(locs[k], delivery=v.demand, service_duration=int(v.service * scale),
                     tw_early=int(a * scale), tw_late=int(b * scale))
    d = np.rint(inst.distance * scale).astype(int)
    for i, fi in enumerate(locs):
        for j, tj in enumerate(locs):
            m.add_edge(fi, tj, int(d[i, j]), int(d[i, j]))
    res = m.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    # PyVRP's own distance on arcs rounded to 0.01: within ±0.005 per arc of the real value.
    dist = res.best.distance() / scale
    vehicles = res.best.num_routes()
    return (vehicles, dist) if res.is_feasible() else (0, math.inf)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, nargs="+", default=[10.0, 30.0])
    ap.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = ap.parse_args()
    best = bks("solomon")
    rows = []
    for seconds in args.seconds:
        for path in sorted((SHARED / "solomon").glob("*.txt")):
            name = path.stem
            t = time.monotonic()
            ours = solve_solomon(path, seconds=seconds)
            ours_s = time.monotonic() - t
            pv, pd_ = pyvrp_solve(path, seconds)
            bv, bd = best[name]
            rows.append((seconds, name, bv, bd, ours["vehicles"], ours["distance"], pv, pd_, ours_s))
            print(f"{seconds:>4.0f}s {name:<6} BKS {bv:>2} {bd:8.2f} | ours {ours['vehicles']:>2} {ours['distance']:8.2f} "
                  f"({100 * (ours['distance'] / bd - 1):+5.1f}%) | PyVRP {pv:>2} {pd_:8.2f} ({100 * (pd_ / bd - 1):+5.1f}%)", flush=True)
    lines = [f"Machine: {machine()}. Command: `python benchmarks/vrptw.py --write` (needs `pip install -e .[bench]`).",
             "Baseline: PyVRP (hybrid genetic search) on the same instances, same time budget, same process.",
             "Gap = distance / best-known − 1 (SINTEF table, `../shared/benchmarks/solomon/bks.csv`); vehicles first.", "",
             "| budget | instance | BKS veh | BKS dist | ours veh | ours dist | ours gap | PyVRP veh | PyVRP dist | PyVRP gap | ours/PyVRP dist |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for s, n, bv, bd, ov, od, pv, pd_, _ in rows:
        lines.append(f"| {s:.0f} s | {n} | {bv} | {bd:.2f} | {ov} | {od:.2f} | {100 * (od / bd - 1):+.2f} % | {pv} | {pd_:.2f} | "
                     f"{100 * (pd_ / bd - 1):+.2f} % | {od / pd_:.3f} |")
    for s in args.seconds:
        sub = [r for r in rows if r[0] == s]
        gap = np.mean([r[5] / r[3] - 1 for r in sub]) * 100
        pgap = np.mean([r[7] / r[3] - 1 for r in sub]) * 100
        extra = max(r[4] - r[2] for r in sub)
        same = [r for r in sub if r[4] == r[6]]  # same fleet as PyVRP: distances comparable
        ratio = np.mean([r[5] / r[7] for r in same]) if same else float("nan")
        lines.append(f"\nAt {s:.0f} s: ours average gap {gap:+.2f} % (at most {extra} vehicle(s) above BKS), "
                     f"PyVRP {pgap:+.2f} %. Ours used more vehicles than PyVRP on {len(sub) - len(same)} of "
                     f"{len(sub)} instances; where the fleets are equal, our distance is on average "
                     f"{ratio:.3f}× PyVRP's. A gap below zero comes with more vehicles than the best known.")
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("VRPTW (Solomon)", text)


if __name__ == "__main__":
    main()
