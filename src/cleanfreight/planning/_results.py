"""The plan's result tables, recomputed from the solved tonnes: shortfalls and policy misses, the
enterprise, flow, city and infrastructure tables, capacities with shadow prices, the objective.

Private to :mod:`cleanfreight.planning.solve`, which assembles them into a
:class:`~cleanfreight.planning.solve.PlanResult`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from cleanfreight.accounting.rulebooks import RATIO_TOL
from cleanfreight.planning._chains import ChainTables
from cleanfreight.planning._milp import BuiltModel
from cleanfreight.planning._policy_rows import before_figures
from cleanfreight.planning.params import PlanParams
from cleanfreight.planning.problem import PlanProblem


def shortfall_by_enterprise(
    ch: ChainTables, chains: pd.DataFrame, bm: BuiltModel, *, floors: bool = False
) -> dict[str, float]:
    """Tonnes per enterprise below its target (``floors``: below max(target, today's ratio) where no
    backsliding applies), recomputed from the tonnes (solver noise below 1e-6 of the tonnes is 0)."""
    clean, base = _clean_and_base(ch, chains)
    out: dict[str, float] = {}
    for e in bm.bulk_tonnes:
        level = bm.floors.get(str(e), bm.targets[e]) if floors else bm.targets[e]
        b = float(base.get(e, 0.0))
        gap = float(level) * b - float(clean.get(e, 0.0))
        out[str(e)] = gap if gap > 1e-6 * float(bm.bulk_tonnes[e]) + 1e-3 else 0.0
    return out


def _clean_and_base(ch: ChainTables, chains: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Clean bulk tonnes and the ratio's base (bulk tonnes counted in the ratio) per enterprise."""
    bulk = ch.flows["bulk"].to_numpy(bool)[chains["flow_idx"].to_numpy(int)]
    base = bulk & chains["in_ratio"].to_numpy(bool)
    t = chains["tonnes"].to_numpy(float)
    ent = chains["enterprise_id"].astype(str).to_numpy()
    clean = pd.Series(np.where(base & chains["clean"].to_numpy(bool), t, 0.0)).groupby(ent).sum()
    return clean, pd.Series(np.where(base, t, 0.0)).groupby(ent).sum()


def policy_misses(ch: ChainTables, chains: pd.DataFrame, bm: BuiltModel) -> dict[str, dict[str, float]]:
    """Tonnes by which the policy rows are missed: ``rail`` (per enterprise and ``city``), ``rail_out`` (per
    flow), ``city_clean`` (``city``); recomputed from the tonnes."""
    before = before_figures(ch)
    rail = chains[chains["rail"].to_numpy(bool)]
    rail_after = rail.groupby("enterprise_id")["tonnes"].sum()
    out: dict[str, dict[str, float]] = {"rail": {}, "rail_out": {}, "city_clean": {}}

    def gap(need: float, have: float) -> float:
        g = need - have
        return g if g > 1e-6 * max(1.0, need) + 1e-3 else 0.0

    for e in bm.rail_missing:
        if e == "city":
            continue
        out["rail"][e] = gap(before.rail.get(e, 0.0), float(rail_after.get(e, 0.0)))
    if "city" in bm.rail_missing:
        need = float(bm.rail_missing["city"].upper_bound)
        out["rail"]["city"] = gap(need, float(rail["tonnes"].sum()))
    by_flow = rail.groupby("flow_id")["tonnes"].sum()
    tonnes = ch.flows.set_index("flow_id")["tonnes_per_year"]
    for fid in bm.oop_missing:
        out["rail_out"][fid] = gap(ch.rail_share_out * float(tonnes[fid]), float(by_flow.get(fid, 0.0)))
    if bm.city_clean_missing is not None:
        clean, _base = _clean_and_base(ch, chains)
        con = next(c for c in bm.model.linear_constraints() if c.name == "city_clean[city]")
        sep = float(
            chains.loc[
                ~chains["in_ratio"].to_numpy(bool) & ch.flows["bulk"].to_numpy(bool)[chains["flow_idx"].to_numpy(int)],
                "tonnes",
            ].sum()
        )
        b_city = float(sum(bm.bulk_tonnes.values()))
        level = con.lower_bound / b_city if b_city > 0 else 0.0
        out["city_clean"]["city"] = gap(con.lower_bound, float(clean.sum()) + level * sep)
    return out


def ne_missing_by_enterprise(ch: ChainTables, chains: pd.DataFrame, shortfall: dict[str, float]) -> dict[str, float]:
    """Tonnes by which new-energy trucks fall short of ``ne_share`` x the shortfall, per enterprise (cement rule)."""
    if not ch.ne_share:
        return {}
    ne = _ne_truck_tonnes(ch, chains)
    out: dict[str, float] = {}
    for e, short in shortfall.items():
        gap = float(ch.ne_share) * short - float(ne.get(e, 0.0))
        out[e] = gap if gap > 1e-6 * max(1.0, short) + 1e-3 else 0.0
    return out


def _ne_truck_tonnes(ch: ChainTables, chains: pd.DataFrame) -> pd.Series:
    """Bulk tonnes carried by new-energy trucks direct (``truck_ne``) per enterprise."""
    bulk = ch.flows["bulk"].to_numpy(bool)[chains["flow_idx"].to_numpy(int)]
    mine = chains[bulk & (chains["mode"] == "truck_ne").to_numpy()]
    return mine.groupby("enterprise_id")["tonnes"].sum()


def add_ne_columns(
    ent: pd.DataFrame,
    city: dict[str, Any],
    ch: ChainTables,
    chains: pd.DataFrame,
    shortfall: dict[str, float],
    ne_missing: dict[str, float],
) -> None:
    """Report the new-energy share of the shortfall: truck_ne tonnes, what the rule asks, what is missing."""
    ids = ent["enterprise_id"]
    share = float(ch.ne_share or 0.0)
    ent["ne_truck_t"] = ids.map(_ne_truck_tonnes(ch, chains)).fillna(0.0).to_numpy()
    ent["ne_required_t"] = share * ids.map(shortfall).fillna(0.0).to_numpy()
    ent["ne_missing_t"] = ids.map(ne_missing).fillna(0.0).to_numpy()
    city["ne_share_of_shortfall"] = ch.ne_share
    city["ne_required_t"] = float(ent["ne_required_t"].sum())
    city["ne_missing_t"] = float(ent["ne_missing_t"].sum())


def capacity_table(bm: BuiltModel, values: dict[Any, float], duals: dict[str, float]) -> pd.DataFrame:
    rows = []
    for r in bm.rows:
        used = 0.0
        build = 0.0
        for term in r.con.terms():
            var, coef = term.variable, term.coefficient
            val = values.get(var, 0.0)
            if var.name.startswith(("x[", "x_excluded[")):
                used += coef * val
            else:
                build -= coef * val
        cap = r.rhs + build
        slack = cap - used
        price = duals.get(f"{r.kind}[{r.key}]", math.nan)
        tight = bool(slack <= 1e-6 * max(1.0, abs(cap)))
        rows.append(
            {
                "kind": r.kind,
                "id": r.key,
                "used": used,
                "capacity": cap,
                "slack": slack,
                "utilisation": used / cap if cap > 0 else (1.0 if used > 0 else 0.0),
                # a row at 0 (nothing may use it) binds when it has a price: raising it would pay
                "binding": tight and (used > 0 or (not math.isnan(price) and abs(price) > 1e-9)),
                "shadow_price": price,
            }
        )
    return pd.DataFrame(
        rows, columns=["kind", "id", "used", "capacity", "slack", "utilisation", "binding", "shadow_price"]
    )


def _annual_capex(params: PlanParams, builds: dict[str, Any], problem: PlanProblem) -> dict[str, float]:
    spurs = problem.spurs.set_index("spur_id")
    conv = problem.conveyors.set_index("conveyor_id")
    out: dict[str, float] = {}
    for s in builds["spurs"]:
        out[f"spur:{s}"] = params.annualise(
            float(spurs.at[s, "capex_cny"] or 0.0), params.spur_lifetime_years
        )
    for c in builds["conveyors"]:
        out[f"conveyor:{c}"] = params.annualise(
            float(conv.at[c, "capex_cny"] or 0.0), params.conveyor_lifetime_years
        )
    for p, n in builds["trucks"].items():
        out[f"trucks:{p}"] = n * params.annualise(params.ne_truck_capex_cny, params.truck_lifetime_years)
    for w, u in builds["swap_units"].items():
        out[f"swap:{w}"] = u * params.annualise(params.swap_unit_capex_cny, params.swap_lifetime_years)
    return out


def objective_value(
    params: PlanParams,
    chains: pd.DataFrame,
    builds: dict[str, Any],
    bm: BuiltModel,
    problem: PlanProblem,
    below_floor: dict[str, float],
    ne_missing: dict[str, float],
    misses: dict[str, dict[str, float]],
) -> float:
    """The model's objective recomputed from the plan (tie-break excluded): chains at their objective
    coefficient (``params.objective``), annualised capital, and the penalties of every miss."""
    x = chains["tonnes"].to_numpy(float)
    transport = float(x @ np.asarray(bm.unit, dtype=float))
    capex = sum(_annual_capex(params, builds, problem).values())
    penalty = sum(bm.shortfall_weight.get(e, params.shortfall_penalty_cny_per_t) * v for e, v in below_floor.items())
    penalty += params.ne_share_penalty_cny_per_t * sum(ne_missing.values())
    penalty += params.policy_penalty_cny_per_t * (
        sum(misses["rail"].values()) + sum(misses["rail_out"].values()) + 10.0 * sum(misses["city_clean"].values())
    )
    return transport + capex + penalty


def add_policy_columns(
    ent: pd.DataFrame,
    city: dict[str, Any],
    ch: ChainTables,
    chains: pd.DataFrame,
    bm: BuiltModel,
    below_floor: dict[str, float],
    misses: dict[str, dict[str, float]],
    params: PlanParams,
) -> list[dict[str, Any]]:
    """Rail tonnes, floors and out-of-province figures per enterprise and for the city; the policy list."""
    rb = ch.rulebook
    ids = ent["enterprise_id"].astype(str)
    cur = ch.current

    def by_ent(frame: pd.DataFrame, mask: np.ndarray) -> pd.Series:
        return frame.loc[mask].groupby("enterprise_id")["tonnes"].sum()

    ent["rail_tonnes_before"] = ids.map(by_ent(cur, cur["rail"].to_numpy(bool))).fillna(0.0).to_numpy()
    ent["rail_tonnes_after"] = ids.map(by_ent(chains, chains["rail"].to_numpy(bool))).fillna(0.0).to_numpy()
    ent["ratio_floor"] = ids.map(bm.floors).astype(float).to_numpy()
    ent["below_floor_t"] = ids.map(below_floor).fillna(0.0).to_numpy()
    ent["rail_missing_t"] = ids.map(misses["rail"]).fillna(0.0).to_numpy()
    oop_cur = cur["leaves_province"].to_numpy(bool)
    oop_new = chains["leaves_province"].to_numpy(bool)
    ent["out_of_province_t"] = ids.map(by_ent(chains, oop_new)).fillna(0.0).to_numpy()
    ent["out_of_province_rail_t_before"] = (
        ids.map(by_ent(cur, oop_cur & cur["rail"].to_numpy(bool))).fillna(0.0).to_numpy()
    )
    ent["out_of_province_rail_t_after"] = (
        ids.map(by_ent(chains, oop_new & chains["rail"].to_numpy(bool))).fillna(0.0).to_numpy()
    )
    flow_ent = ch.flows.set_index("flow_id")["enterprise_id"].astype(str)
    oop_miss = pd.Series(misses["rail_out"], dtype=float)
    oop_by_ent = oop_miss.groupby(flow_ent.reindex(oop_miss.index).to_numpy()).sum() if len(oop_miss) else {}
    ent["out_of_province_missing_t"] = ids.map(oop_by_ent).fillna(0.0).to_numpy()
    if ch.rail_share_out > 0 and rb is not None and rb.out_of_province_rule == "enforce":
        ent["meets_target"] = ent["meets_target"].to_numpy(bool) & (ent["out_of_province_missing_t"].to_numpy() <= 0)
        city["enterprises_meeting_target"] = int(ent["meets_target"].sum())
    ne_long = chains["ne_long_haul"].to_numpy(bool)
    ent["ne_long_haul_t"] = ids.map(by_ent(chains, ne_long)).fillna(0.0).to_numpy()
    total_t = float(ch.flows["tonnes_per_year"].sum())
    city["rail_tonnes_before"] = float(ent["rail_tonnes_before"].sum())
    city["rail_tonnes_after"] = float(ent["rail_tonnes_after"].sum())
    city["rail_share_before"] = city["rail_tonnes_before"] / total_t if total_t > 0 else math.nan
    city["rail_share_after"] = city["rail_tonnes_after"] / total_t if total_t > 0 else math.nan
    oop_t = float(ent["out_of_province_t"].sum())
    city["out_of_province_t"] = oop_t
    city["out_of_province_rail_share_before"] = (
        float(ent["out_of_province_rail_t_before"].sum()) / oop_t if oop_t > 0 else math.nan
    )
    city["out_of_province_rail_share_after"] = (
        float(ent["out_of_province_rail_t_after"].sum()) / oop_t if oop_t > 0 else math.nan
    )
    city["ne_long_haul_t"] = float(ent["ne_long_haul_t"].sum())

    def fell(col_a: str, col_b: str, tol: float) -> list[str]:
        return [str(e) for e, a, b in zip(ids, ent[col_a], ent[col_b], strict=True) if b < a - tol]

    ratio_fell = fell("ratio_before", "ratio_after", RATIO_TOL)
    rail_fell = [
        str(e) for e, a, b in zip(ids, ent["rail_tonnes_before"], ent["rail_tonnes_after"], strict=True)
        if b < a - 1e-6 * max(1.0, a) - 1e-3
    ]
    oop_short = [str(e) for e, v in zip(ids, ent["out_of_province_missing_t"], strict=True) if v > 0]
    share = float(ch.rail_share_out)
    policy: list[dict[str, Any]] = [
        {
            "rule": "target",
            "setting": float(ent["target"].max()) if len(ent) else None,
            "applied": True,
            "holds": bool(ent["meets_target"].all()),
            "detail": [str(e) for e, ok in zip(ids, ent["meets_target"], strict=True) if not ok],
        },
        {
            "rule": "no_backsliding",
            "setting": bool(rb.no_backsliding) if rb else False,
            "applied": bool(rb.no_backsliding) if rb else False,
            "holds": not ratio_fell,
            "detail": ratio_fell,
        },
        {
            "rule": "rail_no_decrease",
            "setting": bool(rb.rail_no_decrease) if rb else False,
            "applied": bool(rb.rail_no_decrease) if rb else False,
            "holds": not rail_fell and city["rail_tonnes_after"] >= city["rail_tonnes_before"] - 1e-3,
            "detail": rail_fell,
        },
        {
            "rule": "out_of_province_by_rail",
            "setting": share,
            "applied": share > 0,
            "commodities": sorted(rb.rail_only_out_of_province) if rb else [],
            "plan_year": params.plan_year,
            "holds": not oop_short,
            "detail": oop_short,
        },
        {
            "rule": "short_haul_max_km",
            "setting": rb.short_haul_max_km if rb else None,
            "applied": bool(rb and rb.short_haul_max_km is not None and rb.beyond_short_haul != "clean"),
            "beyond": rb.beyond_short_haul if rb else "clean",
            "scope_t_per_year": rb.short_haul_scope_t_per_year if rb else 0.0,
            "holds": True,
            "detail": f"{city['ne_long_haul_t']:,.0f} t/yr of new-energy truck legs beyond the limit count as "
            + (rb.beyond_short_haul if rb else "clean"),
        },
    ]
    if params.city_rail_share_min is not None:
        policy.append(
            {
                "rule": "city_rail_share_min",
                "setting": float(params.city_rail_share_min),
                "applied": True,
                "holds": misses["rail"].get("city", 0.0) <= 0,
                "detail": f"rail share after {city['rail_share_after']:.4f}",
            }
        )
    if params.city_clean_ratio_min is not None:
        policy.append(
            {
                "rule": "city_clean_ratio_min",
                "setting": float(params.city_clean_ratio_min),
                "applied": True,
                "holds": misses["city_clean"].get("city", 0.0) <= 0,
                "detail": f"{misses['city_clean'].get('city', 0.0):,.0f} t short",
            }
        )
    return policy


def result_tables(
    problem: PlanProblem,
    params: PlanParams,
    ch: ChainTables,
    chains: pd.DataFrame,
    builds: dict[str, Any],
    bm: BuiltModel,
    shortfall: dict[str, float],
    explanations: pd.DataFrame,
    unplannable: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], pd.DataFrame]:
    fl = ch.flows
    chosen = chains[chains["tonnes"] > 0].copy()
    cur = ch.current
    meta = fl.set_index("flow_id")
    chosen["commodity"] = meta.loc[chosen["flow_id"], "commodity"].to_numpy()
    chosen["direction"] = meta.loc[chosen["flow_id"], "direction"].to_numpy()
    chosen["bulk"] = meta.loc[chosen["flow_id"], "bulk"].to_numpy(bool)
    for col, src, k in (
        ("cost_cny", "cost_cny_per_t", 1.0),
        ("co2_t", "co2_kg_per_t", 1e-3),
        ("nox_kg", "nox_g_per_t", 1e-3),
        ("pm25_kg", "pm25_g_per_t", 1e-3),
    ):
        chosen[col] = chosen["tonnes"] * chosen[src] * k
    cur = cur.copy()
    cur["bulk"] = meta.loc[cur["flow_id"], "bulk"].to_numpy(bool) if len(cur) else []
    for col, src, k in (
        ("cost_cny", "cost_cny_per_t", 1.0),
        ("co2_t", "co2_kg_per_t", 1e-3),
        ("nox_kg", "nox_g_per_t", 1e-3),
        ("pm25_kg", "pm25_g_per_t", 1e-3),
    ):
        cur[col] = cur["tonnes"] * cur[src] * k
    flows_out = (
        chosen[
            [
                "flow_id",
                "enterprise_id",
                "commodity",
                "direction",
                "region_id",
                "mode",
                "station_id",
                "spur_id",
                "conveyor_id",
                "tonnes",
                "road_km",
                "short_haul_km",
                "rail_km",
                "cost_cny_per_t",
                "cost_cny",
                "co2_t",
                "nox_kg",
                "pm25_kg",
                "clean",
                "time_h",
                "fixed",
            ]
        ]
        .sort_values(["enterprise_id", "flow_id", "mode", "station_id"], na_position="first")
        .reset_index(drop=True)
    )

    def clean_bulk(frame: pd.DataFrame, clean_only: bool = True) -> pd.Series:
        mask = frame["bulk"].astype(bool) & frame["in_ratio"].astype(bool)
        if clean_only:
            mask &= frame["clean"].astype(bool)
        return frame[mask].groupby("enterprise_id")["tonnes"].sum()

    ent = problem.enterprises[
        ["enterprise_id", *[c for c in ("name_zh", "name_en") if c in problem.enterprises]]
    ]
    ent = ent.copy().reset_index(drop=True)
    ids = ent["enterprise_id"]
    tot = fl.groupby("enterprise_id")["tonnes_per_year"].sum()
    bulk = fl[fl["bulk"]].groupby("enterprise_id")["tonnes_per_year"].sum()
    tgt = fl.groupby("enterprise_id")["target"].first()
    ent["tonnes_total"] = ids.map(tot).fillna(0.0).to_numpy()
    ent["tonnes_bulk"] = ids.map(bulk).fillna(0.0).to_numpy()
    ent["target"] = ids.map(tgt).to_numpy(float)
    ent["clean_before_t"] = ids.map(clean_bulk(cur)).fillna(0.0).to_numpy()
    ent["clean_after_t"] = ids.map(clean_bulk(chosen)).fillna(0.0).to_numpy()
    base_before = ids.map(clean_bulk(cur, False)).fillna(0.0).to_numpy()
    base_after = ids.map(clean_bulk(chosen, False)).fillna(0.0).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        ent["ratio_before"] = np.where(base_before > 0, ent["clean_before_t"] / base_before, np.nan)
        ent["ratio_after"] = np.where(base_after > 0, ent["clean_after_t"] / base_after, np.nan)
    ent["shortfall_t"] = ids.map(shortfall).fillna(0.0).to_numpy()
    ent["meets_target"] = (ent["ratio_after"] >= ent["target"] - RATIO_TOL) | (ent["tonnes_bulk"] <= 0)
    pools = bm.pools.set_index("pool")["existing_trucks"] if len(bm.pools) else pd.Series(dtype=int)
    ent_pool = "enterprise:" + ids.astype(str)
    ent["trucks_existing"] = ent_pool.map(pools).fillna(0).astype(int).to_numpy()
    ent["trucks_new"] = ent_pool.map(builds["trucks"]).fillna(0).astype(int).to_numpy()
    hours = chosen[chosen["pool"] != ""]
    need = (hours["truck_h_per_t"] * hours["tonnes"]).groupby(hours["enterprise_id"]).sum()
    ent["truck_hours"] = ids.map(need).fillna(0.0).to_numpy()
    ent["trucks_needed"] = np.ceil(ent["truck_hours"] / params.truck_hours_per_year - 1e-9).astype(int)
    annual = _annual_capex(params, builds, problem)
    ent_capex: dict[str, float] = {}
    spurs = problem.spurs.set_index("spur_id")
    for s in builds["spurs"]:
        e = str(spurs.at[s, "enterprise_id"])
        ent_capex[e] = ent_capex.get(e, 0.0) + annual[f"spur:{s}"]
    conv = problem.conveyors.set_index("conveyor_id")
    flow_ent = fl.set_index("flow_id")["enterprise_id"]
    for c in builds["conveyors"]:
        e = str(flow_ent[conv.at[c, "flow_id"]])
        ent_capex[e] = ent_capex.get(e, 0.0) + annual[f"conveyor:{c}"]
    for p, _n in builds["trucks"].items():
        if p.startswith("enterprise:"):
            e = p.split(":", 1)[1]
            ent_capex[e] = ent_capex.get(e, 0.0) + annual[f"trucks:{p}"]
    ent["capex_annual_cny"] = ids.map(ent_capex).fillna(0.0).to_numpy()
    for col, name in (("cost_cny", "cost"), ("co2_t", "co2"), ("nox_kg", "nox"), ("pm25_kg", "pm25")):
        unit = "_cny" if name == "cost" else ("_t" if name == "co2" else "_kg")
        before = ids.map(cur.groupby("enterprise_id")[col].sum()).fillna(0.0).to_numpy()
        after = ids.map(chosen.groupby("enterprise_id")[col].sum()).fillna(0.0).to_numpy()
        if name == "cost":
            after = after + ent["capex_annual_cny"].to_numpy()
        ent[f"{name}_before{unit}"] = before
        ent[f"{name}_after{unit}"] = after
        ent[f"delta_{name}{unit}"] = after - before
    # reasons
    reason_en: dict[str, str] = {}
    reason_zh: dict[str, str] = {}
    for e, grp in explanations.groupby("enterprise_id", sort=False):
        reason_en[str(e)] = "; ".join(grp["reason_en"]) if "reason_en" in grp else ""
        reason_zh[str(e)] = "；".join(grp["reason_zh"]) if "reason_zh" in grp else ""
    missed = ~ent["meets_target"] | ids.isin(set(reason_en))
    ent["shortfall_reason"] = np.where(missed, ids.map(reason_en).fillna(""), "")
    ent["shortfall_reason_zh"] = np.where(missed, ids.map(reason_zh).fillna(""), "")
    ent = ent.sort_values("enterprise_id", kind="mergesort").reset_index(drop=True)

    bulk_total = float(ent["tonnes_bulk"].sum())
    city: dict[str, Any] = {
        "enterprises": len(ent),
        "enterprises_meeting_target": int(ent["meets_target"].sum()),
        "enterprises_meeting_target_before": int(
            ((ent["ratio_before"] >= ent["target"] - RATIO_TOL) | (ent["tonnes_bulk"] <= 0)).sum()
        ),
        "tonnes_total": float(ent["tonnes_total"].sum()),
        "tonnes_bulk": bulk_total,
        "clean_before_t": float(ent["clean_before_t"].sum()),
        "clean_after_t": float(ent["clean_after_t"].sum()),
        "ratio_before": float(ent["clean_before_t"].sum() / base_before.sum()) if base_before.sum() > 0 else math.nan,
        "ratio_after": float(ent["clean_after_t"].sum() / base_after.sum()) if base_after.sum() > 0 else math.nan,
        "shortfall_t": float(ent["shortfall_t"].sum()),
        "transport_cost_before_cny": float(cur["cost_cny"].sum()),
        "transport_cost_after_cny": float(chosen["cost_cny"].sum()),
        "capex_annual_cny": float(sum(annual.values())),
        "co2_before_t": float(cur["co2_t"].sum()),
        "co2_after_t": float(chosen["co2_t"].sum()),
        "nox_before_kg": float(cur["nox_kg"].sum()),
        "nox_after_kg": float(chosen["nox_kg"].sum()),
        "pm25_before_kg": float(cur["pm25_kg"].sum()),
        "pm25_after_kg": float(chosen["pm25_kg"].sum()),
        "trucks_new": int(sum(builds["trucks"].values())),
        "spurs_built": list(builds["spurs"]),
        "conveyors_built": list(builds["conveyors"]),
        "swap_units_new": int(sum(builds["swap_units"].values())),
    }
    city["cost_before_cny"] = city["transport_cost_before_cny"]
    city["cost_after_cny"] = city["transport_cost_after_cny"] + city["capex_annual_cny"]
    city["delta_cost_cny"] = city["cost_after_cny"] - city["cost_before_cny"]
    city["delta_co2_t"] = city["co2_after_t"] - city["co2_before_t"]
    infra = _infrastructure(problem, params, builds, bm, annual)
    return ent, flows_out, city, infra


