"""Siting benchmark: our models against PySAL spopt (PuLP + CBC), same instances, same run.

A 50,000-point × 2,000-candidate maximal covering problem (by default), p-median problems,
capacitated p-median (spopt's PMedian with facility capacities) and target coverage (spopt has
no such model: our figure alone):

    python benchmarks/siting.py [--write docs/benchmarks.md]
    python benchmarks/siting.py --only pmedian   # while iterating

Both sides get the same coordinates and weights; spopt gets the dense cost matrix it needs
(its build time is reported apart and not counted). Objectives are recomputed here from each
side's selected sites with the dense matrix, so neither solver grades itself.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pulp
from spopt.locate import MCLP, PMedian

from models.costs import straight_line
from models.siting import SitingProblem, solve

SECTION = "## Siting"


def instance(
    n_demand: int, n_candidates: int, side_m: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clustered demand (towns plus scattered villages) with integer weights, uniform candidates."""
    rng = np.random.default_rng(seed)
    towns = rng.uniform(0.1 * side_m, 0.9 * side_m, (12, 2))
    clustered = n_demand * 3 // 4
    pick = rng.integers(0, towns.shape[0], clustered)
    spread = rng.uniform(0.02, 0.08, towns.shape[0])[pick, None] * side_m
    demand = np.vstack(
        [
            towns[pick] + rng.normal(0, 1, (clustered, 2)) * spread,
            rng.uniform(0, side_m, (n_demand - clustered, 2)),
        ]
    )
    weights = rng.integers(1, 500, n_demand).astype(float)
    candidates = rng.uniform(0, side_m, (n_candidates, 2))
    return demand, weights, candidates


def _spopt_selected(problem: MCLP | PMedian) -> np.ndarray:
    return np.array(
        [j for j, v in enumerate(problem.fac_vars) if v.value() is not None and v.value() > 0.5]
    )


def mclp_ours(n_demand: int, n_candidates: int, p: int, radius_m: float, seed: int) -> dict:
    """Our MCLP on the instance: seconds, covered weight (recomputed here), proven."""
    demand, weights, candidates = instance(n_demand, n_candidates, 40_000.0, seed)
    t = time.perf_counter()
    ours = solve(
        SitingProblem(demand, weights, candidates, straight_line(None), radius_m),
        "mclp",
        p=p,
        time_limit_s=300,
    )
    seconds = time.perf_counter() - t
    near = straight_line(None).within(demand, candidates, radius_m)
    return {
        "s": seconds,
        "obj": float(weights[near.covered_by_any(ours.selected)].sum()),
        "optimal": ours.optimal,
    }


