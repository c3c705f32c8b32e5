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

import pandas as pd

from cleanfreight import _i18n
from cleanfreight._i18n import check_lang
from cleanfreight._io import atomic_path

if TYPE_CHECKING:
    import folium

    from cleanfreight.dispatch.result import DispatchResult
    from cleanfreight.reports.maps import MapLayers

__all__ = ["TRUCK_COLORS", "route_map", "route_map_png", "write_handouts", "write_run_sheets"]

log = logging.getLogger(__name__)

#: One colour per truck, in the order of the trucks table (repeats after 12 trucks).
TRUCK_COLORS = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
    "#8c564b", "#e377c2", "#bcbd22", "#393b79", "#637939", "#843c39",
)

_ENERGY_KINDS = ("swap", "charge", "h2")

_i18n.register(
    {
        "ho.route_map": ("Route map", "车辆路线图"),
        "ho.run_sheet": ("Run sheet", "派车单"),
        "ho.truck": ("Truck {truck}", "车辆 {truck}"),
        "ho.stops": ("Numbered stops (order of the truck's day)", "编号为各车当日停靠顺序"),
        "ho.swap_stop": ("Battery swap / charging stop", "换电/充电站停靠"),
        "ho.depot": ("Depot", "车场"),
        "ho.legend": ("Trucks", "车辆"),
        "ho.note": (
            "Each truck's stops are numbered in the order it drives them; offline map, no tiles.",
            "各车停靠点按行驶顺序编号；离线地图，无需联网。",
        ),
        "ho.summary": ("Trucks", "车辆汇总"),
        "ho.no": ("No.", "序号"),
        "ho.arrive": ("Arrive", "到达"),
        "ho.start": ("Start", "开始作业"),
        "ho.depart": ("Depart", "离开"),
        "ho.place": ("Place", "地点"),
        "ho.action": ("Action", "作业"),
        "ho.load": ("Load", "运单"),
        "ho.onboard": ("On board (t)", "车上货重(吨)"),
        "ho.km": ("km from previous", "距上一站(公里)"),
        "ho.soc_arrive": ("Battery on arrival", "到达电量"),
        "ho.soc_depart": ("Battery on departure", "离开电量"),
        "ho.energy_arrive": ("Tank on arrival", "到达余量"),
        "ho.energy_depart": ("Tank on departure", "离开余量"),
        "ho.wait": ("Wait (min)", "等待(分钟)"),
        "ho.type": ("Truck type", "车型"),
        "ho.shift": ("Shift", "班次"),
        "ho.day": ("Day", "当日"),
        "ho.loads_t": ("{loads} loads, {tonnes:,.0f} t", "{loads} 单，{tonnes:,.0f} 吨"),
        "ho.km_line": ("{km:,.1f} km ({empty:,.1f} empty)", "{km:,.1f} 公里（空驶 {empty:,.1f}）"),
        "ho.swaps_line": (
            "battery swaps: {swaps}, charging stops: {charges}, lowest battery {soc:.0f} %",
            "换电 {swaps} 次，充电 {charges} 次，最低电量 {soc:.0f}%",
        ),
        "ho.window_note": (
            "Time windows and gate hours bound the start of loading/unloading (arrival, plus any wait); "
            "the work may end after the window.",
            "时间窗与厂门作业时间约束的是开始装卸的时间（到达并等待后）；装卸可在时间窗结束后完成。",
        ),
        "ho.page": ("page {page} of {pages}", "第 {page} 页，共 {pages} 页"),
        "ho.no_trucks": ("No truck was used: nothing to hand out.", "未使用车辆：无派车单。"),
        "ho.pct": ("{v:.0f} %", "{v:.0f}%"),
    }
)


def _t(key: str, lang: str, **fmt: Any) -> str:
    return _i18n.t(key, lang, **fmt)


def place_names(result: DispatchResult, lang: str) -> dict[str, str]:
    """Place id -> name in ``lang`` (the other language, then the id, when missing)."""
    names: dict[str, str] = {}
    for row in result.places.itertuples(index=False):
        zh, en = str(row.name_zh or ""), str(row.name_en or "")
        first, second = (zh, en) if lang == "zh" else (en, zh)
        names[str(row.place_id)] = first or second or str(row.place_id)
    return names


def truck_colors(result: DispatchResult) -> dict[str, str]:
    """Truck id -> colour (:data:`TRUCK_COLORS`, in the order of the trucks table)."""
    return {tid: TRUCK_COLORS[i % len(TRUCK_COLORS)] for i, tid in enumerate(result.trucks["truck_id"])}


