"""What a map shows: the layers (:class:`MapLayers`), the colours, the tile providers, ratio colours.

Shared by the interactive maps (:mod:`cleanfreight.reports.maps`), the static maps, the difference
map and the dispatch hand-outs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cleanfreight._io import AMBER_BAND
from cleanfreight.accounting.rulebooks import RATIO_TOL
from cleanfreight.errors import InputError, Problem

if TYPE_CHECKING:
    import geopandas as gpd


COLORS: dict[str, str] = {
    "ok": "#1a9850",
    "near": "#f39c12",
    "low": "#d73027",
    "rail": "#2b2b2b",
    "spur": "#6a3d9a",
    "station": "#2166ac",
    "route_rail": "#08519c",
    "route_ne": "#1b9e77",
    "route_diesel": "#e6550d",
    "route_other": "#969696",
    "swap": "#7b3294",
    "zone": "#e31a1c",
    "boundary": "#9e9e9e",
    "road": "#c8c2b4",
}

# name -> (url template, attribution, coordinate system, needs key)
TILE_PROVIDERS: dict[str, tuple[str, str, str, bool]] = {
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "&copy; OpenStreetMap contributors",
        "wgs84",
        False,
    ),
    "amap": (
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "&copy; 高德地图 AutoNavi",
        "gcj02",
        False,
    ),
    "tianditu": (
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
        "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
        "&copy; 天地图 Tianditu",
        "wgs84",
        True,
    ),
}

_ENTERPRISE_COLUMNS = ("enterprise_id", "name_zh", "name_en", "tonnes_total", "clean_ratio")
_ROUTE_KINDS: dict[str, str] = {
    "rail": "rail",
    "rail_leg": "rail",
    "rail_spur": "rail",
    "mainline": "rail",
    "ne": "ne",
    "new_energy": "ne",
    "ne_short_haul": "ne",
    "short_haul_ne": "ne",
    "ne_shorthaul": "ne",
    "truck_ne": "ne",
    "short_haul": "ne",
    "diesel": "diesel",
    "remaining_diesel": "diesel",
    "truck_cn6": "diesel",
    "truck_cn5": "diesel",
    "diesel_short_haul": "diesel",
    "road": "diesel",
}


@dataclass(frozen=True, eq=False)
class MapLayers:
    """What a map shows; every layer is optional (a GeoDataFrame, any CRS, converted to WGS-84).

    Attributes
    ----------
    enterprises
        Points with ``enterprise_id, name_zh, name_en, tonnes_total, clean_ratio`` (0–1) and
        optionally ``ratio_after`` (after a plan), ``tonnes_clean``, ``district``, ``industry``.
    rail
        Rail lines (optional ``name_zh``, ``name_en``).
    spurs
        Spur lines with ``status`` ``existing`` (solid) or ``planned`` (dashed).
    stations
        Freight stations; ``handling_capacity_t_per_year`` and ``tonnes_used`` give the capacity used.
    routes
        Planned routes with a ``kind`` column: ``rail``, ``ne`` (new-energy short-haul) or
        ``diesel`` (remaining diesel trucking); common synonyms such as ``truck_ne`` are accepted.
    swap_stations
        Battery swap / charging stations (optional ``kind``, ``swaps_per_day``, ``chargers``, ``power_kw``).
    restriction_zone
        Heavy-truck restriction polygons (optional ``hgv_banned_hours``, ``new_energy_exempt``).
    boundaries, roads
        The light base drawn when no tile server is reachable.
    """

    enterprises: gpd.GeoDataFrame | None = None
    rail: gpd.GeoDataFrame | None = None
    spurs: gpd.GeoDataFrame | None = None
    stations: gpd.GeoDataFrame | None = None
    routes: gpd.GeoDataFrame | None = None
    swap_stations: gpd.GeoDataFrame | None = None
    restriction_zone: gpd.GeoDataFrame | None = None
    boundaries: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None

    def __post_init__(self) -> None:
        import geopandas as gpd

        problems: list[Problem] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if not isinstance(value, gpd.GeoDataFrame):
                problems.append(Problem(f"must be a GeoDataFrame, got {type(value).__name__}", column=f.name))
                continue
            missing: tuple[str, ...] = ()
            if f.name == "enterprises":
                missing = tuple(c for c in _ENTERPRISE_COLUMNS if c not in value.columns)
            elif f.name == "routes":
                missing = () if "kind" in value.columns else ("kind",)
            if missing:
                problems.append(
                    Problem(f"layer {f.name!r} lacks column(s) {', '.join(missing)}", column=f.name)
                )
        if problems:
            raise InputError("invalid map layers", problems)

    def present(self) -> dict[str, gpd.GeoDataFrame]:
        """The non-empty layers by name."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and len(value):
                out[f.name] = value
        return out


def enterprise_points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Turn a per-enterprise table with WGS-84 ``lon``/``lat`` columns into map points."""
    import geopandas as gpd

    problems = [
        Problem("missing column", column=c) for c in ("lon", "lat", *_ENTERPRISE_COLUMNS) if c not in frame
    ]
    if problems:
        raise InputError("the enterprise table cannot be mapped", problems)
    return gpd.GeoDataFrame(
        frame.copy(), geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
    )


def ratio_color(ratio: float, target: float = 0.8) -> str:
    """Red / amber / green for a clean ratio against ``target`` (grey when unknown)."""
    if ratio is None or not np.isfinite(ratio):
        return COLORS["route_other"]
    if ratio >= target - RATIO_TOL:
        return COLORS["ok"]
    if ratio >= target - AMBER_BAND - RATIO_TOL:
        return COLORS["near"]
    return COLORS["low"]
