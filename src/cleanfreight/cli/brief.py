"""`cleanfreight brief` and `cleanfreight map`: the briefing outputs (offline map, PDF, PNG, XLSX)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cleanfreight.cli._common import JsonOption, LangOption, handle_errors, out, print_json, progress

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

Opt = typer.Option

RulesOption = Annotated[str, Opt("--rules", help="Rulebook preset or TOML file.")]
TilesOption = Annotated[
    list[str] | None,
    Opt("--tiles", help="Optional online tile layer, unticked by default: osm, amap (GCJ-02), tianditu:KEY."),
]
EnterprisesOption = Annotated[
    Path | None,
    Opt("--enterprises", help="Folder with your enterprise tables (default: the Changzhi sample)."),
]


def brief(
    out_dir: Annotated[Path, Opt("--out", help="Output folder (created if missing).")] = Path("maps/brief"),
    lang: LangOption = "zh",
    db: Annotated[
        Path | None, Opt("--db", help="Ledger database: monthly tracking from gate records.")
    ] = None,
    period: Annotated[
        str | None,
        Opt(
            "--period",
            help="With --db: period of the ratios (YYYY, YYYY-MM, YYYY-Qn, YYYY-MM-DD..YYYY-MM-DD; "
            "default: all records).",
        ),
    ] = None,
    plan: Annotated[
        Path | None, Opt("--plan", help="Plan folder from `cleanfreight plan` (plan.json).")
    ] = None,
    report: Annotated[
        Path | None, Opt("--report", help="Ledger report JSON (`ledger report --json`).")
    ] = None,
    monthly: Annotated[
        Path | None, Opt("--monthly", help="CSV with period, enterprise_id, clean_ratio, tonnes_total.")
    ] = None,
    enterprises: EnterprisesOption = None,
    rules: RulesOption = "changzhi-2024",
    paper: Annotated[str, Opt("--paper", help="A4 or A3.")] = "A4",
    dpi: Annotated[int, Opt("--dpi", help="PNG resolution (>= 200).")] = 200,
    tiles: TilesOption = None,
    title: Annotated[str | None, Opt("--title", help="Title of the briefing and map.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Write the briefing: DIR/map.html (offline), map.png, briefing.pdf, briefing.png and workbook.xlsx.

    Without --db/--report/--plan the figures are the baseline of the declared mode splits.
    """
    _brief(
        out_dir,
        lang,
        db,
        period,
        plan,
        report,
        monthly,
        enterprises,
        rules,
        paper,
        dpi,
        tiles,
        title,
        json_out,
    )


@handle_errors
def _brief(
    out_dir: Path,
    lang: str,
    db: Path | None,
    period: str | None,
    plan: Path | None,
    report: Path | None,
    monthly: Path | None,
    enterprises: Path | None,
    rules: str,
    paper: str,
    dpi: int,
    tiles: list[str] | None,
    title: str | None,
    json_out: bool,
) -> None:
    from cleanfreight.reports import (
        ReportOptions,
        make_briefing,
        make_map,
        network_layers,
        save_map,
        static_map,
        write_workbook,
    )

    with progress("briefing", quiet=json_out) as step:
        src = _sources(enterprises, rules, db, period, report, monthly, plan, lang, step)
        opts = ReportOptions(
            lang=lang,
            target=src["target"],
            rulebook=src["rulebook"],
            title=title,
            paper=paper,
            dpi=dpi,
            period=src["period"],
        )
        layers = network_layers(src["network"], enterprises=src["enterprises"], routes=src["routes"])
        out_dir.mkdir(parents=True, exist_ok=True)
        step("writing the offline map")
        files = {
            "map": save_map(
                make_map(
                    layers, lang=lang, title=title, target=opts.target, tiles=tiles, subtitle=src["subtitle"]
                ),
                out_dir / "map.html",
            ),
        }
        step("writing the static map")
        files["map_png"] = static_map(
            layers, out_dir / "map.png", lang=lang, title=title, target=opts.target, dpi=dpi
        )
        step("writing the briefing")
        b = make_briefing(
            src["enterprises"],
            out_dir / "briefing.pdf",
            out_dir / "briefing.png",
            monthly=src["monthly"],
            layers=layers,
            options=opts,
        )
        files["briefing_pdf"], files["briefing_png"] = b.pdf, b.png  # type: ignore[assignment]
        step("writing the workbook")
        files["workbook"] = write_workbook(
            out_dir / "workbook.xlsx",
            src["enterprises"],
            monthly=src["monthly"],
            plan=src["plan"],
            options=opts,
        )
    payload = {
        **b.city,
        "period": opts.period or None,
        "rulebook": opts.rulebook,
        "source": src["source"],
        "files": {k: str(v) for k, v in files.items()},
    }
    if json_out:
        print_json(payload)
        return
    from cleanfreight._i18n import t

    c = b.city
    out.print(
        f"[bold]{t('city', lang)}[/]: {t('clean_ratio', lang)} {c['city_clean_ratio']:.1%} · "
        f"{t('target', lang)} {opts.target:.0%} · {c['enterprises_meeting_target']}/{c['enterprises_total']}"
    )
    out.print(f"written to {out_dir}: " + ", ".join(Path(p).name for p in files.values()))


