"""Great-circle distance and the detour factor: the one definition every package uses.

Plumbing below every concept package (accounting, network, planning, dispatch import it; it imports
nothing of cleanfreight).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["DETOUR_FACTOR", "EARTH_RADIUS_KM", "haversine_km"]

#: mean Earth radius (IUGG), km
EARTH_RADIUS_KM = 6371.0088

#: road km per great-circle km where neither a road network nor a declared distance gives one
DETOUR_FACTOR = 1.3


def haversine_km(lon1: Any, lat1: Any, lon2: Any, lat2: Any, radius_km: float = EARTH_RADIUS_KM) -> Any:
    """Great-circle distance in km between WGS-84 points (scalars, arrays or Series; broadcasting) on a
    sphere of ``radius_km`` (the IUGG mean radius unless told)."""
    p1, p2 = np.radians(np.asarray(lat1, dtype=float)), np.radians(np.asarray(lat2, dtype=float))
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=float)) - np.radians(np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    out = 2 * radius_km * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(out) if np.ndim(out) == 0 else out
