"""The MathOpt/SCIP optimum equals an independently written HiGHS model (highspy) on small instances.

The HiGHS model below is written from the formulation in docs/planning.md, reading only the candidate
chains (whose per-tonne figures the checker recomputes leg by leg) and the problem tables.
"""

from __future__ import annotations

import math

import highspy
import numpy as np
import pandas as pd
import pytest

from cleanfreight.accounting.rulebooks import load_rulebook
from cleanfreight.planning import PlanParams, PlanProblem, solve_plan

INF = highspy.kHighsInf


def _highs_optimum(
    problem: PlanProblem, params: PlanParams, chains: pd.DataFrame, current: pd.DataFrame
) -> float:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("random_seed", 0)
    ncol = 0

    def col(cost: float, lb: float, ub: float, integer: bool = False) -> int:
        nonlocal ncol
        h.addCol(cost, lb, ub, 0, np.array([], dtype=np.int32), np.array([]))
        if integer:
            h.changeColIntegrality(ncol, highspy.HighsVarType.kInteger)
        ncol += 1
        return ncol - 1

    def row(lb: float, ub: float, terms: list[tuple[int, float]]) -> None:
        idx = np.array([i for i, _ in terms], dtype=np.int32)
        val = np.array([a for _, a in terms], dtype=float)
        h.addRow(lb, ub, len(terms), idx, val)

    crf = lambda years: params.discount_rate / (1 - (1 + params.discount_rate) ** -years)  # noqa: E731
    flows = problem.flows.set_index("flow_id")
    x = []
    for r in chains.itertuples(index=False):
        c = r.cost_cny_per_t + params.carbon_price_cny_per_t * r.co2_kg_per_t / 1000
        x.append(
            col(c, r.fixed_t, r.fixed_t)
            if r.fixed
            else col(c, 0.0, float(flows.at[r.flow_id, "tonnes_per_year"]))
        )
    free = ~chains["fixed"].to_numpy(bool)
    # demand
    for fid in flows.index:
        idx = np.flatnonzero(chains["flow_id"].to_numpy() == fid)
        t = float(flows.at[fid, "tonnes_per_year"])
        row(t, t, [(x[i], 1.0) for i in idx])
    # stations
    via = chains["mode"].isin(["rail_station_ne", "rail_station_diesel"]).to_numpy() & free
    for s in problem.stations.itertuples(index=False):
        idx = np.flatnonzero(via & (chains["station_id"].to_numpy() == s.station_id))
        if len(idx) == 0:
            continue
        row(-INF, float(s.handling_capacity_t_per_year), [(x[i], 1.0) for i in idx])
        row(
            -INF,
            s.loading_hours_per_day * params.days_per_year * params.station_loading_t_per_hour,
            [(x[i], 1.0) for i in idx],
        )
    # spurs
    for s in problem.spurs.itertuples(index=False):
        idx = np.flatnonzero(free & (chains["spur_id"].to_numpy() == s.spur_id))
        if len(idx) == 0:
            continue
        terms = [(x[i], 1.0) for i in idx]
        if s.status == "existing":
            row(-INF, float(s.capacity_t_per_year), terms)
        else:
            y = col(float(s.capex_cny) * crf(params.spur_lifetime_years), 0, 1, integer=True)
            row(-INF, 0.0, [*terms, (y, -float(s.capacity_t_per_year))])
    # rail mainlines: tonnes of the rail chains routed over each (chains name their lines; the checker
    # recomputes them), less the through traffic outside the plan
    rail = chains["mode"].isin(["rail_spur", "rail_station_ne", "rail_station_diesel"]).to_numpy() & free
    if params.rail_line_capacities:
        for ln in problem.lines.itertuples(index=False):
            if pd.isna(ln.capacity_t_per_year) or ln.lifted:
                continue
            on = np.array([ln.line_id in str(v).split(";") for v in chains["rail_lines"].fillna("")])
            idx = np.flatnonzero(rail & on)
            if len(idx):
                cap = float(ln.capacity_t_per_year) - float(ln.other_traffic_t_per_year)
                row(-INF, cap, [(x[i], 1.0) for i in idx])
    # restriction zones: the chains the zone bans get the non-banned share of the enterprise's tonnes
    zones = problem.zones.set_index("zone_id")
    zoned = chains[free & chains["zone_id"].notna().to_numpy()]
    movable = problem.flows[problem.flows["flow_id"].isin(set(chains.loc[free, "flow_id"]))]
    ent_t = movable.groupby("enterprise_id")["tonnes_per_year"].sum()
    for (zid, e), grp in zoned.groupby(["zone_id", "enterprise_id"]):
        share = (24.0 - float(zones.at[zid, "banned_hours_per_day"])) / 24.0
        row(-INF, share * float(ent_t[e]), [(x[i], 1.0) for i in grp.index])
    # fleets (existing trucks: what the current new-energy tonnes need)
    truck_annual = params.ne_truck_capex_cny * crf(params.truck_lifetime_years)
    cur = current[current["pool"] != ""]
    need = (cur["truck_h_per_t"] * cur["tonnes"]).groupby(cur["pool"]).sum()
    pools = chains.loc[free & (chains["pool"] != "").to_numpy(), "pool"]
    for p in sorted(set(pools)):
        idx = np.flatnonzero(free & (chains["pool"].to_numpy() == p))
        n = col(truck_annual, 0, INF, integer=True)
        existing = math.ceil(float(need.get(p, 0.0)) / params.truck_hours_per_year - 1e-9)
        row(
            -INF,
            existing * params.truck_hours_per_year,
            [
                *[(x[i], float(chains["truck_h_per_t"].iat[i])) for i in idx],
                (n, -params.truck_hours_per_year),
            ],
        )
    # swap stations
    swap_annual = params.swap_unit_capex_cny * crf(params.swap_lifetime_years)
    sw = problem.swap_stations.reset_index(drop=True)
    for w in sorted(set(chains.loc[free & (chains["swap_idx"] >= 0).to_numpy(), "swap_idx"])):
        idx = np.flatnonzero(free & (chains["swap_idx"].to_numpy() == w))
        u = col(swap_annual, 0, params.max_swap_units, integer=True)
        row(
            -INF,
            float(sw.at[int(w), "swaps_per_day"]) * params.days_per_year,
            [
                *[(x[i], float(chains["swaps_per_t"].iat[i])) for i in idx],
                (u, -params.swap_unit_swaps_per_day * params.days_per_year),
            ],
        )
    # targets (80 % of the bulk tonnes under both rulebooks used here)
    rb = load_rulebook(params.rulebook)
    is_bulk = problem.flows.set_index("flow_id")["commodity"].map(rb.is_bulk)
    chain_bulk = chains["flow_id"].map(is_bulk).to_numpy(bool)
    bulk = (
        problem.flows[problem.flows["flow_id"].map(is_bulk)].groupby("enterprise_id")["tonnes_per_year"].sum()
    )
    share = (
        params.ne_share_of_shortfall if params.ne_share_of_shortfall is not None else rb.ne_share_of_shortfall
    )
    # policy (docs/planning.md, "Policy rules"): floors at max(target, today's ratio), rail does not fall,
    # out-of-province coal/coke by rail; each missed at the policy price
    prb = params.policy_rulebook()
    cur_bulk = current["flow_id"].map(is_bulk).to_numpy(bool)
    cur_t = current["tonnes"].to_numpy(float)
    cur_clean = pd.Series(np.where(cur_bulk & current["clean"].to_numpy(bool), cur_t, 0.0)).groupby(
        current["enterprise_id"].to_numpy()).sum()
    cur_base = pd.Series(np.where(cur_bulk, cur_t, 0.0)).groupby(current["enterprise_id"].to_numpy()).sum()
    cur_rail = pd.Series(np.where(current["rail"].to_numpy(bool), cur_t, 0.0)).groupby(
        current["enterprise_id"].to_numpy()).sum()
    pw = params.policy_penalty_cny_per_t
    for e, b in bulk.items():
        target = 0.8
        before = float(cur_clean.get(e, 0.0)) / float(cur_base.get(e, 0.0)) if cur_base.get(e, 0.0) else 0.0
        floor = max(target, before) if prb.no_backsliding else target
        need_e = floor * float(b)
        mine = (chains["enterprise_id"].to_numpy() == e) & chain_bulk
        idx = np.flatnonzero(mine & chains["clean"].to_numpy(bool))
        weight = max(params.shortfall_penalty_cny_per_t, pw) if floor > target else params.shortfall_penalty_cny_per_t
        s = col(weight, 0, need_e)
        row(need_e, INF, [*[(x[i], 1.0) for i in idx], (s, 1.0)])
        if share:  # new-energy trucks direct carry >= share x the shortfall (or pay for the miss)
            ne = np.flatnonzero(mine & (chains["mode"] == "truck_ne").to_numpy())
            miss = col(params.ne_share_penalty_cny_per_t, 0, INF)
            row(0.0, INF, [*[(x[i], 1.0) for i in ne], (s, -float(share)), (miss, 1.0)])
    is_rail = chains["mode"].isin(["rail_spur", "rail_station_ne", "rail_station_diesel"]).to_numpy()
    if prb.rail_no_decrease:
        for e, r0 in cur_rail.items():
            if r0 > 1e-6:
                idx = np.flatnonzero(is_rail & (chains["enterprise_id"].to_numpy() == e))
                row(float(r0), INF, [*[(x[i], 1.0) for i in idx], (col(pw, 0, float(r0)), 1.0)])
        city = float(cur_rail.sum())
        row(city, INF, [*[(x[i], 1.0) for i in np.flatnonzero(is_rail)], (col(pw, 0, city), 1.0)])
    regions = problem.regions.set_index("region_id")
    share_out = params.out_of_province_share(prb)
    for fid, f in flows.iterrows():
        leaves = (
            f["commodity"] in prb.rail_only_out_of_province
            and f["direction"] == "out"
            and not bool(regions.at[f["region_id"], "in_province"])
        )
        if share_out > 0 and leaves and not chains.loc[chains["flow_id"] == fid, "fixed"].any():
            need = share_out * float(f["tonnes_per_year"])
            idx = np.flatnonzero(is_rail & (chains["flow_id"].to_numpy() == fid))
            row(need, INF, [*[(x[i], 1.0) for i in idx], (col(pw, 0, need), 1.0)])
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)


