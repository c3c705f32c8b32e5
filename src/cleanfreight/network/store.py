"""Province-size road networks in bounded memory: a streaming import into a compact, fast-to-reload folder.

:func:`build_road_store` streams an OSM PBF (or XML) once with pyosmium
(:func:`cleanfreight.network._pbf.read_truck_ways`: the same highway classes, access, ``hgv`` and
``maxweight`` rules and truck speeds as :func:`~cleanfreight.network.roads.load_roads`), optionally
clips to a boundary, and builds the graph with numpy only — never a networkx graph:

- graph nodes are the nodes where kept ways meet or end; an edge runs along one way between two
  of them (a change of road class always ends an edge). Degree-2 joins of two *different* ways
  are kept as nodes (osmnx's simplification would merge them), so node and edge counts can be a
  little higher than ``load_roads`` gives on XML; shortest paths are the same;
- lengths are great-circle metres along the way's nodes (as osmnx), times at the truck's speed;
- ``oneway`` (``yes``/``true``/``1``, ``-1``/``reverse``, roundabouts) gives one directed edge;
- only the largest strongly connected component is kept (as ``load_roads`` does).

The folder (:data:`FORMAT_VERSION`):

- ``graph.npz``: CSR arrays (``indptr``, ``indices``, ``length_m``, ``time_s``: the shortest of
  parallel edges) and nodes (``node_id``, ``lon``, ``lat``, projected ``x``, ``y``, ``side``: a site
  may join the network there);
- ``edges.parquet``: every directed edge (``u``, ``v`` OSM node ids, ``length_m``, ``time_s``,
  ``speed_kmh``, ``highway``, ``osm_way_id``, ``oneway``, ``side_access``, ``geometry`` as WKB
  LineString in WGS-84), GeoParquet metadata included (written with DuckDB);
- ``network.json``: source file and its SHA-256, truck profile, counts, CRS, bounds, what each rule removed.

:func:`load_road_store` reads ``network.json`` and ``graph.npz`` only (seconds at province size);
:class:`RoadStore` snaps points with a KD-tree and gives :class:`~cleanfreight.network.matrix.TravelMatrix`
from the stored CSR with ``scipy.sparse.csgraph.dijkstra``. Restriction zones are not applied here
(use :func:`~cleanfreight.network.roads.load_roads` for a city with zones).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from cleanfreight.errors import InputError, NetworkError, Problem
from cleanfreight.network._pbf import read_truck_ways
from cleanfreight.network._store_arrays import (
    csr_arrays,
    keep_runs,
    split_at_junctions,
    sql_path,
    write_edges,
)
from cleanfreight.network.matrix import CsrGraph, TravelMatrix, travel_matrix
from cleanfreight.network.roads import TruckProfile

__all__ = [
    "FORMAT_VERSION", "BuildOptions", "RoadStore", "build_road_store", "is_road_store", "load_road_store",
    "read_boundary",
]

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
"""Version of the folder layout; bumped when a file's content changes meaning."""

"""Mean earth radius osmnx uses for great-circle lengths."""

_FILES = {"graph": "graph.npz", "edges": "edges.parquet", "meta": "network.json"}


@dataclass(frozen=True)
class BuildOptions:
    """How to build a stored road network.

    Parameters
    ----------
    profile
        The truck (:class:`~cleanfreight.network.roads.TruckProfile`); ``None``: the default 49 t diesel tractor.
    largest_component
        Keep only the largest strongly connected component.
    node_index
        pyosmium node-location index (``sparse_mem_array``: 16 bytes per node of the file in memory;
        ``sparse_file_array,PATH`` keeps it in a file).
    edge_chunk
        Edges converted to WKB and handed to DuckDB at a time (bounds the memory of geometry).
    """

    profile: TruckProfile | None = None
    largest_component: bool = True
    node_index: str = "sparse_mem_array"
    edge_chunk: int = 500_000

    def __post_init__(self) -> None:
        problems = []
        if self.edge_chunk < 1000:
            problems.append(Problem("must be >= 1000", column="edge_chunk", value=self.edge_chunk))
        kind = self.node_index.split(",", 1)[0]
        if kind not in ("sparse_mem_array", "flex_mem", "sparse_file_array", "dense_file_array",
                        "dense_mem_array", "sparse_mem_map", "sparse_mmap_array", "dense_mmap_array"):
            problems.append(Problem("unknown pyosmium node index", column="node_index", value=self.node_index))
        if problems:
            raise InputError("invalid build options", problems)


