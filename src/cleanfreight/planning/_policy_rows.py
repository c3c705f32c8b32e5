"""The model's policy pieces: objective coefficients per chain by objective, today's figures, and the
rows of the city plan's rules beyond the targets — rail does not fall (each enterprise and the city, or
a city rail share), coal and coke out of the province by rail, the city's clean-ratio level. Each row is
soft at ``params.policy_penalty_cny_per_t`` (``docs/planning.md``, "Policy rules")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from ortools.math_opt.python import mathopt

from cleanfreight.planning._chains import ChainTables
from cleanfreight.planning.params import PlanParams

#: weights that make the "clean" and "co2" objectives lexicographic before cost (per clean t / per t CO2)
LEX_CLEAN_CNY_PER_T = 1.0e4
LEX_CO2_CNY_PER_T = 1.0e4


def unit_costs(cand: pd.DataFrame, bulk: np.ndarray, params: PlanParams, factors: Any) -> np.ndarray:
    """Objective coefficient per tonne of each chain (without the tie-break), by ``params.objective``.

    cost: transport cost + carbon price x CO2; social: plus the social cost of CO2, NOx and PM2.5
    (factors ``social.*``); co2: plus ``LEX_CO2_CNY_PER_T`` per t CO2 (least CO2 first); clean: minus
    ``LEX_CLEAN_CNY_PER_T`` per clean bulk tonne (most clean tonnes first). ``bulk``: per chain.
    """
    co2_t = cand["co2_kg_per_t"].to_numpy(float) / 1000.0
    unit = cand["cost_cny_per_t"].to_numpy(float) + params.carbon_price_cny_per_t * co2_t
    if params.objective == "social":
        unit = unit + (
            factors["social.co2_cny_per_t"] * co2_t
            + factors["social.nox_cny_per_kg"] * cand["nox_g_per_t"].to_numpy(float) / 1000.0
            + factors["social.pm25_cny_per_kg"] * cand["pm25_g_per_t"].to_numpy(float) / 1000.0
        )
    elif params.objective == "co2":
        unit = unit + LEX_CO2_CNY_PER_T * co2_t
    elif params.objective == "clean":
        good = cand["clean"].to_numpy(bool) & cand["in_ratio"].to_numpy(bool) & bulk
        unit = unit - LEX_CLEAN_CNY_PER_T * good
    return np.asarray(unit, dtype=float)


@dataclass(frozen=True)
class Before:
    """Today's figures per enterprise from the current split: clean and ratio-base bulk tonnes, rail tonnes."""

    clean: dict[str, float]
    base: dict[str, float]
    rail: dict[str, float]
    oop: dict[str, float]  # out-of-province coal/coke tonnes by rail, per flow

    def ratio(self, e: str) -> float:
        b = self.base.get(e, 0.0)
        return self.clean.get(e, 0.0) / b if b > 0 else 0.0


def before_figures(ch: ChainTables) -> Before:
    cur = ch.current
    if cur.empty:
        return Before({}, {}, {}, {})
    bulk = ch.flows["bulk"].to_numpy(bool)[cur["flow_idx"].to_numpy(int)]
    t = cur["tonnes"].to_numpy(float)
    base = bulk & cur["in_ratio"].to_numpy(bool)
    clean = base & cur["clean"].to_numpy(bool)
    rail = cur["rail"].to_numpy(bool)
    ent = cur["enterprise_id"].astype(str)
    return Before(
        pd.Series(np.where(clean, t, 0.0)).groupby(ent.to_numpy()).sum().to_dict(),
        pd.Series(np.where(base, t, 0.0)).groupby(ent.to_numpy()).sum().to_dict(),
        pd.Series(np.where(rail, t, 0.0)).groupby(ent.to_numpy()).sum().to_dict(),
        pd.Series(np.where(rail, t, 0.0)).groupby(cur["flow_id"].astype(str).to_numpy()).sum().to_dict(),
    )