@pytest.mark.parametrize("seed", [3, 7])
def test_optimum_equals_independent_highs(seed: int) -> None:
    from cleanfreight.planning import synthetic_problem

    problem = synthetic_problem(25, 5, seed=seed, line_headroom=0.25)  # rail lines bind
    params = PlanParams(tie_break_cny_per_t=0.0, relative_gap=1e-9, explain=False)
    res = solve_plan(problem, params)
    assert res.status == "optimal"
    want = _highs_optimum(problem, params, res.chains, res.current)
    assert res.meta["solver_objective"] == pytest.approx(want, rel=1e-7)
    assert res.objective == pytest.approx(want, rel=1e-7)


def test_tiny_optimum_equals_independent_highs(tiny: PlanProblem) -> None:
    params = PlanParams(tie_break_cny_per_t=0.0, relative_gap=1e-9, explain=False)
    res = solve_plan(tiny, params)
    assert res.objective == pytest.approx(_highs_optimum(tiny, params, res.chains, res.current), rel=1e-9)


def test_lines_zone_and_cement_rule_optimum_equals_independent_highs() -> None:
    from shapely.geometry import box

    from cleanfreight.planning import Scenario
    from tests.planning.conftest import make_tiny

    def edit(f: dict) -> None:
        f["stations"]["line_ids"] = ["L1", "L1;L2"]
        f["regions"]["rail_line_ids"] = ["L1", "L2"]

    lines = pd.DataFrame({"line_id": ["L1", "L2"], "capacity_t_per_year": [1.1e6, 6e5]})
    zones = pd.DataFrame(
        {
            "zone_id": ["RZ"],
            "hgv_banned_hours": ["04:00-24:00"],
            "new_energy_exempt": [True],
            "geometry": [box(113.09, 36.19, 113.105, 36.205)],
        }
    )
    sc = Scenario(stations={"S1": {"handling_capacity_t_per_year": 5e6}})
    problem = make_tiny(sc, edit=edit, lines=lines, zones=zones)
    for params in (
        PlanParams(tie_break_cny_per_t=0.0, relative_gap=1e-9, explain=False),
        PlanParams(
            rulebook="mee-cement-2024",
            shortfall_penalty_cny_per_t=40.0,
            tie_break_cny_per_t=0.0,
            relative_gap=1e-9,
            explain=False,
        ),
    ):
        res = solve_plan(problem, params)
        assert set(res.capacities["kind"]) >= {"rail_line", "zone"}
        want = _highs_optimum(problem, params, res.chains, res.current)
        assert res.objective == pytest.approx(want, rel=1e-9)
