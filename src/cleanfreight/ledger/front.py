"""The ledger's front: one object for everything callers do with a ledger, on DuckDB or PostgreSQL.

The command line, the briefing, the demo and the web service use :class:`Ledger` and never see a
connection or write SQL against the ledger's tables::

    from cleanfreight.ledger import Ledger

    with Ledger.open("ledger.duckdb") as led:          # a DuckDB file (created when missing)
        led.ingest(["gate_2026-03.csv"], enterprise="CZ01")
        rep = led.report("2026-03")
        first, last = led.span()

``Ledger.open("postgresql://...")`` or ``Ledger(connection)`` with a DB-API connection works for the
reading verbs (report, trend, checks, coverage, rejects, span, count); import stays DuckDB-only
(``docs/ledger.md``). A Parquet export (:meth:`Ledger.export`) is read with
``Ledger.open_parquet(folder, engine="duckdb" | "spark")``: report, trend, checks, coverage, span and
count give the same results as on the ledger it came from (``docs/scale.md``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cleanfreight.ledger._db import LedgerReader, open_ledger

if TYPE_CHECKING:
    from cleanfreight.ledger.checks import CheckSettings
    from cleanfreight.ledger.coverage import Coverage
    from cleanfreight.ledger.export import ExportResult
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

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, db: str | Path, *, read_only: bool = False, wait: float = 0.0) -> Ledger:
        """Open the ledger at ``db``: a DuckDB file (created when missing unless ``read_only``) or a
        ``postgresql://`` address; ``wait`` seconds for another process's lock (DuckDB)."""
        text = str(db)
        if text.startswith(("postgresql://", "postgres://")):
            import psycopg

            return cls(psycopg.connect(text), owned=True)
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
        """All writes inside commit together or not at all (DuckDB)."""
        self._writable()
        self._con.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    # -- verbs -----------------------------------------------------------------------------------
    def ingest(self, paths: Sequence[str | Path], **options: Any) -> IngestResult:
        """Import exports (:func:`cleanfreight.ledger.ingest`; same keyword options)."""
        from cleanfreight.ledger.ingest import ingest

        self._writable()
        return ingest(self._con, list(paths), **options)

    def report(self, period: str, **options: Any) -> LedgerReport:
        """The report of a period (:func:`cleanfreight.ledger.report`; same keyword options)."""
        from cleanfreight.ledger.report import report

        return report(self._con, period, **options)

    def trend(self, first: str, last: str, **options: Any) -> TrendResult:
        """Clean ratios month by month (:func:`cleanfreight.ledger.trend`)."""
        from cleanfreight.ledger.report import trend

        return trend(self._con, first, last, **options)

    def checks(self, period: str | None = None, *, settings: CheckSettings | None = None, **options: Any) -> pd.DataFrame:
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
