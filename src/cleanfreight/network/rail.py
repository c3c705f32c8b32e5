"""Rail lines, spurs and freight stations from GeoJSON / GeoPackage / Shapefile, CSV and OSM.

Frames come back in WGS-84 (EPSG:4326) with ``source`` and ``loaded_at`` in ``frame.attrs``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from cleanfreight._tables import read_table
from cleanfreight.errors import InputError, NetworkError, Problem
from cleanfreight.network.crs import INPUT_CRS, in_china, to_wgs84

__all__ = ["diesel_haul_km", "load_points", "load_rail", "load_rail_osm", "load_stations"]

log = logging.getLogger(__name__)

_VECTOR = (".geojson", ".json", ".gpkg", ".shp", ".fgb")


def _stamp(frame: Any, path: Path) -> Any:
    frame.attrs["source"] = str(path.resolve())
    frame.attrs["loaded_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return frame


def _read_vector(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    if not path.exists():
        raise InputError(f"file not found: {path}")
    try:
        gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:
        raise InputError(f"{path}: cannot read as a vector file ({type(exc).__name__}: {exc})") from None
    from cleanfreight.network.crs import as_lonlat

    return as_lonlat(gdf, path, "rail file")


def load_rail(path: str | Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Rail lines and spurs (LineStrings) from GeoJSON, GeoPackage, Shapefile, or OSM (``.osm``/``.pbf``).

    Expected properties (see ``docs/data-format.md``): ``line_id``, ``name_zh``, ``kind``
    (``mainline``/``spur``), ``status`` (``existing``/``planned``); optional capacity, enterprise and
    station of spurs. Missing optional columns are added empty.
    """
    p = Path(path)
    if p.name.lower().endswith((".osm", ".pbf", ".osm.xml")):
        return load_rail_osm(p)
    gdf = _read_vector(p, layer)
    problems: list[Problem] = []
    geom_types = set(gdf.geometry.geom_type.dropna())
    if not geom_types <= {"LineString", "MultiLineString"}:
        problems.append(Problem(f"rail features must be lines; found {sorted(geom_types)}", file=str(p),
                                column="geometry"))
    if "line_id" not in gdf:
        problems.append(Problem("missing property", file=str(p), column="line_id"))
    for i, row in enumerate(gdf.itertuples(), start=1):
        kind = getattr(row, "kind", "mainline")
        if kind not in ("mainline", "spur"):
            problems.append(Problem("expected mainline or spur", file=str(p), row=i, column="kind", value=kind))
        status = getattr(row, "status", "existing")
        if status not in ("existing", "planned", "under_construction"):
            problems.append(Problem("expected existing, planned or under_construction", file=str(p), row=i,
                                    column="status", value=status))
    if problems:
        raise InputError(f"invalid rail file {p}", problems)
    for col, default in (("kind", "mainline"), ("status", "existing"), ("name_zh", ""), ("name_en", ""),
                         ("capacity_t_per_year", None), ("enterprise_id", None), ("station_id", None),
                         ("capex_cny", None), ("electrified", True)):
        if col not in gdf:
            gdf[col] = default
    return _stamp(gdf, p)


def load_rail_osm(path: str | Path) -> gpd.GeoDataFrame:
    """Rail lines (``railway=rail``) from an OSM XML or PBF file, read with pyosmium."""
    import osmium

    p = Path(path)
    if not p.exists():
        raise NetworkError(f"file not found: {p}")
    rows: list[dict[str, Any]] = []
    try:
        fp = osmium.FileProcessor(str(p)).with_locations().with_filter(osmium.filter.TagFilter(("railway", "rail")))
        for obj in fp:
            if not isinstance(obj, osmium.osm.Way):
                continue
            coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
            if len(coords) < 2:
                continue
            tags = dict(obj.tags)
            rows.append({
                "line_id": f"osm_{obj.id}", "name_zh": tags.get("name", ""), "name_en": tags.get("name:en", ""),
                "kind": "spur" if tags.get("service") in ("spur", "siding", "yard") else "mainline",
                "status": "existing", "electrified": tags.get("electrified", "no") != "no",
                "usage": tags.get("usage", ""), "geometry": shapely.LineString(coords),
            })
    except RuntimeError as exc:
        raise NetworkError(f"{p}: cannot read OSM data ({exc})") from None
    if not rows:
        raise NetworkError(f"{p}: no railway=rail ways found")
    return _stamp(gpd.GeoDataFrame(rows, crs="EPSG:4326"), p)


