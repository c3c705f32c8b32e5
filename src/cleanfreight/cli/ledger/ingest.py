"""`cleanfreight ledger ingest`: import gate passages, rail waybills and meter readings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleanfreight.cli._common import (
    JsonOption,
    LangOption,
    console,
    handle_errors,
    out,
    print_json,
)
from cleanfreight.cli.ledger._shared import (
    DbOption,
    RosterOption,
    WaitOption,
    check_lang,
    opened,
    roster_of,
    show_table,
)


@handle_errors
def ingest_cmd(
    files: Annotated[list[Path], typer.Argument(help="CSV (UTF-8/GBK/GB18030) or XLSX exports.")],
    db: DbOption,
    lang: LangOption = "en",
    enterprise: Annotated[
        str | None,
        typer.Option("--enterprise", help="Enterprise id for files without an enterprise column."),
    ] = None,
    direction: Annotated[
        str | None,
        typer.Option("--direction", help="in or out (进/出) for files without a direction column."),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="Column-mapping file (TOML/YAML) for other exports.")
    ] = None,
    cargo_map: Annotated[
        Path | None,
        typer.Option(
            "--cargo-map",
            help="Cargo name -> commodity file (TOML/YAML/CSV), merged over the built-in rules.",
        ),
    ] = None,
    chunk_rows: Annotated[
        int, typer.Option("--chunk-rows", help="Rows per chunk (bounds memory).")
    ] = 200_000,
    max_truck_tonnes: Annotated[
        float, typer.Option("--max-truck-tonnes", help="Reject gate records above this load (t).")
    ] = 100.0,
    max_waybill_tonnes: Annotated[
        float, typer.Option("--max-waybill-tonnes", help="Reject rail waybills above this weight (t).")
    ] = 100_000.0,
    max_meter_tonnes: Annotated[
        float, typer.Option("--max-meter-tonnes", help="Reject conveyor / pipeline readings above this (t).")
    ] = 100_000.0,
    max_future_days: Annotated[
        float, typer.Option("--max-future-days", help="Reject timestamps more than this many days ahead.")
    ] = 366.0,
    roster: RosterOption = None,
    wait: WaitOption = 0.0,
    as_json: JsonOption = False,
) -> None:
    """Import ledger files; prints accepted / rejected / duplicate rows per file.

    With --roster, files that name enterprises (企业名称) but carry no id are mapped to ids.
    Meter files whose quantity is a running counter (累计 / cumulative header) are turned into
    per-period quantities.
    """
    check_lang(lang)
    from cleanfreight.cli._common import progress
    from cleanfreight.ledger import IngestParams
    from cleanfreight.ledger._labels import lt, warning_text

    settings = IngestParams(
        chunk_rows=chunk_rows,
        max_truck_tonnes=max_truck_tonnes,
        max_waybill_tonnes=max_waybill_tonnes,
        max_meter_tonnes=max_meter_tonnes,
        max_future_days=max_future_days,
    )
    ros = roster_of(roster)
    names: dict[str, str] = {}
    if ros is not None:
        ent = ros.enterprises
        for col in ("name_zh", "name_en"):
            if col in ent:
                names.update(zip(ent[col].astype(str), ent["enterprise_id"].astype(str), strict=True))
    with progress("importing", quiet=as_json) as step, opened(db, wait=wait, read_only=False) as led:
        res = led.ingest(
            files,
            enterprise=enterprise,
            direction=direction,
            mapping=mapping,
            settings=settings,
            enterprise_names=names,
            on_chunk=lambda f, n: step(f"{Path(f).name}: {n:,} rows"),
            cargo_map=cargo_map,
        )
    if as_json:
        print_json(res.as_dict())
        return
    rows = [
        f.as_dict()
        | {
            "file": Path(f.file).name,
            "kind": lt(f"kind.{f.kind}", lang),
            "stage_from": ", ".join(
                f"{lt('stage_src.' + k, lang)} {n:,}" for k, n in f.stage_from.items()
            ),
        }
        for f in res.files
    ]
    cols = ["file", "kind", "encoding", "unit", "rows", "accepted", "rejected", "duplicates", "totals"]
    if any(f.stage_from for f in res.files):
        cols.append("stage_from")
    show_table(rows, cols, lt("ingest.title", lang), lang)
    out.print(
        lt(
            "ingest.summary",
            lang,
            accepted=f"{res.accepted:,}",
            rejected=f"{res.rejected:,}",
            duplicates=f"{res.duplicates:,}",
            totals=f"{res.totals:,}",
        )
    )
    for f in res.files:
        for w in f.warnings:
            console.print(
                f"[yellow]{lt('warning', lang)}:[/] {Path(f.file).name}: {warning_text(w, lang)}"
            )
    if res.rejected:
        out.print(lt("ingest.see_rejects", lang, db=db))


def register(ledger: typer.Typer) -> None:
    """Add `ingest` to the ``ledger`` command group."""
    ledger.command("ingest")(ingest_cmd)
