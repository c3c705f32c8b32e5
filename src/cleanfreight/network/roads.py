"""Road networks for heavy trucks from OSM XML, OSM PBF and GraphML.

:func:`load_roads` reads any of the three formats into an osmnx-style ``MultiDiGraph``, keeps what
a heavy truck may use (:class:`TruckProfile`: ``hgv=no``, ``maxweight`` below the truck's gross
weight, restriction zones with an optional new-energy exemption), clips to a boundary, projects to
a metric CRS and adds lengths, truck speeds and travel times. The graph carries its provenance in
``G.graph``: ``crs``, ``source``, ``loaded_at``, ``profile`` and what was removed.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from cleanfreight.errors import InputError, NetworkError, Problem

__all__ = [
    "NO_ACCESS", "TRUCK_HIGHWAYS", "TruckProfile", "graph_summary", "load_roads", "truck_refusal", "truck_speed_kmh",
]

log = logging.getLogger(__name__)

TRUCK_HIGHWAYS = (
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
    "tertiary", "tertiary_link", "unclassified", "residential", "service", "road",
)
"""``highway`` classes a heavy truck may drive on (before hgv/maxweight filtering)."""

NO_ACCESS = ("no", "private")
"""``access`` values that close a road to every truck (read before any graph is built)."""
_NO_ACCESS = NO_ACCESS

_WAY_TAGS = ("hgv", "maxweight", "name:en", "access", "motor_vehicle", "goods", "motorroad")


@dataclass(frozen=True)
class TruckProfile:
    """What the truck is and which roads it may use.

    Parameters
    ----------
    gross_weight_t
        Gross vehicle weight; edges with a lower ``maxweight`` are removed (49 t: GB 1589-2016 limit).
    new_energy
        A new-energy truck: exempt from restriction zones that exempt new-energy vehicles.
    max_speed_kmh
        Speed cap of the truck (China: 100 km/h for goods vehicles on expressways; 80 is typical).
    default_speeds_kmh
        Speed by highway class where ``maxspeed`` is missing.
    respect_hgv_no
        Remove ways tagged ``hgv=no`` (``hgv=destination`` stays).
    """

    gross_weight_t: float = 49.0
    new_energy: bool = False
    max_speed_kmh: float = 80.0
    default_speeds_kmh: dict[str, float] = field(default_factory=lambda: {
        "motorway": 80, "trunk": 60, "primary": 50, "secondary": 40, "tertiary": 35, "unclassified": 30,
        "residential": 25, "service": 15, "road": 30,
    })
    respect_hgv_no: bool = True

    def __post_init__(self) -> None:
        problems = []
        if not 3.5 <= self.gross_weight_t <= 100:
            problems.append(Problem("gross weight must be between 3.5 and 100 t", column="gross_weight_t",
                                    value=self.gross_weight_t))
        if not 5 <= self.max_speed_kmh <= 130:
            problems.append(Problem("truck speed must be between 5 and 130 km/h", column="max_speed_kmh",
                                    value=self.max_speed_kmh))
        if problems:
            raise InputError("invalid truck profile", problems)


@contextlib.contextmanager
def _osmnx_way_tags() -> Iterator[None]:
    import osmnx as ox

    old = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = list(dict.fromkeys([*old, *_WAY_TAGS]))
    try:
        yield
    finally:
        ox.settings.useful_tags_way = old


def _read_xml(path: Path) -> nx.MultiDiGraph:
    import osmnx as ox

    from cleanfreight.network._osm import clean_osm_xml

    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / "clean.osm"
        stats = clean_osm_xml(path, clean, TRUCK_HIGHWAYS, no_access=_NO_ACCESS)
        if stats.ways_kept == 0:
            raise NetworkError(f"{path}: no drivable roads (no way with a highway tag a truck may use)")
        with _osmnx_way_tags():
            G = ox.graph_from_xml(clean, simplify=False, retain_all=True)
    # a change of road class ends a simplified edge (as the PBF reader does), so each edge keeps one
    # class and one speed
    G = ox.simplify_graph(G, edge_attrs_differ=["highway"])
    G.graph["osm_missing_refs"] = stats.missing_refs
    return G


def _read_pbf(path: Path) -> nx.MultiDiGraph:
    import warnings

    import pyrosm

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyrosm warns (and returns None) when there are no roads
            osm = pyrosm.OSM(str(path))
            nodes, edges = osm.get_network(network_type="all", nodes=True,
                                           extra_attributes=["hgv", "maxweight", "name:en", "motorroad"])
    except Exception as exc:  # pyrosm raises plain exceptions on corrupt input
        raise NetworkError(f"{path}: cannot read as OSM PBF ({type(exc).__name__}: {exc})") from None
    if edges is None or nodes is None or len(edges) == 0:
        raise NetworkError(f"{path}: no drivable roads in this PBF file")
    keep = edges["highway"].isin(TRUCK_HIGHWAYS)
    if "access" in edges:
        keep &= ~edges["access"].isin(_NO_ACCESS)
    edges = edges[keep]
    if len(edges) == 0:
        raise NetworkError(f"{path}: no roads a truck may use in this PBF file")
    # "driving": honour oneway (pyrosm makes an "all" network two-way whatever the tags say)
    G = osm.to_graph(nodes, edges, graph_type="networkx", network_type="driving", osmnx_compatible=True, retain_all=True)
    G.graph.setdefault("crs", "EPSG:4326")
    for _, _, data in G.edges(data=True):
        geom = data.get("geometry")  # pyrosm keeps geometries; osmnx projection needs shapely ones
        if geom is not None and getattr(geom, "is_empty", False):
            del data["geometry"]
        _tidy_merged(data)
    return G


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _tidy_merged(data: dict[str, Any]) -> None:
    """Merged pyrosm edges carry one value per segment (NaN where a way lacks the tag); keep the distinct
    values as osmnx does for XML (a single value unlisted), so both readers give the same graph."""
    for key, value in list(data.items()):
        if not isinstance(value, list):
            if key != "geometry" and _missing(value):
                del data[key]
            continue
        distinct = list(dict.fromkeys(v for v in value if not _missing(v)))
        if not distinct:
            del data[key]
        else:
            data[key] = distinct[0] if len(distinct) == 1 else distinct


def _read_graphml(path: Path) -> nx.MultiDiGraph:
    import osmnx as ox

    try:
        return ox.load_graphml(path)
    except Exception as exc:
        raise NetworkError(f"{path}: cannot read as GraphML ({type(exc).__name__}: {exc})") from None


def _parse_weight(value: Any) -> float | None:
    """Weight limit in tonnes; for a merged edge (a list) the lowest limit of its segments."""
    if value is None:
        return None
    limits = []
    for text in value if isinstance(value, list) else [value]:
        m = re.match(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(t|st|lbs|kg)?", str(text))
        if m:
            v = float(m.group(1))
            limits.append({"t": v, "st": v * 0.907, "lbs": v * 0.000453592, "kg": v / 1000}[m.group(2) or "t"])
    return min(limits) if limits else None


def _parse_speed(value: Any) -> float | None:
    if value is None:
        return None
    vals = value if isinstance(value, list) else [value]
    speeds = []
    for v in vals:
        m = re.match(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(mph)?", str(v))
        if m:
            speeds.append(float(m.group(1)) * (1.609 if m.group(2) else 1.0))
    return min(speeds) if speeds else None


def _is_motorway(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(str(v) in ("motorway", "motorway_link") for v in values)


def truck_refusal(hgv: Any, maxweight: Any, profile: TruckProfile) -> str | None:
    """Why ``profile``'s truck may not use a road with these ``hgv`` and ``maxweight`` tag values
    (``"hgv_no"``, ``"maxweight"``), or ``None`` when it may. Values may be lists (merged edges)."""
    hgv_values = hgv if isinstance(hgv, list) else [hgv]
    if profile.respect_hgv_no and "no" in hgv_values:
        return "hgv_no"
    mw = _parse_weight(maxweight)
    if mw is not None and mw < profile.gross_weight_t:
        return "maxweight"
    return None


def truck_speed_kmh(highway: Any, maxspeed: Any, profile: TruckProfile) -> float:
    """The truck's speed on a road: ``maxspeed`` (or the class default of ``profile``; the slowest of
    several classes), capped at the truck's own top speed."""
    classes = highway if isinstance(highway, list) else [highway]
    default = min(profile.default_speeds_kmh.get(str(c).replace("_link", ""), 30.0) for c in classes)
    speed = _parse_speed(maxspeed) or default
    return float(min(speed, profile.max_speed_kmh))