def load_points(path: str | Path, required: list[str], what: str) -> gpd.GeoDataFrame:
    """Points from a CSV/XLSX with ``lon``/``lat`` (optional ``coord_crs``) or from a vector file."""
    p = Path(path)
    if p.suffix.lower() in _VECTOR:
        gdf = _read_vector(p)
        missing = [c for c in required if c not in gdf]
        if missing:
            raise InputError(f"invalid {what} file {p}", [Problem("missing property", file=str(p), column=c)
                                                         for c in missing])
        gdf["lon"], gdf["lat"] = gdf.geometry.x, gdf.geometry.y
        return _stamp(gdf, p)
    t = read_table(p)
    if not t.require([*required, "lon", "lat"]):
        t.raise_if_problems(f"invalid {what} file {p}")
    t.unique(required[0])
    lon = t.numeric("lon", minimum=-180, maximum=180)
    lat = t.numeric("lat", minimum=-90, maximum=90)
    ok = lon.notna() & lat.notna()
    for idx in t.frame.index[ok & ~pd.Series(in_china(lon.fillna(0), lat.fillna(0)), index=t.frame.index)]:
        t.problem("coordinates outside China (are lon and lat swapped?)", idx, "lon", f"{lon[idx]}, {lat[idx]}")
    crs = t.frame["coord_crs"].fillna("WGS84").str.upper().str.replace("-", "") if "coord_crs" in t.frame else None
    if crs is not None:
        t.choice("coord_crs", INPUT_CRS)
    t.raise_if_problems(f"invalid {what} file {p}")
    df = t.frame
    x, y = lon.to_numpy(float), lat.to_numpy(float)
    if crs is not None:
        for c in set(crs):
            m = (crs == c).to_numpy()
            x[m], y[m] = to_wgs84(x[m], y[m], c)
    df["lon"], df["lat"] = x, y
    return _stamp(gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(x, y), crs="EPSG:4326"), p)


def load_stations(path: str | Path) -> gpd.GeoDataFrame:
    """Rail freight stations (``station_id``, names, ``lon``/``lat``, handling capacity, loading hours, costs)."""
    gdf = load_points(path, ["station_id", "name_zh"], "stations")
    problems: list[Problem] = []
    for col in ("handling_capacity_t_per_year", "handling_cost_cny_per_t", "transfer_time_h"):
        if col in gdf:
            vals = pd.to_numeric(gdf[col], errors="coerce")
            for i in gdf.index[vals.isna() & gdf[col].notna() | (vals < 0)]:
                problems.append(Problem("expected a number >= 0", file=str(path), row=int(i) + 2, column=col,
                                        value=gdf.at[i, col]))
            gdf[col] = vals
    if problems:
        raise InputError(f"invalid stations file {path}", problems)
    return gdf


def _geodesic_km(geom: Any) -> float:
    from pyproj import Geod

    if geom is None or geom.is_empty:
        return 0.0
    return float(Geod(ellps="WGS84").geometry_length(geom)) / 1000.0


def _flag(v: Any, default: bool = True) -> bool:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return default
    if isinstance(v, str):
        return v.strip().lower() not in ("false", "no", "0", "")
    return bool(v)


def diesel_haul_km(rail: pd.DataFrame | None, stations: pd.DataFrame | None) -> tuple[dict[str, float], dict[str, float]]:
    """Rail km hauled by diesel locomotives at a chain's origin end: ``(by spur id, by station id)``.

    A spur marked ``electrified: false`` is worked by diesel over its ``length_km`` (else its geometry's
    length); a station whose mainlines (``stations.line_ids``) are all marked ``electrified: false``
    is left by diesel over the longest of those lines (the illustrative branch lines of a sample). The
    rest of a rail leg runs on the electrified trunk lines (``rail.electrified_share`` of the factors).
    """
    spur_km: dict[str, float] = {}
    station_km: dict[str, float] = {}
    if rail is None or len(rail) == 0 or "line_id" not in rail:
        return spur_km, station_km
    kind = rail["kind"] if "kind" in rail else pd.Series("mainline", index=rail.index)
    elec = rail["electrified"] if "electrified" in rail else pd.Series(True, index=rail.index)
    length = rail["length_km"] if "length_km" in rail else pd.Series(float("nan"), index=rail.index)
    geoms = rail.geometry if "geometry" in rail else pd.Series([None] * len(rail), index=rail.index)
    line_km: dict[str, float] = {}
    line_elec: dict[str, bool] = {}
    for lid, k, e, ln, g in zip(rail["line_id"].astype(str), kind, elec, length, geoms, strict=True):
        km = float(ln) if ln is not None and not pd.isna(ln) else _geodesic_km(g)
        if k == "spur":
            if not _flag(e):
                spur_km[lid] = km
        else:
            line_km[lid] = line_km.get(lid, 0.0) + km
            line_elec[lid] = line_elec.get(lid, False) or _flag(e)
    if stations is not None and "line_ids" in stations:
        for sid, ids in zip(stations["station_id"].astype(str), stations["line_ids"], strict=True):
            mine = [x.strip() for x in str(ids if ids is not None and not pd.isna(ids) else "").replace(",", ";").split(";") if x.strip()]
            known = [x for x in mine if x in line_elec]
            if known and not any(line_elec[x] for x in known):
                station_km[sid] = max(line_km[x] for x in known)
    return spur_km, station_km
