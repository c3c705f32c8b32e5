"""Many-to-many travel distance and time matrices on the road graph, in compiled code.

The graph is turned once into a scipy CSR matrix (parallel edges keep their minimum) and
``scipy.sparse.csgraph.dijkstra`` runs from all origins at once: no Python loop of networkx calls
per pair. Distances are shortest by length; times are shortest by travel time. The access leg
from each point to its snapped node (along the nearest road) is added at :data:`ACCESS_SPEED_KMH`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from cleanfreight.network.snapping import snap

__all__ = ["ACCESS_SPEED_KMH", "CsrGraph", "TravelMatrix", "csr_graph", "road_matrix", "travel_matrix"]

ACCESS_SPEED_KMH = 20.0


@dataclass(frozen=True)
class CsrGraph:
    """The road graph as CSR matrices: ``length_m`` and ``time_s``, node ids in ``nodes``."""

    nodes: np.ndarray
    index: Mapping[int, int]
    length_m: sparse.csr_matrix
    time_s: sparse.csr_matrix
    x: np.ndarray
    y: np.ndarray
    crs: str


def csr_graph(G: nx.MultiDiGraph) -> CsrGraph:
    """Convert ``G`` to CSR (cached on ``G.graph['_csr']`` until the graph changes size)."""
    key = (G.number_of_nodes(), G.number_of_edges())
    cached = G.graph.get("_csr")
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[no-any-return]
    nodes = np.fromiter(G.nodes, dtype=np.int64, count=len(G))
    index = {int(n): i for i, n in enumerate(nodes)}
    m = G.number_of_edges()
    u = np.empty(m, dtype=np.int64)
    v = np.empty(m, dtype=np.int64)
    length = np.empty(m)
    time = np.empty(m)
    for k, (a, b, d) in enumerate(G.edges(data=True)):
        u[k], v[k] = index[a], index[b]
        length[k] = d["length"]
        time[k] = d.get("travel_time", d["length"] / (30 / 3.6))
    n = len(nodes)

    def build(w: np.ndarray) -> sparse.csr_matrix:
        # keep the minimum of parallel edges: sort by weight descending so the last (smallest) wins
        order = np.lexsort((-w, v, u))
        uu, vv, ww = u[order], v[order], w[order]
        last = np.r_[(uu[1:] != uu[:-1]) | (vv[1:] != vv[:-1]), True]
        # zero-length edges would vanish in a sparse matrix: give them a tiny positive weight
        return sparse.csr_matrix((np.maximum(ww[last], 1e-6), (uu[last], vv[last])), shape=(n, n))

    x = np.array([G.nodes[i]["x"] for i in nodes])
    y = np.array([G.nodes[i]["y"] for i in nodes])
    csr = CsrGraph(nodes, index, build(length), build(time), x, y, str(G.graph["crs"]))
    G.graph["_csr"] = (key, csr)
    return csr


@dataclass(frozen=True)
class TravelMatrix:
    """Road distances (km) and times (h) between origins and destinations.

    Attributes
    ----------
    distance_km, time_h
        Arrays of shape (origins, destinations); ``inf`` where unreachable.
    origins, destinations
        Snapping tables (``label``, ``lon``, ``lat``, ``node``, ``snap_m``, ``far``).
    """

    distance_km: np.ndarray
    time_h: np.ndarray
    origins: pd.DataFrame
    destinations: pd.DataFrame
    _csr: CsrGraph = field(repr=False)
    _pred: np.ndarray = field(repr=False)

    def frame(self, value: str = "distance_km") -> pd.DataFrame:
        """The matrix as a labelled DataFrame (origins x destinations)."""
        return pd.DataFrame(getattr(self, value), index=self.origins["label"], columns=self.destinations["label"])

    def path_nodes(self, i: int, j: int) -> list[int]:
        """Graph node ids along the shortest (by length) path from origin ``i`` to destination ``j``."""
        c = self._csr
        if self._pred.size == 0:
            from cleanfreight.errors import NetworkError

            raise NetworkError("this matrix was computed without shortest-path trees (paths=False)")
        target = c.index[int(self.destinations["node"].iloc[j])]
        src = c.index[int(self.origins["node"].iloc[i])]
        row = self._pred[i]
        path = [target]
        while path[-1] != src:
            prev = row[path[-1]]
            if prev < 0:
                return []
            path.append(int(prev))
        return [int(c.nodes[k]) for k in reversed(path)]

    def path_lonlat(self, i: int, j: int) -> list[tuple[float, float]]:
        """The shortest path from origin ``i`` to destination ``j`` as WGS-84 (lon, lat) points."""
        from pyproj import Transformer

        c = self._csr
        ids = [c.index[n] for n in self.path_nodes(i, j)]
        if not ids:
            return []
        tr = Transformer.from_crs(c.crs, "EPSG:4326", always_xy=True)
        lon, lat = tr.transform(c.x[ids], c.y[ids])
        o, d = self.origins.iloc[i], self.destinations.iloc[j]
        pts = [(float(o["lon"]), float(o["lat"]))]
        pts += [(float(a), float(b)) for a, b in zip(lon, lat, strict=True)]
        pts.append((float(d["lon"]), float(d["lat"])))
        return pts


def road_matrix(
    G: nx.MultiDiGraph,
    origins: Sequence[tuple[float, float]] | np.ndarray,
    destinations: Sequence[tuple[float, float]] | np.ndarray | None = None,
    *,
    origin_labels: Sequence[str] | None = None,
    destination_labels: Sequence[str] | None = None,
    origin_side_only: bool | Sequence[bool] = True,
    destination_side_only: bool | Sequence[bool] = True,
) -> TravelMatrix:
    """Shortest road distance (km) and time (h) from every origin to every destination (WGS-84 lon/lat).

    ``destinations`` defaults to ``origins`` (a square matrix). Unreachable pairs are ``inf``.
    Points are joined to the nearest road a truck can enter from the side (not a motorway, see
    :func:`cleanfreight.network.snapping.snap`); ``origin_side_only`` / ``destination_side_only``
    ``False`` (for all or per point) allow any road, e.g. for gateways on an expressway.
    """
    c = csr_graph(G)
    so = snap(G, origins, labels=origin_labels, side_only=origin_side_only)
    sd = so if destinations is None else snap(G, destinations, labels=destination_labels,
                                               side_only=destination_side_only)
    return travel_matrix(c, so, sd, square=destinations is None)


def travel_matrix(
    c: CsrGraph, so: pd.DataFrame, sd: pd.DataFrame, *, square: bool = False, paths: bool = True,
    batch_bytes: int = 1 << 28, workers: int = 1,
) -> TravelMatrix:
    """The matrix between snapped origins ``so`` and destinations ``sd`` (tables with ``node`` and
    ``access_m``, as :func:`~cleanfreight.network.snapping.snap` gives) on the CSR graph ``c``.

    ``square``: the same points both ways (a point to itself is zero). ``paths=False`` keeps no
    shortest-path trees (``TravelMatrix.path_nodes`` is then unavailable): Dijkstra runs from the smaller
    side (from the destinations over the reversed graph when there are fewer of them), in batches of
    sources whose distance rows fit in ``batch_bytes`` — what a province-size graph needs — and on
    ``workers`` forked processes (length and time, then halves of the sources, run side by side).
    """
    src = np.array([c.index[int(n)] for n in so["node"]], dtype=np.int64)
    dst = np.array([c.index[int(n)] for n in sd["node"]], dtype=np.int64)
    if paths:
        usrc, inverse = np.unique(src, return_inverse=True)
        dist, pred = dijkstra(c.length_m, directed=True, indices=usrc, return_predecessors=True)
        tim = dijkstra(c.time_s, directed=True, indices=usrc)
        dist, tim, pred = dist[inverse][:, dst], tim[inverse][:, dst], pred[inverse]
    else:
        dist, tim = _batched(c, src, dst, batch_bytes, workers)
        pred = np.empty((0, 0), dtype=np.int32)
    access_o = so["access_m"].to_numpy()[:, None]
    access_d = sd["access_m"].to_numpy()[None, :]
    d_km = (dist + access_o + access_d) / 1000.0
    t_h = tim / 3600.0 + (access_o + access_d) / 1000.0 / ACCESS_SPEED_KMH
    if square:  # a point to itself is zero, not twice its access leg
        np.fill_diagonal(d_km, 0.0)
        np.fill_diagonal(t_h, 0.0)
    return TravelMatrix(d_km, t_h, so, sd, c, pred)


_SHARED: dict[str, sparse.csr_matrix] = {}


def _rows(task: tuple[str, np.ndarray, np.ndarray, int]) -> np.ndarray:
    """Distances from ``roots`` to ``targets`` over the shared matrix ``name`` (a worker's task)."""
    name, roots, targets, step = task
    g = _SHARED[name]
    parts = [dijkstra(g, directed=True, indices=roots[k:k + step])[:, targets] for k in range(0, len(roots), step)]
    return np.vstack(parts) if parts else np.empty((0, len(targets)))


def _batched(
    c: CsrGraph, src: np.ndarray, dst: np.ndarray, batch_bytes: int, workers: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Length and time from ``src`` to ``dst`` nodes, Dijkstra from the smaller side, in batches;
    with ``workers`` > 1 the sources are shared among forked processes (Linux)."""
    usrc, inv_s = np.unique(src, return_inverse=True)
    udst, inv_d = np.unique(dst, return_inverse=True)
    backward = len(udst) < len(usrc)
    roots, targets = (udst, usrc) if backward else (usrc, udst)
    n = c.length_m.shape[0]
    step = max(1, batch_bytes // (8 * max(n, 1)))
    _SHARED["length"] = c.length_m.T.tocsr() if backward else c.length_m
    _SHARED["time"] = c.time_s.T.tocsr() if backward else c.time_s
    try:
        tasks = [(name, chunk, targets, step) for name in ("length", "time")
                 for chunk in np.array_split(roots, max(1, workers // 2 if workers > 1 else 1))]
        if workers > 1:
            import multiprocessing as mp

            with mp.get_context("fork").Pool(min(workers, len(tasks))) as pool:
                parts = pool.map(_rows, tasks)
        else:
            parts = [_rows(t) for t in tasks]
    finally:
        _SHARED.clear()
    half = len(parts) // 2
    out = []
    for chunk in (parts[:half], parts[half:]):
        m = np.vstack(chunk)  # roots x targets
        m = m.T if backward else m  # usrc x udst
        out.append(m[inv_s][:, inv_d])
    return out[0], out[1]


def matrix_networkx(G: nx.MultiDiGraph, nodes: Sequence[Any], weight: str = "length") -> np.ndarray:
    """Reference implementation with a networkx per-source loop (for tests and benchmarks only)."""
    out = np.full((len(nodes), len(nodes)), np.inf)
    for i, s in enumerate(nodes):
        lengths = nx.single_source_dijkstra_path_length(G, s, weight=weight)
        for j, t in enumerate(nodes):
            if t in lengths:
                out[i, j] = lengths[t]
    return out
