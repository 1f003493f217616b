"""`planner new` and `planner info`: create a project, say what is in one."""

from __future__ import annotations

import argparse
import json

from planner.roads import roads_info
from planner.store import Project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="create an empty project file (*.planner)")
    p.add_argument("project")
    p.add_argument("--name", help="project name (default: the file name)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=run_new)

    p = sub.add_parser("info", help="show the layers, tables, scenarios and runs of a project")
    p.add_argument("project")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run_info)


def run_new(args: argparse.Namespace) -> int:
    Project.create(args.project, name=args.name, overwrite=args.force).close()
    print(args.project)
    return 0


def run_info(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        roads = roads_info(project)
        info = {
            "name": project.meta.get("name", ""),
            "schema_version": project.schema_version,
            "layers": [vars(layer) for layer in project.layers()],
            "tables": [{"name": t["name"], "role": t["role"], "rows": t["rows"]} for t in project.tables()],
            "scenarios": sorted({r["scenario"] for r in project.runs() if r.get("scenario")}),
            "roads": None if roads is None else roads.to_json(),
            "runs": [
                {"id": r["id"], "kind": r["kind"], "scenario": r["scenario"], "status": r["status"],
                 "seconds": r["seconds"], "created_at": r["created_at"]}
                for r in project.runs()
            ],
        }
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    zh = args.lang == "zh"
    print(f"{'项目' if zh else 'project'}: {info['name']}  ({'格式版本' if zh else 'schema'} {info['schema_version']})")
    print(f"{'图层' if zh else 'layers'}:")
    for layer in info["layers"]:
        print(f"  {layer['name']:<20} {layer['role']:<12} {layer['geometry_type']:<14} {layer['features']:>7}  {layer['provenance']}")
    print(f"{'数据表' if zh else 'tables'}:")
    for t in info["tables"]:
        print(f"  {t['name']:<20} {t['role']:<12} {t['rows']:>7}")
    if roads is not None:
        print(f"{'路网' if zh else 'roads'}: {roads.nodes} {'个节点' if zh else 'nodes'}, "
              f"{roads.edges} {'条有向边' if zh else 'edges'}, {roads.km:,.1f} km, "
              + (f"最大强连通部分之外舍去 {roads.dropped_share:.1%}（{roads.source_file}）" if zh
                 else f"{roads.dropped_share:.1%} dropped outside the largest strongly connected part "
                 f"({roads.source_file})"))
    print(f"{'方案' if zh else 'scenarios'}: {', '.join(info['scenarios']) or '-'}")
    print(f"{'运行' if zh else 'runs'}:")
    for r in info["runs"]:
        print(f"  #{r['id']:<4} {r['kind']:<12} {r['scenario']:<12} {r['status']:<8} {r['seconds']:.1f}s  {r['created_at']}")
    return 0
