"""The network engine's front: load a whole network (roads, rail, stations, ...) and cost flows on it."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from cleanfreight.errors import InputError
from cleanfreight.network._cache import cache_key, cached_graph
from cleanfreight.network.matrix import road_matrix
from cleanfreight.network.rail import load_points, load_rail, load_stations
from cleanfreight.network.roads import TruckProfile, load_roads

__all__ = [
    "Network",
    "NetworkFiles",
    "flow_distances",
    "load_network",
    "load_sample_network",
    "roads_frame",
    "snap_report",
]

MAIN_ROADS = ("motorway", "trunk", "primary", "secondary")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NetworkFiles:
    """Paths of the files making up a network; only ``roads`` is required."""

    roads: Path
    rail: Path | None = None
    stations: Path | None = None
    swap_stations: Path | None = None
    regions: Path | None = None
    restriction_zone: Path | None = None
    boundaries: Path | None = None

    @classmethod
    def sample(cls) -> NetworkFiles:
        from cleanfreight._paths import sample_dir

        d = sample_dir() / "network"

        def opt(name: str) -> Path | None:
            return d / name if (d / name).exists() else None

        return cls(
            roads=d / "changzhi_roads.osm",
            rail=opt("rail.geojson"),
            stations=opt("stations.csv"),
            swap_stations=opt("swap_stations.csv"),
            regions=opt("regions.csv"),
            restriction_zone=opt("restriction_zone.geojson"),
            boundaries=opt("boundaries.geojson"),
        )


@dataclass(frozen=True)
class Network:
    """Everything the planner, dispatcher and maps need about the transport network.

    ``roads`` is the truck graph (projected; ``roads.graph['crs']``); frames are WGS-84.
    """

    roads: nx.MultiDiGraph
    rail: gpd.GeoDataFrame | None = None
    stations: gpd.GeoDataFrame | None = None
    swap_stations: gpd.GeoDataFrame | None = None
    regions: gpd.GeoDataFrame | None = None
    restriction_zone: gpd.GeoDataFrame | None = None
    boundaries: gpd.GeoDataFrame | None = None
    files: NetworkFiles | None = field(default=None, repr=False)

    @property
    def spurs(self) -> gpd.GeoDataFrame | None:
        return None if self.rail is None else self.rail[self.rail["kind"] == "spur"]


def _vector(path: Path | None) -> gpd.GeoDataFrame | None:
    if path is None:
        return None
    from cleanfreight.network.crs import as_lonlat

    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises many kinds on a damaged file
        raise InputError(f"{path}: cannot read as a vector file ({type(exc).__name__}: {exc})") from None
    gdf = as_lonlat(gdf, path)
    gdf.attrs["source"] = str(path)
    return gdf


def load_network(files: NetworkFiles, *, profile: TruckProfile | None = None, use_cache: bool = True) -> Network:
    """Load roads (cached), rail, stations, swap stations, regions, restriction zone and boundaries."""
    profile = profile or TruckProfile()
    zones = _vector(files.restriction_zone)
    key = cache_key([files.roads, files.restriction_zone], repr(asdict(profile)))
    roads = cached_graph(key, lambda: load_roads(files.roads, profile=profile, restriction_zones=zones),
                         enabled=use_cache)
    regions = None
    if files.regions is not None:
        regions = load_points(files.regions, ["region_id", "name_zh"], "regions")
    return Network(
        roads=roads,
        rail=load_rail(files.rail) if files.rail else None,
        stations=load_stations(files.stations) if files.stations else None,
        swap_stations=load_points(files.swap_stations, ["swap_id", "name_zh"], "swap stations")
        if files.swap_stations else None,
        regions=regions,
        restriction_zone=zones,
        boundaries=_vector(files.boundaries),
        files=files,
    )


def load_sample_network(*, profile: TruckProfile | None = None, use_cache: bool = True) -> Network:
    """The bundled Changzhi sample network (illustrative; see ``data/README.md``)."""
    return load_network(NetworkFiles.sample(), profile=profile, use_cache=use_cache)


def flow_distances(network: Network, roster: Any) -> pd.DataFrame:
    """Road, short-haul and rail km of every flow, from the network.

    - ``road_km``: road from the enterprise to the region's gateway plus the region's ``road_km_beyond``
      (a declared ``flows.road_km`` wins);
    - ``short_haul_km``: road between the enterprise and its station (``flows.station_id``, else the
      enterprise's declared ``station_id``, else the nearest station by road);
    - ``rail_km``: ``flows.rail_km``, else the region's ``rail_km``.

    Enterprises and stations are joined to the nearest road a truck can enter from the side (not
    a motorway; ``snap_m`` is that connector), region gateways to the nearest road of any kind.

    Returns ``flow_id``, ``road_km``, ``short_haul_km``, ``rail_km``, ``station_id``, ``snap_m``.
    """
    ent = roster.enterprises.reset_index(drop=True)
    flows = roster.flows
    pts_o = np.column_stack([ent["lon"], ent["lat"]])
    dest_labels: list[str] = []
    dest_pts: list[tuple[float, float]] = []
    if network.regions is not None:
        dest_labels += [f"region:{r}" for r in network.regions["region_id"]]
        dest_pts += list(zip(network.regions["lon"], network.regions["lat"], strict=True))
    if network.stations is not None:
        dest_labels += [f"station:{s}" for s in network.stations["station_id"]]
        dest_pts += list(zip(network.stations["lon"], network.stations["lat"], strict=True))
    if not dest_pts:
        raise InputError("the network has neither regions nor stations to measure flows against")
    # sites join the nearest road a truck can enter from the side; region gateways (edge points of the
    # network, often on an expressway) may sit on any road
    m = road_matrix(network.roads, pts_o, np.array(dest_pts), origin_labels=list(ent["enterprise_id"]),
                    destination_labels=dest_labels,
                    destination_side_only=[not lab.startswith("region:") for lab in dest_labels])
    dist = pd.DataFrame(m.distance_km, index=ent["enterprise_id"], columns=dest_labels)
    snap_m = pd.Series(m.origins["snap_m"].to_numpy(), index=ent["enterprise_id"])
    station_cols = [c for c in dest_labels if c.startswith("station:")]
    declared = dict(zip(ent["enterprise_id"], ent["station_id"], strict=True)) if "station_id" in ent else {}
    reg = network.regions.set_index("region_id") if network.regions is not None else None
    rows = []
    for f in flows.itertuples():
        e = f.enterprise_id
        road = f.road_km
        rail = f.rail_km
        if reg is not None and f.region_id in reg.index:
            if pd.isna(road):
                road = dist.at[e, f"region:{f.region_id}"] + float(reg.at[f.region_id, "road_km_beyond"] or 0)
            if pd.isna(rail):
                rail = float(reg.at[f.region_id, "rail_km"])
        station = f.station_id or declared.get(e) or None
        if station is not None and f"station:{station}" not in dist.columns:
            log.warning("flow %s names station %r, which the network does not have; using the nearest",
                        f.flow_id, station)
            station = None
        if station is None and station_cols:
            station = dist.loc[e, station_cols].astype(float).idxmin().split(":", 1)[1]
        short = dist.at[e, f"station:{station}"] if station is not None else np.nan
        rows.append((f.flow_id, road, short, rail, station, snap_m[e]))
    out = pd.DataFrame(rows, columns=["flow_id", "road_km", "short_haul_km", "rail_km", "station_id", "snap_m"])
    return _with_diesel_km(out, network, roster)


def _with_diesel_km(out: pd.DataFrame, network: Network, roster: Any) -> pd.DataFrame:
    """Add ``spur_diesel_km`` (the enterprise's existing spur, when it is not electrified) and
    ``station_diesel_km`` (the flow's station, when it lies only on non-electrified lines)."""
    from cleanfreight.network.rail import diesel_haul_km

    by_spur, by_station = diesel_haul_km(network.rail, network.stations)
    spur_of: dict[str, str] = {}
    rail = network.rail
    if rail is not None and len(rail) and "kind" in rail and "enterprise_id" in rail:
        spurs = rail[(rail["kind"] == "spur") & (rail.get("status", "existing") == "existing")]
        for lid, e in zip(spurs["line_id"].astype(str), spurs["enterprise_id"], strict=True):
            if e is not None and not pd.isna(e):
                spur_of.setdefault(str(e), lid)
    ent = roster.flows.set_index("flow_id")["enterprise_id"].astype(str)
    out["spur_diesel_km"] = [by_spur.get(spur_of.get(ent.get(f, ""), ""), 0.0) for f in out["flow_id"]]
    out["station_diesel_km"] = [by_station.get(str(s), 0.0) for s in out["station_id"]]
    return out


def roads_frame(G: nx.MultiDiGraph, classes: tuple[str, ...] | None = MAIN_ROADS) -> gpd.GeoDataFrame:
    """Road edges of the given highway classes (``None``: all) as WGS-84 lines, one per direction pair, for maps."""
    import osmnx as ox

    edges = ox.graph_to_gdfs(G, nodes=False, fill_edge_geometry=True).reset_index()
    hw = edges["highway"].map(lambda h: (h[0] if isinstance(h, list) else str(h)).replace("_link", ""))
    edges = (edges if classes is None else edges[hw.isin(classes)]).copy()
    edges["highway"] = hw[edges.index]
    # one line per road segment: drop the reverse direction of two-way edges
    key = [tuple(sorted((u, v))) for u, v in zip(edges["u"], edges["v"], strict=True)]
    edges = edges.loc[~pd.Series(key, index=edges.index).duplicated()]
    cols = [c for c in ("highway", "name", "ref", "maxspeed", "geometry") if c in edges]
    out = gpd.GeoDataFrame(edges[cols], geometry="geometry", crs=G.graph["crs"]).to_crs("EPSG:4326")
    for c in ("name", "ref", "maxspeed"):
        if c in out:
            out[c] = out[c].map(lambda v: ";".join(map(str, v)) if isinstance(v, list) else v)
    return out.reset_index(drop=True)


def snap_report(network: Network, roster: Any = None) -> pd.DataFrame:
    """How far every enterprise, station, swap station and region gateway lies from the truck network.

    Sites join the nearest road a truck can enter from the side (:func:`cleanfreight.network.snapping.snap`),
    region gateways any road.

    Returns ``kind``, ``label``, ``lon``, ``lat``, ``node``, ``snap_m``, ``access_m``, ``far``, ``highway``.
    """
    from cleanfreight.network.snapping import snap

    groups: list[tuple[str, Any, str]] = []
    if roster is not None:
        groups.append(("enterprise", roster.enterprises, "enterprise_id"))
    for kind, frame, col in (("station", network.stations, "station_id"), ("swap_station", network.swap_stations,
                             "swap_id"), ("region_gateway", network.regions, "region_id")):
        if frame is not None:
            groups.append((kind, frame, col))
    parts = []
    for kind, frame, col in groups:
        s = snap(network.roads, np.column_stack([frame["lon"], frame["lat"]]), labels=list(frame[col].astype(str)),
                 side_only=kind != "region_gateway")
        s.insert(0, "kind", kind)
        parts.append(s)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
