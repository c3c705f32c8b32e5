"""The main job on the sample: baseline, plan and frontier, a dispatch day, a year of records, the
ledger and the briefing."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleanfreight._io import json_text, write_csv, write_text
from cleanfreight._io import records as frame_records
from cleanfreight.jobs.baseline import BaselineParams, BaselineRun, run_baseline, write_baseline

__all__ = ["DEMO_TRANSITION", "DemoResult", "run_demo", "run_dispatch_step", "run_plan_step"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoResult:
    """What :func:`run_demo` produced: the summary printed by ``cleanfreight demo --json`` and the files."""

    summary: dict[str, Any]
    files: dict[str, Path]
    baseline: BaselineRun


#: how far the demo's enterprises move their diesel tonnage to new-energy trucks by December (at most)
DEMO_TRANSITION = 0.8


def run_demo(out: Path, *, lang: str = "en", step: Callable[[str], None] = lambda _: None,
             ledger_scale: float = 0.05, year: int = 2026) -> DemoResult:
    """The main job on the sample: baseline → plan → a year of gate/rail records → ledger → briefing.

    Writes into ``out``: ``summary.json``, ``enterprises.csv``, ``flows.csv``, ``factors.csv``,
    ``map.html`` (baseline); ``plan/`` (plan.json, tables, routes); ``dispatch/`` (a day of
    electric-truck short-haul routes with battery swaps); ``records/`` (generated exports
    with realistic defects), ``ledger.duckdb`` and ``ledger/monthly.csv``; ``brief/`` (map with the
    plan's routes, briefing PDF/PNG, workbook).
    """

    from cleanfreight.jobs.brief import BriefParams, write_brief
    from cleanfreight.ledger import Ledger, generate_records

    run = run_baseline(BaselineParams(lang=lang), step)
    step("writing baseline outputs and map")
    files = write_baseline(run, out, lang=lang)
    summary: dict[str, Any] = json.loads(files["summary"].read_text(encoding="utf-8"))

    plan_dir = out / "plan"
    step("planning chains (OR-Tools)")
    summary["plan"] = run_plan_step(run, plan_dir, lang=lang)
    files["plan"] = plan_dir / "plan.json"

    step("dispatching a day of new-energy short-haul (OR-Tools routing)")
    summary["dispatch"] = run_dispatch_step(out / "dispatch", lang=lang)

    step("generating a sample year of gate and rail records")
    records = out / "records"
    # the sample year shows enterprises moving onto new-energy short-haul month by month
    manifest = generate_records(run.roster, records, year=year, scale=ledger_scale, transition=DEMO_TRANSITION)
    db = out / "ledger.duckdb"
    step("importing records into the ledger")
    with Ledger.open(db) as led:
        imported = led.ingest(manifest.files)
        stored = led.count()
        step("monthly tracking")
        tr = led.trend(f"{year}-01", f"{year}-12", rules=run.report.rulebook)
    (out / "ledger").mkdir(exist_ok=True)
    write_csv(tr.enterprises, out / "ledger" / "monthly.csv", index=False, encoding="utf-8")
    write_csv(tr.city, out / "ledger" / "city_monthly.csv", index=False, encoding="utf-8")
    files["ledger"] = db
    summary["ledger"] = {
        "accepted": imported.accepted,
        "rejected": imported.rejected,
        "duplicates": imported.duplicates,
        "records_in_ledger": stored,
        "months": frame_records(tr.city),
        "enterprises_fell": len(tr.fell),
    }
    step("writing the briefing")
    brief = write_brief(BriefParams(out_dir=out / "brief", lang=lang, db=db, plan=plan_dir,
                                    rules=run.report.rulebook.name), step)
    files.update({f"brief_{k}": v for k, v in brief.files.items()})
    write_text(out / "summary.json", json_text(summary, ensure_ascii=False, indent=2, default=str) + "\n")
    return DemoResult(summary, files, run)


def run_dispatch_step(out: Path, *, lang: str = "en") -> dict[str, Any]:
    """Route the sample short-haul day (``data/scenarios/dispatch_sample.toml``) on the sample road network."""
    from cleanfreight._paths import sample_dir
    from cleanfreight.dispatch import load_scenario, road_matrices, solve_dispatch

    sc = load_scenario(sample_dir() / "scenarios" / "dispatch_sample.toml")
    result = solve_dispatch(sc, matrix=road_matrices(sc, "sample"))
    result.write(out, lang=lang)
    from cleanfreight.network import load_sample_network
    from cleanfreight.reports import MapLayers

    # the hand-outs: route map and run sheets, over the sample's district boundaries
    from cleanfreight.reports.handouts import write_handouts

    write_handouts(result, out, lang=lang, base=MapLayers(boundaries=load_sample_network().boundaries))
    return dict(result.summary)


def run_plan_step(
    run: BaselineRun, out: Path, *, lang: str = "en", frontier_steps: int = 6
) -> dict[str, Any]:
    """Plan the sample with the default scenario; write ``out/plan.json``, tables and ``routes.geojson``,
    and the cost-of-ambition frontier (``frontier.csv/json/png``; ``frontier_steps = 0``: none)."""
    from cleanfreight.planning import (
        Scenario,
        build_problem,
        plan_payload,
        solve_frontier,
        solve_plan,
        write_plan,
    )
    from cleanfreight.reports.frontier import write_frontier_files

    sc = Scenario()
    problem = build_problem(sc)
    result = solve_plan(problem, sc.params)
    write_plan(result, out, problem=problem, lang=lang)
    payload = plan_payload(result, lang)
    summary = {"objective": payload.get("objective"), "status": payload.get("status"), "city": payload.get("city"),
               "policy": payload.get("policy")}
    if frontier_steps > 0:
        fr = solve_frontier(problem, sc.params, steps=frontier_steps)
        write_frontier_files(fr, out, lang, sc.as_dict())
        summary["frontier"] = {"max_ratio": fr.max_ratio, "points": len(fr.table),
                               "cost_at_max_cny": float(fr.table["cost_cny"].iloc[-1])}
    return summary
