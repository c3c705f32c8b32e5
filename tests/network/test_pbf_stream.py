"""The streaming PBF import against today's ``load_roads`` on the same small generated province."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from cleanfreight.errors import InputError, NetworkError
from cleanfreight.network.roads import TRUCK_HIGHWAYS, TruckProfile
from cleanfreight.network.store import BuildOptions, build_road_store, load_road_store


def test_the_generator_writes_an_illustrative_province(province_small: dict[str, Path]) -> None:
    meta = json.loads(province_small["roads_meta"].read_text(encoding="utf-8"))
    assert "Illustrative" in meta["notice"]
    assert 2700 <= meta["ways"] <= 3300  # about the 3,000 ways asked
    province = json.loads(province_small["province"].read_text(encoding="utf-8"))
    assert "roads" in province["files"] and "Illustrative" in province["notice"]


def test_the_generator_is_seeded(tmp_path: Path) -> None:
    from cleanfreight.jobs.province import ProvinceParams
    from cleanfreight.jobs.province.roads import write_roads

    def digest(seed: int, name: str) -> str:
        f = write_roads(ProvinceParams(seed=seed, enterprises=5, stations=2, ways=600), tmp_path / name)["roads"]
        return hashlib.sha256(f.read_bytes()).hexdigest()

    assert digest(1, "a") == digest(1, "b")
    assert digest(1, "a") != digest(2, "c")


def test_the_file_holds_rail_and_one_way_motorways(province_small: dict[str, Path]) -> None:
    import osmium

    rail = motorway = oneway = 0
    for w in osmium.FileProcessor(str(province_small["roads"]), osmium.osm.WAY):
        rail += w.tags.get("railway") == "rail"
        if w.tags.get("highway") == "motorway":
            motorway += 1
            oneway += w.tags.get("oneway") == "yes"
    assert rail > 10
    assert motorway > 10 and oneway == motorway


def test_streaming_import_equals_load_roads(province_store: Path, province_graph: nx.MultiDiGraph) -> None:
    store = load_road_store(province_store)
    G = province_graph
    ours = set(store.node_id.tolist())
    theirs = set(G.nodes)
    # every node of today's graph is in ours; ours also keeps the joints of two ways end to end (degree 2)
    assert theirs <= ours
    extra = ours - theirs
    assert len(extra) < 0.05 * len(theirs)
    assert store.meta["edges"] - G.number_of_edges() == 2 * len(extra)  # one two-way edge split in two
    assert store.meta["length_km"] == pytest.approx(sum(d["length"] for *_, d in G.edges(data=True)) / 1000,
                                                    abs=1e-3)  # network.json rounds to metres
    # shortest paths between the same nodes: the same km; hours within a few per cent, since osmnx gives
    # two ways merged end to end one speed (the lowest maxspeed of the two, or the one maxspeed given)
    rng = np.random.default_rng(3)
    picks = rng.choice(np.array(sorted(theirs), dtype=np.int64), size=8, replace=False)
    length, time = store.matrices()
    idx = np.searchsorted(store.node_id, picks)
    ours_km = dijkstra(length, indices=idx)[:, idx] / 1000
    ours_h = dijkstra(time, indices=idx)[:, idx] / 3600
    ref_km, ref_h = np.zeros_like(ours_km), np.zeros_like(ours_h)
    for i, a in enumerate(picks):
        km = nx.single_source_dijkstra_path_length(G, int(a), weight="length")
        hours = nx.single_source_dijkstra_path_length(G, int(a), weight="travel_time")
        ref_km[i] = [km[int(b)] / 1000 for b in picks]
        ref_h[i] = [hours[int(b)] / 3600 for b in picks]
    np.testing.assert_allclose(ours_km, ref_km, rtol=1e-6)
    np.testing.assert_allclose(ours_h, ref_h, rtol=0.03)
    assert ours_km.max() > 200  # across the province, not next door


def test_truck_rules_are_those_of_load_roads(province_small: dict[str, Path], tmp_path: Path) -> None:
    """The default 49 t truck: every way tagged ``hgv=no`` or ``maxweight`` under 49 t is left out, and
    nothing else (counted in the file itself)."""
    import osmium

    hgv_no = heavy = 0
    for w in osmium.FileProcessor(str(province_small["roads"]), osmium.osm.WAY):
        if w.tags.get("highway") in TRUCK_HIGHWAYS:
            hgv_no += w.tags.get("hgv") == "no"
            heavy += float(w.tags.get("maxweight", "99")) < 49
    info = build_road_store(province_small["roads"], tmp_path)
    assert info["removed"]["hgv_no"] == hgv_no > 0
    assert info["removed"]["maxweight"] == heavy > 0
    edges = load_road_store(tmp_path).edges(["u", "v", "highway", "oneway"])
    assert set(edges["highway"]) <= set(TRUCK_HIGHWAYS)
    assert "motorway" in set(edges["highway"])
    motorway = edges[edges["highway"] == "motorway"]
    pairs = set(zip(motorway["u"], motorway["v"], strict=True))
    assert not any((v, u) in pairs for u, v in pairs)  # one way only
    assert motorway["oneway"].all()


def test_a_lighter_truck_keeps_the_weight_limited_roads(province_small: dict[str, Path], tmp_path: Path) -> None:
    info = build_road_store(province_small["roads"], tmp_path,
                            options=BuildOptions(profile=TruckProfile(gross_weight_t=8)))
    assert info["removed"]["maxweight"] == 0
    assert info["profile"]["gross_weight_t"] == 8


def test_boundary_clip_keeps_only_inside_edges(province_small: dict[str, Path], province_store: Path,
                                               tmp_path: Path) -> None:
    box = shapely.box(112.3, 35.6, 113.9, 36.9)  # around Changzhi
    info = build_road_store(province_small["roads"], tmp_path, boundary=box)
    store = load_road_store(tmp_path)
    assert shapely.contains_xy(box, store.lon, store.lat).all()
    full = load_road_store(province_store)
    assert 10 < store.nodes < full.nodes / 4
    edges = store.edges()
    assert len(edges) == info["edges"]
    assert box.contains(shapely.union_all(edges.geometry.values))
    assert info["removed"]["outside_boundary_nodes"] > 0


def test_a_boundary_off_the_network_is_an_error(province_small: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="boundary does not overlap"):
        build_road_store(province_small["roads"], tmp_path, boundary=shapely.box(100, 20, 101, 21))


@pytest.mark.parametrize("content", [b"", b"not a pbf \x00\x01\x02 at all", "cut"])
def test_a_damaged_file_is_an_input_error(content: bytes | str, province_small: dict[str, Path],
                                          tmp_path: Path) -> None:
    bad = tmp_path / "bad.osm.pbf"
    data = province_small["roads"].read_bytes()
    bad.write_bytes(data[: len(data) // 2] if content == "cut" else content)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"bad\.osm\.pbf"):
        build_road_store(bad, tmp_path / "out")
    assert not (tmp_path / "out" / "network.json").exists()


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        build_road_store(tmp_path / "nope.osm.pbf", tmp_path / "out")


def test_load_roads_honours_oneway_on_pbf_as_on_xml(province_small: dict[str, Path]) -> None:
    """pyrosm makes an ``all`` network two-way; load_roads must keep one-way motorways one-way."""
    from cleanfreight.network.roads import load_roads

    G = load_roads(province_small["roads"])
    motorway = [(u, v) for u, v, d in G.edges(data=True) if d.get("highway") == "motorway"]
    assert len(motorway) > 10
    twins = sum(G.has_edge(v, u) for u, v in motorway)
    assert twins == 0
