"""The stored road network: files, reload, CSR, snapping and matrices against today's path."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from scipy import sparse

from cleanfreight.errors import InputError
from cleanfreight.network.matrix import road_matrix
from cleanfreight.network.store import FORMAT_VERSION, is_road_store, load_road_store


def test_the_folder_holds_three_files_and_provenance(province_store: Path, province_small: dict[str, Path]) -> None:
    assert is_road_store(province_store)
    assert {p.name for p in province_store.iterdir()} == {"graph.npz", "edges.parquet", "network.json"}
    meta = json.loads((province_store / "network.json").read_text(encoding="utf-8"))
    assert meta["format_version"] == FORMAT_VERSION
    import hashlib

    assert meta["source"]["sha256"] == hashlib.sha256(province_small["roads"].read_bytes()).hexdigest()
    assert meta["crs"] == "EPSG:32649"  # Shanxi's centre lies in UTM zone 49
    x0, y0, x1, y1 = meta["bounds"]
    assert 110.0 < x0 < 111.0 and 114.0 < x1 < 114.8 and 34.4 < y0 < 35.0 and 40.4 < y1 < 40.9
    assert meta["profile"]["gross_weight_t"] == 8.0  # the light truck of the fixture


def test_reloaded_arrays_are_identical(province_store: Path) -> None:
    a, b = load_road_store(province_store), load_road_store(province_store)
    for name in ("indptr", "indices", "length_m", "time_s", "node_id", "lon", "lat", "x", "y", "side"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.indptr[-1] == len(a.indices) == a.meta["csr_entries"]
    assert a.nodes == a.meta["nodes"]


def test_the_csr_is_the_edge_table(province_store: Path) -> None:
    """The CSR arrays and edges.parquet are written from the same edges: rebuilt from the table
    (shortest of parallel edges), the matrix is the stored one."""
    store = load_road_store(province_store)
    edges = store.edges(["u", "v", "length_m", "time_s"])
    assert len(edges) == store.meta["edges"]
    ui, vi = np.searchsorted(store.node_id, edges["u"]), np.searchsorted(store.node_id, edges["v"])
    n = store.nodes
    length, time = store.matrices()
    for weights, stored in ((edges["length_m"], length), (edges["time_s"], time)):
        coo = sparse.coo_matrix((weights.to_numpy(), (ui, vi)), shape=(n, n))
        rebuilt = coo.tocsr()
        rebuilt.sum_duplicates()  # parallel edges are rare here; compare where there are none
        assert rebuilt.nnz == stored.nnz
        single = np.asarray((sparse.coo_matrix((np.ones(len(ui)), (ui, vi)), shape=(n, n)).tocsr() == 1).todense())
        diff = abs(rebuilt - stored).toarray()[single]
        assert diff.max() < 1e-6


def test_edge_geometry_runs_from_u_to_v(province_store: Path) -> None:
    store = load_road_store(province_store)
    edges = store.edges()
    assert edges.crs == "EPSG:4326"
    assert set(edges.geometry.geom_type) == {"LineString"}
    first = np.array([g.coords[0] for g in edges.geometry.values])
    last = np.array([g.coords[-1] for g in edges.geometry.values])
    iu, iv = np.searchsorted(store.node_id, edges["u"]), np.searchsorted(store.node_id, edges["v"])
    assert np.allclose(first, np.c_[store.lon[iu], store.lat[iu]])
    assert np.allclose(last, np.c_[store.lon[iv], store.lat[iv]])


def test_matrix_from_store_equals_road_matrix(province_store: Path, province_graph: nx.MultiDiGraph) -> None:
    """Enterprises to stations: the same km and hours as ``road_matrix`` on the networkx graph, for
    points at nodes both graphs have (so that both snap them to that node)."""
    store = load_road_store(province_store)
    G = province_graph
    common = np.array(sorted(set(G.nodes) & set(store.node_id[store.side].tolist())), dtype=np.int64)
    rng = np.random.default_rng(11)
    pick = rng.choice(common, size=30, replace=False)
    idx = np.searchsorted(store.node_id, pick)
    pts = np.c_[store.lon[idx], store.lat[idx]]
    origins, destinations = pts[:20], pts[20:]
    ours = store.matrix(origins, destinations)
    ref = road_matrix(G, origins, destinations)
    assert list(ours.origins["node"]) == list(ref.origins["node"]) == list(pick[:20])
    assert ours.distance_km.shape == (20, 10)
    assert np.isfinite(ours.distance_km).all()
    np.testing.assert_allclose(ours.distance_km, ref.distance_km, rtol=1e-3, atol=1e-3)
    # osmnx gives two ways merged end to end one speed: hours agree within a few per cent
    np.testing.assert_allclose(ours.time_h, ref.time_h, rtol=0.03)
    assert ours.distance_km.max() > 100


def test_square_matrix_and_snapping(province_store: Path, province_small: dict[str, Path]) -> None:
    import pandas as pd

    store = load_road_store(province_store)
    ent = pd.read_csv(province_small["enterprises"])
    pts = np.c_[ent["lon"], ent["lat"]]
    m = store.matrix(pts, origin_labels=list(ent["enterprise_id"]))
    assert m.distance_km.shape == (20, 20)
    assert np.all(np.diag(m.distance_km) == 0)
    assert list(m.origins["label"]) == list(ent["enterprise_id"])
    # every enterprise has a service road to the grid: its snapped node is that road's end
    assert (m.origins["snap_m"] < 1.0).all()
    assert np.isfinite(m.distance_km).all()
    with pytest.raises(Exception, match="without shortest-path trees"):
        m.path_nodes(0, 1)
    # the same matrix from two forked processes, and from the enterprises to five of them (reversed search)
    two = store.matrix(pts, origin_labels=list(ent["enterprise_id"]), workers=2)
    assert np.array_equal(two.distance_km, m.distance_km) and np.array_equal(two.time_h, m.time_h)
    few = store.matrix(pts, pts[:5])
    np.testing.assert_allclose(few.distance_km[5:], m.distance_km[5:, :5])
    with pytest.raises(InputError, match="workers"):
        store.matrix(pts, workers=0)


def test_csr_graph_routes_like_road_matrix(province_store: Path) -> None:
    store = load_road_store(province_store)
    c = store.csr()
    assert c.length_m.shape == (store.nodes, store.nodes)
    some = int(store.node_id[5])
    assert c.index[some] == 5
    with pytest.raises(KeyError):
        c.index[-1]


def test_a_folder_that_is_not_a_store_is_an_input_error(tmp_path: Path, province_store: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_road_store(tmp_path / "nope")
    with pytest.raises(InputError, match="not a built road network"):
        load_road_store(tmp_path)
    old = tmp_path / "old"
    old.mkdir()
    (old / "graph.npz").write_bytes((province_store / "graph.npz").read_bytes())
    meta = json.loads((province_store / "network.json").read_text(encoding="utf-8"))
    (old / "network.json").write_text(json.dumps({**meta, "format_version": 0}), encoding="utf-8")
    with pytest.raises(InputError, match="format version 0"):
        load_road_store(old)
    (old / "network.json").write_text(json.dumps(meta), encoding="utf-8")
    (old / "graph.npz").write_bytes(b"PK\x03\x04 damaged")
    with pytest.raises(InputError, match="damaged graph file"):
        load_road_store(old)
