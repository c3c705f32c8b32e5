"""The network engine: roads (OSM XML/PBF, GraphML), rail, stations, CRS conversion, snapping, matrices,
province-size stored networks (``store``).

Names are imported lazily so ``import cleanfreight`` and the CLI stay fast; the public surface is
listed in ``__all__``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cleanfreight.network.crs import (
        METRIC_CRS,
        bd09_to_wgs84,
        gcj02_to_bd09,
        gcj02_to_wgs84,
        to_wgs84,
        wgs84_to_gcj02,
    )
    from cleanfreight.network.engine import (
        Network,
        NetworkFiles,
        flow_distances,
        load_network,
        load_sample_network,
        roads_frame,
        snap_report,
    )
    from cleanfreight.network.matrix import TravelMatrix, road_matrix
    from cleanfreight.network.rail import load_rail, load_rail_osm, load_stations
    from cleanfreight.network.roads import TruckProfile, graph_summary, load_roads
    from cleanfreight.network.snapping import snap
    from cleanfreight.network.store import RoadStore, build_road_store, load_road_store

_EXPORTS = {
    "METRIC_CRS": "crs", "bd09_to_wgs84": "crs", "gcj02_to_bd09": "crs", "gcj02_to_wgs84": "crs",
    "to_wgs84": "crs", "wgs84_to_gcj02": "crs",
    "Network": "engine", "NetworkFiles": "engine", "flow_distances": "engine", "load_network": "engine",
    "load_sample_network": "engine", "roads_frame": "engine", "snap_report": "engine",
    "TravelMatrix": "matrix", "road_matrix": "matrix",
    "load_rail": "rail", "load_rail_osm": "rail", "load_stations": "rail",
    "TruckProfile": "roads", "graph_summary": "roads", "load_roads": "roads",
    "snap": "snapping",
    "RoadStore": "store", "build_road_store": "store", "load_road_store": "store",
}

__all__ = [
    "METRIC_CRS",
    "Network",
    "NetworkFiles",
    "RoadStore",
    "TravelMatrix",
    "TruckProfile",
    "bd09_to_wgs84",
    "build_road_store",
    "flow_distances",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "graph_summary",
    "load_network",
    "load_rail",
    "load_rail_osm",
    "load_road_store",
    "load_roads",
    "load_sample_network",
    "load_stations",
    "road_matrix",
    "roads_frame",
    "snap",
    "snap_report",
    "to_wgs84",
    "wgs84_to_gcj02",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"cleanfreight.network.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'cleanfreight.network' has no attribute {name!r}")