def _apply_profile(G: nx.MultiDiGraph, profile: TruckProfile, zones: Any) -> dict[str, int]:
    removed = {"hgv_no": 0, "maxweight": 0, "restriction_zone": 0}
    drop = []
    for u, v, k, d in G.edges(keys=True, data=True):
        reason = truck_refusal(d.get("hgv"), d.get("maxweight"), profile)
        if reason is not None:
            drop.append((u, v, k))
            removed[reason] += 1
    G.remove_edges_from(drop)
    if zones is not None and len(zones):
        removed["restriction_zone"] = _apply_zones(G, profile, zones)
    return removed


def _apply_zones(G: nx.MultiDiGraph, profile: TruckProfile, zones: Any) -> int:
    """Remove edges whose midpoint lies in a restriction zone that applies to this truck."""
    import geopandas as gpd
    import shapely

    z = zones.to_crs(G.graph["crs"]) if zones.crs is not None else zones
    if "new_energy_exempt" in z and profile.new_energy:
        exempt = z["new_energy_exempt"].astype(str).str.lower().isin(["true", "1", "yes"])
        z = z[~exempt]
    if not len(z):
        return 0
    area = shapely.union_all(gpd.GeoSeries(z.geometry).values)
    edges = list(G.edges(keys=True, data=True))
    xs = [(G.nodes[u]["x"] + G.nodes[v]["x"]) / 2 for u, v, _, _ in edges]
    ys = [(G.nodes[u]["y"] + G.nodes[v]["y"]) / 2 for u, v, _, _ in edges]
    inside = shapely.contains_xy(area, xs, ys)
    drop = [(u, v, k) for (u, v, k, _), hit in zip(edges, inside, strict=True) if hit]
    # edges of motorways pass over/through zones (ring roads); bans in Chinese cities exempt expressways
    drop = [(u, v, k) for (u, v, k) in drop if not _is_motorway(G.edges[u, v, k].get("highway"))]
    G.remove_edges_from(drop)
    return len(drop)


