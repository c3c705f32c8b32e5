"""Candidate chains per flow, and the chains of the current mode split, with per-tonne figures.

A *chain* is one way to move a flow: own spur, rail via a freight station with a new-energy or diesel
short-haul, new-energy or China VI truck direct, a declared conveyor or pipeline. Each row carries
per-tonne cost, CO2, NOx, PM2.5 and time, whether it is clean under the rulebook, the truck hours and
battery swaps it needs per tonne, and the capacities it uses (station, spur, conveyor, swap station,
truck pool). Everything the model and the checker need is in this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cleanfreight.accounting.emissions import chain_intensity, intensity_table
from cleanfreight.accounting.policy import classify_lines
from cleanfreight.accounting.rulebooks import Rulebook
from cleanfreight.planning._links import (
    _chain_lines,
    _pick,
    line_path,
    nearest_swap_index,
    rail_diesel_km,
    zone_of_enterprises,
)
from cleanfreight.planning.params import PlanParams
from cleanfreight.planning.problem import PlanProblem

__all__ = ["CHAIN_COLUMNS", "ChainTables", "build_chains", "line_path", "zone_of_enterprises"]

_RAIL_MODES = ("rail_spur", "rail_station_ne", "rail_station_diesel")
#: chains whose truck leg is diesel (banned in a restriction zone) and new-energy (banned unless exempt)
DIESEL_ROAD_MODES = ("truck_cn6", "truck_cn5", "rail_station_diesel")
NE_ROAD_MODES = ("truck_ne", "rail_station_ne")
_MODE_ORDER = {
    m: i
    for i, m in enumerate(
        (
            "rail_spur",
            "conveyor",
            "pipeline",
            "rail_station_ne",
            "rail_station_diesel",
            "truck_ne",
            "truck_cn6",
            "truck_cn5",
        )
    )
}

CHAIN_COLUMNS = (
    "flow_id",
    "flow_idx",
    "enterprise_id",
    "ent_idx",
    "region_id",
    "mode",
    "station_id",
    "st_idx",
    "spur_id",
    "spur_idx",
    "conveyor_id",
    "conv_idx",
    "road_km",
    "short_haul_km",
    "rail_km",
    "cost_cny_per_t",
    "co2_kg_per_t",
    "nox_g_per_t",
    "pm25_g_per_t",
    "time_h",
    "clean",
    "in_ratio",
    "rail",
    "leaves_province",
    "ne_long_haul",
    "ne",
    "truck_h_per_t",
    "swaps_per_t",
    "swap_idx",
    "pool",
    "rail_lines",
    "rail_sections",
    "zone_id",
    "rank",
    "fixed",
    "fixed_t",
)


@dataclass(frozen=True)
class ChainTables:
    """Candidate chains (``candidates``), the current split as chains (``current``) and per-flow facts."""

    candidates: pd.DataFrame
    current: pd.DataFrame
    flows: pd.DataFrame  # flow facts: direct km/h, rail km, bulk, rail_only, target of the enterprise
    swap_of_enterprise: np.ndarray  # index of the swap station each enterprise uses, -1 for none
    unplannable: list[str]  # flows without an allowed chain: they keep their current split
    ne_share: float | None = None  # new-energy share of the shortfall (cement rule), None: no such rule
    rail_share_out: float = 0.0  # share of out-of-province coal/coke that must go by rail (0: rule off)
    rulebook: Rulebook | None = None  # the plan's rulebook, policy overrides applied
    blocked: dict[str, str] = field(default_factory=dict)  # flows no chain can serve -> why


def _direct(problem: PlanProblem, fl: pd.DataFrame, params: PlanParams) -> pd.DataFrame:
    reg = problem.regions.reset_index(drop=True)
    r_idx = pd.Index(reg["region_id"]).get_indexer(fl["region_id"])
    e_idx = pd.Index(problem.enterprises["enterprise_id"]).get_indexer(fl["enterprise_id"])
    beyond = reg["road_km_beyond"].to_numpy(float)[r_idx]
    net_km = problem.distances.region_km[e_idx, r_idx] + beyond
    net_h = problem.distances.region_h[e_idx, r_idx] + beyond / 60.0
    given = fl["road_km"].to_numpy(float)
    km = np.where(np.isnan(given), net_km, given)
    hours = np.where(
        np.isnan(given), net_h, net_h * np.divide(given, net_km, out=np.ones_like(given), where=net_km > 0)
    )
    rail = fl["rail_km"].to_numpy(float)
    rail = np.where(np.isnan(rail), reg["rail_km"].to_numpy(float)[r_idx], rail)
    out = fl[
        ["flow_id", "enterprise_id", "commodity", "direction", "tonnes_per_year", "region_id", "station_id"]
    ].copy()
    out["flow_idx"] = np.arange(len(fl))
    out["ent_idx"] = e_idx
    out["reg_idx"] = r_idx
    out["direct_km"] = km
    out["direct_h"] = hours
    out["rail_km"] = rail
    out["in_province"] = reg["in_province"].to_numpy(bool)[r_idx]
    return out


def build_chains(
    problem: PlanProblem,
    params: PlanParams,
    rulebook: Rulebook,
    *,
    blocked: dict[str, str] | None = None,
) -> ChainTables:
    """Enumerate candidate chains for every flow and express the current split as chains.

    ``rulebook`` is the plan's (``params.policy_rulebook()``). ``blocked``: flows (id -> reason) that no
    allowed chain can serve within the capacities; they keep their current split, as unplannable.
    """
    f = params.cost_factors(problem.factors)
    fl = _direct(problem, problem.flows, params)
    # coal and coke leaving the province: all chains stay candidates, the model asks for a rail share
    fl["leaves_province"] = (
        fl["commodity"].isin(rulebook.rail_only_out_of_province).to_numpy()
        & (fl["direction"] == "out").to_numpy()
        & ~fl["in_province"].to_numpy(bool)
    )
    fl["rail_only"] = fl["leaves_province"] & (params.out_of_province_share(rulebook) > 0)
    fl["enterprise_t_per_year"] = fl["enterprise_id"].map(fl.groupby("enterprise_id")["tonnes_per_year"].sum())
    fl["bulk"] = [rulebook.is_bulk(c) for c in fl["commodity"]]
    default_target = rulebook.target if params.target is None else params.target
    fl["target"] = [float(problem.targets.get(e, default_target)) for e in fl["enterprise_id"]]

    st = problem.stations.reset_index(drop=True)
    st_ids = st["station_id"].astype(str).to_numpy()
    handling = st["handling_cost_cny_per_t"].fillna(f["cost.rail.station_handling_cny_per_t"]).to_numpy(float)
    transfer_h = st["transfer_time_h"].fillna(0.0).to_numpy(float)
    skm = problem.distances.station_km
    sh_h = problem.distances.station_h

    swap_of_ent = nearest_swap_index(problem, params)
    payload = f["road.payload_t"]
    battery = f["road.electric.battery_kwh"]
    allowed = set(params.allowed_modes)
    rows: list[dict[str, object]] = []

    spurs = problem.spurs.reset_index(drop=True)
    spurs_of: dict[str, list[int]] = {}
    for i, (e, status) in enumerate(zip(spurs["enterprise_id"], spurs["status"], strict=True)):
        if status != "excluded":
            spurs_of.setdefault(str(e), []).append(i)
    conv = problem.conveyors.reset_index(drop=True)
    conv_of: dict[str, list[int]] = {}
    for i, fid in enumerate(conv["flow_id"]):
        conv_of.setdefault(str(fid), []).append(i)
    st_index = {s: i for i, s in enumerate(st_ids)}

    for rec in fl.itertuples(index=False):
        e, fid = int(rec.ent_idx), str(rec.flow_id)
        has_rail = not np.isnan(rec.rail_km)
        base = {
            "flow_id": fid,
            "flow_idx": rec.flow_idx,
            "enterprise_id": rec.enterprise_id,
            "ent_idx": e,
            "region_id": rec.region_id,
            "rail_km": rec.rail_km if has_rail else 0.0,
            "leaves_province": bool(rec.leaves_province),
            "enterprise_t_per_year": float(rec.enterprise_t_per_year),
        }
        if has_rail and "rail_spur" in allowed:
            for sp in spurs_of.get(str(rec.enterprise_id), []):
                rows.append(
                    {
                        **base,
                        "mode": "rail_spur",
                        "spur_idx": sp,
                        "st_idx": st_index.get(str(spurs.at[sp, "station_id"]), -1),
                        "road_km": 0.0,
                        "short_haul_km": 0.0,
                        "sh_h": 0.0,
                    }
                )
        if has_rail:
            dist = skm[e]
            order = np.lexsort((st_ids, dist))
            near = [int(j) for j in order if dist[j] <= params.max_short_haul_km][
                : params.max_stations_per_flow
            ]
            declared = st_index.get(str(rec.station_id)) if rec.station_id is not None else None
            if declared is not None and declared not in near:
                near.append(declared)
            for j in near:
                for mode in ("rail_station_ne", "rail_station_diesel"):
                    if mode in allowed:
                        rows.append(
                            {
                                **base,
                                "mode": mode,
                                "st_idx": j,
                                "road_km": 0.0,
                                "short_haul_km": float(dist[j]),
                                "sh_h": float(sh_h[e, j]),
                            }
                        )
        # road, conveyor and pipeline chains (out-of-province coal/coke too: the rail rule prices them)
        for mode in ("conveyor", "pipeline"):
            for c in conv_of.get(fid, []):
                if conv.at[c, "mode"] == mode and mode in allowed:
                    km = conv.at[c, "km"]
                    km = rec.direct_km if km is None or pd.isna(km) else float(km)
                    rows.append(
                        {
                            **base,
                            "mode": mode,
                            "conv_idx": c,
                            "road_km": km,
                            "short_haul_km": 0.0,
                            "sh_h": 0.0,
                            "rail_km": 0.0,
                        }
                    )
        if "truck_ne" in allowed and rec.direct_km <= params.ne_direct_max_km:
            rows.append(
                {
                    **base,
                    "mode": "truck_ne",
                    "road_km": rec.direct_km,
                    "short_haul_km": 0.0,
                    "sh_h": rec.direct_h,
                    "rail_km": 0.0,
                }
            )
        if "truck_cn6" in allowed:
            rows.append(
                {
                    **base,
                    "mode": "truck_cn6",
                    "road_km": rec.direct_km,
                    "short_haul_km": 0.0,
                    "sh_h": rec.direct_h,
                    "rail_km": 0.0,
                }
            )
    cand = _finish(
        pd.DataFrame(rows),
        problem,
        params,
        rulebook,
        st_ids,
        handling,
        transfer_h,
        swap_of_ent,
        payload,
        battery,
    )
    current = _current(
        problem, params, rulebook, fl, st_ids, handling, transfer_h, swap_of_ent, payload, battery
    )
    # flows without any allowed chain keep their current split (fixed; outside the capacity rows)
    if blocked:
        cand = cand[~cand["flow_id"].isin(set(blocked))].reset_index(drop=True)
    unplannable = sorted(set(fl["flow_id"]) - set(cand["flow_id"]))
    cand = cand.assign(fixed=False, fixed_t=0.0)
    if unplannable:
        kept = current[current["flow_id"].isin(unplannable)]
        kept = kept.assign(fixed=True, fixed_t=kept["tonnes"]).drop(columns="tonnes")
        missing = sorted(set(unplannable) - set(kept["flow_id"]))
        if missing:  # no split either: assume China VI trucks, as a status quo
            extra = fl[fl["flow_id"].isin(missing)]
            df = pd.DataFrame(
                {
                    "flow_id": extra["flow_id"],
                    "flow_idx": extra["flow_idx"],
                    "enterprise_id": extra["enterprise_id"],
                    "ent_idx": extra["ent_idx"],
                    "region_id": extra["region_id"],
                    "mode": "truck_cn6",
                    "road_km": extra["direct_km"],
                    "short_haul_km": 0.0,
                    "rail_km": 0.0,
                    "sh_h": extra["direct_h"],
                    "_t": extra["tonnes_per_year"],
                    "leaves_province": extra["leaves_province"],
                    "enterprise_t_per_year": extra["enterprise_t_per_year"],
                }
            )
            more = _finish(
                df, problem, params, rulebook, st_ids, handling, transfer_h, swap_of_ent, payload, battery
            )
            kept = pd.concat([kept, more.assign(fixed=True, fixed_t=more["tonnes"]).drop(columns="tonnes")])
        cand = pd.concat([cand, kept], ignore_index=True)
        cand = cand.sort_values(["flow_idx", "rank"], kind="mergesort").reset_index(drop=True)
    ne_share = (
        params.ne_share_of_shortfall
        if params.ne_share_of_shortfall is not None
        else rulebook.ne_share_of_shortfall
    )
    return ChainTables(
        cand, current, fl, swap_of_ent, unplannable, ne_share,
        rail_share_out=params.out_of_province_share(rulebook), rulebook=rulebook, blocked=dict(blocked or {}),
    )


def _finish(
    df: pd.DataFrame,
    problem: PlanProblem,
    params: PlanParams,
    rulebook: Rulebook,
    st_ids: np.ndarray,
    handling: np.ndarray,
    transfer_h: np.ndarray,
    swap_of_ent: np.ndarray,
    payload: float,
    battery: float,
) -> pd.DataFrame:
    """Add per-tonne figures and capacity links to a table of chains (mode, km columns, indices)."""
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CHAIN_COLUMNS})
    for c in ("st_idx", "spur_idx", "conv_idx"):
        df[c] = df[c].fillna(-1).astype(int) if c in df else -1
    f = params.cost_factors(problem.factors)
    via_station = df["mode"].isin(("rail_station_ne", "rail_station_diesel")).to_numpy()
    st_idx = df["st_idx"].to_numpy(int)
    station_handling = np.full(len(df), np.nan)
    station_handling[via_station] = handling[st_idx[via_station]]
    legs = df[["mode", "road_km", "rail_km", "short_haul_km"]].assign(
        station_handling_cny_per_t=station_handling,
        rail_diesel_km=rail_diesel_km(problem, df["mode"].to_numpy(), st_idx, df["spur_idx"].to_numpy(int)),
    )
    inten = intensity_table(legs, f)
    cost = inten["cost_cny"].to_numpy(float).copy()
    is_rail = df["mode"].isin(_RAIL_MODES).to_numpy()
    time_h = df["sh_h"].to_numpy(float) + np.where(
        is_rail, df["rail_km"].to_numpy(float) / params.rail_speed_kmh, 0.0
    )
    time_h[via_station] += transfer_h[st_idx[via_station]]
    ne = df["mode"].isin(("truck_ne", "rail_station_ne")).to_numpy()
    # round trip (loaded + empty) plus handling, shared by the payload
    truck_h = np.where(
        ne, (2.0 * df["sh_h"].to_numpy(float) + params.truck_handling_h_per_trip) / payload, 0.0
    )
    road_leg_km = np.where(df["mode"] == "truck_ne", df["road_km"], df["short_haul_km"]).astype(float)
    kwh = np.asarray(chain_intensity("truck_ne", road_km=road_leg_km, factors=f)["energy_kwh"], dtype=float)
    swaps = np.where(ne, kwh / battery, 0.0)
    ent_idx = df["ent_idx"].to_numpy(int)
    swap_idx = np.where(ne, swap_of_ent[ent_idx], -1)
    swaps = np.where(swap_idx >= 0, swaps, 0.0)
    pool = np.where(
        ne,
        np.where(
            (df["mode"] == "rail_station_ne").to_numpy() & (params.fleet_pool == "station"),
            "station:"
            + pd.Series(st_ids[np.maximum(st_idx, 0)] if len(st_ids) else [""] * len(df))
            .astype(str)
            .to_numpy(),
            "enterprise:" + df["enterprise_id"].astype(str).to_numpy(),
        ),
        "",
    )
    spurs = problem.spurs.reset_index(drop=True)
    conv = problem.conveyors.reset_index(drop=True)
    spur_idx = df["spur_idx"].to_numpy(int)
    conv_idx = df["conv_idx"].to_numpy(int)
    lines, sections = _chain_lines(problem, df["region_id"].astype(str).to_numpy(), st_idx, is_rail)
    zones = problem.zones.reset_index(drop=True)
    z = zone_of_enterprises(problem, params)[ent_idx] if len(ent_idx) else np.array([], dtype=int)
    in_zone = z >= 0
    exempt = np.zeros(len(z), dtype=bool)
    if in_zone.any():
        exempt[in_zone] = zones["new_energy_exempt"].to_numpy(bool)[z[in_zone]]
    banned = df["mode"].isin(DIESEL_ROAD_MODES).to_numpy() | (
        df["mode"].isin(NE_ROAD_MODES).to_numpy() & ~exempt
    )
    zone_id = _pick(np.where(banned & in_zone, z, -1), zones["zone_id"].astype(str).to_numpy(object))
    policy = classify_lines(
        df[[c for c in ("mode", "road_km", "short_haul_km", "leaves_province", "enterprise_t_per_year") if c in df]],
        rulebook,
    )
    out = pd.DataFrame(
        {
            "flow_id": df["flow_id"].astype(str).to_numpy(),
            "flow_idx": df["flow_idx"].astype(int).to_numpy(),
            "enterprise_id": df["enterprise_id"].astype(str).to_numpy(),
            "ent_idx": ent_idx,
            "region_id": df["region_id"].astype(str).to_numpy(),
            "mode": df["mode"].astype(str).to_numpy(),
            "station_id": _pick(st_idx, st_ids),
            "st_idx": st_idx,
            "spur_id": _pick(spur_idx, spurs["spur_id"].to_numpy(object)),
            "spur_idx": spur_idx,
            "conveyor_id": _pick(conv_idx, conv["conveyor_id"].to_numpy(object)),
            "conv_idx": conv_idx,
            "road_km": df["road_km"].astype(float).to_numpy(),
            "short_haul_km": df["short_haul_km"].astype(float).to_numpy(),
            "rail_km": np.where(is_rail, df["rail_km"].astype(float).to_numpy(), 0.0),
            "cost_cny_per_t": cost,
            "co2_kg_per_t": inten["co2_kg"].to_numpy(float),
            "nox_g_per_t": inten["nox_g"].to_numpy(float),
            "pm25_g_per_t": inten["pm25_g"].to_numpy(float),
            "time_h": time_h,
            "clean": policy["is_clean"].to_numpy(bool),
            "in_ratio": policy["in_ratio"].to_numpy(bool),
            "rail": policy["uses_rail"].to_numpy(bool),
            "leaves_province": policy["rail_only_out"].to_numpy(bool),
            "ne_long_haul": policy["ne_long_haul"].to_numpy(bool),
            "ne": ne,
            "truck_h_per_t": truck_h,
            "swaps_per_t": swaps,
            "swap_idx": swap_idx.astype(int),
            "pool": pool,
            "rail_lines": lines,
            "rail_sections": sections,
            "zone_id": zone_id,
        }
    )
    if "_t" in df:
        out["tonnes"] = df["_t"].to_numpy(float)
    # deterministic preference among equal-cost chains: mode order, then shorter short-haul, then id
    key = pd.DataFrame(
        {
            "flow_idx": out["flow_idx"],
            "m": out["mode"].map(_MODE_ORDER).fillna(99),
            "sh": out["short_haul_km"].round(6),
            "st": out["station_id"].fillna("").astype(str),
            "sp": out["spur_id"].fillna("").astype(str),
        }
    )
    order = key.sort_values(["flow_idx", "m", "sh", "st", "sp"], kind="mergesort").index
    out = out.loc[order].reset_index(drop=True)
    out["rank"] = out.groupby("flow_idx").cumcount().astype(int)
    return out


def _current(
    problem: PlanProblem,
    params: PlanParams,
    rulebook: Rulebook,
    fl: pd.DataFrame,
    st_ids: np.ndarray,
    handling: np.ndarray,
    transfer_h: np.ndarray,
    swap_of_ent: np.ndarray,
    payload: float,
    battery: float,
) -> pd.DataFrame:
    """The current mode split as chains, with tonnes (station: the flow's declared one, else the nearest)."""
    sp = problem.splits.merge(fl, on="flow_id", how="inner", validate="many_to_one")
    sp = sp[sp["share_pct"].astype(float) > 0].reset_index(drop=True)
    if sp.empty:
        cols = {c: pd.Series(dtype=object) for c in (*CHAIN_COLUMNS, "tonnes")}
        return pd.DataFrame(cols)
    st_index = {s: i for i, s in enumerate(st_ids)}
    skm = problem.distances.station_km
    sh_h = problem.distances.station_h
    spurs = problem.spurs.reset_index(drop=True)
    conv = problem.conveyors.reset_index(drop=True)
    rows: list[dict[str, object]] = []
    for rec in sp.itertuples(index=False):
        e = int(rec.ent_idx)
        mode = str(rec.mode)
        row: dict[str, object] = {
            "flow_id": rec.flow_id,
            "flow_idx": rec.flow_idx,
            "enterprise_id": rec.enterprise_id,
            "ent_idx": e,
            "region_id": rec.region_id,
            "mode": mode,
            "rail_km": 0.0 if np.isnan(rec.rail_km) else rec.rail_km,
            "road_km": 0.0,
            "short_haul_km": 0.0,
            "sh_h": 0.0,
            "tonnes": float(rec.tonnes_per_year) * float(rec.share_pct) / 100.0,
            "leaves_province": bool(rec.leaves_province),
            "enterprise_t_per_year": float(rec.enterprise_t_per_year),
        }
        if mode in ("rail_station_ne", "rail_station_diesel") and len(st_ids):
            j = st_index.get(str(rec.station_id)) if rec.station_id is not None else None
            if j is None:
                j = int(np.lexsort((st_ids, skm[e]))[0])
            row.update(st_idx=j, short_haul_km=float(skm[e, j]), sh_h=float(sh_h[e, j]))
        elif mode == "rail_spur":
            mine = spurs.index[spurs["enterprise_id"] == rec.enterprise_id].tolist()
            existing = [i for i in mine if spurs.at[i, "status"] == "existing"]
            if existing or mine:
                i = (existing or mine)[0]
                row.update(spur_idx=i, st_idx=st_index.get(str(spurs.at[i, "station_id"]), -1))
        elif mode in ("conveyor", "pipeline"):
            mine = conv.index[(conv["flow_id"] == rec.flow_id) & (conv["mode"] == mode)].tolist()
            km = rec.direct_km
            if mine:
                row["conv_idx"] = mine[0]
                ckm = conv.at[mine[0], "km"]
                km = km if ckm is None or pd.isna(ckm) else float(ckm)
            row["road_km"] = km
        elif mode in ("truck_ne", "truck_cn6", "truck_cn5"):
            row.update(road_km=rec.direct_km, sh_h=rec.direct_h)
        rows.append(row)
    df = pd.DataFrame(rows)
    tonnes = df.pop("tonnes").to_numpy(float)
    df["_t"] = tonnes
    return _finish(df, problem, params, rulebook, st_ids, handling, transfer_h, swap_of_ent, payload, battery)
