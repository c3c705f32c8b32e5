"""The short-haul model on hand-built cases: battery, swaps, charging, bans, per-load errors."""

from __future__ import annotations

import pytest

from cleanfreight.dispatch import EnergyStation, Load, Scenario, Site, SolverParams, TruckType, solve_dispatch
from tests.dispatch.conftest import LineMatrix

PARAMS = SolverParams(time_limit_s=30, solution_limit=60)


def _sites(plant_km: float = 100.0, **plant: object) -> tuple[Site, ...]:
    # lon/lat only label the places; distances come from the LineMatrix
    return (
        Site("D", "depot", 113.0, 36.0),
        Site("A", "station", 113.0, 36.0, service_min=30),
        Site("P", "enterprise", 113.0 + plant_km / 100, 36.0, service_min=20, **plant),  # type: ignore[arg-type]
    )


def _bev(powertrain: str = "bev_swap", count: int = 1, **kw: object) -> TruckType:
    base: dict[str, object] = {
        "energy_capacity": 282.0,
        "per_km_empty": 1.2,
        "per_km_full": 2.0,
        "reserve_pct": 10.0,
    }
    base.update(kw)
    return TruckType("T", powertrain, count, "D", 31.0, **base)  # type: ignore[arg-type]


def test_swap_required_and_battery_never_below_reserve() -> None:
    """A->P is 100 km loaded (200 kWh) then 100 km empty back (120 kWh): 320 kWh > 253.8 usable."""
    sc = Scenario(
        "swap",
        _sites(),
        (EnergyStation("S", "swap", 113.5, 36.0),),
        (_bev(),),
        (Load("L", "A", "P", 31.0),),
        solver=PARAMS,
    )
    res = solve_dispatch(sc, matrix=LineMatrix([0, 0, 100, 50]))
    assert res.unserved.empty
    row = res.trucks.iloc[0]
    assert row["swaps"] == 1
    assert row["km_loaded"] == pytest.approx(100.0) and row["km_empty"] == pytest.approx(100.0)
    assert row["energy"] == pytest.approx(320.0)
    assert row["tonnes"] == 31.0
    assert row["soc_min_pct"] >= 10.0
    assert (res.timeline["soc_arrive_pct"] >= 10.0 - 1e-9).all()
    assert not res.energy_warnings
    kinds = res.timeline["kind"].tolist()
    assert kinds[0] == "depot" and kinds[-1] == "depot" and "swap" in kinds
    assert kinds.index("pickup") < kinds.index("delivery")


def test_no_swap_when_range_suffices() -> None:
    """60 km: 120 kWh loaded + 72 kWh empty = 192 kWh < 253.8 usable, so no stop."""
    sc = Scenario(
        "noswap",
        _sites(60),
        (EnergyStation("S", "swap", 113.3, 36.0),),
        (_bev(),),
        (Load("L", "A", "P", 31.0),),
        solver=PARAMS,
    )
    res = solve_dispatch(sc, matrix=LineMatrix([0, 0, 60, 30]))
    assert res.trucks.iloc[0]["swaps"] == 0
    assert res.trucks.iloc[0]["energy"] == pytest.approx(192.0)
    assert res.trucks.iloc[0]["soc_min_pct"] == pytest.approx(100 * (282 - 192) / 282, abs=0.1)


def test_out_of_range_without_station_is_reported_per_load() -> None:
    sc = Scenario(
        "range",
        _sites(),
        (),
        (_bev(),),
        (Load("FAR", "A", "P", 31.0), Load("NEAR", "A", "D", 31.0)),
        solver=PARAMS,
    )
    res = solve_dispatch(sc, matrix=LineMatrix([0, 0, 100]))
    assert res.unserved["lot_id"].tolist() == ["FAR"]
    assert res.unserved.iloc[0]["reason"] == "out_of_range"
    assert "320" in res.unserved.iloc[0]["message"]  # depot round trip energy
    assert res.routes_by_truck == {"T-01": ["NEAR"]}


def test_charging_stop_takes_kwh_over_kw() -> None:
    """Plug-in truck, charger at 50 km (120 kW). It can only charge on the way out (with 53.8 kWh
    left at P it cannot reach the charger on the way back): at least 66.2 kWh, >= 33.1 min."""
    sc = Scenario(
        "charge",
        _sites(),
        (EnergyStation("C", "charge", 113.5, 36.0, power_kw=120.0, service_min=0),),
        (_bev("bev_charge"),),
        (Load("L", "A", "P", 31.0),),
        solver=PARAMS,
    )
    res = solve_dispatch(sc, matrix=LineMatrix([0, 0, 100, 50]))
    assert res.unserved.empty
    row = res.trucks.iloc[0]
    assert row["charges"] == 1 and row["swaps"] == 0
    stop = res.timeline[res.timeline["kind"] == "charge"].iloc[0]
    assert stop["onboard_t"] == 31.0  # charged with the load on board
    assert row["energy_added"] >= 66.2 - 0.01
    assert stop["charge_min"] == pytest.approx(row["energy_added"] / 120 * 60, abs=0.1)
    assert stop["charge_min"] >= 33.1 - 0.01
    assert row["soc_min_pct"] >= 10.0 - 1e-9


