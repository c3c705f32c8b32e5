"""The shared state of the plan verifier (:func:`cleanfreight.planning.verify.check_plan`): the inputs
indexed once (:class:`_Context`) and the sums its steps pass on (:class:`_Tally`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cleanfreight.planning._links import nearest_swap_index
from cleanfreight.planning._verify_rail import _ids, _SectionsUsed
from cleanfreight.planning.params import PlanParams
from cleanfreight.planning.problem import PlanProblem
from cleanfreight.planning.solve import PlanResult

_RAIL = ("rail_spur", "rail_station_ne", "rail_station_diesel")
_VIA_STATION = ("rail_station_ne", "rail_station_diesel")
_NE = ("truck_ne", "rail_station_ne")
_DIESEL_ROAD = ("truck_cn6", "truck_cn5", "rail_station_diesel")


def _close(a: float, b: float, rel: float, abs_: float = 1e-3) -> bool:
    return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))


def _objective_unit(params: PlanParams, f: Any, figs: dict[str, float], clean_bulk: bool) -> float:
    """Objective coefficient of one tonne on a chain with per-tonne figures ``figs`` (docs/planning.md)."""
    from cleanfreight.planning._policy_rows import LEX_CLEAN_CNY_PER_T, LEX_CO2_CNY_PER_T

    co2_t = figs["co2_kg"] / 1000.0
    unit = figs["cost_cny"] + params.carbon_price_cny_per_t * co2_t
    if params.objective == "social":
        unit += (
            f["social.co2_cny_per_t"] * co2_t
            + f["social.nox_cny_per_kg"] * figs["nox_g"] / 1000.0
            + f["social.pm25_cny_per_kg"] * figs["pm25_g"] / 1000.0
        )
    elif params.objective == "co2":
        unit += LEX_CO2_CNY_PER_T * co2_t
    elif params.objective == "clean" and clean_bulk:
        unit -= LEX_CLEAN_CNY_PER_T
    return float(unit)


@dataclass
class _Context:
    """What every step of :func:`check_plan` reads: the inputs, their indexes and the policy helpers."""

    problem: PlanProblem
    params: PlanParams
    result: PlanResult
    rel_tol: float
    bad: list[str]
    rb: Any
    f: Any
    flows: pd.DataFrame
    ent_idx: dict[str, int]
    reg: pd.DataFrame
    reg_idx: dict[str, int]
    st: pd.DataFrame
    st_idx: dict[str, int]
    spurs: pd.DataFrame
    conv: pd.DataFrame
    built_spurs: set[str]
    built_conv: set[str]
    unplannable: set[str]
    plan: pd.DataFrame
    default_target: float
    rail_only: set[str]
    share_out: float
    ent_size: pd.Series
    payload: float
    battery: float
    sw: pd.DataFrame
    joins: list[list[str]]
    cut: _SectionsUsed | None
    zone_of: dict[str, tuple[str, float, bool]]
    policy_clean: Callable[[str, Any, str, float, bool], tuple[bool, bool, bool]]
    nearest_swap: Callable[[str], int]
    over: Callable[[str, str, float, float], None]


@dataclass
class _Tally:
    """What the steps sum up for the later steps: capacity use, tonnes, emissions, shortfalls."""

    use: dict[tuple[str, str], float]
    hours_by_pool: dict[str, float]
    swaps_by_station: dict[int, float]
    transport: float
    co2: float
    nox: float
    pm: float
    weighted: float
    clean_bulk: dict[str, float]
    base_bulk: dict[str, float]
    rail_after: dict[str, float]
    oop_rail: dict[str, float]
    ne_road: dict[str, float]
    bulk_t: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    rail_before: dict[str, float] = field(default_factory=dict)
    shortfall_total: float = 0.0
    below_floor_cost: float = 0.0
    ne_missing_total: float = 0.0
    policy_missed: float = 0.0


def _context(problem: PlanProblem, params: PlanParams, result: PlanResult, rel_tol: float) -> _Context:
    """The inputs indexed, the policy read from the rulebook, the restriction zones of each enterprise."""
    bad: list[str] = []
    rb = params.policy_rulebook()
    f = params.cost_factors(problem.factors)
    flows = problem.flows.set_index("flow_id")
    ent_idx = {e: i for i, e in enumerate(problem.enterprises["enterprise_id"])}
    reg = problem.regions.reset_index(drop=True)
    reg_idx = {r: i for i, r in enumerate(reg["region_id"])}
    st = problem.stations.reset_index(drop=True)
    st_idx = {s: i for i, s in enumerate(st["station_id"])}
    spurs = problem.spurs.set_index("spur_id")
    conv = problem.conveyors.set_index("conveyor_id")
    built_spurs = set(result.builds["spurs"])
    built_conv = set(result.builds["conveyors"])
    unplannable = set(result.meta.get("unplannable_flows", []))
    plan = result.flows
    default_target = rb.target if params.target is None else params.target
    rail_only = set(rb.rail_only_out_of_province)
    share_out = params.out_of_province_share(rb)
    ent_size = problem.flows.groupby("enterprise_id")["tonnes_per_year"].sum()

    def policy_clean(e: str, fl: Any, mode: str, ne_km: float, uses_rail: bool) -> tuple[bool, bool, bool]:
        """(clean, counted in the ratio, leaves the province) of tonnes of ``fl`` by ``mode``, read from
        the rulebook's policy settings here again (docs/accounting.md, "Policy settings")."""
        leaves = (
            fl["commodity"] in rail_only
            and fl["direction"] == "out"
            and not bool(reg.at[reg_idx[fl["region_id"]], "in_province"])
        )
        clean = rb.is_clean(mode)
        in_ratio = True
        limit = rb.short_haul_max_km
        if (
            limit is not None
            and rb.beyond_short_haul != "clean"
            and mode in _NE
            and ne_km > limit
            and not float(ent_size.get(e, 0.0)) < rb.short_haul_scope_t_per_year
        ):
            clean = False
            in_ratio = rb.beyond_short_haul != "separate"
        if leaves and rb.out_of_province_rule == "enforce" and not uses_rail:
            clean = False
        return clean, in_ratio, leaves
    payload = f["road.payload_t"]
    battery = f["road.electric.battery_kwh"]
    sw = problem.swap_stations.reset_index(drop=True)

    # the nearest swap station in reach: the model's own convention (a definition, not a result to verify)
    swap_of = dict(zip(problem.enterprises["enterprise_id"].astype(str),
                       nearest_swap_index(problem, params).tolist(), strict=True))

    def nearest_swap(e: str) -> int:
        return swap_of.get(e, -1)

    joins = [_ids(v) for v in st["line_ids"]] if "line_ids" in st else []
    cut = _SectionsUsed(problem) if len(problem.sections) else None
    zone_of: dict[str, tuple[str, float, bool]] = {}  # enterprise -> (zone, banned h/day, NE exempt)
    if params.restriction_zones:
        from shapely.geometry import Point

        for z in sorted(problem.zones.itertuples(index=False), key=lambda z: str(z.zone_id)):
            hours = float(z.banned_hours_per_day)
            if hours <= 0 or z.geometry is None:
                continue
            for erow in problem.enterprises.itertuples(index=False):
                e = str(erow.enterprise_id)
                if (
                    z.geometry.contains(Point(float(erow.lon), float(erow.lat)))
                    and hours > zone_of.get(e, ("", 0.0, True))[1]
                ):
                    zone_of[e] = (str(z.zone_id), hours, bool(z.new_energy_exempt))
    def over(kind: str, key: str, used: float, cap: float) -> None:
        if used > cap + max(1e-3, rel_tol * abs(cap)):
            bad.append(f"{kind} {key}: {used:,.1f} used > capacity {cap:,.1f}")
    return _Context(problem=problem, params=params, result=result, rel_tol=rel_tol, bad=bad, rb=rb, f=f, flows=flows, ent_idx=ent_idx, reg=reg, reg_idx=reg_idx, st=st, st_idx=st_idx, spurs=spurs, conv=conv, built_spurs=built_spurs, built_conv=built_conv, unplannable=unplannable, plan=plan, default_target=default_target, rail_only=rail_only, share_out=share_out, ent_size=ent_size, payload=payload, battery=battery, sw=sw, joins=joins, cut=cut, zone_of=zone_of, policy_clean=policy_clean, nearest_swap=nearest_swap, over=over)