# --------------------------------------------------------------------------------------------- build


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def read_boundary(path: str | Path) -> Any:
    """A boundary file (GeoJSON/GPKG/SHP) as a WGS-84 GeoDataFrame, for ``build_road_store(boundary=...)``;
    an unreadable file or coordinates that are not longitude/latitude raise :class:`InputError`."""
    import geopandas as gpd

    from cleanfreight.network.crs import as_lonlat

    p = Path(path)
    if not p.is_file():
        raise InputError(f"boundary file not found: {p}")
    try:
        gdf = gpd.read_file(p)
    except Exception as exc:  # pyogrio raises its own errors on damaged files
        raise InputError(f"{p}: cannot read as a vector file ({type(exc).__name__}: {exc})") from None
    if not len(gdf) or not set(gdf.geometry.geom_type.dropna()) <= {"Polygon", "MultiPolygon"}:
        raise InputError(f"{p}: a boundary must hold polygons")
    return as_lonlat(gdf, p, "boundary")


def _boundary_polygon(boundary: Any) -> Any:
    import geopandas as gpd
    import shapely

    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        b = boundary.to_crs("EPSG:4326") if boundary.crs is not None else boundary
        return shapely.union_all(b.geometry.values if isinstance(b, gpd.GeoDataFrame) else b.values)
    return boundary


def _utm_crs(lon: np.ndarray, lat: np.ndarray) -> str:
    """The UTM zone of the data's centroid (as osmnx's ``project_graph`` picks it)."""
    zone = int(np.floor((float(np.mean(lon)) + 180) / 6) + 1)
    return f"EPSG:{(32600 if float(np.mean(lat)) >= 0 else 32700) + zone}"


