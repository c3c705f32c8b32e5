"""Deprecated module name, kept so that users' imports keep working: the planner's plan verification
(``check_plan``) lives in :mod:`cleanfreight.planning.verify`.
"""

from cleanfreight.planning.verify import CheckReport, check_plan

__all__ = ["CheckReport", "check_plan"]