def _add_speeds(G: nx.MultiDiGraph, profile: TruckProfile) -> None:
    for _, _, d in G.edges(data=True):
        # simplified edges can carry several classes (in set order, which varies between runs):
        # take the slowest, so results never depend on hash order
        speed = truck_speed_kmh(d.get("highway", "road"), d.get("maxspeed"), profile)
        d["speed_kph"] = speed
        d["travel_time"] = d["length"] / (speed / 3.6)


def load_roads(
    path: str | Path,
    *,
    profile: TruckProfile | None = None,
    boundary: Any = None,
    restriction_zones: Any = None,
    to_crs: str | None = None,
    largest_component: bool = True,
) -> nx.MultiDiGraph:
    """Load a road network for heavy trucks from ``.osm``/``.xml``, ``.osm.pbf`` or ``.graphml``.

    Parameters
    ----------
    path
        The road file. Clipped extracts (ways referencing missing nodes) are handled.
    profile
        The truck (:class:`TruckProfile`); the default is a 49 t diesel tractor.
    boundary
        A GeoDataFrame/GeoSeries or shapely polygon (WGS-84 unless a GeoDataFrame with a CRS) to
        clip to. A boundary that does not overlap the network raises :class:`NetworkError`.
    restriction_zones
        GeoDataFrame of truck restriction zones (``new_energy_exempt`` column honoured).
    to_crs
        Projected CRS for lengths; by default the UTM zone of the data (EPSG:32649 for Changzhi).
    largest_component
        Keep only the largest strongly connected component, so every node can reach every other.

    Returns
    -------
    networkx.MultiDiGraph
        Projected graph; ``G.graph`` holds ``crs``, ``source``, ``loaded_at``, ``profile`` and
        ``removed`` (edges removed by each rule).
    """
    import osmnx as ox

    profile = profile or TruckProfile()
    p = Path(path)
    if not p.exists():
        raise NetworkError(f"road file not found: {p}")
    if p.stat().st_size == 0:
        raise NetworkError(f"{p}: the file is empty")
    name = p.name.lower()
    if name.endswith(".pbf"):
        G = _read_pbf(p)
    elif name.endswith(".graphml"):
        G = _read_graphml(p)
    elif name.endswith((".osm", ".xml", ".osm.xml")):
        G = _read_xml(p)
    else:
        raise NetworkError(f"{p}: unknown road file type; expected .osm, .osm.xml, .osm.pbf or .graphml")
    if len(G) == 0 or G.number_of_edges() == 0:
        raise NetworkError(f"{p}: no drivable roads")
    log.info("read %s: %d nodes, %d edges", p, len(G), G.number_of_edges())

    if boundary is not None:
        G = _clip(G, boundary, p)
    if not (to_crs and str(G.graph.get("crs", "")).upper() == to_crs.upper()):
        G = ox.project_graph(G, to_crs=to_crs)
    if not all("length" in d for _, _, d in G.edges(data=True)):
        G = ox.distance.add_edge_lengths(G)
    removed = _apply_profile(G, profile, restriction_zones)
    _add_speeds(G, profile)
    if largest_component and len(G):
        before = len(G)
        G = ox.truncate.largest_component(G, strongly=True)
        removed["unreachable_nodes"] = before - len(G)
    if len(G) < 2:
        raise NetworkError(f"{p}: no connected road network left for this truck after filtering ({removed})")
    G.graph.update({
        "crs": _crs_name(G.graph["crs"]),
        "source": str(p.resolve()),
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "profile": asdict(profile),
        "removed": removed,
    })
    return G


