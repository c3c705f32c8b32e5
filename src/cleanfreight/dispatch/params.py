"""Solver parameters shared by the Python API, the scenario files and the command line."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from cleanfreight.errors import InputError, Problem

__all__ = ["FIRST_SOLUTION_STRATEGIES", "METAHEURISTICS", "SolverParams"]

#: First-solution strategies accepted by :class:`SolverParams` (OR-Tools names).
FIRST_SOLUTION_STRATEGIES: tuple[str, ...] = (
    "AUTOMATIC",
    "PATH_CHEAPEST_ARC",
    "SAVINGS",
    "PARALLEL_SAVINGS",
    "PARALLEL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "GLOBAL_CHEAPEST_ARC",
    "CHRISTOFIDES",
    "SWEEP",
)

#: Local-search metaheuristics accepted by :class:`SolverParams`.
METAHEURISTICS: tuple[str, ...] = (
    "GUIDED_LOCAL_SEARCH",
    "SIMULATED_ANNEALING",
    "TABU_SEARCH",
    "GREEDY_DESCENT",
    "AUTOMATIC",
)


@dataclass(frozen=True, slots=True)
class SolverParams:
    """How long and how the OR-Tools routing search runs.

    Parameters
    ----------
    time_limit_s
        Wall-clock budget in seconds. A run stopped by the clock is **not** reproducible (a busy
        machine performs fewer moves); set ``solution_limit`` for reproducible runs.
    solution_limit
        Stop after this many improving solutions (OR-Tools ``solution_limit``). The search itself is
        deterministic, so the same instance, seed and ``solution_limit`` give the same routes, as long
        as the time limit is not reached first.
    seed
        Seeds the order in which clients are handed to OR-Tools (0 keeps the file order). OR-Tools'
        routing search has no random generator of its own; permuting the clients changes its
        trajectory, so different seeds give different (equally valid) runs and equal seeds equal runs.
    first_solution
        First-solution strategy, one of :data:`FIRST_SOLUTION_STRATEGIES`; ``None`` picks
        ``PATH_CHEAPEST_ARC`` without time windows and ``PARALLEL_CHEAPEST_INSERTION`` with them
        (cheapest-arc often finds no feasible start on tight windows such as Solomon R1).
    metaheuristic
        One of :data:`METAHEURISTICS`.
    gls_lambda
        Guided-local-search penalty coefficient (OR-Tools default 0.1; 0.05 was better on the
        X instances of ``bench/bench_dispatch.py``).
    tuned
        Switch off the slow local-search operators (Lin-Kernighan, expensive-chain relocation,
        insertion-path LNS) so guided local search runs more iterations in the same time; on the
        benchmark this lowered the cost by 1-2 %.
    num_vehicles
        Fleet size for VRPLIB instances without one (CVRPLIB); ``None`` derives it from the demand.
    log_search
        Let OR-Tools log its search (to stderr; for debugging only).
    """

    time_limit_s: float = 10.0
    solution_limit: int | None = None
    seed: int = 0
    first_solution: str | None = None
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    gls_lambda: float = 0.05
    tuned: bool = True
    num_vehicles: int | None = None
    log_search: bool = False

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        if not (isinstance(self.time_limit_s, int | float) and math.isfinite(self.time_limit_s)) or (
            self.time_limit_s <= 0
        ):
            problems.append(
                Problem(
                    "must be a positive number of seconds", column="time_limit_s", value=self.time_limit_s
                )
            )
        if self.solution_limit is not None and (
            not isinstance(self.solution_limit, int) or self.solution_limit < 1
        ):
            problems.append(
                Problem(
                    "must be a positive integer or None", column="solution_limit", value=self.solution_limit
                )
            )
        if not isinstance(self.seed, int) or self.seed < 0:
            problems.append(Problem("must be a non-negative integer", column="seed", value=self.seed))
        if self.first_solution is not None and self.first_solution not in FIRST_SOLUTION_STRATEGIES:
            problems.append(
                Problem(
                    f"must be one of {', '.join(FIRST_SOLUTION_STRATEGIES)}",
                    column="first_solution",
                    value=self.first_solution,
                )
            )
        if self.metaheuristic not in METAHEURISTICS:
            problems.append(
                Problem(
                    f"must be one of {', '.join(METAHEURISTICS)}",
                    column="metaheuristic",
                    value=self.metaheuristic,
                )
            )
        if not (isinstance(self.gls_lambda, int | float) and 0 < self.gls_lambda <= 10):
            problems.append(Problem("must be in (0, 10]", column="gls_lambda", value=self.gls_lambda))
        if self.num_vehicles is not None and (
            not isinstance(self.num_vehicles, int) or self.num_vehicles < 1
        ):
            problems.append(
                Problem("must be a positive integer or None", column="num_vehicles", value=self.num_vehicles)
            )
        if problems:
            raise InputError("invalid solver parameters", problems)

    def as_dict(self) -> dict[str, Any]:
        """The parameters as a plain dictionary (for JSON output)."""
        return asdict(self)
