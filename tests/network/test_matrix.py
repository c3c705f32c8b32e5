from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from cleanfreight.network.matrix import matrix_networkx, road_matrix
from cleanfreight.network.snapping import snap

# grid nodes are 0.01 degree apart: 897.2 m east-west, 1111.9 m north-south at 36.18-36.21 N
EW, NS = 0.8972, 1.1119


def test_matrix_equals_networkx(grid_graph) -> None:
    pts = [(113.11, 36.19), (113.13, 36.20), (113.12, 36.18), (113.10, 36.20)]
    m = road_matrix(grid_graph, pts)
    nodes = list(m.origins["node"])
    ref = matrix_networkx(grid_graph, nodes) / 1000.0
    access = (m.origins["access_m"].to_numpy()[:, None] + m.origins["access_m"].to_numpy()[None, :]) / 1000.0
    np.fill_diagonal(access, 0.0)
    assert np.allclose(m.distance_km, ref + access)


def test_matrix_by_hand(grid_graph) -> None:
    # exactly on nodes (not corners, which simplification removes): 2 blocks east + 2 north
    m = road_matrix(grid_graph, [(113.10, 36.19)], [(113.12, 36.21)])
    assert m.destinations["snap_m"].iloc[0] == pytest.approx(0, abs=1.0)
    assert m.origins["snap_m"].iloc[0] == pytest.approx(0, abs=1.0)
    assert m.distance_km[0, 0] == pytest.approx(2 * EW + 2 * NS, rel=0.002)
    # primary rows 50 km/h, secondary columns 40 km/h: fastest = 2 row blocks + 2 column blocks
    assert m.time_h[0, 0] == pytest.approx(2 * EW / 50 + 2 * NS / 40, rel=0.01)


def test_path_geometry(grid_graph) -> None:
    m = road_matrix(grid_graph, [(113.10, 36.19)], [(113.13, 36.19)])
    path = m.path_lonlat(0, 0)
    assert path[0] == (113.10, 36.19) and path[-1] == (113.13, 36.19)
    assert all(abs(lat - 36.19) < 1e-6 for _, lat in path)  # straight along row 1


def test_snap_reports_distance_and_far(grid_graph) -> None:
    s = snap(grid_graph, [(113.11, 36.19), (113.11, 36.30)], labels=["on", "far"])
    assert s.loc[0, "snap_m"] < 1.0
    assert s.loc[1, "snap_m"] == pytest.approx((36.30 - 36.21) * 111_195, rel=0.01)
    assert list(s["far"]) == [False, True]


def test_snap_to_edge_not_far_node(grid_graph) -> None:
    # 100 m north of row 1, 300 m east of the column-1 junction: snaps to the row, routed via that junction
    lon = 113.11 + 300 / (111_195 * 0.8072)
    lat = 36.19 + 100 / 111_195
    s = snap(grid_graph, [(lon, lat)])
    assert s.loc[0, "snap_m"] == pytest.approx(100, rel=0.02)
    assert s.loc[0, "access_m"] == pytest.approx(400, rel=0.02)


def test_unreachable_is_inf() -> None:
    G = nx.MultiDiGraph(crs="EPSG:32649")
    for n, (x, y) in enumerate([(0, 0), (1000, 0), (5000, 0), (6000, 0)]):
        G.add_node(n, x=500_000 + x, y=4_000_000 + y)
    G.add_edge(0, 1, length=1000.0, travel_time=100.0)
    G.add_edge(2, 3, length=1000.0, travel_time=100.0)
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)
    pts = [tr.transform(500_000, 4_000_000), tr.transform(506_000, 4_000_000)]
    m = road_matrix(G, pts)
    assert np.isinf(m.distance_km[0, 1])
