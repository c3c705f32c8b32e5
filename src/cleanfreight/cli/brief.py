"""`cleanfreight brief` and `cleanfreight map`: the briefing outputs (offline map, PDF, PNG, XLSX)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cleanfreight.cli._common import (
    JsonOption,
    LangOption,
    handle_errors,
    named_files,
    out,
    print_json,
    print_written,
    progress,
    target_file,
)

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
    from cleanfreight.jobs.brief import BriefParams, write_brief

    params = BriefParams(out_dir=out_dir, lang=lang, db=db, period=period, plan=plan, report=report,
                         monthly=monthly, enterprises=enterprises, rules=rules, paper=paper, dpi=dpi,
                         tiles=tiles, title=title)
    with progress("briefing", quiet=json_out) as step:
        res = write_brief(params, step)
    if json_out:
        print_json(res.payload)
        return
    from cleanfreight._i18n import t

    c = res.city
    out.print(
        f"[bold]{t('city', lang)}[/]: {t('clean_ratio', lang)} {c['city_clean_ratio']:.1%} · "
        f"{t('target', lang)} {res.target:.0%} · {c['enterprises_meeting_target']}/{c['enterprises_total']}"
    )
    print_written(res.files.values(), lang)


def map_cmd(
    out_dir: Annotated[Path, Opt("--out", help="Output folder for map.html (created if missing).")] = Path("maps"),
    file: Annotated[
        Path | None,
        Opt("--file", help="Output file instead: .html (offline interactive) or .png/.svg/.pdf."),
    ] = None,
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
    _map(out_dir, file, plan, report, layer or [], base, enterprises, rules, lang, tiles, title, json_out)


@handle_errors
def _map(
    out_dir: Path,
    file: Path | None,
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
    out_file = target_file(out_dir, file, "map.html")
    assert out_file is not None
    suffix = out_file.suffix.lower()
    if suffix not in (".html", ".htm", *STATIC_FORMATS):
        flag = "--out" if file is None else "--file"
        raise InputError(f"{flag} must end in .html, {', '.join(STATIC_FORMATS)}; got {out_file.name!r}")
    only_files = bool(layer) and plan is None and report is None
    use_base = (not only_files) if base is None else base
    target = 0.8
    layers = MapLayers()
    src: dict[str, Any] = {}
    with progress("map", quiet=json_out) as step:
        if use_base or plan is not None or report is not None or not layer:
            from cleanfreight.jobs.brief import brief_sources

            src = brief_sources(enterprises, rules, None, None, report, None, plan, lang, step)
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
        subtitle = None
        sample = enterprises is None and (use_base or not layer)
        if plan is not None and src.get("scenario"):  # the map names the plan's scenario
            from cleanfreight._i18n import t

            subtitle = t("b.scenario", lang, scenario=src["scenario"])
            if suffix in STATIC_FORMATS:  # one title line there: the scenario goes under it
                title = f"{title or t('map.title', lang)}\n{subtitle}"
        if suffix in STATIC_FORMATS:
            path = static_map(layers, out_file, lang=lang, title=title, target=target, sample=sample)
        else:
            path = save_map(
                make_map(layers, lang=lang, title=title, target=target, tiles=tiles, subtitle=subtitle), out_file
            )
    counts = {k: len(v) for k, v in layers.present().items()}
    if json_out:
        print_json({"files": named_files([path]), "layers": counts})
        return
    out.print(f"wrote {path} ({', '.join(f'{k} {v}' for k, v in counts.items())})")


def register(app: typer.Typer) -> None:
    """Add the `brief` and `map` commands to ``app``."""
    app.command("brief")(brief)
    app.command("map")(map_cmd)
