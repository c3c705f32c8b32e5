from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import osmnx as ox
import pytest
import shapely

from cleanfreight.errors import NetworkError
from cleanfreight.network.roads import TruckProfile, graph_summary, load_roads
from tests._factory import grid_spec, write_osm


def test_grid_from_xml(grid_graph) -> None:
    s = graph_summary(grid_graph)
    assert s["crs"] == "EPSG:32649"  # UTM 49N chosen for Changzhi
    # rows are primary, columns secondary: the road class changes at every corner, so simplification
    # keeps all 16 junctions and corners (an edge has one class and one speed): 24 two-way segments
    assert s["nodes"] == 16
    assert s["edges"] == 48
    assert s["length_km"] == pytest.approx(2 * (12 * 0.8972 + 12 * 1.1119), rel=0.005)
    assert s["bounds"] == pytest.approx([113.10, 36.18, 113.13, 36.21], abs=1e-6)
    # 0.01 degree of longitude at 36.18 N is 898 m (great circle)
    lengths = sorted(d["length"] for _, _, d in grid_graph.edges(data=True))
    assert lengths[0] == pytest.approx(111_195 * 0.01 * 0.8072, rel=0.01)


def test_provenance_on_graph(grid_graph, grid_osm: Path) -> None:
    assert grid_graph.graph["source"] == str(grid_osm.resolve())
    assert "loaded_at" in grid_graph.graph and grid_graph.graph["profile"]["gross_weight_t"] == 49.0


def test_truck_tags_filtered(tmp_path: Path) -> None:
    nodes, ways = grid_spec(3)
    ways[0] = (ways[0][0], ways[0][1], {"highway": "primary", "hgv": "no"})
    ways[1] = (ways[1][0], ways[1][1], {"highway": "primary", "maxweight": "20"})
    ways.append((999, [1, 5], {"highway": "footway"}))
    G = load_roads(write_osm(tmp_path / "tags.osm", nodes, ways))
    assert G.graph["removed"]["hgv_no"] == 4  # two segments, both directions
    assert G.graph["removed"]["maxweight"] == 4
    light = load_roads(tmp_path / "tags.osm", profile=TruckProfile(gross_weight_t=18))
    assert light.graph["removed"]["maxweight"] == 0
    assert not any(d.get("highway") == "footway" for _, _, d in G.edges(data=True))


def test_restriction_zone_with_new_energy_exemption(grid_osm: Path) -> None:
    zone = gpd.GeoDataFrame({"new_energy_exempt": [True]},
                            geometry=[shapely.box(113.105, 36.185, 113.125, 36.205)], crs="EPSG:4326")
    diesel = load_roads(grid_osm, restriction_zones=zone, largest_component=False)
    electric = load_roads(grid_osm, restriction_zones=zone, profile=TruckProfile(new_energy=True))
    assert diesel.graph["removed"]["restriction_zone"] > 0
    assert electric.graph["removed"]["restriction_zone"] == 0


