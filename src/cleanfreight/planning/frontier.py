"""The cost of ambition: least annual cost of the city's clean-transport ratio, level by level.

:func:`solve_frontier` solves the planner once for the highest city clean ratio the rules allow, then once
per level from today's city ratio up to that maximum, each time at least annual cost with the city's clean
ratio held at or above the level (``PlanParams.city_clean_ratio_min``) and the per-enterprise targets
relaxed to 0, so that only the city level and the policy floors (no backsliding, rail not falling,
out-of-province coal and coke by rail, ...) bind. The table of points is a marginal abatement cost curve:
what each further point of clean transport costs, per clean tonne and per tonne of CO2 avoided, and what
it takes to build. The formulation is in ``docs/frontier.md``.

>>> from cleanfreight.planning import build_problem, solve_frontier  # doctest: +SKIP
>>> fr = solve_frontier(build_problem(use_road_network=False), steps=4)  # doctest: +SKIP
>>> fr.table[["level", "ratio", "cost_cny"]]  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cleanfreight.accounting.rulebooks import RATIO_TOL
from cleanfreight.errors import InputError
from cleanfreight.planning.params import PlanParams
from cleanfreight.planning.problem import PlanProblem
from cleanfreight.planning.solve import PlanResult, solve_plan

__all__ = ["FRONTIER_COLUMNS", "FRONTIER_GAP", "FRONTIER_OBJECTIVES", "Frontier", "frontier_levels", "solve_frontier"]

log = logging.getLogger(__name__)

#: objectives a frontier point may minimise (``clean`` and ``co2`` rank plans by something else than money)
FRONTIER_OBJECTIVES = ("cost", "social")
#: relative MIP gap of the frontier's solves (at most): the points are differenced, so a looser gap (the
#: planner's default 1e-4 is 0.8 M CNY on the sample) would show as noise in the marginal costs
FRONTIER_GAP = 1e-7
#: below this many clean tonnes (or t CO2) between two points a cost per tonne is not given (None)
_MIN_DELTA_T = 1.0

#: columns of :attr:`Frontier.table`, in order
FRONTIER_COLUMNS: tuple[str, ...] = (
    "point",
    "level",
    "ratio",
    "clean_t",
    "transport_cost_cny",
    "capex_annual_cny",
    "cost_cny",
    "cost_vs_cheapest_cny",
    "co2_t",
    "co2_avoided_t",
    "marginal_cny_per_clean_t",
    "marginal_cny_per_t_co2",
    "average_cny_per_clean_t",
    "average_cny_per_t_co2",
    "spurs_built",
    "spurs_added",
    "spurs_removed",
    "conveyors_built",
    "conveyors_added",
    "conveyors_removed",
    "trucks_new",
    "trucks_added",
    "swap_units_new",
    "swap_units_added",
    "enterprises_at_target",
    "penalty_cny",
    "objective_cny",
    "status",
)


@dataclass(frozen=True)
class Frontier:
    """The least-cost plans for a range of city clean-ratio levels.

    Attributes
    ----------
    table
        One row per level (columns :data:`FRONTIER_COLUMNS`): ``level`` asked for, ``ratio`` reached,
        ``clean_t``, annual ``cost_cny`` (transport + annualised capital) and its parts, ``cost_vs_cheapest_cny``,
        ``co2_t`` and ``co2_avoided_t`` (vs today's split), ``marginal_*`` (vs the previous point; None for the
        first) and ``average_*`` (vs the first point, today's level) per extra clean tonne and per tonne of CO2
        avoided (None where fewer than 1 t separate the points), the builds (``spurs_built`` and
        ``conveyors_built`` as ``;``-joined ids, ``trucks_new``, ``swap_units_new``) and what each point adds or
        drops against the previous one (the first against today, when nothing is built),
        ``enterprises_at_target`` (enterprises at or above ``target`` although the frontier does not ask it),
        ``penalty_cny`` (priced policy misses, 0 when every rule holds), ``objective_cny`` and ``status``.
    today
        Today's split: ``ratio``, ``clean_t``, ``cost_cny`` (transport, nothing to annualise), ``co2_t``.
    max_ratio
        The highest city clean ratio the rules allow (from a solve with ``objective="clean"``).
    reference
        The plan with the per-enterprise targets (the point ``cleanfreight plan`` gives): ``ratio``,
        ``clean_t``, ``cost_cny``, ``co2_t``, builds, ``enterprises_at_target``, ``target`` and ``objective``;
        empty when not solved.
    settings
        How the frontier was made: ``steps``, ``objective``, ``target`` (the relaxed per-enterprise
        target, 0), ``reference_target`` (the rulebook's or scenario's), the plan parameters.
    """

    table: pd.DataFrame
    today: dict[str, float]
    max_ratio: float
    reference: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``points`` (the table's rows, NaN as None), ``today``, ``max_ratio``, ``reference``,
        ``settings``."""
        points = [{k: _json_safe(v) for k, v in rec.items()} for rec in self.table.to_dict("records")]
        return {
            "today": {k: _json_safe(v) for k, v in self.today.items()},
            "max_ratio": _json_safe(self.max_ratio),
            "reference": {k: _json_safe(v) for k, v in self.reference.items()},
            "settings": {k: _json_safe(v) for k, v in self.settings.items()},
            "points": points,
        }


def _json_safe(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _json_safe(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_json_safe(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def frontier_levels(today: float, highest: float, steps: int) -> list[float]:
    """``steps + 1`` evenly spaced levels from ``today`` to ``highest`` (one level when they coincide)."""
    if highest <= today + 1e-9:
        return [float(today)]
    return [float(v) for v in np.linspace(today, highest, steps + 1)]


def solve_frontier(
    problem: PlanProblem,
    params: PlanParams | None = None,
    *,
    steps: int = 8,
    reference: bool = True,
    on_step: Callable[[str], None] | None = None,
) -> Frontier:
    """Least annual cost of each city clean-ratio level from today's to the highest reachable.

    Parameters
    ----------
    problem
        The data (:func:`~cleanfreight.planning.build_problem`).
    params
        Planner settings the frontier starts from (default :class:`PlanParams()`); every point uses them with
        ``target=0`` (and the problem's per-enterprise target overrides dropped), ``explain=False``,
        ``relative_gap`` at most :data:`FRONTIER_GAP` and ``city_clean_ratio_min`` set to its level. ``objective`` must be ``"cost"`` or ``"social"``.
    steps
        Number of equal steps between today's city ratio and the highest reachable: ``steps + 1`` points.
    reference
        Also solve the plan with the per-enterprise targets (``params`` as given, ``explain=False``) to mark
        it on the curve.
    on_step
        Called with a short text before each solve (progress display).

    Returns
    -------
    Frontier

    Raises
    ------
    InputError
        ``steps`` is not an integer >= 1, the objective is not ``cost`` or ``social``, or there are no bulk
        tonnes to count a ratio on.
    SolverError
        A point could not be solved.

    Examples
    --------
    >>> from cleanfreight.planning import build_problem, solve_frontier
    >>> fr = solve_frontier(build_problem(use_road_network=False))  # doctest: +SKIP
    >>> bool(fr.table["cost_cny"].is_monotonic_increasing)  # doctest: +SKIP
    True
    """
    params = params or PlanParams()
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise InputError(f"frontier steps must be an integer >= 1; got {steps!r}")
    if params.objective not in FRONTIER_OBJECTIVES:
        raise InputError(
            f"the frontier minimises cost at each level: objective must be one of "
            f"{', '.join(FRONTIER_OBJECTIVES)}; got {params.objective!r} (that objective ranks plans by clean "
            "tonnes or CO2 first, so it has no cost curve)"
        )
    step = on_step or log.info
    relaxed = dataclasses.replace(problem, targets={}) if problem.targets else problem
    base = params.replace(
        target=0.0,
        explain=False,
        city_clean_ratio_min=None,
        relative_gap=min(params.relative_gap, FRONTIER_GAP),
    )

    step("frontier: highest reachable city clean ratio")
    top = solve_plan(relaxed, base.replace(objective="clean"))
    today_ratio = float(top.city["ratio_before"])
    if not math.isfinite(today_ratio):
        raise InputError("no bulk tonnes to count a clean ratio on: the frontier needs bulk flows")
    highest = max(float(top.city["ratio_after"]), today_ratio)
    levels = frontier_levels(today_ratio, highest, steps)
    results: list[PlanResult] = []
    for i, level in enumerate(levels):
        step(f"frontier: point {i + 1}/{len(levels)}, city clean ratio >= {level:.1%}")
        # the top level is reached exactly by the clean plan: ask for it less a solver tolerance
        ask = min(level, highest - 1e-7) if i == len(levels) - 1 and len(levels) > 1 else level
        results.append(solve_plan(relaxed, base.replace(city_clean_ratio_min=max(ask, 0.0))))
    target = _reference_target(params)
    table = _table(levels, results, top, target)
    today = {
        "ratio": today_ratio,
        "clean_t": float(top.city["clean_before_t"]),
        "cost_cny": float(top.city["cost_before_cny"]),
        "co2_t": float(top.city["co2_before_t"]),
    }
    ref: dict[str, Any] = {}
    if reference:
        step("frontier: the plan with the per-enterprise targets")
        r = solve_plan(problem, params.replace(explain=False))
        ref = {
            **_point(r, target),
            "target": target,
            "objective": params.objective,
            "enterprises": int(r.city["enterprises"]),
            "status": r.status,
        }
    settings = {
        "steps": steps,
        "objective": params.objective,
        "target": 0.0,
        "reference_target": target,
        "rulebook": params.rulebook,
        "params": {k: v for k, v in dataclasses.asdict(base).items() if k != "source"},
        "sample_data": problem.sample_data,
    }
    return Frontier(table, today, highest, ref, settings)


def _reference_target(params: PlanParams) -> float:
    if params.target is not None:
        return float(params.target)
    return float(params.policy_rulebook().target)


def _point(r: PlanResult, target: float) -> dict[str, Any]:
    c = r.city
    ent = r.enterprises
    at = int(((ent["ratio_after"] >= target - RATIO_TOL) | (ent["tonnes_bulk"] <= 0)).sum())
    return {
        "ratio": float(c["ratio_after"]),
        "clean_t": float(c["clean_after_t"]),
        "transport_cost_cny": float(c["transport_cost_after_cny"]),
        "capex_annual_cny": float(c["capex_annual_cny"]),
        "cost_cny": float(c["cost_after_cny"]),
        "co2_t": float(c["co2_after_t"]),
        "spurs": sorted(r.builds["spurs"]),
        "conveyors": sorted(r.builds["conveyors"]),
        "trucks_new": int(sum(r.builds["trucks"].values())),
        "swap_units_new": int(sum(r.builds["swap_units"].values())),
        "enterprises_at_target": at,
        "objective_cny": float(r.objective),
    }


def _per(delta_cost: float, delta_t: float) -> float:
    return delta_cost / delta_t if delta_t >= _MIN_DELTA_T else math.nan


def _table(
    levels: Sequence[float], results: Sequence[PlanResult], top: PlanResult, target: float
) -> pd.DataFrame:
    co2_today = float(top.city["co2_before_t"])
    rows: list[dict[str, Any]] = []
    prev: dict[str, Any] = {"spurs": [], "conveyors": [], "trucks_new": 0, "swap_units_new": 0}
    first: dict[str, Any] | None = None
    prev_pt: dict[str, Any] | None = None
    cheapest = min(float(r.city["cost_after_cny"]) for r in results)
    for i, (level, r) in enumerate(zip(levels, results, strict=True)):
        pt = _point(r, target)
        first = first or pt
        row: dict[str, Any] = {
            "point": i,
            "level": float(level),
            "ratio": pt["ratio"],
            "clean_t": pt["clean_t"],
            "transport_cost_cny": pt["transport_cost_cny"],
            "capex_annual_cny": pt["capex_annual_cny"],
            "cost_cny": pt["cost_cny"],
            "cost_vs_cheapest_cny": pt["cost_cny"] - cheapest,
            "co2_t": pt["co2_t"],
            "co2_avoided_t": co2_today - pt["co2_t"],
        }
        if prev_pt is None:
            row["marginal_cny_per_clean_t"] = math.nan
            row["marginal_cny_per_t_co2"] = math.nan
        else:
            d_cost = pt["cost_cny"] - prev_pt["cost_cny"]
            row["marginal_cny_per_clean_t"] = _per(d_cost, pt["clean_t"] - prev_pt["clean_t"])
            row["marginal_cny_per_t_co2"] = _per(d_cost, prev_pt["co2_t"] - pt["co2_t"])
        d_cost0 = pt["cost_cny"] - first["cost_cny"]
        row["average_cny_per_clean_t"] = _per(d_cost0, pt["clean_t"] - first["clean_t"])
        row["average_cny_per_t_co2"] = _per(d_cost0, first["co2_t"] - pt["co2_t"])
        for kind in ("spurs", "conveyors"):
            now, before = set(pt[kind]), set(prev[kind])
            row[f"{kind}_built"] = ";".join(sorted(now))
            row[f"{kind}_added"] = ";".join(sorted(now - before))
            row[f"{kind}_removed"] = ";".join(sorted(before - now))
        row["trucks_new"] = pt["trucks_new"]
        row["trucks_added"] = pt["trucks_new"] - prev["trucks_new"]
        row["swap_units_new"] = pt["swap_units_new"]
        row["swap_units_added"] = pt["swap_units_new"] - prev["swap_units_new"]
        row["enterprises_at_target"] = pt["enterprises_at_target"]
        row["objective_cny"] = pt["objective_cny"]
        row["penalty_cny"] = _penalty(r)
        row["status"] = r.status
        rows.append(row)
        prev = pt
        prev_pt = pt
    return pd.DataFrame(rows, columns=list(FRONTIER_COLUMNS))


def _penalty(r: PlanResult) -> float:
    """Priced misses in the objective: objective - (cost + carbon price x CO2) for the cost objective;
    NaN for the social objective (its objective holds the damage costs too)."""
    p = r.meta.get("params", {})
    if r.meta.get("objective_kind", "cost") != "cost":
        return math.nan
    carbon = float(p.get("carbon_price_cny_per_t", 0.0)) * float(r.city["co2_after_t"])
    gap = float(r.objective) - float(r.city["cost_after_cny"]) - carbon
    return gap if abs(gap) > 1e-6 * max(1.0, abs(float(r.objective))) else 0.0
