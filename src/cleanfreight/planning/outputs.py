"""Plan outputs: JSON payload, CSV / XLSX tables, routes as GeoJSON, and side-by-side comparison."""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cleanfreight._i18n import register, t
from cleanfreight._io import (
    atomic_path,
    excel_writer,
    json_text,
    records,
    write_csv,
    write_text,
    xlsx_workbook,
)
from cleanfreight.planning.problem import PlanProblem
from cleanfreight.planning.solve import PlanResult

__all__ = [
    "COMPARE_FIGURES",
    "compare_plans",
    "compare_table",
    "plan_payload",
    "route_features",
    "spur_status",
    "write_comparison",
    "write_plan",
]

log = logging.getLogger(__name__)


def _clean(v: Any) -> Any:
    """JSON-safe scalars: numpy to Python, NaN to None."""
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def plan_payload(result: PlanResult, lang: str = "en") -> dict[str, Any]:
    """The plan as a JSON-ready dict (``city``, ``objective``, ``enterprises`` with their flows, ...)."""
    ent = result.enterprises.copy()
    reason_col = "shortfall_reason_zh" if lang == "zh" else "shortfall_reason"
    expl = result.explanations
    flows_by = dict(iter(result.flows.groupby("enterprise_id")))
    items = []
    for rec in records(ent):
        e = rec["enterprise_id"]
        item = {k: v for k, v in rec.items() if k not in ("shortfall_reason", "shortfall_reason_zh")}
        item["name"] = rec.get("name_zh") if lang == "zh" else rec.get("name_en")
        if not rec["meets_target"] or rec[reason_col]:
            item["shortfall_reason"] = rec[reason_col] or None
            item["shortfall_reason_en"] = rec["shortfall_reason"] or None
            item["shortfall_reason_zh"] = rec["shortfall_reason_zh"] or None
            mine = expl[expl["enterprise_id"] == e]
            item["reasons"] = records(mine[["kind", "id", "amount", "unit", "fix_en", "fix_zh"]])
        g = flows_by.get(e)
        item["flows"] = [] if g is None else records(g.drop(columns=["enterprise_id"]))
        items.append(item)
    return _clean(
        {
            "scenario": result.meta.get("scenario", {}),
            "status": result.status,
            "objective": result.objective,
            "rulebook": result.meta.get("rulebook", {}),
            "city": result.city,
            "policy": result.policy,
            "enterprises": items,
            "infrastructure": records(result.infrastructure),
            "capacities": records(result.capacities),
            "meta": {k: v for k, v in result.meta.items() if k not in ("scenario", "rulebook")},
            "note": t("illustrative", lang) if result.meta.get("sample_data") else None,
        }
    )


