"""`cleanfreight ledger rejects`: the rows an import refused, shown or exported."""

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
    DbOption,
    WaitOption,
    check_lang,
    fmt,
    opened,
)


@handle_errors
def rejects_cmd(
    db: DbOption,
    lang: LangOption = "en",
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for rejects.csv, the rejected rows (default: show them).")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="CSV file for the rejected rows (instead of --out).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Rows shown without --out / --file.")] = 50,
    wait: WaitOption = 0.0,
    as_json: JsonOption = False,
) -> None:
    """The rejected rows (file, row, column, value, reason): shown, or exported as CSV with --out / --file.

    With --lang zh the table and the CSV have Chinese headers, columns named as in the exports
    (排放阶段, 车牌号码 ...) and reasons in Chinese; the JSON keeps the English codes.
    """
    check_lang(lang)
    out_file = target_file(out_dir, file, "rejects.csv")
    from rich.table import Table

    from cleanfreight.ledger._labels import field_label, lt, reason_text

    with opened(db, wait=wait) as led:
        df = led.rejects()
    rows = df[["file_name", "src_row"]].drop_duplicates().shape[0]
    shown = df.copy()
    if lang != "en":  # English keeps the codes (scripts read them); other languages get labels
        shown["column_name"] = shown["column_name"].map(lambda c: field_label(str(c), lang) if c else c)
        shown["reason"] = shown["reason"].map(lambda r: reason_text(str(r), lang))
        shown["kind"] = shown["kind"].map(lambda k: lt(f"kind.{k}", lang))
    if out_file is not None:
        csv = shown if lang == "en" else shown.rename(columns={c: lt(c, lang) for c in shown.columns})
        write_csv(csv, out_file, index=False, encoding="utf-8-sig")
    if as_json:
        payload: dict[str, Any] = {
            "problems": len(df),
            "rows": rows,
            "rejects": df.head(limit if out_file is None else len(df)).to_dict("records"),
        }
        if out_file is not None:
            payload["files"] = named_files([out_file])
        print_json(payload)
        return
    if out_file is not None:
        out.print(lt("rejects.written", lang, n=f"{len(df):,}", rows=f"{rows:,}", file=out_file))
        return
    tbl = Table(title=lt("rejects.title", lang, n=f"{len(df):,}", rows=f"{rows:,}"))
    for col in ("file_name", "src_row", "column_name", "value", "reason"):
        tbl.add_column(lt(col, lang), justify="right" if col == "src_row" else "left")
    from rich.markup import escape

    for r in shown.head(limit).itertuples():
        cells = (r.file_name, r.src_row, r.column_name, r.value, r.reason)
        tbl.add_row(*[escape(fmt(v)) for v in cells])
    out.print(tbl)
    if len(df) > limit:
        out.print(lt("rejects.more", lang, limit=f"{limit:,}"))


def register(ledger: typer.Typer) -> None:
    """Add `rejects` to the ``ledger`` command group."""
    ledger.command("rejects")(rejects_cmd)
