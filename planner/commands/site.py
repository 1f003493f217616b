"""`planner site`: choose sites from vector files, the scriptable contract of issue 3.

planner site --demand DEMAND --candidates CANDS [--existing EXIST]
    --model {lscp,mclp,pmedian,pcenter,fair,target} [--p N] [--threshold METRES]
    [--target F] [--target-per-group] [--frontier N]
    [--weight-field population] [--group-field district] [--id-field id]
    [--capacity-field FIELD]
    [--time-limit SECONDS] --json OUT.json

The files become a SitingRequest and SitingInputs solved by the siting job's `solve_siting`,
the same function the project job and the GUI use.

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
from models.siting import MODELS, P_MODELS
from planner import validation
from planner.errors import PlannerError, ProblemList
from planner.geo import metric_crs_for, points_xy
from planner.jobs.siting import DEFAULT_THRESHOLD_M, SitingInputs, SitingRequest, solve_siting
from planner.paths import check_output_file, write_output
from planner.progress import cli_control


def add_model_options(p: argparse.ArgumentParser) -> None:
    """`--target`, `--target-per-group` and `--frontier`, shared by `planner site` (files) and
    `planner siting` (a project)."""
    p.add_argument(
        "--target", type=float, help="target model: share of weighted demand to cover (0–1)"
    )
    p.add_argument(
        "--target-per-group", action="store_true", help="target model: the share in every group (district)"
    )
    p.add_argument(
        "--frontier",
        type=int,
        default=0,
        metavar="N",
        help="also trace the efficiency–equity frontier with N solves (JSON key 'frontier')",
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("site", help="choose new sites from demand/candidate files (JSON result)")
    p.add_argument(
        "--demand", type=Path, required=True, help="demand points or polygons (any vector file)"
    )
    p.add_argument("--candidates", type=Path, required=True, help="candidate sites")
    p.add_argument("--existing", type=Path, help="existing sites, always open")
    p.add_argument("--model", choices=MODELS, required=True)
    p.add_argument("--p", type=int, help="number of new sites (mclp, pmedian, pcenter, fair)")
    add_model_options(p)
    p.add_argument(
        "--threshold",
        type=validation.non_negative,
        default=DEFAULT_THRESHOLD_M,
        help=f"coverage threshold in metres (default {DEFAULT_THRESHOLD_M:.0f}: a 15-minute walk)",
    )
    p.add_argument(
        "--weight-field", default="population", help="demand weight field (default population)"
    )
    p.add_argument(
        "--group-field", default="district", help="demand group field (default district)"
    )
    p.add_argument("--id-field", default="id", help="candidate id field (default id)")
    p.add_argument(
        "--capacity-field",
        help="weight one site can serve, on candidates and existing sites (missing: unlimited)",
    )
    p.add_argument(
        "--time-limit", type=validation.seconds, default=60.0, help="seconds (default 60)"
    )
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


def _capacity(gdf: gpd.GeoDataFrame, name: str | None, path: Path) -> np.ndarray | None:
    """A capacity field: positive numbers, blank for unlimited; other values name their row."""
    if name is None:
        return None
    if name not in gdf.columns:
        return None  # a layer without the field is unlimited
    values = pd.to_numeric(gdf[name], errors="coerce")
    problems = ProblemList(str(path))
    bad = gdf[name].notna().to_numpy() & ~(values > 0).to_numpy()
    for row in np.flatnonzero(bad):
        problems.add(
            "容量必须是正数", "the capacity must be a positive number", row=int(row) + 1, field=name
        )
    problems.raise_if_any()
    return values.fillna(np.inf).to_numpy(float)


def run(args: argparse.Namespace) -> int:
    check_output_file(args.json_out, "--json")
    demand = read_points(args.demand)
    candidates = read_points(args.candidates)
    existing = read_points(args.existing) if args.existing else None
    weights = _weights(demand, args.weight_field, args.demand)
    groups = _field(demand, args.group_field, args.demand).fillna("").astype(str).to_numpy()
    ids = _field(candidates, args.id_field, args.candidates).astype(str).to_numpy()
    if args.model in P_MODELS and args.p is None:
        raise PlannerError(
            f"模型 {args.model} 需要 --p", f"model {args.model} needs --p", field="--p"
        )
    if args.model == "target" and args.target is None:
        raise PlannerError(
            "目标模型需要 --target（0–1 的覆盖率）",
            "the target model needs --target (a 0–1 share)",
            field="--target",
        )
    if args.target is not None and not 0.0 < args.target <= 1.0:
        raise PlannerError(
            "--target 必须在 0 到 1 之间", "--target must be between 0 and 1", field="--target"
        )
    crs = CRS(metric_crs_for(demand))
    inputs = SitingInputs(
        demand_xy=points_xy(demand, crs),
        weights=weights,
        groups=groups,
        candidate_ids=ids,
        candidates_xy=points_xy(candidates, crs),
        existing_xy=np.zeros((0, 2)) if existing is None else points_xy(existing, crs),
        cost=straight_line(None),
        candidate_capacity=_capacity(candidates, args.capacity_field, args.candidates),
        existing_capacity=None
        if existing is None
        else _capacity(existing, args.capacity_field, args.existing),
    )
    request = SitingRequest(
        model=args.model,
        p=args.p,
        threshold_s=None,
        threshold_m=args.threshold,
        mode=None,
        time_limit_s=args.time_limit,
        target=args.target,
        target_per_group=args.target_per_group,
        frontier_steps=args.frontier,
        use_capacity=args.capacity_field is not None,
    )
    with cli_control(f"site {args.model}", args.time_limit) as control:
        outcome = solve_siting(inputs, request, control)
    result = outcome.result
    out = {
        "model": args.model,
        "selected": list(outcome.selected_ids),
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
    if args.model == "target":
        out["covered_share"] = result.share
    if args.frontier > 1:
        out["frontier"] = outcome.frontier_json()
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
