"""The gate-record ledger: import gate passages, rail waybills and meter readings; monthly reports.

The ledger is one embedded DuckDB file or a PostgreSQL database (schema in :mod:`.schema`); :class:`Ledger` is
its front, used by
the command line, the briefing, the demo and the web service (no SQL outside this package). Import with
:func:`ingest`, report with :func:`report` and :func:`trend`, check with :func:`run_checks`, and make
realistic sample exports with :func:`generate_records`. :func:`coverage` says which enterprises
reported for each month (未报送 months distort city figures). Cargo names the built-in rules do not know
are mapped with a :class:`CargoMap` (:func:`load_cargo_map`, :func:`recode_cargo`).
"""

from __future__ import annotations

from cleanfreight.ledger._db import open_ledger
from cleanfreight.ledger._period import Period, parse_period
from cleanfreight.ledger._readers import ColumnMapping, load_mapping
from cleanfreight.ledger.cargo import CargoMap, load_cargo_map, recode_cargo
from cleanfreight.ledger.checks import ANOMALY_COLUMNS, CheckParams, run_checks
from cleanfreight.ledger.coverage import Coverage, coverage
from cleanfreight.ledger.feed import RowReject, RowsResult, canonical_fields, ingest_rows, list_rejects
from cleanfreight.ledger.front import Ledger
from cleanfreight.ledger.ingest import FileResult, IngestParams, IngestResult, ingest
from cleanfreight.ledger.report import (
    LedgerReport,
    ReportParams,
    TrendResult,
    load_plan,
    mode_tonnes,
    report,
    trend,
    write_report,
)
from cleanfreight.ledger.sample import SampleManifest, generate_records

# deprecated aliases: the parameter objects' names before the one suffix, ``Params`` (users' scripts)
CheckSettings = CheckParams
IngestSettings = IngestParams
ReportSettings = ReportParams

__all__ = [
    "ANOMALY_COLUMNS",
    "CargoMap",
    "CheckParams",
    "CheckSettings",
    "ColumnMapping",
    "Coverage",
    "FileResult",
    "IngestParams",
    "IngestResult",
    "IngestSettings",
    "Ledger",
    "LedgerReport",
    "Period",
    "ReportParams",
    "ReportSettings",
    "RowReject",
    "RowsResult",
    "SampleManifest",
    "TrendResult",
    "canonical_fields",
    "coverage",
    "generate_records",
    "ingest",
    "ingest_rows",
    "list_rejects",
    "load_cargo_map",
    "load_mapping",
    "load_plan",
    "mode_tonnes",
    "open_ledger",
    "parse_period",
    "recode_cargo",
    "report",
    "run_checks",
    "trend",
    "write_report",
]
