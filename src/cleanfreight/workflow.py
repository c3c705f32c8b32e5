"""End-to-end jobs shared by the Python API and the command line: the baseline and the demo.

:class:`BaselineParams` is the validated parameter object both use; it can be loaded from a TOML
scenario file's ``[baseline]`` table.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cleanfreight._i18n import LANGS
from cleanfreight._io import json_text, write_csv, write_text
from cleanfreight.accounting.baseline import BaselineReport, baseline_report
from cleanfreight.accounting.factors import load_factors
from cleanfreight.accounting.rulebooks import DEFAULT_RULEBOOK, load_rulebook
from cleanfreight.enterprises import Roster, load_enterprises
from cleanfreight.errors import InputError, Problem

__all__ = ["BaselineParams", "BaselineRun", "run_baseline", "write_baseline"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BaselineParams:
    """What the baseline job reads.

    Parameters
    ----------
    enterprises
        Folder with enterprises/flows/mode_split tables (``None``: the Changzhi sample).
    roads, rail, stations, regions, swap_stations, restriction_zone, boundaries
        Network files (``None`` for ``roads``: the sample network; the other files default to the
        sample's only when ``roads`` is also the sample).
    rulebook
        Preset name or TOML path.
    factors
        CSV of factor overrides (same columns as the presets).
    use_network
        Measure flow distances on the road network (else declared / straight-line estimates).
    lang
        Language of what users read.
    """

    enterprises: Path | None = None
    roads: Path | None = None
    rail: Path | None = None
    stations: Path | None = None
    regions: Path | None = None
    swap_stations: Path | None = None
    restriction_zone: Path | None = None
    boundaries: Path | None = None
    rulebook: str = DEFAULT_RULEBOOK
    factors: Path | None = None
    use_network: bool = True
    lang: str = "en"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        for name in ("enterprises", "roads", "rail", "stations", "regions", "swap_stations", "restriction_zone",
                     "boundaries", "factors"):
            value = getattr(self, name)
            if value is not None and not Path(value).exists():
                problems.append(Problem("file or folder not found", column=name, value=str(value)))
        if self.lang not in LANGS:
            problems.append(Problem(f"expected one of {', '.join(LANGS)}", column="lang", value=self.lang))
        if problems:
            raise InputError("invalid baseline parameters", problems)


@dataclass(frozen=True)
class BaselineRun:
    roster: Roster
    report: BaselineReport
    network: Any  # cleanfreight.network.Network | None
    distances: pd.DataFrame | None


def _network(params: BaselineParams) -> Any:
    from cleanfreight.network.engine import NetworkFiles, load_network

    if params.roads is None:
        sample = NetworkFiles.sample()
        files = NetworkFiles(
            roads=sample.roads, rail=params.rail or sample.rail, stations=params.stations or sample.stations,
            swap_stations=params.swap_stations or sample.swap_stations, regions=params.regions or sample.regions,
            restriction_zone=params.restriction_zone or sample.restriction_zone,
            boundaries=params.boundaries or sample.boundaries,
        )
    else:
        files = NetworkFiles(roads=params.roads, rail=params.rail, stations=params.stations,
                             swap_stations=params.swap_stations, regions=params.regions,
                             restriction_zone=params.restriction_zone, boundaries=params.boundaries)
    return load_network(files)


def run_baseline(params: BaselineParams, step: Callable[[str], None] = lambda _: None) -> BaselineRun:
    """Load enterprises and network, measure flows on the network, and compute the baseline report."""
    step("loading network")
    net = _network(params)
    region_ids = set(net.regions["region_id"]) if net.regions is not None else None
    step("loading enterprises")
    roster = load_enterprises(params.enterprises, regions=region_ids)
    distances = None
    if params.use_network:
        from cleanfreight.network.engine import flow_distances

        step("measuring flows on the road network")
        distances = flow_distances(net, roster)
    step("computing clean-transport ratios")
    factors = load_factors(params.factors)
    regions = None if net.regions is None else pd.DataFrame(net.regions.drop(columns="geometry"))
    stations = None if net.stations is None else pd.DataFrame(net.stations.drop(columns="geometry", errors="ignore"))
    report = baseline_report(roster, load_rulebook(params.rulebook), factors, distances=distances, regions=regions,
                             stations=stations)
    return BaselineRun(roster, report, net, distances)


def write_baseline(run: BaselineRun, out: Path, *, lang: str = "en", with_map: bool = True) -> dict[str, Path]:
    """Write ``summary.json``, ``enterprises.csv``, ``flows.csv``, ``factors.csv``, ``snapping.csv`` and ``map.html``."""
    from cleanfreight._paths import sample_dir

    out.mkdir(parents=True, exist_ok=True)
    rep = run.report
    files = {name: out / f"{name}.{ext}" for name, ext in
             (("summary", "json"), ("enterprises", "csv"), ("flows", "csv"), ("factors", "csv"))}
    summary = rep.summary()
    if Path(run.roster.source).resolve() == (sample_dir() / "enterprises").resolve():
        summary["note"] = "Illustrative Changzhi sample data: enterprise names and figures are invented"
    write_csv(rep.enterprises, files["enterprises"], index=False, encoding="utf-8")
    write_csv(rep.lines, files["flows"], index=False, encoding="utf-8")
    write_csv(pd.DataFrame(rep.factors.table()), files["factors"], index=False, encoding="utf-8")
    if run.network is not None:
        from cleanfreight.network.engine import snap_report

        files["snapping"] = out / "snapping.csv"
        snaps = snap_report(run.network, run.roster)
        write_csv(snaps, files["snapping"], index=False, encoding="utf-8")
        summary["snaps_far"] = int(snaps["far"].sum())
        summary["snap_max_m"] = round(float(snaps["snap_m"].max()), 1)
    write_text(files["summary"], json_text(summary, ensure_ascii=False, indent=2) + "\n")
    if with_map:
        files["map"] = write_map(run, out / "map.html", lang=lang)
    return files


def write_map(run: BaselineRun, path: Path, *, lang: str = "en", routes: Any = None) -> Path:
    """The offline Folium map of a baseline run (enterprises by ratio, roads, rail, stations, spurs, boundaries)."""
    from cleanfreight.reports.layers import network_layers
    from cleanfreight.reports.maps import enterprise_points, make_map, save_map

    layers = network_layers(run.network, enterprises=enterprise_points(run.report.enterprises), routes=routes)
    m = make_map(layers, lang=lang, target=run.report.rulebook.target)
    return save_map(m, path)


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
    import duckdb

    from cleanfreight.ledger import generate_records, ingest, trend
    from cleanfreight.reports.brief import BriefParams, write_brief

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
    imported = ingest(db, manifest.files)
    with duckdb.connect(str(db), read_only=True) as con:
        stored = int(con.execute("SELECT count(*) FROM records").fetchone()[0])  # type: ignore[index]
    step("monthly tracking")
    tr = trend(db, f"{year}-01", f"{year}-12", rules=run.report.rulebook)
    (out / "ledger").mkdir(exist_ok=True)
    write_csv(tr.enterprises, out / "ledger" / "monthly.csv", index=False, encoding="utf-8")
    write_csv(tr.city, out / "ledger" / "city_monthly.csv", index=False, encoding="utf-8")
    files["ledger"] = db
    summary["ledger"] = {
        "accepted": imported.accepted,
        "rejected": imported.rejected,
        "duplicates": imported.duplicates,
        "records_in_ledger": stored,
        "months": _records(tr.city),
        "enterprises_fell": len(tr.fell),
    }
    step("writing the briefing")
    brief = write_brief(BriefParams(out_dir=out / "brief", lang=lang, db=db, plan=plan_dir,
                                    rules=run.report.rulebook.name), step)
    files.update({f"brief_{k}": v for k, v in brief.files.items()})
    write_text(out / "summary.json", json_text(summary, ensure_ascii=False, indent=2, default=str) + "\n")
    return DemoResult(summary, files, run)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in df.to_dict(orient="records")]


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
    result.write_handouts(out, lang=lang, base=MapLayers(boundaries=load_sample_network().boundaries))
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
