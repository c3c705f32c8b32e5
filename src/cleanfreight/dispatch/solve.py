"""Plan a short-haul day: :func:`solve_dispatch` on a :class:`Scenario` -> :class:`DispatchResult`.

Before the solve every load is checked on its own (unknown site, heavier than any truck, time
windows that cannot be met, out of range of every truck even with swaps); loads failing a check
are reported in ``unserved`` with the reason and the rest is planned. Loads that pass the checks
but find no truck in the solve are reported as ``not_scheduled`` (fleet or shifts too small).

After the solve every route is replayed with the exact load on board to report km loaded/empty,
energy, state of charge, swaps and charges.

Each truck drives on its class's matrix (:class:`FleetMatrices`: new-energy trucks, and the others
when a restriction zone closes roads to them): the checks, the model, the replay and the GeoJSON
route geometry all use the matrix of the truck concerned.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cleanfreight import _i18n
from cleanfreight._io import json_text, write_csv, write_text
from cleanfreight.dispatch._model import E_SCALE, Lot, ModelNode, ModelSolution, Vehicle, solve_model
from cleanfreight.dispatch.matrix import FleetMatrices, MatrixLike, haversine_matrix
from cleanfreight.dispatch.scenario import DAY_MIN, Scenario, TruckType, format_clock
from cleanfreight.errors import InputError, Problem

__all__ = ["REASONS", "DispatchResult", "solve_dispatch"]

logger = logging.getLogger(__name__)

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
        board, see :mod:`cleanfreight.dispatch._model`).
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
            "trucks": _records(self.trucks),
            "routes": self.routes_by_truck,
            "timeline": _records(self.timeline),
            "unserved": _records(unserved),
            "energy_warnings": list(self.energy_warnings),
            "places": _records(self.places),
        }

    def write(self, folder: str | Path, *, lang: str = "en") -> list[Path]:
        """Write ``trucks.csv``, ``timeline.csv``, ``unserved.csv``, ``places.csv``, ``routes.geojson``
        and ``dispatch.json`` into ``folder`` (created if missing); CSV headers follow ``lang``.

        The hand-outs (route map, run sheets) are written by :meth:`write_handouts`."""
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
        write_text(js, json_text(self.as_dict(lang), ensure_ascii=False, indent=2, default=_json_default))
        return [*files, geo, js]

    def write_handouts(self, folder: str | Path, *, lang: str = "en", base: Any = None) -> list[Path]:
        """Write what a dispatcher hands out: ``route_map.html`` (offline), ``route_map.png``,
        ``run_sheets.xlsx`` (one sheet per truck) and ``run_sheets.pdf`` (one page per truck), in
        ``lang`` with the scenario's place names (see :mod:`cleanfreight.dispatch.handouts`);
        ``base``: :class:`cleanfreight.reports.MapLayers` drawn under the routes (boundaries, roads)."""
        from cleanfreight.dispatch.handouts import write_handouts

        return write_handouts(self, folder, lang=lang, base=base)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(df.to_json(orient="records", force_ascii=False))  # type: ignore[no-any-return]


# ----------------------------------------------------------------------------------------------
# checks per load


def _intersect(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    lo = max(a[0] if a else 0, b[0] if b else 0)
    hi = min(a[1] if a else DAY_MIN, b[1] if b else DAY_MIN)
    return (lo, hi) if lo <= hi else None


def _inside(window: tuple[int, int], ban: tuple[int, int] | None) -> bool:
    """The whole window lies in the ban."""
    return ban is not None and ban[0] <= window[0] and window[1] <= ban[1]


def _reach(
    start: float, a: int, b: int, rate: float, cap: float, stations: list[int], km: np.ndarray
) -> float:
    """Most energy left on arriving at ``b`` from ``a`` (with ``start`` left at ``a``), allowing
    any number of stops at ``stations`` (each refills to ``cap``); ``-inf`` if unreachable."""
    best = start - rate * km[a, b]
    reach = {s for s in stations if start >= rate * km[a, s]}
    frontier = list(reach)
    while frontier:
        s = frontier.pop()
        for s2 in stations:
            if s2 not in reach and cap >= rate * km[s, s2]:
                reach.add(s2)
                frontier.append(s2)
    if reach:
        best = max(best, *(cap - rate * km[s, b] for s in reach))
    return best if best >= 0 else -math.inf


def _check_loads(
    scenario: Scenario,
    km_by_type: list[np.ndarray],
    min_by_type: list[np.ndarray],
    blocked_by_type: list[tuple[str, ...]],
) -> tuple[list[Lot], list[dict[str, Any]]]:
    """Per-load checks; truck type ``k`` is checked on ``km_by_type[k]``/``min_by_type[k]``, and
    ``blocked_by_type[k]`` lists the places inside a restriction zone closed to it."""
    place_index = {p: i for i, p in enumerate(scenario.places)}
    sites = {s.id: s for s in scenario.sites}
    types = scenario.truck_types
    fleet = [k for k, tt in enumerate(types) if tt.count > 0]
    max_payload = max((types[k].payload_t for k in fleet), default=0.0)
    station_places = {
        kind: [len(scenario.sites) + s for s, st in enumerate(scenario.energy_stations) if st.kind == kind]
        for kind in ("swap", "charge", "h2")
    }
    lots: list[Lot] = []
    unserved: list[dict[str, Any]] = []

    for load in scenario.loads:

        def reject(reason: str, message: str, load: Any = load) -> None:
            for lot_id in load.lot_ids():
                unserved.append(
                    {
                        "load_id": load.id,
                        "lot_id": lot_id,
                        "origin": load.origin,
                        "destination": load.destination,
                        "tonnes": load.tonnes,
                        "reason": reason,
                        "message": message,
                    }
                )

        missing = [x for x in (load.origin, load.destination) if x not in sites]
        if missing:
            reject(
                "unknown_site",
                f"unknown site id(s) {', '.join(missing)}; known: {', '.join(sorted(sites)[:20])}",
            )
            continue
        if load.tonnes > max_payload + 1e-9:
            reject(
                "too_heavy",
                f"{load.tonnes:g} t per truckload > largest payload {max_payload:g} t; "
                "split it with count = N and tonnes per truck",
            )
            continue
        o_site, d_site = sites[load.origin], sites[load.destination]
        o, d = place_index[load.origin], place_index[load.destination]
        pick = _intersect(load.pickup_window, o_site.hours)
        drop = _intersect(load.delivery_window, d_site.hours)
        if pick is None or drop is None:
            which = (
                "pickup window and origin hours" if pick is None else "delivery window and destination hours"
            )
            reject("time_window", f"{which} do not overlap")
            continue
        p_svc = round(load.pickup_min if load.pickup_min is not None else o_site.service_min)
        d_svc = round(load.delivery_min if load.delivery_min is not None else d_site.service_min)
        able = [
            k
            for k in fleet
            if types[k].payload_t + 1e-9 >= load.tonnes
            and (types[k].spec.new_energy or not load.new_energy_only)
        ]
        if not able:
            reject("too_heavy", f"{load.tonnes:g} t per truckload > largest new-energy payload")
            continue
        timed: list[int] = []
        road_ok = True
        notes: list[str] = []
        zone_notes: list[str] = []
        for k in able:
            tt = types[k]
            km, minutes = km_by_type[k], min_by_type[k]
            depot = place_index[tt.depot]
            legs = (km[depot, o], km[o, d], km[d, depot])
            if not all(np.isfinite(legs)):
                inside = [
                    p
                    for p in dict.fromkeys((tt.depot, load.origin, load.destination))
                    if p in blocked_by_type[k]
                ]
                if inside:
                    zone_notes.append(
                        f"{tt.id} ({tt.powertrain}): {', '.join(inside)} inside a truck restriction zone "
                        "closed to these trucks"
                    )
                else:
                    road_ok = False
                continue
            exempt = tt.spec.new_energy
            if (not (exempt and o_site.ban_exempt_new_energy) and _inside(pick, o_site.banned)) or (
                not (exempt and d_site.ban_exempt_new_energy) and _inside(drop, d_site.banned)
            ):
                notes.append(
                    f"{tt.id}: truck ban {_fmt_window(o_site.banned or d_site.banned)} covers the window"
                )
                continue
            t_pick = max(pick[0], tt.shift_start + minutes[depot, o])
            if t_pick > pick[1]:
                notes.append(
                    f"{tt.id}: earliest arrival at {load.origin} {format_clock(t_pick)} after the "
                    f"pickup window {_fmt_window(pick)}"
                )
                continue
            t_drop = max(drop[0], t_pick + p_svc + minutes[o, d])
            if t_drop > drop[1]:
                notes.append(
                    f"{tt.id}: earliest arrival at {load.destination} "
                    f"{format_clock(t_pick + p_svc + minutes[o, d])} after the delivery window "
                    f"{_fmt_window(drop)}"
                )
                continue
            if t_drop + d_svc + minutes[d, depot] > tt.shift_end:
                notes.append(
                    f"{tt.id}: back at the depot {format_clock(t_drop + d_svc + minutes[d, depot])} "
                    f"after the shift ends {format_clock(tt.shift_end)}"
                )
                continue
            timed.append(k)
        if not road_ok and not timed:
            reject("no_road", f"no road between {load.origin}, {load.destination} and the depots")
            continue
        if not timed and zone_notes and not notes:
            reject("restriction_zone", "; ".join(zone_notes))
            continue
        if not timed:
            reject("time_window", "; ".join(notes + zone_notes) or "no truck can meet the windows")
            continue
        ranged: list[int] = []
        for k in timed:
            tt = types[k]
            if not tt.spec.limited_range:
                ranged.append(k)
                continue
            km = km_by_type[k]
            depot = place_index[tt.depot]
            stations = sorted({p for kind in tt.spec.refuel_kinds for p in station_places[kind]})
            cap, e0, e1 = tt.usable, tt.rate(0.0), tt.rate(load.tonnes)
            r1 = _reach(tt.start_usable, depot, o, e0, cap, stations, km)
            r2 = _reach(r1, o, d, e1, cap, stations, km) if r1 > -math.inf else -math.inf
            r3 = _reach(r2, d, depot, e0, cap, stations, km) if r2 > -math.inf else -math.inf
            if r3 > -math.inf:
                ranged.append(k)
            else:
                unit = tt.spec.energy_unit
                notes.append(
                    f"{tt.id}: {load.origin}->{load.destination} {km[o, d]:.0f} km loaded needs "
                    f"{e1 * km[o, d]:.0f} {unit}, depot round trip "
                    f"{e0 * (km[depot, o] + km[d, depot]) + e1 * km[o, d]:.0f} {unit}, usable "
                    f"{cap:.0f} {unit}, no reachable {'/'.join(sorted(tt.spec.refuel_kinds))} station"
                )
        if not ranged:
            reject("out_of_range", "; ".join(n for n in notes if "needs" in n))
            continue
        for lot_id in load.lot_ids():
            lots.append(
                Lot(
                    lot_id=lot_id,
                    load_id=load.id,
                    tonnes=float(load.tonnes),
                    origin=o,
                    destination=d,
                    pick_window=pick,
                    drop_window=drop,
                    pick_service=p_svc,
                    drop_service=d_svc,
                    pick_ban=o_site.banned,
                    drop_ban=d_site.banned,
                    pick_ban_exempt_ne=o_site.ban_exempt_new_energy,
                    drop_ban_exempt_ne=d_site.ban_exempt_new_energy,
                    allowed_types=ranged,
                )
            )
    return lots, unserved


def _fmt_window(w: tuple[int, int] | None) -> str:
    return "-" if w is None else f"{format_clock(w[0])}-{format_clock(w[1])}"


# ----------------------------------------------------------------------------------------------
# solve


def _vehicles(scenario: Scenario) -> list[Vehicle]:
    place_index = {p: i for i, p in enumerate(scenario.places)}
    out = []
    for k, tt in enumerate(scenario.truck_types):
        for m in range(1, tt.count + 1):
            out.append(Vehicle(f"{tt.id}-{m:02d}", k, place_index[tt.depot]))
    return out


def _validate_matrix(scenario: Scenario, matrix: MatrixLike) -> tuple[np.ndarray, np.ndarray]:
    n = len(scenario.places)
    km = np.asarray(matrix.distance_km, dtype=float)
    hours = np.asarray(matrix.time_h, dtype=float)
    problems = []
    for name, arr in (("distance_km", km), ("time_h", hours)):
        if arr.shape != (n, n):
            problems.append(
                Problem(
                    f"must be {n} x {n} (the scenario's places: sites then energy stations)",
                    column=name,
                    value=arr.shape,
                )
            )
        elif (arr[np.isfinite(arr)] < 0).any():
            problems.append(Problem("must not be negative", column=name))
    if problems:
        raise InputError("travel matrix does not fit the scenario", problems)
    return km, hours * 60.0


def _finite(km: np.ndarray, minutes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unreachable pairs made large but finite (keeps the integer model valid); whole minutes."""
    big = 10 * np.nanmax(km[np.isfinite(km)]) + 1000 if np.isfinite(km).any() else 1e6
    km_f = np.where(np.isfinite(km), km, big)
    min_f = np.rint(np.where(np.isfinite(minutes), minutes, DAY_MIN))  # whole minutes, as in the model
    return km_f, min_f


