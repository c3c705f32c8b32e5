"""Building map layers from planner routes and user files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString

from cleanfreight.errors import InputError
from cleanfreight.reports import guess_layer, layers_from_files, read_layer_file
from cleanfreight.reports.layers import merge_routes, route_kind


def test_route_kind_from_planner_legs() -> None:
    assert route_kind("rail", "rail_station_ne") == "rail"
    assert route_kind("spur", "rail_spur") == "rail"
    assert route_kind("short_haul", "rail_station_ne") == "ne"
    assert route_kind("short_haul", "rail_station_diesel") == "diesel"
    assert route_kind("road", "truck_ne") == "ne"
    assert route_kind("road", "truck_cn5") == "diesel"
    assert route_kind("conveyor", "conveyor") == "other"


def test_merge_routes_sums_flows_on_the_same_line() -> None:
    a = LineString([(113.0, 36.0), (113.1, 36.1)])
    b = LineString([(113.1, 36.1), (113.2, 36.1)])
    legs = gpd.GeoDataFrame(
        {
            "leg": ["rail", "rail", "short_haul", "short_haul", "road"],
            "mode": [
                "rail_station_ne",
                "rail_station_diesel",
                "rail_station_ne",
                "rail_station_diesel",
                "truck_ne",
            ],
            "tonnes": [100.0, 50.0, 100.0, 50.0, 7.0],
        },
        geometry=[a, a, b, b, b],
        crs=4326,
    )
    out = merge_routes(legs)
    got = {(r.kind, r.geometry.wkt): (r.tonnes, r.flows) for r in out.itertuples()}
    assert got == {
        ("rail", a.wkt): (150.0, 2),  # both rail legs share the line: one feature
        ("ne", b.wkt): (107.0, 2),  # new-energy short-haul + new-energy direct on the same road
        ("diesel", b.wkt): (50.0, 1),
    }


def test_user_csv_in_gcj02_is_converted(tmp_path: Path) -> None:
    from cleanfreight.network.crs import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(113.1, 36.2)
    csv = tmp_path / "plants.csv"
    csv.write_text(
        f"# from Amap\nenterprise_id,name_zh,lon,lat,coord_crs,clean_ratio\nM1,我的厂,{lon},{lat},GCJ02,0.5\n",
        encoding="utf-8",
    )
    gdf = read_layer_file(csv)
    assert gdf.geometry.x.iloc[0] == pytest.approx(113.1, abs=1e-7)
    assert gdf.geometry.y.iloc[0] == pytest.approx(36.2, abs=1e-7)
    layers = layers_from_files([str(csv)])
    ent = layers.enterprises
    assert ent is not None and list(ent["name_en"]) == ["我的厂"] and list(ent["tonnes_total"]) == [1.0]
    assert ent.crs.to_epsg() == 4326  # the map layer is converted too, not only the file read
    assert ent.geometry.x.iloc[0] == pytest.approx(113.1, abs=1e-7)
    assert ent.geometry.y.iloc[0] == pytest.approx(36.2, abs=1e-7)


def test_guess_and_name_layers(tmp_path: Path) -> None:
    lines = gpd.GeoDataFrame({"kind": ["spur"]}, geometry=[LineString([(113, 36), (113.1, 36.1)])], crs=4326)
    assert guess_layer(lines) == "spurs"
    assert guess_layer(lines.assign(kind="mainline")) == "rail"
    assert guess_layer(lines.assign(kind="truck_ne")) == "routes"
    assert guess_layer(lines.drop(columns="kind").assign(highway="primary")) == "roads"
    path = tmp_path / "l.geojson"
    lines.assign(kind="truck_ne").to_file(path)
    assert layers_from_files([f"routes={path}"]).routes is not None
    named = layers_from_files([f"rail={path}"])  # NAME= wins over the guess: rail, and not routes too
    assert named.rail is not None and len(named.rail) == 1 and named.routes is None


def test_unreadable_files_are_all_listed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        layers_from_files([str(bad), str(tmp_path / "missing.geojson")])
    assert {p.file for p in err.value.problems} == {str(bad), str(tmp_path / "missing.geojson")}


@pytest.mark.browser
def test_dispatch_routes_file_is_split_by_content(tmp_path: Path) -> None:
    """`map --layer routes.geojson` of a dispatch day: routes, stations, swap stations, sites (issue 11)."""
    from cleanfreight.dispatch import load_scenario, solve_dispatch
    from cleanfreight.reports import make_map, save_map
    from tests.dispatch.conftest import DATA

    day = solve_dispatch(load_scenario(DATA / "day12_4trucks.toml"))
    day.write(tmp_path, lang="zh")
    layers = layers_from_files([str(tmp_path / "routes.geojson")])
    assert len(layers.routes) == 4 and set(layers.routes["kind"]) == {"ne"}
    assert list(layers.stations["station_id"]) == ["ST-LC"]
    assert list(layers.swap_stations["swap_id"]) == ["SW-LC"]
    assert sorted(layers.enterprises["enterprise_id"]) == ["COKE-A", "DEPOT", "STEEL-B"]
    assert layers.boundaries is None  # not read as district boundaries
    page = save_map(make_map(layers, lang="zh"), tmp_path / "map.html")
    _dom_check(page, tmp_path)


def _dom_check(page: Path, tmp_path: Path) -> None:
    """In Chromium: every feature drawn as a vector, no image marker (a broken icon offline)."""
    import re

    from tests.reports._browser import count_interactive, dump_dom, js_error

    dom = dump_dom(page, tmp_path / "profile")
    assert js_error(dom) is None
    assert not re.search(r"<img[^>]*leaflet-marker-icon", dom)
    assert count_interactive(dom) == 4 + 1 + 1 + 3  # routes, station, swap station, sites


def test_mixed_geometry_file_split(tmp_path: Path) -> None:
    import geopandas as gpd
    import shapely

    gdf = gpd.GeoDataFrame(
        {"kind": ["truck_ne", "x"], "station_id": [None, "S1"]},
        geometry=[shapely.LineString([(113.1, 36.2), (113.2, 36.3)]), shapely.Point(113.1, 36.2)],
        crs="EPSG:4326",
    )
    path = tmp_path / "mixed.geojson"
    gdf.to_file(path, driver="GeoJSON")
    layers = layers_from_files([str(path)])
    assert len(layers.routes) == 1 and len(layers.stations) == 1 and layers.boundaries is None
