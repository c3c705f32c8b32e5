"""Opening the ledger database file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger.schema import SCHEMA_VERSION, ddl

if TYPE_CHECKING:
    import duckdb

logger = logging.getLogger(__name__)


def open_ledger(
    path: str | Path,
    *,
    read_only: bool = False,
    memory_limit: str | None = "512MB",
    threads: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open (and create if needed) the ledger DuckDB file at ``path``.

    Parameters
    ----------
    path
        Database file; ``":memory:"`` for a throw-away ledger.
    read_only
        Open without the write lock (reports while another process imports is not possible with
        DuckDB; use PostgreSQL for that).
    memory_limit
        DuckDB memory limit; larger work spills to a temporary folder, so memory stays bounded.
    threads
        DuckDB worker threads (default: all cores).

    Returns
    -------
    duckdb.DuckDBPyConnection
        A connection whose schema is created and whose version was checked.
    """
    import duckdb

    p = str(path)
    if read_only and p != ":memory:" and not Path(p).exists():
        raise InputError(
            f"ledger database {p} does not exist; run `cleanfreight ledger ingest --db {p}` first"
        )
    if p != ":memory:":
        Path(p).parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = threads
    try:
        con = duckdb.connect(p, read_only=read_only, config=config)
    except duckdb.IOException as exc:
        raise InputError(f"cannot open ledger database {p}", [Problem(str(exc), file=p)]) from None
    if read_only:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if not {"records", "rejects", "imports"} <= tables:
            con.close()
            raise InputError(f"{p} is not a cleanfreight ledger (no records / rejects / imports tables)")
    else:
        for stmt in ddl("duckdb"):
            con.execute(stmt)
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        elif int(row[0]) != SCHEMA_VERSION:
            raise InputError(
                f"ledger {p} has schema version {row[0]}; this cleanfreight expects {SCHEMA_VERSION}"
            )
    return con


def connection(db: object, *, read_only: bool = False) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """Return ``(connection, owned)`` for a path or an open connection (``owned``: close it after)."""
    import duckdb

    if isinstance(db, duckdb.DuckDBPyConnection):
        return db, False
    if isinstance(db, str | Path):
        return open_ledger(db, read_only=read_only), True
    raise TypeError(f"db must be a path or a duckdb connection, not {type(db).__name__}")