def _action(kind: str, lang: str) -> str:
    return _i18n.t(f"dispatch.kind.{kind}", lang)


def _stops(result: DispatchResult, truck_id: str) -> pd.DataFrame:
    tl = result.timeline
    return tl[tl["truck_id"] == truck_id].sort_values("seq").reset_index(drop=True)


def _numbered(stops: pd.DataFrame) -> list[int | None]:
    """Stop numbers 1..n of a truck's day; the depot at the start and end has none."""
    out: list[int | None] = []
    k = 0
    for kind in stops["kind"]:
        if kind == "depot":
            out.append(None)
        else:
            k += 1
            out.append(k)
    return out


def scenario_title(result: DispatchResult, lang: str) -> str:
    """The day's name in ``lang`` (``[scenario] name_zh`` for Chinese when the scenario gives one)."""
    sc = result.scenario_obj
    return sc.name_zh if lang == "zh" and sc is not None and sc.name_zh else result.scenario


def _title(result: DispatchResult, lang: str, what: str) -> str:
    return f"{scenario_title(result, lang)} · {_t(what, lang)}"


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


# ---------------------------------------------------------------- run sheets


def _energy_cols(powertrain: str, lang: str) -> tuple[str, str]:
    if powertrain in ("bev_swap", "bev_charge"):
        return _t("ho.soc_arrive", lang), _t("ho.soc_depart", lang)
    return _t("ho.energy_arrive", lang), _t("ho.energy_depart", lang)


def run_sheet_table(result: DispatchResult, truck_id: str, lang: str = "en") -> pd.DataFrame:
    """The run sheet of one truck: numbered stops with times, place, action, load, tonnes, battery."""
    lang = check_lang(lang)
    names = place_names(result, lang)
    stops = _stops(result, truck_id)
    power = str(result.trucks.set_index("truck_id").at[truck_id, "powertrain"])
    e_arr, e_dep = _energy_cols(power, lang)
    nums = _numbered(stops)
    return pd.DataFrame(
        {
            _t("ho.no", lang): ["" if n is None else n for n in nums],
            _t("ho.arrive", lang): stops["arrive"],
            _t("ho.start", lang): stops["start"],
            _t("ho.depart", lang): stops["depart"],
            _t("ho.place", lang): [names.get(str(p), str(p)) for p in stops["place_id"]],
            _t("ho.action", lang): [_action(str(k), lang) for k in stops["kind"]],
            _t("ho.load", lang): stops["lot_id"].fillna(""),
            _t("ho.onboard", lang): stops["onboard_t"].round(1),
            _t("ho.km", lang): stops["km_from_prev"].round(1),
            e_arr: (stops["soc_arrive_pct"] / 100).round(3),
            e_dep: (stops["soc_depart_pct"] / 100).round(3),
            _t("ho.wait", lang): stops["wait_min"].round(0),
        }
    )


def _truck_lines(result: DispatchResult, truck_id: str, lang: str) -> list[str]:
    row = result.trucks.set_index("truck_id").loc[truck_id]
    names = place_names(result, lang)
    from cleanfreight.dispatch.scenario import POWERTRAINS

    spec = POWERTRAINS.get(str(row["powertrain"]))
    ptype = str(row["powertrain"]) if spec is None else (spec.label_zh if lang == "zh" else spec.label_en)
    return [
        f"{_t('ho.type', lang)}: {row['truck_type']} ({ptype}) · {_t('ho.depot', lang)}: "
        f"{names.get(str(row['depot']), row['depot'])}",
        f"{_t('ho.shift', lang)}: {row['start']}–{row['end']} · "
        + _t("ho.loads_t", lang, loads=int(row["loads"]), tonnes=float(row["tonnes"]))
        + " · "
        + _t("ho.km_line", lang, km=float(row["km_total"]), empty=float(row["km_empty"])),
        _t("ho.swaps_line", lang, swaps=int(row["swaps"]), charges=int(row["charges"]), soc=float(row["soc_min_pct"])),
    ]


def _sheet_name(truck_id: str, used: set[str]) -> str:
    name = "".join(ch for ch in truck_id if ch not in '[]:*?/\\')[:28] or "truck"
    base, k = name, 2
    while name in used:
        name = f"{base[:25]}~{k}"
        k += 1
    used.add(name)
    return name


