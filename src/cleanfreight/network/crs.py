"""Coordinate systems met in Chinese freight data, and conversion to WGS-84.

- **WGS-84** (EPSG:4326): OSM, GPS.
- **CGCS2000** (EPSG:4490): official Chinese data; within centimetres of WGS-84, converted with pyproj.
- **GCJ-02** ("Mars coordinates"): Amap/Gaode, Tencent; WGS-84 plus an obfuscating offset of a few
  hundred metres. Not an EPSG CRS, so PROJ cannot do it; the published forward formula is
  implemented here with numpy (vectorised) and inverted by fixed-point iteration to < 1 mm.
- **BD-09**: Baidu; GCJ-02 with a further rotation/offset.

Measure lengths in a projected CRS: UTM zone 49N (EPSG:32649) covers Changzhi.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from cleanfreight.errors import InputError, Problem

__all__ = [
    "INPUT_CRS",
    "METRIC_CRS",
    "as_lonlat",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "in_china",
    "to_wgs84",
    "wgs84_to_gcj02",
]

METRIC_CRS = "EPSG:32649"
"""Projected CRS used for lengths and snapping (UTM 49N, metres)."""

INPUT_CRS = ("WGS84", "GCJ02", "BD09", "CGCS2000")

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by the GCJ-02 formula
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0


def in_china(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Rough bounding box of China (the GCJ-02 offset applies only inside)."""
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon_a >= 72.004) & (lon_a <= 137.8347) & (lat_a >= 0.8293) & (lat_a <= 55.8271)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _out(lon: np.ndarray, lat: np.ndarray, scalar: bool) -> tuple[Any, Any]:
    return (float(lon), float(lat)) if scalar else (lon, lat)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Any, Any]:
    """WGS-84 → GCJ-02 (scalars or arrays; points outside China are returned unchanged)."""
    scalar = np.ndim(lon) == 0
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon_a, lat_a)
    return _out(lon_a + dlon, lat_a + dlat, scalar)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike, *, tol: float = 1e-10, max_iter: int = 30) -> tuple[Any, Any]:
    """GCJ-02 → WGS-84 by fixed-point iteration of the forward formula (error < 1 mm)."""
    scalar = np.ndim(lon) == 0
    glon, glat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = np.asarray(flon) - glon, np.asarray(flat) - glat
        wlon, wlat = wlon - elon, wlat - elat
        if np.all(np.abs(elon) < tol) and np.all(np.abs(elat) < tol):
            break
    return _out(wlon, wlat, scalar)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Any, Any]:
    """GCJ-02 → BD-09 (Baidu)."""
    scalar = np.ndim(lon) == 0
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return _out(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006, scalar)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Any, Any]:
    """BD-09 (Baidu) → GCJ-02."""
    scalar = np.ndim(lon) == 0
    x, y = np.asarray(lon, dtype=float) - 0.0065, np.asarray(lat, dtype=float) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return _out(z * np.cos(theta), z * np.sin(theta), scalar)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Any, Any]:
    """BD-09 (Baidu) → WGS-84."""
    glon, glat = bd09_to_gcj02(lon, lat)
    return gcj02_to_wgs84(glon, glat)


def to_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str) -> tuple[Any, Any]:
    """Convert from any of :data:`INPUT_CRS` (case and dashes ignored: ``gcj-02`` works) to WGS-84."""
    key = crs.upper().replace("-", "").replace("_", "").replace(" ", "")
    key = {"EPSG4326": "WGS84", "EPSG4490": "CGCS2000", "BD09LL": "BD09"}.get(key, key)
    if key == "WGS84":
        lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        return (float(lon_a), float(lat_a)) if lon_a.ndim == 0 else (lon_a, lat_a)
    if key == "GCJ02":
        return gcj02_to_wgs84(lon, lat)
    if key == "BD09":
        return bd09_to_wgs84(lon, lat)
    if key == "CGCS2000":
        from pyproj import Transformer

        tr = Transformer.from_crs("EPSG:4490", "EPSG:4326", always_xy=True)
        x, y = tr.transform(lon, lat)
        return (float(x), float(y)) if np.ndim(lon) == 0 else (np.asarray(x), np.asarray(y))
    raise InputError(f"unknown coordinate system {crs!r}; expected one of {', '.join(INPUT_CRS)}")


