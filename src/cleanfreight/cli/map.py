"""`cleanfreight map`: a map from a plan, a ledger report or your own files (offline HTML or a picture)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cleanfreight.cli._common import (
    EnterprisesOption,
    JsonOption,
    LangOption,
    RulesOption,
    TilesOption,
    handle_errors,
    named_files,
    out,
    print_json,
    progress,
    target_file,
)

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

Opt = typer.Option


@handle_errors
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

    layer = layer or []
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
        if title is None and not sample:  # the user's own data: the map is not of Changzhi
            from cleanfreight._i18n import t

            title = t("map.title_own", lang)
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
    """Add the `map` command to ``app``."""
    app.command("map")(map_cmd)
