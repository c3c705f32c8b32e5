"""Short-haul dispatch: vehicle routing for new-energy trucks between rail stations and plants.

Two fronts over OR-Tools routing:

- :func:`solve_vrp` on standard VRPLIB instances (:func:`read_vrplib`), to measure the engine
  against best-known solutions and PyVRP;
- :func:`solve_dispatch` on a Changzhi short-haul :class:`Scenario` (loads, mixed fleet, battery
  state of charge, swap/charge stations, time windows, truck bans), returning a
  :class:`DispatchResult` with tables, GeoJSON and the unserved loads with their reasons.

Along the roads, :func:`road_matrices` gives every truck its own roads (:class:`FleetMatrices`):
new-energy trucks may cross the restriction zone that exempts them, diesel trucks go around it.
"""

from cleanfreight.dispatch.fleet_roads import road_matrices
from cleanfreight.dispatch.params import FIRST_SOLUTION_STRATEGIES, METAHEURISTICS, SolverParams
from cleanfreight.dispatch.scenario import (
    POWERTRAINS,
    EnergyStation,
    Load,
    Powertrain,
    Scenario,
    Site,
    TruckType,
    format_clock,
    load_scenario,
    parse_clock,
    parse_window,
)
from cleanfreight.dispatch.solve import REASONS, DispatchResult, solve_dispatch
from cleanfreight.dispatch.travel import (
    MATRIX_CLASSES,
    FleetMatrices,
    StraightLineMatrix,
    haversine_km,
    haversine_matrix,
)
from cleanfreight.dispatch.vrplib import (
    VrpInstance,
    VrpResult,
    check_routes,
    read_vrplib,
    route_cost,
    solve_vrp,
)

__all__ = [
    "FIRST_SOLUTION_STRATEGIES",
    "MATRIX_CLASSES",
    "METAHEURISTICS",
    "POWERTRAINS",
    "REASONS",
    "DispatchResult",
    "EnergyStation",
    "FleetMatrices",
    "Load",
    "Powertrain",
    "Scenario",
    "Site",
    "SolverParams",
    "StraightLineMatrix",
    "TruckType",
    "VrpInstance",
    "VrpResult",
    "check_routes",
    "format_clock",
    "haversine_km",
    "haversine_matrix",
    "load_scenario",
    "parse_clock",
    "parse_window",
    "read_vrplib",
    "road_matrices",
    "route_cost",
    "solve_dispatch",
    "solve_vrp",
]