def _write_xlsx(result: DispatchResult, path: Path, lang: str) -> Path:
    from cleanfreight._io import xlsx_workbook

    with atomic_path(path) as tmp:
        book = xlsx_workbook(tmp)  # text from the scenario (names, ids) stays text, never a formula
        font = {"font_name": "Microsoft YaHei", "font_size": 10}
        f_head = book.add_format({**font, "bold": True, "bg_color": "#E8E8E2", "border": 1, "text_wrap": True,
                                  "valign": "vcenter"})
        f_title = book.add_format({**font, "bold": True, "font_size": 14})
        f_text = book.add_format(font)
        f_pct = book.add_format({**font, "num_format": "0%"})
        f_num = book.add_format({**font, "num_format": "0.0"})
        f_int = book.add_format({**font, "num_format": "0"})
        f_note = book.add_format({**font, "italic": True, "font_color": "#777777"})
        f_swap = book.add_format({"bg_color": "#EBDDF3"})
        used: set[str] = set()
        # summary sheet
        ws = book.add_worksheet(_sheet_name(_t("ho.summary", lang), used))
        ws.write(0, 0, f"{scenario_title(result, lang)} · {_t('ho.run_sheet', lang)}", f_title)
        trucks = result.trucks
        cols = ["truck_id", "truck_type", "powertrain", "loads", "tonnes", "km_total", "km_empty", "swaps",
                "charges", "start", "end", "soc_min_pct"]
        for j, c in enumerate(cols):
            label = _i18n.t(f"dispatch.{c}", lang)
            ws.write(2, j, c if label == f"dispatch.{c}" else label, f_head)
        for i, row in enumerate(trucks[cols].itertuples(index=False), start=3):
            for j, v in enumerate(row):
                if cols[j] == "soc_min_pct":
                    ws.write_number(i, j, float(v) / 100, f_pct)
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    ws.write_number(i, j, float(v), f_num if isinstance(v, float) else f_int)
                else:
                    ws.write_string(i, j, str(v), f_text)
        ws.set_column(0, 0, 14)
        ws.set_column(1, len(cols) - 1, 12)
        ws.freeze_panes(3, 1)
        ws.write(len(trucks) + 4, 0, _t("ho.window_note", lang), f_note)
        # one sheet per truck
        for tid in trucks["truck_id"]:
            table = run_sheet_table(result, str(tid), lang)
            ws = book.add_worksheet(_sheet_name(str(tid), used))
            ws.write(0, 0, f"{scenario_title(result, lang)} · {_t('ho.run_sheet', lang)} · {_t('ho.truck', lang, truck=tid)}",
                     f_title)
            for k, line in enumerate(_truck_lines(result, str(tid), lang), start=1):
                ws.write(k, 0, line, f_text)
            head = 5
            stops = _stops(result, str(tid))
            for j, c in enumerate(table.columns):
                ws.write(head, j, c, f_head)
            for i, (_, row) in enumerate(table.iterrows(), start=head + 1):
                for j, v in enumerate(row):
                    if j in (9, 10):
                        ws.write_number(i, j, float(v), f_pct)
                    elif j in (7, 8):
                        ws.write_number(i, j, float(v), f_num)
                    elif j in (0, 11) and v != "":
                        ws.write_number(i, j, float(v), f_int)
                    else:
                        ws.write_string(i, j, str(v), f_text)
            swaps = [k for k, kind in enumerate(stops["kind"]) if kind in _ENERGY_KINDS]
            for k in swaps:
                ws.set_row(head + 1 + k, None, f_swap)
            widths = [5, 7, 9, 7, 24, 10, 18, 11, 11, 11, 11, 9]
            for j, w in enumerate(widths):
                ws.set_column(j, j, w)
            ws.set_row(head, 32)
            ws.freeze_panes(head + 1, 0)
            ws.write(head + 2 + len(table), 0, _t("ho.window_note", lang), f_note)
            ws.set_landscape()
            ws.set_paper(9)
            ws.fit_to_pages(1, 1)
        book.close()
    return path


