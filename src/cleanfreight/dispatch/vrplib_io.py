"""Deprecated module name, kept so that users' imports keep working: VRPLIB instances live in
:mod:`cleanfreight.dispatch.vrplib`.
"""

from cleanfreight.dispatch.vrplib import (
    VrpInstance,
    VrpResult,
    check_routes,
    read_vrplib,
    route_cost,
    solve_vrp,
)

__all__ = ["VrpInstance", "VrpResult", "check_routes", "read_vrplib", "route_cost", "solve_vrp"]
