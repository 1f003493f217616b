"""`planner matrix`: a travel-time matrix between two point files, the contract of issue 6.

planner matrix [--network FILE] --from A --to B [--mode drive] --json OUT.json

A and B are point layers (any vector file geopandas reads) with an `id` field. With --network
(an OSMnx GraphML file or a file of road lines) times are shortest road times ("source":
"network"); without it they are straight-line metres × the mode's circuity ÷ its speed
("source": "straight-line", models.costs.MODES). Unreachable pairs are null.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from pyproj import CRS

from models.costs import straight_line
from planner import validation
from planner.commands.site import read_points
from planner.errors import PlannerError
from planner.geo import metric_crs_for, points_xy
from planner.network import load_network, network_cost
from planner.paths import check_output_file, write_output
from planner.progress import cli_control
from routing.network import MODE_NAMES, NetworkError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("matrix", help="travel-time matrix between two point files (JSON result)")
    p.add_argument(
        "--network",
        type=Path,
        help="road network: OSMnx .graphml or road lines (omit: straight line)",
    )
    p.add_argument(
        "--from", type=Path, required=True, dest="origins", help="origin points with an id field"
    )
    p.add_argument(
        "--to",
        type=Path,
        required=True,
        dest="destinations",
        help="destination points with an id field",
    )
    p.add_argument(
        "--mode", choices=MODE_NAMES, default="drive", help="travel mode (default drive)"
    )
    p.add_argument(
        "--max-snap",
        type=validation.non_negative,
        default=500.0,
        help="flag points further than this from a road (m)",
    )
    p.add_argument("--json", type=Path, required=True, dest="json_out", help="result file")
    p.set_defaults(func=run)


def _ids(path: Path) -> tuple[list[str], object]:
    gdf = read_points(path)
    if "id" not in gdf.columns:
        raise PlannerError("缺少字段 “id”", "field 'id' is missing", file=str(path), field="id")
    return gdf["id"].astype(str).tolist(), gdf


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except NetworkError as exc:  # a network that loads but that the mode cannot use
        raise PlannerError(
            f"无法使用路网文件（{exc}）", f"cannot use this road network file ({exc})", file=str(args.network)
        ) from exc


def _run(args: argparse.Namespace) -> int:
    zh = args.lang == "zh"
    check_output_file(args.json_out, "--json")
    started = time.monotonic()
    from_ids, origins = _ids(args.origins)
    to_ids, destinations = _ids(args.destinations)
    if args.network is not None:
        print(("读取路网 " if zh else "reading network ") + str(args.network), file=sys.stderr)
        network = load_network(args.network)
        d = network.dropped
        print(
            f"{network.n_nodes} 节点, {network.n_edges} 条边, {network.km:.0f} km; 去掉不连通部分 {d.nodes} 节点, {d.edges} 条边, {d.km:.1f} km"
            if zh
            else f"{network.n_nodes} nodes, {network.n_edges} edges, {network.km:.0f} km; dropped outside the largest strongly connected part: {d.nodes} nodes, {d.edges} edges, {d.km:.1f} km",
            file=sys.stderr,
        )
        cost = network_cost(
            network, args.mode, max_snap_m=args.max_snap, workers=os.cpu_count() or 1
        )
        crs = network.crs
        o_xy, d_xy = points_xy(origins, crs), points_xy(destinations, crs)
        for name, ids, xy in (("--from", from_ids, o_xy), ("--to", to_ids, d_xy)):
            snap = cost.snap(xy)
            for i in snap.far:
                print(
                    f"{name} {ids[i]}: 距最近道路 {snap.snap_m[i]:.0f} m"
                    if zh
                    else f"{name} {ids[i]}: {snap.snap_m[i]:.0f} m from the nearest road",
                    file=sys.stderr,
                )
    else:
        cost = straight_line(args.mode)
        crs = CRS(metric_crs_for(origins))
        o_xy, d_xy = points_xy(origins, crs), points_xy(destinations, crs)
    with cli_control(f"matrix {args.mode}") as control:
        if args.network is not None:
            cost.control = control
        seconds = cost.matrix(o_xy, d_xy)
    out = {
        "from_ids": from_ids,
        "to_ids": to_ids,
        "seconds": [[float(s) if np.isfinite(s) else None for s in row] for row in seconds],
        "source": cost.source,
        "elapsed": round(time.monotonic() - started, 3),
    }
    write_output(args.json_out, json.dumps(out, ensure_ascii=False))
    unreachable = int((~np.isfinite(seconds)).sum())
    print(
        f"{len(from_ids)}×{len(to_ids)} ({cost.source}), {unreachable} {'对不可达' if zh else 'pairs unreachable'}, {out['elapsed']:.1f} s",
        file=sys.stderr,
    )
    return 0