def _sources(
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

    from cleanfreight.errors import InputError, Problem
    from cleanfreight.reports import plan_tables, report_table
    from cleanfreight.workflow import BaselineParams, run_baseline

    problems = []
    if db is not None and report is not None:
        problems.append(Problem("give either --db or --report, not both", column="--report"))
    for name, value in (("--db", db), ("--report", report), ("--monthly", monthly), ("--plan", plan)):
        if value is not None and not value.exists():
            problems.append(Problem("file or folder not found", column=name, value=str(value)))
    if problems:
        raise InputError("invalid briefing options", problems)

    run = run_baseline(
        BaselineParams(enterprises=enterprises, rulebook=rules, lang=lang, use_network=False), step
    )
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
    plan_frame, routes = None, None
    if plan is not None:
        step("reading the plan")
        plan_frame, routes = plan_tables(plan, roster)
        after = plan_frame[["enterprise_id", "ratio_after"]]
        table = table.drop(columns=[c for c in ("ratio_after",) if c in table]).merge(
            after, on="enterprise_id", how="left"
        )
    return {
        "enterprises": table,
        "monthly": mon,
        "plan": plan_frame,
        "routes": routes,
        "network": run.network,
        "rulebook": rulebook.name,
        "target": float(rulebook.target),
        "source": source,
        "subtitle": subtitle,
        "period": label,
    }


def _ledger_tables(db: Path, rulebook: Any, period: str | None, roster: Any) -> tuple[Any, Any, str]:
    """Per-enterprise table (``period``, default: all records) and monthly trend from the ledger."""
    import duckdb

    from cleanfreight.errors import InputError
    from cleanfreight.ledger.report import report, trend

    if period is None:
        try:
            con = duckdb.connect(str(db), read_only=True)
        except duckdb.Error as exc:
            raise InputError(f"cannot open ledger database {db}: {exc}") from None
        try:
            first, last = con.execute("SELECT min(ts)::DATE, max(ts)::DATE FROM records").fetchone() or (
                None,
                None,
            )
        except duckdb.Error as exc:
            raise InputError(f"{db} is not a cleanfreight ledger: {exc}") from None
        finally:
            con.close()
        if first is None:
            raise InputError(
                f"the ledger {db} has no records; run `cleanfreight ledger ingest --db {db}` first"
            )
        period = f"{first.isoformat()}..{last.isoformat()}"
    rep = report(db, period, rules=rulebook, roster=roster)
    months = rep.period.months()
    mon = trend(db, months[0], months[-1], rules=rulebook).enterprises.rename(columns={"month": "period"})
    frame = roster.enterprises
    keep = [c for c in ("enterprise_id", "name_zh", "name_en", "lon", "lat") if c in frame]
    ent = rep.enterprises.drop(columns=[c for c in keep if c != "enterprise_id" and c in rep.enterprises])
    ent = ent.merge(frame[keep], on="enterprise_id", how="inner")
    return ent, mon, rep.period.label


def map_cmd(
    out_file: Annotated[
        Path, Opt("--out", help="Output file: .html (offline interactive) or .png/.svg/.pdf.")
    ] = Path("maps/map.html"),
    plan: Annotated[Path | None, Opt("--plan", help="Plan folder (plan.json, routes.geojson).")] = None,
    report: Annotated[Path | None, Opt("--report", help="Ledger report JSON.")] = None,
    layer: Annotated[
        list[str] | None,
        Opt(
            "--layer",
            help="Your GeoJSON/GPKG/SHP/CSV file; NAME=FILE picks the layer "
            "(enterprises, rail, spurs, stations, routes, swap_stations, restriction_zone, "
            "boundaries, roads). Repeatable.",
        ),
    ] = None,
    base: Annotated[
        bool | None,
        Opt(
            "--base/--no-base",
            help="Draw the sample network (rail, stations, boundaries, roads) underneath. "
            "Default: on, except when only --layer files are given.",
        ),
    ] = None,
    enterprises: EnterprisesOption = None,
    rules: RulesOption = "changzhi-2024",
    lang: LangOption = "en",
    tiles: TilesOption = None,
    title: Annotated[str | None, Opt("--title", help="Map title.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Make a map from a plan, a ledger report or your own files (default: the sample baseline)."""
    _map(out_file, plan, report, layer or [], base, enterprises, rules, lang, tiles, title, json_out)


@handle_errors
def _map(
    out_file: Path,
    plan: Path | None,
    report: Path | None,
    layer: list[str],
    base: bool | None,
    enterprises: Path | None,
    rules: str,
    lang: str,
    tiles: list[str] | None,
    title: str | None,
    json_out: bool,
) -> None:
    from cleanfreight._i18n import check_lang
    from cleanfreight.errors import InputError
    from cleanfreight.reports import (
        MapLayers,
        layers_from_files,
        make_map,
        network_layers,
        save_map,
        static_map,
    )
    from cleanfreight.reports.static import STATIC_FORMATS

    check_lang(lang)
    suffix = out_file.suffix.lower()
    if suffix not in (".html", ".htm", *STATIC_FORMATS):
        raise InputError(f"--out must end in .html, {', '.join(STATIC_FORMATS)}; got {out_file.name!r}")
    only_files = bool(layer) and plan is None and report is None
    use_base = (not only_files) if base is None else base
    target = 0.8
    layers = MapLayers()
    with progress("map", quiet=json_out) as step:
        if use_base or plan is not None or report is not None or not layer:
            src = _sources(enterprises, rules, None, None, report, None, plan, lang, step)
            target = src["target"]
            ent: pd.DataFrame | None = src["enterprises"]
            routes: gpd.GeoDataFrame | None = src["routes"]
            if use_base:
                layers = network_layers(src["network"], enterprises=ent, routes=routes)
            else:
                from cleanfreight.reports import enterprise_points

                layers = MapLayers(
                    enterprises=enterprise_points(ent) if ent is not None else None, routes=routes
                )
        if layer:
            layers = layers_from_files(layer, base=layers)
        step("drawing")
        if suffix in STATIC_FORMATS:
            path = static_map(layers, out_file, lang=lang, title=title, target=target)
        else:
            path = save_map(make_map(layers, lang=lang, title=title, target=target, tiles=tiles), out_file)
    counts = {k: len(v) for k, v in layers.present().items()}
    if json_out:
        print_json({"file": str(path), "layers": counts})
        return
    out.print(f"wrote {path} ({', '.join(f'{k} {v}' for k, v in counts.items())})")


def register(app: typer.Typer) -> None:
    """Add the `brief` and `map` commands to ``app``."""
    app.command("brief")(brief)
    app.command("map")(map_cmd)
