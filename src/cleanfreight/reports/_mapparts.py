"""The parts of an offline Folium map: the base map (district boundaries, main roads, rail), point and
line layers with escaped tooltips, area labels, tile parsing and geometry simplification."""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cleanfreight._i18n import t as _i18n_t
from cleanfreight._i18n import vocab
from cleanfreight.errors import InputError, Problem
from cleanfreight.reports._labels import bi, t

if TYPE_CHECKING:
    import folium
    import geopandas as gpd
from cleanfreight.reports._mapdata import COLORS, TILE_PROVIDERS, MapLayers, ratio_color

log = logging.getLogger(__name__)


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
