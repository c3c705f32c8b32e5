"""Why an enterprise misses its target: a diagnostic re-solve with elastic capacities.

The diagnostic model makes every target hard, lets each capacity (station handling and loading
hours, corridors, spurs, conveyors, swap stations, the budget) be exceeded at a high price per unit,
and lets the spurs a scenario excluded be built at a very high price. Solved as an LP, its elastic
variables say which capacity would have to grow, and by how much, for the target to be met; a target
still missed there has no clean chain at all. A miss with nothing binding is a cost choice: meeting the
target costs more than the shortfall penalty.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from cleanfreight._i18n import t
from cleanfreight.errors import SolverError
from cleanfreight.planning._chains import ChainTables
from cleanfreight.planning._milp import BuiltModel, build_model, solve_model
from cleanfreight.planning.params import PlanParams
from cleanfreight.planning.problem import PlanProblem

log = logging.getLogger(__name__)

_TOL = 1e-3
_UNITS = {
    "station_handling": "t/yr",
    "station_hours": "t/yr",
    "corridor": "t/yr",
    "rail_line": "t/yr",
    "zone": "t/yr",
    "ne_share": "t/yr",
    "spur_capacity": "t/yr",
    "conveyor_capacity": "t/yr",
    "swap": "swaps/yr",
    "budget": "CNY",
    "spur_not_built": "CNY",
    "spur_excluded": "CNY",
    "no_chain": "t/yr",
    "penalty": "CNY/t",
    "unplannable": "t/yr",
    "rail_fell": "t/yr",
    "rail_out": "t/yr",
}
COLUMNS = ["enterprise_id", "kind", "id", "amount", "unit", "reason_en", "reason_zh", "fix_en", "fix_zh"]


def _row(
    e: str, kind: str, ident: str, amount: float, names: tuple[str, str] | None = None, **fmt: Any
) -> dict[str, Any]:
    """One explanation; ``names`` (en, zh) say how the id is shown (rail lines: with their names)."""
    shown = f"{amount:,.0f}" if kind != "penalty" else f"{amount:,.1f}"
    en, zh = names if names is not None else (ident, ident)
    return {
        "enterprise_id": e,
        "kind": kind,
        "id": ident,
        "amount": float(amount),
        "unit": _UNITS[kind],
        "reason_en": t(f"why.{kind}", "en", id=en, amount=shown, **fmt),
        "reason_zh": t(f"why.{kind}", "zh", id=zh, amount=shown, **fmt),
        "fix_en": t(f"fix.{kind}", "en", id=en),
        "fix_zh": t(f"fix.{kind}", "zh", id=zh),
    }


def _names(problem: PlanProblem, kind: str, ident: str) -> tuple[str, str] | None:
    """How a rail line (``TJ (Taiyuan–Jiaozuo Railway)``) or one of its sections (``TJ (...) section
    长治北–长治南``) is shown, (en, zh); ``None`` for other kinds."""
    if kind != "rail_line":
        return None
    sections = problem.sections.set_index("key")
    lid = str(sections.at[ident, "line_id"]) if ident in sections.index else ident
    lines = problem.lines.set_index("line_id")
    if lid not in lines.index:
        return None
    en, zh = lines.at[lid, "name_en"], lines.at[lid, "name_zh"]
    en = lid if en is None or pd.isna(en) else str(en)
    zh = en if zh is None or pd.isna(zh) else str(zh)
    en, zh = f"{lid} ({en})", f"{lid}（{zh}）"
    if ident in sections.index:
        en += f" section {sections.at[ident, 'name_en']}"
        zh += f"{sections.at[ident, 'name_zh']}区段"
    return en, zh


def explain_misses(
    ch: ChainTables,
    problem: PlanProblem,
    params: PlanParams,
    bm: BuiltModel,
    values: dict[Any, float],
    shortfall: dict[str, float],
    unplannable: list[str],
    *,
    ne_missing: dict[str, float] | None = None,
    policy: dict[str, dict[str, float]] | None = None,
) -> pd.DataFrame:
    """One row per (enterprise, reason) for every enterprise below its target (or below today's ratio
    under no backsliding), with an unplannable flow, or missing a policy rule.

    ``ne_missing``: tonnes by which new-energy trucks miss the cement rule's share of the shortfall.
    ``policy``: tonnes by which the rail rows are missed (``rail`` per enterprise, ``rail_out`` per flow).
    """
    missed = sorted(e for e, s in shortfall.items() if s > _TOL)
    out: list[dict[str, Any]] = []
    fl = ch.flows
    for fid in unplannable:
        rec = fl[fl["flow_id"] == fid].iloc[0]
        out.append(_row(str(rec["enterprise_id"]), "unplannable", fid, float(rec["tonnes_per_year"])))
    if policy:
        out += _explain_policy(ch, problem, bm, values, shortfall, policy)
    if not missed:
        return pd.DataFrame(out, columns=COLUMNS)
    try:
        diag = build_model(ch, problem, params, diagnostic=True)
        sol = solve_model(diag, params, lp=True)
    except SolverError as exc:
        log.warning("diagnostic re-solve failed: %s", exc)
        return pd.DataFrame(out, columns=COLUMNS)
    dv = sol.values
    cand = ch.candidates
    nx = len(cand)
    x_main = np.array([values.get(v, 0.0) for v in bm.x[:nx]])
    clean = cand["clean"].to_numpy(bool)
    ent_of = cand["enterprise_id"].to_numpy(object)
    cost = cand["cost_cny_per_t"].to_numpy(float)
    # capacity rows of the main model, the chains in each, and whether they bind
    main_index = {v: i for i, v in enumerate(bm.x[:nx])}
    main_rows: dict[tuple[str, str], tuple[set[int], bool]] = {}
    for r in bm.rows:
        if r.kind in ("fleet", "budget"):
            continue
        members = {main_index[tm.variable] for tm in r.con.terms() if tm.variable in main_index}
        lhs = sum(tm.coefficient * values.get(tm.variable, 0.0) for tm in r.con.terms())
        main_rows[(r.kind, r.key)] = (members, lhs >= r.rhs - 1e-6 * max(1.0, abs(r.rhs)))
    violated: dict[tuple[str, str], float] = {}
    budget_extra = 0.0
    for r in diag.rows:
        if r.elastic is None:
            continue
        extra = float(dv.get(r.elastic, 0.0))
        if extra <= _TOL:
            continue
        if r.kind == "budget":
            budget_extra = extra
        else:
            violated[(r.kind, r.key)] = extra
    spurs = problem.spurs.reset_index(drop=True)
    soft = params.target_mode == "soft"
    for e in missed:
        mine = {int(i) for i in np.flatnonzero((ent_of == e) & clean)}
        found = False
        if ne_missing and ne_missing.get(e, 0.0) > _TOL:  # the rule is broken: say so first
            share = f"{100 * float(ch.ne_share or 0.0):g}"
            out.append(_row(e, "ne_share", e, ne_missing[e], share=share, km=f"{params.ne_direct_max_km:g}"))
        touching = [(key, binds) for key, (members, binds) in main_rows.items() if members & mine]
        for key, _binds in touching:
            if key in violated:
                out.append(_row(e, key[0], key[1], violated[key], _names(problem, *key)))
                found = True
        for s_i, y in diag.spur_y.items():
            if spurs.at[s_i, "enterprise_id"] != e:
                continue
            main_y = values.get(bm.spur_y[s_i], 0.0) if s_i in bm.spur_y else 0.0
            if dv.get(y, 0.0) > 0.01 and main_y < 0.5:
                out.append(
                    _row(
                        e,
                        "spur_not_built",
                        str(spurs.at[s_i, "spur_id"]),
                        float(spurs.at[s_i, "capex_cny"] or 0),
                    )
                )
                found = True
        for s_i, y in diag.excluded_spur_y.items():
            if spurs.at[s_i, "enterprise_id"] == e and dv.get(y, 0.0) > 0.01:
                out.append(
                    _row(
                        e,
                        "spur_excluded",
                        str(spurs.at[s_i, "spur_id"]),
                        float(spurs.at[s_i, "capex_cny"] or 0),
                    )
                )
                found = True
        if budget_extra > _TOL:
            out.append(_row(e, "budget", "capex", budget_extra))
            found = True
        left = float(dv.get(diag.shortfall[e], 0.0)) if e in diag.shortfall else 0.0
        if left > _TOL:
            out.append(_row(e, "no_chain", e, left, km=f"{params.max_short_haul_km:g}"))
            found = True
        if found:
            continue
        if soft:
            # nothing binds for this enterprise: paying the penalty is cheaper than the clean chains.
            # Estimate: the cheapest extra cost per tonne (truck capital included) of making one more tonne clean.
            extra_cost = _extra_cost_per_clean_tonne(cand, e, x_main, clean, cost, params)
            if extra_cost > 0 or not any(b for _, b in touching):
                out.append(_row(e, "penalty", e, extra_cost))
                continue
        # capacity shared with other enterprises: name what binds, by this enterprise's shortfall
        for key, binds in touching:
            if binds:
                out.append(_row(e, key[0], key[1], shortfall[e], _names(problem, *key)))
                found = True
        if not found:
            out.append(_row(e, "no_chain", e, shortfall[e], km=f"{params.max_short_haul_km:g}"))
    return pd.DataFrame(out, columns=COLUMNS)


def _explain_policy(
    ch: ChainTables,
    problem: PlanProblem,
    bm: BuiltModel,
    values: dict[Any, float],
    below_floor: dict[str, float],
    policy: dict[str, dict[str, float]],
) -> list[dict[str, Any]]:
    """Rail falling or out-of-province coal/coke left on the road: the rule, then the capacities that bind on
    the enterprise's rail chains (the binding cause)."""
    cand = ch.candidates
    nx = len(cand)
    main_index = {v: i for i, v in enumerate(bm.x[:nx])}
    rail = cand["rail"].to_numpy(bool)
    ent_of = cand["enterprise_id"].astype(str).to_numpy()
    binding: list[tuple[tuple[str, str], set[int]]] = []
    for r in bm.rows:
        if r.kind in ("fleet", "budget"):
            continue
        lhs = sum(tm.coefficient * values.get(tm.variable, 0.0) for tm in r.con.terms())
        if lhs >= r.rhs - 1e-6 * max(1.0, abs(r.rhs)):
            members = {main_index[tm.variable] for tm in r.con.terms() if tm.variable in main_index}
            binding.append(((r.kind, r.key), members))
    flow_ent = ch.flows.set_index("flow_id")["enterprise_id"].astype(str)
    out: list[dict[str, Any]] = []
    per_ent: dict[str, list[tuple[str, str, float]]] = {}
    for e, miss in policy.get("rail", {}).items():
        if miss > _TOL and e != "city":
            per_ent.setdefault(e, []).append(("rail_fell", e, miss))
    for fid, miss in policy.get("rail_out", {}).items():
        if miss > _TOL:
            per_ent.setdefault(str(flow_ent[fid]), []).append(("rail_out", fid, miss))
    for e, items in sorted(per_ent.items()):
        for kind, ident, miss in items:
            out.append(_row(e, kind, ident, miss))
        mine = set(np.flatnonzero((ent_of == e) & rail).tolist())
        for key, members in binding:
            if members & mine:
                out.append(_row(e, key[0], key[1], max(m for _, _, m in items), _names(problem, *key)))
    return out


def _extra_cost_per_clean_tonne(
    cand: pd.DataFrame, e: str, x: np.ndarray, clean: np.ndarray, cost: np.ndarray, params: PlanParams
) -> float:
    """min over the enterprise's flows carried dirty: cheapest clean chain - cost of the dirty chains (per t)."""
    truck_per_h = (
        params.annualise(params.ne_truck_capex_cny, params.truck_lifetime_years) / params.truck_hours_per_year
    )
    full = cost + cand["truck_h_per_t"].to_numpy(float) * truck_per_h
    best = np.inf
    mine = cand["enterprise_id"].to_numpy(object) == e
    flow = cand["flow_idx"].to_numpy(int)
    for f in np.unique(flow[mine]):
        in_f = mine & (flow == f)
        dirty = in_f & ~clean & (x > _TOL)
        options = in_f & clean
        if dirty.any() and options.any():
            gap = float(full[options].min()) - float(np.average(cost[dirty], weights=x[dirty]))
            best = min(best, max(0.0, gap))
    return 0.0 if not np.isfinite(best) else best
