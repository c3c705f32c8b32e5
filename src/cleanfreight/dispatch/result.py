"""The result of a planned short-haul day (:class:`DispatchResult`), its reason codes and labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cleanfreight import _i18n
from cleanfreight._io import json_text, records, write_csv, write_text
from cleanfreight.dispatch.scenario import Scenario

__all__ = ["REASONS", "DispatchResult"]

#: Reason codes of unserved loads.
REASONS: tuple[str, ...] = (
    "unknown_site",
    "too_heavy",
    "time_window",
    "out_of_range",
    "no_road",
    "restriction_zone",
    "not_scheduled",
)

_i18n.register(
    {
        "dispatch.reason.unknown_site": ("unknown site id", "未知地点编号"),
        "dispatch.reason.too_heavy": ("heavier than any truck", "超过所有车辆载重"),
        "dispatch.reason.time_window": ("time windows cannot be met", "时间窗无法满足"),
        "dispatch.reason.out_of_range": (
            "out of range (no reachable swap/charge station)",
            "超出续航(无可达换电/充电站)",
        ),
        "dispatch.reason.no_road": ("no road between the places", "地点之间无道路连通"),
        "dispatch.reason.restriction_zone": (
            "inside a truck restriction zone closed to every truck that could take it",
            "位于货车限行区内(可承运车辆均禁止驶入)",
        ),
        "dispatch.reason.not_scheduled": (
            "no truck available (fleet or shifts too small)",
            "无可用车辆(车队或班次不足)",
        ),
        "dispatch.truck_id": ("Truck", "车辆"),
        "dispatch.truck_type": ("Truck type", "车型"),
        "dispatch.powertrain": ("Powertrain", "动力类型"),
        "dispatch.loads": ("Loads", "运单数"),
        "dispatch.tonnes": ("Tonnes moved", "运量(吨)"),
        "dispatch.km_total": ("km total", "总里程(公里)"),
        "dispatch.km_loaded": ("km loaded", "重载里程(公里)"),
        "dispatch.km_empty": ("km empty", "空驶里程(公里)"),
        "dispatch.energy": ("Energy used", "能耗"),
        "dispatch.swaps": ("Battery swaps", "换电次数"),
        "dispatch.charges": ("Charging stops", "充电次数"),
        "dispatch.kind.depot": ("depot", "车场"),
        "dispatch.kind.pickup": ("load", "装货"),
        "dispatch.kind.delivery": ("unload", "卸货"),
        "dispatch.kind.swap": ("battery swap", "换电"),
        "dispatch.kind.charge": ("charging", "充电"),
        "dispatch.kind.h2": ("hydrogen refuel", "加氢"),
        "dispatch.depot": ("Depot", "车场"),
        "dispatch.energy_unit": ("Energy unit", "能耗单位"),
        "dispatch.h2_refuels": ("Hydrogen refuels", "加氢次数"),
        "dispatch.energy_added": ("Energy added", "补能量"),
        "dispatch.start": ("Start", "开始时间"),
        "dispatch.end": ("End", "结束时间"),
        "dispatch.shift_h": ("Shift (h)", "作业时长(小时)"),
        "dispatch.soc_min_pct": ("Lowest battery (%)", "最低电量(%)"),
        "dispatch.cost_cny": ("Cost (CNY)", "费用(元)"),
        "dispatch.seq": ("Stop", "顺序"),
        "dispatch.kind": ("Kind", "类型"),
        "dispatch.place_name": ("Place name", "地点名称(英文)"),
        "dispatch.place_name_zh": ("Place name (Chinese)", "地点名称"),
        "dispatch.lot_id": ("Truckload", "车次编号"),
        "dispatch.load_id": ("Load", "运单编号"),
        "dispatch.arrive": ("Arrive", "到达"),
        "dispatch.depart": ("Depart", "离开"),
        "dispatch.wait_min": ("Wait (min)", "等待(分钟)"),
        "dispatch.service_min": ("Service (min)", "作业(分钟)"),
        "dispatch.charge_min": ("Charging (min)", "充电(分钟)"),
        "dispatch.onboard_t": ("On board (t)", "车上货重(吨)"),
        "dispatch.km_from_prev": ("km from previous", "距上一站(公里)"),
        "dispatch.energy_leg": ("Energy on the leg", "本段能耗"),
        "dispatch.soc_arrive_pct": ("Battery on arrival (%)", "到达电量(%)"),
        "dispatch.soc_depart_pct": ("Battery on departure (%)", "离开电量(%)"),
        "dispatch.origin": ("From", "起点"),
        "dispatch.destination": ("To", "终点"),
        "dispatch.reason": ("Reason code", "原因代码"),
        "dispatch.message": ("Details", "说明"),
        "dispatch.reason_text": ("Reason", "原因"),
        "dispatch.lon": ("Longitude", "经度"),
        "dispatch.lat": ("Latitude", "纬度"),
        "dispatch.place_id": ("Place", "地点编号"),
        "dispatch.name_zh": ("Name (Chinese)", "名称(中文)"),
        "dispatch.name_en": ("Name (English)", "名称(英文)"),
        "dispatch.connector_m": ("Connector to the road (m)", "接入道路距离(米)"),
        "dispatch.connector_road": ("Road joined", "接入道路等级"),
        "dispatch.connector_long": ("Connector long", "接入距离过长"),
    }
)


@dataclass(frozen=True, eq=False)
class DispatchResult:
    """A planned short-haul day.

    Attributes
    ----------
    trucks
        One row per truck used: km total/loaded/empty, energy and unit, swaps, charges, tonnes,
        loads, shift start/end, lowest state of charge, cost.
    timeline
        One row per stop: truck, sequence, kind (depot/pickup/delivery/swap/charge/h2), place,
        load, arrival, service start, departure, waiting, tonnes on board after the stop, state
        of charge on arrival and departure.
    unserved
        One row per truckload not planned, with ``reason`` (:data:`REASONS`) and ``message``.
    summary
        Totals (loads, tonnes, km, energy per unit, swaps, trucks used) and solver status.
    geojson
        Routes (LineString per truck) and places (Points) as a GeoJSON FeatureCollection.
    energy_warnings
        Stops where the exact replay went below the reserve (only possible with several lots on
        board, see :mod:`cleanfreight.dispatch._routing_model`).
    places
        One row per place (sites, then energy stations): ``place_id``, ``kind``, ``name_zh``,
        ``name_en``, ``lon``, ``lat`` and, along the roads, the **connector** joining it to the
        network: ``connector_m`` (metres to the nearest road a truck can enter from the side),
        ``connector_road`` (its class) and ``connector_long`` (longer than
        :data:`cleanfreight.network.snapping.FAR_SNAP_M`); empty connector columns on straight lines.
    """

    scenario: str
    trucks: pd.DataFrame
    timeline: pd.DataFrame
    unserved: pd.DataFrame
    summary: dict[str, Any]
    geojson: dict[str, Any]
    energy_warnings: tuple[str, ...] = ()
    routes_by_truck: dict[str, list[str]] = field(default_factory=dict)
    places: pd.DataFrame = field(default_factory=pd.DataFrame)
    scenario_obj: Scenario | None = field(default=None, repr=False)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        """JSON-ready dictionary: summary, trucks, routes (lot ids per truck), timeline, unserved."""
        unserved = self.unserved.copy()
        if not unserved.empty:
            unserved["reason_text"] = [_i18n.t(f"dispatch.reason.{r}", lang) for r in unserved["reason"]]
        return {
            "scenario": self.scenario,
            "summary": self.summary,
            "trucks": records(self.trucks),
            "routes": self.routes_by_truck,
            "timeline": records(self.timeline),
            "unserved": records(unserved),
            "energy_warnings": list(self.energy_warnings),
            "places": records(self.places),
        }

    def write(self, folder: str | Path, *, lang: str = "en") -> list[Path]:
        """Write ``trucks.csv``, ``timeline.csv``, ``unserved.csv``, ``places.csv``, ``routes.geojson``
        and ``dispatch.json`` into ``folder`` (created if missing); CSV headers follow ``lang``.

        The hand-outs (route map, run sheets) are drawn by :func:`cleanfreight.reports.write_handouts`."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        files = []
        tables = (("trucks", self.trucks), ("timeline", self.timeline), ("unserved", self.unserved),
                  ("places", self.places))
        for name, df in tables:
            path = out / f"{name}.csv"
            table = df.copy()
            if name == "unserved" and not table.empty:
                table["reason_text"] = [_i18n.t(f"dispatch.reason.{r}", lang) for r in table["reason"]]
            if lang != "en":
                table = table.rename(
                    columns={
                        c: _i18n.t(f"dispatch.{c}", lang)
                        for c in table.columns
                        if _i18n.t(f"dispatch.{c}", lang) != f"dispatch.{c}"
                    }
                )
            write_csv(table, path, index=False, encoding="utf-8-sig" if lang == "zh" else "utf-8")
            files.append(path)
        geo = out / "routes.geojson"
        write_text(geo, json_text(self.geojson, ensure_ascii=False))
        js = out / "dispatch.json"
        write_text(js, json_text(self.as_dict(lang), ensure_ascii=False, indent=2))
        return [*files, geo, js]



