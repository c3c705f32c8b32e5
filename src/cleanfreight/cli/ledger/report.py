"""`cleanfreight ledger report`: the clean-transport ratios of a period under a rulebook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleanfreight.cli._common import (
    JsonOption,
    LangOption,
    handle_errors,
    named_files,
    out,
    print_json,
    print_written,
)
from cleanfreight.cli.ledger._shared import (
    EngineOption,
    ParquetOption,
    ReadDbOption,
    RosterOption,
    RulesOption,
    WaitOption,
    check_lang,
    fmt,
    read,
    roster_of,
    show_table,
)


@handle_errors
def report_cmd(
    db: ReadDbOption = None,
    *,
    period: Annotated[
        str, typer.Option("--period", help="YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD.")
    ],
    rules: RulesOption = "changzhi-2024",
    roster: RosterOption = None,
    plan: Annotated[
        Path | None,
        typer.Option("--plan", help="plan.json of the planner (or CSV enterprise_id, ratio_after)."),
    ] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write JSON, CSV and XLSX here.")] = None,
    lang: LangOption = "en",
    wait: WaitOption = 0.0,
    as_json: JsonOption = False,
    parquet: ParquetOption = None,
    engine: EngineOption = None,
) -> None:
    """Clean-transport ratio per enterprise and city-wide for a period, under a rulebook."""
    check_lang(lang)
    ros = roster_of(roster)
    from rich.markup import escape

    from cleanfreight._i18n import t
    from cleanfreight.ledger._labels import lt
    from cleanfreight.ledger.report import write_report

    rep, names = read(
        db, lambda led: led.report(period, rules=rules, roster=ros, plan=plan), wait=wait, roster=ros, lang=lang,
        parquet=parquet, engine=engine,
    )
    written = write_report(rep, out_dir, lang, names) if out_dir is not None else []
    if as_json:
        payload = rep.as_dict()
        payload["files"] = named_files(written)
        print_json(payload)
        return
    cols = [
        "rank",
        "enterprise_id",
        "enterprise_name",
        "reported",
        "tonnes_total",
        "tonnes_clean",
        "clean_ratio",
        "gap_tonnes",
        "road_compliance",
    ]
    rows = rep.as_dict()["enterprises"]
    for r in rows:
        r["enterprise_name"] = names.get(r["enterprise_id"], "")
        r["reported"] = t("yes" if r.get("reported", True) else "no", lang)
    show_table(rows, cols, f"{t('rulebook', lang)}: {rep.rulebook.title(lang)} — {rep.period.label}", lang)
    ratio = rep.city["clean_ratio"]
    out.print(
        f"{t('city', lang)}: {t('clean_ratio', lang)} {'n/a' if ratio is None else f'{ratio:.1%}'}, "
        f"{t('tonnes_total', lang)} {rep.city['tonnes_total']:,.0f}, "
        f"{rep.city['enterprises_meeting_target']}/{rep.city['enterprises']} ≥ {rep.rulebook.target:.0%}"
    )
    if rep.coverage is not None:
        for m in rep.coverage.by_month.itertuples():
            line = lt(
                "coverage.line",
                lang,
                month=m.month,
                rep=m.enterprises_reported,
                exp=m.enterprises_expected,
                share=fmt(m.coverage_tonnes, "percent") or "n/a",
            )
            if m.not_reported:
                line += "; " + lt("coverage.missing", lang, ids=", ".join(m.not_reported))
            out.print(line if m.complete else f"[yellow]{escape(line)}[/]")
        if not rep.coverage.complete:
            out.print(
                "[yellow]"
                + lt("coverage.incomplete_note", lang, n=len(rep.coverage.not_reported()))
                + "[/]"
            )
    print_written(written, lang)


def register(ledger: typer.Typer) -> None:
    """Add `report` to the ``ledger`` command group."""
    ledger.command("report")(report_cmd)
