"""Deprecated home of the jobs: use :mod:`cleanfreight.jobs` (kept so existing scripts keep working)."""

from __future__ import annotations

from cleanfreight.jobs.baseline import BaselineParams, BaselineRun, run_baseline, write_baseline, write_map
from cleanfreight.jobs.demo import DEMO_TRANSITION, DemoResult, run_demo, run_dispatch_step, run_plan_step

__all__ = [
    "DEMO_TRANSITION",
    "BaselineParams",
    "BaselineRun",
    "DemoResult",
    "run_baseline",
    "run_demo",
    "run_dispatch_step",
    "run_plan_step",
    "write_baseline",
    "write_map",
]
