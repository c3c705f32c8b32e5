"""Opening the ledger database file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger.schema import SCHEMA_VERSION, ddl

if TYPE_CHECKING:
    import duckdb

logger = logging.getLogger(__name__)


class ServerConnection(Protocol):
    """A DB-API 2 connection to a PostgreSQL server holding the ledger schema (e.g. ``psycopg``)."""

    def cursor(self) -> Any: ...


def is_server(db: object) -> TypeGuard[ServerConnection]:
    """Whether ``db`` is an open server (PostgreSQL) connection rather than a DuckDB file or connection."""
    import duckdb

    return not isinstance(db, str | Path | duckdb.DuckDBPyConnection) and hasattr(db, "cursor")


def server_query(
    con: ServerConnection, sql: str, params: list[Any]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run ``sql`` (``%s`` placeholders) on a server connection; return column names and rows."""
    cur = con.cursor()
    try:
        cur.execute(sql, params)
        names = [d[0] for d in cur.description]
        return names, list(cur.fetchall())
    finally:
        cur.close()


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
        elif int(row[0]) == 1:
            _upgrade_from_1(con)
        elif int(row[0]) != SCHEMA_VERSION:
            raise InputError(
                f"ledger {p} has schema version {row[0]}; this cleanfreight expects {SCHEMA_VERSION}"
            )
    return con


def _upgrade_from_1(con: duckdb.DuckDBPyConnection) -> None:
    """Version 1 -> 2: ``meter_readings`` (created by the DDL) and keyless rail keys by cargo name."""
    from cleanfreight.ledger._normalise import rail_key_sql

    con.execute("BEGIN TRANSACTION")
    con.execute(
        f"UPDATE records SET dedup_key = md5({rail_key_sql()}) WHERE kind = 'rail' AND waybill_no IS NULL"
    )
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
    con.execute("COMMIT")
    logger.info("upgraded the ledger schema from version 1 to %d", SCHEMA_VERSION)


def connection(db: object, *, read_only: bool = False) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """Return ``(connection, owned)`` for a path or an open connection (``owned``: close it after)."""
    import duckdb

    if isinstance(db, duckdb.DuckDBPyConnection):
        return db, False
    if isinstance(db, str | Path):
        return open_ledger(db, read_only=read_only), True
    raise TypeError(f"db must be a path or a duckdb connection, not {type(db).__name__}")
