"""The ledger as Parquet: the folder layout ``cleanfreight ledger export`` writes, and DuckDB reading it.

Layout of an export folder ``DIR``::

    DIR/ledger.json                              what was exported (format, schema version, counts)
    DIR/records/month=YYYY-MM/data_0.parquet     the records of a month, columns of the records table
    DIR/meter_readings/data_0.parquet            running-counter readings (when the ledger has the table)

``month`` is a Hive-style partition (a folder name, not a column of the files). The province generator
(:mod:`cleanfreight.jobs.province.records`) writes the same ``records`` folder. DuckDB reads the
folders as the views ``records`` and ``meter_readings`` (:func:`open_parquet_duckdb`), so every
report, trend and check runs unchanged on them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger.schema import READING_COLUMNS, RECORD_COLUMNS

if TYPE_CHECKING:
    import duckdb

logger = logging.getLogger(__name__)

__all__ = ["MANIFEST", "ParquetLayout", "is_local", "open_parquet_duckdb", "parquet_layout", "sql_string"]

#: the manifest of an export folder
MANIFEST = "ledger.json"
#: the value of the manifest's ``format``
FORMAT = "cleanfreight-ledger-parquet"


@dataclass(frozen=True, slots=True)
class ParquetLayout:
    """Where the Parquet files of a ledger export are.

    Attributes
    ----------
    root
        The folder given.
    records
        The folder of the ``month=YYYY-MM`` partitions.
    meter_readings
        The folder of the meter readings, ``None`` when not exported.
    """

    root: str
    records: str
    meter_readings: str | None


def is_local(path: str | Path) -> bool:
    """A path on this machine (not ``hdfs://``, ``s3a://`` ...)."""
    text = str(path)
    return "://" not in text or text.startswith("file://")


def _local(path: str | Path) -> Path:
    text = str(path)
    return Path(text[len("file://") :]) if text.startswith("file://") else Path(text)


def parquet_layout(path: str | Path, *, exists: Callable[[str], bool] | None = None) -> ParquetLayout:
    """The layout of an export folder ``path``: ``path/records`` when present, else ``path`` itself
    holding ``month=YYYY-MM`` folders.

    Parameters
    ----------
    path
        Export folder (or its ``records`` folder).
    exists
        How to ask whether a path exists (Spark's file system for ``hdfs://`` or ``s3a://``);
        ``None``: a local folder.

    Raises
    ------
    InputError
        The folder is missing or holds no ``month=`` partitions.
    """
    root = str(path).rstrip("/")
    if exists is None:
        if not is_local(root):
            raise InputError(f"cannot check {root} without the engine that reads it")
        base = _local(root)
        if not base.is_dir():
            raise InputError(
                f"Parquet folder {root} does not exist",
                [Problem("write it with `cleanfreight ledger export --db DB --parquet DIR`", file=root)],
            )
        records = base / "records" if (base / "records").is_dir() else base
        if not any(records.glob("month=*/*.parquet")):
            raise InputError(
                f"{root} holds no ledger records as Parquet",
                [Problem("expected records/month=YYYY-MM/*.parquet (written by `cleanfreight ledger export`)", file=root)],
            )
        readings = base / "meter_readings"
        has_readings = readings.is_dir() and any(readings.glob("*.parquet"))
        return ParquetLayout(root, str(records), str(readings) if has_readings else None)
    if not exists(root):
        raise InputError(f"Parquet folder {root} does not exist")
    records_dir = f"{root}/records" if exists(f"{root}/records") else root
    readings_dir = f"{root}/meter_readings"
    return ParquetLayout(root, records_dir, readings_dir if exists(readings_dir) else None)


def sql_string(text: str) -> str:
    """A SQL string literal (DuckDB), quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def open_parquet_duckdb(
    path: str | Path, *, memory_limit: str | None = "2GB", threads: int | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose views ``records`` (and ``meter_readings``) read an export folder.

    Parameters
    ----------
    path
        Export folder (local; DuckDB's ``httpfs`` extension would read object storage, but it is not
        loaded here: no downloads at run time).
    memory_limit, threads
        DuckDB settings (work beyond the limit spills to a temporary folder).

    Returns
    -------
    duckdb.DuckDBPyConnection
        Read the views with the ledger's functions (:class:`cleanfreight.ledger.Ledger`).
    """
    import duckdb

    layout = parquet_layout(path)
    config: dict[str, str | bool | int | float | list[str]] = {}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = threads
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET enable_progress_bar = false")
    cols = ", ".join(name for name, _ in RECORD_COLUMNS)
    files = sql_string(str(Path(layout.records) / "month=*" / "*.parquet"))
    con.execute(
        f"CREATE VIEW records AS SELECT {cols} FROM read_parquet({files}, hive_partitioning = true, "
        "hive_types = {'month': VARCHAR})"
    )
    if layout.meter_readings is not None:
        rcols = ", ".join(name for name, _ in READING_COLUMNS)
        rfiles = sql_string(str(Path(layout.meter_readings) / "*.parquet"))
        con.execute(f"CREATE VIEW meter_readings AS SELECT {rcols} FROM read_parquet({rfiles})")
    logger.info("DuckDB views over %s", layout.root)
    return con
