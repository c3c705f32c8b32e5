"""Export a ledger's records as Parquet partitioned by month, for Spark or DuckDB at scale.

``cleanfreight ledger export --db DB --parquet DIR`` writes the layout of
:mod:`cleanfreight.ledger._parquet`; ``cleanfreight ledger report --parquet DIR --engine spark`` (or
``duckdb``) then gives the same report as ``--db DB``. An export replaces the folder as a whole: the
files are written into a temporary folder beside it, which then takes the old folder's place, so a
reader sees the old export or the new one, never a mix.
"""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger._db import LedgerReader, connection, is_server, is_server_url
from cleanfreight.ledger._parquet import FORMAT, MANIFEST, sql_string
from cleanfreight.ledger.schema import READING_COLUMNS, RECORD_COLUMNS, SCHEMA_VERSION

if TYPE_CHECKING:
    import duckdb

logger = logging.getLogger(__name__)

__all__ = ["ExportResult", "export_parquet", "replace_folder"]


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote.

    Attributes
    ----------
    folder
        The export folder.
    files
        ``records/month=YYYY-MM`` -> Parquet file, ``meter_readings`` -> file, ``manifest`` -> ``ledger.json``.
    records
        Records written.
    months
        Records per month (``YYYY-MM``).
    """

    folder: Path
    files: dict[str, Path]
    records: int
    months: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "files": {k: str(v) for k, v in self.files.items()},
            "records": self.records,
            "months": dict(self.months),
        }


def replace_folder(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` in the place of ``target`` (two renames on one file system)."""
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(old)
    try:
        new.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _check_target(out: Path) -> None:
    """Refuse to replace a folder that is not an earlier export (a typo must not delete a folder)."""
    if not out.exists():
        return
    if not out.is_dir():
        raise InputError(f"{out} is a file, not a folder", [Problem("give a folder for the Parquet export", file=str(out))])
    manifest = out / MANIFEST
    if any(out.iterdir()) and not manifest.exists():
        raise InputError(
            f"{out} is not empty and holds no earlier ledger export ({MANIFEST})",
            [Problem("give a new or empty folder; an export replaces the whole folder", file=str(out))],
        )


def _stage_from_server(server: Any, path: Path, chunk: int = 100_000) -> duckdb.DuckDBPyConnection:
    """Copy a PostgreSQL ledger's records and meter readings into a new DuckDB ledger file at ``path``
    (``chunk`` rows at a time through a server-side cursor: memory stays bounded at any size)."""
    import pandas as pd

    from cleanfreight.ledger._db import open_ledger

    con = open_ledger(path)
    try:
        # a server-side cursor lives in a transaction (this one only reads)
        with server.transaction():
            for table, columns in (("records", RECORD_COLUMNS), ("meter_readings", READING_COLUMNS)):
                names = [name for name, _ in columns]
                cols = ", ".join(names)
                with server.cursor(name=f"cf_export_{table}") as cur:
                    cur.execute(f"SELECT {cols} FROM {table}")
                    while rows := cur.fetchmany(chunk):
                        frame = pd.DataFrame(rows, columns=names)
                        con.register("chunk", frame)
                        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM chunk")
                        con.unregister("chunk")
    except BaseException:
        con.close()
        raise
    return con


def export_parquet(
    db: str | Path | duckdb.DuckDBPyConnection | Any,
    out: str | Path,
    *,
    row_group_size: int = 1_000_000,
) -> ExportResult:
    """Write the ledger's records (and meter readings) as Parquet partitioned by month.

    Parameters
    ----------
    db
        DuckDB ledger file or connection, a ``postgresql://`` address or a psycopg connection (copied
        into a DuckDB staging file first, in chunks).
    out
        Export folder, created or replaced as a whole (it must be new, empty or an earlier export).
    row_group_size
        Rows per Parquet row group. Records are written in time order, so a month's query reads only
        the row groups of its time span.

    Returns
    -------
    ExportResult
    """
    if isinstance(db, str) and is_server_url(db):
        import psycopg

        with psycopg.connect(db) as server:
            return export_parquet(server, out, row_group_size=row_group_size)
    if is_server(db):
        # a PostgreSQL ledger: copied in chunks into a DuckDB staging file, then the one export below
        import tempfile

        with tempfile.TemporaryDirectory(prefix="cf-export-") as staging_dir:
            staging = _stage_from_server(db, Path(staging_dir) / "staging.duckdb")
            try:
                return export_parquet(staging, out, row_group_size=row_group_size)
            finally:
                staging.close()
    target = Path(out)
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    con, owned = connection(db, read_only=True)
    try:
        cols = ", ".join(name for name, _ in RECORD_COLUMNS)
        options = f"FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE {int(row_group_size)}"
        con.execute(
            f"COPY (SELECT {cols}, strftime(ts, '%Y-%m') AS month FROM records ORDER BY ts, dedup_key) "
            f"TO {sql_string(str(tmp / 'records'))} ({options}, PARTITION_BY (month))"
        )
        with LedgerReader(con) as reader:
            months_df = reader.df(
                "SELECT strftime(ts, '%Y-%m') AS month, count(*) AS n FROM records GROUP BY 1 ORDER BY 1"
            )
            has_readings = reader.has_table("meter_readings")
        months = {str(m): int(n) for m, n in zip(months_df["month"], months_df["n"], strict=True)}
        readings = 0
        if has_readings:
            rcols = ", ".join(name for name, _ in READING_COLUMNS)
            (tmp / "meter_readings").mkdir()
            con.execute(
                f"COPY (SELECT {rcols} FROM meter_readings ORDER BY enterprise_id, meter_id, direction, ts, dedup_key) "
                f"TO {sql_string(str(tmp / 'meter_readings' / 'data_0.parquet'))} ({options})"
            )
            got = con.execute("SELECT count(*) FROM meter_readings").fetchone()
            readings = int(got[0]) if got else 0
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if owned:
            con.close()
    total = sum(months.values())
    manifest = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "records": total,
        "months": months,
        "meter_readings": readings if has_readings else None,
        "partitioning": "records/month=YYYY-MM (Hive style)",
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    replace_folder(tmp, target)
    files: dict[str, Path] = {}
    for month in months:
        for f in sorted((target / "records" / f"month={month}").glob("*.parquet")):
            files[f"records/month={month}" + ("" if f.name == "data_0.parquet" else f"/{f.name}")] = f
    if has_readings:
        files["meter_readings"] = target / "meter_readings" / "data_0.parquet"
    files["manifest"] = target / MANIFEST
    logger.info("exported %d records in %d months to %s", total, len(months), target)
    return ExportResult(target, files, total, months)
