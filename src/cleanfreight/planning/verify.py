"""An independent checker of plans: every constraint, recomputed from the plan tables and the data.

It does not reuse the planner's chain table or model: per-tonne figures are recomputed leg by leg
with :func:`cleanfreight.accounting.emissions.chain_intensity`, capacities are read again from the
problem, and the totals and the objective are summed again. The tests run it on every plan they make;
users can run it on a plan they were handed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cleanfreight.planning._verify_context import _context
from cleanfreight.planning._verify_steps import (
    _check_budget,
    _check_capacities,
    _check_chains,
    _check_demand,
    _check_fleets,
    _check_swaps,
    _check_targets,
    _check_totals,
    _policy_missed,
)
from cleanfreight.planning.params import PlanParams
from cleanfreight.planning.problem import PlanProblem
from cleanfreight.planning.solve import PlanResult

__all__ = ["CheckReport", "check_plan"]


@dataclass(frozen=True)
class CheckReport:
    """``ok`` when no violation was found; ``violations`` lists each one in words; ``totals`` the recomputed sums."""

    ok: bool
    violations: list[str]
    totals: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.ok:
            return "plan OK: every constraint holds and the totals match"
        return "plan violates:\n" + "\n".join(f"  - {v}" for v in self.violations)


def check_plan(
    problem: PlanProblem, params: PlanParams, result: PlanResult, *, rel_tol: float = 1e-6
) -> CheckReport:
    """Verify that ``result`` satisfies every constraint of ``problem`` under ``params`` and reproduces its totals.

    The steps, in order: demand (1), the chains and their per-tonne figures (2-3), capacities (4-7),
    fleets (8), swaps (9), targets and reported ratios (10), the policy rules, the budget (11), the
    totals and the objective (12).
    """
    ctx = _context(problem, params, result, rel_tol)
    _check_demand(ctx)
    t = _check_chains(ctx)
    _check_capacities(ctx, t)
    _check_fleets(ctx, t)
    _check_swaps(ctx, t)
    _check_targets(ctx, t)
    t.policy_missed = _policy_missed(ctx, t)
    capex, annual = _check_budget(ctx)
    totals = _check_totals(ctx, t, capex, annual)
    return CheckReport(not ctx.bad, ctx.bad, totals)
