from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from cleanfreight.accounting import load_factors
from cleanfreight.enterprises import load_enterprises
from cleanfreight.network import build_multimodal, flow_distances, load_sample_network, multimodal_matrix


@pytest.fixture(scope="module")
def sample():
    return load_sample_network()


def test_sample_network_layers(sample) -> None:
    assert sample.roads.graph["crs"] == "EPSG:32649"
    assert {"CZB", "CZN"} <= set(sample.stations["station_id"])
    assert sample.spurs is not None and {"existing", "planned"} <= set(sample.spurs["status"])
    assert sample.boundaries is not None and len(sample.boundaries) == 12
    assert sample.stations.attrs["source"].endswith("stations.csv")


def test_flow_distances_on_sample(sample) -> None:
    roster = load_enterprises()
    d = flow_distances(sample, roster)
    assert len(d) == len(roster.flows)
    assert np.isfinite(d["road_km"]).all() and (d["road_km"] > 0).all()
    assert np.isfinite(d["short_haul_km"]).all()
    assert (d["short_haul_km"] < 80).all()  # every enterprise has a station within a short haul
    assert (d["snap_m"] < 1500).all()  # every enterprise lies near a road of the sample


def test_multimodal_station_to_station_by_hand(grid_graph) -> None:
    f = load_factors()
    rail = gpd.GeoDataFrame(
        {"line_id": ["L"], "kind": ["mainline"], "status": ["existing"]},
        geometry=[shapely.LineString([(113.10, 36.19), (113.13, 36.19)])], crs="EPSG:4326",
    )
    stations = gpd.GeoDataFrame(
        {"station_id": ["S1", "S2"], "name_zh": ["甲站", "乙站"], "lon": [113.10, 113.13], "lat": [36.19, 36.19],
         "handling_cost_cny_per_t": [10.0, 20.0], "transfer_time_h": [2.0, 2.0]},
        geometry=shapely.points([(113.10, 36.19), (113.13, 36.19)]), crs="EPSG:4326",
    )
    MG = build_multimodal(grid_graph, rail, stations, f)
    cost = multimodal_matrix(MG, [("station", "S1")], [("station", "S2")]).iloc[0, 0]
    rail_km = 3 * 0.8972  # 0.03 degree of longitude at 36.19 N
    expected = 10 + 20 + f["cost.rail.base1_cny_per_t"] + f["cost.rail.base2_cny_per_tkm"] * rail_km
    assert cost == pytest.approx(expected, rel=0.005)
    modes = {d["mode"] for *_, d in MG.edges(data=True)}
    assert modes == {"road", "rail", "transfer"}
