"""The baseline job: load the enterprises and the network, measure the flows, report the ratios."""

from __future__ import annotations

import dataclasses
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
from cleanfreight.planning.scenario import NETWORK_DATA_KEYS

__all__ = ["BaselineParams", "BaselineRun", "run_baseline", "write_baseline", "write_map"]

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
        for name in ("enterprises", *NETWORK_DATA_KEYS, "factors"):
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

    given = {k: getattr(params, k) for k in NETWORK_DATA_KEYS}
    if params.roads is None:  # the sample network, with the files given in place of the sample's
        files = dataclasses.replace(NetworkFiles.sample(), **{k: v for k, v in given.items() if v is not None})
    else:
        files = NetworkFiles(**given)
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
