"""Session-wide fixtures: tiny inputs built once, and an isolated cache folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests._factory import grid_spec, write_csv, write_osm


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["CLEANFREIGHT_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def grid_osm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4 x 4 grid of two-way roads near Changzhi, 0.01 degree apart."""
    nodes, ways = grid_spec()
    return write_osm(tmp_path_factory.mktemp("osm") / "grid.osm", nodes, ways)


@pytest.fixture(scope="session")
def roster_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three enterprises with hand-checkable flows and splits."""
    d = tmp_path_factory.mktemp("roster")
    write_csv(d / "enterprises.csv", ["enterprise_id", "name_zh", "name_en", "industry", "district", "lon", "lat",
                                      "coord_crs", "existing_spur"], [
        ("E1", "示例钢厂", "Sample Steel", "steel", "潞州区", 113.11, 36.19, "WGS84", "S1"),
        ("E2", "示例焦化", "Sample Coking", "coking", "潞城区", 113.12, 36.20, "WGS84", ""),
        ("E3", "示例电厂", "Sample Power", "power", "上党区", 113.13, 36.21, "GCJ02", ""),
    ])
    write_csv(d / "flows.csv", ["flow_id", "enterprise_id", "commodity", "direction", "tonnes_per_year",
                                "region_id", "road_km", "rail_km", "station_id"], [
        ("E1-F1", "E1", "iron_ore", "in", 1_000_000, "R1", 50, 800, ""),
        ("E1-F2", "E1", "steel", "out", 500_000, "R1", 50, 800, ""),
        ("E2-F1", "E2", "coal", "in", 2_000_000, "R1", 40, 100, ""),
        ("E2-F2", "E2", "coke", "out", 1_000_000, "R2", 60, 900, ""),
        ("E3-F1", "E3", "coal", "in", 3_000_000, "R1", 30, 100, ""),
    ])
    write_csv(d / "mode_split.csv", ["flow_id", "mode", "share_pct"], [
        ("E1-F1", "rail_spur", 90), ("E1-F1", "truck_cn6", 10),
        ("E1-F2", "rail_station_diesel", 60), ("E1-F2", "truck_ne", 40),
        ("E2-F1", "truck_cn5", 50), ("E2-F1", "rail_station_ne", 50),
        ("E2-F2", "truck_cn6", 100),
        ("E3-F1", "conveyor", 70), ("E3-F1", "truck_ne", 30),
    ])
    return d
