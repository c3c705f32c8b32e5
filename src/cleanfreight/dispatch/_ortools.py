"""OR-Tools plumbing shared by the VRPLIB and the short-haul models (private)."""

from __future__ import annotations

import logging
from typing import Any

from cleanfreight.dispatch.params import SolverParams

logger = logging.getLogger(__name__)

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


def search_parameters(params: SolverParams) -> Any:
    """Build OR-Tools ``RoutingSearchParameters`` from :class:`SolverParams`."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, params.first_solution)
    if params.metaheuristic == "ITERATED_LOCAL_SEARCH":
        sp.use_iterated_local_search = True
        sp.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
        ils = sp.iterated_local_search_parameters
        rr = ils.ruin_recreate_parameters
        sisr = rr.ruin_strategies.add().sisr
        # Christiaens & Vanden Berghe (2020) SISR defaults: L_max 10, c-bar 10, bypass 0.01.
        sisr.max_removed_sequence_size = params.sisr_max_sequence
        sisr.avg_num_removed_visits = params.sisr_avg_removed
        sisr.bypass_factor = 0.01
        sa = ils.reference_solution_acceptance_strategy.simulated_annealing
        sa.automatic_temperatures = True
    else:
        sp.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic, params.metaheuristic
        )
    sp.guided_local_search_lambda_coefficient = float(params.gls_lambda)
    seconds = int(params.time_limit_s)
    sp.time_limit.seconds = seconds
    sp.time_limit.nanos = int(round((params.time_limit_s - seconds) * 1e9))
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
