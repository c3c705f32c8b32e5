"""Snapping points (enterprises, stations, gateways) to the nearest road node, with the distance."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pandas as pd

from cleanfreight.errors import NetworkError

__all__ = ["FAR_SNAP_M", "snap"]

log = logging.getLogger(__name__)

FAR_SNAP_M = 1000.0
"""Snaps farther than this are logged as warnings and flagged in the result."""


def _project(G: nx.MultiDiGraph, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", G.graph["crs"], always_xy=True)
    x, y = tr.transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def snap(
    G: nx.MultiDiGraph,
    points_lonlat: Sequence[tuple[float, float]] | np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    far_m: float = FAR_SNAP_M,
) -> pd.DataFrame:
    """Nearest graph node of each WGS-84 point, by straight-line distance in the graph's projected CRS.

    Returns
    -------
    pandas.DataFrame
        ``label``, ``lon``, ``lat``, ``node``, ``snap_m`` (metres to the node) and ``far`` (``snap_m > far_m``).
    """
    from scipy.spatial import cKDTree

    if not G.graph.get("crs") or str(G.graph["crs"]).upper() in ("EPSG:4326", "WGS84"):
        raise NetworkError("snapping needs a projected graph (load it with cleanfreight.network.load_roads)")
    pts = np.asarray(points_lonlat, dtype=float).reshape(-1, 2)
    ids = np.fromiter(G.nodes, dtype=np.int64, count=len(G))
    xy = np.array([(G.nodes[n]["x"], G.nodes[n]["y"]) for n in ids])
    x, y = _project(G, pts[:, 0], pts[:, 1])
    dist, idx = cKDTree(xy).query(np.column_stack([x, y]))
    out = pd.DataFrame({
        "label": list(labels) if labels is not None else [str(i) for i in range(len(pts))],
        "lon": pts[:, 0], "lat": pts[:, 1], "node": ids[idx], "snap_m": dist,
    })
    out["far"] = out["snap_m"] > far_m
    for _, row in out[out["far"]].iterrows():
        log.warning("%s snapped %.0f m away from the road network (more than %.0f m)", row["label"], row["snap_m"],
                    far_m)
    return out
