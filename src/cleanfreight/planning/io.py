"""Deprecated module name, kept so that users' imports keep working: the plan's output files live in
:mod:`cleanfreight.planning.outputs`.
"""

from cleanfreight.planning.outputs import (
    COMPARE_FIGURES,
    compare_plans,
    compare_table,
    plan_payload,
    route_features,
    spur_status,
    write_comparison,
    write_plan,
)

__all__ = ["COMPARE_FIGURES", "compare_plans", "compare_table", "plan_payload", "route_features", "spur_status", "write_comparison", "write_plan"]
