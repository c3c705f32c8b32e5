"""The planner's front: :func:`solve_plan` turns a :class:`PlanProblem` into a :class:`PlanResult`."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cleanfreight._i18n import t
from cleanfreight.errors import SolverError
from cleanfreight.planning import _labels  # noqa: F401  (registers the labels)
from cleanfreight.planning._chains import ChainTables, build_chains
from cleanfreight.planning._explain import explain_misses
from cleanfreight.planning._milp import BuiltModel, build_model, fix_integers, solve_model
from cleanfreight.planning._results import (
    add_ne_columns,
    add_policy_columns,
    capacity_table,
    ne_missing_by_enterprise,
    objective_value,
    policy_misses,
    result_tables,
    shortfall_by_enterprise,
)
from cleanfreight.planning.params import PlanParams
from cleanfreight.planning.problem import PlanProblem

__all__ = ["PlanResult", "solve_plan"]

log = logging.getLogger(__name__)

_TOL = 1e-6


@dataclass(frozen=True)
class PlanResult:
    """A plan: what moves how, what gets built, and why a target is missed where it is.

    Attributes
    ----------
    status
        ``optimal`` or ``feasible`` (stopped at a limit with a plan); ``infeasible`` when hard targets
        cannot be met: the tables then hold the soft-target plan and ``explanations`` say why.
    objective
        Annual cost of the plan in CNY: transport + annualised capital + carbon price x CO2 + shortfall
        penalties + penalties for new-energy truck tonnes missing from the cement rule's share of the
        shortfall (without the tie-break epsilon).
    city
        City totals: ``ratio_before``, ``ratio_after``, tonnes, cost, CO2, NOx, PM2.5 before and after, builds.
    enterprises
        One row per enterprise (ratio before / after, target, shortfall, trucks, cost and emission change,
        ``shortfall_reason`` in English and ``shortfall_reason_zh``; ``ne_truck_t``, ``ne_required_t`` and
        ``ne_missing_t``: new-energy truck tonnes, the rule's share of the shortfall, what is missing).
    flows
        One row per flow and chosen chain with its tonnes and totals.
    infrastructure
        Spurs, conveyors, truck pools and swap stations: existing and new, with capital cost.
    capacities
        Every capacity constraint: used, capacity, slack, binding flag and shadow price (CNY per unit).
    explanations
        Structured shortfall reasons: enterprise, kind, id, amount, unit, fix.
    chains, current
        All candidate chains with the tonnes chosen, and the current split as chains (for the checker).
    builds
        ``spurs`` (ids built), ``conveyors``, ``trucks`` (new trucks per pool), ``swap_units`` per swap station.
    meta
        Solver, time, gap, sizes, parameters, rulebook.
    policy
        One entry per policy rule the plan is held to (``rule``, ``setting``, ``holds``, ``detail``):
        target, no backsliding, rail not falling, out-of-province coal/coke by rail, short-haul distance,
        the city's rail share.
    """

    status: str
    objective: float
    city: dict[str, Any]
    enterprises: pd.DataFrame
    flows: pd.DataFrame
    infrastructure: pd.DataFrame
    capacities: pd.DataFrame
    explanations: pd.DataFrame
    chains: pd.DataFrame
    current: pd.DataFrame
    builds: dict[str, Any]
    pools: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    policy: list[dict[str, Any]] = field(default_factory=list)

    def summary(self, lang: str = "en") -> str:
        c = self.city
        return (
            f"{t('plan.status', lang)}: {self.status}; {t('plan.objective', lang)}: {self.objective:,.0f}; "
            f"{t('plan.ratio_before', lang)} {c['ratio_before']:.1%} -> {t('plan.ratio_after', lang)} "
            f"{c['ratio_after']:.1%}; {c['enterprises_meeting_target']}/{c['enterprises']} "
            f"{'enterprises meet the target' if lang != 'zh' else '家企业达标'}"
        )


def solve_plan(problem: PlanProblem, params: PlanParams | None = None) -> PlanResult:
    """Choose chains, builds and fleets that meet the clean-transport targets at least annual cost.

    Parameters
    ----------
    problem
        The data (:func:`~cleanfreight.planning.build_problem` or
        :func:`~cleanfreight.planning.problem_from_frames`).
    params
        Planner settings (default: the scenario's ``[params]`` the problem was built with, else
        :class:`PlanParams()`).

    Returns
    -------
    PlanResult
        Tables of the plan; ``status == "infeasible"`` with explanations when hard targets cannot be met.

    Raises
    ------
    SolverError
        The solver stopped without any plan (raise the limits) or failed internally.

    Examples
    --------
    >>> from cleanfreight.planning import build_problem, solve_plan
    >>> result = solve_plan(build_problem())  # doctest: +SKIP
    >>> result.city["ratio_after"] >= result.city["ratio_before"]  # doctest: +SKIP
    True
    """
    params = params or problem.params or PlanParams()
    t0 = time.perf_counter()
    rulebook = params.policy_rulebook()
    ch = build_chains(problem, params, rulebook)
    t_chains = time.perf_counter() - t0
    log.info("%d flows, %d candidate chains", len(ch.flows), len(ch.candidates))
    bm = build_model(ch, problem, params)
    t_build = time.perf_counter() - t0 - t_chains
    sol = solve_model(bm, params)
    hard_missed = False
    if sol.status == "infeasible" and params.target_mode == "hard":
        log.warning("hard targets cannot be met; solving with soft targets to explain why")
        params = params.replace(
            target_mode="soft", shortfall_penalty_cny_per_t=max(params.shortfall_penalty_cny_per_t, 1e5)
        )
        bm = build_model(ch, problem, params)
        sol = solve_model(bm, params)
        hard_missed = True
    if sol.status == "infeasible":  # some flows cannot be moved at all: keep them as they are, plan the rest
        ch, bm, sol = _plan_around_blocked(ch, problem, params, rulebook)
    status = "infeasible" if hard_missed else sol.status
    values = sol.values
    nx = len(ch.candidates)
    tonnes = np.array([values[v] for v in bm.x[:nx]], dtype=float)
    tonnes[np.abs(tonnes) < 1e-6] = 0.0
    chains = ch.candidates.assign(tonnes=tonnes)
    builds = _builds(bm, values, problem)
    shortfall = shortfall_by_enterprise(ch, chains, bm)
    below_floor = shortfall_by_enterprise(ch, chains, bm, floors=True)
    misses = policy_misses(ch, chains, bm)
    ne_missing = ne_missing_by_enterprise(ch, chains, shortfall)
    # shadow prices: fix the builds, re-solve the LP
    duals: dict[str, float] = {}
    try:
        fix_integers(bm, values)
        lp = solve_model(bm, params, lp=True)
        duals = {f"{r.kind}[{r.key}]": -float(lp.duals.get(r.con, 0.0)) for r in bm.rows}
    except SolverError as exc:  # duals are a nicety: never lose the plan for them
        log.warning("no shadow prices: %s", exc)
    capacities = capacity_table(bm, values, duals)
    unplannable = list(ch.unplannable)
    explanations = pd.DataFrame(columns=["enterprise_id", "kind", "id", "amount", "unit", "fix_en", "fix_zh"])
    missed_any = any(v > _TOL for v in below_floor.values()) or any(
        v > _TOL for group in misses.values() for v in group.values()
    )
    if params.explain and (missed_any or unplannable):
        explanations = explain_misses(
            ch, problem, params, bm, values, below_floor, unplannable, ne_missing=ne_missing, policy=misses
        )
    ent, flows, city, infra = result_tables(
        problem, params, ch, chains, builds, bm, shortfall, explanations, unplannable
    )
    add_ne_columns(ent, city, ch, chains, shortfall, ne_missing)
    policy = add_policy_columns(ent, city, ch, chains, bm, below_floor, misses, params)
    objective = objective_value(params, chains, builds, bm, problem, below_floor, ne_missing, misses)
    city["objective"] = objective
    meta = {
        "solver": params.solver,
        "status": status,
        "solve_time_s": sol.solve_time_s,
        "chains_time_s": t_chains,
        "build_time_s": t_build,
        "total_time_s": time.perf_counter() - t0,
        "gap": sol.gap,
        "solver_objective": sol.objective,
        "size": {
            **problem.size,
            "chains": len(ch.candidates),
            "variables": bm.model.get_num_variables(),
            "constraints": bm.model.get_num_linear_constraints(),
        },
        "params": {k: v for k, v in asdict(params).items() if k != "source"},
        "rulebook": rulebook.as_dict(),
        "scenario": {
            "name": problem.name,
            "title_en": problem.title_en,
            "title_zh": problem.title_zh,
            "source": problem.source,
        },
        "distances": problem.distances.method,
        "unplannable_flows": unplannable,
        "blocked_flows": dict(ch.blocked),
        "objective_kind": params.objective,
        "sample_data": problem.sample_data,
    }
    return PlanResult(
        status,
        objective,
        city,
        ent,
        flows,
        infra,
        capacities,
        explanations,
        chains,
        ch.current,
        builds,
        bm.pools,
        meta,
        policy,
    )


# ------------------------------------------------------------------------------------------------
def _plan_around_blocked(
    ch: ChainTables, problem: PlanProblem, params: PlanParams, rulebook: Any
) -> tuple[ChainTables, BuiltModel, Any]:
    """Find the flows no allowed chain can carry within the capacities, keep them as they are, plan the rest."""
    why = _blocked_demand(ch, problem, params)
    probe = build_model(ch, problem, params, allow_unserved=True)
    sol = solve_model(probe, params)
    if sol.status == "infeasible":
        raise SolverError(why)
    blocked = {fid: why for fid, u in probe.unserved.items() if sol.values.get(u, 0.0) > 1e-6}
    if not blocked:
        raise SolverError(why)
    log.warning(
        "%d flow(s) cannot be moved by any allowed chain within the capacities (%s); they keep their "
        "current split and the rest is planned", len(blocked), ", ".join(sorted(blocked)[:10])
    )
    ch = build_chains(problem, params, rulebook, blocked=blocked)
    bm = build_model(ch, problem, params)
    sol = solve_model(bm, params)
    if sol.status == "infeasible":
        raise SolverError(why)
    return ch, bm, sol


def _blocked_demand(ch: ChainTables, problem: PlanProblem, params: PlanParams) -> str:
    """Explain a plan that cannot even move every flow: which capacities are too small, by how much."""
    diag = build_model(ch, problem, params, diagnostic=True, targets_elastic=True)
    try:
        sol = solve_model(diag, params, lp=True)
    except SolverError:
        sol = None
    lines = []
    if sol is not None and sol.status != "infeasible":
        for r in diag.rows:
            extra = 0.0 if r.elastic is None else float(sol.values.get(r.elastic, 0.0))
            if extra > 1e-3:
                lines.append(f"  - {r.kind} {r.key}: {extra:,.0f} more needed")
    head = (
        "no plan can move every flow: the flows that must go by rail (coal and coke leaving the province) "
        "or by their only allowed chains exceed these capacities"
    )
    if not lines:
        return head + " (no single capacity identified; check capacities set to 0 and allowed_modes)"
    return head + ":\n" + "\n".join(lines)


def _builds(bm: BuiltModel, values: dict[Any, float], problem: PlanProblem) -> dict[str, Any]:
    spurs = problem.spurs.reset_index(drop=True)
    conv = problem.conveyors.reset_index(drop=True)
    sw = problem.swap_stations.reset_index(drop=True)
    return {
        "spurs": sorted(str(spurs.at[i, "spur_id"]) for i, y in bm.spur_y.items() if values[y] > 0.5),
        "conveyors": sorted(str(conv.at[i, "conveyor_id"]) for i, k in bm.conv_k.items() if values[k] > 0.5),
        "trucks": {p: round(values[n]) for p, n in sorted(bm.trucks.items())},
        "swap_units": {str(sw.at[w, "swap_id"]): round(values[u]) for w, u in sorted(bm.swap_u.items())},
    }


