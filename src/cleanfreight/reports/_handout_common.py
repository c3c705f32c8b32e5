"""What the dispatch hand-outs share: truck colours, place names, stops of a truck, titles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from cleanfreight import _i18n

if TYPE_CHECKING:

    from cleanfreight.dispatch.result import DispatchResult


__all__ = ["TRUCK_COLORS", "place_names", "scenario_title", "truck_colors"]

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
