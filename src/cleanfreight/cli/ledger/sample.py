"""`cleanfreight ledger sample`: a seeded year of gate, rail and meter exports."""

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
)
from cleanfreight.cli.ledger._shared import (
    RosterOption,
    check_lang,
    roster_of,
)


@handle_errors
def sample_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the generated exports.")],
    year: Annotated[int, typer.Option("--year")] = 2026,
    seed: Annotated[int, typer.Option("--seed")] = 20260101,
    scale: Annotated[
        float, typer.Option("--scale", help="Share of declared tonnes turned into records.")
    ] = 0.05,
    months: Annotated[
        str | None, typer.Option("--months", help="e.g. 1-3 or 1,2,12 (default all).")
    ] = None,
    transition: Annotated[
        float,
        typer.Option(
            "--transition",
            help="Enterprises move up to this share of their diesel tonnage to new-energy trucks by December.",
        ),
    ] = 0.0,
    roster: RosterOption = "sample",
    as_json: JsonOption = False,
    lang: LangOption = "en",
) -> None:
    """Write a seeded year of gate, rail and meter exports for the roster (with real-world defects)."""
    check_lang(lang)
    from cleanfreight.errors import InputError
    from cleanfreight.ledger.sample import generate_records

    month_list: list[int] | None = None
    if months:
        try:
            month_list = []
            for part in months.split(","):
                a, _, b = part.partition("-")
                month_list += list(range(int(a), int(b or a) + 1))
        except ValueError:
            raise InputError(f"cannot read --months {months!r}; use e.g. 1-3 or 1,2,12") from None
    ros = roster_of(roster)
    assert ros is not None
    man = generate_records(
        ros, out_dir, year=year, seed=seed, scale=scale, months=month_list, transition=transition
    )
    if as_json:
        print_json(man.as_dict() | {"files": named_files(man.files)})
        return
    rows = sum(man.rows.values())
    out.print(
        f"已写入 {len(man.files)} 个文件（{rows:,} 行）到 {out_dir}；预置缺陷 {man.planted}"
        if lang == "zh"
        else f"wrote {len(man.files)} files ({rows:,} rows) to {out_dir}; planted {man.planted}"
    )


def register(ledger: typer.Typer) -> None:
    """Add `sample` to the ``ledger`` command group."""
    ledger.command("sample")(sample_cmd)