def _straight(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    return [a, b]


class _RailGraph:
    """Rail lines as a graph of their vertices, to draw rail legs along the lines."""

    def __init__(self, lines: dict[str, list[tuple[float, float]]]) -> None:
        import networkx as nx

        self.g: Any = nx.Graph()
        for coords in lines.values():
            pts = [(round(x, 6), round(y, 6)) for x, y in coords]
            for a, b in itertools.pairwise(pts):
                self.g.add_edge(a, b, weight=math.dist(a, b))
        self.nodes = np.array(list(self.g.nodes)) if self.g.number_of_nodes() else np.zeros((0, 2))

    def path(self, a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
        import networkx as nx

        if len(self.nodes) == 0:
            return _straight(a, b)
        na = tuple(self.nodes[np.argmin(((self.nodes - a) ** 2).sum(axis=1))])
        nb = tuple(self.nodes[np.argmin(((self.nodes - b) ** 2).sum(axis=1))])
        try:
            mid = nx.shortest_path(self.g, na, nb, weight="weight")
        except nx.NetworkXNoPath:
            return _straight(a, b)
        return [a, *[(float(x), float(y)) for x, y in mid], b]


def route_features(problem: PlanProblem, result: PlanResult) -> dict[str, Any]:
    """The plan's legs as a GeoJSON FeatureCollection (LineStrings, WGS-84): road, short-haul, rail, spur."""
    ent = problem.enterprises.set_index("enterprise_id")
    ent_i = {e: i for i, e in enumerate(problem.enterprises["enterprise_id"])}
    st = problem.stations.set_index("station_id")
    st_i = {s: i for i, s in enumerate(problem.stations["station_id"])}
    reg = problem.regions.set_index("region_id")
    reg_i = {r: i for i, r in enumerate(problem.regions["region_id"])}
    spurs = problem.spurs.set_index("spur_id")
    rail = _RailGraph(dict(problem.rail_lines))
    feats: list[dict[str, Any]] = []

    def add(coords: Sequence[tuple[float, float]], leg: str, rec: Any) -> None:
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[float(x), float(y)] for x, y in coords]},
                "properties": _clean(
                    {
                        "flow_id": rec.flow_id,
                        "enterprise_id": rec.enterprise_id,
                        "mode": rec.mode,
                        "leg": leg,
                        "tonnes": float(rec.tonnes),
                        "station_id": rec.station_id,
                        "spur_id": rec.spur_id,
                        "clean": bool(rec.clean),
                    }
                ),
            }
        )

    for rec in result.flows.itertuples(index=False):
        e = rec.enterprise_id
        p_ent = (float(ent.at[e, "lon"]), float(ent.at[e, "lat"]))
        p_reg = (float(reg.at[rec.region_id, "lon"]), float(reg.at[rec.region_id, "lat"]))
        if rec.mode in ("rail_station_ne", "rail_station_diesel") and rec.station_id in st.index:
            p_st = (float(st.at[rec.station_id, "lon"]), float(st.at[rec.station_id, "lat"]))
            sh = problem.distances.path_lonlat("station", ent_i[e], st_i[rec.station_id])
            add(sh or _straight(p_ent, p_st), "short_haul", rec)
            add(rail.path(p_st, p_reg), "rail", rec)
        elif rec.mode == "rail_spur":
            sp = rec.spur_id
            coords = spurs.at[sp, "coords"] if sp in spurs.index else None
            sid = spurs.at[sp, "station_id"] if sp in spurs.index else None
            if sid in st.index:
                p_st = (float(st.at[sid, "lon"]), float(st.at[sid, "lat"]))
                add(
                    coords if isinstance(coords, list) and len(coords) > 1 else _straight(p_ent, p_st),
                    "spur",
                    rec,
                )
                add(rail.path(p_st, p_reg), "rail", rec)
            else:
                add(rail.path(p_ent, p_reg), "rail", rec)
        else:
            road = problem.distances.path_lonlat("region", ent_i[e], reg_i[rec.region_id])
            add(
                road or _straight(p_ent, p_reg),
                "conveyor" if rec.mode in ("conveyor", "pipeline") else "road",
                rec,
            )
    return {"type": "FeatureCollection", "name": problem.name, "features": feats}