def _clip(G: nx.MultiDiGraph, boundary: Any, path: Path) -> nx.MultiDiGraph:
    import geopandas as gpd
    import osmnx as ox
    import shapely

    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        b = boundary.to_crs("EPSG:4326") if boundary.crs is not None else boundary
        poly = shapely.union_all(b.geometry.values if isinstance(b, gpd.GeoDataFrame) else b.values)
    else:
        poly = boundary
    try:
        clipped = ox.truncate.truncate_graph_polygon(G, poly, truncate_by_edge=True)
    except ValueError:
        clipped = nx.MultiDiGraph()
    if len(clipped) == 0:
        raise NetworkError(f"{path}: the boundary does not overlap the road network")
    return clipped


def graph_summary(G: nx.MultiDiGraph) -> dict[str, Any]:
    """``nodes``, ``edges``, ``crs``, ``bounds`` (WGS-84 lon/lat: minx, miny, maxx, maxy), ``source``."""
    import osmnx as ox

    crs = str(G.graph.get("crs"))
    edges = ox.graph_to_gdfs(G, nodes=False, fill_edge_geometry=True)
    x0, y0, x1, y1 = edges.to_crs("EPSG:4326").total_bounds
    km = sum(d.get("length", 0.0) for _, _, d in G.edges(data=True)) / 1000.0
    return {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "crs": crs,
        "bounds": [round(x0, 6), round(y0, 6), round(x1, 6), round(y1, 6)],
        "length_km": round(km, 3),
        "source": G.graph.get("source"),
        "removed": G.graph.get("removed", {}),
    }


def _crs_name(crs: Any) -> str:
    """``EPSG:xxxx`` where the CRS has an EPSG code, else its PROJ string."""
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    epsg = c.to_epsg()
    return f"EPSG:{epsg}" if epsg else c.to_string()
