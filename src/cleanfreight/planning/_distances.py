"""Road distances and times between enterprises, freight stations and region gateways.

The planner needs two rectangular tables: enterprise → station and enterprise → region gateway. They
come from the road network (:func:`cleanfreight.network.road_matrix`) when one is given, else from the
great-circle distance times a detour factor (for synthetic instances and tests).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cleanfreight._geo import DETOUR_FACTOR, haversine_km

__all__ = ["DETOUR_FACTOR", "RoadDistances", "haversine_km", "straight_distances"]

log = logging.getLogger(__name__)


PathFn = Callable[[int, int], list[tuple[float, float]]]


@dataclass(frozen=True)
class RoadDistances:
    """Road km and hours from each enterprise (rows) to each station / region gateway (columns).

    ``path_lonlat(kind, i, j)`` gives the road path of one pair as lon/lat points when a road network
    was used (``kind`` is ``"station"`` or ``"region"``), else ``None``.
    """

    station_km: np.ndarray
    station_h: np.ndarray
    region_km: np.ndarray
    region_h: np.ndarray
    method: str = "straight"
    paths: Callable[[str, int, int], list[tuple[float, float]] | None] | None = field(
        default=None, compare=False, repr=False
    )

    def path_lonlat(self, kind: str, i: int, j: int) -> list[tuple[float, float]] | None:
        if self.paths is None:
            return None
        try:
            return self.paths(kind, i, j)
        except Exception:  # a missing path only costs the map a straight line
            log.debug("no road path for %s %d-%d", kind, i, j, exc_info=True)
            return None


def _pairwise(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    if len(src) == 0 or len(dst) == 0:
        return np.zeros((len(src), len(dst)))
    return haversine_km(src[:, None, 0], src[:, None, 1], dst[None, :, 0], dst[None, :, 1])


def straight_distances(
    ent_lonlat: np.ndarray,
    station_lonlat: np.ndarray,
    region_lonlat: np.ndarray,
    speed_kmh: float = 50.0,
    detour: float = DETOUR_FACTOR,
) -> RoadDistances:
    """Great-circle km x ``detour`` and hours at ``speed_kmh`` (no road network)."""
    skm = _pairwise(ent_lonlat, station_lonlat) * detour
    rkm = _pairwise(ent_lonlat, region_lonlat) * detour
    return RoadDistances(skm, skm / speed_kmh, rkm, rkm / speed_kmh, method=f"great-circle x {detour}")


def network_distances(
    graph: object,
    ent_lonlat: np.ndarray,
    station_lonlat: np.ndarray,
    region_lonlat: np.ndarray,
    speed_kmh: float = 50.0,
) -> RoadDistances:
    """Distances on the heavy-truck road graph (:func:`cleanfreight.network.road_matrix`), enterprise -> x.

    Enterprises and stations are joined to the nearest road a truck can enter from the side (not a
    motorway or a restricted way), region gateways to any road. Pairs the network cannot connect
    fall back to great-circle km x 1.3 (logged).
    """
    from cleanfreight.network import road_matrix

    n_s = len(station_lonlat)
    dest = np.vstack([station_lonlat, region_lonlat])
    # enterprises and stations join a road a truck can enter from the side (not an expressway);
    # region gateways may sit on any road
    side = [True] * n_s + [False] * len(region_lonlat)
    tm = road_matrix(graph, ent_lonlat, dest, destination_side_only=side)  # type: ignore[arg-type]
    dist = np.asarray(tm.distance_km, dtype=float)
    time = np.asarray(tm.time_h, dtype=float)
    bad = ~np.isfinite(dist) | ~np.isfinite(time)
    if bad.any():
        log.warning(
            "%d enterprise-destination pairs unreachable on the road network; using great-circle x %.1f",
            int(bad.sum()),
            DETOUR_FACTOR,
        )
        approx = _pairwise(ent_lonlat, dest) * DETOUR_FACTOR
        dist = np.where(bad, approx, dist)
        time = np.where(bad, approx / speed_kmh, time)

    def paths(kind: str, i: int, j: int) -> list[tuple[float, float]] | None:
        col = j if kind == "station" else n_s + j
        pts = list(tm.path_lonlat(i, col))
        return pts or None

    return RoadDistances(
        dist[:, :n_s], time[:, :n_s], dist[:, n_s:], time[:, n_s:], method="road network", paths=paths
    )