def add_policy_rows(
    m: mathopt.Model,
    x: list[Any],
    ch: ChainTables,
    params: PlanParams,
    before: Before,
    bulk_t: dict[str, float],
    flow_t: np.ndarray,
    clean_idx: np.ndarray,
    sep_idx: np.ndarray,
) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """Add the rail, out-of-province and city clean-ratio rows; return their miss variables
    (``rail_missing`` per enterprise and ``city``, ``oop_missing`` per flow, the city clean miss or None).

    ``clean_idx``: clean bulk chains counted in the ratio; ``sep_idx`` (bool mask): bulk chains left out of it.
    """
    obj = m.objective
    rb = ch.rulebook
    cand = ch.candidates
    fl = ch.flows
    cf = cand["flow_idx"].to_numpy(int)
    policy_w = params.policy_penalty_cny_per_t
    # rail does not fall: each enterprise's and the city's rail tonnes (own spur + via a station)
    rail_c = cand["rail"].to_numpy(bool)
    rail_missing: dict[str, Any] = {}
    if rb is not None and rb.rail_no_decrease:
        rail_by_ent = cand[rail_c].groupby("enterprise_id").groups
        for e, r0 in sorted(before.rail.items()):
            if r0 <= 1e-6:
                continue
            con = m.add_linear_constraint(lb=float(r0), name=f"rail_floor[{e}]")
            for i in rail_by_ent.get(e, []):
                con.set_coefficient(x[int(i)], 1.0)
            v = m.add_variable(lb=0.0, ub=float(r0), name=f"rail_missing[{e}]")
            con.set_coefficient(v, 1.0)
            obj.set_linear_coefficient(v, policy_w)
            rail_missing[str(e)] = v
    city_rail = sum(before.rail.values()) if rb is not None and rb.rail_no_decrease else 0.0
    if params.city_rail_share_min is not None:
        city_rail = max(city_rail, float(params.city_rail_share_min) * float(flow_t.sum()))
    if city_rail > 1e-6:
        con = m.add_linear_constraint(lb=float(city_rail), name="rail_floor[city]")
        for j in np.flatnonzero(rail_c).tolist():
            con.set_coefficient(x[j], 1.0)
        v = m.add_variable(lb=0.0, ub=float(city_rail), name="rail_missing[city]")
        con.set_coefficient(v, 1.0)
        obj.set_linear_coefficient(v, policy_w)
        rail_missing["city"] = v

    # coal and coke leaving the province: at least the year's share of each flow by rail
    oop_missing: dict[str, Any] = {}
    share = float(ch.rail_share_out)
    if share > 0:
        for f_i in np.flatnonzero(fl["rail_only"].to_numpy(bool)):
            fid = str(fl.at[int(f_i), "flow_id"])
            idx = np.flatnonzero((cf == f_i) & rail_c)
            need = share * float(flow_t[f_i])
            if fid in ch.unplannable or need <= 0:
                continue
            con = m.add_linear_constraint(lb=need, name=f"rail_out[{fid}]")
            for j in idx.tolist():
                con.set_coefficient(x[j], 1.0)
            v = m.add_variable(lb=0.0, ub=need, name=f"rail_out_missing[{fid}]")
            con.set_coefficient(v, 1.0)
            obj.set_linear_coefficient(v, policy_w)
            oop_missing[fid] = v

    # the city's clean ratio reaches a level (plan --frontier)
    city_clean_missing = None
    if params.city_clean_ratio_min is not None:
        level = float(params.city_clean_ratio_min)
        b_city = float(sum(bulk_t.values()))
        con = m.add_linear_constraint(lb=level * b_city, name="city_clean[city]")
        for i in clean_idx.tolist():
            con.set_coefficient(x[int(i)], 1.0)
        for j in np.flatnonzero(sep_idx).tolist():
            con.set_coefficient(x[j], level)
        city_clean_missing = m.add_variable(lb=0.0, name="city_clean_missing")
        con.set_coefficient(city_clean_missing, 1.0)
        obj.set_linear_coefficient(city_clean_missing, 10.0 * policy_w)
    return rail_missing, oop_missing, city_clean_missing
