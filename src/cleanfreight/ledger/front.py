"""The ledger's front: one object for everything callers do with a ledger, on DuckDB or PostgreSQL.

The command line, the briefing, the demo and the web service use :class:`Ledger` and never see a
connection or write SQL against the ledger's tables::

    from cleanfreight.ledger import Ledger

    with Ledger.open("ledger.duckdb") as led:          # a DuckDB file (created when missing)
        led.ingest(["gate_2026-03.csv"], enterprise="CZ01")
        rep = led.report("2026-03")
        first, last = led.span()

``Ledger.open("postgresql://...")`` (or ``Ledger(connection)`` with a psycopg connection) gives the
same verbs on a PostgreSQL server, import included: an import normalises in DuckDB and merges on the
server in one transaction (:mod:`cleanfreight.ledger._write`), so concurrent importers are safe.

Callers that keep tables of their own beside the ledger's (the platform's ``srv_*`` tables) run
their SQL with :meth:`Ledger.query`, :meth:`Ledger.execute` and :meth:`Ledger.executemany` (``?``
markers on both databases) inside :meth:`Ledger.transaction`.

A Parquet export (:meth:`Ledger.export`) is read with ``Ledger.open_parquet(folder, engine="duckdb" |
"spark")``: report, trend, checks, coverage, span and count give the same results as on the ledger it
came from (``docs/scale.md``); it is read-only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cleanfreight.ledger._db import (
    SQL_DIALECTS,
    LedgerReader,
    QueryEngine,
    SqlDialect,
    connect_server,
    is_server,
    is_server_url,
    open_ledger,
)

if TYPE_CHECKING:
    from cleanfreight.ledger.checks import CheckParams
    from cleanfreight.ledger.coverage import Coverage
    from cleanfreight.ledger.export import ExportResult
    from cleanfreight.ledger.feed import RowsResult
    from cleanfreight.ledger.ingest import IngestResult
    from cleanfreight.ledger.report import LedgerReport, TrendResult

__all__ = ["ENGINES", "Ledger"]

#: engines that read a Parquet export
ENGINES = ("duckdb", "spark")


class Ledger:
    """A ledger database: verbs for import, reports, checks and what the ledger holds.

    Parameters
    ----------
    con
        An open DuckDB connection (:meth:`open` makes one) or a DB-API connection to a PostgreSQL
        server holding the ledger schema.
    """

    def __init__(self, con: Any, *, owned: bool = False, read_only_source: str | None = None) -> None:
        self._con = con
        self._owned = owned
        self._source = read_only_source  # a Parquet export: no writes
        self.dialect: SqlDialect = (
            con.dialect if isinstance(con, QueryEngine) else SQL_DIALECTS["postgres" if is_server(con) else "duckdb"]
        )

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, db: str | Path, *, read_only: bool = False, wait: float = 0.0) -> Ledger:
        """Open the ledger at ``db``: a DuckDB file (created when missing unless ``read_only``) or a
        ``postgresql://`` address; ``wait`` seconds for another process's lock (DuckDB)."""
        text = str(db)
        if is_server_url(text):
            return cls(connect_server(text), owned=True)
        return cls(open_ledger(db, read_only=read_only, wait=wait), owned=True)

    @classmethod
    def open_parquet(cls, folder: str | Path, *, engine: str = "duckdb", **options: Any) -> Ledger:
        """Open a Parquet export (``cleanfreight ledger export``) for the reading verbs.

        Parameters
        ----------
        folder
            Export folder (``records/month=YYYY-MM/*.parquet``); with Spark also ``hdfs://`` or
            ``s3a://`` addresses.
        engine
            ``"duckdb"`` (in process, the fast path on one machine) or ``"spark"`` (a Spark session:
            local, or the cluster ``spark-submit`` names).
        options
            DuckDB: ``memory_limit``, ``threads``. Spark: ``session`` (an existing SparkSession),
            ``master``, ``driver_memory``, ``shuffle_partitions``, ``conf``.
        """
        from cleanfreight.errors import InputError, Problem

        if engine not in ENGINES:
            raise InputError(
                "unknown engine", [Problem(f"expected one of {', '.join(ENGINES)}", column="engine", value=engine)]
            )
        if engine == "spark":
            from cleanfreight.ledger._spark import SparkEngine

            return cls(SparkEngine(folder, **options), owned=True, read_only_source=str(folder))
        from cleanfreight.ledger._parquet import open_parquet_duckdb

        return cls(open_parquet_duckdb(folder, **options), owned=True, read_only_source=str(folder))

    @property
    def on_server(self) -> bool:
        """Whether the ledger lives on a PostgreSQL server (several processes may write at once)."""
        return self.dialect.name == "postgres"

    def close(self) -> None:
        if self._owned:
            self._con.close()
            self._owned = False

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _writable(self) -> None:
        if self._source is not None:
            from cleanfreight.errors import InputError

            raise InputError(
                f"{self._source} is a Parquet export, read-only: import into the ledger database and export again"
            )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Ledger]:
        """All writes inside commit together or not at all (DuckDB and PostgreSQL)."""
        self._writable()
        if self.on_server:
            with self._con.transaction():
                yield self
            return
        from cleanfreight.ledger._write import transaction

        with transaction(self._con):
            yield self

    # -- SQL on the caller's own tables ----------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s") if self.on_server else sql

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a query on tables of the caller's own kept in the ledger's database (``?`` markers)."""
        if self.on_server:
            with self._con.cursor() as cur:
                cur.execute(self._sql(sql), list(params))
                return list(cur.fetchall()) if cur.description else []
        return list(self._con.execute(sql, list(params)).fetchall())

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement on tables of the caller's own (``?`` markers)."""
        if self.on_server:
            with self._con.cursor() as cur:
                cur.execute(self._sql(sql), list(params))
        else:
            self._con.execute(sql, list(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement per row of parameters (``?`` markers).

        On DuckDB an ``INSERT ... VALUES (?, ...)`` becomes one statement of many rows (500 at a time):
        DuckDB runs ``executemany`` row by row, some 30 times slower.
        """
        if not rows:
            return
        if self.on_server:
            with self._con.cursor() as cur:
                cur.executemany(self._sql(sql), [list(r) for r in rows])
            return
        m = re.fullmatch(r"(?is)(INSERT\s+INTO\s.+?\sVALUES\s*)(\([^()]*\))(.*)", sql.strip())
        if m is None:
            self._con.executemany(sql, [list(r) for r in rows])
            return
        head, one, tail = m.groups()
        for i in range(0, len(rows), 500):
            part = rows[i : i + 500]
            self._con.execute(head + ", ".join([one] * len(part)) + tail, [v for r in part for v in r])

    # -- verbs -----------------------------------------------------------------------------------
    def ingest(self, paths: Sequence[str | Path], **options: Any) -> IngestResult:
        """Import exports (:func:`cleanfreight.ledger.ingest`; same keyword options)."""
        from cleanfreight.ledger.ingest import ingest

        self._writable()
        return ingest(self._con, list(paths), **options)

    def ingest_rows(self, rows: Sequence[Any], *, source: str, **options: Any) -> RowsResult:
        """Import records given as mappings (a gate system's pushed passages) with the rules of a
        file import (:func:`cleanfreight.ledger.ingest_rows`; committed before this returns)."""
        from cleanfreight.ledger.feed import ingest_rows

        self._writable()
        return ingest_rows(self._con, rows, source=source, **options)

    def import_rejects(self, import_ids: Sequence[int]) -> pd.DataFrame:
        """Rejected rows of these imports (:func:`cleanfreight.ledger.list_rejects`)."""
        from cleanfreight.ledger.feed import list_rejects

        return list_rejects(self._con, import_ids)

    @staticmethod
    def canonical_fields(row: Any) -> dict[str, str]:
        """The fields an import reads from a record (:func:`cleanfreight.ledger.canonical_fields`)."""
        from cleanfreight.ledger.feed import canonical_fields

        return canonical_fields(row)

    @staticmethod
    def reason_text(reason: str, lang: str) -> str:
        """A reject reason (stored in English) in ``lang`` (``zh`` or ``en``)."""
        from cleanfreight.ledger._labels import reason_text

        return reason_text(reason, lang)

    @staticmethod
    def detail_text(detail: str, lang: str) -> str:
        """A check's detail (computed in English) in ``lang``."""
        from cleanfreight.ledger._labels import detail_text

        return detail_text(detail, lang)

    def report(self, period: str, **options: Any) -> LedgerReport:
        """The report of a period (:func:`cleanfreight.ledger.report`; same keyword options)."""
        from cleanfreight.ledger.report import report

        return report(self._con, period, **options)

    def trend(self, first: str, last: str, **options: Any) -> TrendResult:
        """Clean ratios month by month (:func:`cleanfreight.ledger.trend`)."""
        from cleanfreight.ledger.report import trend

        return trend(self._con, first, last, **options)

    def checks(self, period: str | None = None, *, settings: CheckParams | None = None, **options: Any) -> pd.DataFrame:
        """Anomalies (:func:`cleanfreight.ledger.run_checks`)."""
        from cleanfreight.ledger.checks import run_checks

        return run_checks(self._con, period, settings=settings, **options)

    def coverage(self, period: str, **options: Any) -> Coverage:
        """Who reported for each month of ``period`` (:func:`cleanfreight.ledger.coverage`)."""
        from cleanfreight.ledger.coverage import coverage

        return coverage(self._con, period, **options)

    def recode_cargo(self, cargo_map: Any) -> dict[str, int]:
        """Re-classify stored cargo names (:func:`cleanfreight.ledger.recode_cargo`)."""
        from cleanfreight.ledger.cargo import recode_cargo

        self._writable()
        return recode_cargo(self._con, cargo_map)

    def export(self, folder: str | Path, **options: Any) -> ExportResult:
        """Write the records as Parquet partitioned by month (:func:`cleanfreight.ledger.export.export_parquet`)."""
        from cleanfreight.ledger.export import export_parquet

        self._writable()
        return export_parquet(self._con, folder, **options)

    def rejects(self) -> pd.DataFrame:
        """Every rejected row kept by the imports: ``file_name, src_row, column_name, value, reason, kind,
        import_id`` in import and row order."""
        return self._reader().df(
            "SELECT file_name, src_row, column_name, value, reason, kind, import_id FROM rejects "
            "ORDER BY import_id, src_row, column_name"
        )

    def span(self) -> tuple[dt.date, dt.date] | None:
        """First and last day with a record, ``None`` for an empty ledger."""
        got = self._reader().df("SELECT min(ts) AS first, max(ts) AS last FROM records")
        first, last = (got.iat[0, 0], got.iat[0, 1]) if len(got) else (None, None)
        if first is None or last is None or pd.isna(first) or pd.isna(last):
            return None
        return pd.Timestamp(first).date(), pd.Timestamp(last).date()

    def count(self) -> int:
        """Records stored."""
        got = self._reader().df("SELECT count(*) AS n FROM records")
        return int(got.iat[0, 0]) if len(got) else 0

    def enterprise_names(self, roster: Any, lang: str) -> dict[str, str]:
        """Enterprise id -> name for tables (the roster's, else the names the imports carried)."""
        from cleanfreight.ledger._labels import enterprise_names

        return enterprise_names(self._con, roster, lang)

    def _reader(self) -> LedgerReader:
        return LedgerReader(self._con)
