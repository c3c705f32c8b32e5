"""Opening the ledger database file, and running read queries on DuckDB or PostgreSQL alike."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn, Protocol, TypeGuard

from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger.schema import SCHEMA_VERSION, ddl

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

logger = logging.getLogger(__name__)


class ServerConnection(Protocol):
    """A DB-API 2 connection to a PostgreSQL server holding the ledger schema (e.g. ``psycopg``)."""

    def cursor(self) -> Any: ...

    def close(self) -> None: ...


def is_server(db: object) -> TypeGuard[ServerConnection]:
    """Whether ``db`` is an open server (PostgreSQL) connection rather than a DuckDB file or connection."""
    import duckdb

    return not isinstance(db, str | Path | duckdb.DuckDBPyConnection | QueryEngine) and hasattr(db, "cursor")


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


def is_server_url(text: str) -> bool:
    """Whether ``text`` names a PostgreSQL ledger (``postgresql://...``) rather than a DuckDB file."""
    return text.startswith(("postgresql://", "postgres://"))


def _redact(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def connect_server(url: str) -> ServerConnection:
    """Connect to a PostgreSQL ledger (``autocommit``; writers open their own transactions) and create
    or check its schema (:func:`~cleanfreight.ledger.schema.ddl` with ``dialect="postgres"``)."""
    try:
        import psycopg
    except ImportError:
        raise InputError(
            "a postgresql:// ledger needs psycopg: pip install 'cleanfreight[postgres]'"
        ) from None
    try:
        con = psycopg.connect(url, autocommit=True)
    except psycopg.Error as exc:
        raise InputError(f"cannot connect to the ledger database {_redact(url)}: {str(exc).strip()}") from None
    with con.transaction():  # several processes may start at once: one creates the schema
        con.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEMA_LOCK])
        for stmt in ddl("postgres"):
            con.execute(stmt)
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            con.execute("INSERT INTO meta VALUES ('schema_version', %s)", [str(SCHEMA_VERSION)])
        elif int(row[0]) != SCHEMA_VERSION:
            con.close()
            raise InputError(
                f"ledger {_redact(url)} has schema version {row[0]}; this cleanfreight expects {SCHEMA_VERSION}"
            )
    return con


#: PostgreSQL advisory lock taken while the schema is created
SCHEMA_LOCK = 0x6C65646766


def open_ledger(
    path: str | Path,
    *,
    read_only: bool = False,
    memory_limit: str | None = "512MB",
    threads: int | None = None,
    wait: float = 0.0,
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
    wait
        Seconds to wait for another process holding the file's lock (DuckDB takes one writer at
        a time) before giving up; the lock is tried again every half second.

    Returns
    -------
    duckdb.DuckDBPyConnection
        A connection whose schema is created and whose version was checked.
    """
    import duckdb

    p = str(path)
    if is_server_url(p):
        raise InputError(f"{_redact(p)} is a PostgreSQL address, not a DuckDB file: open it with Ledger.open")
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
    import time

    deadline = time.monotonic() + max(0.0, wait)
    while True:
        try:
            con = duckdb.connect(p, read_only=read_only, config=config)
            break
        except duckdb.Error as exc:
            if "Could not set lock" not in str(exc) or time.monotonic() >= deadline:
                _raise_open_error(p, exc, wait)
            time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
    return _prepare(con, p, read_only)


def _raise_open_error(p: str, exc: Exception, wait: float) -> NoReturn:
    """The message for a ledger file that cannot be opened (in use by another process, damaged)."""
    text = str(exc)
    if "Could not set lock" in text:
        pid = re.search(r"\(PID (\d+)\)", text)
        who = f" (process {pid.group(1)})" if pid else ""
        waited = f" (waited {wait:g} s)" if wait > 0 else " (--wait SECONDS waits for it)"
        raise InputError(
            f"ledger database {p} is in use by another program{who}: try again when it has finished "
            "(an embedded ledger takes one writer at a time; see docs/ledger.md for a server database)" + waited
        ) from None
    raise InputError(
        f"cannot open ledger database {p}", [Problem(f"not a readable DuckDB ledger ({text})", file=p)]
    ) from None


def _prepare(con: duckdb.DuckDBPyConnection, p: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Check a read-only ledger's tables, or create / upgrade the schema of a writable one."""
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


Dialect = Literal["duckdb", "postgres", "spark"]


