"""A seeded, illustrative OSM PBF of roads and rail at a province's density (Shanxi's extent).

**Illustrative, not real roads.** The file is made for scale benchmarks and trials of the streaming
importer (:mod:`cleanfreight.network.store`): only the 11 city centres are real; every road is random
but reproducible from ``ProvinceParams.seed``.

What it holds (about ``params.ways`` ways):

- a perturbed grid over the province's box: one way per grid edge, each with a bent middle node;
  about 8 % of the minor edges are missing. Edges near a city are ``residential``, elsewhere
  ``unclassified``; every 8th grid line is ``tertiary`` and every 40th ``secondary``;
- ``trunk`` corridors along the grid between cities next to each other on a minimum spanning tree
  of the cities, ``primary`` to each city's second-nearest neighbour;
- dual-carriageway ``motorway`` (``oneway=yes``, ``maxspeed=120``) along the tree, with
  ``motorway_link`` junctions to the grid every ~15 km;
- tags a truck filter must honour: ``maxspeed`` on some ways, ``hgv=no`` on 2 % of the residential
  streets, ``maxweight`` 10-20 t on 1 % of the minor roads;
- a ``service`` road from every enterprise and every freight station to the grid;
- ``railway=rail`` lines along the tree.

It is written by streaming (grid row by grid row, nodes first then ways, ids ascending as in a real
extract), so memory does not grow with the number of ways.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cleanfreight.jobs.province import BBOX, CITIES, ProvinceParams, province_sites

__all__ = ["NOTICE", "write_roads"]

log = logging.getLogger(__name__)

NOTICE = (
    "Illustrative synthetic OSM data made by cleanfreight (a seeded perturbed road grid over Shanxi's box with "
    "corridors between its real city centres); not real roads or rail."
)

_KEEP_MINOR = 0.92
_CITY_KM = 12.0
# class codes, lowest first (a grid edge takes the highest class that applies)
_CLASSES = ("unclassified", "residential", "tertiary", "secondary", "primary", "trunk")
_UNCL, _RES, _TERT, _SEC, _PRIM, _TRUNK = range(6)
_MAXSPEED = {_UNCL: ("30", "40"), _RES: ("30", "20"), _TERT: ("40", "60"), _SEC: ("60",), _PRIM: ("60", "70"),
             _TRUNK: ("80",)}
_KM_PER_DEG = 111.195


@dataclass(frozen=True)
class _Grid:
    rows: int
    cols: int
    lon0: float
    lat0: float
    dlon: float
    dlat: float
    seed: int

    @property
    def size(self) -> int:
        return self.rows * self.cols

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Lon/lat of the grid nodes of row ``i`` (jittered, reproducible per row)."""
        rng = np.random.default_rng([self.seed, 1, i])
        j = np.arange(self.cols)
        lon = self.lon0 + j * self.dlon + rng.uniform(-0.25, 0.25, self.cols) * self.dlon
        lat = self.lat0 + i * self.dlat + rng.uniform(-0.25, 0.25, self.cols) * self.dlat
        return lon, lat

    def nearest(self, lon: float, lat: float) -> tuple[int, int]:
        i = int(np.clip(round((lat - self.lat0) / self.dlat), 0, self.rows - 1))
        j = int(np.clip(round((lon - self.lon0) / self.dlon), 0, self.cols - 1))
        return i, j


def _grid_for(params: ProvinceParams) -> _Grid:
    lon0, lat0, lon1, lat1 = BBOX
    coslat = math.cos(math.radians((lat0 + lat1) / 2))
    width_km = (lon1 - lon0) * _KM_PER_DEG * coslat
    height_km = (lat1 - lat0) * _KM_PER_DEG
    # grid edges ~ 2 * rows * cols, of which a share is kept; the rest of the ways are corridors and sites
    extra = params.enterprises + params.stations + 400
    cells = max(64.0, (params.ways - extra) / (2 * (_KEEP_MINOR + 0.02)))
    cols = max(8, round(math.sqrt(cells * width_km / height_km)))
    rows = max(8, round(cells / cols))
    return _Grid(rows, cols, lon0, lat0, (lon1 - lon0) / (cols - 1), (lat1 - lat0) / (rows - 1), params.seed)


def _km(lon_a: float, lat_a: float, lon_b: float, lat_b: float) -> float:
    coslat = math.cos(math.radians((lat_a + lat_b) / 2))
    return math.hypot((lon_b - lon_a) * coslat, lat_b - lat_a) * _KM_PER_DEG


