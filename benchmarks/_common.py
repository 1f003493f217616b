"""Shared bits of the routing benchmarks: the machine they ran on, best-known solutions, and
writing one section of docs/benchmarks.md without touching the others."""

from __future__ import annotations

import csv
import os
import platform
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The instances and best-known tables, inside the repository (benchmarks/instances/README.md).
INSTANCES = ROOT / "benchmarks" / "instances"
DOC = ROOT / "docs" / "benchmarks.md"


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def bks(folder: str) -> dict[str, tuple[int, float]]:
    with (INSTANCES / folder / "bks.csv").open() as fh:
        return {r["instance"]: (int(r["vehicles"]), float(r["distance"])) for r in csv.DictReader(fh)}


def write_section(title: str, body: str) -> None:
    """Replace (or append) the `## title` section of docs/benchmarks.md."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    DOC.write_text(text, encoding="utf-8")


def load_average() -> str:
    """The 1-minute load average, to say how busy the machine was (timings depend on it)."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def pick(paths: list[Path], names: list[str] | None) -> list[Path]:
    """The instance files named by --instances (all when none are named)."""
    if not names:
        return paths
    wanted = {n.lower() for n in names}
    chosen = [p for p in paths if p.stem.lower() in wanted]
    missing = wanted - {p.stem.lower() for p in chosen}
    if missing:
        raise SystemExit(f"unknown instance(s): {', '.join(sorted(missing))}")
    return chosen


def pyvrp_alone(instance, seconds: float, seed: int = 0, scale: int = 100) -> tuple[int, float, bool]:  # noqa: ANN001
    """The peer: PyVRP by itself on one core, set up as its documentation shows (Model API,
    distances ×100 rounded, durations equal to them, the shift as the depot's hours, clients or
    shipments, a fixed cost per vehicle), built independently of routing.pyvrp_engine (only its
    plan is graded by the same real-number test, `in_real_time`). Returns (vehicles,
    real-valued distance of its routes, whether every visit starts within its window and every
    route ends within the shift in real numbers: rounding can make a plan a hair late)."""
    import math

    import numpy as np
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    from routing.pyvrp_engine import in_real_time

    m = Model()
    locs = [m.add_location(0, 0) for _ in range(instance.distance.shape[0])]
    veh = instance.vehicles[0]
    depot = m.add_depot(locs[veh.start_location], tw_early=int(veh.shift_start * scale),
                        tw_late=int(veh.shift_end * scale))
    # A vehicle costs ten times any plan's distance: fewest vehicles first.
    fixed = int(float(instance.distance.max()) * scale * (len(instance.visits) + 1) * 10)
    m.add_vehicle_type(len(instance.vehicles), capacity=veh.capacity, start_depot=depot, end_depot=depot,
                       fixed_cost=fixed)
    paired = {i for pair in instance.pairs for i in pair}
    ids = []  # visit id per PyVRP client / (pickup, delivery) per shipment, in creation order
    for v in instance.visits:
        if v.id not in paired:
            (a, b), = v.windows
            m.add_client(locs[v.location], delivery=v.demand, service_duration=int(v.service * scale),
                         tw_early=int(a * scale), tw_late=int(b * scale))
            ids.append(v.id)
    ships = []
    for p, d in instance.pairs:
        vp, vd = instance.visit(p), instance.visit(d)
        (pa, pb), (da, db) = vp.windows[0], vd.windows[0]
        m.add_shipment(locs[vp.location], locs[vd.location], pickup_tw_early=int(pa * scale),
                       pickup_tw_late=int(pb * scale), pickup_service_duration=int(vp.service * scale),
                       delivery_tw_early=int(da * scale), delivery_tw_late=int(db * scale),
                       delivery_service_duration=int(vd.service * scale), amount=vp.demand)
        ships.append((p, d))
    d = np.rint(instance.distance * scale).astype(int)
    for i, fi in enumerate(locs):
        for j, tj in enumerate(locs):
            m.add_edge(fi, tj, int(d[i, j]), int(d[i, j]))
    res = m.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    if not res.is_feasible():
        return 0, math.inf, False
    total = 0.0
    for route in res.best.routes():
        loc = veh.start_location
        for act in route:
            kind = act.type.name
            if kind == "DEPOT":
                continue
            visit_id = ids[act.idx] if kind == "CLIENT" else ships[act.idx][0 if kind == "PICKUP" else 1]
            nxt = instance.visit(visit_id).location
            total += float(instance.distance[loc, nxt])
            loc = nxt
        total += float(instance.distance[loc, veh.end_location])
    # Graded by the same real-number schedule test our searches use (a referee, not a search).
    on_time = in_real_time(instance, ids, ships, [instance.vehicles])(res.best)
    return res.best.num_routes(), total, on_time
