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

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cleanfreight._i18n import check_lang
from cleanfreight._io import AMBER_BAND, write_text
from cleanfreight.errors import InputError, Problem
from cleanfreight.reports._labels import bi, t
from cleanfreight.reports._mapdata import (
    _ROUTE_KINDS,
    COLORS,
    TILE_PROVIDERS,
    MapLayers,
    enterprise_points,
    ratio_color,
)
from cleanfreight.reports._mapparts import (
    _area_labels,
    _enterprise_spec,
    _esc,
    _geojson_layer,
    _line_tip,
    _num,
    _parse_tiles,
    _point_layer,
    _prepare,
    _station_spec,
    _swap_spec,
    _text,
    area_names,
    base_map,
)

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

__all__ = [
    "AMBER_BAND",
    "COLORS",
    "TILE_PROVIDERS",
    "MapLayers",
    "area_names",
    "base_map",
    "enterprise_points",
    "make_map",
    "ratio_color",
    "save_map",
]

log = logging.getLogger(__name__)



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
