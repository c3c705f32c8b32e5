"""Tiny hand-checkable report inputs, built once per session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon

from cleanfreight.reports import MapLayers, ReportOptions, enterprise_points

XSS = "<script>alert(1)</script>"
XSS_EN = "X`${alert(2)}</div><img src=x onerror=alert(3)>"
AREA_XSS = "上党区<img src=x onerror=alert(4)>"


@pytest.fixture(scope="session")
def enterprises() -> pd.DataFrame:
    """Five enterprises; city ratio 7.0 / 10.5 Mt = 66.7 %, two at or above 80 %."""
    return pd.DataFrame(
        {
            "enterprise_id": ["E1", "E2", "E3", "E4", "E5"],
            "name_zh": [XSS, "甲钢铁", "乙焦化", "丙电厂", "丁物流园"],
            "name_en": [XSS_EN, "Jia Steel", "Yi Coking", "Bing Power", "Ding Logistics"],
            "lon": [113.00, 113.10, 113.20, 113.05, 113.15],
            "lat": [36.10, 36.20, 36.30, 36.25, 36.05],
            "tonnes_total": [2_000_000.0, 4_000_000.0, 1_000_000.0, 3_000_000.0, 500_000.0],
            "clean_ratio": [0.9, 0.5, 0.7, 0.8, 0.2],
        }
    )


@pytest.fixture(scope="session")
def monthly(enterprises: pd.DataFrame) -> pd.DataFrame:
    """Three months; every enterprise gains 5 points a month (city: 56.7 %, 61.7 %, 66.7 %)."""
    rows = []
    for k, period in enumerate(["2025-01", "2025-02", "2025-03"]):
        for row in enterprises.itertuples():
            rows.append((period, row.enterprise_id, row.clean_ratio - 0.05 * (2 - k), row.tonnes_total / 12))
    return pd.DataFrame(rows, columns=["period", "enterprise_id", "clean_ratio", "tonnes_total"])


@pytest.fixture(scope="session")
def layers(enterprises: pd.DataFrame) -> MapLayers:
    """16 interactive features (5 enterprises, 2 rail, 2 spurs, 3 routes, 2 stations, 1 swap, 1 zone)
    over a non-interactive base (2 boundaries, 3 roads)."""
    crs = "EPSG:4326"
    rail = gpd.GeoDataFrame(
        {"name_zh": ["太焦线</script>", "邯长线"], "name_en": ["Taiyuan-Jiaozuo", "Handan-Changzhi"]},
        geometry=[LineString([(112.9, 36.0), (113.3, 36.4)]), LineString([(113.0, 36.2), (113.4, 36.1)])],
        crs=crs,
    )
    spurs = gpd.GeoDataFrame(
        {"name_zh": ["甲专用线", "乙专用线"], "status": ["existing", "planned"]},
        geometry=[LineString([(113.1, 36.2), (113.15, 36.25)]), LineString([(113.2, 36.3), (113.25, 36.3)])],
        crs=crs,
    )
    routes = gpd.GeoDataFrame(
        {"kind": ["rail", "truck_ne", "diesel"], "tonnes": [1e6, 5e5, 2e5]},
        geometry=[
            LineString([(112.95, 36.05), (113.1, 36.2)]),
            LineString([(113.1, 36.2), (113.12, 36.22), (113.05, 36.25)]),
            LineString([(113.15, 36.05), (113.2, 36.0)]),
        ],
        crs=crs,
    )
    stations = gpd.GeoDataFrame(
        {
            "station_id": ["S1", "S2"],
            "name_zh": ["长治北", "长治南"],
            "name_en": ["Changzhi North", "Changzhi South"],
            "handling_capacity_t_per_year": [1e7, 5e6],
            "tonnes_used": [9.5e6, 1e6],
            "loading_hours": ["00:00-24:00", ""],
        },
        geometry=[Point(113.12, 36.22), Point(113.08, 36.08)],
        crs=crs,
    )
    swaps = gpd.GeoDataFrame(
        {
            "swap_id": ["W1"],
            "name_zh": ["换电站一"],
            "kind": ["swap"],
            "swaps_per_day": [180],
            "power_kw": [2400],
        },
        geometry=[Point(113.16, 36.18)],
        crs=crs,
    )
    zone = gpd.GeoDataFrame(
        {
            "zone_id": ["Z1"],
            "name_zh": ["中心城区限行区"],
            "hgv_banned_hours": ["07:00-21:00"],
            "new_energy_exempt": [True],
        },
        geometry=[Polygon([(113.08, 36.18), (113.14, 36.18), (113.14, 36.24), (113.08, 36.24)])],
        crs=crs,
    )
    boundaries = gpd.GeoDataFrame(
        {"name_zh": ["潞州区", AREA_XSS]},
        geometry=[
            Polygon([(112.8, 35.9), (113.1, 35.9), (113.1, 36.5), (112.8, 36.5)]),
            Polygon([(113.1, 35.9), (113.5, 35.9), (113.5, 36.5), (113.1, 36.5)]),
        ],
        crs=crs,
    )
    roads = gpd.GeoDataFrame(
        {"highway": ["motorway", "primary", "residential"]},
        geometry=[
            LineString([(112.9, 36.3), (113.4, 36.3)]),
            LineString([(113.0, 36.0), (113.0, 36.4)]),
            LineString([(113.1, 36.15), (113.12, 36.15)]),
        ],
        crs=crs,
    )
    return MapLayers(
        enterprises=enterprise_points(enterprises),
        rail=rail,
        spurs=spurs,
        routes=routes,
        stations=stations,
        swap_stations=swaps,
        restriction_zone=zone,
        boundaries=boundaries,
        roads=roads,
    )


INTERACTIVE = 16
BASE_PATHS = 5


@pytest.fixture(scope="session")
def zh_options() -> ReportOptions:
    return ReportOptions(lang="zh", rulebook="changzhi-2024", generated=dt.date(2025, 4, 1), sample=True)


@pytest.fixture(scope="session")
def map_html(layers: MapLayers, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cleanfreight.reports import make_map, save_map

    return save_map(make_map(layers, lang="zh", tiles=["osm"]), tmp_path_factory.mktemp("map") / "map.html")
