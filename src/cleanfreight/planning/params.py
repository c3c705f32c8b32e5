"""Parameters of the freight assignment planner, validated once and shared by the API and the CLI.

:class:`PlanParams` holds every planner setting that is not a per-entry override (those live in a
:class:`~cleanfreight.planning.scenario.Scenario`). Emission, energy and transport-cost factors are
**not** repeated here: they come from :func:`cleanfreight.accounting.factors.load_factors`, and a
scenario overrides them through its ``[factors]`` table. Every figure below is an illustrative
default (see ``docs/planning.md``) that a scenario can change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from cleanfreight.accounting.rulebooks import DEFAULT_RULEBOOK
from cleanfreight.errors import InputError, Problem

if TYPE_CHECKING:
    from cleanfreight.accounting.factors import Factors
    from cleanfreight.accounting.rulebooks import Rulebook

__all__ = ["CANDIDATE_MODES", "OBJECTIVES", "PlanParams"]

#: Chains the planner may assign tonnes to (China V trucks only appear in the current split).
CANDIDATE_MODES: tuple[str, ...] = (
    "rail_spur",
    "rail_station_ne",
    "rail_station_diesel",
    "truck_ne",
    "truck_cn6",
    "conveyor",
    "pipeline",
)

_SOLVERS = ("scip",)
#: parameters that, when given, override a cost factor (parameter -> factor key)
_FACTOR_OVERRIDES = {
    "transfer_cny_per_t": "cost.rail.transfer_cny_per_t",
    "default_station_handling_cny_per_t": "cost.rail.station_handling_cny_per_t",
}
_BOOLS = ("rail_only_out_of_province", "rail_line_capacities", "restriction_zones", "explain")
_OPT_BOOLS = ("no_backsliding", "rail_no_decrease")
#: what the planner minimises (``docs/planning.md``, "Objectives")
OBJECTIVES = ("cost", "clean", "co2", "social")


@dataclass(frozen=True)
class PlanParams:
    """Settings of one planning run.

    Attributes
    ----------
    rulebook
        Rulebook name or TOML path (:func:`cleanfreight.accounting.rulebooks.load_rulebook`): decides the
        target, which modes are clean, which commodities are bulk and which leave the province by rail only.
    target
        Clean-transport share every enterprise must reach (0-1]; ``None`` takes the rulebook's target.
    target_mode
        ``"soft"``: a shortfall is allowed at ``shortfall_penalty_cny_per_t`` per tonne and reported;
        ``"hard"``: targets are constraints (an impossible target gives an explained infeasible result).
    shortfall_penalty_cny_per_t
        Penalty per tonne of clean transport missing from an enterprise's target (soft targets).
    carbon_price_cny_per_t
        Price on CO2 added to the objective (CNY per tonne CO2).
    budget_cny
        Upper bound on the capital spent on builds (spurs, trucks, swap capacity, conveyors); ``None``: no bound.
    rail_only_out_of_province
        Apply the city-plan rule "coal and coke leaving the province go by rail" (regions with
        ``in_province = false``).
    rail_only_commodities
        Commodities the rule applies to; ``None`` takes the rulebook's list, or coal and coke if it has none.
    rail_line_capacities
        Make every rail mainline with a capacity (``capacity_t_per_year`` in ``rail.geojson`` or a
        scenario's ``[rail_lines]``) a capacity row on the tonnes of the planned rail chains routed over it;
        ``False`` lifts them all (a scenario lifts one line with ``[rail_lines.ID] lifted = true``).
    restriction_zones
        Apply the heavy-truck restriction zones: truck legs that the zone bans (diesel; new-energy too if the
        zone does not exempt them) of an enterprise inside a zone may carry at most the non-banned share of
        the day's hours of its tonnes (see ``docs/planning.md``).
    ne_share_of_shortfall
        New-energy trucks must carry at least this share of each enterprise's shortfall (the tonnes it is below
        its target); ``None`` takes the rulebook's ``ne_share_of_shortfall`` (the MEE cement rule: 0.6), and
        no rule if it has none.
    ne_share_penalty_cny_per_t
        Price per tonne of new-energy truck transport missing from that rule: high, so the rule holds
        whenever it can; a miss (no new-energy truck chain at all) is reported and explained, never infeasible.
    allowed_modes
        Modes the planner may choose (a subset of :data:`CANDIDATE_MODES`).
    max_short_haul_km
        Longest road short-haul between an enterprise and a freight station.
    max_stations_per_flow
        How many of the nearest stations within ``max_short_haul_km`` each flow may use.
    ne_direct_max_km
        Longest one-way road distance a new-energy truck serves directly.
    transfer_cny_per_t
        Extra transshipment cost per tonne at a freight station (on top of its handling cost);
        default: the factor ``cost.rail.transfer_cny_per_t`` (the baseline report uses the same).
    default_station_handling_cny_per_t
        Handling cost of stations that do not give one; default: the factor
        ``cost.rail.station_handling_cny_per_t``.
    station_loading_t_per_hour
        Tonnes a station can take from (or give to) trucks per loading hour; with the station's loading
        hours this bounds its road-side throughput.
    days_per_year
        Operating days per year for per-day capacities (loading hours, swaps).
    rail_speed_kmh
        Average rail speed, for the reported door-to-door time of rail chains.
    truck_hours_per_year
        Working hours per new-energy truck per year.
    truck_handling_h_per_trip
        Loading + unloading + queueing time per trip.
    ne_truck_capex_cny
        Capital cost of one additional new-energy truck (purchase premium; haulage itself is priced per tkm).
    truck_lifetime_years, spur_lifetime_years, swap_lifetime_years, conveyor_lifetime_years, discount_rate
        Annualise capital costs with the capital-recovery factor.
    fleet_pool
        ``"enterprise"``: each enterprise has its own new-energy fleet; ``"station"``: the short-haul trucks
        of each freight station are a shared pool (direct new-energy trucks stay with the enterprise).
    existing_fleet
        ``"current"``: each pool starts with the trucks its current new-energy tonnes need; ``"none"``: no trucks.
    max_swap_km
        New-energy trucks of an enterprise swap batteries at the nearest swap station within this distance
        (otherwise they charge at the depot and use no swap capacity).
    swap_unit_swaps_per_day, swap_unit_capex_cny, max_swap_units
        A swap-capacity build: one unit adds this many swaps per day at a swap station, at this capital cost;
        at most ``max_swap_units`` units per station.
    tie_break_cny_per_t
        Tiny cost added per tonne and per candidate rank so equal-cost plans are always chosen the same way.
    solver
        ``"scip"`` (SCIP through OR-Tools MathOpt; HiGHS there fails on this OR-Tools build).
    time_limit_s, relative_gap, node_limit, seed, threads
        Solver limits; the default run is single-threaded and seeded, so the same input gives the same plan.
    explain
        Run the diagnostic re-solve that explains missed targets.
    objective
        What the plan minimises: ``"cost"`` (annual cost, the default), ``"clean"`` (most clean tonnes
        first, then cost), ``"co2"`` (least CO2 first, then cost) or ``"social"`` (cost plus the social cost
        of CO2, NOx and PM2.5 from the factors ``social.*``, cited in ``factors.csv``).
    no_backsliding, rail_no_decrease
        Policy rules (``None``: the rulebook's ``[policy]``): every enterprise ends at or above
        ``max(target, current ratio)``; every enterprise's and the city's rail tonnes do not fall.
    city_rail_share_min
        The city's rail tonnes must reach at least this share of all its tonnes (``None``: no such target).
    out_of_province_rail_share
        Share of each out-of-province coal/coke flow that must go by rail (``None``: the rulebook's share
        for ``plan_year``; 1.0 is the end state).
    plan_year
        Year the plan is for: picks the rulebook's phase-in share of the out-of-province rule (``None``: the
        end state).
    short_haul_max_km, beyond_short_haul, short_haul_scope_t_per_year
        Override the rulebook's short-haul rule (a new-energy truck leg counts as clean up to this distance;
        beyond it ``not_clean``, ``separate`` or ``clean``; for enterprises moving at least that many t/yr).
    policy_penalty_cny_per_t
        Price per tonne by which a policy rule (no backsliding above the target, rail not falling,
        out-of-province by rail, the city's rail share) is missed: high, so the rules hold whenever they can;
        a miss is reported with its binding cause, never an infeasible plan.
    city_clean_ratio_min
        The city's clean ratio must reach at least this level (used by ``plan --frontier``); a miss is priced
        at ``policy_penalty_cny_per_t`` x 10 per tonne and reported.
    """

    rulebook: str = DEFAULT_RULEBOOK
    target: float | None = None
    target_mode: Literal["soft", "hard"] = "soft"
    shortfall_penalty_cny_per_t: float = 300.0
    carbon_price_cny_per_t: float = 0.0
    budget_cny: float | None = None
    rail_only_out_of_province: bool = True
    rail_only_commodities: tuple[str, ...] | None = None
    rail_line_capacities: bool = True
    restriction_zones: bool = True
    ne_share_of_shortfall: float | None = None
    ne_share_penalty_cny_per_t: float = 1.0e5
    allowed_modes: tuple[str, ...] = CANDIDATE_MODES
    max_short_haul_km: float = 40.0
    max_stations_per_flow: int = 3
    ne_direct_max_km: float = 150.0
    transfer_cny_per_t: float | None = None
    default_station_handling_cny_per_t: float | None = None
    station_loading_t_per_hour: float = 5000.0
    days_per_year: float = 330.0
    rail_speed_kmh: float = 35.0
    truck_hours_per_year: float = 5000.0
    truck_handling_h_per_trip: float = 1.0
    ne_truck_capex_cny: float = 450_000.0
    truck_lifetime_years: float = 8.0
    spur_lifetime_years: float = 30.0
    swap_lifetime_years: float = 10.0
    conveyor_lifetime_years: float = 20.0
    discount_rate: float = 0.05
    fleet_pool: Literal["enterprise", "station"] = "enterprise"
    existing_fleet: Literal["current", "none"] = "current"
    max_swap_km: float = 30.0
    swap_unit_swaps_per_day: float = 100.0
    swap_unit_capex_cny: float = 3_000_000.0
    max_swap_units: int = 5
    tie_break_cny_per_t: float = 1e-4
    solver: str = "scip"
    time_limit_s: float | None = 600.0
    relative_gap: float = 1e-4
    node_limit: int | None = None
    seed: int = 0
    threads: int = 1
    explain: bool = True
    objective: Literal["cost", "clean", "co2", "social"] = "cost"
    no_backsliding: bool | None = None
    rail_no_decrease: bool | None = None
    city_rail_share_min: float | None = None
    out_of_province_rail_share: float | None = None
    plan_year: int | None = None
    short_haul_max_km: float | None = None
    beyond_short_haul: str | None = None
    short_haul_scope_t_per_year: float | None = None
    policy_penalty_cny_per_t: float = 1.0e5
    city_clean_ratio_min: float | None = None
    # set by from_dict: where the values came from, for error messages
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        file = self.source or None

        def bad(name: str, message: str) -> None:
            problems.append(Problem(message, file=file, column=name, value=getattr(self, name)))

        nonneg = (
            "shortfall_penalty_cny_per_t",
            "carbon_price_cny_per_t",
            "ne_truck_capex_cny",
            "swap_unit_capex_cny",
            "discount_rate",
            "tie_break_cny_per_t",
            "ne_share_penalty_cny_per_t",
            "policy_penalty_cny_per_t",
        )
        positive = (
            "max_short_haul_km",
            "ne_direct_max_km",
            "rail_speed_kmh",
            "station_loading_t_per_hour",
            "days_per_year",
            "truck_hours_per_year",
            "truck_lifetime_years",
            "spur_lifetime_years",
            "swap_lifetime_years",
            "conveyor_lifetime_years",
            "swap_unit_swaps_per_day",
            "relative_gap",
        )
        for name in nonneg:
            v = getattr(self, name)
            if not isinstance(v, int | float) or v < 0:
                bad(name, "must be a number >= 0")
        for name in _FACTOR_OVERRIDES:
            v = getattr(self, name)
            if v is not None and (not isinstance(v, int | float) or v < 0):
                bad(name, "must be a number >= 0 or left out")
        for name in positive:
            v = getattr(self, name)
            if not isinstance(v, int | float) or v <= 0:
                bad(name, "must be a number > 0")
        if not isinstance(self.truck_handling_h_per_trip, int | float) or self.truck_handling_h_per_trip < 0:
            bad("truck_handling_h_per_trip", "must be >= 0 hours")
        if isinstance(self.days_per_year, int | float) and self.days_per_year > 366:
            bad("days_per_year", "must be at most 366")
        if self.target is not None and not (isinstance(self.target, int | float) and 0 <= self.target <= 1):
            bad("target", "must be a share between 0 and 1 (e.g. 0.8 for 80 %)")
        if self.ne_share_of_shortfall is not None and not (
            isinstance(self.ne_share_of_shortfall, int | float) and 0 <= self.ne_share_of_shortfall <= 1
        ):
            bad("ne_share_of_shortfall", "must be a share between 0 and 1 (e.g. 0.6) or left out")
        for name in _BOOLS:
            if not isinstance(getattr(self, name), bool):
                bad(name, "must be true or false")
        for name in _OPT_BOOLS:
            if getattr(self, name) is not None and not isinstance(getattr(self, name), bool):
                bad(name, "must be true or false, or left out for the rulebook's setting")
        if self.objective not in OBJECTIVES:
            bad("objective", f"must be one of {', '.join(OBJECTIVES)}")
        for name in ("city_rail_share_min", "out_of_province_rail_share", "city_clean_ratio_min"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1):
                bad(name, "must be a share between 0 and 1 or left out")
        if self.plan_year is not None and (
            isinstance(self.plan_year, bool) or not isinstance(self.plan_year, int) or not 2000 <= self.plan_year <= 2100
        ):
            bad("plan_year", "must be a year such as 2026, or left out for the end state")
        if self.short_haul_max_km is not None and (
            isinstance(self.short_haul_max_km, bool)
            or not isinstance(self.short_haul_max_km, int | float)
            or self.short_haul_max_km <= 0
        ):
            bad("short_haul_max_km", "must be a distance in km > 0 or left out")
        if self.beyond_short_haul is not None and self.beyond_short_haul not in ("not_clean", "separate", "clean"):
            bad("beyond_short_haul", "must be 'not_clean', 'separate' or 'clean', or left out")
        if self.short_haul_scope_t_per_year is not None and (
            isinstance(self.short_haul_scope_t_per_year, bool)
            or not isinstance(self.short_haul_scope_t_per_year, int | float)
            or self.short_haul_scope_t_per_year < 0
        ):
            bad("short_haul_scope_t_per_year", "must be tonnes per year >= 0 or left out")
        if self.target_mode not in ("soft", "hard"):
            bad("target_mode", "must be 'soft' or 'hard'")
        if self.fleet_pool not in ("enterprise", "station"):
            bad("fleet_pool", "must be 'enterprise' or 'station'")
        if self.existing_fleet not in ("current", "none"):
            bad("existing_fleet", "must be 'current' or 'none'")
        if self.budget_cny is not None and (
            not isinstance(self.budget_cny, int | float) or self.budget_cny < 0
        ):
            bad("budget_cny", "must be >= 0 or left out for no budget limit")
        if not isinstance(self.max_stations_per_flow, int) or self.max_stations_per_flow < 1:
            bad("max_stations_per_flow", "must be an integer >= 1")
        if not isinstance(self.max_swap_units, int) or self.max_swap_units < 0:
            bad("max_swap_units", "must be an integer >= 0")
        unknown = [m for m in self.allowed_modes if m not in CANDIDATE_MODES]
        if unknown:
            bad(
                "allowed_modes",
                f"unknown or non-plannable mode(s) {unknown}; allowed: {', '.join(CANDIDATE_MODES)}",
            )
        if self.rail_only_commodities is not None and not all(
            isinstance(c, str) for c in self.rail_only_commodities
        ):
            bad("rail_only_commodities", "must be a list of commodity names")
        if self.solver not in _SOLVERS:
            bad("solver", f"must be one of {', '.join(_SOLVERS)}")
        if self.time_limit_s is not None and self.time_limit_s <= 0:
            bad("time_limit_s", "must be > 0 seconds or left out")
        if self.node_limit is not None and self.node_limit < 1:
            bad("node_limit", "must be >= 1 or left out")
        if self.threads < 1:
            bad("threads", "must be >= 1")
        if problems:
            raise InputError("invalid planning parameters", problems)

    # ----------------------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], source: str = "") -> PlanParams:
        """Build from a mapping (a scenario's ``[params]`` table), reporting unknown keys and bad types."""
        names = {f.name for f in dataclasses.fields(cls) if f.name != "source"}
        problems = [
            Problem(f"unknown parameter; known: {', '.join(sorted(names))}", file=source or None, column=k)
            for k in raw
            if k not in names
        ]
        kwargs: dict[str, Any] = {}
        for k, v in raw.items():
            if k not in names:
                continue
            if k in ("allowed_modes", "rail_only_commodities") and isinstance(v, list):
                v = tuple(v)
            if isinstance(v, bool) and k not in _BOOLS and k not in _OPT_BOOLS:
                problems.append(
                    Problem("expected a number or text, not true/false", file=source or None, column=k)
                )
                continue
            kwargs[k] = v
        if problems:
            raise InputError("invalid planning parameters", problems)
        try:
            return cls(**kwargs, source=source)
        except TypeError as exc:  # pragma: no cover - defensive: wrong type deep inside a comparison
            raise InputError(f"invalid planning parameters: {exc}") from None

    def policy_rulebook(self) -> Rulebook:
        """The rulebook with this plan's policy overrides applied (the rules the plan is held to)."""
        from cleanfreight.accounting.rulebooks import load_rulebook

        rb = load_rulebook(self.rulebook)
        changes: dict[str, Any] = {}
        for name in ("no_backsliding", "rail_no_decrease", "short_haul_max_km", "beyond_short_haul",
                     "short_haul_scope_t_per_year"):
            if getattr(self, name) is not None:
                changes[name] = getattr(self, name)
        if self.rail_only_commodities is not None:
            changes["rail_only_out_of_province"] = frozenset(self.rail_only_commodities)
        elif not rb.rail_only_out_of_province:  # the city plan's rule holds whatever the industry rulebook
            changes["rail_only_out_of_province"] = frozenset(("coal", "coke"))
        changes["out_of_province_rule"] = "enforce" if self.rail_only_out_of_province else "report"
        if self.target is not None:
            changes["target"] = float(self.target)
        return rb.with_policy(**changes) if changes else rb

    def out_of_province_share(self, rulebook: Rulebook) -> float:
        """Share of out-of-province coal/coke tonnes the plan must move by rail (0 when the rule is off)."""
        if not self.rail_only_out_of_province or rulebook.out_of_province_rule != "enforce":
            return 0.0
        if self.out_of_province_rail_share is not None:
            return float(self.out_of_province_rail_share)
        return rulebook.out_of_province_rail_share(self.plan_year)

    def replace(self, **changes: Any) -> PlanParams:
        """A copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    def cost_factors(self, factors: Factors) -> Factors:
        """``factors`` with the cost factors this plan overrides (``transfer_cny_per_t``, ...), if any."""
        over = {key: float(getattr(self, name)) for name, key in _FACTOR_OVERRIDES.items()
                if getattr(self, name) is not None}
        return factors.with_overrides(over, source=self.source or "planning parameters") if over else factors

    @staticmethod
    def crf(rate: float, years: float) -> float:
        """Capital-recovery factor: the share of a capital cost paid each year over ``years``."""
        if rate == 0:
            return 1.0 / years
        return rate / (1.0 - (1.0 + rate) ** (-years))

    def annualise(self, capex: float, years: float) -> float:
        """Annual equivalent of ``capex`` spent once and used for ``years``."""
        return capex * self.crf(self.discount_rate, years)
