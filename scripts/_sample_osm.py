"""Build the sample road network from curated polylines and write it as OSM XML and OSM PBF.

Geometry is handled in UTM 49N metres. Steps: snap road ends onto nearby roads (T-junctions), add
access roads to every point of interest, insert a shared node wherever two roads cross (except a
motorway crossing a lower road: grade-separated), densify every way to a node every <= 350 m, then
number nodes in a stable order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point

XY = tuple[float, float]
_FWD = Transformer.from_crs(4326, 32649, always_xy=True)
_INV = Transformer.from_crs(32649, 4326, always_xy=True)
TIMESTAMP = "2024-06-01T00:00:00Z"
SPACING_M = 350.0
SNAP_END_M = 800.0
HIGH = {"motorway", "trunk", "primary"}


def to_xy(lonlat: tuple[float, float]) -> XY:
    x, y = _FWD.transform(*lonlat)
    return (round(x, 2), round(y, 2))


def to_lonlat(xy: XY) -> tuple[float, float]:
    lon, lat = _INV.transform(*xy)
    return (round(lon, 7), round(lat, 7))


@dataclass
class Way:
    coords: list[XY]
    tags: dict[str, str]
    snap_ends: bool = True
    access: bool = False  # an access road to a point of interest (other access roads never attach to it)
    ids: list[int] = field(default_factory=list)

    @property
    def highway(self) -> str:
        return self.tags["highway"]

    def line(self) -> LineString:
        return LineString(self.coords)


def _can_join(a: Way, b: Way) -> bool:
    """Roads crossing at grade: a motorway only meets another motorway, a trunk or a primary road."""
    ma, mb = a.highway == "motorway", b.highway == "motorway"
    if ma and mb:
        return True
    if ma or mb:
        other = b if ma else a
        return other.highway in HIGH
    return True


def insert_vertex(way: Way, p: XY, tol: float = 1.0) -> XY:
    """Insert ``p`` into the way's polyline (or return the vertex within ``tol`` of it)."""
    for c in way.coords:
        if math.dist(c, p) <= tol:
            return c
    best, best_d = 0, math.inf
    for i in range(len(way.coords) - 1):
        d = LineString(way.coords[i : i + 2]).distance(Point(p))
        if d < best_d:
            best, best_d = i, d
    way.coords.insert(best + 1, p)
    return p


def _vertex_near(ways: Iterable[Way], p: XY, tol: float = 1.0) -> XY | None:
    for w in ways:
        for c in w.coords:
            if math.dist(c, p) <= tol:
                return c
    return None


def snap_ends(ways: list[Way]) -> None:
    """Move each free road end onto the nearest joinable road within ``SNAP_END_M`` (T-junctions)."""
    for w in ways:
        if not w.snap_ends:
            continue
        for end in (0, -1):
            p = w.coords[end]
            others = [o for o in ways if o is not w and _can_join(w, o)]
            if _vertex_near(others, p, 0.5) is not None:
                continue
            best, best_d = None, SNAP_END_M
            for o in others:
                d = o.line().distance(Point(p))
                if d < best_d:
                    best, best_d = o, d
            if best is None:
                continue
            q = best.line().interpolate(best.line().project(Point(p)))
            q_xy = insert_vertex(best, (round(q.x, 2), round(q.y, 2)))
            w.coords[end] = q_xy


def connect_point(ways: list[Way], poi: XY, tags: dict[str, str]) -> float:
    """Add an access road from ``poi`` to the nearest road a heavy truck may use; return its length in m.

    The point becomes a dead-end node of its own access road, so it survives graph simplification;
    motorways, ``hgv=no`` streets and other access roads are never the target.
    """
    best, best_d = None, math.inf
    for o in ways:
        if o.highway == "motorway" or o.access or o.tags.get("hgv") == "no":
            continue
        d = o.line().distance(Point(poi))
        if d < best_d:
            best, best_d = o, d
    assert best is not None
    if best_d < 30.0:
        raise ValueError(
            f"{tags['name']}: point lies on {best.tags['name']}; move it at least 30 m off the road"
        )
    q = best.line().interpolate(best.line().project(Point(poi)))
    q_xy = insert_vertex(best, (round(q.x, 2), round(q.y, 2)))
    ways.append(Way([poi, q_xy], tags, snap_ends=False, access=True))
    return best_d


