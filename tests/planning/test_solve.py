"""The planner on the tiny instance, solved by hand (numbers in the comments), and on the sample."""

from __future__ import annotations

import pandas as pd
import pytest

from cleanfreight.errors import InputError
from cleanfreight.planning import PlanParams, PlanProblem, PlanResult, Scenario, check_plan, solve_plan
from tests.planning.conftest import RULES_OFF, make_tiny

TRUCK_ANNUAL = 450_000 * 0.05 / (1 - 1.05**-8)  # 69,624.82 CNY/yr per new-energy truck


@pytest.fixture(scope="module")
def tiny_plan(tiny: PlanProblem) -> PlanResult:
    return solve_plan(tiny, PlanParams())


def _tonnes(result: PlanResult, flow: str, mode: str) -> float:
    f = result.flows
    return float(f[(f["flow_id"] == flow) & (f["mode"] == mode)]["tonnes"].sum())


def test_tiny_optimum_matches_the_hand_solution(tiny_plan: PlanResult) -> None:
    # E1 needs 0.8 x 1.5 Mt = 1.2 Mt clean. Coke out of the province goes by rail via S1 (the only station
    # within 40 km): 8 (short-haul minimum) + 16.3 + 0.098 x 600 + 5 handling + 3 transfer = 91.1 CNY/t,
    # new-energy short-haul (tie with diesel broken towards the clean chain, which also needs fewer trucks
    # than the 700 kt extra truck_ne alternative). The other 700 kt clean: new-energy trucks direct
    # (0.42 x 100 = 42 CNY/t) beat rail via S1 (61.7 CNY/t); 300 kt stay on China VI trucks (40 CNY/t).
    assert tiny_plan.status == "optimal"
    assert _tonnes(tiny_plan, "E1-F2", "rail_station_ne") == pytest.approx(500_000)
    assert _tonnes(tiny_plan, "E1-F1", "truck_ne") == pytest.approx(700_000)
    assert _tonnes(tiny_plan, "E1-F1", "truck_cn6") == pytest.approx(300_000)
    # E2: 320 kt by new-energy truck (33.6 CNY/t), 80 kt China VI (32 CNY/t)
    assert _tonnes(tiny_plan, "E2-F1", "truck_ne") == pytest.approx(320_000)
    assert _tonnes(tiny_plan, "E2-F1", "truck_cn6") == pytest.approx(80_000)
    # trucks: E1 700k x (2 x 2 h + 1 h)/32 t + 500k x (2 x 0.2 h + 1 h)/32 t = 131,250 h -> 27 trucks of 5,000 h;
    # E2 has 6 (its current 200 kt by truck_ne need 26,250 h) and needs 320k x 4.2/32 = 42,000 h -> 3 more
    assert tiny_plan.builds["trucks"] == {"enterprise:E1": 27, "enterprise:E2": 3}
    transport = 700_000 * 42 + 300_000 * 40 + 500_000 * 91.1 + 320_000 * 33.6 + 80_000 * 32
    assert tiny_plan.objective == pytest.approx(transport + 30 * TRUCK_ANNUAL, rel=1e-9)


def test_tiny_ratios_and_changes(tiny_plan: PlanResult) -> None:
    e = tiny_plan.enterprises.set_index("enterprise_id")
    assert e.at["E1", "ratio_before"] == 0.0  # China VI trucks and rail + diesel short-haul are not clean
    assert e.at["E2", "ratio_before"] == pytest.approx(0.5)
    assert e.at["E1", "ratio_after"] == pytest.approx(0.8)
    assert e.at["E2", "ratio_after"] == pytest.approx(0.8)
    # E1 before: 1 Mt x 40 + 0.5 Mt x 91.1 = 85.55 M CNY; after 86.95 M + 27 trucks
    assert e.at["E1", "delta_cost_cny"] == pytest.approx(
        86_950_000 + 27 * TRUCK_ANNUAL - 85_550_000, rel=1e-9
    )
    assert e.at["E1", "delta_co2_t"] < 0
    assert tiny_plan.city["ratio_after"] == pytest.approx(1_520_000 / 1_900_000)
    assert bool(e["meets_target"].all())
    assert (e["shortfall_reason"] == "").all()