def _likely_crs(x: float, y: float) -> tuple[str, str]:
    """The projected CRS metre coordinates ``(x, y)`` near Changzhi most likely use: (text, EPSG code)."""
    if 38_000_000 <= x < 39_000_000:
        return "CGCS2000 / 3-degree Gauss-Kruger zone 38 (EPSG:4526, easting with the zone number)", "EPSG:4526"
    if 3_700_000 <= y <= 4_300_000:
        if 550_000 <= x <= 850_000:
            return "UTM zone 49N (EPSG:32649; CGCS2000 / UTM 49N is EPSG:4509)", "EPSG:32649"
        if 250_000 <= x < 550_000:
            return "CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547)", "EPSG:4547"
    return (
        "a projected CRS in metres (for Changzhi usually UTM 49N, EPSG:32649, or CGCS2000 3-degree GK CM 114E, "
        "EPSG:4547)",
        "EPSG:32649",
    )


def as_lonlat(gdf: Any, source: str | Any, what: str = "geometry") -> Any:
    """``gdf`` in WGS-84 longitude / latitude (EPSG:4326), refusing coordinates that cannot be.

    - A file with a CRS is reprojected.
    - A file without a CRS is taken as longitude / latitude only if every coordinate is in range;
      otherwise it is refused with the CRS its numbers most likely use (metres near Changzhi: UTM
      49N, EPSG:32649, or CGCS2000 3-degree Gauss-Kruger CM 114E, EPSG:4547) and how to declare it.
    - Latitude / longitude written the wrong way round (x like 36, y like 113 in China) is refused.

    Raises
    ------
    InputError
        With the file, the coordinate range found and the fix.
    """
    src = str(source)
    if len(gdf) == 0 or gdf.geometry.isna().all():
        return gdf.set_crs("EPSG:4326", allow_override=True) if gdf.crs is None else gdf.to_crs("EPSG:4326")
    declared = gdf.crs is not None and not gdf.crs.is_geographic
    if declared:
        gdf = gdf.to_crs("EPSG:4326")
    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
    if not np.isfinite([minx, miny, maxx, maxy]).all():
        raise InputError(f"{src}: the {what} has coordinates that are not finite numbers")
    swapped = minx >= 15 and maxx <= 56 and miny >= 70 and maxy <= 140
    if swapped:
        raise InputError(
            f"{src}: the {what} has latitude and longitude swapped",
            [
                Problem(
                    f"x {minx:.3f} to {maxx:.3f}, y {miny:.3f} to {maxy:.3f}: x looks like a latitude and y like a "
                    "longitude (Changzhi is near 113.1 E, 36.2 N); write longitude first (GeoJSON is [lon, lat])",
                    file=src,
                )
            ],
        )
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        # no CRS, or one that says degrees (GeoJSON without a "crs" member reads as WGS-84)
        likely, code = _likely_crs((minx + maxx) / 2, (miny + maxy) / 2)
        raise InputError(
            f"{src}: the {what} has coordinates that are not longitude / latitude and no projected CRS",
            [
                Problem(
                    f"x {minx:,.0f} to {maxx:,.0f}, y {miny:,.0f} to {maxy:,.0f} look like metres, likely "
                    f"{likely}; declare the CRS in the file (e.g. `ogr2ogr -a_srs {code} out.gpkg in.shp`, "
                    "or a .prj beside a shapefile) or convert it to WGS-84",
                    file=src,
                )
            ],
        )
    if not declared:
        gdf = gdf.set_crs("EPSG:4326") if gdf.crs is None else gdf.to_crs("EPSG:4326")
    return gdf