def write_plan(
    result: PlanResult,
    out_dir: str | Path,
    *,
    problem: PlanProblem | None = None,
    lang: str = "en",
    xlsx: bool = True,
) -> dict[str, Path]:
    """Write ``plan.json``, CSV tables, ``plan.xlsx`` and (given the problem) ``routes.geojson`` to ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    tables = {
        "enterprises": result.enterprises,
        "flows": result.flows,
        "infrastructure": result.infrastructure,
        "capacities": result.capacities,
        "explanations": result.explanations,
        "city": pd.DataFrame(
            [{k: (", ".join(v) if isinstance(v, list) else v) for k, v in result.city.items()}]
        ),
    }
    # every file is written whole (a temporary file renamed over it), plan.json last: a complete
    # plan.json means the tables beside it belong to it
    for name, frame in tables.items():
        files[f"{name}.csv"] = write_csv(frame, out / f"{name}.csv", index=False, encoding="utf-8")
    if xlsx:
        with atomic_path(out / "plan.xlsx") as tmp, excel_writer(tmp) as xw:
            for name, frame in tables.items():
                frame.to_excel(xw, sheet_name=name[:31], index=False)
            # the workbook names its scenario (name, titles, file)
            scenario = result.meta.get("scenario", {}) or {}
            pd.DataFrame([{k: scenario.get(k) for k in ("name", "title_en", "title_zh", "source")}]).to_excel(
                xw, sheet_name="scenario", index=False
            )
        files["plan.xlsx"] = out / "plan.xlsx"
    if problem is not None:
        files["routes.geojson"] = write_text(
            out / "routes.geojson", json_text(route_features(problem, result), ensure_ascii=False)
        )
    files["plan.json"] = write_text(
        out / "plan.json", json_text(plan_payload(result, lang), ensure_ascii=False, indent=2)
    )
    log.info("wrote %s", ", ".join(str(p) for p in files.values()))
    return files


def compare_plans(
    results: Sequence[PlanResult],
    names: Sequence[str] | None = None,
    *,
    problems: Sequence[PlanProblem] | None = None,
    spur_ids: Sequence[Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Put plans side by side: city figures per scenario and per-enterprise ratios, with differences.

    Any number of plans; differences are taken against the first (``difference`` with two plans,
    ``difference[NAME]`` for each other plan with more). Given the ``problems``, the row
    ``spur_status`` shows each scenario's own spurs as they are in it (``SP-CZ02 existing``), next to
    ``spurs_built`` (the spurs the plan builds): the spurs in ``spur_ids`` (per plan, e.g. those its
    scenario file sets), or when there are none every spur that is not ``existing``.

    Returns ``{"city": DataFrame (rows: figures, columns: scenarios, + differences),
    "enterprises": DataFrame (ratio_after / shortfall / cost per scenario), "names": [...]}``.
    """
    names = list(names or [r.meta.get("scenario", {}).get("name", f"plan{i}") for i, r in enumerate(results)])
    keys = [
        "ratio_before",
        "ratio_after",
        "enterprises_meeting_target",
        "shortfall_t",
        "objective",
        "cost_after_cny",
        "delta_cost_cny",
        "capex_annual_cny",
        "co2_after_t",
        "delta_co2_t",
        "nox_after_kg",
        "trucks_new",
        "swap_units_new",
    ]
    city = pd.DataFrame(
        {n: [r.city.get(k) for k in keys] for n, r in zip(names, results, strict=True)}, index=keys
    )
    city.loc["spurs_built"] = [", ".join(r.city.get("spurs_built", [])) for r in results]
    if problems is not None:
        shown = []
        for k, p in enumerate(problems):
            own = set(spur_ids[k]) if spur_ids is not None and k < len(spur_ids) else set()
            rows = [(i, st) for i, st in spur_status(p) if (i in own if own else st != "existing")]
            shown.append(", ".join(f"{i} {st}" for i, st in rows))
        city.loc["spur_status"] = shown
    others = names[1:] if len(results) > 2 else names[1:2]
    for other in others:
        diff = []
        for k in city.index:
            a, b = city.at[k, names[0]], city.at[k, other]
            numeric = isinstance(a, int | float) and isinstance(b, int | float)
            diff.append(b - a if numeric and not isinstance(a, bool) else None)
        city["difference" if len(results) == 2 else f"difference[{other}]"] = diff
    frames = []
    for n, r in zip(names, results, strict=True):
        e = r.enterprises.set_index("enterprise_id")[["ratio_after", "shortfall_t", "cost_after_cny"]]
        frames.append(e.add_suffix(f"[{n}]"))
    ent = pd.concat(frames, axis=1).reset_index()
    return {"city": city, "enterprises": ent, "names": names}


# ---------------------------------------------------------------- comparison: formatted, translated

#: Figures of the comparison table, with how each is shown: ``pct`` (ratio), ``int`` (count),
#: ``t`` (tonnes), ``cny``, ``kg``, ``text``.
COMPARE_FIGURES: dict[str, str] = {
    "ratio_before": "pct",
    "ratio_after": "pct",
    "enterprises_meeting_target": "int",
    "shortfall_t": "t",
    "objective": "cny",
    "cost_after_cny": "cny",
    "delta_cost_cny": "cny",
    "capex_annual_cny": "cny",
    "co2_after_t": "t",
    "delta_co2_t": "t",
    "nox_after_kg": "kg",
    "trucks_new": "int",
    "swap_units_new": "int",
    "spurs_built": "text",
    "spur_status": "text",
}

