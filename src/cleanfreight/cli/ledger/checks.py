"""`cleanfreight ledger checks`: the ledger's anomaly checks (stage conflicts, overloads ...)."""

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
    read,
    roster_of,
    show_table,
)


def _checks_table(df: Any, lang: str) -> Any:
    """The anomalies as a person reads them: English keeps the codes (scripts read the CSV); other
    languages get labelled headers, check names, severities and details; tonnes to 0.1 t."""
    from cleanfreight._i18n import vocab
    from cleanfreight.ledger._labels import detail_text, lt

    out_df = df.copy()
    out_df["tonnes"] = out_df["tonnes"].astype(float).round(1)
    if lang == "en":
        return out_df
    out_df["check"] = out_df["check"].map(lambda c: vocab("check", c, lang))
    out_df["severity"] = out_df["severity"].map(lambda c: vocab("severity", c, lang))
    out_df["detail"] = out_df["detail"].map(lambda d: detail_text(str(d), lang))
    return out_df.rename(columns={c: lt(c, lang) for c in out_df.columns})


@handle_errors
def checks_cmd(
    db: ReadDbOption = None,
    period: Annotated[
        str | None, typer.Option("--period", help="Limit to a period (YYYY-MM ...).")
    ] = None,
    rules: RulesOption = "changzhi-2024",
    roster: RosterOption = None,
    max_payload: Annotated[
        float, typer.Option("--max-payload", help="Plausible truck payload (t).")
    ] = 40.0,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for checks.csv, the anomalies.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="CSV file for the anomalies (instead of --out).")] = None,
    lang: LangOption = "en",
    wait: WaitOption = 0.0,
    as_json: JsonOption = False,
    parquet: ParquetOption = None,
    engine: EngineOption = None,
) -> None:
    """Anomalies: stage conflicts, overloads, double passages, unknown enterprises, missing days, coal/coke by road."""
    check_lang(lang)
    out_file = target_file(out_dir, file, "checks.csv")
    ros = roster_of(roster)
    from cleanfreight._i18n import t, vocab
    from cleanfreight.ledger import CheckParams
    from cleanfreight.ledger._labels import detail_text, lt

    settings = CheckParams(max_payload_t=max_payload)
    df, names = read(db, lambda led: led.checks(period, roster=ros, rules=rules, settings=settings), wait=wait,
                     roster=ros, lang=lang, parquet=parquet, engine=engine)
    df.insert(df.columns.get_loc("enterprise_id") + 1, "enterprise_name", df["enterprise_id"].map(names))
    if out_file is not None:
        write_csv(_checks_table(df, lang), out_file, index=False, encoding="utf-8-sig")
    import json

    rows = json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso"))
    if as_json:
        print_json({"anomalies": rows, "count": len(rows)}
                   | ({"files": named_files([out_file])} if out_file is not None else {}))
        return
    for (
        r
    ) in rows:  # check names, severities and details in the user's language (the JSON keeps the codes)
        r["check"] = vocab("check", r["check"], lang)
        r["severity"] = vocab("severity", r["severity"], lang)
        r["detail"] = detail_text(r["detail"], lang)
    show_table(
        rows,
        [
            "severity",
            "check",
            "enterprise_id",
            "enterprise_name",
            "plate",
            "day",
            "records",
            "tonnes",
            "detail",
        ],
        t("checks.title", lang, n=len(rows)),
        lang,
    )
    if (df["check"] == "not_reported").any():
        out.print(lt("coverage.incomplete_note", lang, n=int((df["check"] == "not_reported").sum())))


def register(ledger: typer.Typer) -> None:
    """Add `checks` to the ``ledger`` command group."""
    ledger.command("checks")(checks_cmd)
