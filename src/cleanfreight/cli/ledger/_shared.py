"""Shared parts of the `cleanfreight ledger` commands: options, the roster, opening the ledger, tables."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from cleanfreight._i18n import check_lang
from cleanfreight.cli._common import out

if TYPE_CHECKING:
    from cleanfreight.enterprises import Roster
    from cleanfreight.ledger import Ledger

T = TypeVar("T")

__all__ = ["DbOption", "EngineOption", "ParquetOption", "ReadDbOption", "RosterOption", "RulesOption",
           "WaitOption", "check_lang", "fmt", "opened", "read", "roster_of", "show_table"]

DbOption = Annotated[
    Path, typer.Option("--db", help="Ledger database file (DuckDB; created on first import).")
]
WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        help="Seconds to wait while another process holds the ledger file (one writer at a time).",
        min=0,
    ),
]
RulesOption = Annotated[
    str,
    typer.Option(
        "--rules", help="Rulebook preset (changzhi-2024, mee-steel-2019, mee-cement-2024) or TOML file."
    ),
]
RosterOption = Annotated[
    str | None,
    typer.Option(
        "--enterprises",
        "--roster",  # the older spelling, kept for users' scripts
        help="Enterprise folder (enterprises.csv, flows.csv, mode_split.csv), or 'sample'.",
    ),
]



# the reading commands (report, trend, checks) also read a Parquet export: --parquet DIR --engine E
ReadDbOption = Annotated[Path | None, typer.Option("--db", help="Ledger database file (DuckDB).")]
ParquetOption = Annotated[
    Path | None,
    typer.Option("--parquet", help="Read a Parquet export instead of --db (cleanfreight ledger export)."),
]
EngineOption = Annotated[
    str | None,
    typer.Option("--engine", help="Engine for --parquet: duckdb (default, in process) or spark."),
]


@contextmanager
def opened(
    db: Path | None,
    *,
    wait: float,
    read_only: bool = True,
    parquet: Path | None = None,
    engine: str | None = None,
) -> Iterator[Ledger]:
    """The ledger at ``db`` (or the Parquet export ``parquet`` read by ``engine``), open for the
    ``with`` block (read-only unless asked), closed after."""
    from cleanfreight.errors import InputError, Problem
    from cleanfreight.ledger import Ledger
    from cleanfreight.ledger.front import ENGINES

    if engine is not None and engine not in ENGINES:
        raise InputError("unknown engine", [Problem(f"expected one of {', '.join(ENGINES)}", column="--engine", value=engine)])
    if (db is None) == (parquet is None):
        raise InputError("give either --db (a ledger database) or --parquet (a Parquet export)")
    if parquet is not None:
        with Ledger.open_parquet(parquet, engine=engine or "duckdb") as led:
            yield led
        return
    if engine == "spark":
        raise InputError(
            "the Spark engine reads a Parquet export",
            [Problem("write one with `cleanfreight ledger export --db DB --parquet DIR`, then use --parquet DIR",
                     column="--engine", value=engine)],
        )
    assert db is not None
    with Ledger.open(db, read_only=read_only, wait=wait) as led:
        yield led


def read(
    db: Path | None,
    query: Callable[[Ledger], T],
    *,
    wait: float,
    roster: Roster | None = None,
    lang: str = "en",
    parquet: Path | None = None,
    engine: str | None = None,
) -> tuple[T, dict[str, str]]:
    """Open the ledger read-only, run ``query`` on it, read the enterprises' names in ``lang``, close.

    The pattern every reading command shares (report, trend, checks, rejects); ``parquet`` and
    ``engine`` read a Parquet export instead of ``db``.
    """
    with opened(db, wait=wait, parquet=parquet, engine=engine) as led:
        result = query(led)
        names = led.enterprise_names(roster, lang)
    return result, names


def roster_of(value: str | None) -> Roster | None:
    """The roster named by ``--enterprises`` (a folder, or 'sample'); None when not given."""
    if value is None:
        return None
    from cleanfreight.enterprises import load_enterprises

    return load_enterprises(None if value == "sample" else value)


#: columns shown as percentages, and as whole tonnes
PERCENT = {
    "clean_ratio",
    "road_compliance",
    "ratio_after",
    "ratio_prev",
    "coverage_tonnes",
    "coverage_enterprises",
}
TONNES = {"tonnes_total", "tonnes_clean", "gap_tonnes", "tonnes", "tonnes_reported", "tonnes_expected"}


def show_table(
    rows: list[dict[str, Any]],
    columns: list[str],
    title: str,
    lang: str = "en",
    percent: set[str] | frozenset[str] = frozenset(),
) -> None:
    """A rich table with headers in ``lang``; ratio columns (and ``percent``) as %, tonnes to the tonne."""
    from rich.markup import escape
    from rich.table import Table

    import cleanfreight.ledger.report  # noqa: F401 - registers the report's labels
    from cleanfreight.ledger._labels import lt

    tab = Table(title=title)
    for c in columns:
        numeric = c in PERCENT or c in TONNES or c in percent or c == "rank"
        tab.add_column(lt(c, lang), justify="right" if numeric else "left")
    for r in rows:
        tab.add_row(
            *[
                escape(
                    fmt(
                        r.get(c),
                        "percent" if c in PERCENT or c in percent else "tonnes" if c in TONNES else "",
                    )
                )
                for c in columns
            ]
        )
    out.print(tab)


def fmt(v: Any, kind: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if kind == "percent" and isinstance(v, int | float):
        return f"{v:.1%}"
    if kind == "tonnes" and isinstance(v, int | float):
        return f"{v:,.0f}"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:,.1f}"
    return str(v)