register(
    {
        "cmp.figure": ("Figure", "指标"),
        "cmp.difference": ("Difference", "差值"),
        "cmp.difference_vs": ("{name} − {base}", "{name} − {base}"),
        "cmp.ratio_before": ("Clean ratio before", "现状清洁运输比例"),
        "cmp.ratio_after": ("Clean ratio after the plan", "规划后清洁运输比例"),
        "cmp.enterprises_meeting_target": ("Enterprises meeting the target", "达标企业数"),
        "cmp.shortfall_t": ("Shortfall to the target (t/yr)", "距目标缺口(吨/年)"),
        "cmp.objective": ("Objective (CNY/yr)", "目标函数(元/年)"),
        "cmp.cost_after_cny": ("Transport cost after (CNY/yr)", "规划后运输成本(元/年)"),
        "cmp.delta_cost_cny": ("Change in cost (CNY/yr)", "成本变化(元/年)"),
        "cmp.capex_annual_cny": ("Investment, annualised (CNY/yr)", "投资年化(元/年)"),
        "cmp.co2_after_t": ("CO2 after (t/yr)", "规划后二氧化碳(吨/年)"),
        "cmp.delta_co2_t": ("Change in CO2 (t/yr)", "二氧化碳变化(吨/年)"),
        "cmp.nox_after_kg": ("NOx after (kg/yr)", "规划后氮氧化物(千克/年)"),
        "cmp.trucks_new": ("New new-energy trucks", "新增新能源货车(辆)"),
        "cmp.swap_units_new": ("New battery-swap units", "新增换电设施(套)"),
        "cmp.spurs_built": ("Spurs the plan builds", "规划新建专用线"),
        "cmp.spur_status": ("Spurs in the scenario (status)", "情景中的专用线(状态)"),
        "cmp.none": ("none", "无"),
        "spur.existing": ("existing", "已有"),
        "spur.planned": ("planned (may be built)", "规划(可建)"),
        "spur.excluded": ("excluded", "不建"),
    }
)


def spur_status(problem: PlanProblem) -> list[tuple[str, str]]:
    """``[(spur_id, status), ...]`` of a problem's spurs as its scenario sets them (sorted by id)."""
    spurs = problem.spurs
    if spurs is None or not len(spurs) or "spur_id" not in spurs:
        return []
    status = spurs["status"] if "status" in spurs else pd.Series("existing", index=spurs.index)
    return sorted((str(i), str(st)) for i, st in zip(spurs["spur_id"], status, strict=True))


