"""Jobs: the orchestration layer above the concept packages and the renderers.

A job reads inputs, runs the engines (accounting, planning, dispatch, ledger) and hands tables to the
renderers (:mod:`cleanfreight.reports`), which only draw. The command line calls jobs; nothing below
imports them.

- :mod:`.baseline`: the baseline report of declared mode splits on a network;
- :mod:`.brief`: the briefing (offline map, static map, PDF/PNG, workbook) from any source;
- :mod:`.demo`: the main job on the bundled sample.
"""

from __future__ import annotations

from cleanfreight.jobs.baseline import BaselineParams, BaselineRun, run_baseline, write_baseline, write_map
from cleanfreight.jobs.brief import BriefParams, BriefResult, brief_sources, write_brief
from cleanfreight.jobs.demo import DemoResult, run_demo, run_dispatch_step, run_plan_step

__all__ = [
    "BaselineParams",
    "BaselineRun",
    "BriefParams",
    "BriefResult",
    "DemoResult",
    "brief_sources",
    "run_baseline",
    "run_demo",
    "run_dispatch_step",
    "run_plan_step",
    "write_baseline",
    "write_brief",
    "write_map",
]
