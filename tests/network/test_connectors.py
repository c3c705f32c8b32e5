"""Sites join the nearest road a truck can enter from the side, never an expressway (issue 11)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from cleanfreight.dispatch.travel import haversine_km
from cleanfreight.network import load_roads, road_matrix, snap
from cleanfreight.network.snapping import side_access
from cleanfreight.planning._distances import network_distances
from tests._expressway import GATEWAY_NORTH, MINE, STATION, write_expressway_osm


@pytest.fixture(scope="module")
def expressway_graph(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return load_roads(write_expressway_osm(tmp_path_factory.mktemp("expressway") / "g55.osm"))


def _straight(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_km(np.array(a[0]), np.array(a[1]), np.array(b[0]), np.array(b[1])))


def test_side_access_rule() -> None:
    assert not side_access({"highway": "motorway"})
    assert not side_access({"highway": ["primary", "motorway_link"]})
    assert not side_access({"highway": "trunk", "motorroad": "yes"})
    assert not side_access({"highway": "service", "access": "private"})
    assert not side_access({"highway": "tertiary", "motor_vehicle": "no"})
    assert side_access({"highway": "trunk"})
    assert side_access({"highway": "tertiary", "hgv": "destination"})


def test_mine_joins_the_primary_road_not_the_expressway(
    expressway_graph, caplog: pytest.LogCaptureFixture  # type: ignore[no-untyped-def]
) -> None:
    with caplog.at_level(logging.WARNING, logger="cleanfreight.network.snapping"):
        s = snap(expressway_graph, [MINE], labels=["MINE-N"]).iloc[0]
    assert s["highway"] == "primary"
    # 0.017 degree of longitude at 36.45 N
    assert s["snap_m"] == pytest.approx(1000 * _straight(MINE, (113.128, 36.45)), rel=0.01)
    assert 1500 < s["snap_m"] < 1540 and bool(s["far"])
    assert "MINE-N: connector of 15" in caplog.text  # a long connector is warned about
    old = snap(expressway_graph, [MINE], side_only=False).iloc[0]
    assert old["highway"] == "motorway" and old["snap_m"] == pytest.approx(984, abs=5)


def test_road_distance_close_to_straight_line(expressway_graph) -> None:  # type: ignore[no-untyped-def]
    straight = _straight(MINE, STATION)  # 27.3 km
    new = road_matrix(expressway_graph, [MINE], [STATION]).distance_km[0, 0]
    old = road_matrix(expressway_graph, [MINE], [STATION], origin_side_only=False).distance_km[0, 0]
    # connector 1.52 km + 27.8 km down the primary road + the station's few hundred metres
    assert new == pytest.approx(1.52 + 27.80 + 0.5, abs=0.6)
    assert new < 1.12 * straight
    assert old > 1.5 * straight  # to the expressway's end and back: the bug of issue 11


def test_planning_distances_use_the_rule_and_gateways_keep_the_expressway(expressway_graph) -> None:  # type: ignore[no-untyped-def]
    d = network_distances(expressway_graph, np.array([MINE]), np.array([STATION]), np.array([GATEWAY_NORTH]))
    assert d.station_km[0, 0] == pytest.approx(road_matrix(expressway_graph, [MINE], [STATION]).distance_km[0, 0])
    assert d.station_km[0, 0] < 1.12 * _straight(MINE, STATION)
    # the gateway sits on the expressway's end node: no connector, any road allowed
    gw = snap(expressway_graph, [GATEWAY_NORTH], side_only=False).iloc[0]
    assert gw["snap_m"] == pytest.approx(0, abs=1)


def test_no_side_road_falls_back_to_any_road(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from tests._factory import write_osm

    only = write_osm(tmp_path / "m.osm", [(1, 113.10, 36.20), (2, 113.10, 36.30)],
                     [(1, [1, 2], {"highway": "motorway", "oneway": "no"})])
    G = load_roads(only)
    with caplog.at_level(logging.WARNING, logger="cleanfreight.network.snapping"):
        s = snap(G, [(113.101, 36.25)]).iloc[0]
    assert s["highway"] == "motorway" and "no road a truck can join from the side" in caplog.text
