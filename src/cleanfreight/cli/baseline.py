"""`cleanfreight baseline`: clean-transport ratios from declared mode splits, on the sample or your own files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleanfreight.cli._common import (
    JsonOption,
    LangOption,
    handle_errors,
    out,
    print_json,
    print_written,
    progress,
)

Opt = typer.Option


def baseline_table(run: object, lang: str) -> None:
    """Print the per-enterprise ratios as a rich table."""
    from rich.table import Table

    from cleanfreight._i18n import t, vocab

    rep = run.report  # type: ignore[attr-defined]
    tbl = Table(title=f"{t('clean_ratio', lang)} — {rep.rulebook.title(lang)}")
    for key in ("enterprise_id", "name", "industry", "tonnes_total", "clean_ratio", "meets_target"):
        tbl.add_column(t(key, lang), justify="right" if key in ("tonnes_total", "clean_ratio") else "left")
    name_col = "name_zh" if lang == "zh" else "name_en"
    for row in rep.enterprises.sort_values("clean_ratio", ascending=False).itertuples():
        ok = t("yes", lang) if row.meets_target else t("no", lang)
        style = "green" if row.meets_target else "red"
        tbl.add_row(row.enterprise_id, str(getattr(row, name_col) or row.name_zh), vocab("industry", row.industry, lang),
                    f"{row.tonnes_total:,.0f}", f"{row.clean_ratio:.1%}", f"[{style}]{ok}[/]")
    out.print(tbl)
    c = rep.city
    out.print(
        f"[bold]{t('city', lang)}[/]: {t('clean_ratio', lang)} {c['city_clean_ratio']:.1%} · "
        f"{t('target', lang)} {c['target']:.0%} · {c['enterprises_meeting_target']}/{c['enterprises_total']} "
        f"{t('enterprises_meeting', lang)}"
    )


@handle_errors
def baseline(
    out_dir: Annotated[Path, Opt("--out", help="Output folder")] = Path("maps/baseline"),
    enterprises: Annotated[Path | None, Opt(help="Folder with enterprises/flows/mode_split CSV or XLSX")] = None,
    roads: Annotated[Path | None, Opt(help="Road file (.osm, .osm.pbf, .graphml); default: the sample")] = None,
    rail: Annotated[Path | None, Opt(help="Rail lines and spurs (GeoJSON/GPKG/SHP/OSM)")] = None,
    stations: Annotated[Path | None, Opt(help="Freight stations (CSV/GeoJSON)")] = None,
    regions: Annotated[Path | None, Opt(help="Origin/destination regions (CSV)")] = None,
    rules: Annotated[str, Opt("--rules", help="Rulebook preset or TOML file")] = "changzhi-2024",
    factors: Annotated[Path | None, Opt(help="CSV of factor overrides (key,value,unit,source)")] = None,
    no_map: Annotated[bool, Opt("--no-map", help="Skip the HTML map")] = False,
    lang: LangOption = "en",
    json_out: JsonOption = False,
) -> None:
    """Clean-transport ratio per enterprise and city-wide from the declared mode splits."""
    _baseline(out_dir, enterprises, roads, rail, stations, regions, rules, factors, no_map, lang, json_out)


def _baseline(out_dir: Path, enterprises: Path | None, roads: Path | None, rail: Path | None,
              stations: Path | None, regions: Path | None, rules: str, factors: Path | None, no_map: bool,
              lang: str, json_out: bool) -> None:
    from cleanfreight.jobs import BaselineParams, run_baseline, write_baseline

    params = BaselineParams(enterprises=enterprises, roads=roads, rail=rail, stations=stations, regions=regions,
                            rulebook=rules, factors=factors, lang=lang)
    with progress("baseline", quiet=json_out) as step:
        run = run_baseline(params, step)
        step("writing outputs")
        files = write_baseline(run, out_dir, lang=lang, with_map=not no_map)
    if json_out:
        print_json({**run.report.summary(), "files": {k: str(v) for k, v in files.items()}})
    else:
        baseline_table(run, lang)
        print_written(files.values(), lang)


def register(app: typer.Typer) -> None:
    app.command("baseline")(baseline)