def build_road_store(
    path: str | Path,
    out: str | Path,
    *,
    options: BuildOptions | None = None,
    boundary: Any = None,
    on_progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Stream the road file ``path`` into a stored truck network in the folder ``out`` (created).

    Parameters
    ----------
    path
        OSM PBF (``.osm.pbf``) or OSM XML; read once, by streaming.
    out
        Folder to write ``graph.npz``, ``edges.parquet`` and ``network.json`` into.
    options
        :class:`BuildOptions` (truck profile, component, node index).
    boundary
        Shapely polygon in WGS-84, or a GeoDataFrame/GeoSeries: only way segments with both ends
        inside are kept.
    on_progress
        Called with a short text at each stage (for a progress display).

    Returns
    -------
    dict
        The content of ``network.json`` plus ``files`` (name -> path).
    """
    import shapely

    opts = options or BuildOptions()
    profile = opts.profile or TruckProfile()
    say = on_progress or (lambda _text: None)
    p = Path(path)
    if not p.exists():
        raise InputError(f"road file not found: {p}")
    if p.is_dir():
        raise InputError(f"{p} is a folder, expected an OSM PBF file")
    if p.stat().st_size == 0:
        raise InputError(f"{p}: the file is empty (expected an OSM PBF file)")
    say(f"reading {p.name}")
    w = read_truck_ways(p, profile, index=opts.node_index,
                        on_progress=lambda n: say(f"reading {p.name}: {n:,} highway ways"))
    log.info("%s: %d highway ways read, %d pieces kept (%d node refs)", p, w.ways_read, w.pieces, len(w.refs))
    if w.pieces == 0:
        raise NetworkError(f"{p}: no roads a truck may use in this file")
    clipped = 0
    if boundary is not None:
        say("clipping to the boundary")
        poly = _boundary_polygon(boundary)
        shapely.prepare(poly)
        inside = shapely.contains_xy(poly, w.lon, w.lat)
        clipped = int((~inside).sum())
        if inside.any():
            w = keep_runs(w, inside)
        if not inside.any() or w.pieces == 0:
            raise NetworkError(f"{p}: the boundary does not overlap the road network")
    say("splitting ways at junctions")
    e = split_at_junctions(w)
    u_ref, v_ref = w.refs[e.start], w.refs[e.end]
    direction = w.oneway[e.piece]
    fwd = np.flatnonzero(direction >= 0)
    rev = np.flatnonzero(direction <= 0)
    # directed edges: an index into the undirected ones and whether it runs against the drawing
    d_edge = np.r_[fwd, rev]
    d_rev = np.r_[np.zeros(len(fwd), dtype=bool), np.ones(len(rev), dtype=bool)]
    du = np.where(d_rev, v_ref[d_edge], u_ref[d_edge])
    dv = np.where(d_rev, u_ref[d_edge], v_ref[d_edge])
    node_ids, first_pos = np.unique(np.r_[w.refs[e.start], w.refs[e.end]], return_index=True)
    pos_all = np.r_[e.start, e.end]
    node_lon, node_lat = w.lon[pos_all[first_pos]], w.lat[pos_all[first_pos]]
    ui, vi = np.searchsorted(node_ids, du), np.searchsorted(node_ids, dv)
    removed: dict[str, int] = {**w.removed, "outside_boundary_nodes": clipped, "unreachable_nodes": 0}
    if opts.largest_component:
        say("keeping the largest strongly connected component")
        from scipy.sparse.csgraph import connected_components

        n = len(node_ids)
        adj = sparse.csr_matrix((np.ones(len(ui), dtype=np.int8), (ui, vi)), shape=(n, n))
        _, labels = connected_components(adj, directed=True, connection="strong")
        big = int(np.bincount(labels).argmax())
        keep_node = labels == big
        keep_edge = keep_node[ui] & keep_node[vi]
        removed["unreachable_nodes"] = int((~keep_node).sum())
        new_index = np.cumsum(keep_node) - 1
        node_ids, node_lon, node_lat = node_ids[keep_node], node_lon[keep_node], node_lat[keep_node]
        d_edge, d_rev = d_edge[keep_edge], d_rev[keep_edge]
        ui, vi = new_index[ui[keep_edge]], new_index[vi[keep_edge]]
    if len(node_ids) < 2 or len(ui) == 0:
        raise NetworkError(f"{p}: no connected road network left for this truck after filtering ({removed})")
    piece = e.piece[d_edge]
    length = e.length_m[d_edge]
    speed = w.speed_kmh[piece].astype(np.float64)
    time_s = length / (speed / 3.6)
    side = w.side[piece]

    say("projecting and writing")
    from pyproj import Transformer

    crs = _utm_crs(node_lon, node_lat)
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(node_lon, node_lat)
    node_side = np.zeros(len(node_ids), dtype=bool)
    node_side[ui[side]] = True
    node_side[vi[side]] = True
    indptr, indices, csr_len, csr_time = csr_arrays(ui, vi, length, time_s, len(node_ids))

    dst = Path(out)
    dst.mkdir(parents=True, exist_ok=True)
    files = {k: dst / v for k, v in _FILES.items()}
    tmp_graph = dst / "graph.tmp.npz"
    np.savez(tmp_graph, indptr=indptr, indices=indices, length_m=csr_len, time_s=csr_time, node_id=node_ids,
             lon=node_lon, lat=node_lat, x=np.asarray(x, dtype=np.float64), y=np.asarray(y, dtype=np.float64),
             side=node_side)
    tmp_graph.replace(files["graph"])
    bounds = [float(node_lon.min()), float(node_lat.min()), float(node_lon.max()), float(node_lat.max())]
    write_edges(files["edges"], w, e, d_edge, d_rev, node_ids[ui], node_ids[vi], length, time_s, speed, side,
                 bounds, opts.edge_chunk)
    meta: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "kind": "cleanfreight road network",
        "source": {"path": str(p.resolve()), "sha256": _file_sha256(p), "bytes": p.stat().st_size},
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "profile": asdict(profile),
        "boundary": boundary is not None,
        "nodes": len(node_ids),
        "edges": len(ui),
        "csr_entries": len(indices),
        "ways_read": w.ways_read,
        "way_pieces": w.pieces,
        "missing_refs": w.missing_refs,
        "length_km": round(float(length.sum()) / 1000.0, 3),
        "crs": crs,
        "node_crs": "EPSG:4326",
        "bounds": [round(b, 6) for b in bounds],
        "removed": removed,
        "simplified": "edges run between the nodes where ways meet or end (interior nodes of a way are geometry only)",
        "files": {k: v.name for k, v in files.items()},
    }
    tmp_meta = dst / "network.json.tmp"
    tmp_meta.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp_meta.replace(files["meta"])
    log.info("stored road network %s: %d nodes, %d edges", dst, meta["nodes"], meta["edges"])
    return {**meta, "files": {k: str(v) for k, v in files.items()}}


# ---------------------------------------------------------------------------------------------- load


class _SortedIndex(Mapping[int, int]):
    """OSM node id -> graph index over a sorted id array (no dict of millions of entries)."""

    def __init__(self, ids: np.ndarray) -> None:
        self._ids = ids

    def __getitem__(self, key: int) -> int:
        i = int(np.searchsorted(self._ids, key))
        if i >= len(self._ids) or int(self._ids[i]) != int(key):
            raise KeyError(key)
        return i

    def __iter__(self) -> Iterator[int]:
        return (int(k) for k in self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@dataclass(frozen=True)
class RoadStore:
    """A stored road network, loaded: CSR arrays, nodes and ``meta`` (``network.json``).

    Use :meth:`csr` for :class:`~cleanfreight.network.matrix.CsrGraph`, :meth:`snap` and
    :meth:`matrix` for travel matrices, :meth:`edges` for the edge table with geometry.
    """

    folder: Path
    meta: dict[str, Any]
    indptr: np.ndarray
    indices: np.ndarray
    length_m: np.ndarray
    time_s: np.ndarray
    node_id: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    side: np.ndarray

    @property
    def crs(self) -> str:
        return str(self.meta["crs"])

    @property
    def nodes(self) -> int:
        return len(self.node_id)

    def matrices(self) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """``(length_m, time_s)`` as ``scipy.sparse.csr_matrix`` (shared arrays, no copy of the graph)."""
        n = self.nodes
        return (sparse.csr_matrix((self.length_m, self.indices, self.indptr), shape=(n, n)),
                sparse.csr_matrix((self.time_s, self.indices, self.indptr), shape=(n, n)))

    def csr(self) -> CsrGraph:
        """The network as :class:`~cleanfreight.network.matrix.CsrGraph` (what ``road_matrix`` routes on)."""
        length, time = self.matrices()
        return CsrGraph(self.node_id, _SortedIndex(self.node_id), length, time, self.x, self.y, self.crs)

    def summary(self) -> dict[str, Any]:
        """``nodes``, ``edges``, ``crs``, ``bounds``, ``length_km``, ``source``, ``removed`` (as ``graph_summary``)."""
        m = self.meta
        return {"nodes": m["nodes"], "edges": m["edges"], "crs": m["crs"], "bounds": m["bounds"],
                "length_km": m["length_km"], "source": m["source"]["path"], "removed": m["removed"],
                "format_version": m["format_version"], "profile": m["profile"]}

    def snap(
        self,
        points_lonlat: Sequence[tuple[float, float]] | np.ndarray,
        *,
        labels: Sequence[str] | None = None,
        far_m: float = 1000.0,
        side_only: bool = True,
    ) -> pd.DataFrame:
        """Snap WGS-84 points to the nearest graph node (a KD-tree on projected coordinates).

        With ``side_only`` only nodes on a road a site may join from the side (not only motorways,
        see :func:`~cleanfreight.network.snapping.side_access`). Columns as
        :func:`~cleanfreight.network.snapping.snap`: ``label``, ``lon``, ``lat``, ``node``, ``snap_m``,
        ``access_m`` (both the straight distance to the node), ``far``.
        """
        from pyproj import Transformer
        from scipy.spatial import cKDTree

        pts = np.asarray(points_lonlat, dtype=float).reshape(-1, 2)
        px, py = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True).transform(pts[:, 0], pts[:, 1])
        candidates = np.flatnonzero(self.side) if side_only and self.side.any() else np.arange(self.nodes)
        tree = cKDTree(np.c_[self.x[candidates], self.y[candidates]])
        dist, k = tree.query(np.c_[px, py])
        node = self.node_id[candidates[k]]
        out = pd.DataFrame({
            "label": list(labels) if labels is not None else [str(i) for i in range(len(pts))],
            "lon": pts[:, 0], "lat": pts[:, 1], "node": node, "snap_m": dist, "access_m": dist,
        })
        out["far"] = out["snap_m"] > far_m
        for row in out[out["far"]].itertuples():
            log.warning("%s: %.0f m from the nearest road node (more than %.0f m)", row.label, row.snap_m, far_m)
        return out

    def matrix(
        self,
        origins: Sequence[tuple[float, float]] | np.ndarray,
        destinations: Sequence[tuple[float, float]] | np.ndarray | None = None,
        *,
        origin_labels: Sequence[str] | None = None,
        destination_labels: Sequence[str] | None = None,
        workers: int = 1,
    ) -> TravelMatrix:
        """Shortest road km and hours from every origin to every destination (WGS-84 lon/lat), as
        :func:`~cleanfreight.network.matrix.road_matrix` on a graph, snapped with :meth:`snap`.
        ``workers`` > 1 runs the Dijkstra searches on that many forked processes (Linux)."""
        if workers < 1:
            raise InputError("workers must be >= 1", [Problem("must be >= 1", column="workers", value=workers)])
        so = self.snap(origins, labels=origin_labels)
        sd = so if destinations is None else self.snap(destinations, labels=destination_labels)
        return travel_matrix(self.csr(), so, sd, square=destinations is None, paths=False, workers=workers)

    def edges(self, columns: Sequence[str] | None = None) -> Any:
        """The directed edges from ``edges.parquet`` as a GeoDataFrame (WGS-84), or chosen columns
        (without ``geometry``: a DataFrame)."""
        import duckdb

        cols = ", ".join(f'"{c}"' for c in columns) if columns else "*"
        path = self.folder / _FILES["edges"]
        with duckdb.connect() as con:
            frame = con.execute(f"SELECT {cols} FROM read_parquet('{sql_path(path)}')").df()
        if "geometry" not in frame:
            return frame
        import geopandas as gpd
        import shapely

        geom = shapely.from_wkb(frame.pop("geometry").map(bytes).to_numpy())
        return gpd.GeoDataFrame(frame, geometry=geom, crs="EPSG:4326")


def is_road_store(path: str | Path) -> bool:
    """Whether ``path`` is a folder written by :func:`build_road_store`."""
    p = Path(path)
    return p.is_dir() and (p / _FILES["meta"]).is_file()


def load_road_store(folder: str | Path) -> RoadStore:
    """Load a stored road network (``network.json`` and ``graph.npz``; the edge table stays on disk)."""
    d = Path(folder)
    meta_path, graph_path = d / _FILES["meta"], d / _FILES["graph"]
    if not d.exists():
        raise InputError(f"road network folder not found: {d}")
    if not meta_path.is_file() or not graph_path.is_file():
        raise InputError(f"{d}: not a built road network (expected {_FILES['meta']} and {_FILES['graph']}; "
                         "make one with `cleanfreight network build`)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{meta_path}: not a valid network.json ({exc})") from None
    if meta.get("format_version") != FORMAT_VERSION:
        raise InputError(f"{d}: network format version {meta.get('format_version')!r}; this cleanfreight reads "
                         f"version {FORMAT_VERSION} (rebuild it with `cleanfreight network build`)")
    try:
        with graph_path.open("rb") as fh, np.load(fh, allow_pickle=False) as z:
            arrays = {k: z[k] for k in ("indptr", "indices", "length_m", "time_s", "node_id", "lon", "lat", "x",
                                        "y", "side")}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise InputError(f"{graph_path}: damaged graph file ({type(exc).__name__}: {exc}); rebuild it") from None
    n = len(arrays["node_id"])
    if len(arrays["indptr"]) != n + 1 or len(arrays["indices"]) != len(arrays["length_m"]):
        raise InputError(f"{graph_path}: inconsistent graph arrays; rebuild it")
    log.info("loaded road network %s: %d nodes (%s)", d, n, os.fspath(graph_path))
    return RoadStore(folder=d, meta=meta, **arrays)
