"""`planner site`: choose sites from vector files, the scriptable contract of issue 3.

planner site --demand DEMAND --candidates CANDS [--existing EXIST]
    --model {lscp,mclp,pmedian,pcenter,fair} [--p N] [--threshold METRES]
    [--weight-field population] [--group-field district] [--id-field id]
    [--time-limit SECONDS] --json OUT.json

Costs are straight-line metres in the demand layer's CRS when it is projected, else in the
local UTM zone; a demand point is covered when an open site is within the threshold (<=).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from models.costs import straight_line
from models.siting import MODELS, InfeasibleError, SitingProblem, solve
from planner import validation
from planner.errors import PlannerError, ProblemList
from planner.geo import metric_crs_for, points_xy
from planner.paths import check_output_file, write_output
from planner.progress import cli_control

DEFAULT_THRESHOLD_M = 1000.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("site", help="choose new sites from demand/candidate files (JSON result)")
    p.add_argument(
        "--demand", type=Path, required=True, help="demand points or polygons (any vector file)"
    )
    p.add_argument("--candidates", type=Path, required=True, help="candidate sites")
    p.add_argument("--existing", type=Path, help="existing sites, always open")
    p.add_argument("--model", choices=MODELS, required=True)
    p.add_argument("--p", type=int, help="number of new sites (all models but lscp)")
    p.add_argument(
        "--threshold",
        type=validation.non_negative,
        default=DEFAULT_THRESHOLD_M,
        help=f"coverage threshold in metres (default {DEFAULT_THRESHOLD_M:.0f})",
    )
    p.add_argument(
        "--weight-field", default="population", help="demand weight field (default population)"
    )
    p.add_argument(
        "--group-field", default="district", help="demand group field (default district)"
    )
    p.add_argument("--id-field", default="id", help="candidate id field (default id)")
    p.add_argument("--time-limit", type=validation.seconds, default=60.0, help="seconds (default 60)")
    p.add_argument("--json", type=Path, required=True, dest="json_out", help="result file")
    p.set_defaults(func=run)


def read_points(path: Path) -> gpd.GeoDataFrame:
    """A vector file with at least one feature and a CRS, every geometry present."""
    if not path.is_file():
        raise PlannerError(f"找不到文件：{path}", f"file not found: {path}", file=str(path))
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise PlannerError(
            f"无法读取矢量文件（{exc}）", f"cannot read this vector file ({exc})", file=str(path)
        ) from exc
    if not isinstance(gdf, gpd.GeoDataFrame):  # a table without geometry (a CSV)
        raise PlannerError(
            "文件没有几何（表格请先用 planner import 导入）",
            "the file has no geometry (import a table with planner import first)",
            file=str(path),
        )
    if len(gdf) == 0:
        raise PlannerError("文件中没有要素", "the file has no features", file=str(path))
    if gdf.crs is None:
        raise PlannerError(
            "文件没有坐标系（CRS）", "the file has no coordinate reference system", file=str(path)
        )
    problems = ProblemList(str(path))
    for row in np.flatnonzero(gdf.geometry.isna().to_numpy() | gdf.geometry.is_empty.to_numpy()):
        problems.add("要素没有几何", "feature has no geometry", row=int(row) + 1)
    problems.raise_if_any()
    return gdf


def _field(gdf: gpd.GeoDataFrame, name: str, path: Path) -> pd.Series:
    if name not in gdf.columns:
        raise PlannerError(
            f"缺少字段 “{name}”", f"field {name!r} is missing", file=str(path), field=name
        )
    return gdf[name]


def _weights(gdf: gpd.GeoDataFrame, name: str, path: Path) -> np.ndarray:
    values = pd.to_numeric(_field(gdf, name, path), errors="coerce")
    problems = ProblemList(str(path))
    for row in np.flatnonzero((values.isna() | (values < 0)).to_numpy()):
        problems.add(
            "权重必须是非负数",
            "the weight must be a non-negative number",
            row=int(row) + 1,
            field=name,
        )
    problems.raise_if_any()
    return values.to_numpy(float)


def run(args: argparse.Namespace) -> int:
    check_output_file(args.json_out, "--json")
    demand = read_points(args.demand)
    candidates = read_points(args.candidates)
    existing = read_points(args.existing) if args.existing else None
    weights = _weights(demand, args.weight_field, args.demand)
    groups = _field(demand, args.group_field, args.demand).fillna("").astype(str).to_numpy()
    ids = _field(candidates, args.id_field, args.candidates).astype(str).to_numpy()
    if args.model != "lscp" and args.p is None:
        raise PlannerError(f"模型 {args.model} 需要 --p", f"model {args.model} needs --p")
    crs = CRS(metric_crs_for(demand))
    problem = SitingProblem(
        demand_xy=points_xy(demand, crs),
        weights=weights,
        candidates_xy=points_xy(candidates, crs),
        cost=straight_line(None),
        threshold=args.threshold,
        existing_xy=None if existing is None else points_xy(existing, crs),
        groups=groups,
    )
    with cli_control(f"site {args.model}", args.time_limit) as control:
        try:
            result = solve(
                problem, args.model, p=args.p, time_limit_s=args.time_limit, control=control
            )
        except InfeasibleError as exc:
            raise PlannerError(
                "没有满足条件的选址方案", f"no choice of sites meets the request ({exc})"
            ) from exc
        except TimeoutError as exc:
            raise PlannerError(
                "在时间限制内没有找到方案，请增加 --time-limit",
                f"{exc}; allow a longer --time-limit",
            ) from exc
    out = {
        "model": args.model,
        "selected": [str(i) for i in ids[result.selected]],
        "objective": result.objective,
        "covered_weight": result.covered_weight,
        "total_weight": result.total_weight,
        "by_group": {
            name: {"covered": g.covered, "total": g.total, "share": g.share}
            for name, g in result.by_group.items()
        },
        "optimal": result.optimal,
        "gap": result.gap,
        "seconds": result.seconds,
    }
    write_output(args.json_out, json.dumps(out, ensure_ascii=False, indent=1))
    zh = args.lang == "zh"
    state = (
        ("最优" if result.optimal else f"差距 {result.gap:.2%}")
        if zh
        else ("optimal" if result.optimal else f"gap {result.gap:.2%}")
    )
    print(
        f"{args.model}: {len(out['selected'])} {'个新点' if zh else 'new sites'}, "
        f"{'覆盖' if zh else 'covered'} {result.share:.1%}, {'目标值' if zh else 'objective'} {result.objective:.6g}, "
        f"{state}, {result.seconds:.1f} s"
    )
    return 0
