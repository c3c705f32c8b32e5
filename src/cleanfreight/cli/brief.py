"""`cleanfreight brief`: the briefing outputs (offline map, PDF, PNG, XLSX)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cleanfreight.cli._common import (
    EnterprisesOption,
    JsonOption,
    LangOption,
    RulesOption,
    TilesOption,
    handle_errors,
    out,
    print_json,
    print_written,
    progress,
)

if TYPE_CHECKING:
    pass

Opt = typer.Option



@handle_errors
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


def register(app: typer.Typer) -> None:
    """Add the `brief` command to ``app``."""
    app.command("brief")(brief)
