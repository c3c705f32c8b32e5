"""`cleanfreight ledger trend`: ratios per enterprise and month, coverage, who fell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cleanfreight._io import write_csv
from cleanfreight.cli._common import (
    JsonOption,
    LangOption,
    handle_errors,
    named_files,
    out,
    print_json,
    target_file,
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
)


def _trend_table(res: Any, names: dict[str, str], lang: str) -> Any:
    """The trend as a person reads it: one row per enterprise (id, name, ratio per month as a
    percentage, "not reported" where the enterprise sent nothing), the city row, and the coverage
    rows (enterprises reported / expected, share of expected tonnes reported)."""
    import pandas as pd

    from cleanfreight.ledger._labels import lt, percent

    months = res.period.months()
    ent = res.enterprises
    missing = lt("not_reported", lang)
    flags = res.coverage.table.set_index(["enterprise_id", "month"])["reported"] if res.coverage else None
    ratios = {
        (str(e), str(m)): r
        for e, m, r in ent[["enterprise_id", "month", "clean_ratio"]].itertuples(index=False)
    }
    ids = sorted(
        set(ent["enterprise_id"].astype(str))
        | (set(res.coverage.table["enterprise_id"]) if res.coverage else set())
    )
    id_col, name_col = lt("enterprise_id", lang), lt("enterprise_name", lang)
    rows = []
    for e in ids:
        row: dict[str, Any] = {id_col: e, name_col: names.get(e, "")}
        for m in months:
            reported = bool(flags.get((e, m), False)) if flags is not None else (e, m) in ratios
            row[m] = percent(ratios.get((e, m))) if reported else missing
        rows.append(row)
    city = res.city.set_index("month") if not res.city.empty else pd.DataFrame()

    def city_val(m: str, col: str) -> Any:
        return city[col].get(m) if col in city else None

    rows.append(
        {
            id_col: lt("city", lang),
            name_col: lt("clean_ratio", lang),
            **{m: percent(city_val(m, "clean_ratio")) for m in months},
        }
    )
    if res.coverage is not None:
        bym = res.coverage.by_month.set_index("month")
        rows.append(
            {
                id_col: lt("coverage", lang),
                name_col: lt("enterprises_reported", lang),
                **{
                    m: f"{bym.loc[m, 'enterprises_reported']}/{bym.loc[m, 'enterprises_expected']}"
                    for m in months
                },
            }
        )
        rows.append(
            {
                id_col: lt("coverage", lang),
                name_col: lt("coverage_tonnes", lang),
                **{m: percent(bym.loc[m, "coverage_tonnes"]) for m in months},
            }
        )
        rows.append(
            {
                id_col: lt("coverage", lang),
                name_col: lt("not_reported", lang),
                **{m: ", ".join(bym.loc[m, "not_reported"]) for m in months},
            }
        )
    return pd.DataFrame(rows, columns=[id_col, name_col, *months])


@handle_errors
def trend_cmd(
    db: ReadDbOption = None,
    *,
    first: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
    last: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")],
    rules: RulesOption = "changzhi-2024",
    roster: RosterOption = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder for trend.csv: enterprise x month ratios with names, the city and coverage rows."
        ),
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", help="CSV file for the trend (instead of --out).")] = None,
    lang: LangOption = "en",
    wait: WaitOption = 0.0,
    as_json: JsonOption = False,
    parquet: ParquetOption = None,
    engine: EngineOption = None,
) -> None:
    """Clean ratio per enterprise and month, who reported each month, and who fell in the last month.

    A month an enterprise did not report (no gate or meter export) shows as "not reported", not as a
    ratio; when the reporting enterprises differ between two months the city ratios are compared
    like for like (over the enterprises that reported in both). --roster sets who is expected.
    """
    from cleanfreight._i18n import t

    check_lang(lang)
    out_file = target_file(out_dir, file, "trend.csv")
    ros = roster_of(roster)
    from cleanfreight.ledger._labels import lt

    res, names = read(db, lambda led: led.trend(first, last, rules=rules, roster=ros), wait=wait, roster=ros,
                      lang=lang, parquet=parquet, engine=engine)
    table = _trend_table(res, names, lang)
    if out_file is not None:
        write_csv(table, out_file, index=False, encoding="utf-8-sig")
    payload = res.as_dict()
    if out_file is not None:
        payload["files"] = named_files([out_file])
    if as_json:
        print_json(payload)
        return
    from rich.table import Table

    tab = Table(title=f"{t('clean_ratio', lang)} ({res.rulebook.title(lang)})")
    from rich.markup import escape

    for j, c in enumerate(table.columns):
        tab.add_column(str(c), justify="left" if j < 2 else "right")
    for r in table.itertuples(index=False):
        tab.add_row(*[escape(fmt(v)) for v in r])
    out.print(tab)
    for c in res.comparisons.itertuples():
        if not c.same_coverage:
            out.print(
                "[yellow]"
                + lt(
                    "coverage.differs",
                    lang,
                    a=c.month_prev,
                    b=c.month,
                    ra=fmt(c.ratio_prev, "percent"),
                    rb=fmt(c.clean_ratio, "percent"),
                    n=c.common_enterprises,
                    ca=fmt(c.ratio_prev_common, "percent"),
                    cb=fmt(c.ratio_common, "percent"),
                )
                + "[/]"
            )
    if payload["fell"]:
        out.print(f"[bold]{t('ledger.fell', lang)}[/]:")
    for f in payload["fell"]:
        name = names.get(f["enterprise_id"], "")
        out.print(f"  {f['enterprise_id']} {name}: {f['ratio_prev']:.1%} → {f['clean_ratio']:.1%}")


def register(ledger: typer.Typer) -> None:
    """Add `trend` to the ``ledger`` command group."""
    ledger.command("trend")(trend_cmd)
