"""Per-tonne emissions, energy and cost of a transport chain.

Each chain (mode) is split into legs (:mod:`cleanfreight.accounting.modes`); each leg is costed
from the factors (:mod:`cleanfreight.accounting.factors`), tank-to-wheel for fuels and with the
grid factor for electricity. Works on scalars and on numpy arrays alike, so a whole flow table is
costed in one call (:func:`intensity_table`).

Per tonne moved over a leg of ``d`` km:

- diesel truck CO2 = ``road.diesel.co2_kg_per_tkm`` x d x (1 + empty return share x
  ``road.diesel.empty_fuel_ratio``): the GB/T 51366 factor is per loaded tkm, and the empty return burns
  that ratio of the loaded fuel per km — the same trip boundary (loaded + empty return) as NOx, PM2.5 and
  the electric truck's energy;
- truck NOx / PM2.5 = g/km x d x (1 + empty return share) / payload;
- electric truck energy = (kWh/km loaded + kWh/km empty x empty share) x d / payload, CO2 = energy x grid factor;
- rail energy = kWh per 1000 tkm x d / 1000 (electrified share) and diesel L for the rest, and for the km
  on a spur or line marked ``electrified: false`` (``rail_diesel_km``), with the diesel locomotive's NOx
  and PM2.5;
- cost: road CNY/tkm x d (short-haul at least the minimum charge); rail base 1 + base 2 x d.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cleanfreight.accounting.factors import Factors
from cleanfreight.accounting.modes import mode_info

__all__ = ["INTENSITY_COLUMNS", "chain_intensity", "intensity_table"]

INTENSITY_COLUMNS = ("co2_kg", "nox_g", "pm25_g", "energy_kwh", "diesel_l", "cost_cny", "road_tkm", "rail_tkm")

_VEHICLE_KEY = {"electric": "electric", "cn6": "cn6", "cn5": "cn5"}


def _road_leg(vehicle: str, km: Any, f: Factors, *, short_haul: bool) -> dict[str, Any]:
    payload = f["road.payload_t"]
    empty = f["road.empty_return_share"]
    veh_km_per_t = km * (1.0 + empty) / payload
    if vehicle == "electric":
        kwh = (f["road.electric.kwh_per_km_loaded"] + f["road.electric.kwh_per_km_empty"] * empty) * km / payload
        co2 = kwh * f["grid.co2_kg_per_kwh"]
        nox = f["road.electric.nox_g_per_km"] * veh_km_per_t
        pm = f["road.electric.pm25_g_per_km"] * veh_km_per_t
        cost = f["cost.road.electric_cny_per_tkm"] * km
        diesel = 0.0 * km
    else:
        kwh = 0.0 * km
        co2 = f["road.diesel.co2_kg_per_tkm"] * km * (1.0 + empty * f["road.diesel.empty_fuel_ratio"])
        diesel = co2 / f["diesel.co2_kg_per_l"]
        nox = f[f"road.{vehicle}.nox_g_per_km"] * veh_km_per_t
        pm = f[f"road.{vehicle}.pm25_g_per_km"] * veh_km_per_t
        cost = f["cost.road.diesel_cny_per_tkm"] * km
    if short_haul:
        cost = np.maximum(cost, f["cost.road.shorthaul_min_cny_per_t"])
    return {"co2_kg": co2, "nox_g": nox, "pm25_g": pm, "energy_kwh": kwh, "diesel_l": diesel, "cost_cny": cost,
            "road_tkm": km, "rail_tkm": 0.0 * km}


def _rail_leg(km: Any, f: Factors, *, spur: bool, diesel_km: Any = 0.0) -> dict[str, Any]:
    """``diesel_km`` of the ``km`` are hauled by diesel locomotives (a non-electrified spur or line); the
    rest is electric on the ``rail.electrified_share`` of it, diesel on the remainder."""
    share = f["rail.electrified_share"]
    d_km = np.minimum(np.asarray(diesel_km, dtype=float), km)
    rest = km - d_km
    kwh = f["rail.electric.kwh_per_ktkm"] * rest / 1000.0 * share
    diesel = f["rail.diesel.l_per_ktkm"] * (d_km + rest * (1.0 - share)) / 1000.0
    co2 = kwh * f["grid.co2_kg_per_kwh"] + diesel * f["diesel.co2_kg_per_l"]
    cost = f["cost.rail.base1_cny_per_t"] + f["cost.rail.base2_cny_per_tkm"] * km
    if spur:
        cost = cost + f["cost.rail.spur_handling_cny_per_t"]
    nox = f["rail.nox_g_per_tkm"] * rest + f["rail.diesel.nox_g_per_l"] * diesel
    pm = f["rail.diesel.pm25_g_per_l"] * diesel
    return {"co2_kg": co2, "nox_g": nox, "pm25_g": pm, "energy_kwh": kwh,
            "diesel_l": diesel, "cost_cny": cost, "road_tkm": 0.0 * km, "rail_tkm": km}


def _belt_leg(kind: str, km: Any, f: Factors) -> dict[str, Any]:
    kwh = f[f"{kind}.kwh_per_tkm"] * km
    cost = f["cost.conveyor_cny_per_tkm"] * km if kind == "conveyor" else 0.0 * km
    return {"co2_kg": kwh * f["grid.co2_kg_per_kwh"], "nox_g": 0.0 * km, "pm25_g": 0.0 * km, "energy_kwh": kwh,
            "diesel_l": 0.0 * km, "cost_cny": cost, "road_tkm": 0.0 * km, "rail_tkm": 0.0 * km}


def chain_intensity(
    mode: str,
    road_km: Any = 0.0,
    rail_km: Any = 0.0,
    short_haul_km: Any = 0.0,
    factors: Factors | None = None,
    station_handling_cny_per_t: Any = None,
    rail_diesel_km: Any = 0.0,
) -> dict[str, Any]:
    """Per-tonne CO2 (kg), NOx (g), PM2.5 (g), energy (kWh), diesel (L), cost (CNY), road and rail tkm.

    Parameters
    ----------
    mode
        A mode of the vocabulary (``truck_cn6``, ``rail_station_ne``, ...).
    road_km
        Road (or conveyor / pipeline) distance of a direct chain.
    rail_km
        Rail distance of a rail chain.
    short_haul_km
        Road distance between the freight station and the enterprise (``rail_station_*``).
    factors
        Factors to use (default: :func:`~cleanfreight.accounting.factors.load_factors`).
    station_handling_cny_per_t
        Handling charge of the freight station of a ``rail_station_*`` chain (the station's
        ``handling_cost_cny_per_t``); ``None`` or NaN: the factor ``cost.rail.station_handling_cny_per_t``.
        Station chains also pay ``cost.rail.transfer_cny_per_t``.
    rail_diesel_km
        Km of the rail leg hauled by diesel locomotives (a spur or line marked ``electrified: false``, see
        :func:`cleanfreight.network.rail.diesel_haul_km`): diesel fuel, CO2, NOx and PM2.5 from the
        ``rail.diesel.*`` factors there.
    """
    if factors is None:
        from cleanfreight.accounting.factors import load_factors

        factors = load_factors()
    info = mode_info(mode)
    total: dict[str, Any] = dict.fromkeys(INTENSITY_COLUMNS, 0.0)
    for leg in info.legs:
        if leg.kind == "road":
            km = short_haul_km if leg.role == "short_haul" else road_km
            part = _road_leg(_VEHICLE_KEY[leg.vehicle], np.asarray(km, dtype=float), factors,
                             short_haul=leg.role == "short_haul")
        elif leg.kind == "rail":
            part = _rail_leg(np.asarray(rail_km, dtype=float), factors, spur=mode == "rail_spur",
                             diesel_km=rail_diesel_km)
        elif leg.kind in ("conveyor", "pipeline"):
            part = _belt_leg(leg.kind, np.asarray(road_km, dtype=float), factors)
        else:  # waterway: outside the sample's scope, counted as zero with a note in the docs
            part = dict.fromkeys(INTENSITY_COLUMNS, 0.0)
        for key in INTENSITY_COLUMNS:
            total[key] = total[key] + part[key]
    if any(leg.role == "short_haul" for leg in info.legs):  # a rail leg through a freight station
        default = factors["cost.rail.station_handling_cny_per_t"]
        handling = default if station_handling_cny_per_t is None else np.nan_to_num(
            np.asarray(station_handling_cny_per_t, dtype=float), nan=default)
        total["cost_cny"] = total["cost_cny"] + handling + factors["cost.rail.transfer_cny_per_t"]
    if np.ndim(total["co2_kg"]) == 0:
        return {k: float(v) for k, v in total.items()}
    return total


def intensity_table(table: pd.DataFrame, factors: Factors | None = None) -> pd.DataFrame:
    """Per-tonne intensities for each row of ``table`` (columns ``mode``, ``road_km``, ``rail_km``, ``short_haul_km``).

    An optional ``station_handling_cny_per_t`` column gives the handling charge of each station chain's
    freight station (see :func:`chain_intensity`). Returns a frame on the same index with the :data:`INTENSITY_COLUMNS`.
    """
    if factors is None:
        from cleanfreight.accounting.factors import load_factors

        factors = load_factors()
    out = pd.DataFrame(index=table.index, columns=list(INTENSITY_COLUMNS), dtype=float)
    for mode, rows in table.groupby("mode", sort=True):
        res = chain_intensity(
            str(mode),
            rows.get("road_km", 0.0).to_numpy(dtype=float) if "road_km" in rows else 0.0,
            rows["rail_km"].to_numpy(dtype=float) if "rail_km" in rows else 0.0,
            rows["short_haul_km"].to_numpy(dtype=float) if "short_haul_km" in rows else 0.0,
            factors,
            rows["station_handling_cny_per_t"].to_numpy(dtype=float) if "station_handling_cny_per_t" in rows else None,
            np.nan_to_num(rows["rail_diesel_km"].to_numpy(dtype=float)) if "rail_diesel_km" in rows else 0.0,
        )
        for key in INTENSITY_COLUMNS:
            out.loc[rows.index, key] = np.broadcast_to(res[key], len(rows))
    return out.fillna(0.0)
