"""Rail line capacities, the truck restriction zone and the cement rule, on the tiny instance by hand.

Figures used below (see test_solve for the tiny instance's costs): China VI truck 0.40 CNY/tkm, new-energy
truck 0.42 CNY/tkm, coke by rail via S1 91.1 CNY/t; a new-energy truck costs 69,624.82 CNY/yr and
works 5,000 h; per tonne it needs (2 x one-way hours + 1 h) / 32 t.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from shapely.geometry import box

from cleanfreight.errors import SolverError
from cleanfreight.planning import PlanParams, PlanProblem, PlanResult, Scenario, check_plan, solve_plan
from cleanfreight.planning._chains import build_chains, line_path
from cleanfreight.planning._verify_rail import _rail_lines_used
from tests.planning.conftest import make_tiny

TRUCK_ANNUAL = 450_000 * 0.05 / (1 - 1.05**-8)


def _tonnes(result: PlanResult, flow: str, mode: str) -> float:
    f = result.flows
    return float(f[(f["flow_id"] == flow) & (f["mode"] == mode)]["tonnes"].sum())


def _blocked(problem: PlanProblem, params: PlanParams) -> list[str]:
    with pytest.raises(SolverError) as err:
        solve_plan(problem, params)
    return [ln for ln in str(err.value).splitlines() if ln.startswith("  - ")]


# ---- rail line capacities ----------------------------------------------------------------------
def _on_lines(f: dict) -> None:
    """S1 on line L1, S2 the junction of L1 and L2; R_in is reached on L1, R_out on L2."""
    f["stations"]["line_ids"] = ["L1", "L1;L2"]
    f["regions"]["rail_line_ids"] = ["L1", "L2"]


def _lines(l1: float | None, l2: float | None, other_l2: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_id": ["L1", "L2"],
            "name_zh": ["一号线", "二号线"],
            "name_en": ["Line One", "Line Two"],
            "capacity_t_per_year": [l1, l2],
            "other_traffic_t_per_year": [0.0, other_l2],
        }
    )


def test_line_path_crosses_junctions_and_the_checker_agrees() -> None:
    adj = {"L1": {"L2", "L3"}, "L2": {"L1", "L4"}, "L3": {"L1", "L4"}, "L4": {"L2", "L3"}}
    joins = [["L1", "L2"], ["L1", "L3"], ["L2", "L4"], ["L3", "L4"]]
    cases = [
        (("L1",), ("L4",), ("L1", "L2", "L4")),  # two shortest paths: the alphabetically first
        (("L3", "L1"), ("L1",), ("L1",)),  # a station on the region's line uses only that line
        (("L4",), ("L1", "L9"), ("L4", "L2", "L1")),
        ((), ("L3", "L2"), ("L2",)),  # no station line: the region's first
        (("L1",), (), ()),  # the region's line is unknown: no line row
        (("L9",), ("L1",), ("L9", "L1")),  # not connected
    ]
    for start, goal, want in cases:
        assert line_path(start, goal, adj) == want
        assert tuple(_rail_lines_used(list(start), list(goal), joins)) == want


def test_sample_rail_chains_run_on_the_lines_between_station_and_region(sample: PlanProblem) -> None:
    from cleanfreight.accounting.rulebooks import load_rulebook

    ch = build_chains(sample, PlanParams(), load_rulebook("changzhi-2024"))
    got = dict(
        zip(
            zip(ch.candidates["station_id"], ch.candidates["region_id"], strict=True),
            ch.candidates["rail_lines"],
            strict=True,
        )
    )
    # 长治北 (TJ;HC;TL) to Rizhao (WR): 太焦 to 长治南, then 瓦日; 长治南 is on 瓦日 itself
    assert got[("CZB", "out_wari_east")] == "TJ;WR"
    assert got[("CZN", "out_wari_east")] == "WR"
    assert got[("TL", "out_wari_east")] == "TL;TJ;WR"
    assert got[("LC", "out_hebei_handan")] == "HC"
    lines = sample.lines.set_index("line_id")["capacity_t_per_year"].to_dict()
    assert lines == {"TJ": 7.0e7, "HC": 4.0e7, "WR": 2.0e8, "TL": 2.0e7}


def _rail_out_miss(problem: PlanProblem, params: PlanParams) -> PlanResult:
    """A plan in which the out-of-province rule cannot hold: it still comes back, with the cause named."""
    r = solve_plan(problem, params)
    rule = next(p for p in r.policy if p["rule"] == "out_of_province_by_rail")
    assert rule["applied"] and not rule["holds"]
    assert check_plan(problem, params, r).ok
    return r


def test_a_full_rail_line_blocks_the_rail_only_coke() -> None:
    # 500 kt of coke must leave by rail via S1 (line L1) and then L2: L2 takes 400 kt. The plan comes back:
    # 400 kt by rail, 100 kt left on the road, the rule reported missed with the full line as its cause
    problem = make_tiny(edit=_on_lines, lines=_lines(None, 400_000.0))
    r = _rail_out_miss(problem, PlanParams())
    rail_out = r.flows[(r.flows["flow_id"] == "E1-F2") & r.flows["mode"].str.startswith("rail")]
    assert float(rail_out["tonnes"].sum()) == pytest.approx(400_000)
    why = r.explanations.set_index("kind")
    assert float(why.at["rail_out", "amount"]) == pytest.approx(100_000)
    assert why.at["rail_out", "id"] == "E1-F2"
    assert "rail_line" in why.index and why.loc[["rail_line"], "id"].tolist() == ["L2"]
    e1 = r.enterprises.set_index("enterprise_id").loc["E1"]
    assert float(e1["out_of_province_missing_t"]) == pytest.approx(100_000)
    assert not bool(e1["meets_target"])
    assert "cannot go by rail" in str(e1["shortfall_reason"])
    # through traffic outside the plan leaves only the rest of a line's capacity
    busy = make_tiny(edit=_on_lines, lines=_lines(None, 1_000_000.0, other_l2=600_000.0))
    r2 = _rail_out_miss(busy, PlanParams())
    assert float(r2.enterprises.set_index("enterprise_id").at["E1", "out_of_province_missing_t"]) == pytest.approx(
        100_000
    )


def test_a_scenario_lifts_a_line_and_a_parameter_lifts_them_all(tiny: PlanProblem) -> None:
    base = solve_plan(tiny, PlanParams()).objective
    lifted = make_tiny(Scenario(rail_lines={"L2": {"lifted": True}}), edit=_on_lines, lines=_lines(None, 4e5))
    r = solve_plan(lifted, PlanParams())
    assert r.objective == pytest.approx(base, rel=1e-12)
    assert "rail_line" not in set(r.capacities["kind"])
    off = make_tiny(edit=_on_lines, lines=_lines(None, 4e5))
    assert solve_plan(off, PlanParams(rail_line_capacities=False)).objective == pytest.approx(base, rel=1e-12)
    raised = make_tiny(
        Scenario(rail_lines={"L2": {"capacity_t_per_year": 5e5}}), edit=_on_lines, lines=_lines(None, 4e5)
    )
    r2 = solve_plan(raised, PlanParams())
    assert r2.capacities.set_index(["kind", "id"]).at[("rail_line", "L2"), "used"] == pytest.approx(5e5)
    assert check_plan(raised, PlanParams(), r2).ok


def test_a_binding_line_is_named_in_the_shortfall_reason() -> None:
    # Only rail counts as clean here (no new-energy trucks direct), S1 handles 5 Mt. Rail tonnes on L1:
    # coke 500 kt + E1 coal 700 kt + E2 limestone 320 kt = 1.52 Mt for the targets; L1 takes 1.4 Mt.
    sc = Scenario(stations={"S1": {"handling_capacity_t_per_year": 5e6}})
    params = PlanParams(allowed_modes=("rail_station_ne", "rail_station_diesel", "truck_cn6"))
    problem = make_tiny(sc, edit=_on_lines, lines=_lines(1_400_000.0, None))
    r = solve_plan(problem, params)
    cap = r.capacities.set_index(["kind", "id"])
    assert cap.at[("rail_line", "L1"), "used"] == pytest.approx(1_400_000)
    assert bool(cap.at[("rail_line", "L1"), "binding"])
    assert r.city["shortfall_t"] == pytest.approx(120_000)
    missed = r.enterprises[~r.enterprises["meets_target"]]
    assert len(missed) >= 1
    for rec in missed.itertuples():
        assert "rail line L1 (Line One) is full" in rec.shortfall_reason
        assert "铁路干线L1（一号线）" in rec.shortfall_reason_zh
    assert check_plan(problem, params, r).ok
    # the checker reads the line's capacity again: a smaller line is caught
    smaller = make_tiny(sc, edit=_on_lines, lines=_lines(1_300_000.0, None))
    report = check_plan(smaller, params, r)
    assert not report.ok
    assert any(
        v.startswith("rail line L1: 1,400,000.0 used > capacity 1,300,000.0") for v in report.violations
    )


def test_unknown_rail_line_in_a_scenario_is_named() -> None:
    from cleanfreight.errors import InputError

    with pytest.raises(InputError) as err:
        make_tiny(
            Scenario(rail_lines={"L7": {"capacity_t_per_year": 1.0}}), edit=_on_lines, lines=_lines(1, 1)
        )
    assert [p.column for p in err.value.problems] == ["rail_lines.L7"]
    assert "known: L1, L2" in err.value.problems[0].message


# ---- restriction zone ----------------------------------------------------------------------------
def _zone(banned: str = "02:00-24:00", exempt: bool = True) -> pd.DataFrame:
    """A zone around E1 (113.10, 36.20); E2 and the stations lie outside."""
    return pd.DataFrame(
        {
            "zone_id": ["RZ"],
            "name_zh": ["限行区"],
            "name_en": ["Zone"],
            "hgv_banned_hours": [banned],
            "new_energy_exempt": [exempt],
            "geometry": [box(113.09, 36.19, 113.105, 36.205)],
        }
    )


def test_diesel_trucks_of_an_enterprise_in_the_zone_get_the_non_banned_hours() -> None:
    # Banned 22 h of 24: diesel truck legs of E1 carry at most 2/24 x 1.5 Mt = 125 kt. Without the zone
    # E1-F1 sends 300 kt by China VI truck; now 125 kt, and 875 kt by new-energy truck (exempt).
    # E1 trucks: 875 kt x 5 h / 32 t + 500 kt coke short-haul x 1.4 h / 32 t = 158,593.75 h -> 32.
    problem = make_tiny(zones=_zone())
    r = solve_plan(problem, PlanParams())
    assert _tonnes(r, "E1-F1", "truck_cn6") == pytest.approx(125_000)
    assert _tonnes(r, "E1-F1", "truck_ne") == pytest.approx(875_000)
    assert _tonnes(r, "E1-F2", "rail_station_ne") == pytest.approx(500_000)
    assert _tonnes(r, "E2-F1", "truck_cn6") == pytest.approx(80_000)  # E2 is outside the zone
    assert r.builds["trucks"] == {"enterprise:E1": 32, "enterprise:E2": 3}
    transport = 125_000 * 40 + 875_000 * 42 + 500_000 * 91.1 + 80_000 * 32 + 320_000 * 33.6
    assert r.objective == pytest.approx(transport + 35 * TRUCK_ANNUAL, rel=1e-9)
    zone = r.capacities.set_index(["kind", "id"]).loc[("zone", "RZ:E1")]
    assert zone["capacity"] == pytest.approx(125_000) and bool(zone["binding"])
    assert check_plan(problem, PlanParams(), r).ok
    # the checker finds the enterprise in the zone itself: a plan made without the zone breaks it
    free = solve_plan(make_tiny(), PlanParams())
    report = check_plan(problem, PlanParams(), free)
    assert any(
        v.startswith("restriction zone RZ:E1: 300,000.0 used > capacity 125,000.0") for v in report.violations
    )


def test_zone_lifted_or_not_exempting_new_energy_trucks(tiny: PlanProblem) -> None:
    base = solve_plan(tiny, PlanParams()).objective
    lifted = make_tiny(Scenario(restriction_zones={"RZ": {"lifted": True}}), zones=_zone())
    assert solve_plan(lifted, PlanParams()).objective == pytest.approx(base, rel=1e-12)
    assert solve_plan(
        make_tiny(zones=_zone()), PlanParams(restriction_zones=False)
    ).objective == pytest.approx(base, rel=1e-12)
    # new-energy trucks banned too: every chain of E1 has a truck leg, 1.375 Mt cannot move
    # a ban that does not exempt new-energy trucks leaves E1 no chain for most of its tonnes: its flows keep
    # their current split (unplannable, with the reason), E2 is still planned, and the plan comes back
    strict = make_tiny(zones=_zone(exempt=False))
    r = solve_plan(strict, PlanParams())
    assert set(r.meta["blocked_flows"]) == {"E1-F1", "E1-F2"}
    assert all("zone RZ:E1: 1,375,000 more needed" in why for why in r.meta["blocked_flows"].values())
    assert set(r.explanations.loc[r.explanations["kind"] == "unplannable", "id"]) == {"E1-F1", "E1-F2"}
    kept = r.flows[r.flows["fixed"].astype(bool)]
    assert set(kept["flow_id"]) == {"E1-F1", "E1-F2"}
    assert bool(r.enterprises.set_index("enterprise_id").at["E2", "meets_target"])
    assert check_plan(strict, PlanParams(), r).ok


# ---- cement rule: new-energy trucks carry >= 60 % of the shortfall -------------------------------
CEMENT = PlanParams(rulebook="mee-cement-2024", shortfall_penalty_cny_per_t=10.0)


def test_new_energy_trucks_carry_the_cement_rule_share_of_the_shortfall(tiny: PlanProblem) -> None:
    # Cement rule: trucks are not clean, coke is not bulk. At 10 CNY/t penalty rail (about 22 CNY/t more)
    # is not worth it: E1 misses 800 kt (0.8 x 1 Mt coal), E2 320 kt. New-energy trucks must carry 60 %:
    # E1 480 kt (75,000 h -> 15 new trucks), E2 192 kt (within its 6 trucks: 25,200 h of 30,000).
    r = solve_plan(tiny, CEMENT)
    assert _tonnes(r, "E1-F1", "truck_ne") == pytest.approx(480_000)
    assert _tonnes(r, "E2-F1", "truck_ne") == pytest.approx(192_000)
    assert r.builds["trucks"] == {"enterprise:E1": 15, "enterprise:E2": 0}
    e = r.enterprises.set_index("enterprise_id")
    assert e.at["E1", "shortfall_t"] == pytest.approx(800_000) and e.at["E2", "shortfall_t"] == pytest.approx(
        320_000
    )
    assert e.at["E1", "ne_required_t"] == pytest.approx(480_000) and e.at["E1", "ne_missing_t"] == 0.0
    assert r.city["ne_share_of_shortfall"] == 0.6
    transport = 520_000 * 40 + 480_000 * 42 + 500_000 * 91.1 + 208_000 * 32 + 192_000 * 33.6
    assert r.objective == pytest.approx(transport + 15 * TRUCK_ANNUAL + 10 * 1_120_000, rel=1e-9)
    assert check_plan(tiny, CEMENT, r).ok
    # without the rule nothing goes by new-energy truck (China VI is cheaper)
    off = CEMENT.replace(ne_share_of_shortfall=0.0)
    assert "truck_ne" not in set(solve_plan(tiny, off).flows["mode"])
    # the checker recomputes the share: new-energy tonnes moved to China VI trucks are caught
    flows = r.flows.copy()
    flows.loc[(flows["flow_id"] == "E2-F1") & (flows["mode"] == "truck_ne"), "mode"] = "truck_cn6"
    flows.loc[flows["mode"] == "truck_cn6", "cost_cny_per_t"] = flows["road_km"] * 0.4
    bad = check_plan(tiny, CEMENT, dataclasses.replace(r, flows=flows))
    assert any(
        v.startswith("enterprise E2: new-energy trucks carry 0.0 t, 192,000.0 t short")
        for v in bad.violations
    )


def test_a_cement_rule_that_cannot_be_met_is_reported_and_explained(tiny: PlanProblem) -> None:
    # No new-energy truck may drive 80-100 km direct: the rule cannot hold, so the plan closes what it can
    # by rail (E1 500 kt via S1, full with the coke; E2 320 kt via S2) and reports E1's miss:
    # shortfall 800 - 500 = 300 kt, new-energy trucks missing 0.6 x 300 = 180 kt.
    params = CEMENT.replace(ne_direct_max_km=50.0)
    r = solve_plan(tiny, params)
    e = r.enterprises.set_index("enterprise_id")
    assert e.at["E1", "shortfall_t"] == pytest.approx(300_000)
    assert e.at["E1", "ne_missing_t"] == pytest.approx(180_000)
    assert e.at["E2", "shortfall_t"] == 0.0
    assert "180,000 t/yr less than the rule's 60 % of the shortfall" in e.at["E1", "shortfall_reason"]
    kinds = set(r.explanations.loc[r.explanations["enterprise_id"] == "E1", "kind"])
    assert {"ne_share", "station_handling"} <= kinds
    assert check_plan(tiny, params, r).ok
