"""The one-command briefing: offline map, static map, one-page PDF/PNG and workbook from any source.

:func:`write_brief` is shared by ``cleanfreight brief`` and ``cleanfreight demo``. Figures come from
the baseline of the declared mode splits, or a ledger database, a ledger report JSON, a monthly CSV,
and a plan folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cleanfreight.accounting.rulebooks import DEFAULT_RULEBOOK

__all__ = ["BriefParams", "BriefResult", "brief_sources", "write_brief"]


@dataclass(frozen=True)
class BriefParams:
    """What a briefing is drawn from and how it looks (validated when written)."""

    out_dir: Path
    lang: str = "zh"
    db: Path | None = None
    period: str | None = None
    plan: Path | None = None
    report: Path | None = None
    monthly: Path | None = None
    enterprises: Path | None = None
    rules: str = DEFAULT_RULEBOOK
    paper: str = "A4"
    dpi: int = 200
    tiles: list[str] | None = None
    title: str | None = None

    def __post_init__(self) -> None:
        """Every problem of the settings in one report: language, paper, dpi, period, source files."""
        from cleanfreight._i18n import LANGS
        from cleanfreight.errors import InputError, Problem
        from cleanfreight.reports.params import PAPER_SIZES

        problems = []
        if self.lang not in LANGS:
            problems.append(Problem(f"expected one of {', '.join(LANGS)}", column="lang", value=self.lang))
        if self.paper not in PAPER_SIZES:
            problems.append(Problem(f"expected one of {', '.join(PAPER_SIZES)}", column="paper", value=self.paper))
        if isinstance(self.dpi, bool) or not isinstance(self.dpi, int) or not 200 <= self.dpi <= 1200:
            problems.append(Problem("expected an integer from 200 to 1200", column="dpi", value=self.dpi))
        problems += _source_problems(self.db, self.report, self.monthly, self.plan, self.enterprises)
        if self.period is not None:
            from cleanfreight.ledger._period import parse_period

            try:
                parse_period(self.period)
            except InputError as exc:
                problems.append(Problem(str(exc), column="period", value=self.period))
        if problems:
            raise InputError("invalid briefing settings", problems)


def _source_problems(
    db: Path | None, report: Path | None, monthly: Path | None, plan: Path | None, enterprises: Path | None
) -> list[Any]:
    """What is wrong with the briefing's sources: both a ledger and a report, files that do not exist."""
    from cleanfreight.errors import Problem

    problems = []
    if db is not None and report is not None:
        problems.append(Problem("give either --db or --report, not both", column="--report"))
    for name, value in (("--db", db), ("--report", report), ("--monthly", monthly), ("--plan", plan),
                        ("--enterprises", enterprises)):
        if value is not None and not Path(value).exists():
            problems.append(Problem("file or folder not found", column=name, value=str(value)))
    return problems


@dataclass(frozen=True)
class BriefResult:
    files: dict[str, Path]
    payload: dict[str, Any]
    city: dict[str, Any]
    target: float


def write_brief(p: BriefParams, step: Callable[[str], None] = lambda _: None) -> BriefResult:
    """Write ``map.html`` (offline), ``map.png``, ``briefing.pdf``, ``briefing.png`` and ``workbook.xlsx``."""
    from cleanfreight.reports._labels import t
    from cleanfreight.reports.briefing import briefing_title, make_briefing
    from cleanfreight.reports.layers import network_layers
    from cleanfreight.reports.maps import make_map, save_map
    from cleanfreight.reports.params import RenderParams
    from cleanfreight.reports.static import static_map
    from cleanfreight.reports.workbook import write_workbook

    out_dir, lang, tiles, dpi = p.out_dir, p.lang, p.tiles, p.dpi
    src = brief_sources(p.enterprises, p.rules, p.db, p.period, p.report, p.monthly, p.plan, lang, step)
    opts = RenderParams(
        lang=lang,
        target=src["target"],
        rulebook=src["rulebook"],
        title=p.title,
        paper=p.paper,
        dpi=dpi,
        period=src["period"],
        scenario=src["scenario"],
        sample=src["sample"],
    )
    # every output names the city, the period and (with a plan) the scenario
    title = briefing_title(opts)
    scenario_line = t("b.scenario", lang, scenario=opts.scenario) if opts.scenario else ""
    subtitle = " · ".join(x for x in (src["subtitle"], scenario_line) if x)
    layers = network_layers(src["network"], enterprises=src["enterprises"], routes=src["routes"])
    out_dir.mkdir(parents=True, exist_ok=True)
    step("writing the offline map")
    files: dict[str, Path] = {
        "map": save_map(
            make_map(layers, lang=lang, title=title, target=opts.target, tiles=tiles, subtitle=subtitle,
                     annual=opts.annual),
            out_dir / "map.html",
        ),
    }
    step("writing the static map")
    files["map_png"] = static_map(
        layers, out_dir / "map.png", lang=lang, title=title + (f"\n{scenario_line}" if scenario_line else ""),
        target=opts.target, dpi=dpi, sample=opts.sample,
    )
    step("writing the briefing")
    b = make_briefing(
        src["enterprises"],
        out_dir / "briefing.pdf",
        out_dir / "briefing.png",
        monthly=src["monthly"],
        layers=layers,
        options=opts,
        frontier=src["frontier"],
        coverage=src["monthly"].attrs.get("coverage") if src["monthly"] is not None else None,
    )
    files["briefing_pdf"] = Path(str(b.pdf))
    if b.png is not None:
        files["briefing_png"] = b.png
    if b.frontier_png is not None:
        files["briefing_frontier_png"] = b.frontier_png
    step("writing the workbook")
    import dataclasses

    book_opts = dataclasses.replace(opts, title=title + (f" ({scenario_line})" if scenario_line else ""))
    files["workbook"] = write_workbook(
        out_dir / "workbook.xlsx", src["enterprises"], monthly=src["monthly"], plan=src["plan"], options=book_opts
    )
    payload = {
        **b.city,
        "period": opts.period or None,
        "rulebook": opts.rulebook,
        "source": src["source"],
        "title": title,
        "scenario": src["scenario_info"],
        "sample": opts.sample,
        "files": {k: str(v) for k, v in files.items()},
    }
    return BriefResult(files, payload, dict(b.city), opts.target)


