"""Array plumbing of the road store's build (:mod:`cleanfreight.network.store`): way pieces cut to kept runs,
split into edges at junctions, the CSR of the directed graph and the GeoParquet edge table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cleanfreight._geo import haversine_km
from cleanfreight.network._pbf import WayPieces
from cleanfreight.network.roads import TRUCK_HIGHWAYS

#: osmnx's earth radius (6,371,009 m): edge lengths equal those ``load_roads`` gives through osmnx
OSMNX_RADIUS_KM = 6371.009


def keep_runs(w: WayPieces, keep: np.ndarray) -> WayPieces:
    """Cut pieces where ``keep`` is false; drop runs of fewer than two nodes."""
    m = len(w.refs)
    lengths = np.diff(w.offsets)
    piece_of = np.repeat(np.arange(w.pieces), lengths)
    first = np.zeros(m, dtype=bool)
    first[w.offsets[:-1][lengths > 0]] = True
    prev_kept = np.r_[False, keep[:-1]]
    start = keep & (first | ~prev_kept)
    run = np.cumsum(start) - 1
    run_len = np.bincount(run[keep], minlength=int(start.sum()))
    good = keep & (run_len[np.maximum(run, 0)] >= 2)
    runs = np.flatnonzero(run_len >= 2)
    parent = piece_of[np.flatnonzero(start)][runs]
    return WayPieces(
        offsets=np.r_[0, np.cumsum(run_len[runs])].astype(np.int64),
        refs=w.refs[good], lon=w.lon[good], lat=w.lat[good],
        way_id=w.way_id[parent], highway=w.highway[parent], speed_kmh=w.speed_kmh[parent],
        oneway=w.oneway[parent], side=w.side[parent],
        ways_read=w.ways_read, removed=w.removed, missing_refs=w.missing_refs,
    )


@dataclass
class Edges:
    """Undirected way segments between graph nodes: positions into the way arrays and attributes."""

    start: np.ndarray
    end: np.ndarray
    piece: np.ndarray
    length_m: np.ndarray


def split_at_junctions(w: WayPieces) -> Edges:
    lengths = np.diff(w.offsets)
    piece_of = np.repeat(np.arange(w.pieces), lengths)
    ids, inverse, counts = np.unique(w.refs, return_inverse=True, return_counts=True)
    junction = counts[inverse] >= 2
    junction[w.offsets[:-1]] = True
    junction[w.offsets[1:] - 1] = True
    del ids, inverse, counts
    valid = piece_of[:-1] == piece_of[1:]
    seg_len = haversine_km(w.lon[:-1], w.lat[:-1], w.lon[1:], w.lat[1:], OSMNX_RADIUS_KM) * 1000.0
    starts = valid & junction[:-1]
    edge_of = np.cumsum(starts) - 1
    vpos = np.flatnonzero(valid)
    e = edge_of[vpos]
    length = np.bincount(e, weights=seg_len[vpos], minlength=int(starts.sum()))
    last = np.r_[e[1:] != e[:-1], True]
    start_pos = np.flatnonzero(starts)
    end_pos = vpos[last] + 1
    del piece_of
    return Edges(start_pos, end_pos, np.repeat(np.arange(w.pieces), lengths)[start_pos], length)


def csr_arrays(
    ui: np.ndarray, vi: np.ndarray, length: np.ndarray, time_s: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """CSR of the directed graph; parallel edges keep their shortest length and shortest time
    (each on its own, as :func:`cleanfreight.network.matrix.csr_graph` does)."""
    order = np.lexsort((vi, ui))
    uu, vv = ui[order], vi[order]
    new = np.r_[True, (uu[1:] != uu[:-1]) | (vv[1:] != vv[:-1])]
    group = np.cumsum(new) - 1
    k = int(new.sum())
    best_len = np.full(k, np.inf)
    best_time = np.full(k, np.inf)
    np.minimum.at(best_len, group, length[order])
    np.minimum.at(best_time, group, time_s[order])
    rows = uu[new]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    indptr = np.cumsum(indptr)
    # zero-length edges would vanish in a sparse matrix: give them a tiny positive weight
    return indptr, vv[new].astype(np.int32), np.maximum(best_len, 1e-6), np.maximum(best_time, 1e-6)


def geo_metadata(bounds: list[float]) -> str:
    return json.dumps({
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["LineString"], "bbox": bounds}},
    })


def write_edges(path: Path, w: WayPieces, e: Edges, d_edge: np.ndarray, d_rev: np.ndarray, u: np.ndarray,
                 v: np.ndarray, length: np.ndarray, time_s: np.ndarray, speed: np.ndarray, side: np.ndarray,
                 bounds: list[float], chunk: int) -> None:
    """Write the directed edges with their geometry (in travel direction) as GeoParquet, ``chunk`` at a time."""
    import duckdb
    import shapely

    classes = np.array(TRUCK_HIGHWAYS, dtype=object)
    tmp = path.with_name(path.name + ".tmp")
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        for lo in range(0, len(d_edge), chunk):
            sl = slice(lo, min(lo + chunk, len(d_edge)))
            de, rv = d_edge[sl], d_rev[sl]
            s, t = e.start[de], e.end[de]
            count = t - s + 1
            base = np.repeat(s - np.r_[0, np.cumsum(count)[:-1]], count)
            pos = np.arange(int(count.sum())) + base
            owner = np.repeat(np.arange(len(de)), count)
            # reversed edges run from their last coordinate to their first
            within = pos - np.repeat(s, count)
            pos = np.where(np.repeat(rv, count), np.repeat(t, count) - within, pos)
            lines = shapely.linestrings(np.c_[w.lon[pos], w.lat[pos]], indices=owner)
            piece = e.piece[de]
            frame = pd.DataFrame({
                "u": u[sl], "v": v[sl], "length_m": length[sl], "time_s": time_s[sl], "speed_kmh": speed[sl],
                "highway": classes[w.highway[piece]], "osm_way_id": w.way_id[piece],
                "oneway": w.oneway[piece] != 0, "side_access": side[sl],
                "geometry": shapely.to_wkb(lines),
            })
            con.register("chunk", frame)
            if lo == 0:
                con.execute("CREATE TABLE edges AS SELECT * FROM chunk")
            else:
                con.execute("INSERT INTO edges SELECT * FROM chunk")
            con.unregister("chunk")
            del frame, lines
        meta = geo_metadata(bounds).replace("'", "''")
        con.execute(f"COPY edges TO '{sql_path(tmp)}' (FORMAT parquet, COMPRESSION zstd, "
                    f"KV_METADATA {{geo: '{meta}'}})")
    finally:
        con.close()
    tmp.replace(path)


def sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
