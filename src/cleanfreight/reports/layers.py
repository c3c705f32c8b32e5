"""Build :class:`~cleanfreight.reports.maps.MapLayers` from the sample pack, plans, reports or user files."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cleanfreight._io import PLAN_JSON, read_plan_json
from cleanfreight.errors import InputError, Problem
from cleanfreight.reports.maps import MapLayers, enterprise_points

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx

__all__ = [
    "LAYER_NAMES",
    "guess_layer",
    "layers_from_files",
    "merge_routes",
    "network_layers",
    "plan_tables",
    "read_layer_file",
    "report_table",
    "road_lines",
    "route_kind",
    "sample_layers",
    "split_layers",
]

log = logging.getLogger(__name__)

LAYER_NAMES = (
    "enterprises",
    "rail",
    "spurs",
    "stations",
    "routes",
    "swap_stations",
    "restriction_zone",
    "boundaries",
    "roads",
)


def _read_points_csv(path: Path) -> gpd.GeoDataFrame:
    import geopandas as gpd

    df = pd.read_csv(path, comment="#")
    problems = [Problem("missing column", file=str(path), column=c) for c in ("lon", "lat") if c not in df]
    if problems:
        raise InputError(f"{path.name} has no coordinates", problems)
    if "coord_crs" in df.columns:
        from cleanfreight.network.crs import to_wgs84

        for crs, idx in df.groupby(df["coord_crs"].fillna("WGS84").astype(str)).groups.items():
            lon, lat = to_wgs84(df.loc[idx, "lon"].to_numpy(float), df.loc[idx, "lat"].to_numpy(float), crs)
            df.loc[idx, "lon"], df.loc[idx, "lat"] = lon, lat
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")


def read_layer_file(path: str | Path) -> gpd.GeoDataFrame:
    """Read a GeoJSON, GeoPackage, Shapefile or CSV (``lon``/``lat`` columns, WGS-84) as a GeoDataFrame."""
    import geopandas as gpd

    path = Path(path)
    if not path.exists():
        raise InputError(f"layer file not found: {path}")
    if path.suffix.lower() in (".csv", ".txt"):
        return _read_points_csv(path)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:
        raise InputError(f"cannot read layer file {path}: {exc}") from exc
    from cleanfreight.network.crs import as_lonlat

    return as_lonlat(gdf, path, "layer")


_POINT_KINDS = {"Point", "MultiPoint"}
_LINE_KINDS = {"LineString", "MultiLineString"}
_AREA_KINDS = {"Polygon", "MultiPolygon"}


def _is_dispatch_routes(gdf: gpd.GeoDataFrame) -> bool:
    """A ``routes.geojson`` of ``cleanfreight dispatch``: ``feature`` = route / place, trucks by id."""
    if "feature" not in gdf.columns:
        return False
    return bool({str(v) for v in gdf["feature"].dropna().unique()} & {"route", "place"})


def split_layers(gdf: gpd.GeoDataFrame) -> list[tuple[str, gpd.GeoDataFrame]]:
    """The :class:`MapLayers` fields a user file fills, from its content: ``[(layer, part), ...]``.

    A file mixing points, lines and polygons (a dispatch ``routes.geojson`` has truck routes and
    the places they serve) is split by geometry and each part guessed on its own
    (:func:`guess_layer`). The routes of a dispatch day become ``routes`` (``kind`` from the
    truck's powertrain: new-energy or diesel), its stations ``stations``, its swap / charging /
    hydrogen stations ``swap_stations`` and its plants and depots ``enterprises`` (no ratio: grey).
    """
    if _is_dispatch_routes(gdf):
        return _split_dispatch(gdf)
    geom = gdf.geometry.geom_type
    groups = [(k, geom.isin(k)) for k in (_POINT_KINDS, _LINE_KINDS, _AREA_KINDS)]
    present = [(k, mask) for k, mask in groups if mask.any()]
    if len(present) <= 1:
        return [(guess_layer(gdf), gdf)]
    return [(guess_layer(gdf[mask]), gdf[mask].copy()) for _, mask in present]


def _split_dispatch(gdf: gpd.GeoDataFrame) -> list[tuple[str, gpd.GeoDataFrame]]:
    feature = gdf["feature"].astype(str)
    out: list[tuple[str, gpd.GeoDataFrame]] = []
    routes = gdf[feature == "route"].copy()
    if len(routes):
        power = routes["powertrain"].astype(str) if "powertrain" in routes else pd.Series("", index=routes.index)
        routes["kind"] = ["diesel" if p == "diesel" else "ne" for p in power]
        if "truck_id" in routes:
            routes["name"] = routes["truck_id"].astype(str)
        out.append(("routes", routes.drop(columns=[c for c in ("loads",) if c in routes])))
    places = gdf[feature == "place"].copy()
    if len(places):
        kind = places["kind"].astype(str) if "kind" in places else pd.Series("other", index=places.index)
        if "name" in places and "name_en" not in places:
            places["name_en"] = places["name"]
        ids = places["place_id"].astype(str) if "place_id" in places else pd.Series("", index=places.index)
        stations = places[kind == "station"].assign(station_id=ids)
        swaps = places[kind.isin(["swap", "charge", "h2"])].assign(swap_id=ids)
        sites = places[~kind.isin(["station", "swap", "charge", "h2"])].assign(
            enterprise_id=ids, clean_ratio=np.nan, tonnes_total=1.0
        )
        out += [(name, part) for name, part in (("stations", stations), ("swap_stations", swaps),
                                                 ("enterprises", sites)) if len(part)]
    return out


def guess_layer(gdf: gpd.GeoDataFrame) -> str:
    """Which :class:`MapLayers` field a user file belongs to, from its geometry and columns.

    A file mixing geometries is split first by :func:`split_layers`."""
    cols = {c.lower() for c in gdf.columns}
    kinds = set(gdf.geometry.geom_type.dropna().unique()) if len(gdf) else set()
    if kinds <= {"Point", "MultiPoint"} and kinds:
        if {"clean_ratio", "enterprise_id"} & cols and "swap_id" not in cols:
            return "enterprises"
        if "swap_id" in cols or "swaps_per_day" in cols or "chargers" in cols:
            return "swap_stations"
        return "stations"
    if kinds <= {"LineString", "MultiLineString"} and kinds:
        if "kind" in cols:
            values = {str(v).lower() for v in gdf["kind"].dropna().unique()}
            if values == {"spur"}:
                return "spurs"
            if values <= {"mainline"}:
                return "rail"
            return "routes"
        if "highway" in cols:
            return "roads"
        return "rail"
    if "hgv_banned_hours" in cols or "zone_id" in cols:
        return "restriction_zone"
    return "boundaries"


def layers_from_files(
    paths: Sequence[str | Path],
    *,
    base: MapLayers | None = None,
) -> MapLayers:
    """Map layers from user files; ``NAME=FILE`` picks the layer, otherwise it is found from the
    content (:func:`split_layers`: a file mixing routes and places fills several layers).

    Files for the same layer are concatenated. Layers of ``base`` not given by a file are kept.
    """
    import geopandas as gpd

    found: dict[str, list[gpd.GeoDataFrame]] = {}
    problems = []
    for item in paths:
        text = str(item)
        name, sep, file = text.partition("=")
        if not sep or name not in LAYER_NAMES:
            name, file = "", text
        try:
            gdf = read_layer_file(file)
        except InputError as exc:
            problems += exc.problems or [Problem(exc.summary, file=file)]
            continue
        parts = [(name, gdf)] if name else split_layers(gdf)
        for layer, part in parts:
            log.info("layer file %s -> %s (%d features)", file, layer, len(part))
            found.setdefault(layer, []).append(part.to_crs("EPSG:4326"))
    if problems:
        raise InputError("cannot read the layer files", problems)
    merged: dict[str, Any] = {}
    if base is not None:
        merged = {name: getattr(base, name) for name in LAYER_NAMES}
    for layer, frames in found.items():
        merged[layer] = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    if "enterprises" in merged and merged["enterprises"] is not None:
        merged["enterprises"] = _fill_enterprise_columns(merged["enterprises"])
    return MapLayers(**merged)


def _fill_enterprise_columns(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give a user enterprise layer the columns a map needs (names fall back to the id)."""
    gdf = gdf.copy()
    if "enterprise_id" not in gdf:
        gdf["enterprise_id"] = [f"E{i + 1}" for i in range(len(gdf))]
    for col, other in (("name_zh", "name_en"), ("name_en", "name_zh")):
        if col not in gdf:
            gdf[col] = gdf[other] if other in gdf else gdf.get("name", gdf["enterprise_id"])
    if "tonnes_total" not in gdf:
        gdf["tonnes_total"] = 1.0
    if "clean_ratio" not in gdf:
        if "ratio_after" in gdf:
            gdf["clean_ratio"] = gdf["ratio_after"]
        else:
            raise InputError(
                "the enterprise layer needs a clean_ratio column (0-1)",
                [Problem("missing column", column="clean_ratio")],
            )
    return gdf


def road_lines(graph: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    """One line per road (both directions merged) with its ``highway`` class, for the map base."""
    from cleanfreight.network.engine import roads_frame

    return roads_frame(graph, classes=None)


def network_layers(
    network: Any,
    *,
    enterprises: pd.DataFrame | None = None,
    routes: gpd.GeoDataFrame | None = None,
    roads: bool = True,
) -> MapLayers:
    """Layers from a :class:`cleanfreight.network.engine.Network`, plus enterprises and routes.

    Parameters
    ----------
    network
        A loaded network (rail with a ``kind`` column splitting mainlines and spurs, stations,
        swap stations, restriction zone, boundaries, and the truck road graph).
    enterprises
        Per-enterprise table with ``enterprise_id, name_zh, name_en, lon, lat, tonnes_total,
        clean_ratio`` (e.g. the baseline report); ``None`` leaves the layer out.
    routes
        Planned routes (``kind`` column).
    roads
        Draw the main roads of the truck graph in the base.
    """
    rail = getattr(network, "rail", None)
    mainlines, spurs = rail, None
    if rail is not None and "kind" in rail.columns:
        spur_mask = rail["kind"].astype(str) == "spur"
        mainlines, spurs = rail[~spur_mask], rail[spur_mask]
    road_frame = None
    if roads and getattr(network, "roads", None) is not None:
        try:
            road_frame = road_lines(network.roads)
        except Exception as exc:  # the base still has boundaries and rail
            log.warning("roads not drawn: %s", exc)
    return MapLayers(
        enterprises=None if enterprises is None else enterprise_points(enterprises),
        rail=mainlines,
        spurs=spurs,
        stations=getattr(network, "stations", None),
        swap_stations=getattr(network, "swap_stations", None),
        restriction_zone=getattr(network, "restriction_zone", None),
        boundaries=getattr(network, "boundaries", None),
        roads=road_frame,
        routes=routes,
    )


def sample_layers(
    enterprises: pd.DataFrame | None = None, *, roads: bool = True, routes: gpd.GeoDataFrame | None = None
) -> MapLayers:
    """Layers of the bundled Changzhi sample network (see :func:`network_layers`)."""
    from cleanfreight.network.engine import load_sample_network

    return network_layers(load_sample_network(), enterprises=enterprises, routes=routes, roads=roads)


def report_table(path: str | Path, roster: pd.DataFrame) -> pd.DataFrame:
    """Per-enterprise table from a ledger report JSON (``enterprises`` list), located with ``roster``.

    ``roster`` gives ``enterprise_id, name_zh, name_en, lon, lat`` (WGS-84).
    """
    path = Path(path)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the report {path}: {exc}") from exc
    rows = payload.get("enterprises") if isinstance(payload, dict) else None
    if not isinstance(rows, list):
        raise InputError(
            f"{path} has no 'enterprises' list",
            [Problem("missing key", file=str(path), column="enterprises")],
        )
    table = pd.DataFrame(rows)
    need = ("enterprise_id", "tonnes_total", "clean_ratio")
    problems = [
        Problem("missing key in every entry", file=str(path), column=c) for c in need if c not in table
    ]
    if problems:
        raise InputError(f"{path} is not a ledger report", problems)
    return _locate(table, roster, str(path))


def _locate(table: pd.DataFrame, roster: pd.DataFrame, file: str) -> pd.DataFrame:
    keep = [
        c
        for c in ("enterprise_id", "name_zh", "name_en", "lon", "lat", "district", "industry")
        if c in roster
    ]
    merged = table.drop(columns=[c for c in keep if c != "enterprise_id" and c in table]).merge(
        roster[keep], on="enterprise_id", how="left"
    )
    unknown = merged.loc[merged["lon"].isna(), "enterprise_id"].tolist()
    if unknown:
        log.warning(
            "%s: %d enterprises not in the roster are left off the map: %s", file, len(unknown), unknown[:5]
        )
        merged = merged[merged["lon"].notna()]
    if "tonnes_clean" not in merged and "tonnes_total" in merged:
        merged["tonnes_clean"] = merged["tonnes_total"] * merged["clean_ratio"]
    return merged.reset_index(drop=True)


def plan_tables(plan_dir: str | Path, roster: pd.DataFrame) -> tuple[pd.DataFrame, gpd.GeoDataFrame | None]:
    """Per-enterprise table (``clean_ratio`` = before, ``ratio_after``) and routes of a plan folder.

    Reads ``plan.json`` (``enterprises`` with ``enterprise_id, ratio_before, ratio_after``) and,
    when present, ``routes.geojson``.
    """
    import geopandas as gpd

    plan_dir = Path(plan_dir)
    plan_file = plan_dir / PLAN_JSON
    payload = read_plan_json(plan_file)
    rows = payload.get("enterprises")
    if not isinstance(rows, list):
        raise InputError(f"{plan_file} has no 'enterprises' list")
    table = pd.DataFrame(rows)
    need = ("enterprise_id", "ratio_before", "ratio_after")
    problems = [Problem("missing key", file=str(plan_file), column=c) for c in need if c not in table]
    if problems:
        raise InputError(f"{plan_file} is not a plan", problems)
    table["clean_ratio"] = table["ratio_before"]
    if "tonnes_total" not in table:
        table = (
            table.merge(roster[["enterprise_id", "tonnes_total"]], on="enterprise_id", how="left")
            if ("tonnes_total" in roster)
            else table.assign(tonnes_total=1.0)
        )
    routes = None
    if (plan_dir / "routes.geojson").exists():
        routes = merge_routes(gpd.read_file(plan_dir / "routes.geojson"))
    return _locate(table, roster, str(plan_file)), routes


def route_kind(leg: object, mode: object) -> str:
    """Map style of a plan leg: ``rail`` (rail and spur legs), ``ne`` (new-energy trucking),
    ``diesel`` (remaining diesel / gas trucking) or ``other`` (conveyor, pipeline, unknown)."""
    leg_s, mode_s = str(leg or "").lower(), str(mode or "").lower()
    if leg_s in ("rail", "spur"):
        return "rail"
    if leg_s in ("short_haul", "road", ""):
        if mode_s in ("rail_station_ne", "truck_ne"):
            return "ne"
        if mode_s in ("rail_station_diesel", "truck_cn6", "truck_cn5"):
            return "diesel"
    return "other"


def merge_routes(routes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Routes with a ``kind`` column (from the planner's ``leg`` and ``mode`` when missing), one
    feature per distinct line and kind with the tonnes of every flow using it summed."""
    import geopandas as gpd

    routes = routes.copy()
    if "kind" not in routes:
        legs = routes["leg"] if "leg" in routes else pd.Series("", index=routes.index)
        modes = routes["mode"] if "mode" in routes else pd.Series("", index=routes.index)
        routes["kind"] = [route_kind(leg, mode) for leg, mode in zip(legs, modes, strict=True)]
    if "tonnes" not in routes:
        routes["tonnes"] = np.nan
    routes = routes[routes.geometry.notna() & ~routes.geometry.is_empty]
    key = routes.geometry.to_wkb(hex=True)
    grouped = routes.assign(_key=key.to_numpy()).groupby(["kind", "_key"], sort=False)
    merged = grouped.agg(tonnes=("tonnes", "sum"), flows=("kind", "size")).reset_index()
    first = routes.assign(_key=key.to_numpy()).drop_duplicates(["kind", "_key"]).set_index(["kind", "_key"])
    geometry = first.loc[list(zip(merged["kind"], merged["_key"], strict=True)), "geometry"].to_numpy()
    out = gpd.GeoDataFrame(merged.drop(columns="_key"), geometry=list(geometry), crs=routes.crs)
    return out
