"""Interactive maps that open with no internet: Folium pages with every asset inlined.

:func:`make_map` draws the layers of a :class:`MapLayers` (enterprises coloured by their clean
ratio against the target, rail lines, spurs, stations, planned routes, swap stations, the truck
restriction zone) over a light base drawn from the project's own data (district boundaries, main
roads), with a layer control, legend, title, scale, full-screen button and a search box.
:func:`save_map` writes the page with Leaflet, jQuery and the marker-cluster plugin inlined from
installed packages, so it works on an offline intranet.

Online tiles are optional and off by default (``tiles=("osm",)`` adds OpenStreetMap as an
unticked layer). Amap tiles use GCJ-02: with ``tiles=("amap",)`` every overlay is shifted to
GCJ-02 so that it lines up with them. Tianditu uses CGCS2000 (≈ WGS-84) and needs a key:
``tiles=("tianditu:KEY",)``.

User data (names, ids) is escaped everywhere: popups and tooltips are written with
``textContent`` by the page's own script, and line/polygon tooltips are HTML-escaped in Python.
"""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cleanfreight._i18n import check_lang, vocab
from cleanfreight._i18n import t as _i18n_t
from cleanfreight._io import AMBER_BAND, write_text
from cleanfreight.accounting.rulebooks import RATIO_TOL
from cleanfreight.errors import InputError, Problem
from cleanfreight.reports._labels import bi, t

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

__all__ = [
    "AMBER_BAND",
    "COLORS",
    "TILE_PROVIDERS",
    "MapLayers",
    "enterprise_points",
    "make_map",
    "ratio_color",
    "save_map",
]

log = logging.getLogger(__name__)


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


# ---------------------------------------------------------------- helpers


def _esc(value: object) -> str:
    """HTML-escape, and neutralise characters that matter inside JS template literals."""
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return html.escape(text, quote=True).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _vocab_bi(column: str, text: str) -> str:
    """An industry value in both languages (``"coking 焦化"``); other columns as given."""
    if column != "industry" or not text:
        return text
    en, zh = vocab("industry", text, "en"), vocab("industry", text, "zh")
    return en if en == zh else f"{en} {zh}"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


def _pct(value: object) -> str | None:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if not math.isfinite(v) else f"{v * 100:.1f} %"


def _num(value: object) -> str | None:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if not math.isfinite(v) else f"{v:,.0f}"


def _names(row: pd.Series, lang: str, fallback: str = "") -> tuple[str, str]:
    """(title, subtitle): the name in ``lang`` first, the other language second."""
    zh, en = _text(row.get("name_zh")), _text(row.get("name_en"))
    first, second = (zh, en) if lang == "zh" else (en, zh)
    if not first:
        first, second = second, ""
    return (first or fallback, second if second != first else "")


def _parse_tiles(tiles: Sequence[str] | str | None) -> list[tuple[str, str, str, str]]:
    """[(name, url, attribution, crs)] for the requested optional tile layers."""
    if tiles is None:
        return []
    if isinstance(tiles, str):
        tiles = [tiles]
    out, problems = [], []
    for spec in tiles:
        name, _, key = spec.partition(":")
        name = name.strip().lower()
        if name not in TILE_PROVIDERS:
            problems.append(
                Problem(f"unknown tile provider; expected one of {', '.join(TILE_PROVIDERS)}", value=spec)
            )
            continue
        url, attribution, crs, needs_key = TILE_PROVIDERS[name]
        if needs_key and not key:
            problems.append(Problem(f"{name} tiles need a key: '{name}:YOUR_KEY'", value=spec))
            continue
        out.append((name, url.replace("{key}", key), attribution, crs))
    crss = {c for *_, c in out}
    if len(crss) > 1:
        problems.append(
            Problem(
                "tile layers in different coordinate systems cannot be mixed on one map "
                "(amap is GCJ-02, osm and tianditu WGS-84)",
                value=list(tiles),
            )
        )
    if problems:
        raise InputError("invalid tile layers", problems)
    return out


def _vertex_count(gdf: gpd.GeoDataFrame) -> int:
    import shapely

    return int(shapely.get_num_coordinates(gdf.geometry.values).sum())


