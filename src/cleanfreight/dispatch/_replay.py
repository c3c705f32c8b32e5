"""After the solve: every route replayed with the exact load on board (km loaded/empty, energy,
state of charge, swaps and charges), energy stops the route does not need dropped, the tables and
GeoJSON of :class:`DispatchResult` assembled."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from cleanfreight.dispatch._routing_model import E_SCALE, Lot, ModelNode, ModelSolution, Vehicle
from cleanfreight.dispatch.result import DispatchResult
from cleanfreight.dispatch.scenario import Scenario, TruckType, format_clock
from cleanfreight.dispatch.travel import MatrixLike


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
