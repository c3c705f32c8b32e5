"""Vector inputs are longitude / latitude or say their CRS: metres without one and swapped axes are refused."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon

from cleanfreight.errors import InputError
from cleanfreight.network.crs import as_lonlat

SQUARE_UTM = Polygon([(680000, 4005000), (700000, 4005000), (700000, 4020000), (680000, 4020000)])


def test_a_declared_projected_crs_is_reprojected() -> None:
    gdf = as_lonlat(gpd.GeoDataFrame(geometry=[SQUARE_UTM], crs="EPSG:32649"), "zones.gpkg")
    minx, miny, maxx, maxy = gdf.total_bounds
    assert gdf.crs.to_epsg() == 4326
    assert 113.0 < minx < maxx < 113.3 and 36.1 < miny < maxy < 36.35


@pytest.mark.parametrize(
    ("geom", "crs", "expected"),
    [
        (SQUARE_UTM, None, "EPSG:32649"),
        (SQUARE_UTM, "EPSG:4326", "EPSG:32649"),  # GeoJSON without a crs member reads as WGS-84
        (Polygon([(410000, 4005000), (430000, 4005000), (430000, 4020000)]), None, "EPSG:4547"),
        (Point(38_420_000, 4_010_000), None, "EPSG:4526"),
        (Point(36.2, 113.1), None, "latitude and longitude swapped"),
        (Point(36.2, 113.1), "EPSG:4326", "latitude and longitude swapped"),
    ],
)
def test_metres_without_crs_and_swapped_axes_are_refused(geom: object, crs: str | None, expected: str) -> None:
    with pytest.raises(InputError) as err:
        as_lonlat(gpd.GeoDataFrame(geometry=[geom], crs=crs), "zones.geojson", "restriction zone")
    assert expected in str(err.value) and "zones.geojson" in str(err.value)


def test_lonlat_without_crs_is_taken_as_wgs84() -> None:
    gdf = as_lonlat(gpd.GeoDataFrame(geometry=[Point(113.1, 36.2)]), "stations.geojson")
    assert gdf.crs.to_epsg() == 4326 and gdf.geometry.iloc[0].x == 113.1
