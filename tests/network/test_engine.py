from __future__ import annotations

import numpy as np
import pytest

from cleanfreight.enterprises import load_enterprises
from cleanfreight.network import flow_distances, load_sample_network


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

