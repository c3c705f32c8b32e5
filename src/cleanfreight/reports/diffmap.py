"""What changes between two plans: flows that changed mode and tonnes moved per corridor, on a map.

:func:`plan_differences` compares two solved plans flow by flow (the tonnes of each flow per
transport mode) and corridor by corridor (the plan's legs: road to a region, short-haul to a
station, spur, rail; the same line in both plans is one corridor). :func:`difference_map` draws
them on an offline map: corridors coloured by kind (rail, new-energy short-haul, diesel), solid
where the second plan carries more, dashed where it carries less, width by the tonnes moved;
enterprises with a flow that changed mode as points listing the changes.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cleanfreight import _i18n
from cleanfreight._i18n import check_lang

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from cleanfreight.planning.problem import PlanProblem
    from cleanfreight.planning.solve import PlanResult
    from cleanfreight.reports.maps import MapLayers

__all__ = ["PlanDifference", "difference_map", "plan_differences", "write_difference"]

#: Tonnes below which a change is noise (solver tolerance), per flow and per corridor.
MIN_CHANGE_T = 1.0

_i18n.register(
    {
        "diff.title": ("{a} → {b}", "{a} → {b}"),
        "diff.subtitle": (
            "Difference map: flows that changed mode, tonnes moved per corridor",
            "差异图：改变运输方式的货流、各通道运量变化",
        ),
        "diff.more": ("solid: more tonnes in {b}", "实线：{b}运量增加"),
        "diff.less": ("dashed: fewer tonnes in {b}", "虚线：{b}运量减少"),
        "diff.changed": ("Enterprise with a flow that changed mode", "有货流改变运输方式的企业"),
        "diff.corridors": ("Corridors (change in t/yr)", "通道(运量变化,吨/年)"),
        "diff.enterprises": ("Flows that changed mode", "改变运输方式的货流"),
        "diff.note": ("Line width: tonnes moved; offline map, no tiles.", "线宽表示运量变化；离线地图，无需联网。"),
        "diff.summary": (
            "{flows} flows changed mode ({tonnes:,.0f} t/yr moved); {corridors} corridors changed",
            "{flows} 条货流改变运输方式（转移 {tonnes:,.0f} 吨/年）；{corridors} 条通道运量变化",
        ),
    }
)


@dataclass(frozen=True, eq=False)
class PlanDifference:
    """Two plans compared.

    Attributes
    ----------
    names
        The two scenarios' names (first, second).
    titles
        Their titles in the language asked for.
    flows
        One row per flow that changed mode: ``flow_id``, ``enterprise_id``, ``name_zh``,
        ``name_en``, ``tonnes``, ``modes_a``, ``modes_b`` (``mode tonnes`` per mode, largest
        first) and ``tonnes_moved`` (tonnes that changed mode).
    corridors
        GeoDataFrame (WGS-84), one row per corridor whose tonnes changed: ``kind`` (``rail``,
        ``ne``, ``diesel``, ``other``), ``leg``, ``tonnes_a``, ``tonnes_b``, ``delta_t``.
    """

    names: tuple[str, str]
    titles: tuple[str, str]
    flows: pd.DataFrame
    corridors: gpd.GeoDataFrame

    def summary(self, lang: str = "en") -> str:
        return _i18n.t(
            "diff.summary",
            lang,
            flows=len(self.flows),
            tonnes=float(self.flows["tonnes_moved"].sum()) if len(self.flows) else 0.0,
            corridors=len(self.corridors),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.names[0],
            "to": self.names[1],
            "flows_changed": len(self.flows),
            "tonnes_moved": round(float(self.flows["tonnes_moved"].sum()), 1) if len(self.flows) else 0.0,
            "corridors_changed": len(self.corridors),
        }


def _mode_mix(flows: pd.DataFrame) -> pd.DataFrame:
    """Tonnes per flow and mode (flow_id x mode)."""
    return flows.groupby(["flow_id", "mode"])["tonnes"].sum().unstack(fill_value=0.0)


def _mix_text(row: pd.Series) -> str:
    parts = [(m, v) for m, v in row.items() if v > MIN_CHANGE_T]
    parts.sort(key=lambda mv: -mv[1])
    return ", ".join(f"{m} {v:,.0f} t" for m, v in parts)


def _corridors(problem: PlanProblem, result: PlanResult) -> pd.DataFrame:
    from cleanfreight.planning.outputs import route_features
    from cleanfreight.reports.layers import route_kind

    rows = []
    for f in route_features(problem, result)["features"]:
        p = f["properties"]
        coords = tuple(tuple(round(c, 6) for c in xy) for xy in f["geometry"]["coordinates"])
        rows.append((route_kind(p.get("leg"), p.get("mode")), p.get("leg"), coords, float(p.get("tonnes") or 0)))
    frame = pd.DataFrame(rows, columns=["kind", "leg", "coords", "tonnes"])
    return frame.groupby(["kind", "leg", "coords"], sort=False)["tonnes"].sum().reset_index()


def plan_differences(
    problem_a: PlanProblem,
    result_a: PlanResult,
    problem_b: PlanProblem,
    result_b: PlanResult,
    *,
    lang: str = "en",
) -> PlanDifference:
    """Compare plan ``b`` with plan ``a``: flows that changed mode and tonnes moved per corridor."""
    import geopandas as gpd
    import shapely

    lang = check_lang(lang)
    mix_a, mix_b = _mode_mix(result_a.flows), _mode_mix(result_b.flows)
    modes = sorted(set(mix_a.columns) | set(mix_b.columns))
    ids = sorted(set(mix_a.index) | set(mix_b.index))
    mix_a = mix_a.reindex(index=ids, columns=modes, fill_value=0.0)
    mix_b = mix_b.reindex(index=ids, columns=modes, fill_value=0.0)
    moved = (mix_b - mix_a).abs().sum(axis=1) / 2
    total = mix_a.sum(axis=1).combine(mix_b.sum(axis=1), max)
    changed = moved[moved > np.maximum(MIN_CHANGE_T, 1e-3 * total)].index
    ent = result_b.enterprises.set_index("enterprise_id")
    owner = pd.concat([result_a.flows, result_b.flows]).drop_duplicates("flow_id").set_index("flow_id")
    flow_rows = []
    for fid in changed:
        e = str(owner.at[fid, "enterprise_id"])
        flow_rows.append(
            {
                "flow_id": fid,
                "enterprise_id": e,
                "name_zh": ent.at[e, "name_zh"] if e in ent.index and "name_zh" in ent else "",
                "name_en": ent.at[e, "name_en"] if e in ent.index and "name_en" in ent else "",
                "tonnes": float(total[fid]),
                "modes_a": _mix_text(mix_a.loc[fid]),
                "modes_b": _mix_text(mix_b.loc[fid]),
                "tonnes_moved": float(moved[fid]),
            }
        )
    flows = pd.DataFrame(
        flow_rows,
        columns=["flow_id", "enterprise_id", "name_zh", "name_en", "tonnes", "modes_a", "modes_b", "tonnes_moved"],
    ).sort_values("tonnes_moved", ascending=False, ignore_index=True)

    ca, cb = _corridors(problem_a, result_a), _corridors(problem_b, result_b)
    both = ca.merge(cb, on=["kind", "leg", "coords"], how="outer", suffixes=("_a", "_b")).fillna(
        {"tonnes_a": 0.0, "tonnes_b": 0.0}
    )
    both["delta_t"] = both["tonnes_b"] - both["tonnes_a"]
    both = both[both["delta_t"].abs() > MIN_CHANGE_T].reset_index(drop=True)
    corridors = gpd.GeoDataFrame(
        both.drop(columns="coords"),
        geometry=[shapely.LineString(c) for c in both["coords"]],
        crs="EPSG:4326",
    )
    names = (
        str(result_a.meta.get("scenario", {}).get("name") or problem_a.name),
        str(result_b.meta.get("scenario", {}).get("name") or problem_b.name),
    )

    def title(p: PlanProblem, n: str) -> str:
        return str((p.title_zh if lang == "zh" else p.title_en) or p.title_en or n)

    return PlanDifference(names, (title(problem_a, names[0]), title(problem_b, names[1])), flows, corridors)


def difference_map(
    diff: PlanDifference,
    *,
    lang: str = "en",
    enterprises: pd.DataFrame | None = None,
    base: MapLayers | None = None,
) -> folium.Map:
    """An offline map of ``diff`` (write it with :func:`cleanfreight.reports.save_map`).

    ``enterprises`` gives the points (``enterprise_id``, ``lon``, ``lat``, names); ``base`` the
    light base (district boundaries, rail) drawn underneath.
    """
    import folium

    from cleanfreight.reports._folium import PageScript
    from cleanfreight.reports._mapparts import _geojson_layer
    from cleanfreight.reports.maps import COLORS, base_map

    lang = check_lang(lang)
    a, b = diff.titles
    cor = diff.corridors
    xs: list[float] = []
    ys: list[float] = []
    if len(cor):
        x0, y0, x1, y1 = cor.total_bounds
        xs, ys = [x0, x1], [y0, y1]
    if enterprises is not None and len(enterprises):
        xs += list(enterprises["lon"].astype(float))
        ys += list(enterprises["lat"].astype(float))
    if not xs:
        xs, ys = [112.4, 113.9], [35.7, 37.1]
    bounds = [[min(ys) - 0.02, min(xs) - 0.02], [max(ys) + 0.02, max(xs) + 0.02]]
    m = base_map(bounds, lang, base, zoom_start=10, roads=False)
    colors = {"rail": COLORS["route_rail"], "ne": COLORS["route_ne"], "diesel": COLORS["route_diesel"],
              "other": COLORS["route_other"]}
    legend: list[dict[str, str]] = []
    if len(cor):
        biggest = float(cor["delta_t"].abs().max()) or 1.0
        styles: dict[str, dict[str, Any]] = {}
        keys, tips = [], []
        for _, row in cor.iterrows():
            kind, up = str(row["kind"]), row["delta_t"] > 0
            width = round(2 + 8 * math.sqrt(abs(float(row["delta_t"])) / biggest), 1)
            key = f"{kind}-{'up' if up else 'down'}-{width}"
            styles[key] = {"color": colors.get(kind, COLORS["route_other"]), "weight": width, "opacity": 0.85,
                           **({} if up else {"dashArray": "6 6"})}
            keys.append(key)
            tips.append(html.escape(
                f"{_i18n.t('map.route_' + kind, lang)} ({row['leg']}): {row['tonnes_a']:,.0f} → "
                f"{row['tonnes_b']:,.0f} t ({row['delta_t']:+,.0f} t)"
            ))
        _geojson_layer(m, cor, _i18n.t("diff.corridors", lang), styles, keys, tips)
        for kind in ("rail", "ne", "diesel", "other"):
            if (cor["kind"] == kind).any():
                legend.append({"kind": "line", "color": colors[kind], "label": _i18n.t(f"map.route_{kind}", lang)})
        legend += [
            {"kind": "line", "color": "#555555", "label": _i18n.t("diff.more", lang, b=b)},
            {"kind": "dash", "color": "#555555", "label": _i18n.t("diff.less", lang, b=b)},
        ]
    if enterprises is not None and len(diff.flows):
        pts = enterprises.set_index("enterprise_id")
        group = folium.FeatureGroup(name=_i18n.t("diff.enterprises", lang))
        for e, part in diff.flows.groupby("enterprise_id"):
            if e not in pts.index:
                continue
            row = pts.loc[e]
            name = str(row.get("name_zh") if lang == "zh" else row.get("name_en")) or str(e)
            lines = [f"{name} ({e})"] + [
                f"{r.flow_id}: {r.modes_a} → {r.modes_b}" for r in part.itertuples(index=False)
            ]
            moved = float(part["tonnes_moved"].sum())
            folium.CircleMarker(
                [float(row["lat"]), float(row["lon"])],
                radius=round(5 + 10 * math.sqrt(moved / max(float(diff.flows["tonnes_moved"].max()), 1.0)), 1),
                color="#333333",
                weight=1,
                fill=True,
                fill_color="#ffd92f",
                fill_opacity=0.9,
                tooltip=folium.Tooltip("<br>".join(html.escape(x) for x in lines)),
            ).add_to(group)
        group.add_to(m)
        legend.append({"kind": "circle", "color": "#ffd92f", "label": _i18n.t("diff.changed", lang)})
    PageScript(
        {
            "title": {"title": _i18n.t("diff.title", lang, a=a, b=b),
                      "subtitle": _i18n.t("diff.subtitle", lang) + " · " + diff.summary(lang)},
            "legend": {"heading": _i18n.t("map.legend", lang), "items": legend, "note": _i18n.t("diff.note", lang)},
            "search": None,
            "fullscreen": {"label": _i18n.t("map.fullscreen", lang)},
        }
    ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds(bounds)
    return m


def write_difference(
    diff: PlanDifference,
    folder: str | Path,
    *,
    lang: str = "en",
    enterprises: pd.DataFrame | None = None,
    base: MapLayers | None = None,
) -> dict[str, Path]:
    """Write ``diff_<a>_vs_<b>.html`` (offline map), ``.geojson`` (corridors) and ``_flows.csv``."""
    from cleanfreight._io import write_csv, write_text
    from cleanfreight.reports.maps import save_map

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"diff_{diff.names[0]}_vs_{diff.names[1]}"
    files = {
        f"{stem}.html": save_map(difference_map(diff, lang=lang, enterprises=enterprises, base=base),
                                 out / f"{stem}.html"),
        f"{stem}_flows.csv": write_csv(diff.flows, out / f"{stem}_flows.csv", index=False,
                                       encoding="utf-8-sig" if lang == "zh" else "utf-8"),
    }
    geo = json.loads(diff.corridors.to_json(drop_id=True))
    geo["name"] = f"{diff.names[0]} -> {diff.names[1]}"
    files[f"{stem}.geojson"] = write_text(out / f"{stem}.geojson", json.dumps(geo, ensure_ascii=False))
    return files
