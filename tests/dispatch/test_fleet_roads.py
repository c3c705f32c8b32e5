"""Diesel and new-energy trucks on their own road matrices: a tiny grid with a restriction zone.

The grid is 5 x 5 two-way roads, 0.01 degree apart (0.8973 km east-west, 1.1119 km north-south at
36.2 N). The zone is a small square around the centre junction, exempting new-energy trucks: the
four road segments meeting there are closed to diesel trucks. West (W) to east (E) along the middle
row is 4 x 0.8973 = 3.589 km straight through the centre; around it, 3.589 + 2 x 1.1119 = 5.813 km.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import shapely

from cleanfreight.dispatch import (
    FleetMatrices,
    Load,
    Scenario,
    Site,
    SolverParams,
    TruckType,
    road_matrices,
    solve_dispatch,
)
from cleanfreight.network import NetworkFiles
from tests._factory import grid_spec, write_osm
from tests.dispatch.conftest import LineMatrix

LON0, LAT0, STEP = 113.10, 36.18, 0.01
ZONE = shapely.box(113.114, 36.194, 113.126, 36.206)  # around the centre junction (113.12, 36.20)
EW_KM = 6371.0088 * math.radians(STEP) * math.cos(math.radians(36.20))  # 0.8973
NS_KM = 6371.0088 * math.radians(STEP)  # 1.1119
STRAIGHT_KM = 4 * EW_KM
DETOUR_KM = 4 * EW_KM + 2 * NS_KM
PARAMS = SolverParams(time_limit_s=30, solution_limit=40, seed=0)


def _node(r: int, c: int) -> tuple[float, float]:
    return (round(LON0 + c * STEP, 6), round(LAT0 + r * STEP, 6))


SITES = (
    Site("D", "depot", *_node(1, 0)),
    Site("W", "station", *_node(2, 0), service_min=30),
    Site("E", "enterprise", *_node(2, 4), service_min=20),
    Site("Z", "enterprise", *_node(2, 2), service_min=20),  # inside the zone
)


def _fleet(ev: int = 1, diesel: int = 1) -> tuple[TruckType, ...]:
    return (
        TruckType("EV", "bev_swap", ev, "D", 31.0),
        TruckType("DSL", "diesel", diesel, "D", 31.0),
    )


def _scenario(*, ev: int = 1, diesel: int = 1, to_zone: bool = False) -> Scenario:
    # both truckloads must be picked up in the same quarter hour: one per truck
    loads = [Load("WE", "W", "E", 30.0, count=2, pickup_window=(8 * 60, 8 * 60 + 15), pickup_min=30)]
    if to_zone:
        loads.append(Load("WZ", "W", "Z", 30.0))
    return Scenario("zone grid", SITES, (), _fleet(ev, diesel), tuple(loads), solver=PARAMS)


@pytest.fixture(scope="session")
def zone_files(tmp_path_factory: pytest.TempPathFactory) -> NetworkFiles:
    d = tmp_path_factory.mktemp("zone_grid")
    nodes, ways = grid_spec(5, STEP, LON0, LAT0)
    roads = write_osm(d / "grid5.osm", nodes, ways)
    zone = d / "zone.geojson"
    zone.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"zone_id": "RZ", "new_energy_exempt": True},
                        "geometry": shapely.geometry.mapping(ZONE),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    return NetworkFiles(roads=roads, restriction_zone=zone)


@pytest.fixture(scope="session")
def zone_matrices(zone_files: NetworkFiles) -> FleetMatrices:
    return road_matrices(_scenario(to_zone=True), zone_files)


@pytest.fixture(scope="session")
def mixed_result(zone_matrices: FleetMatrices):  # type: ignore[no-untyped-def]
    return solve_dispatch(_scenario(to_zone=True), matrix=zone_matrices)


def _route(res, truck_id: str) -> shapely.LineString:  # type: ignore[no-untyped-def]
    for f in res.geojson["features"]:
        if f["properties"].get("truck_id") == truck_id:
            return shapely.LineString(f["geometry"]["coordinates"])
    raise AssertionError(f"no route for {truck_id}")


def _loaded_leg_km(res, truck_id: str, load_id: str) -> float:  # type: ignore[no-untyped-def]
    tl = res.timeline
    row = tl[(tl["truck_id"] == truck_id) & (tl["kind"] == "delivery") & (tl["load_id"] == load_id)]
    assert len(row) == 1
    return float(row["km_from_prev"].iloc[0])


def test_matrices_per_class(zone_matrices: FleetMatrices) -> None:
    ne, dsl = zone_matrices.new_energy, zone_matrices.diesel
    assert dsl is not None
    w, e, z = 1, 2, 3
    assert ne.distance_km[w, e] == pytest.approx(STRAIGHT_KM, rel=0.005)
    assert dsl.distance_km[w, e] == pytest.approx(DETOUR_KM, rel=0.005)
    assert ne.distance_km[w, z] == pytest.approx(2 * EW_KM, rel=0.005)
    # the site inside the zone is out of reach for diesel trucks, not snapped to the zone's edge
    assert zone_matrices.blocked == {"diesel": ("Z",)}
    assert np.isinf(dsl.distance_km[z, [0, 1, 2]]).all() and np.isinf(dsl.distance_km[[0, 1, 2], z]).all()
    assert dsl.distance_km[z, z] == 0.0
    # diesel is never shorter; only pairs that would cross the zone get longer
    assert (dsl.distance_km[:3, :3] >= ne.distance_km[:3, :3] - 1e-9).all()
    assert dsl.distance_km[0, 1] == pytest.approx(ne.distance_km[0, 1])


def test_diesel_matrix_only_when_needed(zone_files: NetworkFiles) -> None:
    assert road_matrices(_scenario(diesel=0), zone_files).diesel is None  # no diesel truck in the fleet
    no_zone = road_matrices(_scenario(), zone_files.roads)  # a road file alone: no zone, one matrix
    assert no_zone.diesel is None and not no_zone.blocked
    assert no_zone.new_energy.distance_km[1, 2] == pytest.approx(STRAIGHT_KM, rel=0.005)


def test_a_zone_file_beside_a_road_file(zone_files: NetworkFiles) -> None:
    """A road file and a zone file (argument, or the scenario's restriction_zone) act like NetworkFiles."""
    import dataclasses

    given = road_matrices(_scenario(), zone_files.roads, restriction_zone=zone_files.restriction_zone)
    assert given.diesel is not None
    assert given.diesel.distance_km[1, 2] == pytest.approx(DETOUR_KM, rel=0.005)
    sc = dataclasses.replace(_scenario(), restriction_zone=str(zone_files.restriction_zone))
    named = road_matrices(sc, str(zone_files.roads))
    assert named.diesel is not None and named.diesel.distance_km[1, 2] == pytest.approx(DETOUR_KM, rel=0.005)


def test_diesel_detours_around_the_zone_electric_goes_through(mixed_result) -> None:  # type: ignore[no-untyped-def]
    res = mixed_result
    assert res.unserved.empty
    assert res.summary["lots_served"] == 3
    assert res.summary["matrix_by_type"] == {"EV": "new_energy", "DSL": "diesel"}
    routes = res.routes_by_truck
    assert routes["EV-01"].count("WE#1") + routes["EV-01"].count("WE#2") == 1
    assert routes["DSL-01"] in (["WE#1"], ["WE#2"])
    assert "WZ" in routes["EV-01"]  # only the electric truck may enter the zone
    ev_km = _loaded_leg_km(res, "EV-01", "WE")
    dsl_km = _loaded_leg_km(res, "DSL-01", "WE")
    assert ev_km == pytest.approx(STRAIGHT_KM, rel=0.005)
    assert dsl_km == pytest.approx(DETOUR_KM, rel=0.005)
    assert dsl_km - ev_km == pytest.approx(2 * NS_KM, rel=0.01)
    # depot D -> W -> E -> D: diesel 1.112 + 5.813 + 4.701 km
    trucks = res.trucks.set_index("truck_id")
    assert trucks.at["DSL-01", "km_total"] == pytest.approx(
        NS_KM + DETOUR_KM + STRAIGHT_KM + NS_KM, rel=0.005
    )
    # the route lines follow each truck's own graph
    ev_line, dsl_line = _route(res, "EV-01"), _route(res, "DSL-01")
    assert ev_line.intersects(ZONE)
    assert not dsl_line.intersects(ZONE)
    features = {f["properties"].get("truck_id"): f["properties"] for f in res.geojson["features"]}
    assert features["DSL-01"]["matrix"] == "diesel" and features["DSL-01"]["along_roads"]
    assert features["EV-01"]["matrix"] == "new_energy"


def test_zone_site_unserved_for_a_diesel_only_fleet(zone_matrices: FleetMatrices) -> None:
    res = solve_dispatch(_scenario(ev=0, diesel=2, to_zone=True), matrix=zone_matrices)
    assert res.unserved["lot_id"].tolist() == ["WZ"]
    row = res.unserved.iloc[0]
    assert row["reason"] == "restriction_zone"
    assert row["message"] == "DSL (diesel): Z inside a truck restriction zone closed to these trucks"
    assert res.summary["unserved_by_reason"] == {"restriction_zone": 1}
    assert res.as_dict("zh")["unserved"][0]["reason_text"] == "位于货车限行区内(可承运车辆均禁止驶入)"
    # the rest is planned, around the zone
    assert res.summary["lots_served"] == 2
    for truck in ("DSL-01", "DSL-02"):
        assert _loaded_leg_km(res, truck, "WE") == pytest.approx(DETOUR_KM, rel=0.005)
        assert not _route(res, truck).intersects(ZONE)


def test_seeded_runs_with_a_solution_limit_are_reproducible(
    zone_matrices: FleetMatrices, mixed_result
) -> None:  # type: ignore[no-untyped-def]
    again = solve_dispatch(_scenario(to_zone=True), matrix=zone_matrices)
    assert again.routes_by_truck == mixed_result.routes_by_truck
    assert again.timeline.equals(mixed_result.timeline)
    assert again.summary["km_total"] == mixed_result.summary["km_total"]


def test_per_class_matrices_without_roads() -> None:
    """Straight-line test matrices: the diesel truck's km come from its own matrix (x 1.5)."""
    sites = (
        Site("D", "depot", 113.0, 36.0),
        Site("A", "station", 113.0, 36.0, service_min=30),
        Site("P", "enterprise", 113.2, 36.0, service_min=20),
    )
    loads = (Load("L", "A", "P", 30.0, count=2, pickup_window=(480, 495), pickup_min=30),)
    sc = Scenario("lines", sites, (), _fleet(), loads, solver=PARAMS)
    fm = FleetMatrices(LineMatrix([0, 0, 20]), LineMatrix([0, 0, 30]))
    res = solve_dispatch(sc, matrix=fm)
    trucks = res.trucks.set_index("truck_id")
    assert trucks.at["EV-01", "km_total"] == pytest.approx(40.0)
    assert trucks.at["DSL-01", "km_total"] == pytest.approx(60.0)
    assert trucks.at["DSL-01", "cost_cny"] == pytest.approx(120.0)
    # one matrix for all: the same km for both, reported as shared
    res = solve_dispatch(sc, matrix=LineMatrix([0, 0, 20]))
    assert res.trucks["km_total"].tolist() == pytest.approx([40.0, 40.0])
    assert res.summary["matrix_by_type"] == {"EV": "shared", "DSL": "shared"}
