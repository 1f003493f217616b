"""Network isochrones: how far a threshold reaches along roads, not across a river, one-way
streets counted in the direction of the trip, agreement with NetworkCost on the demo network;
the catchment a network coverage run stores."""

from __future__ import annotations

import json
import threading

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString

from models.control import Cancelled, Control
from models.costs import straight_line
from planner.jobs.coverage import CATCHMENT_MAX_BYTES, catchment_geojson, run_coverage
from planner.network import DEMO_NETWORK, load_network
from planner.store import Project
from routing.isochrone import cap_for, isochrone, network_isochrone
from routing.matrix import NetworkCost
from routing.network import ROAD_SPEEDS_KPH, network_from_lines

CRS = "EPSG:32651"
X0, Y0 = 500_000.0, 3_100_000.0


def lines(rows: list[tuple]) -> gpd.GeoDataFrame:
    """Road lines from (coords relative to X0/Y0, highway, oneway)."""
    return gpd.GeoDataFrame(
        {"highway": [r[1] for r in rows], "oneway": [r[2] for r in rows]},
        geometry=[LineString([(X0 + x, Y0 + y) for x, y in r[0]]) for r in rows],
        crs=CRS,
    )


def inside(geometry: shapely.Geometry, *points: tuple[float, float]) -> list[bool]:
    return [bool(geometry.contains(shapely.Point(X0 + x, Y0 + y))) for x, y in points]


@pytest.mark.parametrize("mode", ["walk", "bicycle"])
def test_isochrone_reaches_speed_times_time_along_a_road_and_no_further(mode) -> None:
    net = network_from_lines(lines([([(-5000, 0), (5000, 0)], "primary", "no")]))
    speed_mps = ROAD_SPEEDS_KPH["primary"][["walk", "bicycle"].index(mode)] / 3.6
    reach = speed_mps * 600.0  # 800 m walking, 2,500 m cycling
    iso = isochrone(net, mode, np.array([[X0, Y0]]), 600.0)
    assert iso.road_km == pytest.approx(2 * reach / 1000, rel=1e-3)
    assert inside(iso.geometry, (0.97 * reach, 0), (-0.97 * reach, 0)) == [True, True]
    assert inside(iso.geometry, (1.03 * reach, 0), (-1.03 * reach, 0)) == [False, False]
    minx, _, maxx, _ = iso.geometry.bounds
    assert maxx - X0 == pytest.approx(reach, abs=1.0) and X0 - minx == pytest.approx(reach, abs=1.0)
    # Beside the road up to the cap, no further, however much time is left.
    cap = cap_for(mode)
    assert inside(iso.geometry, (0, cap - 5), (0, -(cap - 5))) == [True, True]
    assert inside(iso.geometry, (0, cap + 5), (0, -(cap + 5))) == [False, False]
    # NetworkCost counts the same point on the road as covered, and the one beyond as not.
    cost = NetworkCost(net, mode)
    pts = np.array([[X0 + 0.97 * reach, Y0], [X0 + 1.03 * reach, Y0]])
    assert cost.within(pts, np.array([[X0, Y0]]), 600.0).covered_by_any().tolist() == [True, False]


def test_the_band_narrows_to_the_walk_left_near_the_end_of_the_reach() -> None:
    net = network_from_lines(lines([([(-5000, 0), (5000, 0)], "primary", "no")]))
    iso = isochrone(net, "bicycle", np.array([[X0, Y0]]), 600.0)
    # Cycling 2,250 of the 2,500 m leaves 60 s, 80 m of walking (84 m walked on a slant from a
    # little further back): a point 70 m off the road is in, 95 m out.
    assert inside(iso.geometry, (2250, 70), (2250, 95)) == [True, False]


def test_a_point_across_a_river_is_outside_though_inside_the_straight_line_circle() -> None:
    # Two banks 400 m apart, the only bridge 3 km east of the library.
    net = network_from_lines(
        lines(
            [
                ([(-3000, 0), (3000, 0)], "residential", "no"),
                ([(-3000, 400), (3000, 400)], "residential", "no"),
                ([(3000, 0), (3000, 400)], "residential", "no"),
            ]
        )
    )
    library, across = np.array([[X0, Y0]]), np.array([[X0, Y0 + 400]])
    assert straight_line("walk").within(across, library, 900.0).covered_by_any()[0]
    assert not NetworkCost(net, "walk").within(across, library, 900.0).covered_by_any()[0]
    iso = isochrone(net, "walk", library, 900.0)
    assert inside(iso.geometry, (0, 400), (0, 250)) == [False, False]
    assert inside(iso.geometry, (0, 100), (1000, 0)) == [True, True]