def brief_sources(
    enterprises: Path | None,
    rules: str,
    db: Path | None,
    period: str | None,
    report: Path | None,
    monthly: Path | None,
    plan: Path | None,
    lang: str,
    step: Any,
) -> dict[str, Any]:
    """Collect the tables a briefing is drawn from: baseline, ledger, report, monthly CSV, plan."""
    import pandas as pd

    from cleanfreight.errors import InputError
    from cleanfreight.jobs.baseline import BaselineParams, run_baseline
    from cleanfreight.reports import plan_tables, report_table

    problems = _source_problems(db, report, monthly, plan, enterprises)
    if problems:
        raise InputError("invalid briefing options", problems)

    run = run_baseline(BaselineParams(enterprises=enterprises, rulebook=rules, lang=lang), step)
    rulebook = run.report.rulebook
    roster = run.report.enterprises
    table: pd.DataFrame = run.report.enterprises
    source, subtitle, label = "baseline", rulebook.title(lang), ""
    mon: pd.DataFrame | None = None
    if db is not None:
        step("reading the ledger")
        table, mon, label = _ledger_tables(db, rulebook, period, run.roster)
        source, subtitle = "ledger", f"{rulebook.title(lang)} · {label}"
    elif report is not None:
        table = report_table(report, roster)
        source = "report"
    if monthly is not None:
        mon = pd.read_csv(monthly, comment="#", dtype={"period": str, "enterprise_id": str})
    plan_frame, routes, frontier = None, None, None
    scenario_info: dict[str, Any] | None = None
    if plan is not None:
        step("reading the plan")
        plan_frame, routes = plan_tables(plan, roster)
        scenario_info = _plan_scenario(plan)
        from cleanfreight.reports.frontier import read_frontier

        frontier = read_frontier(plan)
        after = plan_frame[["enterprise_id", "ratio_after"]]
        table = table.drop(columns=[c for c in ("ratio_after",) if c in table]).merge(
            after, on="enterprise_id", how="left"
        )
    return {
        "enterprises": table,
        "monthly": mon,
        "plan": plan_frame,
        "frontier": frontier,
        "routes": routes,
        "network": run.network,
        "rulebook": rulebook.name,
        "target": float(rulebook.target),
        "source": source,
        "subtitle": subtitle,
        "period": label,
        # only the bundled sample roster is illustrative (a ledger of real records with it still
        # names the sample's invented enterprises)
        "sample": enterprises is None,
        "scenario_info": scenario_info,
        "scenario": "" if scenario_info is None else str(
            (scenario_info.get("title_zh") if lang == "zh" else scenario_info.get("title_en"))
            or scenario_info.get("title_en") or scenario_info.get("name") or ""
        ),
    }


def _plan_scenario(plan_dir: Path) -> dict[str, Any] | None:
    """The ``scenario`` entry of a plan folder's ``plan.json`` (name, titles), if any."""
    from cleanfreight._io import read_plan_json
    from cleanfreight.errors import InputError

    try:
        payload = read_plan_json(plan_dir)
    except InputError:
        return None
    sc = payload.get("scenario")
    return sc if isinstance(sc, dict) and sc else None


def _ledger_tables(db: Path, rulebook: Any, period: str | None, roster: Any) -> tuple[Any, Any, str]:
    """Per-enterprise table (``period``, default: all records) and monthly trend from the ledger."""
    from cleanfreight.errors import InputError
    from cleanfreight.ledger import Ledger

    with Ledger.open(db, read_only=True) as led:
        if period is None:
            span = led.span()
            if span is None:
                raise InputError(
                    f"the ledger {db} has no records; run `cleanfreight ledger ingest --db {db}` first"
                )
            period = f"{span[0].isoformat()}..{span[1].isoformat()}"
        rep = led.report(period, rules=rulebook, roster=roster)
        months = rep.period.months()
        tr = led.trend(months[0], months[-1], rules=rulebook, roster=roster)
    mon = tr.enterprises.rename(columns={"month": "period"})
    if "complete" in tr.city:  # months where not every expected enterprise reported: marked on the trend
        mon.attrs["coverage"] = tr.city.set_index("month")["complete"].astype(bool)
    frame = roster.enterprises
    keep = [c for c in ("enterprise_id", "name_zh", "name_en", "lon", "lat") if c in frame]
    ent = rep.enterprises.drop(columns=[c for c in keep if c != "enterprise_id" and c in rep.enterprises])
    ent = ent.merge(frame[keep], on="enterprise_id", how="inner")
    return ent, mon, rep.period.label