def _infrastructure(
    problem: PlanProblem, params: PlanParams, builds: dict[str, Any], bm: BuiltModel, annual: dict[str, float]
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for rec in problem.spurs.itertuples(index=False):
        built = rec.spur_id in builds["spurs"]
        if rec.status == "existing" or built:
            rows.append(
                {
                    "kind": "spur",
                    "id": rec.spur_id,
                    "name_zh": rec.name_zh,
                    "name_en": rec.name_en,
                    "enterprise_id": rec.enterprise_id,
                    "station_id": rec.station_id,
                    "status": "existing" if rec.status == "existing" else "new",
                    "quantity": 1,
                    "capex_cny": 0.0 if rec.status == "existing" else float(rec.capex_cny or 0.0),
                    "annual_cny": annual.get(f"spur:{rec.spur_id}", 0.0),
                }
            )
    for rec in problem.conveyors.itertuples(index=False):
        if bool(rec.existing) or rec.conveyor_id in builds["conveyors"]:
            rows.append(
                {
                    "kind": str(rec.mode),
                    "id": rec.conveyor_id,
                    "name_zh": None,
                    "name_en": None,
                    "enterprise_id": None,
                    "station_id": None,
                    "status": "existing" if bool(rec.existing) else "new",
                    "quantity": 1,
                    "capex_cny": 0.0 if bool(rec.existing) else float(rec.capex_cny or 0.0),
                    "annual_cny": annual.get(f"conveyor:{rec.conveyor_id}", 0.0),
                }
            )
    existing = dict(zip(bm.pools["pool"], bm.pools["existing_trucks"], strict=True))
    for p in sorted(set(existing) | set(builds["trucks"])):
        kind, key = p.split(":", 1)
        new = int(builds["trucks"].get(p, 0))
        for status, qty in (("existing", int(existing.get(p, 0))), ("new", new)):
            if qty:
                rows.append(
                    {
                        "kind": "ne_trucks",
                        "id": p,
                        "name_zh": None,
                        "name_en": None,
                        "enterprise_id": key if kind == "enterprise" else None,
                        "station_id": key if kind == "station" else None,
                        "status": status,
                        "quantity": qty,
                        "capex_cny": qty * params.ne_truck_capex_cny if status == "new" else 0.0,
                        "annual_cny": annual.get(f"trucks:{p}", 0.0) if status == "new" else 0.0,
                    }
                )
    for w, u in builds["swap_units"].items():
        if u:
            rows.append(
                {
                    "kind": "swap_capacity",
                    "id": w,
                    "name_zh": None,
                    "name_en": None,
                    "enterprise_id": None,
                    "station_id": None,
                    "status": "new",
                    "quantity": u,
                    "capex_cny": u * params.swap_unit_capex_cny,
                    "annual_cny": annual.get(f"swap:{w}", 0.0),
                }
            )
    cols = [
        "kind",
        "id",
        "name_zh",
        "name_en",
        "enterprise_id",
        "station_id",
        "status",
        "quantity",
        "capex_cny",
        "annual_cny",
    ]
    return pd.DataFrame(rows, columns=cols)