def solve_dispatch(
    scenario: Scenario,
    *,
    matrix: MatrixLike | FleetMatrices | None = None,
    path_lonlat: Callable[[int, int], list[tuple[float, float]]] | None = None,
) -> DispatchResult:
    """Plan the short-haul day of ``scenario``.

    Parameters
    ----------
    scenario
        From :func:`cleanfreight.dispatch.load_scenario` or built in Python.
    matrix
        Travel distances (km) and times (h) between :attr:`Scenario.places`: one matrix for every
        truck (e.g. from :func:`cleanfreight.network.road_matrix`), or :class:`FleetMatrices`
        (e.g. from :func:`cleanfreight.dispatch.road_matrices`) where new-energy trucks and the
        others drive on their own roads; by default the scenario's ``roads`` (``[scenario] roads``,
        :func:`cleanfreight.dispatch.road_matrices`) when it names some, else great-circle x
        ``detour_factor`` at ``speed_kmh`` (:func:`haversine_matrix`) for every truck.
    path_lonlat
        ``path_lonlat(i, j)`` -> road geometry between places ``i`` and ``j``, for GeoJSON routes
        along the roads, for every truck; by default the ``path_lonlat`` of the truck's own matrix
        if it has one (road matrices), else straight lines through the stops.

    Returns
    -------
    DispatchResult
    """
    started = time.perf_counter()
    if matrix is None and scenario.roads:  # the scenario names its roads: drive on them, as the CLI does
        from cleanfreight.dispatch.roads import road_matrices

        matrix = road_matrices(scenario, scenario.roads)
    if matrix is None:
        matrix = haversine_matrix(
            scenario.lonlat(), detour_factor=scenario.detour_factor, speed_kmh=scenario.speed_kmh
        )
    fleet = matrix if isinstance(matrix, FleetMatrices) else FleetMatrices(matrix)
    types = scenario.truck_types
    type_class_name = [fleet.class_of(tt.spec.new_energy) for tt in types]
    names = ["new_energy", *(["diesel"] if "diesel" in type_class_name else [])]
    mats = [fleet.matrix(c) for c in names]
    raw = [_validate_matrix(scenario, m) for m in mats]
    type_class = [names.index(c) for c in type_class_name]
    lots, unserved = _check_loads(
        scenario,
        [raw[c][0] for c in type_class],
        [raw[c][1] for c in type_class],
        [tuple(fleet.blocked.get(c, ())) for c in type_class_name],
    )
    vehicles = _vehicles(scenario)
    for veh in vehicles:
        veh.matrix = type_class[veh.type_index]
    finite = [_finite(km, minutes) for km, minutes in raw]
    km_f = [f[0] for f in finite]
    min_f = [f[1] for f in finite]
    if lots and vehicles:
        sol, nodes = solve_model(scenario, lots, vehicles, km_f, min_f)
        sol = _prune_energy_stops(scenario, sol, nodes, lots, vehicles, km_f, min_f)
    else:
        sol, nodes = (
            ModelSolution(
                "no_loads" if not lots else "no_trucks", 0, [[] for _ in vehicles], list(range(len(lots)))
            ),
            [],
        )
    battery_bound = _battery_bound(scenario, lots, vehicles, km_f, min_f, sol) if sol.dropped_lots else set()
    for k in sol.dropped_lots:
        lot = lots[k]
        load = next(ld for ld in scenario.loads if ld.id == lot.load_id)
        if k in battery_bound:
            message = (
                "the battery is the limit: with unlimited range the same fleet takes this load "
                f"({len(battery_bound)} of {len(sol.dropped_lots)} dropped truckloads); the trips to swap or "
                "charge cost the time it needs. Add swap/charging stations near the route, larger packs "
                "or faster swaps, or trucks"
            )
        else:
            message = (
                "passes the checks alone but no truck could take it within the shifts "
                "and windows together with the other loads; add trucks or widen windows"
            )
        unserved.append(
            {
                "load_id": lot.load_id,
                "lot_id": lot.lot_id,
                "origin": load.origin,
                "destination": load.destination,
                "tonnes": lot.tonnes,
                "reason": "not_scheduled",
                "message": message,
            }
        )
    labels = names if len(names) > 1 else ["shared"]  # "shared": every truck on the same matrix
    result = _assemble(scenario, lots, vehicles, nodes, sol, km_f, min_f, unserved, path_lonlat, mats, labels)
    result.summary["matrix_by_type"] = {tt.id: labels[c] for tt, c in zip(types, type_class, strict=True)}
    result.summary["battery_limited_lots"] = len(battery_bound)
    places = _places_table(scenario, mats[0])
    result.summary["connectors_long"] = (
        places.loc[places["connector_long"].fillna(False).astype(bool), "place_id"].tolist()
    )
    result.summary["runtime_s"] = round(time.perf_counter() - started, 3)
    return dataclasses.replace(result, places=places, scenario_obj=scenario)