def _prepare(gdf: gpd.GeoDataFrame, *, gcj02: bool, max_vertices: int, name: str) -> gpd.GeoDataFrame:
    """WGS-84 (or GCJ-02), empty geometries dropped, simplified when large, coordinates rounded."""
    import shapely

    if gdf.crs is None:
        log.warning("layer %s has no CRS; assuming WGS-84 longitude/latitude", name)
        gdf = gdf.set_crs("EPSG:4326")
    elif not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)].copy()
    n = _vertex_count(gdf)
    if n > max_vertices:
        # tolerance grows with the excess; 1e-4 degree is about 10 m
        tol = 1e-4 * max(1.0, math.sqrt(n / max_vertices))
        gdf["geometry"] = gdf.geometry.simplify(tol, preserve_topology=True)
        log.info("layer %s: %d vertices simplified to %d (tolerance %.5f°)", name, n, _vertex_count(gdf), tol)
    if gcj02:
        from cleanfreight.network.crs import wgs84_to_gcj02

        def shift(coords: np.ndarray) -> np.ndarray:
            lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
            return np.column_stack([lon, lat])

        gdf["geometry"] = shapely.transform(gdf.geometry.values, shift)
    gdf["geometry"] = shapely.transform(gdf.geometry.values, lambda c: np.round(c, 6))
    return gdf


def _point_spec(
    gdf: gpd.GeoDataFrame,
    labels: list[str],
    rows: list[tuple[float, float, float, str, str, str, list[str | None], str]],
    *,
    color: str,
    cluster: bool,
    searchable: bool = False,
    weight: float = 1.0,
    fill_opacity: float = 0.8,
) -> dict[str, Any]:
    points = []
    for lat, lon, radius, fill, title, subtitle, values, key in rows:
        p: dict[str, Any] = {"y": lat, "x": lon, "r": round(radius, 1), "f": fill, "t": title, "v": values}
        if subtitle:
            p["s"] = subtitle
        if key:
            p["k"] = key
        points.append(p)
    return {
        "cluster": cluster,
        "searchable": searchable,
        "color": color,
        "weight": weight,
        "opacity": 1.0,
        "fillOpacity": fill_opacity,
        "labels": labels,
        "points": points,
    }


