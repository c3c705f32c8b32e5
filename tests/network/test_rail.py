from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from cleanfreight._paths import sample_file
from cleanfreight.errors import InputError
from cleanfreight.network import load_rail, load_rail_osm, load_stations


@pytest.fixture(scope="module")
def rail_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"line_id": ["M1", "S1"], "name_zh": ["干线", "专用线"], "kind": ["mainline", "spur"],
         "status": ["existing", "planned"]},
        geometry=[shapely.LineString([(113.0, 36.0), (113.2, 36.2)]),
                  shapely.LineString([(113.1, 36.1), (113.12, 36.08)])],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp"])
def test_rail_vector_formats(rail_frame: gpd.GeoDataFrame, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"rail{suffix}"
    rail_frame.to_crs("EPSG:4547").to_file(path)  # CGCS2000 / 3-degree GK CM 114E: converted back on load
    g = load_rail(path)
    assert g.crs.to_epsg() == 4326
    assert list(g["kind"]) == ["mainline", "spur"]
    assert g.geometry.iloc[0].coords[0] == pytest.approx((113.0, 36.0), abs=1e-6)
    assert g.attrs["source"].endswith(f"rail{suffix}")


def test_rail_bad_kind_listed(rail_frame: gpd.GeoDataFrame, tmp_path: Path) -> None:
    bad = rail_frame.assign(kind=["mainline", "monorail"])
    path = tmp_path / "bad.geojson"
    bad.to_file(path)
    with pytest.raises(InputError, match="monorail"):
        load_rail(path)


def test_rail_from_osm_tags(helsinki_pbf: Path) -> None:
    g = load_rail_osm(helsinki_pbf)
    assert len(g) > 50
    assert set(g["kind"]) <= {"mainline", "spur"}
    assert g.total_bounds[0] > 24.8 and g.total_bounds[2] < 25.1  # Helsinki


def test_sample_stations() -> None:
    st = load_stations(sample_file("network", "stations.csv"))
    czb = st.set_index("station_id").loc["CZB"]
    assert czb["name_zh"] == "长治北"
    assert czb["handling_capacity_t_per_year"] > 0