def _city_tree() -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Pairs of cities on a minimum spanning tree (by distance), and each city to its second-nearest
    neighbour where that pair is not on the tree."""
    n = len(CITIES)
    d = np.array([[_km(a[3], a[4], b[3], b[4]) for b in CITIES] for a in CITIES])
    inside, tree = {0}, []
    while len(inside) < n:
        a, b = min(((a, b) for a in inside for b in range(n) if b not in inside), key=lambda ab: d[ab])
        tree.append((a, b))
        inside.add(b)
    pairs = {tuple(sorted(p)) for p in tree}
    extra = []
    for a in range(n):
        b = int(np.argsort(d[a])[2])
        if tuple(sorted((a, b))) not in pairs:
            pairs.add(tuple(sorted((a, b))))
            extra.append((a, b))
    return tree, extra


def _staircase(a: tuple[int, int], b: tuple[int, int]) -> Iterator[tuple[int, int, int]]:
    """Grid edges ``(direction, i, j)`` of a 4-connected path from node ``a`` to node ``b``
    (direction 0: (i, j)-(i, j+1); 1: (i, j)-(i+1, j))."""
    (i, j), (ti, tj) = a, b
    di, dj = ti - i, tj - j
    n = abs(di) + abs(dj)
    si, sj = (1 if di > 0 else -1), (1 if dj > 0 else -1)
    done_i = done_j = 0
    for _ in range(n):
        # step in the direction that lags most behind the straight line
        if done_j < abs(dj) and (done_i >= abs(di) or (done_j + 0.5) * abs(di) < (done_i + 0.5) * abs(dj)):
            nj = j + sj
            yield 0, i, min(j, nj)
            j, done_j = nj, done_j + 1
        else:
            ni = i + si
            yield 1, min(i, ni), j
            i, done_i = ni, done_i + 1


class _Ids:
    def __init__(self, start: int) -> None:
        self.next = start

    def take(self, n: int = 1) -> int:
        first = self.next
        self.next += n
        return first


def _edge_classes(g: _Grid, direction: int, i: int, overrides: dict[tuple[int, int, int], int]) -> np.ndarray:
    """Class code of every grid edge of row ``i`` in ``direction``."""
    n = g.cols - 1 if direction == 0 else g.cols
    lon, lat = g.row(i)
    if direction == 0:
        mlon, mlat = (lon[:-1] + lon[1:]) / 2, (lat[:-1] + lat[1:]) / 2
        line = np.full(n, i)
    else:
        lon2, lat2 = g.row(i + 1)
        mlon, mlat = (lon + lon2) / 2, (lat + lat2) / 2
        line = np.arange(n)
    clon = np.array([c[3] for c in CITIES])
    clat = np.array([c[4] for c in CITIES])
    coslat = np.cos(np.radians(mlat))[:, None]
    dist = np.hypot((mlon[:, None] - clon) * coslat, mlat[:, None] - clat).min(axis=1) * _KM_PER_DEG
    cls = np.where(dist < _CITY_KM, _RES, _UNCL)
    cls = np.where(line % 8 == 0, _TERT, cls)
    cls = np.where(line % 40 == 0, _SEC, cls)
    for j in range(n):
        up = overrides.get((direction, i, j))
        if up is not None and up > cls[j]:
            cls[j] = up
    return cls


def _kept(g: _Grid, direction: int, i: int, cls: np.ndarray, protected: set[int]) -> np.ndarray:
    n = len(cls)
    rng = np.random.default_rng([g.seed, 4 + direction, i])
    keep = (rng.random(n) < _KEEP_MINOR) | (cls >= _TERT)
    if protected:
        a = i * g.cols + np.arange(n)
        b = a + 1 if direction == 0 else a + g.cols
        keep |= np.isin(a, list(protected)) | np.isin(b, list(protected))
    return keep


def _mids(g: _Grid, direction: int, i: int) -> tuple[np.ndarray, np.ndarray]:
    """The bent middle node of each grid edge of row ``i``."""
    lon, lat = g.row(i)
    rng = np.random.default_rng([g.seed, 2 + direction, i])
    if direction == 0:
        mlon, mlat = (lon[:-1] + lon[1:]) / 2, (lat[:-1] + lat[1:]) / 2
        mlat = mlat + rng.uniform(-0.15, 0.15, len(mlon)) * g.dlat
    else:
        lon2, lat2 = g.row(i + 1)
        mlon, mlat = (lon + lon2) / 2, (lat + lat2) / 2
        mlon = mlon + rng.uniform(-0.15, 0.15, len(mlon)) * g.dlon
    return mlon, mlat


def write_roads(params: ProvinceParams, out: Path) -> dict[str, Path]:
    """Write ``roads.osm.pbf`` (illustrative roads and rail, about ``params.ways`` ways) and
    ``roads.json`` (what the file holds and that it is illustrative) into ``out``.

    Returns
    -------
    dict
        ``{"roads": ..., "roads_meta": ...}``.
    """
    import osmium
    from osmium.osm.mutable import Node, Way

    out.mkdir(parents=True, exist_ok=True)
    g = _grid_for(params)
    log.info("province roads: %d x %d grid, %.2f km spacing", g.rows, g.cols, g.dlat * _KM_PER_DEG)
    ent, st = province_sites(params)
    tree, extra_pairs = _city_tree()
    city_node = [g.nearest(c[3], c[4]) for c in CITIES]

    overrides: dict[tuple[int, int, int], int] = {}
    for pairs, code in ((extra_pairs, _PRIM), (tree, _TRUNK)):
        for a, b in pairs:
            for e in _staircase(city_node[a], city_node[b]):
                overrides[e] = max(code, overrides.get(e, 0))

    node_ids = _Ids(3 * g.size + 1)
    way_ids = _Ids(2 * g.size + 1)
    extra_nodes: list[tuple[int, float, float, dict[str, str]]] = []
    extra_ways: list[tuple[int, list[int], dict[str, str]]] = []
    protected: set[int] = set()

    def grid_id(i: int, j: int) -> int:
        return 1 + i * g.cols + j

    # sites: a service road from each enterprise / station to its nearest grid node
    for kind, frame, idcol in (("enterprise", ent, "enterprise_id"), ("station", st, "station_id")):
        for sid, lon, lat in zip(frame[idcol], frame["lon"], frame["lat"], strict=True):
            i, j = g.nearest(float(lon), float(lat))
            protected.add(i * g.cols + j)
            nid = node_ids.take()
            tags = {"name": str(sid), "man_made": "works"} if kind == "enterprise" else {
                "name": str(sid), "railway": "station"}
            extra_nodes.append((nid, float(lon), float(lat), tags))
            extra_ways.append((way_ids.take(), [nid, grid_id(i, j)],
                               {"highway": "service", "service": "driveway" if kind == "enterprise" else "yard"}))

    # motorways: two carriageways along the tree, links to the grid every ~15 km
    for a, b in tree:
        ca, cb = CITIES[a], CITIES[b]
        km = _km(ca[3], ca[4], cb[3], cb[4])
        n = max(4, round(km))
        t = np.linspace(0.0, 1.0, n + 1)
        coslat = math.cos(math.radians((ca[4] + cb[4]) / 2))
        dx, dy = (cb[3] - ca[3]) * coslat, cb[4] - ca[4]
        norm = math.hypot(dx, dy)
        px, py = -dy / norm / coslat, dx / norm  # unit normal in degrees of lon / lat
        wiggle = 0.01 * np.sin(t * math.pi * 3) * np.sin(t * math.pi)
        ref = f"G{a + 1:02d}{b + 1:02d}"
        step = max(1, n // max(1, round(km / 15)))
        junctions = sorted({0, n, *range(step, n, step)})
        for side, sign in ((0, 1.0), (1, -1.0)):
            off = sign * 0.00018 + wiggle
            lon = ca[3] + (cb[3] - ca[3]) * t + px * off
            lat = ca[4] + (cb[4] - ca[4]) * t + py * off
            first = node_ids.take(n + 1)
            ids = list(range(first, first + n + 1))
            extra_nodes.extend((k, float(x), float(y), {}) for k, x, y in zip(ids, lon, lat, strict=True))
            order = ids if side == 0 else ids[::-1]
            pos = junctions if side == 0 else [n - k for k in reversed(junctions)]
            mtags = {"highway": "motorway", "oneway": "yes", "maxspeed": "120", "ref": ref, "lanes": "2"}
            for s, e in itertools.pairwise(pos):
                extra_ways.append((way_ids.take(), order[s:e + 1], dict(mtags)))
            for k in junctions:
                i, j = g.nearest(float(lon[k]), float(lat[k]))
                protected.add(i * g.cols + j)
                ltags = {"highway": "motorway_link", "oneway": "yes", "maxspeed": "60"}
                extra_ways.append((way_ids.take(), [grid_id(i, j), ids[k]], dict(ltags)))
                extra_ways.append((way_ids.take(), [ids[k], grid_id(i, j)], dict(ltags)))

    # rail along the tree (not roads: a truck importer must skip it)
    for a, b in tree:
        ca, cb = CITIES[a], CITIES[b]
        n = max(2, round(_km(ca[3], ca[4], cb[3], cb[4]) / 2))
        t = np.linspace(0.0, 1.0, n + 1)
        lon = ca[3] + (cb[3] - ca[3]) * t + 0.004
        lat = ca[4] + (cb[4] - ca[4]) * t - 0.004
        first = node_ids.take(n + 1)
        ids = list(range(first, first + n + 1))
        extra_nodes.extend((k, float(x), float(y), {}) for k, x, y in zip(ids, lon, lat, strict=True))
        for s in range(0, n, 10):
            extra_ways.append((way_ids.take(), ids[s:min(n, s + 10) + 1],
                               {"railway": "rail", "usage": "main", "electrified": "contact_line",
                                "name": f"{ca[1]}-{cb[1]} railway"}))

    pbf = out / "roads.osm.pbf"
    tmp = out / "roads.osm.pbf.tmp"
    tmp.unlink(missing_ok=True)
    counts = {"nodes": 0, "ways": 0, "grid_ways": 0}
    header = osmium.io.Header()
    header.set("generator", "cleanfreight province generator (illustrative synthetic data)")
    with osmium.SimpleWriter(osmium.io.File(str(tmp), "pbf"), header=header) as writer:
        # nodes, ids ascending: grid rows, then the middle nodes of kept edges
        for i in range(g.rows):
            lon, lat = g.row(i)
            for col in range(g.cols):
                writer.add_node(Node(id=grid_id(i, col), location=(float(lon[col]), float(lat[col]))))
            counts["nodes"] += g.cols
        for direction in (0, 1):
            for i in range(g.rows if direction == 0 else g.rows - 1):
                cls = _edge_classes(g, direction, i, overrides)
                keep = _kept(g, direction, i, cls, protected)
                mlon, mlat = _mids(g, direction, i)
                base = (1 + direction) * g.size + 1 + i * g.cols
                for j in np.flatnonzero(keep).tolist():
                    writer.add_node(Node(id=base + int(j), location=(float(mlon[j]), float(mlat[j]))))
                counts["nodes"] += int(keep.sum())
        for nid, lon_, lat_, tags in extra_nodes:
            writer.add_node(Node(id=nid, location=(lon_, lat_), tags=tags))
        counts["nodes"] += len(extra_nodes)
        # ways, ids ascending: horizontal grid edges, vertical ones, then the corridors and sites
        for direction in (0, 1):
            for i in range(g.rows if direction == 0 else g.rows - 1):
                cls = _edge_classes(g, direction, i, overrides)
                keep = _kept(g, direction, i, cls, protected)
                u = np.random.default_rng([g.seed, 6 + direction, i]).random(len(cls))
                wbase = direction * g.size + 1 + i * g.cols
                nbase = (1 + direction) * g.size + 1 + i * g.cols
                step = 1 if direction == 0 else g.cols
                for j in np.flatnonzero(keep).tolist():
                    c, r = int(cls[j]), float(u[j])
                    tags = {"highway": _CLASSES[c]}
                    if c == _RES and r < 0.02:
                        tags["hgv"] = "no"
                    elif c <= _RES and 0.02 <= r < 0.03:
                        tags["maxweight"] = "20" if r < 0.025 else "10"
                    elif r < 0.35 or c >= _SEC:
                        speeds = _MAXSPEED[c]
                        tags["maxspeed"] = speeds[int(r * 1000) % len(speeds)]
                    a = grid_id(i, int(j))
                    writer.add_way(Way(id=wbase + int(j), nodes=[a, nbase + int(j), a + step], tags=tags))
                counts["grid_ways"] += int(keep.sum())
        for wid, refs, tags in extra_ways:
            writer.add_way(Way(id=wid, nodes=refs, tags=tags))
    counts["ways"] = counts["grid_ways"] + len(extra_ways)
    tmp.replace(pbf)
    meta = out / "roads.json"
    meta.write_text(json.dumps(_meta(params, g, counts, tree, extra_pairs), indent=2, ensure_ascii=False),
                    encoding="utf-8")
    log.info("wrote %s: %d nodes, %d ways", pbf, counts["nodes"], counts["ways"])
    return {"roads": pbf, "roads_meta": meta}


def _meta(params: ProvinceParams, g: _Grid, counts: dict[str, int], tree: list[tuple[int, int]],
          extra: list[tuple[int, int]]) -> dict[str, Any]:
    return {
        "notice": NOTICE,
        "seed": params.seed,
        "ways_asked": params.ways,
        **counts,
        "grid": {"rows": g.rows, "cols": g.cols, "spacing_km": round(g.dlat * _KM_PER_DEG, 3)},
        "bbox": [g.lon0 - g.dlon, g.lat0 - g.dlat, g.lon0 + g.cols * g.dlon, g.lat0 + g.rows * g.dlat],
        "motorways": [f"{CITIES[a][1]}-{CITIES[b][1]}" for a, b in tree],
        "primary_links": [f"{CITIES[a][1]}-{CITIES[b][1]}" for a, b in extra],
    }
