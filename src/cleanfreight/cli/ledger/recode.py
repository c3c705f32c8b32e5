"""`cleanfreight ledger recode`: re-classify the stored cargo names with a cargo mapping."""

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
)
from cleanfreight.cli.ledger._shared import (
    DbOption,
    WaitOption,
    check_lang,
    opened,
)


@handle_errors
def recode_cmd(
    db: DbOption,
    cargo_map: Annotated[
        Path,
        typer.Option("--cargo-map", help="Cargo name -> commodity file (TOML/YAML/CSV)."),
    ],
    wait: WaitOption = 0.0,
    as_json: JsonOption = False,
    lang: LangOption = "en",
) -> None:
    """Re-classify the stored records' cargo names with a cargo mapping (after unknown_cargo findings)."""
    check_lang(lang)
    from cleanfreight.ledger.cargo import recode_cargo

    if not db.exists():
        changes = recode_cargo(db, cargo_map)  # the library's message for a missing ledger
    else:
        with opened(db, wait=wait, read_only=False) as led:
            changes = led.recode_cargo(cargo_map)
    if as_json:
        print_json({"changed": sum(changes.values()), "changes": changes})
        return
    for k, n in changes.items():
        out.print(f"{k}: {n:,}" + (" 条记录" if lang == "zh" else " record(s)"))
    total = sum(changes.values())
    out.print(f"已重新分类 {total:,} 条记录" if lang == "zh" else f"{total:,} record(s) re-classified")


def register(ledger: typer.Typer) -> None:
    """Add `recode` to the ``ledger`` command group."""
    ledger.command("recode")(recode_cmd)
