"""Snapping points (enterprises, stations, gateways) to the road network, with the distances.

A point is snapped to the **nearest road edge a truck can enter from the side** (not the nearest
node: on a simplified graph a point in the middle of a long road would otherwise snap to a far
junction), then to the end of that edge it reaches first along the road. Motorways and their
ramps (``motorway``, ``motorway_link``, ``motorroad=yes``) and ways with an access restriction
(``access``/``motor_vehicle``/``goods``/``hgv`` = ``no``, ``private``, ``permit`` ...) are driven
on but never joined from the side: a mine 1 km from an expressway is connected to the nearest
ordinary road instead (:func:`side_access`). Only when a graph has no such road at all are all
edges used (logged).

Two distances are reported: ``snap_m``, the **connector** from the point to the road, and
``access_m``, from the point to the node along the road (used by the matrices). One-way
restrictions are ignored on this short access leg. Connectors longer than ``far_m`` (1 km) are
logged as warnings and flagged ``far``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from cleanfreight.errors import NetworkError

__all__ = ["FAR_SNAP_M", "NO_SIDE_ACCESS_HIGHWAYS", "side_access", "snap"]

log = logging.getLogger(__name__)

FAR_SNAP_M = 1000.0
"""Snaps farther than this from any road are logged as warnings and flagged in the result."""

NO_SIDE_ACCESS_HIGHWAYS = ("motorway", "motorway_link")
"""Road classes driven on but never joined from the side by a site's connector."""

_RESTRICTED_ACCESS = frozenset({"no", "private", "permit", "agricultural", "forestry", "military", "emergency"})
_ACCESS_TAGS = ("access", "motor_vehicle", "goods", "hgv")


def _values(value: object) -> list[str]:
    return [str(v).strip().lower() for v in (value if isinstance(value, list) else [value]) if v is not None]


def side_access(data: dict[str, object]) -> bool:
    """Whether a truck may join the road edge ``data`` from the side (a site's connector).

    False for motorways and their ramps (``highway`` in :data:`NO_SIDE_ACCESS_HIGHWAYS`, or
    ``motorroad=yes``, how expressway-grade trunk roads are tagged) and for ways with an access
    restriction (``access``, ``motor_vehicle``, ``goods`` or ``hgv`` = ``no``, ``private``,
    ``permit``, ``agricultural``, ``forestry``, ``military``, ``emergency``).
    """
    if any(v in NO_SIDE_ACCESS_HIGHWAYS for v in _values(data.get("highway"))):
        return False
    if "yes" in _values(data.get("motorroad")):
        return False
    return not any(v in _RESTRICTED_ACCESS for tag in _ACCESS_TAGS for v in _values(data.get(tag)))


_EdgeIndex = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, shapely.STRtree, shapely.STRtree | None]


def _edge_index(G: nx.MultiDiGraph) -> _EdgeIndex:
    """Edge ends, geometries, road class, side-access mask, a tree of all edges and one of the
    side-access edges (``None`` when there is none)."""
    key = (G.number_of_nodes(), G.number_of_edges(), 2)
    cached = G.graph.get("_edge_index")
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[no-any-return]
    us, vs, geoms, classes, side = [], [], [], [], []
    for u, v, d in G.edges(data=True):
        geom = d.get("geometry")
        if geom is None:
            geom = shapely.LineString([(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])])
        us.append(u)
        vs.append(v)
        geoms.append(geom)
        classes.append(";".join(_values(d.get("highway"))) or "road")
        side.append(side_access(d))
    arr = np.array(geoms, dtype=object)
    mask = np.array(side, dtype=bool)
    side_tree = shapely.STRtree(arr[mask]) if mask.any() else None
    index = (
        np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64), arr, np.array(classes, dtype=object), mask,
        shapely.STRtree(arr), side_tree,
    )
    G.graph["_edge_index"] = (key, index)
    return index


def snap(
    G: nx.MultiDiGraph,
    points_lonlat: Sequence[tuple[float, float]] | np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    far_m: float = FAR_SNAP_M,
    side_only: bool | Sequence[bool] = True,
) -> pd.DataFrame:
    """Snap WGS-84 points to the road network of ``G`` (projected, as :func:`load_roads` returns it).

    Parameters
    ----------
    G
        The projected road graph.
    points_lonlat
        WGS-84 (lon, lat) points.
    labels
        Names of the points, for the table and the warnings.
    far_m
        Connectors longer than this are logged as warnings and flagged ``far``.
    side_only
        Join points only to roads a truck can enter from the side (:func:`side_access`: not
        motorways, not ways with access restrictions); ``False`` uses the nearest edge of any kind
        (region gateways at the network's edge, where traffic carries on along an expressway).
        One value for all points or one per point.

    Returns
    -------
    pandas.DataFrame
        ``label``, ``lon``, ``lat``, ``node`` (graph node the point is routed from/to), ``snap_m``
        (the connector: metres from the point to the road), ``access_m`` (metres to ``node`` along
        the road), ``far`` (``snap_m > far_m``) and ``highway`` (class of the road joined).
    """
    from pyproj import Transformer

    crs = str(G.graph.get("crs", ""))
    if not crs or crs.upper() in ("EPSG:4326", "WGS84"):
        raise NetworkError("snapping needs a projected graph (load it with cleanfreight.network.load_roads)")
    if G.number_of_edges() == 0:
        raise NetworkError("cannot snap to a network without edges")
    pts = np.asarray(points_lonlat, dtype=float).reshape(-1, 2)
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = tr.transform(pts[:, 0], pts[:, 1])
    geoms = shapely.points(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    us, vs, lines, classes, side, tree, side_tree = _edge_index(G)
    want_side = np.broadcast_to(np.asarray(side_only, dtype=bool), (len(pts),))
    _, nearest = tree.query_nearest(geoms, all_matches=False)
    nearest = np.asarray(nearest, dtype=np.int64).copy()
    if want_side.any():
        if side_tree is None:
            log.warning("the road network has no road a truck can join from the side; snapping to any road")
        else:
            ask = np.flatnonzero(want_side)
            _, picked = side_tree.query_nearest(geoms[ask], all_matches=False)
            nearest[ask] = np.flatnonzero(side)[picked]
    line = lines[nearest]
    dist = shapely.distance(geoms, line)
    along = shapely.line_locate_point(line, geoms)
    length = shapely.length(line)
    to_v = length - along
    first_is_u = along <= to_v
    node = np.where(first_is_u, us[nearest], vs[nearest])
    access = dist + np.where(first_is_u, along, to_v)
    out = pd.DataFrame({
        "label": list(labels) if labels is not None else [str(i) for i in range(len(pts))],
        "lon": pts[:, 0], "lat": pts[:, 1], "node": node, "snap_m": dist, "access_m": access,
    })
    out["far"] = out["snap_m"] > far_m
    out["highway"] = classes[nearest]
    for row in out[out["far"]].itertuples():
        log.warning("%s: connector of %.0f m to the nearest road a truck can enter (%s; more than %.0f m)",
                    row.label, row.snap_m, row.highway, far_m)
    return out
