"""The ledger database schema, kept as plain SQL.

One embedded DuckDB file holds five tables:

``imports``
    one row per imported file (name, SHA-256, kind, counts, status).
``records``
    every accepted gate passage, rail waybill and conveyor / pipeline meter reading, normalised
    (plate, emission stage, tonnes, timestamp, commodity, direction, mode) with the file and row it
    came from. ``dedup_key`` is the de-duplication key (see :mod:`cleanfreight.ledger.ingest`).
``rejects``
    every rejected row with file, row number, column, value and reason. Rejected rows are never
    dropped silently.
``meter_readings``
    readings of **running counters** (cumulative conveyor / pipeline meters), in tonnes. Imports
    turn each reading into a ``records`` row holding the difference to the previous reading of the
    same meter (enterprise, meter, direction); a reading below the previous one (a counter reset)
    adds no record and is listed by the ``counter_reset`` check. ``records`` rows derived this way
    share the ``dedup_key`` of their reading.
``meta``
    schema version.

Version 2 (this one) added ``meter_readings`` and keys keyless rail waybills by cargo name instead
of commodity, so a cargo mapping can re-classify records without breaking de-duplication;
:func:`cleanfreight.ledger.open_ledger` upgrades version-1 files in place.

The statements use portable SQL types (``VARCHAR``, ``DOUBLE PRECISION``, ``TIMESTAMP``,
``INTEGER``, ``BIGINT``, ``BOOLEAN``) so the same schema runs on PostgreSQL; :func:`ddl` with
``dialect="postgres"`` adds the unique constraints and indexes a server database should have
(DuckDB de-duplicates with an anti-join instead, which is cheaper than a unique index there).
"""

from __future__ import annotations

from typing import Literal

__all__ = ["READING_COLUMNS", "RECORD_COLUMNS", "SCHEMA_VERSION", "ddl"]

SCHEMA_VERSION = 2

#: columns of ``records`` in table order, with their SQL type
RECORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("dedup_key", "VARCHAR NOT NULL"),
    ("kind", "VARCHAR NOT NULL"),  # gate | rail | meter
    ("chain", "VARCHAR NOT NULL"),  # direct | short_haul | spur | station | conveyor | pipeline
    ("mode", "VARCHAR"),  # mode vocabulary; NULL for station waybills (resolved in reports)
    ("enterprise_id", "VARCHAR NOT NULL"),
    ("enterprise_name", "VARCHAR"),
    ("ts", "TIMESTAMP NOT NULL"),
    ("direction", "VARCHAR NOT NULL"),  # in | out
    ("commodity", "VARCHAR NOT NULL"),  # bulk category, 'other' when unknown
    ("cargo", "VARCHAR"),  # cargo name as written in the file
    ("tonnes", "DOUBLE PRECISION NOT NULL"),
    ("plate", "VARCHAR"),
    ("vin", "VARCHAR"),
    ("engine_no", "VARCHAR"),
    ("reg_date", "VARCHAR"),
    ("stage", "VARCHAR"),  # '0'..'6', 'd' electric, 'h' fuel cell
    ("fleet", "VARCHAR"),
    ("origin", "VARCHAR"),
    ("destination", "VARCHAR"),
    ("station", "VARCHAR"),
    ("waybill_no", "VARCHAR"),
    ("meter_id", "VARCHAR"),
    ("import_id", "INTEGER NOT NULL"),
    ("src_file", "VARCHAR NOT NULL"),
    ("src_row", "BIGINT NOT NULL"),
)

#: columns of ``meter_readings`` (running counters) in table order, with their SQL type
READING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("dedup_key", "VARCHAR NOT NULL"),  # md5 of counter | enterprise | meter | timestamp | direction
    ("enterprise_id", "VARCHAR NOT NULL"),
    ("enterprise_name", "VARCHAR"),
    ("meter_id", "VARCHAR"),
    ("chain", "VARCHAR NOT NULL"),  # conveyor | pipeline
    ("ts", "TIMESTAMP NOT NULL"),
    ("direction", "VARCHAR NOT NULL"),
    ("commodity", "VARCHAR NOT NULL"),
    ("cargo", "VARCHAR"),
    ("reading", "DOUBLE PRECISION NOT NULL"),  # counter value in tonnes
    ("import_id", "INTEGER NOT NULL"),
    ("src_file", "VARCHAR NOT NULL"),
    ("src_row", "BIGINT NOT NULL"),
)

_IMPORTS = """
CREATE TABLE IF NOT EXISTS imports (
    import_id INTEGER NOT NULL PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    enterprise_id VARCHAR,
    encoding VARCHAR,
    unit VARCHAR,
    rows_read BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    status VARCHAR NOT NULL
)"""

_REJECTS = """
CREATE TABLE IF NOT EXISTS rejects (
    import_id INTEGER NOT NULL,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    src_row BIGINT NOT NULL,
    column_name VARCHAR,
    value VARCHAR,
    reason VARCHAR NOT NULL
)"""

_META = """
CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR NOT NULL PRIMARY KEY,
    value VARCHAR NOT NULL
)"""


def ddl(dialect: Literal["duckdb", "postgres"] = "duckdb") -> list[str]:
    """Return the ``CREATE`` statements of the ledger schema.

    Parameters
    ----------
    dialect
        ``"duckdb"`` (the embedded file) or ``"postgres"`` (a server deployment: adds a unique
        constraint on ``records.dedup_key`` and ``meter_readings.dedup_key`` and indexes for the report queries, so concurrent
        importers can use ``INSERT ... ON CONFLICT (dedup_key) DO NOTHING``).

    Returns
    -------
    list of str
        Statements to run in order; all are idempotent (``IF NOT EXISTS``).
    """
    cols = ",\n    ".join(f"{name} {typ}" for name, typ in RECORD_COLUMNS)
    unique = ",\n    UNIQUE (dedup_key)" if dialect == "postgres" else ""
    records = f"CREATE TABLE IF NOT EXISTS records (\n    {cols}{unique}\n)"
    rcols = ",\n    ".join(f"{name} {typ}" for name, typ in READING_COLUMNS)
    readings = f"CREATE TABLE IF NOT EXISTS meter_readings (\n    {rcols}{unique}\n)"
    stmts = [_META, _IMPORTS, records, _REJECTS, readings]
    if dialect == "postgres":
        stmts += [
            "CREATE INDEX IF NOT EXISTS records_ent_ts ON records (enterprise_id, ts)",
            "CREATE INDEX IF NOT EXISTS records_plate ON records (plate)",
            "CREATE INDEX IF NOT EXISTS rejects_file ON rejects (file_sha256)",
            "CREATE INDEX IF NOT EXISTS readings_series ON meter_readings (enterprise_id, meter_id, direction, ts)",
        ]
    return stmts
