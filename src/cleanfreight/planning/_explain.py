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
from cleanfreight.planning._model import BuiltModel, build_model, solve_model
from cleanfreight.planning.params import PlanParams
from cleanfreight.planning.problem import PlanProblem

log = logging.getLogger(__name__)

_TOL = 1e-3
_UNITS = {
    "station_handling": "t/yr", "station_hours": "t/yr", "corridor": "t/yr", "spur_capacity": "t/yr",
    "conveyor_capacity": "t/yr", "swap": "swaps/yr", "budget": "CNY", "spur_not_built": "CNY",
    "spur_excluded": "CNY", "no_chain": "t/yr", "penalty": "CNY/t", "unplannable": "t/yr",
}
COLUMNS = ["enterprise_id", "kind", "id", "amount", "unit", "reason_en", "reason_zh", "fix_en", "fix_zh"]


def _row(e: str, kind: str, ident: str, amount: float, **fmt: Any) -> dict[str, Any]:
    shown = f"{amount:,.0f}" if kind != "penalty" else f"{amount:,.1f}"
    return {
        "enterprise_id": e, "kind": kind, "id": ident, "amount": float(amount), "unit": _UNITS[kind],
        "reason_en": t(f"why.{kind}", "en", id=ident, amount=shown, **fmt),
        "reason_zh": t(f"why.{kind}", "zh", id=ident, amount=shown, **fmt),
        "fix_en": t(f"fix.{kind}", "en", id=ident),
        "fix_zh": t(f"fix.{kind}", "zh", id=ident),
    }


def explain_misses(
    ch: ChainTables,
    problem: PlanProblem,
    params: PlanParams,
    bm: BuiltModel,
    values: dict[Any, float],
    shortfall: dict[str, float],
    unplannable: list[str],
) -> pd.DataFrame:
    """One row per (enterprise, reason) for every enterprise below its target or with an unplannable flow."""
    missed = sorted(e for e, s in shortfall.items() if s > _TOL)
    out: list[dict[str, Any]] = []
    fl = ch.flows
    for fid in unplannable:
        rec = fl[fl["flow_id"] == fid].iloc[0]
        out.append(_row(str(rec["enterprise_id"]), "unplannable", fid, float(rec["tonnes_per_year"])))
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
    x_diag = np.array([dv.get(v, 0.0) for v in diag.x[:nx]])
    x_main = np.array([values.get(v, 0.0) for v in bm.x[:nx]])
    var_index = {v: i for i, v in enumerate(diag.x[:nx])}
    violated: list[tuple[str, str, float, set[int]]] = []
    budget_extra = 0.0
    for r in diag.rows:
        if r.elastic is None:
            continue
        extra = float(dv.get(r.elastic, 0.0))
        if extra <= _TOL:
            continue
        if r.kind == "budget":
            budget_extra = extra
            continue
        members = {var_index[tm.variable] for tm in r.con.terms() if tm.variable in var_index}
        violated.append((r.kind, r.key, extra, members))
    spurs = problem.spurs.reset_index(drop=True)
    clean = cand["clean"].to_numpy(bool)
    ent_of = cand["enterprise_id"].to_numpy(object)
    cost = cand["cost_cny_per_t"].to_numpy(float)
    for e in missed:
        mine_diag = {int(i) for i in np.flatnonzero((ent_of == e) & clean & (x_diag > _TOL))}
        found = False
        for kind, key, extra, members in violated:
            if members & mine_diag:
                out.append(_row(e, kind, key, extra))
                found = True
        for s_i, y in diag.spur_y.items():
            if spurs.at[s_i, "enterprise_id"] != e:
                continue
            main_y = values.get(bm.spur_y.get(s_i), 0.0) if s_i in bm.spur_y else 0.0
            if dv.get(y, 0.0) > 0.01 and main_y < 0.5:
                out.append(_row(e, "spur_not_built", str(spurs.at[s_i, "spur_id"]), float(spurs.at[s_i, "capex_cny"] or 0)))
                found = True
        for s_i, y in diag.excluded_spur_y.items():
            if spurs.at[s_i, "enterprise_id"] == e and dv.get(y, 0.0) > 0.01:
                out.append(_row(e, "spur_excluded", str(spurs.at[s_i, "spur_id"]), float(spurs.at[s_i, "capex_cny"] or 0)))
                found = True
        if budget_extra > _TOL:
            out.append(_row(e, "budget", "capex", budget_extra))
            found = True
        left = float(dv.get(diag.shortfall.get(e), 0.0)) if e in diag.shortfall else 0.0
        if left > _TOL:
            out.append(_row(e, "no_chain", e, left, km=f"{params.max_short_haul_km:g}"))
            found = True
        if not found:
            # nothing binds: paying the penalty is cheaper than the clean chains
            mine = ent_of == e
            chosen_dirty = mine & ~clean & (x_main > _TOL)
            clean_cands = mine & clean
            extra_cost = 0.0
            if chosen_dirty.any() and clean_cands.any():
                avg_dirty = float(np.average(cost[chosen_dirty], weights=x_main[chosen_dirty]))
                extra_cost = max(0.0, float(cost[clean_cands].min()) - avg_dirty)
            out.append(_row(e, "penalty", e, extra_cost))
    return pd.DataFrame(out, columns=COLUMNS)
