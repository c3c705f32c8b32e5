"""The steps of the plan verifier (:func:`cleanfreight.planning.verify.check_plan`), one function each:
demand (1), chains and per-tonne figures (2-3), capacities (4-7), fleets (8), swaps (9), targets and
reported ratios (10), the policy rules, the budget (11), the totals and the objective (12)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from cleanfreight.accounting.emissions import chain_intensity
from cleanfreight.planning._verify_context import (
    _DIESEL_ROAD,
    _NE,
    _RAIL,
    _VIA_STATION,
    _close,
    _Context,
    _objective_unit,
    _Tally,
)
from cleanfreight.planning._verify_rail import _ids, _rail_lines_used


def _check_demand(ctx: _Context) -> None:
    """1. Every flow moves all its tonnes."""
    rel_tol, bad, flows, plan = ctx.rel_tol, ctx.bad, ctx.flows, ctx.plan
    moved = plan.groupby("flow_id")["tonnes"].sum()
    for fid, rec in flows.iterrows():
        got = float(moved.get(fid, 0.0))
        if not _close(got, float(rec["tonnes_per_year"]), rel_tol * 10, 1e-2):
            bad.append(f"flow {fid}: {got:,.1f} t planned, {rec['tonnes_per_year']:,.1f} t to move")


def _check_chains(ctx: _Context) -> _Tally:
    """2-3. Each chosen chain is allowed and its per-tonne figures are right; sums what later steps check."""
    (
        problem, params, bad, rb, f, flows, ent_idx, reg, reg_idx, st, st_idx, spurs, conv,
        built_spurs, built_conv, unplannable, plan, payload, battery, joins, cut, zone_of,
        policy_clean, nearest_swap
    ) = (
        ctx.problem, ctx.params, ctx.bad, ctx.rb, ctx.f, ctx.flows, ctx.ent_idx, ctx.reg,
        ctx.reg_idx, ctx.st, ctx.st_idx, ctx.spurs, ctx.conv, ctx.built_spurs, ctx.built_conv,
        ctx.unplannable, ctx.plan, ctx.payload, ctx.battery, ctx.joins, ctx.cut, ctx.zone_of,
        ctx.policy_clean, ctx.nearest_swap
    )
    use: dict[tuple[str, str], float] = {}
    hours_by_pool: dict[str, float] = {}
    swaps_by_station: dict[int, float] = {}
    transport = co2 = nox = pm = weighted = 0.0
    clean_bulk: dict[str, float] = {}
    base_bulk: dict[str, float] = {}
    rail_after: dict[str, float] = {}
    oop_rail: dict[str, float] = {}
    ne_road: dict[str, float] = {}
    for r in plan.itertuples(index=False):
        fl = flows.loc[r.flow_id]
        e, mode, x = str(fl["enterprise_id"]), str(r.mode), float(r.tonnes)
        if x < -1e-6:
            bad.append(f"flow {r.flow_id}: negative tonnes {x}")
        ei, ri = ent_idx[e], reg_idx[fl["region_id"]]
        rail_km = fl["rail_km"] if not pd.isna(fl["rail_km"]) else reg.at[ri, "rail_km"]
        direct_km = (
            fl["road_km"]
            if not pd.isna(fl["road_km"])
            else problem.distances.region_km[ei, ri] + reg.at[ri, "road_km_beyond"]
        )
        kept = r.flow_id in unplannable  # kept at the current split, outside the capacity rows
        cap_x = 0.0 if kept else x
        if not kept and mode not in params.allowed_modes:
            bad.append(f"flow {r.flow_id}: mode {mode} is not allowed")
        sh_km = 0.0
        sh_h = 0.0
        road_km = 0.0
        handling: float | None = None
        if mode in _VIA_STATION:
            j = st_idx.get(r.station_id, -1)
            if j < 0:
                bad.append(f"flow {r.flow_id}: unknown station {r.station_id}")
                continue
            sh_km = float(problem.distances.station_km[ei, j])
            sh_h = float(problem.distances.station_h[ei, j])
            if not kept and sh_km > params.max_short_haul_km + 1e-9 and r.station_id != fl["station_id"]:
                bad.append(
                    f"flow {r.flow_id}: station {r.station_id} is {sh_km:.1f} km away (> max short-haul)"
                )
            h = st.at[j, "handling_cost_cny_per_t"]
            handling = None if pd.isna(h) else float(h)
            use[("station", str(r.station_id))] = use.get(("station", str(r.station_id)), 0.0) + cap_x
        elif mode == "rail_spur":
            sp = r.spur_id
            if not kept:
                if sp not in spurs.index or spurs.at[sp, "enterprise_id"] != e:
                    bad.append(f"flow {r.flow_id}: spur {sp} does not serve {e}")
                elif spurs.at[sp, "status"] != "existing" and sp not in built_spurs:
                    bad.append(f"flow {r.flow_id}: uses spur {sp}, which is neither existing nor built")
            use[("spur", str(sp))] = use.get(("spur", str(sp)), 0.0) + cap_x
        elif mode in ("conveyor", "pipeline"):
            c = r.conveyor_id
            if c in conv.index:
                if not kept and conv.at[c, "flow_id"] != r.flow_id:
                    bad.append(f"flow {r.flow_id}: conveyor {c} belongs to another flow")
                if not kept and not bool(conv.at[c, "existing"]) and c not in built_conv:
                    bad.append(f"flow {r.flow_id}: conveyor {c} is not built")
                ckm = conv.at[c, "km"]
                road_km = float(direct_km if ckm is None or pd.isna(ckm) else ckm)
            else:
                road_km = float(direct_km)
            use[("conveyor", str(c))] = use.get(("conveyor", str(c)), 0.0) + cap_x
        else:
            road_km = float(direct_km)
            sh_h = problem.distances.region_h[ei, ri] + reg.at[ri, "road_km_beyond"] / 60.0
            if not pd.isna(fl["road_km"]):
                net = problem.distances.region_km[ei, ri] + reg.at[ri, "road_km_beyond"]
                sh_h = sh_h * (float(fl["road_km"]) / net if net > 0 else 1.0)
            if mode == "truck_ne" and not kept and road_km > params.ne_direct_max_km + 1e-9:
                bad.append(
                    f"flow {r.flow_id}: new-energy truck direct over {road_km:.0f} km (> ne_direct_max_km)"
                )
        diesel_km = 0.0  # rail km behind a diesel locomotive: a non-electrified spur, or a station on such lines only
        if mode == "rail_spur":
            diesel_km = float(problem.rail_diesel_km.get("spur", {}).get(str(r.spur_id), 0.0))
        elif mode in _VIA_STATION:
            diesel_km = float(problem.rail_diesel_km.get("station", {}).get(str(r.station_id), 0.0))
        figs = chain_intensity(
            mode,
            road_km=road_km,
            rail_km=float(rail_km) if mode in _RAIL else 0.0,
            short_haul_km=sh_km,
            factors=f,
            station_handling_cny_per_t=handling,
            rail_diesel_km=diesel_km,
        )
        cost_t = figs["cost_cny"]
        if not _close(cost_t, float(r.cost_cny_per_t), 1e-9, 1e-6):
            bad.append(
                f"flow {r.flow_id} {mode}: cost {r.cost_cny_per_t:.4f} CNY/t reported, {cost_t:.4f} recomputed"
            )
        transport += cost_t * x
        co2 += figs["co2_kg"] * x / 1000.0
        nox += figs["nox_g"] * x / 1000.0
        pm += figs["pm25_g"] * x / 1000.0
        is_clean, counted, leaves = policy_clean(e, fl, mode, road_km if mode == "truck_ne" else sh_km, mode in _RAIL)
        weighted += x * _objective_unit(params, f, figs, is_clean and counted and rb.is_bulk(str(fl["commodity"])))
        if is_clean and counted and rb.is_bulk(str(fl["commodity"])):
            clean_bulk[e] = clean_bulk.get(e, 0.0) + x
        if counted and rb.is_bulk(str(fl["commodity"])):
            base_bulk[e] = base_bulk.get(e, 0.0) + x
        if mode in _RAIL:
            rail_after[e] = rail_after.get(e, 0.0) + x
            if leaves:
                oop_rail[str(r.flow_id)] = oop_rail.get(str(r.flow_id), 0.0) + x
        if mode in _NE and not kept:
            pool = (
                f"station:{r.station_id}"
                if mode == "rail_station_ne" and params.fleet_pool == "station"
                else f"enterprise:{e}"
            )
            hours_by_pool[pool] = (
                hours_by_pool.get(pool, 0.0) + x * (2 * sh_h + params.truck_handling_h_per_trip) / payload
            )
            w = nearest_swap(e)
            if w >= 0:
                leg = road_km if mode == "truck_ne" else sh_km
                kwh = chain_intensity("truck_ne", road_km=leg, factors=f)["energy_kwh"]
                swaps_by_station[w] = swaps_by_station.get(w, 0.0) + x * kwh / battery
        if mode in _RAIL:
            for cr in problem.corridors.itertuples(index=False):
                way = getattr(cr, "direction", None)
                if fl["region_id"] in set(cr.regions) and (way not in ("in", "out") or way == fl["direction"]):
                    key = ("corridor", str(cr.corridor_id))
                    use[key] = use.get(key, 0.0) + cap_x
            sid = (
                spurs.at[r.spur_id, "station_id"]
                if mode == "rail_spur" and r.spur_id in spurs.index
                else r.station_id
            )
            s_lines = _ids(st.at[st_idx[sid], "line_ids"]) if sid in st_idx and "line_ids" in st else []
            r_lines = _ids(reg.at[ri, "rail_line_ids"]) if "rail_line_ids" in reg else []
            path = _rail_lines_used(s_lines, r_lines, joins)
            ran_on = cut.used(path, sid if sid in st_idx else None, str(fl["region_id"])) if cut else path
            for lid in ran_on:
                use[("line", lid)] = use.get(("line", lid), 0.0) + cap_x
        zone = zone_of.get(e)
        if zone is not None and (mode in _DIESEL_ROAD or (mode in _NE and not zone[2])):
            key = ("zone", f"{zone[0]}:{e}")
            use[key] = use.get(key, 0.0) + cap_x
        if mode == "truck_ne" and rb.is_bulk(str(fl["commodity"])):
            ne_road[e] = ne_road.get(e, 0.0) + x
    return _Tally(use=use, hours_by_pool=hours_by_pool, swaps_by_station=swaps_by_station, transport=transport, co2=co2, nox=nox, pm=pm, weighted=weighted, clean_bulk=clean_bulk, base_bulk=base_bulk, rail_after=rail_after, oop_rail=oop_rail, ne_road=ne_road)


def _check_capacities(ctx: _Context, t: _Tally) -> None:
    """4-7. Stations, corridors, rail lines and sections, restriction zones, spurs, conveyors."""
    (
        problem, params, flows, st, spurs, conv, built_spurs, built_conv, unplannable, zone_of, over
    ) = (
        ctx.problem, ctx.params, ctx.flows, ctx.st, ctx.spurs, ctx.conv, ctx.built_spurs,
        ctx.built_conv, ctx.unplannable, ctx.zone_of, ctx.over
    )
    use = t.use
    for j, srow in st.iterrows():
        used = use.get(("station", str(srow["station_id"])), 0.0)
        if not pd.isna(srow["handling_capacity_t_per_year"]):
            over("station handling", srow["station_id"], used, float(srow["handling_capacity_t_per_year"]))
        over(
            "station loading hours",
            srow["station_id"],
            used,
            float(srow["loading_hours_per_day"]) * params.days_per_year * params.station_loading_t_per_hour,
        )
        del j
    for cr in problem.corridors.itertuples(index=False):
        over(
            "corridor",
            cr.corridor_id,
            use.get(("corridor", str(cr.corridor_id)), 0.0),
            float(cr.capacity_t_per_year),
        )
    if params.rail_line_capacities:  # lines without sections, then each section of the others
        sectioned = set(problem.sections["line_id"].astype(str))
        limits = [
            ("rail line", str(ln.line_id), ln)
            for ln in problem.lines.itertuples(index=False)
            if str(ln.line_id) not in sectioned
        ] + [("rail line section", str(sc.key), sc) for sc in problem.sections.itertuples(index=False)]
        for what, lkey, ln in limits:
            if ln.capacity_t_per_year is None or pd.isna(ln.capacity_t_per_year) or bool(ln.lifted):
                continue
            avail = max(0.0, float(ln.capacity_t_per_year) - float(ln.other_traffic_t_per_year or 0.0))
            over(what, lkey, use.get(("line", lkey), 0.0), avail)
    plannable_t = (
        problem.flows[~problem.flows["flow_id"].isin(unplannable)]
        .groupby("enterprise_id")["tonnes_per_year"]
        .sum()
    )
    for e, (zid, hours, _exempt) in zone_of.items():
        allowed = max(0.0, 24.0 - hours) / 24.0 * float(plannable_t.get(e, 0.0))
        over("restriction zone", f"{zid}:{e}", use.get(("zone", f"{zid}:{e}"), 0.0), allowed)
    ent_tonnes = problem.flows.groupby("enterprise_id")["tonnes_per_year"].sum()
    for sp, srow in spurs.iterrows():
        used = use.get(("spur", str(sp)), 0.0)
        cap = srow["capacity_t_per_year"]
        cap_v = (
            float(ent_tonnes.get(srow["enterprise_id"], 0.0)) if cap is None or pd.isna(cap) else float(cap)
        )
        on = srow["status"] == "existing" or sp in built_spurs
        over("spur", str(sp), used, cap_v if on else 0.0)
    for c, crow in conv.iterrows():
        cap = crow["capacity_t_per_year"]
        cap_v = (
            float(flows.at[crow["flow_id"], "tonnes_per_year"]) if cap is None or pd.isna(cap) else float(cap)
        )
        on = bool(crow["existing"]) or c in built_conv
        over("conveyor", str(c), use.get(("conveyor", str(c)), 0.0), cap_v if on else 0.0)


def _check_fleets(ctx: _Context, t: _Tally) -> None:
    """8. Fleets: existing trucks recomputed from the current split (or the scenario's [fleet])."""
    (
        problem, params, result, flows, ent_idx, reg, reg_idx, st, st_idx, payload, over
    ) = (
        ctx.problem, ctx.params, ctx.result, ctx.flows, ctx.ent_idx, ctx.reg, ctx.reg_idx, ctx.st,
        ctx.st_idx, ctx.payload, ctx.over
    )
    hours_by_pool = t.hours_by_pool
    cur_hours: dict[str, float] = {}
    for s in problem.splits.itertuples(index=False):
        if s.mode not in _NE or s.flow_id not in flows.index:
            continue
        fl = flows.loc[s.flow_id]
        e = str(fl["enterprise_id"])
        ei, ri = ent_idx[e], reg_idx[fl["region_id"]]
        x = float(fl["tonnes_per_year"]) * float(s.share_pct) / 100.0
        if s.mode == "truck_ne":
            h = problem.distances.region_h[ei, ri] + reg.at[ri, "road_km_beyond"] / 60.0
            if not pd.isna(fl["road_km"]):
                net = problem.distances.region_km[ei, ri] + reg.at[ri, "road_km_beyond"]
                h = h * (float(fl["road_km"]) / net if net > 0 else 1.0)
            pool = f"enterprise:{e}"
        else:
            declared = fl["station_id"]
            j = st_idx.get(declared, -1) if declared is not None else -1
            if j < 0:
                order = np.lexsort(
                    (st["station_id"].astype(str).to_numpy(), problem.distances.station_km[ei])
                )
                j = int(order[0])
            h = problem.distances.station_h[ei, j]
            pool = (
                f"station:{st.at[j, 'station_id']}" if params.fleet_pool == "station" else f"enterprise:{e}"
            )
        cur_hours[pool] = cur_hours.get(pool, 0.0) + x * (2 * h + params.truck_handling_h_per_trip) / payload
    for pool, hours in hours_by_pool.items():
        pool_key = pool.split(":", 1)[1]
        if pool_key in problem.fleet:
            existing = int(problem.fleet[pool_key])
        elif params.existing_fleet == "current":
            existing = math.ceil(cur_hours.get(pool, 0.0) / params.truck_hours_per_year - 1e-9)
        else:
            existing = 0
        trucks = existing + int(result.builds["trucks"].get(pool, 0))
        over("fleet", pool, hours, trucks * params.truck_hours_per_year)


def _check_swaps(ctx: _Context, t: _Tally) -> None:
    """9. Swap stations: units within the limit, swaps within capacity."""
    params, result, bad, sw, over = ctx.params, ctx.result, ctx.bad, ctx.sw, ctx.over
    swaps_by_station = t.swaps_by_station
    for w, swaps in swaps_by_station.items():
        wid = str(sw.at[w, "swap_id"])
        units = int(result.builds["swap_units"].get(wid, 0))
        if units > params.max_swap_units:
            bad.append(f"swap station {wid}: {units} units > max_swap_units")
        cap = (
            float(sw.at[w, "swaps_per_day"] or 0.0) + units * params.swap_unit_swaps_per_day
        ) * params.days_per_year
        over("swap station", wid, swaps, cap)


def _check_targets(ctx: _Context, t: _Tally) -> None:
    """10. Targets and the reported ratios, shortfalls and new-energy shares."""
    (
        problem, params, result, bad, rb, flows, default_target, policy_clean
    ) = (
        ctx.problem, ctx.params, ctx.result, ctx.bad, ctx.rb, ctx.flows, ctx.default_target,
        ctx.policy_clean
    )
    clean_bulk, base_bulk, rail_after, ne_road = t.clean_bulk, t.base_bulk, t.rail_after, t.ne_road
    bulk_t = (
        problem.flows[[rb.is_bulk(c) for c in problem.flows["commodity"]]]
        .groupby("enterprise_id")["tonnes_per_year"]
        .sum()
    )
    ents = result.enterprises.set_index("enterprise_id")
    ne_share = (
        params.ne_share_of_shortfall if params.ne_share_of_shortfall is not None else rb.ne_share_of_shortfall
    )
    # today's ratios and rail tonnes from the current split, classified here again
    before_clean: dict[str, float] = {}
    before_base: dict[str, float] = {}
    rail_before: dict[str, float] = {}
    for c in result.current.itertuples(index=False):
        fl = flows.loc[c.flow_id]
        e, mode, x = str(fl["enterprise_id"]), str(c.mode), float(c.tonnes)
        ne_km = float(c.road_km) if mode == "truck_ne" else float(c.short_haul_km)
        is_clean, counted, _ = policy_clean(e, fl, mode, ne_km, mode in _RAIL)
        if counted and rb.is_bulk(str(fl["commodity"])):
            before_base[e] = before_base.get(e, 0.0) + x
            if is_clean:
                before_clean[e] = before_clean.get(e, 0.0) + x
        if mode in _RAIL:
            rail_before[e] = rail_before.get(e, 0.0) + x
    shortfall_total = 0.0
    below_floor_cost = 0.0
    ne_missing_total = 0.0
    for e, b in bulk_t.items():
        target = float(problem.targets.get(str(e), default_target))
        clean = clean_bulk.get(str(e), 0.0)
        base = base_bulk.get(str(e), 0.0)
        short = max(0.0, target * base - clean)
        if short <= 1e-6 * float(b) + 1e-3:  # solver feasibility tolerance
            short = 0.0
        b0 = before_base.get(str(e), 0.0)
        r0 = before_clean.get(str(e), 0.0) / b0 if b0 > 0 else 0.0
        floor = max(target, r0) if rb.no_backsliding else target
        below = max(0.0, floor * base - clean)
        below = 0.0 if below <= 1e-6 * float(b) + 1e-3 else below
        weight = (
            max(params.shortfall_penalty_cny_per_t, params.policy_penalty_cny_per_t)
            if floor > target
            else params.shortfall_penalty_cny_per_t
        )
        below_floor_cost += weight * below
        if short > 0:
            shortfall_total += short
            if params.target_mode == "hard" and result.status != "infeasible":
                bad.append(f"enterprise {e}: clean ratio {clean / base:.4f} below its hard target {target:.4f}")
        if e in ents.index:
            ratio = clean / base if base > 0 else math.nan
            if not _close(float(ents.at[e, "ratio_after"]), ratio, 1e-6, 1e-6):
                bad.append(
                    f"enterprise {e}: ratio_after {ents.at[e, 'ratio_after']:.6f} reported, {ratio:.6f} recomputed"
                )
            if not _close(float(ents.at[e, "shortfall_t"]), short, 1e-6, 1e-2):
                bad.append(
                    f"enterprise {e}: shortfall {ents.at[e, 'shortfall_t']:.3f} t reported, {short:.3f} t recomputed"
                )
            if "rail_tonnes_after" in ents and not _close(
                float(ents.at[e, "rail_tonnes_after"]), rail_after.get(str(e), 0.0), 1e-7, 1e-2
            ):
                bad.append(f"enterprise {e}: rail tonnes {ents.at[e, 'rail_tonnes_after']:,.1f} reported, "
                           f"{rail_after.get(str(e), 0.0):,.1f} recomputed")
        if ne_share:  # new-energy trucks carry >= ne_share x the shortfall, or the miss is reported
            missing = max(0.0, float(ne_share) * short - ne_road.get(str(e), 0.0))
            missing = 0.0 if missing <= 1e-6 * max(1.0, short) + 1e-3 else missing
            ne_missing_total += missing
            told = float(ents.at[e, "ne_missing_t"]) if e in ents.index and "ne_missing_t" in ents else 0.0
            if not _close(told, missing, 1e-6, 1e-2):
                bad.append(
                    f"enterprise {e}: new-energy trucks carry {ne_road.get(str(e), 0.0):,.1f} t, "
                    f"{missing:,.1f} t short of {ne_share:g} x the shortfall; {told:,.1f} t reported"
                )
    t.bulk_t, t.rail_before = bulk_t, rail_before
    t.shortfall_total, t.below_floor_cost, t.ne_missing_total = shortfall_total, below_floor_cost, ne_missing_total


def _policy_missed(ctx: _Context, t: _Tally) -> float:
    """Tonnes short of the policy rules (rail not falling, out of the province by rail, city ratio)."""
    (
        problem, params, rb, flows, reg, reg_idx, unplannable, rail_only, share_out
    ) = (
        ctx.problem, ctx.params, ctx.rb, ctx.flows, ctx.reg, ctx.reg_idx, ctx.unplannable,
        ctx.rail_only, ctx.share_out
    )
    (
        clean_bulk, base_bulk, rail_after, oop_rail, bulk_t, rail_before
    ) = (
        t.clean_bulk, t.base_bulk, t.rail_after, t.oop_rail, t.bulk_t, t.rail_before
    )
    def miss(need: float, have: float) -> float:
        g = need - have
        return g if g > 1e-6 * max(1.0, need) + 1e-3 else 0.0

    policy_missed = 0.0
    if rb.rail_no_decrease:
        for e, r0 in rail_before.items():
            if r0 > 1e-6:
                policy_missed += miss(r0, rail_after.get(e, 0.0))
    city_rail = sum(rail_before.values()) if rb.rail_no_decrease else 0.0
    if params.city_rail_share_min is not None:
        city_rail = max(city_rail, float(params.city_rail_share_min) * float(problem.flows["tonnes_per_year"].sum()))
    if city_rail > 1e-6:
        policy_missed += miss(city_rail, sum(rail_after.values()))
    if share_out > 0:
        for fid, rec in flows.iterrows():
            fl_leaves = (
                rec["commodity"] in rail_only
                and rec["direction"] == "out"
                and not bool(reg.at[reg_idx[rec["region_id"]], "in_province"])
            )
            if fl_leaves and fid not in unplannable:
                policy_missed += miss(share_out * float(rec["tonnes_per_year"]), oop_rail.get(str(fid), 0.0))
    if params.city_clean_ratio_min is not None:
        level = float(params.city_clean_ratio_min)
        b_city = float(bulk_t.sum())
        sep = b_city - sum(base_bulk.values())
        policy_missed += 10.0 * miss(level * b_city, sum(clean_bulk.values()) + level * sep)
    return policy_missed


def _check_budget(ctx: _Context) -> tuple[float, float]:
    """11. The capital spent within the budget; returns (capital, annualised capital)."""
    (
        params, result, rel_tol, bad, spurs, conv, built_spurs, built_conv
    ) = (
        ctx.params, ctx.result, ctx.rel_tol, ctx.bad, ctx.spurs, ctx.conv, ctx.built_spurs,
        ctx.built_conv
    )
    capex = 0.0
    annual = 0.0
    for sp in built_spurs:
        c = float(spurs.at[sp, "capex_cny"] or 0.0)
        capex += c
        annual += params.annualise(c, params.spur_lifetime_years)
        if spurs.at[sp, "status"] == "excluded":
            bad.append(f"spur {sp} is built but excluded")
    for c_id in built_conv:
        c = float(conv.at[c_id, "capex_cny"] or 0.0)
        capex += c
        annual += params.annualise(c, params.conveyor_lifetime_years)
    n_trucks = sum(int(v) for v in result.builds["trucks"].values())
    capex += n_trucks * params.ne_truck_capex_cny
    annual += n_trucks * params.annualise(params.ne_truck_capex_cny, params.truck_lifetime_years)
    units = sum(int(v) for v in result.builds["swap_units"].values())
    capex += units * params.swap_unit_capex_cny
    annual += units * params.annualise(params.swap_unit_capex_cny, params.swap_lifetime_years)
    if params.budget_cny is not None and capex > params.budget_cny * (1 + rel_tol) + 1e-3:
        bad.append(f"capital spent {capex:,.0f} CNY > budget {params.budget_cny:,.0f} CNY")
    return capex, annual


def _check_totals(ctx: _Context, t: _Tally, capex: float, annual: float) -> dict[str, Any]:
    """12. The city totals and the objective summed again; returns the recomputed totals."""
    params, result, bad = ctx.params, ctx.result, ctx.bad
    (
        transport, co2, nox, pm, weighted, clean_bulk, base_bulk, rail_after, rail_before,
        shortfall_total, below_floor_cost, ne_missing_total, policy_missed
    ) = (
        t.transport, t.co2, t.nox, t.pm, t.weighted, t.clean_bulk, t.base_bulk, t.rail_after,
        t.rail_before, t.shortfall_total, t.below_floor_cost, t.ne_missing_total, t.policy_missed
    )
    bulk_sum = float(sum(base_bulk.values()))
    ratio_after = sum(clean_bulk.values()) / bulk_sum if bulk_sum > 0 else math.nan
    penalty = 0.0 if result.status == "infeasible" else below_floor_cost
    penalty += 0.0 if result.status == "infeasible" else params.ne_share_penalty_cny_per_t * ne_missing_total
    penalty += 0.0 if result.status == "infeasible" else params.policy_penalty_cny_per_t * policy_missed
    objective = weighted + annual + penalty
    checks = (
        ("city ratio_after", result.city["ratio_after"], ratio_after),
        ("city transport cost", result.city["transport_cost_after_cny"], transport),
        ("city CO2", result.city["co2_after_t"], co2),
        ("city NOx", result.city["nox_after_kg"], nox),
        ("city PM2.5", result.city["pm25_after_kg"], pm),
        ("annualised capital", result.city["capex_annual_cny"], annual),
    )
    for name, got, want in checks:
        if not _close(float(got), float(want), 1e-7, 1e-4):
            bad.append(f"{name}: {got:,.4f} reported, {want:,.4f} recomputed")
    if result.status != "infeasible" and not _close(result.objective, objective, 1e-7, 1e-2):
        bad.append(f"objective: {result.objective:,.2f} reported, {objective:,.2f} recomputed")
    totals = {
        "transport_cny": transport,
        "co2_t": co2,
        "nox_kg": nox,
        "pm25_kg": pm,
        "capex_cny": capex,
        "capex_annual_cny": annual,
        "ratio_after": ratio_after,
        "shortfall_t": shortfall_total,
        "ne_missing_t": ne_missing_total,
        "policy_missed_t": policy_missed,
        "rail_tonnes_before": sum(rail_before.values()),
        "rail_tonnes_after": sum(rail_after.values()),
        "objective": objective,
    }
    return totals
