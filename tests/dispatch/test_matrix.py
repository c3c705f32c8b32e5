"""The straight-line fallback matrix."""

from __future__ import annotations

import numpy as np
import pytest

from cleanfreight.dispatch import haversine_matrix
from cleanfreight.errors import InputError


def test_haversine_matrix_hand_values() -> None:
    # one degree of latitude is 111.195 km on the mean-radius sphere (6371.0088 km x pi / 180)
    m = haversine_matrix([(113.0, 36.0), (113.0, 37.0)], detour_factor=1.5, speed_kmh=50)
    assert m.distance_km[0, 1] == pytest.approx(111.195 * 1.5, rel=1e-4)
    assert m.time_h[0, 1] == pytest.approx(111.195 * 1.5 / 50, rel=1e-4)
    assert np.allclose(np.diag(m.distance_km), 0) and np.allclose(m.distance_km, m.distance_km.T)
    assert m.path_lonlat(0, 1) == [(113.0, 36.0), (113.0, 37.0)]


def test_haversine_matrix_rejects_bad_settings() -> None:
    with pytest.raises(InputError) as err:
        haversine_matrix([(113.0, float("nan"))], detour_factor=0.5, speed_kmh=0)
    assert len(err.value.problems) == 3
