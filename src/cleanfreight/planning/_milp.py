"""The mixed-integer model behind :func:`cleanfreight.planning.solve_plan` (OR-Tools MathOpt).

Kept private: callers see :class:`~cleanfreight.planning.solve.PlanResult`. The formulation is
written out in ``docs/planning.md``; names below follow it (x: tonnes per chain, y: spur built,
k: conveyor built, n: new trucks per pool, u: swap units per swap station, s: shortfall per enterprise).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from ortools.math_opt.python import mathopt

from cleanfreight.errors import SolverError
from cleanfreight.planning._chains import ChainTables
from cleanfreight.planning._policy_rows import (
    add_policy_rows,
    before_figures,
    unit_costs,
)
from cleanfreight.planning.params import PlanParams
from cleanfreight.planning.problem import PlanProblem, rail_capacity_rows

log = logging.getLogger(__name__)

_SOLVER_TYPES = {"scip": mathopt.SolverType.GSCIP}

#: penalties of the diagnostic (elastic) model, per unit of violation
_ELASTIC_T = 1.0e4  # per tonne over a capacity
_ELASTIC_SWAP = 1.0e3  # per swap per year over a swap station's capacity
_ELASTIC_CNY = 10.0  # per CNY over budget
_ELASTIC_SPUR = 1.0e7  # for building a spur the scenario excluded
_DIAG_SHORTFALL = 1.0e7  # per tonne of target still missed in the diagnostic
_UNSERVED = 1.0e7  # per tonne of a flow no allowed chain can carry within the capacities (fallback solve)


@dataclass
class Row:
    """One capacity-type constraint: ``lhs <= rhs`` (``kind``, ``key``) with its terms."""

    kind: str
    key: str
    con: Any
    rhs: float
    elastic: Any = None


@dataclass
class BuiltModel:
    model: mathopt.Model
    x: list[Any]
    spur_y: dict[int, Any]
    conv_k: dict[int, Any]
    trucks: dict[str, Any]
    swap_u: dict[int, Any]
    shortfall: dict[str, Any]
    rows: list[Row]
    pools: pd.DataFrame  # pool, existing, hours_per_truck
    bulk_tonnes: dict[str, float]
    targets: dict[str, float]
    capex_terms: dict[str, float] = field(default_factory=dict)
    excluded_spur_y: dict[int, Any] = field(default_factory=dict)
    ne_missing: dict[str, Any] = field(default_factory=dict)
    floors: dict[str, float] = field(default_factory=dict)  # max(target, today's ratio) where no backsliding
    rail_missing: dict[str, Any] = field(default_factory=dict)  # per enterprise, "city" for the city row
    oop_missing: dict[str, Any] = field(default_factory=dict)  # per out-of-province coal/coke flow
    city_clean_missing: Any = None
    unserved: dict[str, Any] = field(default_factory=dict)  # per flow, fallback solve only
    unit: Any = None  # objective coefficient per chain (without the tie-break)
    shortfall_weight: dict[str, float] = field(default_factory=dict)  # price per tonne below the floor


def pool_table(ch: ChainTables, problem: PlanProblem, params: PlanParams) -> pd.DataFrame:
    """Truck pools with their existing trucks (scenario ``[fleet]``, else what current new-energy tonnes need)."""
    free = ch.candidates[~ch.candidates["fixed"].astype(bool)]
    cand_pools = sorted(set(free.loc[free["pool"] != "", "pool"]))
    cur = ch.current[ch.current["pool"] != ""]
    need = (
        (cur["truck_h_per_t"] * cur["tonnes"]).groupby(cur["pool"]).sum()
        if len(cur)
        else pd.Series(dtype=float)
    )
    pools = sorted(set(cand_pools) | set(need.index))
    rows = []
    for p in pools:
        key = p.split(":", 1)[1]
        if key in problem.fleet:
            existing = int(problem.fleet[key])
        elif params.existing_fleet == "current":
            existing = math.ceil(float(need.get(p, 0.0)) / params.truck_hours_per_year - 1e-9)
        else:
            existing = 0
        rows.append({"pool": p, "existing_trucks": existing})
    return pd.DataFrame(rows, columns=["pool", "existing_trucks"])


def build_model(
    ch: ChainTables,
    problem: PlanProblem,
    params: PlanParams,
    *,
    diagnostic: bool = False,
    targets_elastic: bool = False,
    allow_unserved: bool = False,
) -> BuiltModel:
    """Assemble the model.

    ``diagnostic``: elastic capacities, every spur allowed, LP; targets (nearly) hard unless
    ``targets_elastic`` (then the capacities only stretch where moving the flows at all needs it).
    ``allow_unserved``: a flow may leave tonnes unmoved at a very high price (finds the flows no allowed
    chain can carry, which then keep their current split).
    """
    cand = ch.candidates
    fl = ch.flows
    m = mathopt.Model(name="cleanfreight-plan" + ("-diagnostic" if diagnostic else ""))
    integer = not diagnostic
    obj = m.objective
    m.objective.is_maximize = False

    # x: tonnes per chain
    flow_t = fl["tonnes_per_year"].to_numpy(float)
    cf = cand["flow_idx"].to_numpy(int)
    bulk_c = fl["bulk"].to_numpy(bool)[cf] if len(cand) else np.zeros(0, dtype=bool)
    base_unit = unit_costs(cand, bulk_c, params, params.cost_factors(problem.factors))
    unit = base_unit + params.tie_break_cny_per_t * cand["rank"].to_numpy(float)
    fixed = cand["fixed"].to_numpy(bool)
    fixed_t = cand["fixed_t"].to_numpy(float)
    x = [
        m.add_variable(lb=float(fixed_t[i]), ub=float(fixed_t[i]), name=f"x[{i}]")
        if fixed[i]
        else m.add_variable(lb=0.0, ub=float(flow_t[cf[i]]), name=f"x[{i}]")
        for i in range(len(cand))
    ]
    for i, v in enumerate(x):
        obj.set_linear_coefficient(v, float(unit[i]))

    rows: list[Row] = []
    free = cand[~fixed]  # fixed (unplannable) flows stay out of the capacity rows

    def add_row(
        kind: str,
        key: str,
        idx: np.ndarray,
        coef: np.ndarray,
        rhs: float,
        *,
        elastic_w: float | None,
        extra: Sequence[tuple[Any, float]] = (),
    ) -> Row:
        con = m.add_linear_constraint(ub=rhs, name=f"{kind}[{key}]")
        for i, a in zip(idx.tolist(), coef.tolist(), strict=True):
            if a != 0.0:
                con.set_coefficient(x[i], a)
        for var, a in extra:
            con.set_coefficient(var, a)
        el = None
        if diagnostic and elastic_w is not None:
            el = m.add_variable(lb=0.0, name=f"elastic_{kind}[{key}]")
            con.set_coefficient(el, -1.0)
            obj.set_linear_coefficient(el, elastic_w)
        row = Row(kind, key, con, rhs, el)
        rows.append(row)
        return row

    # demand: every flow's tonnes are moved (flows without any candidate are reported by the caller)
    by_flow = (
        pd.Series(np.arange(len(cand))).groupby(cf).apply(list) if len(cand) else pd.Series(dtype=object)
    )
    unserved: dict[str, Any] = {}
    for f_i, idxs in by_flow.items():
        fid = str(fl.at[int(f_i), "flow_id"])
        con = m.add_linear_constraint(
            lb=float(flow_t[int(f_i)]),
            ub=float(flow_t[int(f_i)]),
            name=f"demand[{fid}]",
        )
        for i in idxs:
            con.set_coefficient(x[i], 1.0)
        if allow_unserved and not bool(cand.at[int(idxs[0]), "fixed"]):
            u = m.add_variable(lb=0.0, name=f"unserved[{fid}]")
            con.set_coefficient(u, 1.0)
            obj.set_linear_coefficient(u, _UNSERVED)
            unserved[fid] = u

    # stations: handling capacity and loading hours (road-side throughput)
    st = problem.stations.reset_index(drop=True)
    via = free[free["mode"].isin(("rail_station_ne", "rail_station_diesel"))]
    for j, grp in via.groupby("st_idx"):
        sid = str(st.at[int(j), "station_id"])
        idx = grp.index.to_numpy()
        cap = st.at[int(j), "handling_capacity_t_per_year"]
        if cap is not None and not pd.isna(cap):
            add_row("station_handling", sid, idx, np.ones(len(idx)), float(cap), elastic_w=_ELASTIC_T)
        hours = float(st.at[int(j), "loading_hours_per_day"])
        add_row(
            "station_hours",
            sid,
            idx,
            np.ones(len(idx)),
            hours * params.days_per_year * params.station_loading_t_per_hour,
            elastic_w=_ELASTIC_T,
        )

    # rail corridors
    rail = cand["mode"].isin(("rail_spur", "rail_station_ne", "rail_station_diesel")).to_numpy() & ~fixed
    flow_dir = problem.flows["direction"].astype(str).to_numpy()[cand["flow_idx"].to_numpy(int)]
    for rec in problem.corridors.itertuples(index=False):
        mask = rail & cand["region_id"].isin(list(rec.regions)).to_numpy()
        if getattr(rec, "direction", "both") in ("in", "out"):
            mask &= flow_dir == rec.direction
        idx = np.flatnonzero(mask)
        add_row(
            "corridor",
            str(rec.corridor_id),
            idx,
            np.ones(len(idx)),
            float(rec.capacity_t_per_year),
            elastic_w=_ELASTIC_T,
        )

    # rail mainlines with a capacity: tonnes of the rail chains routed over each line (a line cut into
    # sections: over each section, for the chains whose leg on the line crosses it)
    if params.rail_line_capacities and len(cand):
        on_line = [set(str(v).split(";")) if v else set() for v in cand["rail_sections"].fillna("")]
        for key, _lid, cap, other, lifted in rail_capacity_rows(problem):
            if math.isnan(cap) or lifted:
                continue
            idx = np.flatnonzero(rail & np.array([key in ls for ls in on_line], dtype=bool))
            if len(idx) == 0:
                continue
            add_row("rail_line", key, idx, np.ones(len(idx)), max(0.0, cap - other), elastic_w=_ELASTIC_T)

    # restriction zones: banned truck legs of an enterprise inside get the non-banned share of its tonnes
    zoned = free[free["zone_id"].notna()]
    if len(zoned):
        zones = problem.zones.set_index("zone_id")
        plannable = fl[~fl["flow_id"].isin(ch.unplannable)]
        ent_free_t = plannable.groupby("enterprise_id")["tonnes_per_year"].sum()
        for (zid, e), grp in zoned.groupby(["zone_id", "enterprise_id"], sort=True):
            allowed = max(0.0, 24.0 - float(zones.at[zid, "banned_hours_per_day"])) / 24.0
            idx = grp.index.to_numpy()
            add_row(
                "zone",
                f"{zid}:{e}",
                idx,
                np.ones(len(idx)),
                allowed * float(ent_free_t.get(e, 0.0)),
                elastic_w=_ELASTIC_T,
            )

    # spurs: capacity x built
    spurs = problem.spurs.reset_index(drop=True)
    spur_y: dict[int, Any] = {}
    excluded_y: dict[int, Any] = {}
    capex: dict[str, float] = {}
    on_spur = free[free["spur_idx"] >= 0]
    ent_tonnes = fl.groupby("enterprise_id")["tonnes_per_year"].sum()
    for s_i, grp in on_spur.groupby("spur_idx"):
        s_i = int(s_i)
        sid = str(spurs.at[s_i, "spur_id"])
        cap = spurs.at[s_i, "capacity_t_per_year"]
        big = float(ent_tonnes.get(spurs.at[s_i, "enterprise_id"], 0.0))
        cap_v = big if cap is None or pd.isna(cap) else float(cap)
        idx = grp.index.to_numpy()
        status = spurs.at[s_i, "status"]
        if status == "existing":
            add_row("spur_capacity", sid, idx, np.ones(len(idx)), cap_v, elastic_w=_ELASTIC_T)
            continue
        y = m.add_variable(lb=0.0, ub=1.0, is_integer=integer, name=f"y[{sid}]")
        spur_y[s_i] = y
        c = float(spurs.at[s_i, "capex_cny"] or 0.0)
        capex[f"spur:{sid}"] = c
        obj.set_linear_coefficient(y, params.annualise(c, params.spur_lifetime_years))
        add_row("spur_capacity", sid, idx, np.ones(len(idx)), 0.0, elastic_w=_ELASTIC_T, extra=[(y, -cap_v)])
    if diagnostic:  # excluded spurs may be built at a high price: does one fix a miss?
        for s_i, rec in spurs.iterrows():
            if rec["status"] != "excluded" or rec["enterprise_id"] not in set(fl["enterprise_id"]):
                continue
            excluded_y[int(s_i)] = m.add_variable(lb=0.0, ub=1.0, name=f"y_excluded[{rec['spur_id']}]")

    # conveyors / pipelines
    conv = problem.conveyors.reset_index(drop=True)
    conv_k: dict[int, Any] = {}
    for c_i, grp in free[free["conv_idx"] >= 0].groupby("conv_idx"):
        c_i = int(c_i)
        cid = str(conv.at[c_i, "conveyor_id"])
        cap = conv.at[c_i, "capacity_t_per_year"]
        cap_v = float(flow_t[int(grp["flow_idx"].iloc[0])]) if cap is None or pd.isna(cap) else float(cap)
        idx = grp.index.to_numpy()
        if bool(conv.at[c_i, "existing"]):
            add_row("conveyor_capacity", cid, idx, np.ones(len(idx)), cap_v, elastic_w=_ELASTIC_T)
            continue
        k = m.add_variable(lb=0.0, ub=1.0, is_integer=integer, name=f"k[{cid}]")
        conv_k[c_i] = k
        c = float(conv.at[c_i, "capex_cny"] or 0.0)
        capex[f"conveyor:{cid}"] = c
        obj.set_linear_coefficient(k, params.annualise(c, params.conveyor_lifetime_years))
        add_row(
            "conveyor_capacity", cid, idx, np.ones(len(idx)), 0.0, elastic_w=_ELASTIC_T, extra=[(k, -cap_v)]
        )

    # new-energy truck pools
    pools = pool_table(ch, problem, params)
    trucks: dict[str, Any] = {}
    truck_annual = params.annualise(params.ne_truck_capex_cny, params.truck_lifetime_years)
    ne = free[free["pool"] != ""]
    existing = dict(zip(pools["pool"], pools["existing_trucks"], strict=True))
    for p, grp in ne.groupby("pool"):
        n = m.add_variable(lb=0.0, is_integer=integer, name=f"n[{p}]")
        trucks[str(p)] = n
        obj.set_linear_coefficient(n, truck_annual)
        idx = grp.index.to_numpy()
        add_row(
            "fleet",
            str(p),
            idx,
            grp["truck_h_per_t"].to_numpy(float),
            params.truck_hours_per_year * float(existing.get(p, 0)),
            elastic_w=None,
            extra=[(n, -params.truck_hours_per_year)],
        )

    # battery-swap stations
    sw = problem.swap_stations.reset_index(drop=True)
    swap_u: dict[int, Any] = {}
    swap_annual = params.annualise(params.swap_unit_capex_cny, params.swap_lifetime_years)
    for w, grp in free[free["swap_idx"] >= 0].groupby("swap_idx"):
        w = int(w)
        wid = str(sw.at[w, "swap_id"])
        u = m.add_variable(lb=0.0, ub=float(params.max_swap_units), is_integer=integer, name=f"u[{wid}]")
        swap_u[w] = u
        obj.set_linear_coefficient(u, swap_annual)
        base = float(sw.at[w, "swaps_per_day"] or 0.0) * params.days_per_year
        idx = grp.index.to_numpy()
        add_row(
            "swap",
            wid,
            idx,
            grp["swaps_per_t"].to_numpy(float),
            base,
            elastic_w=_ELASTIC_SWAP,
            extra=[(u, -params.swap_unit_swaps_per_day * params.days_per_year)],
        )

    # clean-transport targets per enterprise (bulk tonnes only): clean >= F (B - separate), i.e.
    # clean + F separate >= F B, with F = max(target, today's ratio) when the rulebook forbids backsliding
    rb = ch.rulebook
    before = before_figures(ch)
    bulk = fl[fl["bulk"]]
    bulk_t = bulk.groupby("enterprise_id")["tonnes_per_year"].sum().to_dict()
    targets = fl.groupby("enterprise_id")["target"].first().to_dict()
    in_ratio = cand["in_ratio"].to_numpy(bool)
    clean_bulk = cand[cand["clean"].to_numpy(bool) & in_ratio & bulk_c]
    clean_by_ent = clean_bulk.groupby("enterprise_id").groups
    sep_by_ent = cand[~in_ratio & bulk_c].groupby("enterprise_id").groups
    no_back = bool(rb is not None and rb.no_backsliding)
    shortfall: dict[str, Any] = {}
    floors: dict[str, float] = {}
    weights: dict[str, float] = {}
    hard = params.target_mode == "hard" and not diagnostic
    for e in sorted(bulk_t):
        floor = float(targets[e])
        holds = no_back and before.ratio(str(e)) > floor
        if holds:
            floor = before.ratio(str(e))
        floors[str(e)] = floor
        need = floor * float(bulk_t[e])
        if need <= 0:
            continue
        con = m.add_linear_constraint(lb=need, name=f"target[{e}]")
        for i in clean_by_ent.get(e, []):
            con.set_coefficient(x[int(i)], 1.0)
        for i in sep_by_ent.get(e, []):
            con.set_coefficient(x[int(i)], floor)
        s = m.add_variable(lb=0.0, ub=0.0 if hard else need, name=f"s[{e}]")
        shortfall[str(e)] = s
        con.set_coefficient(s, 1.0)
        weight = _DIAG_SHORTFALL if diagnostic and not targets_elastic else params.shortfall_penalty_cny_per_t
        if holds:  # sliding back below today's ratio breaks a policy rule: priced as one
            weight = max(weight, params.policy_penalty_cny_per_t)
        obj.set_linear_coefficient(s, weight)
        weights[str(e)] = weight

    rail_missing, oop_missing, city_clean_missing = add_policy_rows(
        m, x, ch, params, before, bulk_t, flow_t, clean_bulk.index.to_numpy(), ~in_ratio & bulk_c
    )

    # new-energy trucks carry at least a share of each enterprise's shortfall (MEE cement rule)
    ne_missing: dict[str, Any] = {}
    if ch.ne_share:
        ne_bulk = cand[(cand["mode"] == "truck_ne").to_numpy() & fl["bulk"].to_numpy(bool)[cf]]
        ne_by_ent = ne_bulk.groupby("enterprise_id").groups
        for e, s in shortfall.items():
            con = m.add_linear_constraint(lb=0.0, name=f"ne_share[{e}]")
            for i in ne_by_ent.get(e, []):
                con.set_coefficient(x[int(i)], 1.0)
            con.set_coefficient(s, -float(ch.ne_share))
            v = m.add_variable(lb=0.0, name=f"ne_missing[{e}]")
            con.set_coefficient(v, 1.0)
            obj.set_linear_coefficient(v, params.ne_share_penalty_cny_per_t)
            ne_missing[e] = v

    # budget on capital spending
    capex_items: list[tuple[Any, float]] = []
    for s_i, y in spur_y.items():
        capex_items.append((y, float(spurs.at[s_i, "capex_cny"] or 0.0)))
    for c_i, k in conv_k.items():
        capex_items.append((k, float(conv.at[c_i, "capex_cny"] or 0.0)))
    capex_items += [(n, params.ne_truck_capex_cny) for n in trucks.values()]
    capex_items += [(u, params.swap_unit_capex_cny) for u in swap_u.values()]
    if diagnostic:
        for s_i, y in excluded_y.items():
            c = float(spurs.at[s_i, "capex_cny"] or 0.0)
            capex_items.append((y, c))
            obj.set_linear_coefficient(y, params.annualise(c, params.spur_lifetime_years) + _ELASTIC_SPUR)
            sid = str(spurs.at[s_i, "spur_id"])
            cap = spurs.at[s_i, "capacity_t_per_year"]
            cap_v = (
                float(ent_tonnes.get(spurs.at[s_i, "enterprise_id"], 0.0))
                if cap is None or pd.isna(cap)
                else float(cap)
            )
            # chains for an excluded spur do not exist in the candidates: add them now
            _add_excluded_spur_chains(m, x, cand, fl, problem, params, s_i, y, cap_v, sid, rows, obj)
    if params.budget_cny is not None:
        add_row(
            "budget",
            "capex",
            np.array([], dtype=int),
            np.array([]),
            float(params.budget_cny),
            elastic_w=_ELASTIC_CNY,
            extra=capex_items,
        )

    return BuiltModel(
        m,
        x,
        spur_y,
        conv_k,
        trucks,
        swap_u,
        shortfall,
        rows,
        pools,
        bulk_t,
        targets,
        capex,
        excluded_y,
        ne_missing,
        floors,
        rail_missing,
        oop_missing,
        city_clean_missing,
        unserved,
        base_unit,
        weights,
    )


def _add_excluded_spur_chains(
    m: mathopt.Model,
    x: list[Any],
    cand: pd.DataFrame,
    fl: pd.DataFrame,
    problem: PlanProblem,
    params: PlanParams,
    s_i: int,
    y: Any,
    cap: float,
    sid: str,
    rows: list[Row],
    obj: Any,
) -> None:
    """Diagnostic only: a rail_spur chain on an excluded spur for each flow of its enterprise with rail."""
    from cleanfreight.accounting.emissions import chain_intensity

    spurs = problem.spurs.reset_index(drop=True)
    ent = spurs.at[s_i, "enterprise_id"]
    con = m.add_linear_constraint(ub=0.0, name=f"spur_capacity_excluded[{sid}]")
    con.set_coefficient(y, -cap)
    for rec in fl[fl["enterprise_id"] == ent].itertuples(index=False):
        if np.isnan(rec.rail_km):
            continue
        figs = chain_intensity("rail_spur", rail_km=float(rec.rail_km), factors=problem.factors)
        v = m.add_variable(lb=0.0, ub=float(rec.tonnes_per_year), name=f"x_excluded[{sid},{rec.flow_id}]")
        obj.set_linear_coefficient(
            v, figs["cost_cny"] + params.carbon_price_cny_per_t * figs["co2_kg"] / 1000
        )
        con.set_coefficient(v, 1.0)
        demand = m.linear_constraints()
        for c in demand:
            if c.name == f"demand[{rec.flow_id}]" or (c.name == f"target[{ent}]" and rec.bulk):
                c.set_coefficient(v, 1.0)
        x.append(v)


@dataclass(frozen=True)
class Solved:
    status: str
    objective: float
    values: dict[Any, float]
    duals: dict[Any, float]
    solve_time_s: float
    gap: float | None


def solve_model(bm: BuiltModel, params: PlanParams, *, lp: bool = False) -> Solved:
    """Solve with the chosen solver (``lp``: GLOP, for the diagnostic or the fixed-integer dual re-solve)."""
    solver = mathopt.SolverType.GLOP if lp else _SOLVER_TYPES[params.solver]
    kwargs: dict[str, Any] = {"enable_output": False}
    if not lp:
        kwargs["threads"] = params.threads
        kwargs["random_seed"] = params.seed
        kwargs["relative_gap_tolerance"] = params.relative_gap
        if params.time_limit_s is not None:
            kwargs["time_limit"] = timedelta(seconds=params.time_limit_s)
        if params.node_limit is not None:
            kwargs["node_limit"] = params.node_limit
    try:
        res = mathopt.solve(bm.model, solver, params=mathopt.SolveParameters(**kwargs))
    except Exception as exc:  # the wrapped solvers raise plain Exceptions on internal errors
        raise SolverError(f"the {('glop' if lp else params.solver)} solver failed: {exc}") from exc
    reason = res.termination.reason
    T = mathopt.TerminationReason
    if reason in (T.INFEASIBLE, T.INFEASIBLE_OR_UNBOUNDED):
        return Solved("infeasible", math.nan, {}, {}, res.solve_time().total_seconds(), None)
    if not res.has_primal_feasible_solution():
        raise SolverError(
            f"no plan found within the solver limits ({reason.name.lower()}: {res.termination.detail}); "
            "raise time_limit_s / node_limit"
        )
    status = "optimal" if reason == T.OPTIMAL else "feasible"
    values = res.variable_values()
    duals = res.dual_values() if lp and res.has_dual_feasible_solution() else {}
    gap = None
    if not lp:
        bound = res.termination.objective_bounds.dual_bound
        primal = res.objective_value()
        if math.isfinite(bound) and primal != 0:
            gap = abs(primal - bound) / max(1.0, abs(primal))
    return Solved(status, float(res.objective_value()), values, duals, res.solve_time().total_seconds(), gap)


def fix_integers(bm: BuiltModel, values: dict[Any, float]) -> None:
    """Fix the integer build variables at their solved values and relax integrality (for duals)."""
    for group in (bm.spur_y, bm.conv_k, bm.trucks, bm.swap_u):
        for v in group.values():
            val = float(round(values[v]))
            v.lower_bound = val
            v.upper_bound = val
            v.integer = False
