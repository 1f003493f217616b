"""Coverage at province scale: demand cells × sites within a straight-line threshold, with the
time and the memory it takes, against geopandas (shapely's STRtree) in the same run.

    python benchmarks/coverage_scale.py [--cells 1000000 10000000] [--sites 2000]
                                        [--threshold-m 1000] [--peer-up-to 1000000] [--write]

Each case runs in a fresh child process (fork), which builds its own data, so the peak memory
measured is that case's alone: `tracemalloc` peak during the coverage call (every array
allocated by it) and the child's peak resident set (`ru_maxrss`: Python, libraries, the input
arrays and the result). Cells are a 100 m grid (1,000,000 cells: 100 km × 100 km, about
Wenzhou's size; 10,000,000: 316 km × 316 km, about Zhejiang's 105,500 km²), weights lognormal,
16 districts as integer codes; sites 70 % around 60 town centres, 30 % anywhere. The peer is
geopandas' `sjoin_nearest(max_distance=…)` (shapely 2 STRtree), timed from ready GeoDataFrames
(building them is reported apart); both must count the same covered cells.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
import tracemalloc

import numpy as np
from _common import load_average, machine, write_section

from models.costs import straight_line
from models.coverage import coverage

COMMAND = "python benchmarks/coverage_scale.py --cells 1000000 10000000 --write"


def make_case(cells: int, sites: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Demand cell centres on a 100 m grid, weights, district codes, and site points (metres)."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(cells)))
    k = np.arange(cells)
    xy = np.empty((cells, 2))
    xy[:, 0] = (k % side) * 100.0 + 50.0
    xy[:, 1] = (k // side) * 100.0 + 50.0
    extent = side * 100.0
    weights = rng.lognormal(1.0, 1.0, cells)
    groups = (xy[:, 0] // (extent / 4)).astype(np.int64) * 4 + (xy[:, 1] // (extent / 4)).astype(np.int64)
    centres = rng.uniform(0, extent, (60, 2))
    n_town = int(sites * 0.7)
    town = centres[rng.integers(0, 60, n_town)] + rng.normal(0, 3000, (n_town, 2))
    site_xy = np.clip(np.vstack([town, rng.uniform(0, extent, (sites - n_town, 2))]), 0, extent)
    return xy, weights, groups, site_xy


def _ours(cells: int, sites: int, threshold_m: float, conn) -> None:  # noqa: ANN001
    xy, weights, groups, site_xy = make_case(cells, sites)
    tracemalloc.start()
    started = time.perf_counter()
    result = coverage(xy, weights, groups, site_xy, straight_line(), threshold_m)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send((seconds, peak / 2**20, rss_mb, int(result.covered.sum()), result.share))


def _peer(cells: int, sites: int, threshold_m: float, conn) -> None:  # noqa: ANN001
    import geopandas as gpd

    xy, weights, groups, site_xy = make_case(cells, sites)
    started = time.perf_counter()
    demand = gpd.GeoDataFrame({"w": weights}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=3857)
    supply = gpd.GeoDataFrame(geometry=gpd.points_from_xy(site_xy[:, 0], site_xy[:, 1]), crs=3857)
    build = time.perf_counter() - started
    started = time.perf_counter()
    joined = gpd.sjoin_nearest(demand, supply, max_distance=threshold_m, distance_col="d")
    covered = joined.index.unique()
    seconds = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    share = float(demand["w"].loc[covered].sum() / demand["w"].sum())
    conn.send((seconds, build, rss_mb, int(covered.size), share))


def _dask(cells: int, sites: int, threshold_m: float, workers: int, conn) -> None:  # noqa: ANN001
    from distributed import Client, LocalCluster

    from models.coverage_partitioned import partitioned_coverage

    partitions = max(workers, cells // 1_000_000)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        xy, weights, groups, site_xy = make_case(cells, sites)  # after the workers start: not in their memory
        started = time.perf_counter()
        result = partitioned_coverage(client, xy, weights, groups, site_xy, straight_line(), threshold_m, partitions)
        seconds = time.perf_counter() - started
        worker_rss = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    client_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send((seconds, partitions, max(worker_rss.values()), client_rss, result.share))


def _in_child(target, *args):  # noqa: ANN001, ANN202
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe(duplex=False)
    process = ctx.Process(target=target, args=(*args, there))
    process.start()
    there.close()
    out = here.recv()
    process.join()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--sites", type=int, default=2000)
    ap.add_argument("--threshold-m", type=float, default=1000.0)
    ap.add_argument("--peer-up-to", type=int, default=1_000_000, help="run geopandas on cases up to this size")
    ap.add_argument("--dask-workers", type=int, default=2,
                    help="also run the largest case partitioned on a local dask cluster of this many worker "
                         "processes (0: skip)")
    ap.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = ap.parse_args()
    load_before = load_average()
    rows = []
    for cells in args.cells:
        s, traced, rss, n_cov, share = _in_child(_ours, cells, args.sites, args.threshold_m)
        peer = _in_child(_peer, cells, args.sites, args.threshold_m) if cells <= args.peer_up_to else None
        rows.append((cells, s, traced, rss, n_cov, share, peer))
        print(f"{cells:>11,} cells: ours {s:6.2f} s, traced peak {traced:7.0f} MB, max RSS {rss:7.0f} MB, "
              f"covered {n_cov:,} ({share:.1%})"
              + (f" | geopandas {peer[0]:6.2f} s (+{peer[1]:.2f} s building), max RSS {peer[2]:.0f} MB, "
                 f"covered {peer[3]:,}" if peer else ""), flush=True)
        if peer and peer[3] != n_cov:
            raise SystemExit(f"covered cells differ: ours {n_cov}, geopandas {peer[3]}")
    dask = None
    if args.dask_workers:
        cells = max(args.cells)
        dask = _in_child(_dask, cells, args.sites, args.threshold_m, args.dask_workers)
        print(f"{cells:>11,} cells on a local dask cluster ({args.dask_workers} worker processes, {dask[1]} strips): "
              f"{dask[0]:.2f} s, worker max RSS {dask[2]:.0f} MB, client max RSS {dask[3]:.0f} MB, "
              f"share {dask[4]:.4%}", flush=True)
        ours_share = next(r[5] for r in rows if r[0] == cells)
        if abs(dask[4] - ours_share) > 1e-9:
            raise SystemExit(f"partitioned share {dask[4]} differs from one machine's {ours_share}")
    lines = [f"Machine: {machine()}; load average {load_before} before the run, {load_average()} after. "
             f"Command: `{COMMAND}`. {args.sites:,} sites, threshold {args.threshold_m:.0f} m straight line; "
             "each case in a fresh child process (the data built there), so its memory is its own.",
             "Ours: `models.coverage.coverage` on `straight_line()` (one k-d tree of the sites, queried in "
             "chunks of 1,000,000 cells for the nearest site within 2,048 × the threshold; no pairs "
             "materialised). Peer: geopandas `sjoin_nearest(max_distance=threshold)` (shapely STRtree) from "
             "ready GeoDataFrames; both count the same covered cells.", "",
             "| cells | ours (s) | ours peak traced (MB) | ours max RSS (MB) | covered share | geopandas (s) | "
             "geopandas build (s) | geopandas max RSS (MB) | geopandas ÷ ours |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for cells, s, traced, rss, _, share, peer in rows:
        p = f"{peer[0]:.2f} | {peer[1]:.2f} | {peer[2]:.0f} | {peer[0] / s:.1f}×" if peer else "— | — | — | —"
        lines.append(f"| {cells:,} | {s:.2f} | {traced:.0f} | {rss:.0f} | {share:.1%} | {p} |")
    if dask:
        cells = max(args.cells)
        lines += ["", f"Partitioned (`models.coverage_partitioned`, dask.distributed `LocalCluster` of "
                  f"{args.dask_workers} worker processes on this machine, one thread each; the cells in "
                  f"{dask[1]} strips sent from the client, the sites broadcast once, district sums reduced): "
                  f"{cells:,} cells in **{dask[0]:.2f} s** (scatter included), at most {dask[2]:.0f} MB resident "
                  f"per worker, {dask[3]:.0f} MB in the client (which built the data); the covered share equals "
                  "the one-machine run's. The one-machine path runs on one core, the workers on both here; on a cluster "
                  "each worker would read its own strip instead of receiving it (docs/design-notes.md)."]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("Coverage at scale", text)


if __name__ == "__main__":
    main()