def test_truck_ban_applies_to_diesel_only() -> None:
    """Plant P in a zone banned 07:00-21:00 for trucks that are not new-energy."""
    ban = {"banned": (7 * 60, 21 * 60), "hours": (5 * 60, 23 * 60)}
    diesel = TruckType("T", "diesel", 1, "D", 32.0, shift_start=5 * 60, shift_h=18.0)
    sc = Scenario("ban", _sites(25, **ban), (), (diesel,), (Load("L", "A", "P", 30.0),), solver=PARAMS)
    res = solve_dispatch(sc, matrix=LineMatrix([0, 0, 25]))
    assert res.unserved.empty
    at_p = res.timeline[res.timeline["place_id"] == "P"].iloc[0]
    h, m = map(int, at_p["start"].split(":"))
    start = h * 60 + m
    assert start + 20 <= 7 * 60 or start >= 21 * 60
    # the same day-time window is fine for a battery truck (exempt)
    sc_ne = Scenario(
        "ban-ne",
        _sites(25, **ban),
        (),
        (_bev(shift_start=5 * 60, shift_h=18.0),),
        (Load("L", "A", "P", 30.0, delivery_window=(9 * 60, 12 * 60)),),
        solver=PARAMS,
    )
    assert solve_dispatch(sc_ne, matrix=LineMatrix([0, 0, 25])).unserved.empty
    # ... but not for diesel: the ban covers the whole window
    sc_d = Scenario(
        "ban-d",
        _sites(25, **ban),
        (),
        (diesel,),
        (Load("L", "A", "P", 30.0, delivery_window=(9 * 60, 12 * 60)),),
        solver=PARAMS,
    )
    un = solve_dispatch(sc_d, matrix=LineMatrix([0, 0, 25])).unserved
    assert un.iloc[0]["reason"] == "time_window" and "ban" in un.iloc[0]["message"]


def test_bad_loads_reported_while_rest_is_planned() -> None:
    loads = (
        Load("OK", "A", "P", 30.0, count=2),
        Load("HEAVY", "A", "P", 40.0),
        Load("GHOST", "A", "NOWHERE", 10.0),
        # 25 km at 50 km/h = 30 min + 30 min loading: cannot be unloaded by 06:45 after loading at 06:30
        Load(
            "LATE",
            "A",
            "P",
            30.0,
            pickup_window=(6 * 60 + 30, 6 * 60 + 40),
            delivery_window=(6 * 60, 6 * 60 + 45),
        ),
    )
    sc = Scenario("bad", _sites(25), (), (_bev(count=2),), loads, solver=PARAMS)
    res = solve_dispatch(sc, matrix=LineMatrix([0, 0, 25]))
    reasons = dict(zip(res.unserved["lot_id"], res.unserved["reason"], strict=True))
    assert reasons == {"HEAVY": "too_heavy", "GHOST": "unknown_site", "LATE": "time_window"}
    assert sorted(lot for lots in res.routes_by_truck.values() for lot in lots) == ["OK#1", "OK#2"]
    assert res.summary["lots"] == 5 and res.summary["lots_served"] == 2


def test_fleet_too_small_gives_not_scheduled() -> None:
    truck = _bev(shift_start=6 * 60, shift_h=2.0)
    sc = Scenario("small", _sites(25), (), (truck,), (Load("L", "A", "P", 30.0, count=4),), solver=PARAMS)
    res = solve_dispatch(sc, matrix=LineMatrix([0, 0, 25]))
    # one trip takes 30 + 30 + 20 min and the return 30 min: only one fits in 2 h
    assert res.summary["lots_served"] == 1
    assert (res.unserved["reason"] == "not_scheduled").sum() == 3


def test_two_small_loads_share_a_truck_and_capacity_holds() -> None:
    """Two 15 t lots fit one 31 t truck together; the 20 t lot cannot join them."""
    loads = (Load("S1", "A", "P", 15.0), Load("S2", "A", "P", 15.0))
    sc = Scenario("mixed", _sites(25), (), (_bev(),), loads, solver=PARAMS)
    res = solve_dispatch(sc, matrix=LineMatrix([0, 0, 25]))
    assert res.unserved.empty
    assert res.timeline["onboard_t"].max() <= 31.0
    assert res.trucks.iloc[0]["km_total"] == pytest.approx(50.0)  # both carried in one trip
