from __future__ import annotations

import numpy as np
import pytest

from cleanfreight.network.crs import (
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_gcj02,
)

# Reference values computed independently with the `coord_convert` / `eviltransform` packages
# (published GCJ-02 algorithm); Changzhi city centre.
CZ_WGS = (113.117, 36.195)
CZ_GCJ = (113.1236642543039, 36.19516610266019)
CZ_BD = (113.13018603309564, 36.201051226716146)


def test_wgs84_to_gcj02_known_offset() -> None:
    lon, lat = wgs84_to_gcj02(*CZ_WGS)
    assert lon == pytest.approx(CZ_GCJ[0], abs=1e-7)
    assert lat == pytest.approx(CZ_GCJ[1], abs=1e-7)
    # the offset in Changzhi is about 600 m east
    east_m = (lon - CZ_WGS[0]) * 111_320 * np.cos(np.radians(36.195))
    assert 550 < east_m < 650


def test_gcj02_round_trip_below_a_millimetre() -> None:
    lon, lat = gcj02_to_wgs84(*CZ_GCJ)
    assert lon == pytest.approx(CZ_WGS[0], abs=1e-8)
    assert lat == pytest.approx(CZ_WGS[1], abs=1e-8)


def test_bd09() -> None:
    assert gcj02_to_bd09(*CZ_WGS) == pytest.approx((113.12355486514915, 36.200782129540784), abs=1e-9)
    lon, lat = bd09_to_wgs84(*CZ_BD)
    assert lon == pytest.approx(CZ_WGS[0], abs=2e-6)
    assert lat == pytest.approx(CZ_WGS[1], abs=2e-6)


def test_vectorised_and_outside_china_unchanged() -> None:
    lon, lat = wgs84_to_gcj02(np.array([113.117, 2.35]), np.array([36.195, 48.85]))
    assert lon[0] == pytest.approx(CZ_GCJ[0], abs=1e-7)
    assert (lon[1], lat[1]) == (2.35, 48.85)  # Paris: no offset outside China


def test_to_wgs84_names() -> None:
    assert to_wgs84(*CZ_GCJ, "gcj-02") == pytest.approx(CZ_WGS, abs=1e-8)
    x, y = to_wgs84(113.0, 36.0, "CGCS2000")
    assert x == pytest.approx(113.0, abs=1e-6) and y == pytest.approx(36.0, abs=1e-6)
    with pytest.raises(ValueError, match="GCJ02"):
        to_wgs84(1, 2, "mars")
