"""OR-Tools plumbing shared by the VRPLIB and the short-haul models (private)."""

from __future__ import annotations

import logging
from typing import Any

from cleanfreight.dispatch.params import SolverParams

logger = logging.getLogger(__name__)

# Operators switched off by SolverParams.tuned: expensive per move, rarely improving under GLS.
_SLOW_OPERATORS = (
    "use_lin_kernighan",
    "use_relocate_expensive_chain",
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
)

STATUS_NAMES = {
    0: "not_solved",
    1: "success",
    2: "partial_success_time_limit",
    3: "fail",
    4: "fail_timeout",
    5: "invalid",
    6: "infeasible",
    7: "optimal",
}


def search_parameters(params: SolverParams, *, time_windows: bool = False) -> Any:
    """Build OR-Tools ``RoutingSearchParameters`` from :class:`SolverParams`."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    from ortools.util import optional_boolean_pb2

    sp = pywrapcp.DefaultRoutingSearchParameters()
    first = params.first_solution or ("PARALLEL_CHEAPEST_INSERTION" if time_windows else "PATH_CHEAPEST_ARC")
    sp.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    sp.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic)
    if params.tuned:
        ops = sp.local_search_operators
        for name in _SLOW_OPERATORS:
            setattr(ops, name, optional_boolean_pb2.BOOL_FALSE)
    sp.guided_local_search_lambda_coefficient = float(params.gls_lambda)
    seconds = int(params.time_limit_s)
    sp.time_limit.seconds = seconds
    sp.time_limit.nanos = round((params.time_limit_s - seconds) * 1e9)
    if params.solution_limit is not None:
        sp.solution_limit = int(params.solution_limit)
    sp.log_search = bool(params.log_search)
    return sp


def status_name(routing: Any) -> str:
    """Readable name of the routing model's status after a solve."""
    return STATUS_NAMES.get(int(routing.status()), str(routing.status()))


def extract_routes(routing: Any, manager: Any, solution: Any) -> list[list[int]]:
    """Node sequence of each vehicle, depots excluded (empty list for unused vehicles)."""
    routes: list[list[int]] = []
    for v in range(routing.vehicles()):
        index = routing.Start(v)
        nodes: list[int] = []
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            nodes.append(int(manager.IndexToNode(index)))
            index = solution.Value(routing.NextVar(index))
        routes.append(nodes)
    return routes
