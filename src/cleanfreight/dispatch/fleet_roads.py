"""Road travel matrices for a dispatch scenario: one per truck class (new-energy, diesel).

New-energy trucks are exempt from the inner-city heavy-truck restriction zone (where the zone says
so, ``new_energy_exempt``); diesel trucks are not. :func:`road_matrices` therefore builds the
new-energy truck graph for the new-energy truck types and, only when the fleet has another type and
a zone tells the two apart, the diesel graph (zone edges removed) for the others. A place inside a
zone that applies to a class cannot be reached by that class at all: its row and column are
``inf`` in that class's matrix (on the graph it would snap to a road outside the zone).

The zone applies all day on the roads; the time-of-day truck bans of the scenario's sites
(``banned_hours``) are applied at the sites by the model.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cleanfreight.dispatch.scenario import Scenario
from cleanfreight.dispatch.travel import FleetMatrices, MatrixLike

if TYPE_CHECKING:
    from cleanfreight.network import NetworkFiles

__all__ = ["road_matrices"]

logger = logging.getLogger(__name__)


def _exempt(zones: Any) -> np.ndarray:
    """Which zones exempt new-energy trucks (the road engine's rule: ``new_energy_exempt`` true)."""
    if "new_energy_exempt" not in zones:
        return np.zeros(len(zones), dtype=bool)
    return zones["new_energy_exempt"].astype(str).str.lower().isin(["true", "1", "yes"]).to_numpy()


def _zone_area(zones: Any, new_energy: bool) -> Any:
    """Union (WGS-84) of the zones that apply to a truck, or ``None``."""
    import shapely

    if zones is None or not len(zones):
        return None
    z = zones[~_exempt(zones)] if new_energy else zones
    return shapely.union_all(z.geometry.values) if len(z) else None


def _block(matrix: Any, blocked: list[int]) -> Any:
    """``matrix`` with the rows and columns of ``blocked`` places unreachable (``inf``)."""
    if not blocked:
        return matrix
    km = np.array(matrix.distance_km, dtype=float)
    hours = np.array(matrix.time_h, dtype=float)
    for arr in (km, hours):
        arr[blocked, :] = np.inf
        arr[:, blocked] = np.inf
        arr[blocked, blocked] = 0.0
    return dataclasses.replace(matrix, distance_km=km, time_h=hours)


def road_matrices(
    scenario: Scenario,
    roads: str | Path | NetworkFiles,
    *,
    restriction_zone: str | Path | None = None,
    use_cache: bool = True,
) -> FleetMatrices:
    """Road distance/time matrices over :attr:`Scenario.places` for each truck class of the fleet.

    Parameters
    ----------
    scenario
        The dispatch scenario (its places and its fleet).
    roads
        ``"sample"``: the bundled Changzhi network with its restriction zone; a road file
        (``.osm``, ``.osm.pbf``, ``.graphml``; no restriction zone, so every truck shares one
        matrix); or :class:`cleanfreight.network.NetworkFiles` with ``roads`` and
        ``restriction_zone`` (other files are not read).
    restriction_zone
        Truck restriction zones (GeoJSON/GPKG) to apply to ``roads``, in place of the sample's or the
        ``NetworkFiles``' zone (default: the scenario's ``restriction_zone``).
    use_cache
        Cache the built road graphs (see :func:`cleanfreight.network.load_network`).

    Returns
    -------
    FleetMatrices
        ``new_energy`` from the new-energy truck graph (:class:`~cleanfreight.network.TruckProfile`
        with ``new_energy=True``); ``diesel`` from the graph without that exemption, built only
        when the fleet has a truck type that is not new-energy (``count > 0``) and a zone applies
        to it but not to new-energy trucks; otherwise ``None`` (all trucks share ``new_energy``).
        Each is a :class:`cleanfreight.network.TravelMatrix` (``path_lonlat`` follows its graph).
    """
    from cleanfreight.network import NetworkFiles, load_network, load_roads, road_matrix
    from cleanfreight.network.roads import TruckProfile

    files: NetworkFiles | None
    if isinstance(roads, NetworkFiles):
        files = NetworkFiles(roads=roads.roads, restriction_zone=roads.restriction_zone)
    elif str(roads) == "sample":
        sample = NetworkFiles.sample()
        files = NetworkFiles(roads=sample.roads, restriction_zone=sample.restriction_zone)
    else:
        files = None
    zone_file = restriction_zone if restriction_zone is not None else scenario.restriction_zone
    if zone_file is not None:
        base = files.roads if files is not None else Path(str(roads))
        files = NetworkFiles(roads=base, restriction_zone=Path(zone_file))
    zones = None
    if files is not None and files.restriction_zone is not None:
        import geopandas as gpd

        from cleanfreight.errors import InputError
        from cleanfreight.network.crs import as_lonlat

        try:
            zones = gpd.read_file(files.restriction_zone)
        except Exception as exc:  # pyogrio raises many kinds on a damaged file
            raise InputError(f"{files.restriction_zone}: cannot read as a vector file ({exc})") from None
        zones = as_lonlat(zones, files.restriction_zone, "restriction zone")

    lonlat = scenario.lonlat()
    labels = list(scenario.places)
    points = np.asarray(lonlat, dtype=float)

    def build(new_energy: bool) -> tuple[MatrixLike, tuple[str, ...]]:
        profile = TruckProfile(new_energy=new_energy)
        if files is None:
            graph = load_roads(roads, profile=profile)  # type: ignore[arg-type]
        else:
            graph = load_network(files, profile=profile, use_cache=use_cache).roads
        matrix = road_matrix(graph, lonlat, origin_labels=labels)
        area = _zone_area(zones, new_energy)
        if area is None:
            return matrix, ()
        import shapely

        inside = np.flatnonzero(shapely.contains_xy(area, points[:, 0], points[:, 1]))
        if len(inside):
            logger.info(
                "%s trucks: %s inside a restriction zone, unreachable",
                "new-energy" if new_energy else "diesel",
                ", ".join(labels[i] for i in inside),
            )
        return _block(matrix, [int(i) for i in inside]), tuple(labels[i] for i in inside)

    new_energy, ne_blocked = build(True)
    blocked = {"new_energy": ne_blocked} if ne_blocked else {}
    others = any(tt.count > 0 and not tt.spec.new_energy for tt in scenario.truck_types)
    differs = zones is not None and bool(_exempt(zones).any())  # a zone open to new-energy trucks only
    if not (others and differs):
        return FleetMatrices(new_energy, None, blocked)
    diesel, d_blocked = build(False)
    if d_blocked:
        blocked["diesel"] = d_blocked
    return FleetMatrices(new_energy, diesel, blocked)