def test_clipped_extract_is_handled(tmp_path: Path) -> None:
    nodes, ways = grid_spec(3)
    ways.append((500, [1, 777, 2, 3], {"highway": "primary"}))  # node 777 lies outside the extract
    ways.append((501, [888, 999], {"highway": "primary"}))  # entirely outside
    p = write_osm(tmp_path / "clipped.osm", nodes, ways)
    with pytest.raises(Exception):  # noqa: B017 - osmnx itself fails on such files
        ox.graph_from_xml(p)
    G = load_roads(p)
    assert G.graph["osm_missing_refs"] == 3
    # every node of the 3 x 3 grid stays (the class changes at the corners); the missing node 777 is gone
    assert sorted(G.nodes) == [1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_real_extract_pbf_and_xml_agree(helsinki_pbf: Path, helsinki_xml: Path) -> None:
    a = load_roads(helsinki_pbf)
    b = load_roads(helsinki_xml)
    assert a.graph["crs"] == b.graph["crs"] == "EPSG:32635"  # Helsinki: UTM 35N
    assert len(a) > 100 and len(b) > 100
    ka = sum(d["length"] for *_, d in a.edges(data=True))
    kb = sum(d["length"] for *_, d in b.edges(data=True))
    # both readers cover the same city-centre network to within a few per cent of road length (pyrosm
    # keeps the in-extract part of clipped ways more liberally than osmnx) and both honour oneway: as
    # many one-way edges (pyrosm's "all" network would make every road two-way)
    assert ka == pytest.approx(kb, rel=0.05)

    def one_way(G: nx.MultiDiGraph) -> int:
        return sum(not G.has_edge(v, u) for u, v in G.edges())

    assert one_way(b) > 100 and one_way(a) == pytest.approx(one_way(b), rel=0.1)
    # between places both keep, the PBF graph is never the longer way round

    common = sorted(set(a.nodes) & set(b.nodes))[::6]
    assert len(common) > 40
    for u in common:
        da = nx.single_source_dijkstra_path_length(a, u, weight="length")
        db = nx.single_source_dijkstra_path_length(b, u, weight="length")
        assert all(da[v] <= db[v] + 1.0 for v in common if v in da and v in db)
    assert graph_summary(a)["bounds"] == pytest.approx(graph_summary(b)["bounds"], abs=0.005)


def test_sample_pbf_and_xml_give_the_same_truck_distances() -> None:
    """The sample's XML and PBF hold the same roads: same filters (a 20 t maxweight way is removed
    from both, even where the PBF reader merged it with untagged segments) and the same km."""
    import numpy as np

    from cleanfreight._paths import sample_file
    from cleanfreight.enterprises import load_enterprises
    from cleanfreight.network import road_matrix

    xml = load_roads(sample_file("network", "changzhi_roads.osm"))
    pbf = load_roads(sample_file("network", "changzhi_roads.osm.pbf"))
    assert xml.graph["removed"]["maxweight"] == pbf.graph["removed"]["maxweight"] == 4
    assert not [d for *_, d in pbf.edges(data=True) if any(isinstance(v, float) and np.isnan(v) for v in
                                                            (d.get("maxweight"), d.get("hgv"), d.get("ref")))]
    ent = load_enterprises().enterprises
    pts = list(zip(ent["lon"], ent["lat"], strict=True))
    a, b = road_matrix(xml, pts), road_matrix(pbf, pts)
    np.testing.assert_allclose(a.distance_km, b.distance_km, atol=1e-3)


def test_graphml_round_trip(grid_graph, tmp_path: Path) -> None:
    p = tmp_path / "g.graphml"
    ox.save_graphml(grid_graph, p)
    G = load_roads(p)
    assert len(G) == len(grid_graph) and G.number_of_edges() == grid_graph.number_of_edges()


def test_boundary_clip_and_miss(grid_osm: Path) -> None:
    G = load_roads(grid_osm, boundary=shapely.box(113.095, 36.175, 113.115, 36.215))
    # 8 nodes inside (corners stay: the road class changes there) + the 4 column-2 ends of edges crossing
    assert len(G) == 12
    far = gpd.GeoDataFrame(geometry=[shapely.box(100, 30, 100.1, 30.1)], crs="EPSG:4326")
    with pytest.raises(NetworkError, match="does not overlap"):
        load_roads(grid_osm, boundary=far)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("<osm><node id='1' lat='1' lon=", "not a valid OSM XML"),
        ('<osm version="0.6"><node id="1" lat="36" lon="113"/></osm>', "no drivable roads"),
    ],
)
def test_bad_xml(tmp_path: Path, content: str, message: str) -> None:
    p = tmp_path / "bad.osm"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(NetworkError, match=message):
        load_roads(p)


def test_pbf_without_roads(tmp_path: Path) -> None:
    import osmium

    p = tmp_path / "rail_only.osm.pbf"
    with osmium.SimpleWriter(str(p)) as w:
        w.add_node(osmium.osm.mutable.Node(id=1, location=(113.0, 36.0), version=1, timestamp="2026-01-01T00:00:00Z"))
        w.add_node(osmium.osm.mutable.Node(id=2, location=(113.1, 36.0), version=1, timestamp="2026-01-01T00:00:00Z"))
        w.add_way(osmium.osm.mutable.Way(id=1, nodes=[1, 2], tags={"railway": "rail"}, version=1,
                                         timestamp="2026-01-01T00:00:00Z"))
    with pytest.raises(NetworkError, match=r"no drivable roads|no roads"):
        load_roads(p)


def test_corrupt_pbf(tmp_path: Path) -> None:
    p = tmp_path / "corrupt.osm.pbf"
    p.write_bytes(b"\x00\x01garbage" * 100)
    with pytest.raises(NetworkError, match="PBF"):
        load_roads(p)


def test_unknown_extension(tmp_path: Path) -> None:
    p = tmp_path / "roads.txt"
    p.write_text("x", encoding="utf-8")
    with pytest.raises(NetworkError, match="unknown road file type"):
        load_roads(p)