def test_one_way_street_counts_the_trip_to_the_library() -> None:
    # A 2 km one-way street flowing east to the library at its east end; the way back west is a
    # 6 km loop. Drivers west of the library reach it in time, drivers east of it do not.
    net = network_from_lines(
        lines(
            [
                ([(-2000, 0), (0, 0)], "primary", "yes"),
                ([(0, 0), (2000, 0)], "primary", "yes"),
                ([(2000, 0), (2000, 1000), (-2000, 1000), (-2000, 0)], "primary", "yes"),
            ]
        )
    )
    library = np.array([[X0, Y0]])
    seconds = 1500.0 / (50.0 / 3.6)  # 1.5 km at 50 km/h
    to_it = isochrone(net, "drive", library, seconds)
    assert inside(to_it.geometry, (-1400, 0), (1400, 0)) == [True, False]
    from_it = isochrone(net, "drive", library, seconds, towards=False)
    assert inside(from_it.geometry, (-1400, 0), (1400, 0)) == [False, True]
    assert to_it.cap_m == cap_for("drive") < cap_for("walk")


def test_no_sources_give_an_empty_area_and_a_cancel_stops_the_search() -> None:
    net = network_from_lines(lines([([(0, 0), (1000, 0)], "primary", "no")]))
    assert isochrone(net, "walk", np.zeros((0, 2)), 900.0).empty
    control = Control(cancel=threading.Event())
    control.cancel.set()
    with pytest.raises(Cancelled):
        isochrone(net, "walk", np.array([[X0, Y0]]), 900.0, control=control)


def test_demo_network_isochrone_holds_every_covered_point_near_its_road() -> None:
    from planner.embedded import load_embedded

    net = load_network(DEMO_NETWORK)
    data = load_embedded()
    libs = data["libraries"].to_crs(net.crs)
    pop = data["population"].to_crs(net.crs)
    lib_xy = np.column_stack([libs.geometry.x, libs.geometry.y])
    pop_xy = np.column_stack([pop.geometry.x, pop.geometry.y])
    cost = NetworkCost(net, "walk")
    iso = network_isochrone(cost, lib_xy, 900.0)
    covered = cost.within(pop_xy, lib_xy, 900.0).covered_by_any()
    near = (
        cost.snap(pop_xy).snap_m <= iso.cap_m - 10.0
    )  # the band's edge is a 16-gon, 5 m simplified
    held = shapely.contains_xy(iso.geometry, pop_xy[:, 0], pop_xy[:, 1])
    assert (covered & near).sum() > 100
    assert held[covered & near].all()
    # The band hugs the roads: few points inside it are not covered (their nearest road is
    # another, unreached one).
    assert (held & ~covered).sum() < 0.15 * held.sum()


@pytest.fixture()
def river_project(tmp_path):
    """A project on two river banks joined by one bridge 3 km east of its library."""
    p = Project.create(tmp_path / "river.planner")
    libs = gpd.GeoDataFrame(
        {"id": ["L1"], "name": ["南岸书房"], "kind": ["study_room"], "seats": [40]},
        geometry=[shapely.Point(X0, Y0 + 20)],
        crs=CRS,
    )
    # Near the library on its bank and its side street, across the river, and far down the bank.
    near = [(500, 30), (-600, -40), (-20, -600), (300, 100)]
    away = [(0, 420), (2500, 30)]
    pop = gpd.GeoDataFrame(
        {
            "id": [f"p{k}" for k in range(len(near) + len(away))],
            "population": [100.0] * (len(near) + len(away)),
            "district": ["南岸"] * len(near) + ["北岸", "南岸"],
        },
        geometry=[shapely.Point(X0 + x, Y0 + y) for x, y in near + away],
        crs=CRS,
    )
    p.write_layer("libraries", libs, role="libraries")
    p.write_layer("population", pop, role="population")
    yield p
    p.close()


