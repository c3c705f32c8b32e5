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

from cleanfreight._i18n import t
from cleanfreight._io import atomic_path, excel_writer, json_text, write_csv, write_text
from cleanfreight.planning.problem import PlanProblem
from cleanfreight.planning.solve import PlanResult

__all__ = ["compare_plans", "plan_payload", "route_features", "write_plan"]

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


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_clean(r) for r in frame.to_dict("records")]


def plan_payload(result: PlanResult, lang: str = "en") -> dict[str, Any]:
    """The plan as a JSON-ready dict (``city``, ``objective``, ``enterprises`` with their flows, ...)."""
    ent = result.enterprises.copy()
    reason_col = "shortfall_reason_zh" if lang == "zh" else "shortfall_reason"
    expl = result.explanations
    flows_by = dict(iter(result.flows.groupby("enterprise_id")))
    items = []
    for rec in _records(ent):
        e = rec["enterprise_id"]
        item = {k: v for k, v in rec.items() if k not in ("shortfall_reason", "shortfall_reason_zh")}
        item["name"] = rec.get("name_zh") if lang == "zh" else rec.get("name_en")
        if not rec["meets_target"] or rec[reason_col]:
            item["shortfall_reason"] = rec[reason_col] or None
            item["shortfall_reason_en"] = rec["shortfall_reason"] or None
            item["shortfall_reason_zh"] = rec["shortfall_reason_zh"] or None
            mine = expl[expl["enterprise_id"] == e]
            item["reasons"] = _records(mine[["kind", "id", "amount", "unit", "fix_en", "fix_zh"]])
        g = flows_by.get(e)
        item["flows"] = [] if g is None else _records(g.drop(columns=["enterprise_id"]))
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
            "infrastructure": _records(result.infrastructure),
            "capacities": _records(result.capacities),
            "meta": {k: v for k, v in result.meta.items() if k not in ("scenario", "rulebook")},
            "note": t("illustrative", lang),
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
    return {"type": "FeatureCollection", "features": feats}


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


def compare_plans(results: Sequence[PlanResult], names: Sequence[str] | None = None) -> dict[str, Any]:
    """Put plans side by side: city figures per scenario and per-enterprise ratios, with differences.

    Returns ``{"city": DataFrame (rows: figures, columns: scenarios, + "difference"),
    "enterprises": DataFrame (ratio_after / shortfall / cost per scenario)}``.
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
    if len(results) == 2:
        diff = []
        for k in city.index:
            a, b = city.at[k, names[0]], city.at[k, names[1]]
            diff.append(b - a if isinstance(a, int | float) and isinstance(b, int | float) else None)
        city["difference"] = diff
    frames = []
    for n, r in zip(names, results, strict=True):
        e = r.enterprises.set_index("enterprise_id")[["ratio_after", "shortfall_t", "cost_after_cny"]]
        frames.append(e.add_suffix(f"[{n}]"))
    ent = pd.concat(frames, axis=1).reset_index()
    return {"city": city, "enterprises": ent, "names": names}
