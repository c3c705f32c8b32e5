"""Travel matrices for dispatch: a straight-line fallback with the same shape as the road engine's.

The dispatch model takes any object with ``distance_km`` and ``time_h`` (n x n arrays over the
scenario's places, in :attr:`Scenario.places` order) and, optionally, ``path_lonlat(i, j)``. The
road engine's :func:`cleanfreight.network.road_matrix` returns exactly that; :func:`haversine_matrix`
is the offline fallback used by the unit tests and when no road network is given.

:class:`FleetMatrices` holds one matrix for new-energy trucks and, where their roads differ (a
heavy-truck restriction zone that exempts new-energy trucks), another for all other trucks;
:func:`cleanfreight.dispatch.road_matrices` builds it from the road network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from cleanfreight._geo import DETOUR_FACTOR, haversine_km
from cleanfreight.errors import InputError, Problem

__all__ = [
    "MATRIX_CLASSES",
    "FleetMatrices",
    "MatrixLike",
    "StraightLineMatrix",
    "haversine_km",
    "haversine_matrix",
]



class MatrixLike(Protocol):
    """What the dispatch model needs from a travel matrix."""

    @property
    def distance_km(self) -> np.ndarray: ...

    @property
    def time_h(self) -> np.ndarray: ...


#: Names of the matrix classes: new-energy trucks, and all others (diesel).
MATRIX_CLASSES: tuple[str, str] = ("new_energy", "diesel")


@dataclass(frozen=True, eq=False)
class FleetMatrices:
    """Travel matrices by truck class: each truck drives on the roads open to it.

    Attributes
    ----------
    new_energy
        The matrix of new-energy truck types (``powertrain`` with ``new_energy``: battery, fuel-cell).
    diesel
        The matrix of every other truck type; ``None`` when they drive on the same roads as the
        new-energy trucks (no restriction zone tells them apart, or no such truck in the fleet).
    blocked
        Per class (:data:`MATRIX_CLASSES`), the place ids lying inside a restriction zone that
        applies to that class; their rows and columns are ``inf`` in that class's matrix, and loads
        there are reported ``restriction_zone`` when no other truck can take them.
    """

    new_energy: MatrixLike
    diesel: MatrixLike | None = None
    blocked: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def class_of(self, new_energy: bool) -> str:
        """The class name a truck uses: ``new_energy``, or ``diesel`` if there is a separate matrix."""
        return "new_energy" if new_energy or self.diesel is None else "diesel"

    def matrix(self, cls: str) -> MatrixLike:
        """The matrix of class ``cls``."""
        if cls == "diesel" and self.diesel is not None:
            return self.diesel
        return self.new_energy


@dataclass(frozen=True, eq=False)
class StraightLineMatrix:
    """Great-circle distance x detour factor, at a constant speed.

    Attributes
    ----------
    distance_km, time_h
        n x n arrays.
    points
        The (lon, lat) points, for :meth:`path_lonlat`.
    detour_factor, speed_kmh
        The assumptions used.
    """

    distance_km: np.ndarray
    time_h: np.ndarray
    points: tuple[tuple[float, float], ...]
    detour_factor: float
    speed_kmh: float

    def path_lonlat(self, i: int, j: int) -> list[tuple[float, float]]:
        """A straight segment from point ``i`` to point ``j``."""
        return [self.points[i], self.points[j]]


def haversine_matrix(
    points_lonlat: Sequence[tuple[float, float]] | np.ndarray,
    *,
    detour_factor: float = DETOUR_FACTOR,
    speed_kmh: float = 40.0,
) -> StraightLineMatrix:
    """Road-like distances from straight lines: great-circle km x ``detour_factor``.

    Parameters
    ----------
    points_lonlat
        WGS-84 (lon, lat) points.
    detour_factor
        Ratio of road to straight-line distance (1.2-1.4 is typical for regional roads; an
        assumption, replace it with the road network when available).
    speed_kmh
        Average loaded heavy-truck speed, also an assumption.

    Returns
    -------
    StraightLineMatrix
        With ``distance_km`` and ``time_h``.
    """
    problems = []
    if not detour_factor >= 1.0:
        problems.append(Problem("must be >= 1", column="detour_factor", value=detour_factor))
    if not speed_kmh > 0:
        problems.append(Problem("must be > 0", column="speed_kmh", value=speed_kmh))
    pts = np.asarray(points_lonlat, dtype=float).reshape(-1, 2)
    if not np.isfinite(pts).all():
        problems.append(Problem("coordinates must be finite numbers"))
    if problems:
        raise InputError("invalid straight-line matrix settings", problems)
    lon, lat = pts[:, 0], pts[:, 1]
    km = haversine_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :]) * detour_factor
    return StraightLineMatrix(
        distance_km=km,
        time_h=km / speed_kmh,
        points=tuple((float(a), float(b)) for a, b in pts),
        detour_factor=float(detour_factor),
        speed_kmh=float(speed_kmh),
    )