def test_checker_accepts_the_plan_and_catches_a_tampered_one(
    tiny: PlanProblem, tiny_plan: PlanResult
) -> None:
    report = check_plan(tiny, PlanParams(), tiny_plan)
    assert report.ok, report
    flows = tiny_plan.flows.copy()
    flows.loc[flows["mode"] == "truck_ne", "tonnes"] *= 0.5  # demand no longer met, ratio off
    import dataclasses

    bad = check_plan(tiny, PlanParams(), dataclasses.replace(tiny_plan, flows=flows))
    assert not bad.ok
    assert any("E1-F1" in v and "to move" in v for v in bad.violations)
    assert any("ratio_after" in v for v in bad.violations)


def test_lifting_the_rail_only_rule_lets_coke_go_by_truck(tiny: PlanProblem) -> None:
    # every policy rule off (rail may fall too): the 80 % floor alone, as before the rules existed
    params = PlanParams(rail_only_out_of_province=False, **RULES_OFF)
    r = solve_plan(tiny, params)
    # E1-F1 now all by new-energy truck (1 Mt clean); 200 kt of coke still by rail to reach 1.2 Mt,
    # the other 300 kt by China VI truck (0.40 x 200 km = 80 < 91.1 CNY/t)
    assert _tonnes(r, "E1-F1", "truck_ne") == pytest.approx(1_000_000)
    assert _tonnes(r, "E1-F2", "rail_station_ne") == pytest.approx(200_000)
    assert _tonnes(r, "E1-F2", "truck_cn6") == pytest.approx(300_000)
    assert check_plan(tiny, params, r).ok


def test_a_cheap_planned_spur_is_built() -> None:
    spurs = pd.DataFrame(
        {
            "spur_id": ["SP1"],
            "enterprise_id": ["E1"],
            "station_id": ["S1"],
            "status": ["planned"],
            "capacity_t_per_year": [2_000_000.0],
            "capex_cny": [1_000_000.0],
        }
    )
    problem = make_tiny(spurs=spurs)
    r = solve_plan(problem, PlanParams())
    # coke by own spur: 16.3 + 0.098 x 600 + 4 = 79.1 CNY/t instead of 91.1: saves 6 M CNY/yr for ~65 k/yr
    assert r.builds["spurs"] == ["SP1"]
    assert _tonnes(r, "E1-F2", "rail_spur") == pytest.approx(500_000)
    assert check_plan(problem, PlanParams(), r).ok
    # with a budget below its capital cost (and free trucks) it is not built
    tight = PlanParams(budget_cny=500_000.0, ne_truck_capex_cny=0.0)
    r2 = solve_plan(problem, tight)
    assert r2.builds["spurs"] == []
    assert check_plan(problem, tight, r2).ok
    # an excluded spur is never used
    r3 = solve_plan(make_tiny(Scenario(spurs={"SP1": {"status": "excluded"}}), spurs=spurs), PlanParams())
    assert "rail_spur" not in set(r3.flows["mode"])


def test_carbon_price_shifts_tonnes_to_lower_co2_chains(tiny: PlanProblem, tiny_plan: PlanResult) -> None:
    params = PlanParams(carbon_price_cny_per_t=2_000.0)
    r = solve_plan(tiny, params)
    assert r.city["co2_after_t"] < tiny_plan.city["co2_after_t"]
    assert check_plan(tiny, params, r).ok


def test_station_pool_shares_short_haul_trucks(tiny: PlanProblem) -> None:
    params = PlanParams(fleet_pool="station")
    r = solve_plan(tiny, params)
    assert "station:S1" in r.builds["trucks"]
    assert check_plan(tiny, params, r).ok


def test_rail_only_flow_without_capacity_is_explained_not_a_traceback() -> None:
    problem = make_tiny(Scenario(stations={"S1": {"handling_capacity_t_per_year": 200_000.0}}))
    r = solve_plan(problem, PlanParams())
    # 500 kt of coke must leave by rail through S1, which handles 200 kt: the plan comes back with the
    # out-of-province rule missed by 300 kt and the full station named as the cause
    why = r.explanations[r.explanations["enterprise_id"] == "E1"].set_index("kind")
    assert float(why.at["rail_out", "amount"]) == pytest.approx(300_000)
    assert why.loc[["station_handling"], "id"].tolist() == ["S1"]
    assert not next(p for p in r.policy if p["rule"] == "out_of_province_by_rail")["holds"]
    assert check_plan(problem, PlanParams(), r).ok


