"""A mine 1 km from an expressway: the day drives the ordinary roads (issue 11, see tests/_expressway.py)."""

from __future__ import annotations

import pytest

from cleanfreight.dispatch import Load, Scenario, Site, SolverParams, TruckType, road_matrices, solve_dispatch
from tests._expressway import DEPOT, MINE, STATION, write_expressway_osm


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    roads = write_expressway_osm(tmp_path_factory.mktemp("g55") / "g55.osm")
    sc = Scenario(
        "MINE-N to the station",
        (
            Site("YARD", "depot", *DEPOT, name_zh="车队停车场"),
            Site("ST", "station", *STATION, name_zh="示例车站"),
            Site("MINE-N", "enterprise", *MINE, name_zh="示例北矿"),
        ),
        (),
        (TruckType("DSL", "diesel", 1, "YARD", 31.0),),
        (Load("COAL", "MINE-N", "ST", 30.0),),
        solver=SolverParams(time_limit_s=30, solution_limit=20, seed=0),
    )
    return solve_dispatch(sc, matrix=road_matrices(sc, roads, use_cache=False))


def test_connector_reported_per_place(result) -> None:  # type: ignore[no-untyped-def]
    places = result.places.set_index("place_id")
    assert places.at["MINE-N", "connector_road"] == "primary"
    assert places.at["MINE-N", "connector_m"] == pytest.approx(1524, abs=5)
    assert bool(places.at["MINE-N", "connector_long"]) and not bool(places.at["ST", "connector_long"])
    assert result.summary["connectors_long"] == ["MINE-N"]
    assert result.as_dict()["places"][2]["connector_m"] == pytest.approx(1524, abs=5)


def test_day_km_along_ordinary_roads(result) -> None:  # type: ignore[no-untyped-def]
    # yard -> mine -> station -> yard: twice ~29.9 km (1.52 connector + 27.8 primary + 0.56), plus the
    # yard's few hundred metres; joined to the expressway it was ~2 x 40 km
    (km,) = result.trucks["km_total"]
    assert 58 < km < 62
