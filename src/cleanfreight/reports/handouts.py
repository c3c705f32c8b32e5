"""What a dispatcher hands out: a route map and one run sheet per truck.

- :func:`route_map`: an offline Folium page (assets inlined, as every cleanfreight map) with one
  colour per truck, numbered stops, battery-swap / charging stops marked, a legend and the
  scenario's name as title; :func:`route_map_png` draws the same as a static picture.
- :func:`write_run_sheets`: ``run_sheets.xlsx`` (a summary sheet and one sheet per truck) and
  ``run_sheets.pdf`` (one A4 landscape page per truck): stops, times, loads, tonnes on board,
  battery state and swaps.

Everything follows ``lang`` and uses the place names of the scenario (``name_zh`` / ``name_en``,
from the scenario file or the sample pack), falling back to the other language, then the id.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from cleanfreight import _i18n
from cleanfreight._i18n import check_lang
from cleanfreight._io import atomic_path
from cleanfreight.reports._handout_common import (
    _ENERGY_KINDS,
    TRUCK_COLORS,
    _action,
    _numbered,
    _stops,
    _t,
    place_names,
    scenario_title,
    truck_colors,
)
from cleanfreight.reports.run_sheets import run_sheet_table, write_run_sheets

if TYPE_CHECKING:
    import folium

    from cleanfreight.dispatch.result import DispatchResult
    from cleanfreight.reports.maps import MapLayers

__all__ = ["TRUCK_COLORS", "route_map", "route_map_png", "run_sheet_table", "write_handouts", "write_run_sheets"]

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- route map (HTML)


def route_map(result: DispatchResult, *, lang: str = "en", base: MapLayers | None = None) -> folium.Map:
    """An offline Folium map of the day's routes (write it with :func:`cleanfreight.reports.save_map`).

    Parameters
    ----------
    result
        A solved day.
    lang
        ``"en"`` or ``"zh"``: title, legend, tooltips and place names.
    base
        Light base layers (district boundaries, roads) drawn under the routes, e.g. from
        :func:`cleanfreight.reports.sample_layers`; only ``boundaries`` and ``roads`` are used.
    """
    import folium

    from cleanfreight.reports._folium import PageScript
    from cleanfreight.reports.maps import COLORS, base_map

    lang = check_lang(lang)
    names = place_names(result, lang)
    colors = truck_colors(result)
    places = result.places.set_index("place_id")
    lons = places["lon"].astype(float)
    lats = places["lat"].astype(float)
    routes = [f for f in result.geojson.get("features", []) if f["properties"].get("feature") == "route"]
    xs = [c[0] for f in routes for c in f["geometry"]["coordinates"]] or list(lons)
    ys = [c[1] for f in routes for c in f["geometry"]["coordinates"]] or list(lats)
    pad_x, pad_y = max((max(xs) - min(xs)) * 0.05, 0.01), max((max(ys) - min(ys)) * 0.05, 0.01)
    bounds = [[min(ys) - pad_y, min(xs) - pad_x], [max(ys) + pad_y, max(xs) + pad_x]]
    m = base_map(bounds, lang, base, zoom_start=11, rail=False)

    legend: list[dict[str, str]] = []
    trucks = result.trucks.set_index("truck_id")
    seen: dict[str, int] = {}  # badges drawn at each place so far (all trucks): side by side, 6 a row
    for k, feat in enumerate(routes):
        tid = str(feat["properties"]["truck_id"])
        color = colors.get(tid, "#555555")
        row = trucks.loc[tid]
        label = f"{tid} · {row['km_total']:,.1f} km · " + _t(
            "ho.loads_t", lang, loads=int(row["loads"]), tonnes=float(row["tonnes"])
        )
        group = folium.FeatureGroup(name=_t("ho.truck", lang, truck=tid), show=True)
        tip = html.escape(
            f"{_t('ho.truck', lang, truck=tid)} ({row['truck_type']}): "
            + _t("ho.loads_t", lang, loads=int(row["loads"]), tonnes=float(row["tonnes"]))
            + " · "
            + _t("ho.km_line", lang, km=float(row["km_total"]), empty=float(row["km_empty"]))
        )
        folium.PolyLine(
            [(c[1], c[0]) for c in feat["geometry"]["coordinates"]],
            color=color,
            # earlier trucks wider underneath: where routes share a road every colour still shows
            weight=4 + 3 * (len(routes) - 1 - k),
            opacity=0.9,
            tooltip=tip,
        ).add_to(group)
        stops = _stops(result, tid)
        numbers = _numbered(stops)
        for (_, st), num in zip(stops.iterrows(), numbers, strict=True):
            if num is None:
                continue
            pid = str(st["place_id"])
            lat, lon = float(lats[pid]), float(lons[pid])
            energy = st["kind"] in _ENERGY_KINDS
            j = seen.get(pid, 0)
            seen[pid] = j + 1
            badge = (
                f'<div class="cf-stop{" cf-stop-energy" if energy else ""}" '
                f'style="border-color:{color};{"" if energy else f"background:{color};"}">'
                f"{'&#9889;' if energy else ''}{num}</div>"
            )
            stop_tip = html.escape(
                f"{tid} #{num} · {names.get(pid, pid)} · {_action(str(st['kind']), lang)} · "
                f"{st['arrive']}–{st['depart']}"
                + (f" · {st['lot_id']}" if st["lot_id"] else "")
                + f" · {_t('ho.soc_depart', lang)} {st['soc_depart_pct']:.0f} %"
            )
            folium.Marker(
                [lat, lon],
                icon=folium.DivIcon(html=badge, icon_size=(26, 18), icon_anchor=(13 - 28 * (j % 6), 30 + 21 * (j // 6)),
                                    class_name="cf-stop-icon"),
                tooltip=stop_tip,
            ).add_to(group)
        group.add_to(m)
        legend.append({"kind": "line", "color": color, "label": label})

    pts = folium.FeatureGroup(name=_t("ho.place", lang), show=True)
    kind_color = {"station": COLORS["station"], "enterprise": "#555555", "depot": "#111111", "other": "#888888",
                  "swap": COLORS["swap"], "charge": COLORS["swap"], "h2": COLORS["swap"]}
    used = set(result.timeline["place_id"]) if not result.timeline.empty else set()
    for pid, row in places.iterrows():
        if pid not in used:
            continue
        folium.CircleMarker(
            [float(row["lat"]), float(row["lon"])],
            radius=6 if row["kind"] != "depot" else 8,
            color="#ffffff",
            weight=1.5,
            fill=True,
            fill_color=kind_color.get(str(row["kind"]), "#888888"),
            fill_opacity=0.95,
            tooltip=html.escape(f"{names.get(str(pid), str(pid))} ({pid})"),
        ).add_to(pts)
        folium.Marker(
            [float(row["lat"]), float(row["lon"])],
            icon=folium.DivIcon(
                html=f'<div class="cf-place-label">{html.escape(names.get(str(pid), str(pid)))}</div>',
                icon_size=(160, 16),
                icon_anchor=(-8, 8),
                class_name="cf-area",
            ),
            interactive=False,
        ).add_to(pts)
    pts.add_to(m)
    legend += [
        {"kind": "circle", "color": COLORS["station"], "label": _i18n.t("map.stations", lang)},
        {"kind": "circle", "color": "#111111", "label": _t("ho.depot", lang)},
        {"kind": "circle", "color": COLORS["swap"], "label": _t("ho.swap_stop", lang) + " (⚡)"},
    ]
    folium.Element(
        "<style>.cf-stop{min-width:18px;height:18px;padding:0 3px;border:2px solid;border-radius:9px;"
        "color:#fff;font:bold 11px/14px sans-serif;text-align:center;box-sizing:border-box;"
        "box-shadow:0 0 2px #000}.cf-stop-energy{background:#fff;color:#000;border-radius:2px}"
        ".cf-stop-icon{background:none;border:none}"
        ".cf-place-label{font:12px sans-serif;color:#222;white-space:nowrap;text-shadow:0 0 3px #fff,"
        "0 0 3px #fff}</style>"
    ).add_to(cast(Any, m.get_root()).header)
    PageScript(
        {
            "title": {"title": scenario_title(result, lang), "subtitle": _t("ho.route_map", lang)},
            "legend": {"heading": _t("ho.legend", lang), "items": legend, "note": _t("ho.note", lang)},
            "search": None,
            "fullscreen": {"label": _i18n.t("map.fullscreen", lang)},
        }
    ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds(bounds)
    return m


# ---------------------------------------------------------------- route map (PNG)


def route_map_png(
    result: DispatchResult, path: str | Path, *, lang: str = "en", base: MapLayers | None = None, dpi: int = 150
) -> Path:
    """The route map as a static PNG/PDF (same colours and numbers as :func:`route_map`)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from pyproj import Transformer

    from cleanfreight.reports._fonts import rc_params
    from cleanfreight.reports.maps import COLORS

    lang = check_lang(lang)
    path = Path(path)
    names = place_names(result, lang)
    colors = truck_colors(result)
    places = result.places.set_index("place_id")
    tr = Transformer.from_crs("EPSG:4326", "EPSG:32649", always_xy=True)
    with plt.rc_context(cast(Any, rc_params())):
        fig, ax = plt.subplots(figsize=(10, 8))
        try:
            if base is not None and base.boundaries is not None and len(base.boundaries):
                base.boundaries.to_crs("EPSG:32649").plot(
                    ax=ax, facecolor="#f7f6f0", edgecolor=COLORS["boundary"], linewidth=0.5, linestyle="--"
                )
            if base is not None and base.roads is not None and len(base.roads):
                base.roads.to_crs("EPSG:32649").plot(ax=ax, color=COLORS["road"], linewidth=0.5)
            handles: list[Any] = []
            xs_all: list[float] = []
            ys_all: list[float] = []
            seen: dict[str, int] = {}
            routes = [f for f in result.geojson.get("features", []) if f["properties"].get("feature") == "route"]
            for k, feat in enumerate(routes):
                tid = str(feat["properties"]["truck_id"])
                lon, lat = zip(*feat["geometry"]["coordinates"], strict=True)
                x, y = tr.transform(lon, lat)
                xs_all += list(x)
                ys_all += list(y)
                ax.plot(x, y, color=colors[tid], linewidth=1.6 + 1.4 * (len(routes) - 1 - k), alpha=0.9,
                        zorder=4 + k / 100, solid_capstyle="round")
                row = result.trucks.set_index("truck_id").loc[tid]
                handles.append(Line2D([], [], color=colors[tid], linewidth=2.2, label=f"{tid} · {row['km_total']:,.1f} km · "
                                      + _t("ho.loads_t", lang, loads=int(row["loads"]), tonnes=float(row["tonnes"]))))
                stops = _stops(result, tid)
                for (_, st), num in zip(stops.iterrows(), _numbered(stops), strict=True):
                    if num is None:
                        continue
                    pid = str(st["place_id"])
                    px, py = tr.transform(float(places.at[pid, "lon"]), float(places.at[pid, "lat"]))
                    j = seen.get(pid, 0)
                    seen[pid] = j + 1
                    energy = st["kind"] in _ENERGY_KINDS
                    ax.annotate(
                        str(num),
                        (px, py),
                        xytext=(10 + 14 * (j % 6), 10 + 12 * (j // 6)),
                        textcoords="offset points",
                        fontsize=7,
                        ha="center",
                        va="center",
                        color="black" if energy else "white",
                        bbox={"boxstyle": "square,pad=0.25" if energy else "round,pad=0.25",
                              "fc": "white" if energy else colors[tid], "ec": colors[tid], "lw": 1.2},
                        zorder=8,
                    )
            used = set(result.timeline["place_id"])
            for pid, row in places.iterrows():
                if pid not in used:
                    continue
                px, py = tr.transform(float(row["lon"]), float(row["lat"]))
                color = COLORS["swap"] if row["kind"] in _ENERGY_KINDS else (
                    COLORS["station"] if row["kind"] == "station" else "#111111" if row["kind"] == "depot"
                    else "#555555"
                )
                ax.plot(px, py, "o", color=color, markersize=6, markeredgecolor="white", zorder=6)
                ax.annotate(names.get(str(pid), str(pid)), (px, py), xytext=(-6, -8), textcoords="offset points",
                            fontsize=7, ha="right", va="top", color="#222222", zorder=7,
                            bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})
            handles += [
                Line2D([], [], color=COLORS["station"], marker="o", linestyle="", label=_i18n.t("map.stations", lang)),
                Line2D([], [], color=COLORS["swap"], marker="s", markerfacecolor="white", linestyle="",
                       label=_t("ho.swap_stop", lang)),
            ]
            if xs_all:
                span = max(max(xs_all) - min(xs_all), max(ys_all) - min(ys_all))
                pad = span * 0.08 + 1000
                # the stop numbers sit up to ~6 badges right of and ~3 rows above their place: room for them
                ax.set_xlim(min(xs_all) - pad, max(xs_all) + pad + span * 0.12)
                ax.set_ylim(min(ys_all) - pad, max(ys_all) + pad + span * 0.06)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel("")  # no projected-CRS axis names (metres): the scale bar says the distance
            ax.set_ylabel("")
            from cleanfreight.reports.static import _scale_bar

            _scale_bar(ax)
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
                      title=_t("ho.legend", lang), title_fontsize=8, frameon=False)
            ax.set_title(f"{scenario_title(result, lang)}\n{_t('ho.route_map', lang)} · {_t('ho.stops', lang)}",
                         fontsize=11)
            fig.tight_layout()
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp:
                fig.savefig(tmp, dpi=dpi)
        finally:
            plt.close(fig)
    return path


def write_handouts(
    result: DispatchResult, folder: str | Path, *, lang: str = "en", base: MapLayers | None = None
) -> list[Path]:
    """Write ``route_map.html`` (offline), ``route_map.png``, ``run_sheets.xlsx`` and ``run_sheets.pdf``."""
    from cleanfreight.reports.maps import save_map

    lang = check_lang(lang)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    if result.trucks.empty:
        log.warning("no truck used: no route map or run sheets written")
        return []
    files = [save_map(route_map(result, lang=lang, base=base), out / "route_map.html")]
    files.append(route_map_png(result, out / "route_map.png", lang=lang, base=base))
    files += write_run_sheets(result, out, lang=lang)
    return files
