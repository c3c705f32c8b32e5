"""Why targets are missed: capacities that bind, spurs that would fix it, flows without a clean chain."""

from __future__ import annotations

import pandas as pd
import pytest

from cleanfreight.planning import PlanParams, Scenario, check_plan, solve_plan
from tests.planning.conftest import make_tiny

# no new-energy trucks direct: only rail via the stations is clean
RAIL_ONLY = ("rail_spur", "rail_station_ne", "rail_station_diesel", "truck_cn6")
SMALL = Scenario(
    stations={
        "S1": {"handling_capacity_t_per_year": 600_000.0},
        "S2": {"handling_capacity_t_per_year": 100_000.0},
    }
)


def test_station_capacity_shortfall_by_hand() -> None:
    problem = make_tiny(SMALL)
    params = PlanParams(allowed_modes=RAIL_ONLY)
    r = solve_plan(problem, params)
    e = r.enterprises.set_index("enterprise_id")
    # S1 (600 kt) carries the 500 kt of coke plus 100 kt of E1's coal (61.7 vs 40 CNY/t is cheaper to make clean
    # than E2's 62.1 vs 32); E2 gets S2's 100 kt. Shortfalls: E1 1.2 Mt - 0.6 Mt, E2 320 kt - 100 kt.
    assert e.at["E1", "shortfall_t"] == pytest.approx(600_000)
    assert e.at["E2", "shortfall_t"] == pytest.approx(220_000)
    assert not e.at["E1", "meets_target"]
    x = r.explanations
    e1 = x[x["enterprise_id"] == "E1"]
    assert ("station_handling", "S1") in set(zip(e1["kind"], e1["id"], strict=True))
    e2 = x[x["enterprise_id"] == "E2"]
    assert set(e2["kind"]) == {"station_handling"} and set(e2["id"]) <= {"S1", "S2"}
    assert "S1" in e.at["E1", "shortfall_reason"] and "handling capacity" in e.at["E1", "shortfall_reason"]
    assert "货运站S1" in e.at["E1", "shortfall_reason_zh"]
    assert check_plan(problem, params, r).ok


def test_hard_targets_that_cannot_be_met_give_an_explained_infeasible_result() -> None:
    problem = make_tiny(SMALL)
    params = PlanParams(allowed_modes=RAIL_ONLY, target_mode="hard")
    r = solve_plan(problem, params)
    assert r.status == "infeasible"
    assert r.city["shortfall_t"] == pytest.approx(820_000)  # 1.52 Mt needed, 0.7 Mt of station capacity
    assert set(r.explanations["kind"]) == {"station_handling"}
    assert check_plan(problem, params, r).ok


def test_an_excluded_spur_that_would_fix_the_miss_is_named() -> None:
    spurs = pd.DataFrame(
        {
            "spur_id": ["SP1"],
            "enterprise_id": ["E1"],
            "station_id": ["S1"],
            "status": ["planned"],
            "capacity_t_per_year": [2_000_000.0],
            "capex_cny": [80_000_000.0],
        }
    )
    sc = Scenario(stations=dict(SMALL.stations), spurs={"SP1": {"status": "excluded"}})
    r = solve_plan(make_tiny(sc, spurs=spurs), PlanParams(allowed_modes=RAIL_ONLY))
    e1 = r.explanations[r.explanations["enterprise_id"] == "E1"]
    row = e1[e1["kind"] == "spur_excluded"].iloc[0]
    assert row["id"] == "SP1" and row["amount"] == 80_000_000.0
    assert row["fix_en"] == "allow spur SP1"


def test_no_station_in_reach_means_no_clean_chain() -> None:
    def far(f: dict[str, object]) -> None:
        d = f["distances"]
        d.station_km[1, :] = [60.0, 70.0]  # E2 has no station within 40 km
        d.station_h[1, :] = [1.2, 1.4]

    r = solve_plan(make_tiny(edit=far), PlanParams(allowed_modes=RAIL_ONLY))
    x = r.explanations[r.explanations["enterprise_id"] == "E2"]
    assert list(x["kind"]) == ["no_chain"]
    assert x["amount"].iloc[0] == pytest.approx(320_000)
    assert "40 km" in x["reason_en"].iloc[0]


def test_a_low_penalty_is_named_as_the_reason() -> None:
    problem = make_tiny()
    r = solve_plan(problem, PlanParams(shortfall_penalty_cny_per_t=1.0))
    x = r.explanations.set_index("enterprise_id")
    # E1: the cheapest clean tonne is coke with a new-energy instead of a diesel short-haul at the same
    # 91.1 CNY/t plus truck capital: (2 x 0.2 h + 1 h) / 32 t x 69,624.82 CNY / 5,000 h = 0.609 CNY/t,
    # but 4 trucks carry only 457 kt of the coke and a 5th truck would cost more than its 43 kt x 1 CNY/t
    assert x.at["E1", "kind"] == "penalty"
    assert x.at["E1", "amount"] == pytest.approx(1.4 / 32 * 450_000 * 0.05 / (1 - 1.05**-8) / 5000)
    assert "shortfall penalty" in r.enterprises.set_index("enterprise_id").at["E1", "shortfall_reason"]


def test_short_loading_hours_are_named() -> None:
    # S1 loads trucks 30 minutes a day: 0.5 h x 330 days x 5,000 t/h = 825 kt; E1 gets 500 kt coke + 325 kt coal
    problem = make_tiny(Scenario(stations={"S1": {"loading_hours": "06:00-06:30"}}))
    r = solve_plan(problem, PlanParams(allowed_modes=RAIL_ONLY))
    e = r.enterprises.set_index("enterprise_id")
    assert e.at["E1", "shortfall_t"] == pytest.approx(1_200_000 - 825_000)
    assert e.at["E2", "meets_target"]
    x = r.explanations
    # meeting E1's 1.2 Mt through S1 needs 375 kt more loading time and, beyond S1's 1 Mt, 200 kt more handling
    got = {
        (e_, k, i): a for e_, k, i, a in zip(x["enterprise_id"], x["kind"], x["id"], x["amount"], strict=True)
    }
    assert got == pytest.approx(
        {("E1", "station_hours", "S1"): 375_000, ("E1", "station_handling", "S1"): 200_000}
    )
    assert "loading hours" in e.at["E1", "shortfall_reason"]
