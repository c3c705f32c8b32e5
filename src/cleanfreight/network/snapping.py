"""Snapping points (enterprises, stations, gateways) to the road network, with the distances.

A point is snapped to the **nearest road edge** (not the nearest node: on a simplified graph a
point in the middle of a long road would otherwise snap to a far junction), then to the end of that
edge it reaches first along the road. Two distances are reported: ``snap_m``, from the point to the
road, and ``access_m``, from the point to the node along the road (used by the matrices). One-way
restrictions are ignored on this short access leg.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from cleanfreight.errors import NetworkError

__all__ = ["FAR_SNAP_M", "snap"]

log = logging.getLogger(__name__)

FAR_SNAP_M = 1000.0
"""Snaps farther than this from any road are logged as warnings and flagged in the result."""


def _edge_index(G: nx.MultiDiGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray, shapely.STRtree]:
    key = (G.number_of_nodes(), G.number_of_edges())
    cached = G.graph.get("_edge_index")
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[no-any-return]
    us, vs, geoms = [], [], []
    for u, v, d in G.edges(data=True):
        geom = d.get("geometry")
        if geom is None:
            geom = shapely.LineString([(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])])
        us.append(u)
        vs.append(v)
        geoms.append(geom)
    arr = np.array(geoms, dtype=object)
    index = (np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64), arr, shapely.STRtree(arr))
    G.graph["_edge_index"] = (key, index)
    return index


def snap(
    G: nx.MultiDiGraph,
    points_lonlat: Sequence[tuple[float, float]] | np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    far_m: float = FAR_SNAP_M,
) -> pd.DataFrame:
    """Snap WGS-84 points to the road network of ``G`` (projected, as :func:`load_roads` returns it).

    Returns
    -------
    pandas.DataFrame
        ``label``, ``lon``, ``lat``, ``node`` (graph node the point is routed from/to), ``snap_m``
        (metres from the point to the road), ``access_m`` (metres to ``node`` along the road) and
        ``far`` (``snap_m > far_m``).
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
    us, vs, lines, tree = _edge_index(G)
    _, nearest = tree.query_nearest(geoms, all_matches=False)
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
    for row in out[out["far"]].itertuples():
        log.warning("%s is %.0f m from the nearest road (more than %.0f m)", row.label, row.snap_m, far_m)
    return out
