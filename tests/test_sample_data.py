"""The bundled Changzhi sample pack conforms to docs/data-format.md and is regenerable byte for byte."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from cleanfreight._paths import sample_dir
from cleanfreight.accounting.modes import MODES

ROOT = Path(__file__).resolve().parent.parent
DATA = sample_dir()
NET = DATA / "network"
ENT = DATA / "enterprises"
# Changzhi city bounding box (from the cnmaps boundaries: 111.98-113.73 E, 35.82-37.12 N), a little padded
BBOX = (111.9, 35.8, 113.8, 37.2)
CITY_CLEAN = {
    "rail_spur",
    "rail_station_ne",
    "truck_ne",
    "conveyor",
    "pipeline",
}  # 长治 plan: rail + NE short-haul
INDUSTRIES = {
    "steel",
    "coking",
    "power",
    "coal_chemical",
    "cement",
    "coal_washery",
    "logistics_park",
    "chemical",
    "building_materials",
    "other",
}
COMMODITIES = {
    "coal",
    "coke",
    "iron_ore",
    "steel",
    "limestone",
    "cement",
    "clinker",
    "scrap",
    "slag",
    "fly_ash",
    "gypsum",
    "chemicals",
    "other_bulk",
}


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path, comment="#", dtype={"station_id": str, "existing_spur": str}, keep_default_na=True
    )


@pytest.fixture(scope="session")
def ents() -> pd.DataFrame:
    return _csv(ENT / "enterprises.csv")


@pytest.fixture(scope="session")
def flows() -> pd.DataFrame:
    return _csv(ENT / "flows.csv")


@pytest.fixture(scope="session")
def splits() -> pd.DataFrame:
    return _csv(ENT / "mode_split.csv")


@pytest.fixture(scope="session")
def regions() -> pd.DataFrame:
    return _csv(NET / "regions.csv")


@pytest.fixture(scope="session")
def stations() -> pd.DataFrame:
    return _csv(NET / "stations.csv")


@pytest.fixture(scope="session")
def swaps() -> pd.DataFrame:
    return _csv(NET / "swap_stations.csv")


@pytest.fixture(scope="session")
def rail() -> dict:
    return json.loads((NET / "rail.geojson").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def osm_counts() -> dict[str, tuple[int, int, list[tuple[int, tuple[tuple[str, str], ...]]]]]:
    """Node count, way count and (way id, tags) of the XML and the PBF file, read with pyosmium."""
    import osmium

    out = {}
    for name in ("changzhi_roads.osm", "changzhi_roads.osm.pbf"):
        n, ways = 0, []
        for obj in osmium.FileProcessor(str(NET / name)):
            if obj.is_node():
                n += 1
            elif obj.is_way():
                ways.append((obj.id, tuple(sorted((t.k, t.v) for t in obj.tags))))
        out[name] = (n, len(ways), ways)
    return out


@pytest.fixture(scope="session")
def osm_nodes() -> pd.DataFrame:
    root = ET.parse(NET / "changzhi_roads.osm").getroot()
    rows = [(int(n.get("id")), float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")]
    return pd.DataFrame(rows, columns=["id", "lon", "lat"])


def _in_bbox(lon: pd.Series, lat: pd.Series) -> bool:
    return bool(lon.between(BBOX[0], BBOX[2]).all() and lat.between(BBOX[1], BBOX[3]).all())


def _haversine_m(lon1: float, lat1: float, lon2: pd.Series, lat2: pd.Series) -> pd.Series:
    p1, p2 = math.radians(lat1), lat2.map(math.radians)
    dphi = p2 - p1
    dl = (lon2 - lon1).map(math.radians)
    a = dphi.map(lambda v: math.sin(v / 2) ** 2) + math.cos(p1) * p2.map(math.cos) * dl.map(
        lambda v: math.sin(v / 2) ** 2
    )
    return 2 * 6_371_000 * a.map(lambda v: math.asin(math.sqrt(v)))


# ---------------------------------------------------------------------------------------------------
# every file says it is illustrative


@pytest.mark.parametrize(
    "rel",
    [
        "enterprises/enterprises.csv",
        "enterprises/flows.csv",
        "enterprises/mode_split.csv",
        "network/regions.csv",
        "network/stations.csv",
        "network/swap_stations.csv",
    ],
)
def test_csv_files_start_with_an_illustrative_comment(rel: str) -> None:
    first = (DATA / rel).read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and "ILLUSTRATIVE" in first
    assert "," not in first  # one field even for CSV readers that do not skip comments


@pytest.mark.parametrize("name", ["rail.geojson", "restriction_zone.geojson", "boundaries.geojson"])
def test_geojson_files_carry_note_and_source(name: str) -> None:
    fc = json.loads((NET / name).read_text(encoding="utf-8"))
    assert fc["note"] and fc["source"]
    assert all(f["properties"]["source"] for f in fc["features"])


def test_osm_xml_says_it_is_illustrative() -> None:
    text = (NET / "changzhi_roads.osm").read_text(encoding="utf-8")
    assert "<!-- ILLUSTRATIVE" in text and "<note>ILLUSTRATIVE" in text


def test_pack_is_small() -> None:
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 3_000_000
    assert (NET / "boundaries.geojson").stat().st_size < 500_000


# ---------------------------------------------------------------------------------------------------
# enterprises, flows, mode split


def test_enterprises_table(ents: pd.DataFrame) -> None:
    need = {
        "enterprise_id",
        "name_zh",
        "name_en",
        "industry",
        "district",
        "lon",
        "lat",
        "coord_crs",
        "existing_spur",
        "notes",
    }
    assert need <= set(ents.columns)
    assert len(ents) == 40 and ents.enterprise_id.is_unique
    assert list(ents.enterprise_id) == [f"CZ{i:02d}" for i in range(1, 41)]
    assert set(ents.industry) <= INDUSTRIES
    assert {"steel", "coking", "power", "coal_chemical", "cement", "coal_washery", "logistics_park"} <= set(
        ents.industry
    )
    assert set(ents.coord_crs) <= {"WGS84", "GCJ02", "BD09", "CGCS2000"}
    assert (ents.coord_crs == "GCJ02").sum() >= 3
    assert _in_bbox(ents.lon, ents.lat)
    assert ents.district.str.endswith(("区", "县")).all()
    # names: illustrative except the two enterprises the plan names for spurs
    named = ents[~ents.name_zh.str.startswith("示例")]
    assert sorted(named.name_zh) == ["上党绿能物流有限公司", "山西瑞隆能源有限公司"]
    assert ents.notes.str.contains("illustrative").all()


def test_flows_reference_existing_rows(
    ents: pd.DataFrame, flows: pd.DataFrame, regions: pd.DataFrame, stations: pd.DataFrame
) -> None:
    need = {
        "flow_id",
        "enterprise_id",
        "commodity",
        "direction",
        "tonnes_per_year",
        "region_id",
        "road_km",
        "rail_km",
        "station_id",
    }
    assert need <= set(flows.columns)
    assert flows.flow_id.is_unique
    assert set(flows.enterprise_id) == set(ents.enterprise_id)
    assert set(flows.commodity) <= COMMODITIES
    assert set(flows.direction) == {"in", "out"}
    assert (flows.tonnes_per_year > 0).all()
    assert set(flows.region_id) <= set(regions.region_id)
    assert set(flows.station_id.dropna()) <= set(stations.station_id)
    assert flows.road_km.notna().sum() >= 1 and flows.rail_km.notna().sum() >= 1  # both paths exercised
    assert flows.road_km.isna().mean() > 0.9  # most road distances computed on the network


def test_annual_bulk_per_enterprise_is_plausible(flows: pd.DataFrame) -> None:
    per = flows.groupby("enterprise_id").tonnes_per_year.sum()
    assert per.between(1.5e6, 15e6).all()


def test_coking_material_balance(ents: pd.DataFrame, flows: pd.DataFrame) -> None:
    coking = set(ents.loc[ents.industry == "coking", "enterprise_id"])
    f = flows[flows.enterprise_id.isin(coking)]
    coal_in = (
        f[(f.commodity == "coal") & (f.direction == "in")].groupby("enterprise_id").tonnes_per_year.sum()
    )
    coke_out = (
        f[(f.commodity == "coke") & (f.direction == "out")].groupby("enterprise_id").tonnes_per_year.sum()
    )
    assert ((coal_in / coke_out).between(1.3, 1.4)).all()


def test_mode_split_shares_sum_to_100(flows: pd.DataFrame, splits: pd.DataFrame) -> None:
    assert {"flow_id", "mode", "share_pct"} <= set(splits.columns)
    assert set(splits["mode"]) <= set(MODES)
    assert set(splits.flow_id) == set(flows.flow_id)
    assert not splits.duplicated(["flow_id", "mode"]).any()
    assert splits.share_pct.between(0, 100).all()
    sums = splits.groupby("flow_id").share_pct.sum()
    assert (sums.round(6) == 100).all()


def test_station_shares_name_a_station_and_spur_shares_need_a_spur(
    ents: pd.DataFrame, flows: pd.DataFrame, splits: pd.DataFrame
) -> None:
    m = splits.merge(flows, on="flow_id").merge(ents[["enterprise_id", "existing_spur"]], on="enterprise_id")
    station = m[m["mode"].str.startswith("rail_station")]
    assert station.station_id.notna().all()
    spur = m[m["mode"] == "rail_spur"]
    assert spur.existing_spur.notna().all()


def _clean_ratio_by_hand(flows: pd.DataFrame, splits: pd.DataFrame) -> tuple[float, pd.Series]:
    m = splits.merge(flows[["flow_id", "enterprise_id", "tonnes_per_year"]], on="flow_id")
    m["clean_t"] = m.tonnes_per_year * m.share_pct / 100 * m["mode"].isin(CITY_CLEAN)
    city = m.clean_t.sum() / flows.tonnes_per_year.sum()
    per = m.groupby("enterprise_id").clean_t.sum() / flows.groupby("enterprise_id").tonnes_per_year.sum()
    return float(city), per


def test_city_baseline_is_clearly_below_target(flows: pd.DataFrame, splits: pd.DataFrame) -> None:
    city, per = _clean_ratio_by_hand(flows, splits)
    assert 0.5 <= city <= 0.7
    assert city == pytest.approx(0.5662, abs=5e-4)  # printed by scripts/make_sample.py
    assert 3 <= (per >= 0.8).sum() <= 10  # a few already meet 80 %
    assert (per < 0.3).sum() >= 5  # and some lag far behind


def test_one_enterprise_ratio_by_hand(flows: pd.DataFrame, splits: pd.DataFrame) -> None:
    """CZ39 (NE-truck leader): recompute its ratio from the raw rows, flow by flow."""
    f = flows[flows.enterprise_id == "CZ39"].set_index("flow_id").tonnes_per_year
    s = splits[splits.flow_id.isin(f.index)]
    clean = sum(f[r.flow_id] * r.share_pct / 100 for r in s.itertuples() if r.mode in CITY_CLEAN)
    _, per = _clean_ratio_by_hand(flows, splits)
    assert per["CZ39"] == pytest.approx(clean / f.sum())
    assert per["CZ39"] >= 0.8


def test_some_coal_and_coke_leave_the_province_by_truck(
    flows: pd.DataFrame, splits: pd.DataFrame, regions: pd.DataFrame
) -> None:
    out_prov = set(regions.loc[~regions.in_province, "region_id"])
    m = splits.merge(flows, on="flow_id")
    m = m[m.region_id.isin(out_prov) & m.commodity.isin({"coal", "coke"}) & (m.direction == "out")]
    truck = m[m["mode"].str.startswith("truck_")].groupby("flow_id").share_pct.sum()
    assert (truck >= 50).sum() >= 3


# ---------------------------------------------------------------------------------------------------
# network tables


def test_regions(regions: pd.DataFrame, stations: pd.DataFrame) -> None:
    need = {
        "region_id",
        "name_zh",
        "name_en",
        "kind",
        "lon",
        "lat",
        "in_province",
        "road_km_beyond",
        "rail_station_id",
        "rail_km",
    }
    assert need <= set(regions.columns)
    assert regions.region_id.is_unique
    assert set(regions.kind) <= {"mine_cluster", "province_exit", "in_province", "city", "port"}
    assert regions.in_province.dtype == bool
    assert _in_bbox(regions.lon, regions.lat)
    assert set(regions.exit_station_id) <= set(stations.station_id)
    local = regions[regions.kind.isin({"mine_cluster", "city"})]
    assert set(local.rail_station_id) <= set(stations.station_id)
    east = regions.set_index("region_id").loc["out_wari_east"]
    assert east.rail_km >= 750 and not east.in_province
    assert regions.set_index("region_id").loc["out_hebei_handan", "rail_km"] == 219  # 邯长 line length


def test_stations(stations: pd.DataFrame, rail: dict) -> None:
    need = {
        "station_id",
        "name_zh",
        "name_en",
        "line_ids",
        "lon",
        "lat",
        "handling_capacity_t_per_year",
        "loading_hours",
        "handling_cost_cny_per_t",
        "transfer_time_h",
        "source",
    }
    assert need <= set(stations.columns)
    assert stations.station_id.is_unique
    assert {"长治北", "长治", "长治南", "长子南", "潞城", "屯留", "襄垣", "微子镇"} <= set(stations.name_zh)
    assert _in_bbox(stations.lon, stations.lat)
    lines = {f["properties"]["line_id"] for f in rail["features"]}
    assert {lid for ids in stations.line_ids for lid in ids.split(";")} <= lines
    assert (stations.handling_capacity_t_per_year > 0).all()
    assert stations.loading_hours.str.fullmatch(r"\d\d:\d\d-\d\d:\d\d").all()


def test_rail_lines_and_spurs(rail: dict, ents: pd.DataFrame, stations: pd.DataFrame) -> None:
    props = [f["properties"] for f in rail["features"]]
    need = {
        "line_id",
        "name_zh",
        "name_en",
        "kind",
        "status",
        "electrified",
        "capacity_t_per_year",
        "enterprise_id",
        "station_id",
        "capex_cny",
        "source",
    }
    assert all(need <= set(p) for p in props)
    assert all(f["geometry"]["type"] == "LineString" for f in rail["features"])
    by_id = {p["line_id"]: p for p in props}
    assert {"太焦铁路", "邯长铁路", "瓦日铁路"} <= {p["name_zh"] for p in props if p["kind"] == "mainline"}
    wari = next(p for p in props if p["name_zh"] == "瓦日铁路")
    assert wari["electrified"] and wari["capacity_t_per_year"] == 200e6
    spurs = [p for p in props if p["kind"] == "spur"]
    assert {p["station_id"] for p in spurs} <= set(stations.station_id)
    assert {p["enterprise_id"] for p in spurs} <= set(ents.enterprise_id)
    # every declared existing spur is an existing spur feature of that enterprise
    for r in ents.dropna(subset=["existing_spur"]).itertuples():
        p = by_id[r.existing_spur]
        assert (p["kind"], p["status"], p["enterprise_id"]) == ("spur", "existing", r.enterprise_id)
    # the two plan-named enterprises get planned (not existing) spurs with a capex
    for name in ("山西瑞隆能源有限公司", "上党绿能物流有限公司"):
        eid = ents.loc[ents.name_zh == name, "enterprise_id"].item()
        assert pd.isna(ents.loc[ents.enterprise_id == eid, "existing_spur"].item())
        planned = [p for p in spurs if p["enterprise_id"] == eid]
        assert len(planned) == 1 and planned[0]["status"] == "planned" and planned[0]["capex_cny"] > 0
    assert all(p["capex_cny"] is None for p in spurs if p["status"] == "existing")


def test_swap_stations(swaps: pd.DataFrame) -> None:
    need = {
        "swap_id",
        "name_zh",
        "name_en",
        "kind",
        "lon",
        "lat",
        "swaps_per_day",
        "chargers",
        "power_kw",
        "hours",
        "source",
    }
    assert need <= set(swaps.columns)
    assert 8 <= len(swaps) <= 12 and swaps.swap_id.is_unique
    assert set(swaps.kind) == {"swap", "charge"}
    assert swaps.loc[swaps.kind == "swap", "swaps_per_day"].between(150, 200).all()
    assert (swaps.loc[swaps.kind == "charge", "chargers"] > 0).all()
    assert _in_bbox(swaps.lon, swaps.lat)


def test_restriction_zone_covers_the_city_centre() -> None:
    from shapely.geometry import Point, shape

    fc = json.loads((NET / "restriction_zone.geojson").read_text(encoding="utf-8"))
    (f,) = fc["features"]
    p = f["properties"]
    assert p["new_energy_exempt"] is True and p["hgv_banned_hours"] == "07:00-21:00"
    zone = shape(f["geometry"])
    assert zone.is_valid and zone.contains(Point(113.117, 36.195))


def test_boundaries_are_the_twelve_units_of_changzhi() -> None:
    from shapely.geometry import Point, shape

    fc = json.loads((NET / "boundaries.geojson").read_text(encoding="utf-8"))
    props = [f["properties"] for f in fc["features"]]
    assert len(props) == 12 and len({p["adcode"] for p in props}) == 12
    assert all(p["adcode"].startswith("1404") for p in props)
    assert sum(p["level"] == "district" for p in props) == 4
    assert "cnmaps" in fc["source"]
    geoms = {p["name_zh"]: shape(f["geometry"]) for p, f in zip(props, fc["features"], strict=True)}
    assert all(g.is_valid for g in geoms.values())
    assert geoms["潞州区"].contains(Point(113.117, 36.195))  # city centre
    assert geoms["黎城县"].contains(Point(113.39, 36.50))  # 黎城 county seat


def test_enterprise_districts_match_boundaries(ents: pd.DataFrame) -> None:
    from shapely.geometry import Point, shape

    fc = json.loads((NET / "boundaries.geojson").read_text(encoding="utf-8"))
    geoms = {f["properties"]["name_zh"]: shape(f["geometry"]) for f in fc["features"]}
    wgs = ents[ents.coord_crs == "WGS84"]
    assert all(geoms[r.district].buffer(0.01).contains(Point(r.lon, r.lat)) for r in wgs.itertuples())


# ---------------------------------------------------------------------------------------------------
# roads


def test_osm_xml_loads_with_osmnx() -> None:
    import networkx as nx
    import osmnx as ox

    g = ox.graph_from_xml(NET / "changzhi_roads.osm", simplify=True, retain_all=True)
    assert g.number_of_nodes() > 200
    assert nx.number_weakly_connected_components(g) == 1
    assert max(len(c) for c in nx.strongly_connected_components(g)) == g.number_of_nodes()
    highways = {h for _, _, h in g.edges(data="highway") for h in (h if isinstance(h, list) else [h])}
    assert {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "residential",
        "unclassified",
    } <= highways


def test_osm_has_heavy_truck_tags(osm_counts: dict) -> None:
    _, _, ways = osm_counts["changzhi_roads.osm"]
    tags = [dict(t) for _, t in ways]
    assert sum(t.get("hgv") == "no" for t in tags) >= 3
    assert any(t.get("hgv") == "destination" for t in tags)
    assert sum(t.get("maxweight") == "20" for t in tags) == 2
    assert {"G55", "G22", "G208", "G309", "G341"} <= {r for t in tags for r in t.get("ref", "").split(";")}
    assert any(t.get("oneway") == "yes" for t in tags)
    assert all("name" in t and "maxspeed" in t for t in tags)


def test_pbf_has_the_same_content_as_xml(osm_counts: dict) -> None:
    xml, pbf = osm_counts["changzhi_roads.osm"], osm_counts["changzhi_roads.osm.pbf"]
    assert xml[0] == pbf[0] > 2000
    assert xml[1] == pbf[1] > 50
    assert xml[2] == pbf[2]


def test_every_place_is_near_a_road(
    ents: pd.DataFrame, stations: pd.DataFrame, swaps: pd.DataFrame, osm_nodes: pd.DataFrame
) -> None:
    assert osm_nodes.id.is_unique and (osm_nodes.id > 0).all()
    assert _in_bbox(osm_nodes.lon, osm_nodes.lat)

    def nearest_m(lon: float, lat: float) -> float:
        return float(_haversine_m(lon, lat, osm_nodes.lon, osm_nodes.lat).min())

    for r in ents.itertuples():
        # declared GCJ-02 / BD-09 values are shifted by a few hundred metres from the true place
        limit = 1000 if r.coord_crs == "WGS84" else 1800
        assert nearest_m(r.lon, r.lat) < limit, r.enterprise_id
    for df in (stations, swaps):
        assert all(nearest_m(r.lon, r.lat) < 1000 for r in df.itertuples())


def test_every_place_is_a_node_a_diesel_heavy_truck_can_reach(
    ents: pd.DataFrame, stations: pd.DataFrame, swaps: pd.DataFrame, regions: pd.DataFrame
) -> None:
    """Each place (enterprises at their true WGS-84 location) is a dead-end or junction node of the
    largest strongly connected part of the raw graph after removing what a 49 t diesel truck may not
    use: hgv=no, maxweight < 49, and edges whose midpoint lies in the restriction zone."""
    import networkx as nx
    import osmnx as ox
    from shapely.geometry import Point, shape

    from cleanfreight.network.crs import to_wgs84

    g = ox.graph_from_xml(NET / "changzhi_roads.osm", simplify=False, retain_all=True)
    zone = shape(
        json.loads((NET / "restriction_zone.geojson").read_text(encoding="utf-8"))["features"][0]["geometry"]
    )
    drop = []
    for u, v, k, d in g.edges(keys=True, data=True):
        mid = Point((g.nodes[u]["x"] + g.nodes[v]["x"]) / 2, (g.nodes[u]["y"] + g.nodes[v]["y"]) / 2)
        if d.get("hgv") == "no" or float(d.get("maxweight", 99)) < 49 or zone.contains(mid):
            drop.append((u, v, k))
    g.remove_edges_from(drop)
    assert len(drop) > 100  # the filters bite
    big = max(nx.strongly_connected_components(g), key=len)
    nodes = pd.DataFrame([(n, g.nodes[n]["x"], g.nodes[n]["y"]) for n in big], columns=["id", "lon", "lat"])
    true_lon, true_lat = [], []
    for r in ents.itertuples():
        x, y = to_wgs84(r.lon, r.lat, r.coord_crs)
        true_lon.append(float(x))
        true_lat.append(float(y))
    places = [*zip(true_lon, true_lat, strict=True)]
    for df in (stations, swaps, regions):
        places += list(zip(df.lon, df.lat, strict=True))
    for plon, plat in places:
        assert float(_haversine_m(plon, plat, nodes.lon, nodes.lat).min()) < 1.0, (plon, plat)


# ---------------------------------------------------------------------------------------------------
# regeneration


@pytest.mark.skipif(not (ROOT / "scripts" / "make_sample.py").exists(), reason="needs a source checkout")
def test_script_regenerates_the_same_bytes(tmp_path: Path) -> None:
    out = tmp_path / "pack"
    (out / "network").mkdir(parents=True)
    (out / "network" / "boundaries.geojson").write_bytes((NET / "boundaries.geojson").read_bytes())
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_sample.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert len(written) == 11  # 8 network files + 3 enterprise tables
    for rel in written:
        assert (out / rel).read_bytes() == (DATA / rel).read_bytes(), rel


def test_the_package_loader_accepts_the_sample() -> None:
    from cleanfreight.enterprises import load_enterprises

    roster = load_enterprises()
    assert len(roster.enterprises) == 40 and len(roster.flows) == 181
    gcj = roster.enterprises[roster.enterprises.coord_crs == "GCJ02"]
    shift_m = [
        float(_haversine_m(r.lon, r.lat, pd.Series([r.lon_declared]), pd.Series([r.lat_declared])).iloc[0])
        for r in gcj.itertuples()
    ]
    assert len(gcj) == 5 and all(400 < m < 900 for m in shift_m)  # the GCJ-02 offset really was applied