def test_same_input_same_plan(sample: PlanProblem) -> None:
    a = solve_plan(sample, PlanParams())
    b = solve_plan(sample, PlanParams())
    pd.testing.assert_frame_equal(a.flows, b.flows)
    assert a.builds == b.builds
    assert a.objective == b.objective


def test_sample_plan_reaches_the_target_and_checks(sample: PlanProblem) -> None:
    r = solve_plan(sample, PlanParams())
    assert r.status == "optimal"
    assert len(r.enterprises) == 40
    assert r.city["ratio_before"] < 0.8 <= r.city["ratio_after"]
    assert check_plan(sample, PlanParams(), r).ok
    # coal and coke leaving the province never go by road
    outbound = r.flows.merge(sample.regions[["region_id", "in_province"]], on="region_id")
    mask = (
        outbound["commodity"].isin(["coal", "coke"])
        & (outbound["direction"] == "out")
        & ~outbound["in_province"]
    )
    assert mask.any()
    assert set(outbound.loc[mask, "mode"]) <= {"rail_spur", "rail_station_ne", "rail_station_diesel"}


def test_a_declared_conveyor_is_built_and_used() -> None:
    sc = Scenario(
        conveyors={
            "CV1": {"flow_id": "E2-F1", "km": 5.0, "capacity_t_per_year": 200_000.0, "capex_cny": 1_000_000.0}
        }
    )
    problem = make_tiny(sc)
    r = solve_plan(problem, PlanParams())
    # 0.15 CNY/tkm x 5 km = 0.75 CNY/t, clean: cheaper than any truck for 200 kt
    assert r.builds["conveyors"] == ["CV1"]
    assert _tonnes(r, "E2-F1", "conveyor") == pytest.approx(200_000)
    assert check_plan(problem, PlanParams(), r).ok


def test_corridor_capacity_binds() -> None:
    sc = Scenario(corridors={"east": {"regions": ["R_out"], "capacity_t_per_year": 400_000.0}})
    r0 = solve_plan(make_tiny(sc), PlanParams())  # 500 kt of coke must leave by rail over this corridor
    why = r0.explanations.set_index("kind")
    assert float(why.at["rail_out", "amount"]) == pytest.approx(100_000)
    assert why.loc[["corridor"], "id"].tolist() == ["east"]
    lifted = PlanParams(rail_only_out_of_province=False, **RULES_OFF)
    problem = make_tiny(sc)
    r = solve_plan(problem, lifted)
    assert r.capacities.set_index(["kind", "id"]).at[("corridor", "east"), "used"] <= 400_000 + 1e-6
    assert check_plan(problem, lifted, r).ok


def test_a_directional_corridor_only_counts_its_direction() -> None:
    """A corridor limited to one direction: the 500 kt of coke leave (out); nothing comes in from R_out."""
    for direction, binds in (("out", True), ("in", False), ("both", True)):
        sc = Scenario(corridors={"east": {"regions": ["R_out"], "capacity_t_per_year": 400_000.0,
                                          "direction": direction}})
        problem = make_tiny(sc)
        if binds:
            r = solve_plan(problem, PlanParams())
            assert r.explanations.set_index("kind").loc[["corridor"], "id"].tolist() == ["east"]
            assert r.capacities.set_index(["kind", "id"]).at[("corridor", "east"), "used"] == pytest.approx(4e5)
        else:
            r = solve_plan(problem, PlanParams())
            assert r.capacities.set_index(["kind", "id"]).at[("corridor", "east"), "used"] == 0.0
            assert check_plan(problem, PlanParams(), r).ok
    with pytest.raises(InputError, match=r"corridors\.east\.direction"):
        Scenario(corridors={"east": {"regions": ["R_out"], "capacity_t_per_year": 1.0, "direction": "up"}})


def test_ratio_before_equals_the_accounting_baseline(sample: PlanProblem) -> None:
    from cleanfreight.accounting.baseline import baseline_report
    from cleanfreight.enterprises import load_enterprises

    base = baseline_report(load_enterprises()).enterprises.set_index("enterprise_id")["clean_ratio"]
    mine = solve_plan(sample, PlanParams(explain=False)).enterprises.set_index("enterprise_id")[
        "ratio_before"
    ]
    pd.testing.assert_series_equal(mine.sort_index(), base.sort_index(), check_names=False, atol=1e-12)