def node_crossings(ways: list[Way]) -> int:
    """Insert a shared node at each crossing of two joinable ways; return how many were added."""
    lines = [w.line() for w in ways]
    tree = shapely.STRtree(lines)
    added = 0
    for i, j in sorted(zip(*tree.query(lines, predicate="intersects"), strict=True)):
        if j <= i or not _can_join(ways[i], ways[j]):
            continue
        inter = ways[i].line().intersection(ways[j].line())
        pts = [g for g in getattr(inter, "geoms", [inter]) if isinstance(g, Point)]
        for pt in sorted(pts, key=lambda g: (g.x, g.y)):
            p = (round(pt.x, 2), round(pt.y, 2))
            q = _vertex_near([ways[i], ways[j]], p) or p
            insert_vertex(ways[i], q)
            insert_vertex(ways[j], q)
            added += 1
    return added


def densify(way: Way, spacing: float = SPACING_M) -> None:
    out: list[XY] = [way.coords[0]]
    for a, b in zip(way.coords, way.coords[1:], strict=False):
        n = max(1, math.ceil(math.dist(a, b) / spacing))
        for k in range(1, n):
            out.append((round(a[0] + (b[0] - a[0]) * k / n, 2), round(a[1] + (b[1] - a[1]) * k / n, 2)))
        out.append(b)
    # drop consecutive duplicates
    way.coords = [c for k, c in enumerate(out) if k == 0 or c != out[k - 1]]


def number_nodes(ways: list[Way], first_node: int = 1_000_001) -> dict[XY, int]:
    ids: dict[XY, int] = {}
    for w in ways:
        w.ids = []
        for c in w.coords:
            if c not in ids:
                ids[c] = first_node + len(ids)
            w.ids.append(ids[c])
    return ids


def write_xml(path: Path, ways: list[Way], ids: dict[XY, int], note: str, first_way: int = 5_000_001) -> None:
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<osm version="0.6" generator="cleanfreight scripts/make_sample.py">',
        f"  <!-- {note} -->",
        f"  <note>{note}</note>",
    ]
    lonlat = {nid: to_lonlat(xy) for xy, nid in ids.items()}
    lats = [ll[1] for ll in lonlat.values()]
    lons = [ll[0] for ll in lonlat.values()]
    box = (
        f'minlat="{min(lats):.7f}" minlon="{min(lons):.7f}" maxlat="{max(lats):.7f}" maxlon="{max(lons):.7f}"'
    )
    lines.append(f"  <bounds {box}/>")
    for nid in sorted(lonlat):
        lon, lat = lonlat[nid]
        attrs = f'version="1" timestamp="{TIMESTAMP}" changeset="1" lat="{lat:.7f}" lon="{lon:.7f}"'
        lines.append(f'  <node id="{nid}" {attrs}/>')
    for k, w in enumerate(ways):
        lines.append(f'  <way id="{first_way + k}" version="1" timestamp="{TIMESTAMP}" changeset="1">')
        lines.extend(f'    <nd ref="{nid}"/>' for nid in w.ids)
        lines.extend(
            f"    <tag k={quoteattr(key)} v={quoteattr(val)}/>" for key, val in sorted(w.tags.items())
        )
        lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_pbf(xml_path: Path, pbf_path: Path) -> None:
    """Copy the XML file's content to PBF with pyosmium (same nodes, ways and tags)."""
    import osmium

    if pbf_path.exists():
        pbf_path.unlink()
    header = osmium.io.Header()
    header.set("generator", "cleanfreight scripts/make_sample.py")
    writer = osmium.SimpleWriter(str(pbf_path), header=header)
    try:
        for obj in osmium.FileProcessor(str(xml_path)):
            writer.add(obj)
    finally:
        writer.close()