def river_network():
    return network_from_lines(
        lines(
            [
                ([(-3000, 0), (0, 0)], "residential", "no"),
                ([(0, 0), (3000, 0)], "residential", "no"),
                ([(-3000, 400), (3000, 400)], "residential", "no"),
                ([(3000, 0), (3000, 400)], "residential", "no"),
                ([(0, 0), (0, -1500)], "residential", "no"),
            ]
        )
    )


def test_network_coverage_run_stores_a_catchment_holding_its_covered_points(river_project):
    cost = NetworkCost(river_network(), "walk")
    result = run_coverage(river_project, threshold=900.0, mode="walk", cost=cost)
    assert result["cost_source"] == "network" and result["total"]["covered"] == 400.0
    stored = river_project.latest_run("coverage")["result"]["catchment_geojson"]
    assert stored == result["catchment_geojson"]
    assert len(json.dumps(stored)) < CATCHMENT_MAX_BYTES
    feature = stored["features"][0]
    assert feature["properties"]["mode"] == "walk" and feature["properties"]["cap_m"] == 150.0
    area = shapely.geometry.shape(feature["geometry"])  # EPSG:4326
    pop = river_project.read_layer("population").to_crs(4326)
    held = shapely.contains_xy(area, pop.geometry.x, pop.geometry.y)
    assert held.tolist() == [True] * 4 + [False, False]
    # A straight-line run still leaves its circles to the map.
    assert "catchment_geojson" not in run_coverage(river_project, threshold=900.0, mode="walk")


def test_network_coverage_catchment_reports_progress_and_can_be_cancelled(river_project):
    seen: list[tuple[float, str]] = []
    control = Control(progress=lambda f, m: seen.append((f, m)))
    run_coverage(
        river_project,
        threshold=900.0,
        mode="walk",
        cost=NetworkCost(river_network(), "walk"),
        control=control,
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(m == "isochrone" for _, m in seen)
    runs = len(river_project.runs("coverage"))

    def cancel_at_catchment(fraction: float, message: str) -> None:
        if message == "catchment":
            stop.cancel.set()

    stop = Control(progress=cancel_at_catchment)
    with pytest.raises(Cancelled):
        run_coverage(
            river_project,
            threshold=900.0,
            mode="walk",
            cost=NetworkCost(river_network(), "walk"),
            control=stop,
        )
    assert len(river_project.runs("coverage")) == runs  # nothing half-stored


def test_a_distance_isochrone_reaches_its_metres_of_road() -> None:
    net = network_from_lines(lines([([(-5000, 0), (5000, 0)], "primary", "no")]))
    iso = network_isochrone(NetworkCost(net, "walk", unit="m"), np.array([[X0, Y0]]), 1000.0)
    assert iso.unit == "m" and iso.road_km == pytest.approx(2.0, rel=1e-3)
    assert inside(iso.geometry, (980, 0), (1020, 0), (0, 140)) == [True, False, True]


def test_a_catchment_over_its_size_budget_fills_its_smallest_enclosed_blocks() -> None:
    # A 2 km square grid of streets every 250 m: a 50 m drive band leaves 64 blocks as holes.
    ticks = range(0, 2001, 250)
    net = network_from_lines(
        lines(
            [([(a, b), (a, b + 250)], "residential", "no") for a in ticks for b in ticks[:-1]]
            + [([(b, a), (b + 250, a)], "residential", "no") for a in ticks for b in ticks[:-1]]
        )
    )
    iso = isochrone(net, "drive", np.array([[X0 + 1000, Y0 + 1000]]), 600.0)
    holes = sum(len(p.interiors) for p in shapely.get_parts(iso.geometry))
    assert holes == 64
    roomy = catchment_geojson(iso, net.crs)["features"][0]
    assert roomy["properties"]["tolerance_m"] == 10.0 and roomy["properties"]["filled_ha"] == 0
    budget = len(json.dumps(roomy["geometry"])) // 2
    tight = catchment_geojson(iso, net.crs, max_bytes=budget)["features"][0]
    assert len(json.dumps(tight["geometry"])) <= budget
    assert tight["properties"]["tolerance_m"] == 20.0  # no more than half the 50 m band
    assert 0 < tight["properties"]["filled_ha"] <= 2.5**2  # a 250 m block less the band
    kept = shapely.geometry.shape(tight["geometry"])
    assert 0 < sum(len(p.interiors) for p in shapely.get_parts(kept)) < holes
