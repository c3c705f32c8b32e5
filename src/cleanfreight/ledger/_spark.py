"""The ledger's read queries on Apache Spark, over a Parquet export (:mod:`cleanfreight.ledger.export`).

The queries are the ones DuckDB and PostgreSQL run (:func:`cleanfreight.ledger._aggregate.aggregate_sql`,
:mod:`cleanfreight.ledger.checks`), written with the ``"spark"`` :class:`~cleanfreight.ledger._db.SqlDialect`;
this module only makes a session, registers the Parquet folders as the views ``records`` (and
``meter_readings`` when exported) and runs SQL with ``?`` parameters (Spark >= 3.5).

The SQL is plain Spark SQL: executors run no Python, so on a cluster only the driver needs cleanfreight
(``docs/scale.md``). Session settings the queries rely on are set on the session here, also on one
made by ``spark-submit``: ``spark.sql.ansi.enabled`` and ``spark.sql.ansi.doubleQuotedIdentifiers``
(``"check"`` is a column name, as in standard SQL) and ``spark.sql.session.timeZone = UTC`` (the
records' timestamps are local wall-clock times without a zone, ``TIMESTAMP_NTZ``; parameters are
passed as UTC instants so no zone shifts them).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleanfreight.errors import InputError
from cleanfreight.ledger._db import SQL_DIALECTS, QueryEngine
from cleanfreight.ledger._parquet import is_local, parquet_layout
from cleanfreight.ledger.schema import READING_COLUMNS, RECORD_COLUMNS

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import SparkSession

logger = logging.getLogger(__name__)

__all__ = ["SparkEngine", "spark_session"]

#: SQL settings the shared queries need, set on every session the engine uses (runtime settings)
SQL_CONF = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "false",
}


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise InputError(
            "the Spark engine needs pyspark: pip install 'cleanfreight[spark]' (and Java 17: "
            "apt-get install openjdk-17-jre-headless)"
        ) from None


def spark_session(
    *,
    master: str | None = None,
    driver_memory: str = "1g",
    shuffle_partitions: int | None = None,
    conf: dict[str, str] | None = None,
) -> SparkSession:
    """The active Spark session, or a new one (local unless ``spark-submit`` or
    ``PYSPARK_SUBMIT_ARGS`` named a master).

    Parameters
    ----------
    master
        ``local[1]``, ``local[*]``, ``spark://host:7077``, ``yarn`` ...; ``None``: the one
        ``spark-submit`` gave, else ``local[*]``.
    driver_memory
        Memory of a local session's JVM (the driver is the executor in local mode).
    shuffle_partitions
        ``spark.sql.shuffle.partitions`` (Spark's default 200 is slow for small groups on one
        machine); ``None``: 4 per local core, else Spark's default.
    conf
        Further settings for a new session.

    Returns
    -------
    pyspark.sql.SparkSession
    """
    _require_pyspark()
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if not os.environ.get("SPARK_LOCAL_IP"):
        os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # no DNS look-up of the host name in local mode
    builder = SparkSession.builder.appName("cleanfreight-ledger")
    given = SparkConf().get("spark.master")
    chosen = master or given or "local[*]"
    if master or not given:
        builder = builder.master(chosen)
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        **SQL_CONF,
    }
    if chosen.startswith("local"):
        settings["spark.driver.memory"] = driver_memory
        cores = chosen[len("local[") : -1] if chosen.startswith("local[") else "1"
        n = (os.cpu_count() or 1) if cores in ("*", "") else int(cores)
        settings["spark.sql.shuffle.partitions"] = str(shuffle_partitions or max(1, 4 * n))
    elif shuffle_partitions:
        settings["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    logger.info("starting a Spark session (%s)", chosen)
    with _quiet():
        session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine(QueryEngine):
    """The ledger's read queries on a Spark session over a Parquet export.

    Parameters
    ----------
    path
        Folder written by ``cleanfreight ledger export`` (or its ``records`` folder); any path Spark
        reads: a local folder, ``hdfs://...``, ``s3a://...``.
    session
        A session to use (kept open by :meth:`close`); ``None``: :func:`spark_session` makes or
        finds one, and :meth:`close` stops it when it was made here.
    """

    def __init__(self, path: str | Path, session: SparkSession | None = None, **session_options: Any) -> None:
        self.dialect = SQL_DIALECTS["spark"]
        self._owned = False
        # a local folder is checked before a session starts (a wrong path fails in no time)
        layout = parquet_layout(path) if is_local(path) else None
        if session is None:
            _require_pyspark()
            from pyspark.sql import SparkSession

            self._owned = SparkSession.getActiveSession() is None
            session = spark_session(**session_options)
        self.spark = session
        if layout is None:
            layout = parquet_layout(path, exists=self._exists)
        for key, value in SQL_CONF.items():
            session.conf.set(key, value)
        cols = ", ".join(name for name, _ in RECORD_COLUMNS)
        records = session.read.option("basePath", layout.records).parquet(layout.records)
        records.createOrReplaceTempView("_cf_records_files")
        session.sql(f"CREATE OR REPLACE TEMPORARY VIEW records AS SELECT {cols} FROM _cf_records_files")
        self._tables = {"records"}
        if layout.meter_readings is not None:
            rcols = ", ".join(name for name, _ in READING_COLUMNS)
            session.read.parquet(layout.meter_readings).createOrReplaceTempView("_cf_readings_files")
            session.sql(
                f"CREATE OR REPLACE TEMPORARY VIEW meter_readings AS SELECT {rcols} FROM _cf_readings_files"
            )
            self._tables.add("meter_readings")
        else:
            session.catalog.dropTempView("meter_readings")
        logger.info("Spark views over %s", layout.root)

    def _exists(self, path: str) -> bool:
        """Whether ``path`` exists, asked of the file system Spark reads it from (local, HDFS, S3)."""
        jvm: Any = self.spark._jvm  # type: ignore[attr-defined]
        hpath = jvm.org.apache.hadoop.fs.Path(path)
        fs = hpath.getFileSystem(self.spark._jsc.hadoopConfiguration())  # type: ignore[attr-defined]
        return bool(fs.exists(hpath))

    def df(self, sql: str, params: list[Any]) -> pd.DataFrame:
        """Run ``sql`` (``?`` parameters) and return the rows as pandas."""
        args = [_param(p) for p in params]
        with _quiet():
            return self.spark.sql(sql, args=args or None).toPandas()

    def has_table(self, name: str) -> bool:
        return name in self._tables

    def close(self) -> None:
        if self._owned:
            self.spark.stop()
            self._owned = False


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pyspark warns about pandas versions it was not tested with; the conversion used here (no
    Arrow, plain rows) does not depend on them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def _param(value: Any) -> Any:
    """A query parameter as Spark should see it: naive timestamps as the same wall-clock time in UTC
    (the session's zone), so comparisons with the ``TIMESTAMP_NTZ`` column do not shift."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    if hasattr(value, "item") and not isinstance(value, dt.date):  # numpy scalars
        return value.item()
    return value