def _write_pdf(result: DispatchResult, path: Path, lang: str) -> Path:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from cleanfreight.reports._fonts import rc_params

    colors = truck_colors(result)
    trucks = list(result.trucks["truck_id"])
    widths = [0.04, 0.06, 0.07, 0.06, 0.19, 0.11, 0.13, 0.08, 0.08, 0.07, 0.07, 0.04]
    with plt.rc_context(cast(Any, rc_params())), atomic_path(path) as tmp, PdfPages(tmp) as pdf:
        for page, tid in enumerate(trucks, start=1):
            table = run_sheet_table(result, str(tid), lang)
            stops = _stops(result, str(tid))
            fig = plt.figure(figsize=(11.69, 8.27))  # A4 landscape
            try:
                fig.text(0.04, 0.945, scenario_title(result, lang), fontsize=11, color="#555555")
                fig.text(0.04, 0.905, f"{_t('ho.run_sheet', lang)} · {_t('ho.truck', lang, truck=tid)}",
                         fontsize=17, color=colors[tid])
                for k, line in enumerate(_truck_lines(result, str(tid), lang)):
                    fig.text(0.04, 0.865 - 0.03 * k, line, fontsize=10)
                n = len(table) + 1
                top, bottom = 0.76, 0.1
                row_h = min(0.045, (top - bottom) / n)
                size = 9.5 if row_h >= 0.03 else max(6.0, 9.5 * row_h / 0.03)
                xs = [0.04]
                for w in widths[:-1]:
                    xs.append(xs[-1] + w * 0.92 / sum(widths))
                scale = 0.92 / sum(widths)
                y = top
                fig.patches.append(plt.Rectangle((0.035, y - row_h * 0.5), 0.93, row_h, transform=fig.transFigure,
                                                 facecolor="#E8E8E2", edgecolor="none", zorder=0))
                for x, w, c in zip(xs, widths, table.columns, strict=True):
                    fig.text(x + 0.003, y, _wrap(str(c), w * scale, size), fontsize=size * 0.9, color="#222222",
                             va="center", linespacing=0.95)
                for i, (_, row) in enumerate(table.iterrows()):
                    y = top - row_h * (i + 1)
                    kind = stops.at[i, "kind"]
                    if kind in _ENERGY_KINDS:
                        fig.patches.append(plt.Rectangle((0.035, y - row_h * 0.5), 0.93, row_h,
                                                         transform=fig.transFigure, facecolor="#EBDDF3",
                                                         edgecolor="none", zorder=0))
                    elif i % 2:
                        fig.patches.append(plt.Rectangle((0.035, y - row_h * 0.5), 0.93, row_h,
                                                         transform=fig.transFigure, facecolor="#F6F6F3",
                                                         edgecolor="none", zorder=0))
                    for j, (x, v) in enumerate(zip(xs, row, strict=True)):
                        text = (f"{float(v) * 100:.0f} %" if j in (9, 10)
                                else f"{float(v):.1f}" if j in (7, 8)
                                else f"{int(v)}" if j in (0, 11) and v != ""
                                else str(v))
                        limit = int(widths[j] * scale * 11.69 * 72 / (size * 0.62))
                        if len(text) > limit:
                            text = text[: max(1, limit - 1)] + "…"
                        fig.text(x + 0.003, y, text, fontsize=size, va="center",
                                 color="#5b2a86" if kind in _ENERGY_KINDS and j == 5 else "#111111")
                fig.text(0.04, 0.06, _t("ho.window_note", lang), fontsize=8, color="#555555")
                fig.text(0.96, 0.03, _t("ho.page", lang, page=page, pages=len(trucks)), fontsize=8,
                         color="#777777", ha="right")
                pdf.savefig(fig)
            finally:
                plt.close(fig)
        info = pdf.infodict()
        info["Title"] = f"{scenario_title(result, lang)} · {_t('ho.run_sheet', lang)}"
        info["Creator"] = "cleanfreight"
    return path


def _wrap(text: str, width_frac: float, size: float) -> str:
    """Break a header onto two lines when it is wider than its column (A4 landscape)."""
    chars = int(width_frac * 11.69 * 72 / (size * 0.9 * 0.62))
    if len(text) <= chars or (" " not in text and "(" not in text):
        return text
    cut = text.rfind(" ", 0, chars + 1)
    if cut <= 0:
        cut = text.find("(")
    return text[:cut].rstrip() + "\n" + text[cut:].lstrip()


def write_run_sheets(result: DispatchResult, folder: str | Path, *, lang: str = "en") -> list[Path]:
    """Write ``run_sheets.xlsx`` and ``run_sheets.pdf`` (one page per truck) into ``folder``."""
    lang = check_lang(lang)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    if result.trucks.empty:
        log.warning("no truck used: no run sheets written")
        return []
    return [_write_xlsx(result, out / "run_sheets.xlsx", lang), _write_pdf(result, out / "run_sheets.pdf", lang)]


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