def _points_xy(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    pts = gdf.geometry.representative_point()
    return np.round(pts.y.to_numpy(), 6), np.round(pts.x.to_numpy(), 6)


def _enterprise_spec(
    gdf: gpd.GeoDataFrame, lang: str, target: float, cluster: bool, annual: bool = True
) -> dict[str, Any]:
    has_after = "ratio_after" in gdf.columns
    has_clean = "tonnes_clean" in gdf.columns
    extra = [c for c in ("district", "industry") if c in gdf.columns]
    labels = [bi("f.enterprise_id"), *(bi(f"f.{c}") for c in extra), bi("f.tonnes_year" if annual else "f.tonnes_total")]
    if has_clean:
        labels.append(bi("f.tonnes_clean"))
    labels += [bi("f.clean_ratio")]
    if has_after:
        labels.append(bi("f.ratio_after"))
    labels += [bi("f.target"), bi("f.meets")]
    tonnes = pd.to_numeric(gdf["tonnes_total"], errors="coerce").fillna(0.0).clip(lower=0.0).to_numpy()
    tmax = float(tonnes.max()) if len(tonnes) and tonnes.max() > 0 else 1.0
    lat, lon = _points_xy(gdf)
    rows = []
    for i, (_, row) in enumerate(gdf.iterrows()):
        ratio = pd.to_numeric(pd.Series([row["clean_ratio"]]), errors="coerce").iloc[0]
        shown = ratio
        if has_after:
            after = pd.to_numeric(pd.Series([row["ratio_after"]]), errors="coerce").iloc[0]
            shown = after if np.isfinite(after) else ratio
        values: list[str | None] = [
            _text(row["enterprise_id"]),
            *(_vocab_bi(c, _text(row[c])) or None for c in extra),
            _num(row["tonnes_total"]),
        ]
        if has_clean:
            values.append(_num(row["tonnes_clean"]))
        values.append(_pct(ratio))
        if has_after:
            values.append(_pct(row["ratio_after"]))
        meets = bool(np.isfinite(shown) and shown >= target - 1e-9)
        values += [
            _pct(target),
            f"{t('yes', 'en')} {t('yes', 'zh')}" if meets else f"{t('no', 'en')} {t('no', 'zh')}",
        ]
        title, subtitle = _names(row, lang, _text(row["enterprise_id"]))
        radius = 3.0 + 12.0 * math.sqrt(tonnes[i] / tmax)
        rows.append(
            (
                float(lat[i]),
                float(lon[i]),
                radius,
                ratio_color(float(shown), target),
                title,
                subtitle,
                values,
                _text(row["enterprise_id"]),
            )
        )
    return _point_spec(gdf, labels, rows, color="#333333", cluster=cluster, searchable=True)


def _station_spec(gdf: gpd.GeoDataFrame, lang: str, cluster: bool) -> dict[str, Any]:
    labels = [bi("f.capacity"), bi("f.used"), bi("f.used_share"), bi("f.hours")]
    used_col = next((c for c in ("tonnes_used", "used_t_per_year", "throughput_t") if c in gdf.columns), None)
    lat, lon = _points_xy(gdf)
    rows = []
    for i, (_, row) in enumerate(gdf.iterrows()):
        cap = pd.to_numeric(pd.Series([row.get("handling_capacity_t_per_year")]), errors="coerce").iloc[0]
        used = pd.to_numeric(pd.Series([row.get(used_col)]), errors="coerce").iloc[0] if used_col else np.nan
        share = used / cap if np.isfinite(cap) and cap > 0 and np.isfinite(used) else np.nan
        fill = (
            COLORS["station"]
            if not np.isfinite(share) or share < 0.7
            else COLORS["near"]
            if share < 0.9
            else COLORS["low"]
        )
        title, subtitle = _names(row, lang, _text(row.get("station_id")))
        values = [_num(cap), _num(used), _pct(share), _text(row.get("loading_hours")) or None]
        rows.append((float(lat[i]), float(lon[i]), 7.0, fill, title, subtitle, values, ""))
    return _point_spec(gdf, labels, rows, color="#ffffff", cluster=cluster, weight=2.0, fill_opacity=0.95)


def _swap_spec(gdf: gpd.GeoDataFrame, lang: str, cluster: bool) -> dict[str, Any]:
    labels = [bi("f.kind"), bi("f.swaps_per_day"), bi("f.chargers"), bi("f.power_kw"), bi("f.hours")]
    lat, lon = _points_xy(gdf)
    rows = []
    for i, (_, row) in enumerate(gdf.iterrows()):
        title, subtitle = _names(row, lang, _text(row.get("swap_id")))
        values = [
            _text(row.get("kind")) or None,
            _num(row.get("swaps_per_day")),
            _num(row.get("chargers")),
            _num(row.get("power_kw")),
            _text(row.get("hours")) or None,
        ]
        rows.append((float(lat[i]), float(lon[i]), 5.0, COLORS["swap"], title, subtitle, values, ""))
    return _point_spec(gdf, labels, rows, color="#ffffff", cluster=cluster, weight=1.5, fill_opacity=0.95)


def _line_tip(row: pd.Series, lang: str, extra: Sequence[str] = ()) -> str:
    title, subtitle = _names(row, lang, _text(row.get("line_id") or row.get("zone_id") or ""))
    parts = [p for p in (title, subtitle, *extra) if p]
    return "<br>".join(_esc(p) for p in parts)


def _geojson_layer(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    name: str,
    styles: dict[str, dict[str, Any]],
    style_keys: Sequence[str],
    tips: Sequence[str] | None,
    *,
    interactive: bool = True,
    show: bool = True,
) -> None:
    """A GeoJSON layer carrying only safe properties: a style key and a pre-escaped tooltip."""
    import folium
    import geopandas as gpd

    data = gpd.GeoDataFrame(
        {"_s": list(style_keys), "_tip": list(tips) if tips is not None else [""] * len(gdf)},
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
    layer = folium.GeoJson(
        data.__geo_interface__,
        name=name,
        style_function=lambda feature: styles[feature["properties"]["_s"]],
        tooltip=folium.GeoJsonTooltip(fields=["_tip"], labels=False, sticky=True)
        if interactive and tips
        else None,
        interactive=interactive,
        show=show,
        overlay=True,
        control=True,
        smooth_factor=1.0,
        # points in a line/area layer are drawn as small circles: never Leaflet's image marker,
        # whose icon files are not part of an offline page (a broken image)
        marker=folium.CircleMarker(radius=4, weight=1, fill=True, fill_opacity=0.8),
    )
    layer.add_to(m)


def area_names(gdf: gpd.GeoDataFrame, lang: str) -> list[str]:
    """The name of each area (``name_<lang>``, else ``name_zh`` / ``name_en`` / ``name``; empty when none)."""
    cols = [c for c in (f"name_{lang}", "name_zh", "name_en", "name") if c in gdf.columns]
    names = []
    for _, row in gdf.iterrows():
        name = next((_text(row[c]) for c in cols if _text(row[c])), "")
        names.append(name)
    return names


def base_map(
    bounds: list[list[float]],
    lang: str,
    base: MapLayers | None = None,
    *,
    zoom_start: int = 10,
    roads: bool = True,
    rail: bool = True,
) -> folium.Map:
    """An offline map over ``bounds`` (``[[south, west], [north, east]]``) with the project's own assets and,
    under what the caller draws, ``base``'s district boundaries (named) and, when asked, roads and rail."""
    import folium

    from cleanfreight.reports._folium import OwnAssets

    m = folium.Map(
        location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        zoom_start=zoom_start,
        tiles=None,
        control_scale=True,
    )
    m.options["max_zoom"] = 18
    OwnAssets().add_to(m)
    if base is None:
        return m
    if base.boundaries is not None and len(base.boundaries):
        bd = base.boundaries.to_crs("EPSG:4326")
        style = {"color": COLORS["boundary"], "weight": 1.2, "fillColor": "#ffffff", "fillOpacity": 0.6,
                 "dashArray": "4 3"}
        _geojson_layer(m, bd, _i18n_t("map.boundaries", lang), {"b": style}, ["b"] * len(bd), None,
                       interactive=False)
        _area_labels(m, bd, lang)
    if roads and base.roads is not None and len(base.roads):
        rd = base.roads.to_crs("EPSG:4326")
        _geojson_layer(m, rd, _i18n_t("map.roads", lang), {"r": {"color": COLORS["road"], "weight": 1.5}},
                       ["r"] * len(rd), None, interactive=False)
    if rail and base.rail is not None and len(base.rail):
        rl = base.rail.to_crs("EPSG:4326")
        _geojson_layer(m, rl, _i18n_t("map.rail", lang), {"r": {"color": "#9a9a9a", "weight": 2}},
                       ["r"] * len(rl), None, interactive=False)
    return m


def _area_labels(m: folium.Map, gdf: gpd.GeoDataFrame, lang: str) -> None:
    """District / county names at a point inside each area: plain escaped text, not clickable."""
    import folium

    group = folium.FeatureGroup(name=t("map.area_names", lang), show=True, overlay=True, control=True)
    points = gdf.geometry.representative_point()
    for name, pt in zip(area_names(gdf, lang), points, strict=True):
        if not name or pt is None or pt.is_empty:
            continue
        folium.Marker(
            [round(pt.y, 6), round(pt.x, 6)],
            icon=folium.DivIcon(
                html=f'<div class="cf-area-label">{html.escape(name)}</div>',
                icon_size=(120, 16),
                icon_anchor=(60, 8),
                class_name="cf-area",
            ),
            interactive=False,
            keyboard=False,
        ).add_to(group)
    group.add_to(m)


def _point_layer(m: folium.Map, spec: dict[str, Any], name: str) -> None:
    from cleanfreight.reports._folium import PointLayer

    PointLayer(spec, name=name).add_to(m)


# ---------------------------------------------------------------- public


def make_map(
    layers: MapLayers,
    *,
    lang: str = "en",
    title: str | None = None,
    target: float = 0.8,
    tiles: Sequence[str] | str | None = None,
    subtitle: str | None = None,
    cluster_above: int = 300,
    max_vertices: int = 50_000,
    annual: bool = True,
) -> folium.Map:
    """Draw ``layers`` on a Folium map (call :func:`save_map` to write it for offline use).

    Parameters
    ----------
    layers
        What to draw; absent layers are skipped.
    lang
        ``"en"`` or ``"zh"``: layer names, legend, title; popups are bilingual either way.
    title
        Title shown at the top (default: a bilingual "clean bulk-freight transport" title).
    target
        Clean-ratio target (0–1) the enterprise colours compare against.
    tiles
        Optional online tile layers, unticked by default: ``"osm"``, ``"amap"`` (GCJ-02: overlays
        are shifted to GCJ-02), ``"tianditu:KEY"``.
    subtitle
        Second line under the title (e.g. the rulebook or the period).
    cluster_above
        Point layers with more points than this are clustered (Leaflet.markercluster).
    max_vertices
        Line and polygon layers with more vertices than this are simplified.
    annual
        The tonnes are for a year ("annual tonnes" in popups and the legend); ``False`` for a
        month, quarter or other period.

    Returns
    -------
    folium.Map
    """
    import folium

    from cleanfreight.reports._folium import OwnAssets, PageScript

    lang = check_lang(lang)
    problems = []
    if not (isinstance(target, int | float) and 0 < float(target) <= 1):
        problems.append(Problem("target must be a share in (0, 1]", column="target", value=target))
    if cluster_above < 0:
        problems.append(Problem("must be >= 0", column="cluster_above", value=cluster_above))
    if max_vertices < 100:
        problems.append(Problem("must be >= 100", column="max_vertices", value=max_vertices))
    if problems:
        raise InputError("invalid map options", problems)
    tile_layers = _parse_tiles(tiles)
    gcj02 = any(crs == "gcj02" for *_, crs in tile_layers)

    present = {
        name: _prepare(gdf, gcj02=gcj02, max_vertices=max_vertices, name=name)
        for name, gdf in layers.present().items()
    }
    present = {k: v for k, v in present.items() if len(v)}
    bounds = _bounds(present)

    m = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=10,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    m.options["max_zoom"] = 18  # no tile layer sets one, and marker clustering needs it
    OwnAssets().add_to(m)

    legend: list[dict[str, str]] = []

    # base from project data: never interactive, drawn first
    if "boundaries" in present:
        b = present["boundaries"]
        style = {
            "color": COLORS["boundary"],
            "weight": 1.2,
            "fillColor": "#ffffff",
            "fillOpacity": 0.6,
            "dashArray": "4 3",
        }
        _geojson_layer(m, b, t("map.boundaries", lang), {"b": style}, ["b"] * len(b), None, interactive=False)
        _area_labels(m, b, lang)
    if "roads" in present:
        r = present["roads"]
        r_styles = {
            "major": {"color": COLORS["road"], "weight": 2.2, "opacity": 0.9},
            "minor": {"color": COLORS["road"], "weight": 1.0, "opacity": 0.8},
        }
        major = {"motorway", "trunk", "primary", "motorway_link", "trunk_link"}
        keys = (
            ["major" if _text(h).split(";")[0] in major else "minor" for h in r["highway"]]
            if "highway" in r.columns
            else ["minor"] * len(r)
        )
        _geojson_layer(m, r, t("map.roads", lang), r_styles, keys, None, interactive=False)
        legend.append({"kind": "line", "color": COLORS["road"], "label": t("map.roads", lang)})

    for name, url, attribution, _crs in tile_layers:
        folium.TileLayer(
            tiles=url,
            attr=attribution,
            name=t("map.tiles_optional", lang, name=name),
            overlay=True,
            show=False,
            control=True,
            subdomains="1234" if name == "amap" else "01234567" if name == "tianditu" else "abc",
            max_zoom=18,
        ).add_to(m)

    if "restriction_zone" in present:
        z = present["restriction_zone"]
        tips = []
        for _, row in z.iterrows():
            extra = []
            if _text(row.get("hgv_banned_hours")):
                extra.append(f"{bi('f.banned_hours')}: {_text(row.get('hgv_banned_hours'))}")
            if "new_energy_exempt" in z.columns:
                yes = bool(row.get("new_energy_exempt"))
                extra.append(
                    f"{bi('f.ne_exempt')}: {t('yes' if yes else 'no', 'en')} {t('yes' if yes else 'no', 'zh')}"
                )
            tips.append(_line_tip(row, lang, extra) or _esc(t("map.restriction_zone", lang)))
        style = {
            "color": COLORS["zone"],
            "weight": 1.5,
            "fillColor": COLORS["zone"],
            "fillOpacity": 0.12,
            "dashArray": "6 4",
        }
        _geojson_layer(m, z, t("map.restriction_zone", lang), {"z": style}, ["z"] * len(z), tips)
        legend.append(
            {
                "kind": "fill",
                "color": "rgba(227,26,28,0.25)",
                "border": COLORS["zone"],
                "label": t("map.restriction_zone", lang),
            }
        )

    if "rail" in present:
        rl = present["rail"]
        style = {"color": COLORS["rail"], "weight": 3.5, "opacity": 0.9}
        tips = [_line_tip(row, lang) for _, row in rl.iterrows()]
        _geojson_layer(m, rl, t("map.rail", lang), {"r": style}, ["r"] * len(rl), tips)
        legend.append({"kind": "line", "color": COLORS["rail"], "label": t("map.rail", lang)})

    if "spurs" in present:
        sp = present["spurs"]
        statuses = [
            "planned" if _text(s).strip().lower() == "planned" else "existing"
            for s in (sp["status"] if "status" in sp.columns else ["existing"] * len(sp))
        ]
        styles = {
            "existing": {"color": COLORS["spur"], "weight": 3.0, "opacity": 0.95},
            "planned": {"color": COLORS["spur"], "weight": 3.0, "opacity": 0.95, "dashArray": "7 5"},
        }
        tips = [
            _line_tip(row, lang, [f"{bi('f.status')}: {t('f.' + st, 'en')} {t('f.' + st, 'zh')}"])
            for (_, row), st in zip(sp.iterrows(), statuses, strict=True)
        ]
        _geojson_layer(m, sp, t("map.spurs", lang), styles, statuses, tips)
        if "existing" in statuses:
            legend.append({"kind": "line", "color": COLORS["spur"], "label": t("map.spur_existing", lang)})
        if "planned" in statuses:
            legend.append({"kind": "dash", "color": COLORS["spur"], "label": t("map.spur_planned", lang)})

    if "routes" in present:
        ro = present["routes"]
        kinds = [_ROUTE_KINDS.get(_text(k).strip().lower(), "other") for k in ro["kind"]]
        styles = {
            "rail": {"color": COLORS["route_rail"], "weight": 5.0, "opacity": 0.75},
            "ne": {"color": COLORS["route_ne"], "weight": 3.5, "opacity": 0.9},
            "diesel": {"color": COLORS["route_diesel"], "weight": 2.5, "opacity": 0.9, "dashArray": "4 6"},
            "other": {"color": COLORS["route_other"], "weight": 2.0, "opacity": 0.8},
        }
        tips = []
        for (_, row), k in zip(ro.iterrows(), kinds, strict=True):
            extra = [t(f"map.route_{k}", "en") + " " + t(f"map.route_{k}", "zh")]
            tonnes = _num(row.get("tonnes")) if "tonnes" in ro.columns else None
            if tonnes:
                extra.append(f"{bi('f.tonnes')}: {tonnes}")
            tips.append(_line_tip(row, lang, extra))
        _geojson_layer(m, ro, t("map.routes", lang), styles, kinds, tips)
        for k, kind in (("rail", "line"), ("ne", "line"), ("diesel", "dash"), ("other", "line")):
            if k in kinds:
                legend.append(
                    {"kind": kind, "color": COLORS[f"route_{k}"], "label": t(f"map.route_{k}", lang)}
                )

    if "enterprises" in present:
        en = present["enterprises"]
        _point_layer(
            m, _enterprise_spec(en, lang, target, len(en) > cluster_above, annual), t("map.enterprises", lang)
        )
        low = max(0.0, target - AMBER_BAND)
        has_ratio = pd.to_numeric(en["clean_ratio"], errors="coerce").notna().any()
        legend = [
            {
                "kind": "circle",
                "color": COLORS["ok"],
                "label": t("map.ratio_ok", lang, target=f"{target:.0%}"),
            },
            {
                "kind": "circle",
                "color": COLORS["near"],
                "label": t("map.ratio_near", lang, low=f"{low:.0%}", target=f"{target:.0%}"),
            },
            {"kind": "circle", "color": COLORS["low"], "label": t("map.ratio_low", lang, low=f"{low:.0%}")},
            *legend,
        ] if has_ratio else [
            {"kind": "circle", "color": COLORS["route_other"], "label": t("map.enterprises", lang)},
            *legend,
        ]

    if "stations" in present:
        st = present["stations"]
        _point_layer(m, _station_spec(st, lang, len(st) > cluster_above), t("map.stations", lang))
        legend.append({"kind": "circle", "color": COLORS["station"], "label": t("map.stations", lang)})
    if "swap_stations" in present:
        sw = present["swap_stations"]
        _point_layer(m, _swap_spec(sw, lang, len(sw) > cluster_above), t("map.swap_stations", lang))
        legend.append({"kind": "circle", "color": COLORS["swap"], "label": t("map.swap_stations", lang)})
    page_title = title if title is not None else t("map.title", lang)
    if subtitle is None:
        subtitle = t("map.title", "en" if lang == "zh" else "zh") if title is None else ""
    PageScript(
        {
            "title": {"title": page_title, "subtitle": subtitle},
            "legend": {
                "heading": t("map.legend", lang),
                "items": legend,
                "note": t("map.size_note" if annual else "map.size_note_period", lang) + " · "
                + t("map.tiles_note", lang)
                if "enterprises" in present
                else t("map.tiles_note", lang),
            },
            "search": {"placeholder": t("map.search", lang), "none": t("map.search_none", lang), "limit": 10}
            if "enterprises" in present
            else None,
            "fullscreen": {"label": t("map.fullscreen", lang)},
        }
    ).add_to(m)
    folium.LayerControl(collapsed=len(present) > 8).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m


def _bounds(layers: dict[str, gpd.GeoDataFrame]) -> tuple[float, float, float, float]:
    """Bounds of the layers that matter (boundaries only when nothing else is present)."""
    focus = {k: v for k, v in layers.items() if k not in ("roads",)}
    if any(k != "boundaries" for k in focus):
        focus = {k: v for k, v in focus.items() if k != "boundaries"} or focus
    if not focus:
        focus = layers
    if not focus:
        return (112.4, 35.7, 113.9, 37.1)  # Changzhi
    arr = np.array([g.total_bounds for g in focus.values()])
    minx, miny = float(np.nanmin(arr[:, 0])), float(np.nanmin(arr[:, 1]))
    maxx, maxy = float(np.nanmax(arr[:, 2])), float(np.nanmax(arr[:, 3]))
    pad_x, pad_y = max((maxx - minx) * 0.05, 0.01), max((maxy - miny) * 0.05, 0.01)
    return (minx - pad_x, miny - pad_y, maxx + pad_x, maxy + pad_y)


def save_map(m: folium.Map, path: str | Path, *, strict: bool = True) -> Path:
    """Write ``m`` as one self-contained HTML file that opens with no internet.

    Leaflet, jQuery and Leaflet.markercluster are inlined from the installed ``xstatic``
    packages; Bootstrap and Font Awesome, which these maps do not use, are removed.

    Parameters
    ----------
    m
        A map from :func:`make_map` (or any Folium map using only those assets).
    path
        Output file; parent folders are created.
    strict
        Raise :class:`~cleanfreight.errors.InputError` if a remote asset has no offline copy
        (otherwise drop it with a warning).

    Returns
    -------
    Path
        The written file.
    """
    from cleanfreight.reports._offline import inline_assets, remote_asset_urls

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    page = inline_assets(m.get_root().render(), strict=strict)
    left = remote_asset_urls(page)
    if left:  # pragma: no cover - inline_assets removes or raises
        raise InputError("remote assets left in the page: " + ", ".join(left))
    write_text(path, page)
    log.info("wrote %s (%.1f kB)", path, path.stat().st_size / 1e3)
    return path