def _fmt(value: Any, kind: str, lang: str, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if kind == "text":
        return str(value) if str(value) else t("cmp.none", lang)
    v = float(value)
    if signed and abs(v) < (5e-5 if kind == "pct" else 0.5):
        return "0"
    if kind == "pct":
        text = f"{v * 100:+.1f} pp" if signed else f"{v:.1%}"
        return text.replace(" pp", " 个百分点") if lang == "zh" and signed else text
    sign = "+" if signed and v > 0 else ""
    if kind == "int":
        return f"{sign}{v:,.0f}"
    return f"{sign}{v:,.0f}"


def _spur_text(text: str, lang: str) -> str:
    """``SP-CZ02 existing, SP-CZ17 planned`` with the statuses translated."""
    if not text:
        return t("cmp.none", lang)
    parts = []
    for item in str(text).split(", "):
        sid, _, st = item.rpartition(" ")
        parts.append(f"{sid} {t('spur.' + st, lang)}" if sid else item)
    return ", ".join(parts)


def compare_table(cmp: dict[str, Any], lang: str = "en", titles: Sequence[str] | None = None) -> pd.DataFrame:
    """The comparison of :func:`compare_plans` as people read it: figure names in ``lang``, ratios as
    percentages, tonnes and yuan with thousands separators, differences signed (ratio differences
    in percentage points), spur statuses translated. Columns: the figure, one per scenario
    (``titles`` or the names), one per difference."""
    city: pd.DataFrame = cmp["city"]
    names: list[str] = list(cmp["names"])
    heads = list(titles) if titles is not None else names
    diff_cols = [c for c in city.columns if str(c).startswith("difference")]
    rows = []
    for key in city.index:
        kind = COMPARE_FIGURES.get(str(key), "cny")
        row = {t("cmp.figure", lang): t(f"cmp.{key}", lang)}
        for n, h in zip(names, heads, strict=True):
            value = city.at[key, n]
            row[h] = _spur_text(str(value), lang) if key == "spur_status" else _fmt(value, kind, lang)
        for c in diff_cols:
            other = names[1] if c == "difference" else str(c)[len("difference[") : -1]
            label = t("cmp.difference_vs", lang, name=heads[names.index(other)], base=heads[0])
            row[label] = "" if kind == "text" else _fmt(city.at[key, c], kind, lang, signed=True)
        rows.append(row)
    return pd.DataFrame(rows)


def write_comparison(
    out_dir: str | Path,
    cmp: dict[str, Any],
    scenarios: Sequence[dict[str, Any]],
    payloads: Sequence[dict[str, Any]],
    *,
    lang: str = "en",
    extra: dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Write ``compare.json``, ``compare.csv``, ``compare_enterprises.csv`` and ``compare.xlsx``.

    ``scenarios``: per plan ``{"name", "title", "file", "plan"}``; ``payloads``: the plans'
    :func:`plan_payload`. ``compare.json`` keeps ``scenarios`` and ``city`` (per name) and adds
    ``names``, ``title``, ``table`` (the formatted table of :func:`compare_table`), ``spur_status``
    and ``extra`` keys (e.g. the difference maps). ``compare.csv`` keeps the figure keys as its
    index and adds a ``label`` column in ``lang``; ``compare.xlsx`` is the formatted table.
    """

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = list(cmp["names"])
    titles = [str(s.get("title") or s["name"]) for s in scenarios]
    table = compare_table(cmp, lang, titles)
    city = cmp["city"].copy()
    city.insert(0, "label", [t(f"cmp.{k}", lang) for k in city.index])
    files = {
        "compare.csv": write_csv(city, out / "compare.csv", encoding="utf-8-sig" if lang == "zh" else "utf-8"),
        "compare_enterprises.csv": write_csv(cmp["enterprises"], out / "compare_enterprises.csv", index=False,
                                             encoding="utf-8"),
    }
    with atomic_path(out / "compare.xlsx") as tmp:
        book = xlsx_workbook(tmp)
        ws = book.add_worksheet(t("plan.compare", lang)[:31])
        font = {"font_name": "Microsoft YaHei", "font_size": 10}
        head = book.add_format({**font, "bold": True, "bg_color": "#E8E8E2", "border": 1, "text_wrap": True,
                                "valign": "vcenter"})
        cell = book.add_format({**font, "align": "right"})
        first = book.add_format(font)
        ws.write(0, 0, " / ".join(titles), book.add_format({**font, "bold": True, "font_size": 13}))
        for j, c in enumerate(table.columns):
            ws.write(2, j, str(c), head)
        for i, row in enumerate(table.itertuples(index=False), start=3):
            for j, v in enumerate(row):
                ws.write_string(i, j, str(v), first if j == 0 else cell)
        ws.set_column(0, 0, 34)
        ws.set_column(1, len(table.columns) - 1, 24)
        ws.set_row(2, 36)
        ws.freeze_panes(3, 1)
        book.close()
    files["compare.xlsx"] = out / "compare.xlsx"
    payload: dict[str, Any] = {
        "scenarios": list(scenarios),
        "city": {n: p["city"] for n, p in zip(names, payloads, strict=True)},
        "names": names,
        "title": " / ".join(titles),
        "table": table.to_dict("records"),
        "spur_status": {n: str(cmp["city"].at["spur_status", n]) for n in names}
        if "spur_status" in cmp["city"].index
        else {},
        **(extra or {}),
    }
    files["compare.json"] = write_text(out / "compare.json", json_text(payload, ensure_ascii=False, indent=2))
    return files
