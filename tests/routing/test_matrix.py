"""Network travel-time matrices against networkx, cut-offs, deduplication, the project cache."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
from shapely.geometry import LineString

from models.costs import CostModel
from planner.network import cached_matrix
from planner.store import Project
from routing.matrix import NetworkCost
from routing.network import ROAD_SPEEDS_KPH, network_from_lines

CRS = "EPSG:32651"
X0, Y0 = 500_000.0, 3_100_000.0
CLASSES = ["primary", "secondary", "residential", "tertiary"]


def city(
    seed: int = 3, n: int = 7, spacing: float = 400.0, jitter_m: float = 60.0, gaps: float = 0.1
) -> tuple[gpd.GeoDataFrame, list]:
    """A jittered grid of roads of mixed classes, about one in six one-way."""
    rng = np.random.default_rng(seed)
    xy = {
        (i, j): (
            X0 + i * spacing + rng.uniform(-jitter_m, jitter_m + 1e-9),
            Y0 + j * spacing + rng.uniform(-jitter_m, jitter_m + 1e-9),
        )
        for i in range(n)
        for j in range(n)
    }
    rows = []
    for (i, j), p in xy.items():
        for di, dj in ((1, 0), (0, 1)):
            if (i + di, j + dj) in xy and rng.random() >= gaps:
                q = xy[(i + di, j + dj)]
                rows.append(
                    (
                        p,
                        q,
                        CLASSES[rng.integers(len(CLASSES))],
                        "yes" if rng.random() < 0.17 else "no",
                    )
                )
    gdf = gpd.GeoDataFrame(
        {"highway": [r[2] for r in rows], "oneway": [r[3] for r in rows]},
        geometry=[LineString([r[0], r[1]]) for r in rows],
        crs=CRS,
    )
    return gdf, rows


def reference_seconds(rows: list, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """Independent answer: networkx on the roads with every point spliced in as a node at the
    foot of its perpendicular on its nearest road, plus the walk at 4.8 km/h."""
    roads = [
        (np.array(p), np.array(q), ROAD_SPEEDS_KPH[h][2] / 3.6, ow == "yes") for p, q, h, ow in rows
    ]
    points = np.vstack([origins, destinations])
    feet: dict[int, list] = {}
    walk = np.zeros(len(points))
    for k, pt in enumerate(points):
        best = None
        for r, (p, q, _, _) in enumerate(roads):
            t = np.clip(np.dot(pt - p, q - p) / np.dot(q - p, q - p), 0, 1)
            d = np.linalg.norm(pt - (p + t * (q - p)))
            if best is None or d < best[0]:
                best = (d, r, t)
        walk[k] = best[0] / (4.8 / 3.6)
        feet.setdefault(best[1], []).append((best[2], ("pt", k)))
    g = nx.DiGraph()
    for r, (p, q, v, oneway) in enumerate(roads):
        stops = sorted([(0.0, tuple(p)), (1.0, tuple(q))] + feet.get(r, []), key=lambda s: s[0])
        length = np.linalg.norm(q - p)
        for (t1, a), (t2, b) in zip(stops[:-1], stops[1:], strict=True):
            w = (t2 - t1) * length / v
            if not g.has_edge(a, b) or g[a][b]["w"] > w:
                g.add_edge(a, b, w=w)
            if not oneway and (not g.has_edge(b, a) or g[b][a]["w"] > w):
                g.add_edge(b, a, w=w)
    keep = max(nx.strongly_connected_components(g), key=len)
    out = np.full((len(origins), len(destinations)), np.inf)
    for i in range(len(origins)):
        if ("pt", i) not in keep:
            continue
        dist = nx.single_source_dijkstra_path_length(g, ("pt", i), weight="w")
        for j in range(len(destinations)):
            key = ("pt", len(origins) + j)
            if key in dist and key in keep:
                out[i, j] = dist[key] + walk[i] + walk[len(origins) + j]
    return out


def test_network_matrix_equals_networkx_shortest_paths_with_points_between_nodes() -> None:
    gdf, rows = city()
    net = network_from_lines(gdf)
    rng = np.random.default_rng(8)
    origins = np.column_stack(
        [rng.uniform(X0 + 100, X0 + 2300, 12), rng.uniform(Y0 + 100, Y0 + 2300, 12)]
    )
    destinations = np.column_stack(
        [rng.uniform(X0 + 100, X0 + 2300, 9), rng.uniform(Y0 + 100, Y0 + 2300, 9)]
    )
    ours = NetworkCost(net, "drive").matrix(origins, destinations)
    expected = reference_seconds(rows, origins, destinations)
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-3)
    # More origins than destinations: the trees grow backwards from the destinations.
    np.testing.assert_allclose(
        NetworkCost(net, "drive").matrix(destinations, origins),
        reference_seconds(rows, destinations, origins),
        rtol=1e-6,
        atol=1e-3,
    )


def test_cutoff_returns_exactly_the_pairs_within_it() -> None:
    gdf, _ = city(seed=5)
    cost = NetworkCost(network_from_lines(gdf), "bicycle")
    assert isinstance(cost, CostModel)
    rng = np.random.default_rng(2)
    o = np.column_stack([rng.uniform(X0, X0 + 2400, 40), rng.uniform(Y0, Y0 + 2400, 40)])
    d = o[:7] + 30.0
    full = cost.matrix(o, d)
    near = cost.within(o, d, 300.0)
    assert near.unit == "s" and near.source == "network"
    assert 0 < len(near) < full.size
    got = {
        (int(a), int(b)): c
        for a, b, c in zip(near.origin, near.destination, near.cost, strict=True)
    }
    want = {(int(a), int(b)): full[a, b] for a, b in zip(*np.nonzero(full <= 300.0), strict=True)}
    assert got.keys() == want.keys()
    assert np.allclose([got[k] for k in want], list(want.values()))


def test_points_snapping_to_the_same_position_share_one_dijkstra_run() -> None:
    gdf, _ = city(seed=1, jitter_m=0.0, gaps=0.0)
    net = network_from_lines(gdf)
    o = np.array(
        [[X0 + 500, Y0 + 10], [X0 + 500, Y0 + 40], [X0 + 1300, Y0 + 800]]
    )  # first two: same foot
    d = np.column_stack([np.linspace(X0, X0 + 2400, 10), np.full(10, Y0 + 1200)])
    m = NetworkCost(net, "drive").matrix(o, d)
    assert net.dijkstra_sources == 2
    assert np.allclose(m[1] - m[0], 30 / (4.8 / 3.6), atol=1.0)


def test_second_cached_matrix_is_read_from_the_project_not_recomputed(tmp_path) -> None:  # noqa: ANN001
    gdf, _ = city(seed=4)
    net = network_from_lines(gdf)
    o = np.column_stack([np.linspace(X0, X0 + 2400, 6), np.full(6, Y0 + 700)])
    d = np.column_stack([np.full(5, X0 + 900), np.linspace(Y0, Y0 + 2400, 5)])
    with Project.create(tmp_path / "p.sqlite") as project:
        first = cached_matrix(project, net, o, d, "van")
        runs = net.dijkstra_sources
        assert runs > 0
    with Project.open(tmp_path / "p.sqlite") as project:
        second = cached_matrix(project, net, o, d, "van")
        assert net.dijkstra_sources == runs
        np.testing.assert_array_equal(first, second)
        cached_matrix(project, net, o, d, "drive")  # another mode is another matrix
        assert net.dijkstra_sources > runs


def test_forked_workers_give_the_same_matrix_as_one_process() -> None:
    gdf, _ = city(seed=6)
    net = network_from_lines(gdf)
    rng = np.random.default_rng(3)
    o = rng.uniform([X0, Y0], [X0 + 2400, Y0 + 2400], (300, 2))  # > one block of 256 sources
    d = rng.uniform([X0, Y0], [X0 + 2400, Y0 + 2400], (320, 2))
    one = NetworkCost(net, "drive").matrix(o, d)
    two = NetworkCost(net, "drive", workers=2).matrix(o, d)
    np.testing.assert_array_equal(one, two)
    near = NetworkCost(net, "drive", workers=2).within(o, d, 120.0)
    assert sorted(zip(near.origin.tolist(), near.destination.tolist(), strict=True)) == sorted(
        zip(*np.nonzero(one <= 120.0), strict=True)
    )


def test_a_point_to_itself_costs_nothing_on_the_road_network_dense_and_within_a_cutoff() -> None:
    """Two visits at one library follow each other with no travel: the diagonal is 0, not a
    walk to the road and back (the courier's one-stop-per-visit rule relies on it)."""
    gdf, _ = city(seed=5)
    cost = NetworkCost(network_from_lines(gdf), "walk")
    pts = np.array([[X0 + 155.0, Y0 + 37.0], [X0 + 955.0, Y0 + 613.0], [X0 + 155.0, Y0 + 37.0]])
    dense = cost.matrix(pts, pts)
    assert dense[0, 0] == 0 and dense[2, 0] == 0 and dense[0, 2] == 0 and dense[0, 1] > 0
    near = cost.within(pts, pts, 3600.0)
    got = {(int(a), int(b)): c for a, b, c in zip(near.origin, near.destination, near.cost, strict=True)}
    assert got[(0, 0)] == 0 and got[(0, 2)] == 0 and got[(0, 1)] == dense[0, 1]
