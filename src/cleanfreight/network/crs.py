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

from cleanfreight.errors import InputError

__all__ = [
    "INPUT_CRS",
    "METRIC_CRS",
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
