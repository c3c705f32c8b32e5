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
import logging
import time
from collections.abc import Callable

import numpy as np

from cleanfreight.dispatch._feasibility import _check_loads
from cleanfreight.dispatch._replay import _assemble, _places_table, _prune_energy_stops
from cleanfreight.dispatch._routing_model import Lot, ModelSolution, Vehicle, solve_model
from cleanfreight.dispatch.result import REASONS, DispatchResult
from cleanfreight.dispatch.scenario import DAY_MIN, Scenario
from cleanfreight.dispatch.travel import FleetMatrices, MatrixLike, haversine_matrix
from cleanfreight.errors import InputError, Problem

__all__ = ["REASONS", "DispatchResult", "solve_dispatch"]

logger = logging.getLogger(__name__)

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
        from cleanfreight.dispatch.fleet_roads import road_matrices

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