def mclp_before(
    source: Path, n_demand: int, n_candidates: int, p: int, radius_m: float, seed: int
) -> dict:
    """`mclp_ours` with the models of another checkout (`source`, e.g. `git worktree add
    ../before main`), in a child process right after ours: same instance, same machine load."""
    code = (
        "import json, sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import siting; "
        "print(json.dumps(siting.mclp_ours(*map(int, sys.argv[3:6]), float(sys.argv[6]), "
        "int(sys.argv[7]))))"
    )
    here = str(Path(__file__).resolve().parent)
    args = [str(source.resolve()), here, str(n_demand), str(n_candidates), str(p)]
    out = subprocess.run(
        [sys.executable, "-c", code, *args, str(radius_m), str(seed)],
        capture_output=True,
        text=True,
        check=True,
        cwd=source,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def mclp(
    n_demand: int,
    n_candidates: int,
    p: int,
    radius_m: float,
    seed: int,
    with_spopt: bool = True,
    before: Path | None = None,
) -> dict:
    ours = mclp_ours(n_demand, n_candidates, p, radius_m, seed)
    row = {
        "name": f"MCLP {n_demand:,} × {n_candidates:,}, p={p}, r={radius_m:.0f} m",
        "ours_s": ours["s"],
        "spopt_s": None,
        "matrix_s": 0.0,
        "ours_obj": ours["obj"],
        "spopt_obj": None,
        "ours_optimal": ours["optimal"],
    }
    if before is not None:
        then = mclp_before(before, n_demand, n_candidates, p, radius_m, seed)
        row.update(before_s=then["s"], before_obj=then["obj"], before_optimal=then["optimal"])
    if not with_spopt:
        return row
    demand, weights, candidates = instance(n_demand, n_candidates, 40_000.0, seed)
    t = time.perf_counter()
    dense = straight_line(None).matrix(demand, candidates).astype(np.float32)
    row["matrix_s"] = time.perf_counter() - t
    t = time.perf_counter()
    theirs = MCLP.from_cost_matrix(dense, weights, radius_m, p).solve(pulp.PULP_CBC_CMD(msg=False))
    row["spopt_s"] = time.perf_counter() - t
    row["spopt_obj"] = float(weights[(dense[:, _spopt_selected(theirs)] <= radius_m).any(1)].sum())
    return row


def pmedian(n_demand: int, n_candidates: int, p: int, seed: int) -> dict:
    demand, weights, candidates = instance(n_demand, n_candidates, 20_000.0, seed)
    t = time.perf_counter()
    ours = solve(
        SitingProblem(demand, weights, candidates, straight_line(None), 1000.0),
        "pmedian",
        p=p,
        time_limit_s=300,
    )
    ours_s = time.perf_counter() - t
    dense = straight_line(None).matrix(demand, candidates)
    t = time.perf_counter()
    theirs = PMedian.from_cost_matrix(dense, weights, p).solve(pulp.PULP_CBC_CMD(msg=False))
    spopt_s = time.perf_counter() - t

    def total(selected: np.ndarray) -> float:
        return float((weights * dense[:, selected].min(1)).sum())

    return {
        "name": f"p-median {n_demand:,} × {n_candidates:,}, p={p}",
        "ours_s": ours_s,
        "spopt_s": spopt_s,
        "matrix_s": 0.0,
        "ours_obj": total(ours.selected),
        "spopt_obj": total(_spopt_selected(theirs)),
        "ours_optimal": ours.optimal,
    }


def _transport_cost(
    weights: np.ndarray, dense: np.ndarray, cap: np.ndarray, selected: np.ndarray
) -> float:
    """Least Σ w·c·y assigning all demand to `selected` within capacity (scipy's HiGHS LP), so
    both sides are graded by the same independent computation; inf when infeasible."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    n, k = dense.shape[0], selected.size
    cols = np.arange(n * k)
    rows_eq = np.repeat(np.arange(n), k)
    a_eq = coo_matrix((np.ones(n * k), (rows_eq, cols)), shape=(n, n * k))
    a_ub = coo_matrix((np.repeat(weights, k), (np.tile(np.arange(k), n), cols)), shape=(k, n * k))
    res = linprog(
        (weights[:, None] * dense[:, selected]).ravel(),
        A_ub=a_ub,
        b_ub=cap[selected],
        A_eq=a_eq,
        b_eq=np.ones(n),
        bounds=(0, 1),
        method="highs",
    )
    return float(res.fun) if res.status == 0 else float("inf")


def cpmedian(n_demand: int, n_candidates: int, p: int, seed: int) -> dict:
    """Capacitated p-median: each candidate serves at most 1.25 × an equal share of demand."""
    demand, weights, candidates = instance(n_demand, n_candidates, 20_000.0, seed)
    cap = np.full(n_candidates, 1.25 * weights.sum() / p)
    t = time.perf_counter()
    ours = solve(
        SitingProblem(demand, weights, candidates, straight_line(None), 1000.0, capacity=cap),
        "pmedian",
        p=p,
        time_limit_s=300,
    )
    ours_s = time.perf_counter() - t
    dense = straight_line(None).matrix(demand, candidates)
    t = time.perf_counter()
    theirs = PMedian.from_cost_matrix(dense, weights, p, facility_capacities=cap).solve(
        pulp.PULP_CBC_CMD(msg=False)
    )
    spopt_s = time.perf_counter() - t
    return {
        "name": f"capacitated p-median {n_demand:,} × {n_candidates:,}, p={p}",
        "ours_s": ours_s,
        "spopt_s": spopt_s,
        "matrix_s": 0.0,
        "ours_obj": _transport_cost(weights, dense, cap, ours.selected),
        "spopt_obj": _transport_cost(weights, dense, cap, _spopt_selected(theirs)),
        "ours_optimal": ours.optimal,
    }


def target(n_demand: int, n_candidates: int, share: float, radius_m: float, seed: int) -> dict:
    """Target coverage (fewest sites covering `share` of the weight): spopt has no such model."""
    demand, weights, candidates = instance(n_demand, n_candidates, 40_000.0, seed)
    t = time.perf_counter()
    ours = solve(
        SitingProblem(demand, weights, candidates, straight_line(None), radius_m),
        "target",
        target=share,
        time_limit_s=300,
    )
    ours_s = time.perf_counter() - t
    return {
        "name": f"target {share:.0%} {n_demand:,} × {n_candidates:,}, r={radius_m:.0f} m "
        f"({ours.selected.size} sites, {ours.share:.2%} covered)",
        "ours_s": ours_s,
        "spopt_s": None,
        "matrix_s": 0.0,
        "ours_obj": float(ours.selected.size),
        "spopt_obj": None,
        "ours_optimal": ours.optimal,
    }


def machine() -> str:
    model = ""
    out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    import os

    return f"{model or platform.processor()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def report(rows: list[dict], command: str) -> str:
    lines = [
        SECTION,
        "",
        f"`{command}`",
        f"(one command; both solvers in the same run). Machine: {machine()}. Ours: models.siting on",
        "OR-Tools: HiGHS through MathOpt for MCLP (sparse neighbour lists, demand rows merged by",
        "identical candidate sets, greedy + swap incumbent, LP bound, reduced-cost fixing, then the",
        "MIP) and for p-median (radius formulation over k-nearest lists, one row",
        "per distinct set of nearest candidates); time from coordinates, neighbour search and model",
        "building included. spopt: PySAL spopt with PuLP + CBC from the dense cost matrix (matrix",
        "build not counted). Objectives recomputed from each side's selected sites with the dense",
        'matrix; "proven" is our solver\'s optimality proof (HiGHS at a 1e-9 relative gap).',
        "",
        "| instance | ours (s) | spopt (s) | spopt ÷ ours | our objective | spopt objective | same | proven |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        if r["spopt_s"] is None:  # spopt has no such model, or was not run
            lines.append(
                f"| {r['name']} | {r['ours_s']:.2f} | — | — | {r['ours_obj']:,.2f} | — | — | "
                f"{'yes' if r['ours_optimal'] else 'no'} |"
            )
            continue
        same = abs(r["ours_obj"] - r["spopt_obj"]) <= 1e-6 * max(abs(r["spopt_obj"]), 1.0)
        lines.append(
            f"| {r['name']} | {r['ours_s']:.2f} | {r['spopt_s']:.2f} | {r['spopt_s'] / r['ours_s']:.1f}× | "
            f"{r['ours_obj']:,.2f} | {r['spopt_obj']:,.2f} | {'yes' if same else 'no'} | "
            f"{'yes' if r['ours_optimal'] else 'no'} |"
        )
    for r in rows:
        if "before_s" in r:
            lines += [
                "",
                f"{r['name']} with the models of the `--before` checkout, in the same run: "
                f"{r['before_s']:.2f} s, objective {r['before_obj']:,.2f}"
                f"{'' if r['before_optimal'] else ' (not proven)'}, against ours "
                f"{r['ours_s']:.2f} s, {r['ours_obj']:,.2f}.",
            ]
    return "\n".join([*lines, "", *NOTES]) + "\n"


#: Figures from runs this command does not repeat, kept with the section it rewrites.
NOTES = [
    "At the issue's full size (the script's defaults: MCLP 50,000 × 2,000, p = 50, r = 1,000 m) ours",
    "proved optimality in 1.98 s (objective 4,247,804) against 48.72 s for the CP-SAT model it",
    "replaced, same run, same optimum, quiet machine (`--only mclp --no-spopt --before CHECKOUT`,",
    "the checkout at a5fa0bd). spopt was still building its PuLP model at the full size after",
    "14 minutes and was stopped, so that comparison has no spopt figure; the table above uses",
    "20,000 × 1,000 for MCLP.",
    "",
    "p-median before the radius formulation (assignment variables yᵢⱼ <= xⱼ over k-nearest lists,",
    "added one by one through pywraplp): 1,000 × 100 took 5.69 s in the last written run (3.8×",
    "spopt), ~1.2 s of it building the model in Python and ~3.4 s in HiGHS, mostly its LP over",
    "38,000 rows; 2,000 × 200 took 25 s. Now, on 1,000 × 100: lists, rows and the model handed over",
    "as arrays ~0.02 s, HiGHS ~0.2 s on 9,365 rows (its root LP is integral: one node). The model",
    "stays exact on larger cases, but HiGHS's time grows faster than the rows: 5,000 × 300 with",
    "p = 20 took ~100 s (a 0.12 % root gap to branch on); with the candidates proven away first and",
    "HiGHS started from the interchange optimum it takes 8.0 s (section \"p-median at scale\").",
    "",
    "Capacitated p-median (each candidate serves at most 1.25 × an equal share; ours: assignment",
    "MIP on HiGHS, demand split within capacity; both graded by one transportation LP): 300 × 30,",
    "p = 5 in the table; 1,000 × 60, p = 8: 73.2 s vs spopt's 648.0 s, same proven optimum, in an",
    "earlier run with 8 engineers sharing the 2 cores (`--only cpmedian --cpmedian 1000x60x8`).",
    "Target coverage has no spopt counterpart (the table's last row: 142 sites for 60 %, proven",
    "fewest; 31.0 s in that earlier, loaded run).",
]


def write_section(path: Path, text: str) -> None:
    """Replace the Siting section of `path` (other sections untouched), or append it."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    new = (
        pattern.sub(lambda _: text + "\n", old)
        if pattern.search(old)
        else old.rstrip("\n") + "\n\n" + text
    )
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demand", type=int, default=50_000, help="MCLP demand points")
    parser.add_argument("--candidates", type=int, default=2_000, help="MCLP candidates")
    parser.add_argument("--p", type=int, default=50, help="MCLP sites to open")
    parser.add_argument("--radius", type=float, default=1_000.0, help="MCLP radius in metres")
    parser.add_argument(
        "--pmedian",
        nargs="+",
        default=["1000x100x8", "2000x200x10"],
        help="p-median cases, each DEMANDxCANDIDATESxP",
    )
    parser.add_argument(
        "--cpmedian",
        nargs="+",
        default=["300x30x5"],
        help="capacitated p-median cases, each DEMANDxCANDIDATESxP",
    )
    parser.add_argument(
        "--target",
        nargs="+",
        default=["20000x1000x0.6"],
        help="target coverage cases, each DEMANDxCANDIDATESxSHARE (radius as --radius)",
    )
    parser.add_argument(
        "--only", choices=("mclp", "pmedian", "cpmedian", "target"), help="run one model's cases"
    )
    parser.add_argument(
        "--no-spopt",
        action="store_true",
        help="MCLP without spopt (at the full size it does not build its model in 14 minutes)",
    )
    parser.add_argument(
        "--before",
        type=Path,
        help="a checkout of earlier code (e.g. `git worktree add ../before main`): its MCLP "
        "runs on the same instance in the same run",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write", type=Path, help="write the figures into this Markdown file")
    args = parser.parse_args()
    if args.write and args.only:
        parser.error("--write needs every case (drop --only)")
    rows = []
    if args.only in (None, "mclp"):
        rows.append(
            mclp(
                args.demand,
                args.candidates,
                args.p,
                args.radius,
                args.seed,
                with_spopt=not args.no_spopt,
                before=args.before,
            )
        )
        print(rows[-1], flush=True)
    if args.only in (None, "pmedian"):
        for case in args.pmedian:
            n, m, p = (int(v) for v in case.split("x"))
            rows.append(pmedian(n, m, p, args.seed))
            print(rows[-1], flush=True)
    if args.only in (None, "cpmedian"):
        for case in args.cpmedian:
            n, m, p = (int(v) for v in case.split("x"))
            rows.append(cpmedian(n, m, p, args.seed))
            print(rows[-1], flush=True)
    if args.only in (None, "target"):
        for case in args.target:
            n, m, share = case.split("x")
            rows.append(target(int(n), int(m), float(share), args.radius, args.seed))
            print(rows[-1], flush=True)
    text = report(rows, " ".join(["python", "benchmarks/siting.py", *sys.argv[1:]]))
    print(text)
    if args.write:
        write_section(args.write, text)


if __name__ == "__main__":
    main()