def _soc_feasible(
    tt: TruckType, visits: list[Any], nodes: list[ModelNode], lots: list[Lot], scenario: Scenario, km: np.ndarray
) -> bool:
    """Replay a route with the exact load on board: never below the reserve."""
    cap = tt.capacity
    reserve = cap * tt.reserve_pct / 100 - 1e-6
    soc = cap * tt.start_soc_pct / 100
    onboard = 0.0
    prev: int | None = None
    for vis in visits:
        nd = nodes[vis.node]
        if prev is not None:
            soc -= float(km[prev, nd.place]) * tt.rate(onboard)
            if soc < reserve:
                return False
        if nd.kind == "energy":
            st = scenario.energy_stations[nd.station]
            soc = cap if st.kind in ("swap", "h2") else min(cap, soc + vis.recharge / E_SCALE)
        elif nd.kind == "pickup":
            onboard += lots[nd.lot].tonnes
        elif nd.kind == "delivery":
            onboard -= lots[nd.lot].tonnes
        prev = nd.place
    return True


def _prune_energy_stops(
    scenario: Scenario,
    sol: ModelSolution,
    nodes: list[ModelNode],
    lots: list[Lot],
    vehicles: list[Vehicle],
    km_f: list[np.ndarray],
    min_f: list[np.ndarray],
) -> ModelSolution:
    """Drop swap/charge stops the route does not need.

    A search stopped by a solution limit can keep stops that add nothing (a swap at 98 %); each
    is removed when the route, replayed with the exact load, still never goes below the reserve
    and the next stop is still reached by its planned start (the truck waits instead). Later
    stops keep their planned times, so every window and ban stays met."""
    routes = []
    for v, visits in enumerate(sol.routes):
        veh = vehicles[v]
        tt = scenario.truck_types[veh.type_index]
        km, minutes = km_f[veh.matrix], min_f[veh.matrix]
        visits = list(visits)
        i = 1
        while i < len(visits) - 1:
            nd = nodes[visits[i].node]
            if nd.kind != "energy" or not tt.spec.limited_range:
                i += 1
                continue
            trial = visits[:i] + visits[i + 1 :]
            before, after = nodes[visits[i - 1].node], nodes[visits[i + 1].node]
            depart = float(visits[i - 1].start + (before.service if i - 1 > 0 else 0))
            if before.kind == "energy":
                st = scenario.energy_stations[before.station]
                if st.kind == "charge":
                    depart += visits[i - 1].recharge / E_SCALE / float(st.power_kw or 1) * 60
            on_time = depart + float(minutes[before.place, after.place]) <= visits[i + 1].start + 1e-6
            if on_time and _soc_feasible(tt, trial, nodes, lots, scenario, km):
                visits = trial
            else:
                i += 1
        routes.append(visits)
    return dataclasses.replace(sol, routes=routes)


