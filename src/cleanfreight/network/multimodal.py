"""One multimodal graph: road, rail, spurs and transfer links at stations.

Nodes are ``("road", osm_id)``, ``("rail", k)`` (vertices of the noded rail lines) and
``("station", station_id)``. Edges carry ``mode`` (``road``/``rail``/``spur``/``transfer``),
``length_m``, ``time_s`` and ``cost_cny_per_t`` so a single shortest-path call can cost a whole
chain; :func:`multimodal_matrix` does many-to-many in compiled code like the road matrix.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from cleanfreight.accounting.factors import Factors
from cleanfreight.network.snapping import snap

__all__ = ["build_multimodal", "multimodal_matrix"]

RAIL_SPEED_KMH = 45.0  # average freight train speed incl. stops (assumption, overridable)
STATION_LINK_M = 3000.0  # a station joins rail vertices within this distance


def _rail_edges(rail: gpd.GeoDataFrame, crs: str) -> list[tuple[tuple[float, float], tuple[float, float], str, str]]:
    lines = rail.to_crs(crs)
    out = []
    for geom, kind, status, line_id in zip(lines.geometry, lines["kind"], lines["status"], lines["line_id"],
                                           strict=True):
        if geom is None or geom.is_empty:
            continue
        mode = "spur" if kind == "spur" else "rail"
        parts = shapely.get_parts(shapely.node(geom)) if geom.geom_type != "LineString" else [geom]
        for part in parts:
            cs = [(round(x), round(y)) for x, y in part.coords]
            for a, b in itertools.pairwise(cs):
                if a != b:
                    out.append((a, b, mode, f"{line_id}:{status}"))
    return out


def build_multimodal(
    roads: nx.MultiDiGraph,
    rail: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    factors: Factors,
    *,
    include_planned: bool = False,
    road_cost_per_tkm: float | None = None,
) -> nx.DiGraph:
    """Join the road graph, the rail lines (and spurs) and stations into one directed graph.

    Costs per tonne: road edges ``cost.road.diesel_cny_per_tkm`` (or ``road_cost_per_tkm``) x km;
    rail edges ``cost.rail.base2_cny_per_tkm`` x km; a transfer at a station costs its
    ``handling_cost_cny_per_t`` plus half the rail base-1 charge each way (so a road-rail-road trip
    pays it once), and takes ``transfer_time_h``.
    """
    crs = roads.graph["crs"]
    road_rate = road_cost_per_tkm if road_cost_per_tkm is not None else factors["cost.road.diesel_cny_per_tkm"]
    rail_rate = factors["cost.rail.base2_cny_per_tkm"]
    base1 = factors["cost.rail.base1_cny_per_t"]
    MG = nx.DiGraph(crs=crs, source="multimodal")
    for u, v, d in roads.edges(data=True):
        a, b = ("road", u), ("road", v)
        length = d["length"]
        if MG.has_edge(a, b) and MG.edges[a, b]["length_m"] <= length:
            continue
        MG.add_edge(a, b, mode="road", length_m=length, time_s=d.get("travel_time", length / 8.3),
                    cost_cny_per_t=road_rate * length / 1000.0)
    for n, d in roads.nodes(data=True):
        MG.nodes[("road", n)].update(x=d["x"], y=d["y"], layer="road")

    use = rail if include_planned else rail[rail["status"] != "planned"]
    vertex: dict[tuple[float, float], int] = {}
    line_vertices: dict[str, set[int]] = {}
    for pa, pb, mode, line in _rail_edges(use, crs):
        ia = vertex.setdefault(pa, len(vertex))
        ib = vertex.setdefault(pb, len(vertex))
        line_vertices.setdefault(line, set()).update((ia, ib))
        length = float(np.hypot(pa[0] - pb[0], pa[1] - pb[1]))
        attrs = {"mode": mode, "length_m": length, "time_s": length / (RAIL_SPEED_KMH / 3.6),
                 "cost_cny_per_t": rail_rate * length / 1000.0}
        MG.add_edge(("rail", ia), ("rail", ib), **attrs)
        MG.add_edge(("rail", ib), ("rail", ia), **attrs)
    for (x, y), k in vertex.items():
        MG.nodes[("rail", k)].update(x=x, y=y, layer="rail")

    if len(stations) and vertex:
        st = stations.to_crs(crs)
        xy = np.array(list(vertex), dtype=float)  # vertex k has coordinates xy[k]
        road_snap = snap(roads, np.column_stack([stations["lon"], stations["lat"]]),
                         labels=list(stations["station_id"]))
        for (_, srow), (_, rsnap), geom in zip(stations.iterrows(), road_snap.iterrows(), st.geometry, strict=True):
            sid = ("station", srow["station_id"])
            MG.add_node(sid, x=geom.x, y=geom.y, layer="station", name=srow.get("name_zh", ""))
            handling = float(srow.get("handling_cost_cny_per_t", 0) or 0) + base1 / 2
            t_s = float(srow.get("transfer_time_h", 0) or 0) * 3600 / 2
            link = {"mode": "transfer", "length_m": 0.0, "time_s": t_s, "cost_cny_per_t": handling}
            rnode = ("road", int(rsnap["node"]))
            MG.add_edge(rnode, sid, **link)
            MG.add_edge(sid, rnode, **link)
            # join the nearest vertex of each line passing within STATION_LINK_M
            for ids in line_vertices.values():
                idx = np.fromiter(ids, dtype=np.int64)
                dist = np.hypot(xy[idx, 0] - geom.x, xy[idx, 1] - geom.y)
                if dist.min() > STATION_LINK_M:
                    continue
                rv = ("rail", int(idx[int(np.argmin(dist))]))
                MG.add_edge(sid, rv, mode="transfer", length_m=0.0, time_s=t_s, cost_cny_per_t=handling)
                MG.add_edge(rv, sid, mode="transfer", length_m=0.0, time_s=t_s, cost_cny_per_t=handling)
    return MG


def multimodal_matrix(
    MG: nx.DiGraph,
    sources: Sequence[Any],
    targets: Sequence[Any],
    weight: str = "cost_cny_per_t",
) -> pd.DataFrame:
    """Least-``weight`` values between multimodal nodes (e.g. ``("road", id)``, ``("station", "CZB")``)."""
    nodes = list(MG.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    u = np.array([index[a] for a, _ in MG.edges])
    v = np.array([index[b] for _, b in MG.edges])
    w = np.array([max(d[weight], 1e-9) for _, _, d in MG.edges(data=True)])
    csr = sparse.csr_matrix((w, (u, v)), shape=(len(nodes), len(nodes)))
    src = [index[s] for s in sources]
    dist = dijkstra(csr, directed=True, indices=src)
    return pd.DataFrame(dist[:, [index[t] for t in targets]], index=list(map(str, sources)),
                        columns=list(map(str, targets)))