@dataclass(frozen=True, slots=True)
class SqlDialect:
    """The few SQL spellings that differ between DuckDB, PostgreSQL and Spark SQL; the rest of a query
    is shared.

    ``param`` is the parameter marker (``?`` / ``%s`` / ``?``). Queries for PostgreSQL must hold no
    other ``%`` (psycopg reads it as a marker): the helpers below avoid ``strftime`` formats and
    ``LIKE``. Spark reads ``"name"`` as an identifier (``spark.sql.ansi.doubleQuotedIdentifiers``,
    set by :mod:`cleanfreight.ledger._spark`).
    """

    name: Dialect
    param: str

    @property
    def text(self) -> str:
        """The text type of a ``CAST``."""
        return "STRING" if self.name == "spark" else "VARCHAR"

    def month(self, expr: str) -> str:
        """``YYYY-MM`` of a timestamp or date."""
        if self.name == "postgres":
            return f"to_char({expr}, 'YYYY-MM')"
        if self.name == "spark":
            return f"date_format({expr}, 'yyyy-MM')"
        return f"strftime({expr}, '%Y-%m')"

    def month_day(self, expr: str) -> str:
        """``MM-DD`` of a date."""
        if self.name == "postgres":
            return f"to_char({expr}, 'MM-DD')"
        if self.name == "spark":
            return f"date_format({expr}, 'MM-dd')"
        return f"strftime({expr}, '%m-%d')"

    def code_point(self, expr: str) -> str:
        """A text expression ordered by code point (DuckDB's and Spark's only order; PostgreSQL's ``"C"``
        collation).

        PostgreSQL otherwise sorts, and takes ``min`` / ``max`` of, text by the database's locale.
        Cast to ``TEXT`` in PostgreSQL: ``string_agg(DISTINCT e, ', ' ORDER BY e)`` is accepted only
        when both ``e`` are the same expression, and a ``VARCHAR`` argument is cast to ``TEXT``.
        """
        if self.name == "postgres":
            return f'CAST({expr} AS TEXT) COLLATE "C"'
        return expr

    def distinct_list(self, expr: str) -> str:
        """Aggregate: the distinct values of a text expression, ``', '``-separated in code-point order."""
        if self.name == "spark":
            return f"array_join(array_sort(collect_set({expr})), ', ')"
        k = self.code_point(expr)
        return f"string_agg(DISTINCT {k}, ', ' ORDER BY {k})"

    def day_list(self, day: str) -> str:
        """Aggregate: the ``MM-DD`` of the dates ``day``, ``', '``-separated in date order."""
        if self.name == "spark":
            return f"array_join(transform(array_sort(collect_list({day})), x -> {self.month_day('x')}), ', ')"
        return f"string_agg({self.month_day(day)}, ', ' ORDER BY {day})"

    def day_series(self, table: str, cols: str, first: str, last: str) -> str:
        """A query: ``cols`` of each row of ``table`` once per day from its date column ``first`` to
        ``last`` (inclusive), with the date as ``day``."""
        if self.name == "spark":
            return f"SELECT {cols}, g.day AS day FROM {table} LATERAL VIEW explode(sequence({first}, {last})) g AS day"
        return (
            f"SELECT {cols}, {first} + CAST(g.i AS INTEGER) AS day "
            f"FROM {table}, generate_series(0, {last} - {first}) AS g(i)"
        )

    def within_micros(self, later: str, earlier: str, micros: int) -> str:
        """Condition: timestamp ``later`` less than ``micros`` microseconds after ``earlier``."""
        if self.name == "spark":
            return f"timestampdiff(MICROSECOND, {earlier}, {later}) < {micros}"
        return f"{later} - {earlier} < INTERVAL '{micros} microseconds'"


SQL_DIALECTS: dict[Dialect, SqlDialect] = {
    "duckdb": SqlDialect("duckdb", "?"),
    "postgres": SqlDialect("postgres", "%s"),
    "spark": SqlDialect("spark", "?"),
}


class QueryEngine:
    """A read-only engine over a ledger's records that is neither a DuckDB file nor a DB-API server:
    Spark over Parquet (:mod:`cleanfreight.ledger._spark`), DuckDB over Parquet
    (:mod:`cleanfreight.ledger._parquet`). :class:`LedgerReader` hands queries to it."""

    dialect: SqlDialect

    def df(self, sql: str, params: list[Any]) -> pd.DataFrame:
        """Run ``sql`` (parameter markers ``self.dialect.param``) and return the rows."""
        raise NotImplementedError

    def has_table(self, name: str) -> bool:
        """Whether the ledger table (or view) ``name`` exists."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the engine holds."""


class LedgerReader:
    """Read queries on a DuckDB ledger (file or connection), a server connection or a
    :class:`QueryEngine` (Spark, Parquet), as DataFrames.

    ``dialect`` says which SQL to write. A file is opened here and closed by :meth:`close` (or the
    ``with`` block); connections and engines passed in stay open. On a server connection the queries
    run in the caller's transaction, which is neither committed nor rolled back here.
    """

    def __init__(self, db: str | Path | duckdb.DuckDBPyConnection | ServerConnection | QueryEngine) -> None:
        self._server: ServerConnection | None = None
        self._engine: QueryEngine | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._owned = False
        if isinstance(db, str) and is_server_url(db):
            db = connect_server(db)
            self._owned = True
        if isinstance(db, QueryEngine):
            self._engine = db
            self.dialect = db.dialect
        elif is_server(db):
            self._server = db
            self.dialect = SQL_DIALECTS["postgres"]
        else:
            self._con, self._owned = connection(db)
            self.dialect = SQL_DIALECTS["duckdb"]

    def df(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run ``sql`` (parameter markers ``self.dialect.param``) and return the rows."""
        import pandas as pd

        if self._engine is not None:
            return self._engine.df(sql, list(params or []))
        if self._server is not None:
            names, rows = server_query(self._server, sql, list(params or []))
            return pd.DataFrame(rows, columns=names)
        assert self._con is not None
        return self._con.execute(sql, list(params or [])).df()

    def has_table(self, name: str) -> bool:
        """Whether the ledger holds the table (or view) ``name`` (``meter_readings`` is new in version 2)."""
        if self._engine is not None:
            return self._engine.has_table(name)
        got = self.df(
            f"SELECT count(*) AS n FROM information_schema.tables WHERE table_name = {self.dialect.param}",
            [name],
        )
        return int(got["n"].iloc[0]) > 0

    def close(self) -> None:
        if self._owned and self._con is not None:
            self._con.close()
        elif self._owned and self._server is not None:
            self._server.close()
        self._con = self._server = None
        self._owned = False

    def __enter__(self) -> LedgerReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