def _battery_bound(
    scenario: Scenario,
    lots: list[Lot],
    vehicles: list[Vehicle],
    km_f: list[np.ndarray],
    min_f: list[np.ndarray],
    sol: ModelSolution,
) -> set[int]:
    """Dropped lots that the same fleet takes when range is unlimited: the battery is the limit.

    The model is solved again (same solver settings) with every limited-range truck given a
    battery/tank 100x larger; lots dropped before and served then are battery-bound. Nothing is
    re-solved when the fleet has no limited-range truck."""
    if not any(tt.spec.limited_range and tt.count > 0 for tt in scenario.truck_types):
        return set()
    relaxed = dataclasses.replace(
        scenario,
        truck_types=tuple(
            dataclasses.replace(tt, energy_capacity=tt.capacity * 100, start_soc_pct=100.0)
            if tt.spec.limited_range
            else tt
            for tt in scenario.truck_types
        ),
    )
    try:
        again, _ = solve_model(relaxed, lots, vehicles, km_f, min_f)
    except Exception:  # a diagnosis must never fail the plan
        logger.debug("unlimited-range re-solve failed", exc_info=True)
        return set()
    return set(sol.dropped_lots) - set(again.dropped_lots)


def _places_table(scenario: Scenario, matrix: MatrixLike) -> pd.DataFrame:
    """Places with their names and, on a road matrix, the connector joining each to the roads."""
    rows = [(s.id, s.kind, s.name_zh, s.name_en, s.lon, s.lat) for s in scenario.sites]
    rows += [(e.id, e.kind, e.name_zh, e.name_en, e.lon, e.lat) for e in scenario.energy_stations]
    table = pd.DataFrame(rows, columns=["place_id", "kind", "name_zh", "name_en", "lon", "lat"])
    snaps = getattr(matrix, "origins", None)
    if isinstance(snaps, pd.DataFrame) and len(snaps) == len(table) and "snap_m" in snaps:
        table["connector_m"] = snaps["snap_m"].round(0).to_numpy()
        table["connector_road"] = (
            snaps["highway"].to_numpy() if "highway" in snaps else pd.Series([""] * len(table)).to_numpy()
        )
        table["connector_long"] = snaps["far"].astype(bool).to_numpy() if "far" in snaps else False
    else:
        table["connector_m"] = np.nan
        table["connector_road"] = ""
        table["connector_long"] = pd.Series([None] * len(table), dtype=object)
    return table


