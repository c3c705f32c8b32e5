"""cleanfreight.planning: the freight assignment planner (rail + new-energy short-haul chains).

For every enterprise flow the planner picks chains (own spur, rail via a freight station with a
new-energy or diesel short-haul, new-energy or China VI truck direct, conveyor) and builds (planned
spurs, new-energy trucks, swap capacity) so that each enterprise reaches its clean-transport target
at least annual cost, under station, corridor, spur, fleet, swap and budget limits; it says why
where a target is missed. The formulation is in ``docs/planning.md``.

>>> from cleanfreight.planning import build_problem, load_scenario, solve_plan  # doctest: +SKIP
>>> sc = load_scenario("data/scenarios/spurs.toml")  # doctest: +SKIP
>>> result = solve_plan(build_problem(sc), sc.params)  # doctest: +SKIP
"""

from __future__ import annotations

from cleanfreight.planning.frontier import Frontier, solve_frontier
from cleanfreight.planning.outputs import compare_plans, plan_payload, write_plan
from cleanfreight.planning.params import CANDIDATE_MODES, PlanParams
from cleanfreight.planning.problem import PlanProblem, build_problem, problem_from_frames
from cleanfreight.planning.scenario import Scenario, load_scenario
from cleanfreight.planning.solve import PlanResult, solve_plan
from cleanfreight.planning.synthetic import synthetic_problem
from cleanfreight.planning.verify import CheckReport, check_plan

__all__ = [
    "CANDIDATE_MODES",
    "CheckReport",
    "Frontier",
    "PlanParams",
    "PlanProblem",
    "PlanResult",
    "Scenario",
    "build_problem",
    "check_plan",
    "compare_plans",
    "load_scenario",
    "plan_payload",
    "problem_from_frames",
    "solve_frontier",
    "solve_plan",
    "synthetic_problem",
    "write_plan",
]
