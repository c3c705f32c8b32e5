"""`cleanfreight ledger export`: the ledger's records as Parquet partitioned by month (for Spark, or DuckDB at scale)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleanfreight.cli._common import JsonOption, LangOption, handle_errors, out, print_json
from cleanfreight.cli.ledger._shared import DbOption, WaitOption, check_lang, opened


@handle_errors
def export_cmd(
    db: DbOption,
    parquet: Annotated[Path, typer.Option("--parquet", help="Export folder (created, or replaced as a whole).")],
    lang: LangOption = "en",
    wait: WaitOption = 0.0,
    as_json: JsonOption = False,
) -> None:
    """Write the ledger's records as Parquet partitioned by month, for --engine spark / duckdb --parquet."""
    check_lang(lang)
    with opened(db, wait=wait) as led:
        res = led.export(parquet)
    if as_json:
        print_json({"files": {k: str(v) for k, v in res.files.items()}, "records": res.records})
        return
    out.print(
        f"已导出 {res.records:,} 条记录（{len(res.months)} 个月）到 {res.folder}"
        if lang == "zh"
        else f"exported {res.records:,} records ({len(res.months)} months) to {res.folder}"
    )


def register(ledger: typer.Typer) -> None:
    """Add `export` to the ``ledger`` command group."""
    ledger.command("export")(export_cmd)