def _assemble(
    scenario: Scenario,
    lots: list[Lot],
    vehicles: list[Vehicle],
    nodes: list[ModelNode],
    sol: ModelSolution,
    km_by_class: list[np.ndarray],
    min_by_class: list[np.ndarray],
    unserved: list[dict[str, Any]],
    path_lonlat: Callable[[int, int], list[tuple[float, float]]] | None,
    matrices: list[MatrixLike],
    class_names: list[str],
) -> DispatchResult:
    places = scenario.places
    lonlat = scenario.lonlat()
    names = [s.name_en or s.id for s in scenario.sites] + [
        e.name_en or e.id for e in scenario.energy_stations
    ]
    names_zh = [s.name_zh or s.name_en or s.id for s in scenario.sites] + [
        e.name_zh or e.name_en or e.id for e in scenario.energy_stations
    ]
    types = scenario.truck_types
    truck_rows: list[dict[str, Any]] = []
    stop_rows: list[dict[str, Any]] = []
    warnings: list[str] = []
    features: list[dict[str, Any]] = []
    routes_by_truck: dict[str, list[str]] = {}
    # road geometry per matrix class: a truck's route follows the graph it drove on
    paths: list[Callable[[int, int], list[tuple[float, float]]] | None] = [
        path_lonlat
        if path_lonlat is not None
        else (m.path_lonlat if hasattr(m, "path_lonlat") and not hasattr(m, "detour_factor") else None)
        for m in matrices
    ]

    for v, visits in enumerate(sol.routes):
        if len(visits) <= 2:
            continue
        veh = vehicles[v]
        km, minutes, path = km_by_class[veh.matrix], min_by_class[veh.matrix], paths[veh.matrix]
        tt: TruckType = types[veh.type_index]
        unit = tt.spec.energy_unit
        cap = tt.capacity
        reserve = tt.capacity * tt.reserve_pct / 100
        soc = tt.capacity * tt.start_soc_pct / 100
        soc_min = soc
        onboard = 0.0
        km_loaded = km_empty = energy = charged = 0.0
        swaps = charges = refuels = 0
        tonnes = 0.0
        lot_ids: list[str] = []
        coords: list[tuple[float, float]] = []
        prev_place: int | None = None
        prev_depart = 0.0
        for seq, vis in enumerate(visits):
            nd = nodes[vis.node]
            kind = nd.kind
            leg_km = leg_e = 0.0
            arrive = float(vis.start)
            if prev_place is not None:
                leg_km = float(km[prev_place, nd.place])
                leg_e = leg_km * tt.rate(onboard)
                soc -= leg_e
                energy += leg_e
                if onboard > 1e-9:
                    km_loaded += leg_km
                else:
                    km_empty += leg_km
                arrive = prev_depart + float(minutes[prev_place, nd.place])
                if path is not None:
                    seg = path(prev_place, nd.place)
                    coords.extend(seg[1:] if coords else seg)
                else:
                    coords.append(lonlat[nd.place])
            else:
                coords.append(lonlat[nd.place])
            soc_arrive = soc
            soc_min = min(soc_min, soc)
            if tt.spec.limited_range and soc < reserve - 1e-6:
                warnings.append(
                    f"{veh.truck_id} stop {seq} at {places[nd.place]}: state of charge "
                    f"{soc:.1f} {unit} below the reserve {reserve:.1f} {unit}"
                )
            service = float(nd.service)
            charge_min = 0.0
            lot_id = ""
            load_id = ""
            if kind == "energy":
                st = scenario.energy_stations[nd.station]
                kind = st.kind
                if st.kind in ("swap", "h2"):
                    charged += cap - soc
                    soc = cap
                    if st.kind == "swap":
                        swaps += 1
                    else:
                        refuels += 1
                else:
                    added = min(vis.recharge / E_SCALE, cap - soc)
                    charged += added
                    soc += added
                    charges += 1
                    charge_min = added / float(st.power_kw or 1) * 60
            elif kind == "pickup":
                lot = lots[nd.lot]
                onboard += lot.tonnes
                lot_id, load_id = lot.lot_id, lot.load_id
                lot_ids.append(lot.lot_id)
            elif kind == "delivery":
                lot = lots[nd.lot]
                onboard -= lot.tonnes
                tonnes += lot.tonnes
                lot_id, load_id = lot.lot_id, lot.load_id
            start = float(vis.start)
            end_of_visit = seq == len(visits) - 1
            depart = start if end_of_visit else start + service + charge_min
            if seq == 0:
                arrive = start
            stop_rows.append(
                {
                    "truck_id": veh.truck_id,
                    "seq": seq,
                    "kind": kind,
                    "place_id": places[nd.place],
                    "place_name": names[nd.place],
                    "place_name_zh": names_zh[nd.place],
                    "lot_id": lot_id,
                    "load_id": load_id,
                    "arrive": format_clock(arrive),
                    "start": format_clock(start),
                    "depart": format_clock(depart),
                    "wait_min": round(max(0.0, start - arrive), 1),
                    "service_min": service if kind not in {"depot"} else 0,
                    "charge_min": round(charge_min, 1),
                    "onboard_t": round(onboard, 3),
                    "km_from_prev": round(leg_km, 2),
                    "energy_leg": round(leg_e, 2),
                    "soc_arrive_pct": round(100 * soc_arrive / cap, 1),
                    "soc_depart_pct": round(100 * soc / cap, 1),
                }
            )
            prev_place = nd.place
            prev_depart = depart
        start_t, end_t = visits[0].start, visits[-1].start
        routes_by_truck[veh.truck_id] = lot_ids
        km_total = km_loaded + km_empty
        truck_rows.append(
            {
                "truck_id": veh.truck_id,
                "truck_type": tt.id,
                "powertrain": tt.powertrain,
                "depot": places[veh.depot_place],
                "loads": len(lot_ids),
                "tonnes": round(tonnes, 3),
                "km_total": round(km_total, 2),
                "km_loaded": round(km_loaded, 2),
                "km_empty": round(km_empty, 2),
                "energy": round(energy, 2),
                "energy_unit": unit,
                "swaps": swaps,
                "charges": charges,
                "h2_refuels": refuels,
                "energy_added": round(charged, 2),
                "start": format_clock(start_t),
                "end": format_clock(end_t),
                "shift_h": round((end_t - start_t) / 60, 2),
                "soc_min_pct": round(100 * soc_min / cap, 1),
                "cost_cny": round(km_total * tt.cost_per_km + tt.fixed_cost, 2),
            }
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
                "properties": {
                    "feature": "route",
                    "truck_id": veh.truck_id,
                    "truck_type": tt.id,
                    "powertrain": tt.powertrain,
                    "km": round(km_total, 2),
                    "loads": lot_ids,
                    "along_roads": path is not None,
                    "matrix": class_names[veh.matrix],
                },
            }
        )
    kinds = {s.id: s.kind for s in scenario.sites} | {e.id: e.kind for e in scenario.energy_stations}
    for i, pid in enumerate(places):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(lonlat[i])},
                "properties": {
                    "feature": "place",
                    "place_id": pid,
                    "kind": kinds[pid],
                    "name": names[i],
                    "name_zh": names_zh[i],
                },
            }
        )

    trucks = pd.DataFrame(
        truck_rows,
        columns=[
            "truck_id",
            "truck_type",
            "powertrain",
            "depot",
            "loads",
            "tonnes",
            "km_total",
            "km_loaded",
            "km_empty",
            "energy",
            "energy_unit",
            "swaps",
            "charges",
            "h2_refuels",
            "energy_added",
            "start",
            "end",
            "shift_h",
            "soc_min_pct",
            "cost_cny",
        ],
    )
    timeline = pd.DataFrame(
        stop_rows,
        columns=[
            "truck_id",
            "seq",
            "kind",
            "place_id",
            "place_name",
            "place_name_zh",
            "lot_id",
            "load_id",
            "arrive",
            "start",
            "depart",
            "wait_min",
            "service_min",
            "charge_min",
            "onboard_t",
            "km_from_prev",
            "energy_leg",
            "soc_arrive_pct",
            "soc_depart_pct",
        ],
    )
    unserved_df = pd.DataFrame(
        unserved, columns=["load_id", "lot_id", "origin", "destination", "tonnes", "reason", "message"]
    )
    n_lots = sum(ld.count for ld in scenario.loads)
    energy_by_unit = (
        trucks.groupby("energy_unit")["energy"].sum().round(2).to_dict() if not trucks.empty else {}
    )
    summary = {
        "status": sol.status,
        "lots": n_lots,
        "lots_served": int(trucks["loads"].sum()) if not trucks.empty else 0,
        "lots_unserved": len(unserved_df),
        "unserved_by_reason": unserved_df["reason"].value_counts().to_dict() if not unserved_df.empty else {},
        "tonnes_moved": round(float(trucks["tonnes"].sum()), 3) if not trucks.empty else 0.0,
        "trucks_available": len(vehicles),
        "trucks_used": len(trucks),
        "km_total": round(float(trucks["km_total"].sum()), 2) if not trucks.empty else 0.0,
        "km_loaded": round(float(trucks["km_loaded"].sum()), 2) if not trucks.empty else 0.0,
        "km_empty": round(float(trucks["km_empty"].sum()), 2) if not trucks.empty else 0.0,
        "energy": energy_by_unit,
        "swaps": int(trucks["swaps"].sum()) if not trucks.empty else 0,
        "charges": int(trucks["charges"].sum()) if not trucks.empty else 0,
        "cost_cny": round(float(trucks["cost_cny"].sum()), 2) if not trucks.empty else 0.0,
        "matrix": "straight_line" if hasattr(matrices[0], "detour_factor") else "given",
        "solver": scenario.solver.as_dict(),
    }
    return DispatchResult(
        scenario=scenario.name,
        trucks=trucks,
        timeline=timeline,
        unserved=unserved_df,
        summary=summary,
        geojson={"type": "FeatureCollection", "name": scenario.name, "features": features},
        energy_warnings=tuple(warnings),
        routes_by_truck=routes_by_truck,
    )
