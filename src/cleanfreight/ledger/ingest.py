"""Importing gate records, rail waybills and conveyor / pipeline meter readings into the ledger.

How a file is imported
----------------------
1. The file is inspected (format, encoding, header row, which column is which field, unit, kind)
   and every problem of every file is reported before anything is written.
2. Its rows are read in chunks (``IngestSettings.chunk_rows``), so memory does not grow with the
   file. Each chunk is normalised by SQL inside DuckDB (plates, stages, directions, units,
   timestamps, cargo -> commodity, mode).
3. Each chunk is committed to the file's staging tables (``stage_records_<id>``,
   ``stage_rejects_<id>``); then **one transaction** merges the file: rows that failed a check go to
   ``rejects`` (file, row, column, value, reason), the others are appended to ``records`` unless
   their **de-duplication key** is already there, and the ``imports`` row becomes ``complete``.
4. A killed import leaves ``records`` and ``rejects`` as before the file; the next run discards the
   leftover staging tables and imports the file again.

De-duplication keys (``records.dedup_key``, an MD5 of the fields joined by ``|``)
-----------------------------------------------------------------------------------
- gate passage: ``gate | enterprise | plate | timestamp (to the second) | direction | tonnes (0.1 t)``;
- rail waybill: ``rail | enterprise | waybill number`` (without a number: ``date | station | cargo name |
  direction | tonnes``), looked up over the whole ledger; a numbered waybill (or a meter reading)
  re-sent with other values is rejected as a conflict, the first one stays;
- meter reading: ``meter | enterprise | meter | timestamp | direction``;
- running-counter reading: ``counter | enterprise | meter | timestamp | direction``.

Running counters
----------------
A meter file whose quantity column is a running counter (header with ``累计`` / ``cumulative`` /
``counter``, or ``cumulative = true`` in a mapping file) is stored in ``meter_readings``; each
reading then adds a record of the difference to the previous reading of the same enterprise, meter
and direction (over every import, so files may come in any order), dated at the later reading. The
first reading of a meter is only a baseline; a reading below the previous one is a counter reset:
no quantity is derived for that interval (it is unknown, not negative) and the ``counter_reset``
check lists it.

The same file imported twice, or two exports that overlap, add each passage once; the rows
found already present are counted as ``duplicates``.

Vendor exports
--------------
- The emission stage of a gate row comes from 排放阶段, else (empty, ``X`` or 无) from the fuel type
  (纯电动 ... -> ``d``), else from a green / yellow-green colour on an 8-character new-energy plate
  (``d``), else from the mapping's ``[defaults] stage`` (:func:`_stage_select`); ``FileResult.stage_from``
  counts the inferred rows.
- 发货单位 / 收货单位 fill origin / destination when the file has no place column.
- Total rows (合计 / 小计 / 总计 / total) are skipped and counted as ``totals``, never rejected; a
  single grand total is compared with the sum of the other rows (a warning when they differ).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger import _normalise as nz
from cleanfreight.ledger._csv import READER_REJECTS
from cleanfreight.ledger._db import connection
from cleanfreight.ledger._readers import ColumnMapping, FileLayout, inspect_file, iter_chunks, load_mapping
from cleanfreight.ledger.cargo import CargoMap, load_cargo_map
from cleanfreight.ledger.schema import READING_COLUMNS, RECORD_COLUMNS

if TYPE_CHECKING:
    import duckdb

__all__ = ["FileResult", "IngestResult", "IngestSettings", "default_station_names", "ingest"]

logger = logging.getLogger(__name__)

#: main Changzhi freight stations, used when the sample ``stations.csv`` is not available
_FALLBACK_STATIONS = ("长治北", "长治", "长治东", "长治南", "长子", "长子南")


@dataclass(frozen=True, slots=True)
class IngestSettings:
    """Settings of an import.

    Parameters
    ----------
    chunk_rows
        Rows read and normalised at a time (memory is bounded by this, not by the file).
    max_truck_tonnes
        A gate record above this load is impossible and rejected (a 49 t GVW tractor carries
        ~35-40 t; loads between the plausible payload and this go to the ``overload`` check).
    max_waybill_tonnes
        A rail waybill above this is rejected as implausible (default 100,000 t: more than a day of
        rail for the largest enterprise, five 20,000 t heavy-haul trains).
    max_meter_tonnes
        A conveyor / pipeline quantity per reading above this is rejected (default 100,000 t: a
        4,000 t/h belt running for 24 h; raise it for exports that sum a month per row).
    max_counter_tonnes
        A running-counter reading above this is rejected (default 1,000,000,000 t).
    min_year, max_year
        Timestamps outside these years are rejected.
    max_future_days
        Timestamps more than this many days after the time of the import are rejected (a gate
        clock set wrong, a typed year); ``None``: no limit. Special values (``infinity``) are
        always rejected.
    stations
        Names or ids of rail freight stations: a truck whose origin or destination is one of them is
        the short-haul leg of a rail chain. ``None``: the stations of the sample network.
    only_enterprise
        Accept rows of this enterprise only: a row whose enterprise column names another one is
        rejected (an enterprise uploading its own exports through the platform).
    """

    chunk_rows: int = 200_000
    max_truck_tonnes: float = 100.0
    max_waybill_tonnes: float = 100_000.0
    max_meter_tonnes: float = 100_000.0
    max_counter_tonnes: float = 1e9
    min_year: int = 2000
    max_year: int = 2100
    max_future_days: float | None = 366.0
    stations: tuple[str, ...] | None = None
    only_enterprise: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.chunk_rows < 1:
            problems.append(Problem("must be >= 1", column="chunk_rows", value=self.chunk_rows))
        for name in ("max_truck_tonnes", "max_waybill_tonnes", "max_meter_tonnes", "max_counter_tonnes"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                problems.append(Problem("must be a finite number > 0", column=name, value=value))
        if self.max_future_days is not None and not (
            math.isfinite(self.max_future_days) and self.max_future_days >= 0
        ):
            problems.append(Problem("must be >= 0 or None", column="max_future_days", value=self.max_future_days))
        if self.min_year > self.max_year:
            problems.append(
                Problem("min_year must not exceed max_year", column="min_year", value=self.min_year)
            )
        if problems:
            raise InputError("invalid ingest settings", problems)


@dataclass(frozen=True, slots=True)
class FileResult:
    """Outcome of importing one file.

    ``rows`` counts the data rows (not blank rows, not total rows): ``rows = accepted + duplicates
    + rejected``. ``totals`` counts the total rows (合计 / 小计 / 总计 / total) skipped apart, and
    ``totals_tonnes`` is what the grand-total row states (``None`` without one). ``stage_from``
    counts the gate rows whose stage came from the fuel type (``fuel``), a new-energy plate
    (``plate``) or the mapping's ``[defaults] stage`` (``default``) instead of 排放阶段.
    """

    file: str
    kind: str
    encoding: str | None
    unit: str
    rows: int
    accepted: int
    rejected: int
    duplicates: int
    blank: int
    import_id: int
    columns: dict[str, str]
    ignored_columns: tuple[str, ...]
    totals: int = 0
    totals_tonnes: float | None = None
    stage_from: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    cumulative: bool = False
    counter_resets: int = 0
    conflicts: int = 0

    @property
    def skipped(self) -> int:
        """Rows neither accepted, rejected nor duplicates: blank rows and total rows (合计)."""
        return self.blank + self.totals

    @property
    def data_rows(self) -> int:
        """Every row after the header (a quoted field with line breaks makes one row of several lines).

        Always ``accepted + rejected + duplicates + skipped``.
        """
        return self.rows + self.blank + self.totals

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "encoding": self.encoding,
            "unit": self.unit,
            "rows": self.rows,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "blank": self.blank,
            "import_id": self.import_id,
            "columns": self.columns,
            "ignored_columns": list(self.ignored_columns),
            "totals": self.totals,
            "totals_tonnes": self.totals_tonnes,
            "stage_from": dict(self.stage_from),
            "warnings": list(self.warnings),
            "seconds": round(self.seconds, 3),
            "cumulative": self.cumulative,
            "counter_resets": self.counter_resets,
            "conflicts": self.conflicts,
            "skipped": self.skipped,
            "data_rows": self.data_rows,
        }


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Outcome of an import: totals and one :class:`FileResult` per file."""

    files: tuple[FileResult, ...] = field(default_factory=tuple)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def totals(self) -> int:
        return sum(f.totals for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "totals": self.totals,
            "files": [f.as_dict() for f in self.files],
        }


def default_station_names() -> tuple[str, ...]:
    """Station ids and Chinese / English names of the sample network (fallback: main Changzhi stations)."""
    try:
        import pandas as pd

        from cleanfreight._paths import sample_file

        st = pd.read_csv(sample_file("network", "stations.csv"), comment="#", dtype=str)
        names: list[str] = []
        for col in ("station_id", "name_zh", "name_en"):
            if col in st:
                names += [str(v) for v in st[col].dropna()]
        if names:
            return tuple(names)
    except (InputError, OSError, ValueError, KeyError) as exc:
        logger.debug("sample stations unavailable (%s); using built-in station names", exc)
    return _FALLBACK_STATIONS


def ingest(
    db: str | Path | duckdb.DuckDBPyConnection,
    files: Sequence[str | Path],
    *,
    enterprise: str | None = None,
    mapping: ColumnMapping | str | Path | None = None,
    settings: IngestSettings | None = None,
    enterprise_names: dict[str, str] | None = None,
    on_chunk: Callable[[str, int], None] | None = None,
    cargo_map: CargoMap | str | Path | None = None,
    direction: str | None = None,
) -> IngestResult:
    """Import ledger export files into the ledger database.

    Parameters
    ----------
    db
        Ledger database file (created if missing) or an open connection.
    files
        CSV (UTF-8, UTF-8 with BOM, GBK, GB18030) or XLSX exports, or folders of them.
    enterprise
        Enterprise id for files without an enterprise column (a column value wins when present).
    mapping
        A :class:`ColumnMapping` or the TOML / YAML file of one, for exports whose headers the
        built-in Chinese / English aliases do not cover.
    settings
        :class:`IngestSettings`; defaults when ``None``.
    enterprise_names
        Enterprise name -> id, used when a file names enterprises but has no id column.
    on_chunk
        Called as ``on_chunk(file, rows_done)`` after each chunk (progress display).
    cargo_map
        A :class:`~cleanfreight.ledger.cargo.CargoMap` or its TOML / YAML / CSV file: cargo names
        -> commodities, merged over the built-in rules (unknown names stay ``other`` and flagged).
    direction
        ``in`` or ``out`` (also ``进`` / ``出`` ...) for files without a direction column, such as a
        gate system's separate 进厂 and 出厂 exports (a column value wins when present).

    Returns
    -------
    IngestResult
        Accepted, rejected and duplicate rows per file and in total.

    Raises
    ------
    InputError
        When a file cannot be read or lacks a needed column; every problem of every file is
        listed and nothing is imported.
    """
    s = settings or IngestSettings()
    if isinstance(mapping, str | Path):
        mapping = load_mapping(mapping)
    m = mapping or ColumnMapping()
    if direction is not None:
        if "".join(direction.split()).lower() not in nz.DIRECTIONS:
            raise InputError(f"unknown direction {direction!r}; expected in or out (进 / 出)")
        m = dataclasses.replace(m, defaults={**m.defaults, "direction": direction})
    cmap = load_cargo_map(cargo_map) if isinstance(cargo_map, str | Path) else cargo_map or CargoMap()
    paths: list[Path] = []
    problems: list[Problem] = []
    for f in map(Path, files):
        if f.is_dir():  # a folder: its CSV and XLSX files, in name order
            found = sorted(p for p in f.iterdir() if p.suffix.lower() in (".csv", ".xlsx", ".xlsm"))
            if not found:
                problems.append(Problem("the folder holds no .csv or .xlsx file", file=str(f)))
            paths += found
        else:
            paths.append(f)
    if not paths and not problems:
        problems.append(Problem("no file to import"))
    layouts: list[FileLayout] = []
    for p in paths:
        if not p.is_file():
            problems.append(Problem("file not found", file=str(p)))
            continue
        try:
            layouts.append(inspect_file(p, m, has_enterprise=enterprise is not None))
        except InputError as exc:
            problems += exc.problems or [Problem(exc.summary, file=str(p))]
    if problems:
        raise InputError("cannot import the ledger files", problems)
    stations = sorted({nz.place_key(n) for n in (s.stations or default_station_names()) if n.strip()})
    con, owned = connection(db)
    try:
        _cleanup_stale(con)
        results = []
        for layout in layouts:
            results.append(
                _ingest_file(con, layout, m, enterprise, s, stations, enterprise_names or {}, on_chunk, cmap)
            )
        return IngestResult(tuple(results))
    finally:
        if owned:
            con.close()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _cleanup_stale(con: duckdb.DuckDBPyConnection) -> None:
    """Remove what a killed import left in staging (``imports.status = 'staging'``)."""
    stale = [
        int(r[0]) for r in con.execute("SELECT import_id FROM imports WHERE status = 'staging'").fetchall()
    ]
    if not stale:
        return
    logger.warning("discarding %d unfinished import(s) left by an interrupted run: %s", len(stale), stale)
    con.execute("BEGIN TRANSACTION")
    for import_id in stale:
        con.execute(f"DROP TABLE IF EXISTS {_stage(import_id, 'records')}")
        con.execute(f"DROP TABLE IF EXISTS {_stage(import_id, 'rejects')}")
    con.execute("DELETE FROM imports WHERE status = 'staging'")
    con.execute("COMMIT")


def _abandon(con: duckdb.DuckDBPyConnection) -> None:
    """After a failure while staging: roll back the open chunk and discard the staged file."""
    import duckdb

    with contextlib.suppress(duckdb.Error):  # no transaction may be open
        con.execute("ROLLBACK")
    try:
        _cleanup_stale(con)
    except duckdb.Error as exc:  # pragma: no cover - the next run cleans up
        logger.warning("could not discard the staged import: %s", exc)


def _stage(import_id: int, what: str) -> str:
    return f"stage_{what}_{import_id}"


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    layout: FileLayout,
    m: ColumnMapping,
    enterprise: str | None,
    s: IngestSettings,
    stations: list[str],
    names: dict[str, str],
    on_chunk: Callable[[str, int], None] | None,
    cmap: CargoMap,
) -> FileResult:
    """Stage the file chunk by chunk (each chunk committed), then merge it in one transaction.

    Nothing reaches ``records`` or ``rejects`` before the merge, so an import killed while staging
    leaves the ledger as it was; the next run discards the staging tables and starts the file anew.
    """
    t0 = time.perf_counter()
    started = datetime.now()
    fname = layout.path.name
    sha = _sha256(layout.path)
    record_cols = ", ".join(c for c, _ in RECORD_COLUMNS)
    reject_cols = "import_id, file_name, file_sha256, kind, src_row, column_name, value, reason"
    con.execute("BEGIN TRANSACTION")
    row = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()
    import_id = int(row[0]) if row else 1
    st_rec, st_rej = _stage(import_id, "records"), _stage(import_id, "rejects")
    con.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, 'staging')",
        [import_id, fname, sha, layout.kind, enterprise, layout.encoding, layout.unit, started, started],
    )
    con.execute(f"CREATE TABLE {st_rec} AS SELECT {record_cols} FROM records LIMIT 0")
    con.execute(f"CREATE TABLE {st_rej} AS SELECT {reject_cols} FROM rejects LIMIT 0")
    con.execute("COMMIT")
    norm_sql, checks = _normalise_select(layout, m, enterprise, s, stations, names, import_id, cmap)
    reject_sql = " UNION ALL ".join(
        f"SELECT _row, {nz.quote(col)} AS column_name, CAST({raw} AS VARCHAR) AS value, "
        f"{nz.quote(reason)} AS reason FROM _norm WHERE {cond}"
        for cond, col, raw, reason in checks
    )
    rows = rejected = valid = blank = totals = 0
    stated = summed = 0.0  # tonnes stated by grand-total rows (合计), and the sum of the other rows
    n_grand = 0
    stage_from: dict[str, int] = {}
    warnings: list[str] = []
    try:
        for chunk in iter_chunks(layout, s.chunk_rows, m.sheet):
            n_chunk = len(chunk)
            unread = chunk.attrs.get(READER_REJECTS) or []  # rows the reader could not split into cells
            rows += n_chunk + len(unread)
            rejected += len(unread)
            con.execute("BEGIN TRANSACTION")
            if unread:
                con.executemany(
                    f"INSERT INTO {st_rej} ({reject_cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [[import_id, fname, sha, layout.kind, r, col, val, why] for r, col, val, why in unread],
                )
            con.register("_chunk", chunk)
            con.execute(f"CREATE OR REPLACE TEMP TABLE _norm AS {norm_sql}")
            con.unregister("_chunk")
            blank += n_chunk - _count(con, "SELECT count(*) FROM _norm")
            if layout.kind == "gate" and layout.unit == "t" and not warnings:
                med = con.execute("SELECT median(tonnes) FROM _norm WHERE tonnes > 0").fetchone()
                if med and med[0] is not None and med[0] > 1000:
                    warnings.append(
                        f"median load {med[0]:.0f} looks like kilograms; if so, set unit = 'kg' in a mapping file"
                    )
            con.execute(
                f"INSERT INTO {st_rej} ({reject_cols}) "
                f"SELECT ?, ?, ?, ?, _row, column_name, value, reason FROM ({reject_sql}) q",
                [import_id, fname, sha, layout.kind],
            )
            rejected += _count(con, "SELECT count(*) FROM _norm WHERE NOT ok AND NOT is_total")
            valid += _count(con, "SELECT count(*) FROM _norm WHERE ok")
            t_row = con.execute(
                "SELECT count(*) FILTER (WHERE is_total), count(*) FILTER (WHERE is_total AND is_grand_total), "
                "coalesce(sum(tonnes) FILTER (WHERE is_total AND is_grand_total), 0), "
                "coalesce(sum(tonnes) FILTER (WHERE NOT is_total AND tonnes > 0), 0) FROM _norm"
            ).fetchone()
            if t_row:
                totals += int(t_row[0])
                n_grand += int(t_row[1])
                stated += float(t_row[2])
                summed += float(t_row[3])
            if layout.kind == "gate":
                for src, n in con.execute(
                    "SELECT stage_src, count(*) FROM _norm WHERE ok GROUP BY stage_src"
                ).fetchall():
                    stage_from[str(src)] = stage_from.get(str(src), 0) + int(n)
            con.execute(f"INSERT INTO {st_rec} ({record_cols}) SELECT {record_cols} FROM _norm WHERE ok")
            con.execute("DROP TABLE _norm")
            con.execute("COMMIT")
            if on_chunk is not None:
                on_chunk(str(layout.path), rows)
    except BaseException:
        _abandon(con)
        raise
    # merge: one transaction
    con.execute("BEGIN TRANSACTION")
    try:
        # the rejects of an earlier import of the same bytes *for the same enterprise* are replaced;
        # the same file imported for another enterprise is another import with rejects of its own
        con.execute(
            "DELETE FROM rejects WHERE file_sha256 = ? AND import_id IN (SELECT import_id FROM imports "
            "WHERE file_sha256 = ? AND import_id <> ? AND upper(trim(enterprise_id)) IS NOT DISTINCT FROM upper(trim(?)))",
            [sha, sha, import_id, enterprise],
        )
        con.execute(f"INSERT INTO rejects ({reject_cols}) SELECT {reject_cols} FROM {st_rej}")
        resets = conflicts = 0
        if layout.cumulative:
            accepted, resets = _merge_counters(con, st_rec)
        else:
            lo, hi = con.execute(f"SELECT min(ts), max(ts) FROM {st_rec}").fetchone() or (None, None)
            # a waybill number is one waybill whatever date it is sent with: look at the whole ledger
            in_range = "TRUE" if layout.kind == "rail" else "r.ts BETWEEN ? AND ?"
            params = [] if layout.kind == "rail" else [lo, hi]
            conflicts = _reject_conflicts(con, layout.kind, st_rec, in_range, params, [import_id, fname, sha])
            rejected += conflicts
            before = _count(con, "SELECT count(*) FROM records")
            con.execute(
                f"INSERT INTO records ({record_cols}) SELECT {record_cols} FROM {st_rec} s "
                f"WHERE s.src_row IN (SELECT min(src_row) FROM {st_rec} GROUP BY dedup_key) "
                f"AND NOT EXISTS (SELECT 1 FROM records r WHERE {in_range} AND r.dedup_key = s.dedup_key)",
                params,
            )
            accepted = _count(con, "SELECT count(*) FROM records") - before
        duplicates = valid - accepted - conflicts
        if conflicts:
            warnings.append(
                f"{conflicts} re-sent record(s) conflict with one already imported (same key, other values): "
                "not counted, listed in the rejects"
            )
        if resets:
            warnings.append(
                f"{resets} counter reset(s): no quantity derived for those intervals (see the counter_reset check)"
            )

        if n_grand == 1 and abs(stated - summed) > max(0.05, 1e-4 * summed):
            warnings.append(
                f"the total row (合计) states {stated:,.1f} t but the other rows sum to {summed:,.1f} t; "
                "the export may be incomplete"
            )
        no_stage = con.execute(
            f"SELECT coalesce(value, ''), count(*) AS n FROM {st_rej} WHERE reason LIKE 'no emission stage%' "
            "GROUP BY 1 ORDER BY n DESC, 1 LIMIT 3"
        ).fetchall()
        if no_stage:
            n_rows = _count(con, f"SELECT count(*) FROM {st_rej} WHERE reason LIKE 'no emission stage%'")
            seen = "; ".join(f"{v or '(empty)'} ({n})" for v, n in no_stage)
            warnings.append(
                f"{n_rows} row(s) without an emission stage, most often {seen}; if these are electric trucks, "
                "add the fuel type to [stages] in a mapping file"
            )
        con.execute(
            "UPDATE imports SET rows_read = ?, accepted = ?, rejected = ?, duplicates = ?, finished_at = ?, "
            "status = 'complete' WHERE import_id = ?",
            [rows - blank - totals, accepted, rejected, duplicates, datetime.now(), import_id],
        )
        con.execute(f"DROP TABLE {st_rec}")
        con.execute(f"DROP TABLE {st_rej}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if layout.fmt == "csv" and _ends_open(layout.path):
        warnings.append(
            "the last line has no line break: if the file was cut short, check its last row "
            f"(line {layout.header_row + rows + blank})"
        )
    secs = time.perf_counter() - t0
    logger.info(
        "%s: %d rows, %d accepted, %d rejected, %d duplicates, %d total rows (%.1f s)",
        fname,
        rows - blank - totals,
        accepted,
        rejected,
        duplicates,
        totals,
        secs,
    )
    return FileResult(
        file=str(layout.path),
        kind=layout.kind,
        encoding=layout.encoding,
        unit=layout.unit,
        rows=rows - blank - totals,
        accepted=accepted,
        rejected=rejected,
        duplicates=duplicates,
        blank=blank,
        import_id=import_id,
        columns=dict(layout.fields),
        ignored_columns=layout.ignored,
        totals=totals,
        totals_tonnes=stated if n_grand else None,
        stage_from={k: v for k, v in stage_from.items() if k != "cell"},
        warnings=tuple(warnings),
        seconds=secs,
        cumulative=layout.cumulative,
        counter_resets=resets,
        conflicts=conflicts,
    )


def _merge_counters(con: duckdb.DuckDBPyConnection, st_rec: str) -> tuple[int, int]:
    """Add a file's counter readings and re-derive the records of every meter series it touches.

    Runs inside the merge transaction. Returns ``(readings added, resets among the file's readings)``.
    """
    rcols = [c for c, _ in READING_COLUMNS]
    src = ", ".join("tonnes" if c == "reading" else c for c in rcols)
    before = _count(con, "SELECT count(*) FROM meter_readings")
    con.execute(
        f"INSERT INTO meter_readings ({', '.join(rcols)}) SELECT {src} FROM {st_rec} s "
        f"WHERE s.src_row IN (SELECT min(src_row) FROM {st_rec} GROUP BY dedup_key) "
        "AND NOT EXISTS (SELECT 1 FROM meter_readings r WHERE r.dedup_key = s.dedup_key)"
    )
    added = _count(con, "SELECT count(*) FROM meter_readings") - before
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _deltas AS "
        f"SELECT r.*, {_PREV_READING} AS prev FROM meter_readings r WHERE EXISTS (SELECT 1 FROM {st_rec} s "
        "WHERE s.enterprise_id = r.enterprise_id AND coalesce(s.meter_id, '') = coalesce(r.meter_id, '') "
        "AND s.direction = r.direction)"
    )
    derived = {c: c for c, _ in RECORD_COLUMNS} | {
        "kind": "'meter'",
        "mode": "chain",
        "tonnes": "round(reading - prev, 3)",
    }
    for c in (
        "plate",
        "vin",
        "engine_no",
        "reg_date",
        "stage",
        "fleet",
        "origin",
        "destination",
        "station",
        "waybill_no",
    ):
        derived[c] = "CAST(NULL AS VARCHAR)"
    record_cols = ", ".join(derived)
    con.execute("DELETE FROM records WHERE dedup_key IN (SELECT dedup_key FROM _deltas)")
    con.execute(
        f"INSERT INTO records ({record_cols}) SELECT {', '.join(derived.values())} FROM _deltas "
        "WHERE reading > prev"
    )
    resets = _count(
        con,
        f"SELECT count(*) FROM _deltas WHERE reading < prev AND dedup_key IN (SELECT dedup_key FROM {st_rec})",
    )
    con.execute("DROP TABLE _deltas")
    return added, resets


#: the previous reading of the same meter series (standard SQL: DuckDB and PostgreSQL)
_PREV_READING = (
    "lag(reading) OVER (PARTITION BY enterprise_id, coalesce(meter_id, ''), direction ORDER BY ts)"
)


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


#: normalised columns where a total row's 合计 / 小计 may stand
_TOTAL_CELLS = (
    "ts_raw",
    "plate_raw",
    "cargo",
    "enterprise_name",
    "direction_raw",
    "stage_raw",
    "fleet",
    "origin",
    "destination",
    "waybill_no",
    "meter_id",
    "station_txt",
    "spur_txt",
)


def _stage_select(stage_cell: str, fuel: str, colour: str, plate: str, m: ColumnMapping) -> tuple[str, str]:
    """The stage of a gate record and where it came from (``cell``, ``fuel``, ``plate``, ``default``).

    A stage cell that is filled (and not ``X`` / 无) decides, read with the mapping's ``[stages]``
    first; an empty one is proven by the fuel type (纯电动, 电, 新能源, fuel code ``C`` ...: ``d``), else by
    a green / yellow-green colour on an 8-character new-energy plate (``d``), else it takes the
    mapping's ``[defaults] stage``; with none of these it stays ``NULL`` (rejected).
    """
    empty = nz.stage_empty_sql(stage_cell)
    fuel_st = nz.fuel_stage_sql(fuel, m.stages)
    colour_st = nz.plate_colour_stage_sql(colour, plate)
    code = nz.stage_code(m.defaults["stage"]) if "stage" in m.defaults else None
    default = "CAST(NULL AS VARCHAR)" if code is None else nz.quote(code)
    stage = (
        f"(CASE WHEN NOT {empty} THEN {nz.stage_sql(stage_cell, m.stages)} "
        f"ELSE coalesce({fuel_st}, {colour_st}, {default}) END)"
    )
    src = (
        f"(CASE WHEN NOT {empty} THEN 'cell' WHEN {fuel_st} IS NOT NULL THEN 'fuel' "
        f"WHEN {colour_st} IS NOT NULL THEN 'plate' WHEN {default} IS NOT NULL THEN 'default' END)"
    )
    return stage, src


def _normalise_select(
    layout: FileLayout,
    m: ColumnMapping,
    enterprise: str | None,
    s: IngestSettings,
    stations: list[str],
    names: dict[str, str],
    import_id: int,
    cmap: CargoMap | None = None,
) -> tuple[str, list[tuple[str, str, str, str]]]:
    """Build the SELECT that normalises ``_chunk`` and the list of reject checks.

    Returns the SQL and ``(condition, column, raw expression, reason)`` for each check.
    """
    fields = layout.fields

    def cell(name: str) -> str:
        """The file's own cell (no default), ``NULL`` when the file lacks the column."""
        return f'CAST("{name}" AS VARCHAR)' if name in fields else "CAST(NULL AS VARCHAR)"

    def raw(name: str) -> str:
        """The cell, or the mapping's default when the file lacks the column or the cell is empty."""
        if name in fields and name in m.defaults:
            return f"coalesce(nullif(trim({cell(name)}), ''), {nz.quote(m.defaults[name])})"
        if name in fields:
            return cell(name)
        if name in m.defaults:
            return nz.quote(m.defaults[name])
        return "CAST(NULL AS VARCHAR)"

    def either(name: str, alt: str) -> str:
        """``name``, else ``alt`` (origin, else shipper / 发货单位)."""
        return f"coalesce(nullif(trim({raw(name)}), ''), {raw(alt)})"

    def text(name: str) -> str:
        return nz.clean_text_sql(raw(name))

    kind = layout.kind
    # timestamp: a timestamp column, a date column, or a date and a time-of-day column
    ts_parts = []
    if "timestamp" in fields or "timestamp" in m.defaults:
        ts_parts.append(nz.timestamp_sql(raw("timestamp")))
    if ("date" in fields or "date" in m.defaults) and ts_parts:
        ts_parts.append(nz.timestamp_sql(f"{raw('date')} || ' ' || {raw('timestamp')}"))
    if "date" in fields or "date" in m.defaults:
        ts_parts.append(nz.timestamp_sql(raw("date")))
    ts = f"coalesce({', '.join(ts_parts)})"
    ts_col = "timestamp" if "timestamp" in fields else "date"

    factor = {"t": "1.0", "kg": "0.001"}.get(layout.unit) or nz.unit_factor_sql(raw("unit"))
    ent_col = f"upper({text('enterprise_id')})"
    if enterprise is not None:
        ent_col = f"coalesce({ent_col}, {nz.quote(enterprise.strip().upper())})"
    if names and "enterprise_id" not in fields:
        whens = " ".join(f"WHEN {nz.quote(k)} THEN {nz.quote(v)}" for k, v in names.items())
        ent_col = f"coalesce({ent_col}, CASE {text('enterprise_name')} {whens} END)"

    plate = nz.plate_sql(raw("plate"))
    stage, stage_src = _stage_select(cell("stage"), raw("fuel"), raw("plate_colour"), plate, m)
    origin_raw, dest_raw = either("origin", "shipper"), either("destination", "consignee")
    origin_st = nz.in_list_sql(nz.place_key_sql(origin_raw), stations)
    dest_st = nz.in_list_sql(nz.place_key_sql(dest_raw), stations)
    marks = [f'CAST("{m}" AS VARCHAR)' for m in layout.mark_columns]
    qty = layout.qty_field
    tonnes = f"round({nz.number_sql(raw(qty))} * {factor}, 3)"
    if kind == "gate":
        chain = "CASE WHEN origin_is_station OR dest_is_station THEN 'short_haul' ELSE 'direct' END"
        mode = nz.stage_mode_sql("stage", "chain = 'short_haul'")
        station = "CASE WHEN origin_is_station THEN origin WHEN dest_is_station THEN destination END"
        key = (
            "concat_ws('|', 'gate', enterprise_id, plate, CAST(ts AS VARCHAR), direction, "
            "CAST(round(tonnes, 1) AS VARCHAR))"
        )
    elif kind == "rail":
        is_spur = (
            "(coalesce(lower(spur_txt) NOT IN ('否', 'no', 'n', 'false', '0', '站', 'station'), FALSE) "
            "OR coalesce(station_txt LIKE '%专用线%', FALSE))"
        )
        chain = f"CASE WHEN {is_spur} THEN 'spur' ELSE 'station' END"
        mode = "CASE WHEN chain = 'spur' THEN 'rail_spur' END"
        station = "coalesce(station_txt, spur_txt)"
        key = nz.rail_key_sql()
    else:
        chain = nz.meter_kind_sql("meter_raw")
        mode = "chain"
        station = "CAST(NULL AS VARCHAR)"
        prefix = "counter" if layout.cumulative else "meter"
        key = f"concat_ws('|', '{prefix}', enterprise_id, coalesce(meter_id, ''), CAST(ts AS VARCHAR), direction)"

    nonblank = " OR ".join(f"{text(f)} IS NOT NULL" for f in fields) or "TRUE"
    base = f"""
        SELECT _row,
            {ts} AS ts, {raw(ts_col)} AS ts_raw,
            {ent_col} AS enterprise_id, {text("enterprise_name")} AS enterprise_name,
            {nz.direction_sql(raw("direction"))} AS direction, {raw("direction")} AS direction_raw,
            coalesce(_cm._commodity, 'other') AS commodity, {text("cargo")} AS cargo,
            {tonnes} AS tonnes, {raw(qty)} AS tonnes_raw, {factor} AS unit_factor, {raw("unit")} AS unit_raw,
            {plate} AS plate, {raw("plate")} AS plate_raw,
            {stage} AS stage, {stage_src} AS stage_src,
            nullif(concat_ws(' / ', nullif(trim({cell("stage")}), ''), nullif(trim({raw("fuel")}), ''),
                nullif(trim({raw("plate_colour")}), '')), '') AS stage_raw,
            {text("vin")} AS vin, {text("engine_no")} AS engine_no, {text("reg_date")} AS reg_date,
            {text("fleet")} AS fleet, {nz.clean_text_sql(origin_raw)} AS origin,
            {nz.clean_text_sql(dest_raw)} AS destination,
            {text("waybill_no")} AS waybill_no, {text("meter_id")} AS meter_id,
            coalesce({raw("meter_kind")}, {raw("meter_id")}) AS meter_raw,
            {text("spur")} AS spur_txt, {text("station")} AS station_txt,
            {origin_st} AS origin_is_station, {dest_st} AS dest_is_station
            {"".join(f", {m} AS _mark{i}" for i, m in enumerate(marks))}
        FROM _chunk LEFT JOIN _cm ON {raw("cargo")} = _cm._cargo_raw WHERE {nonblank}"""
    # cargo -> commodity once per distinct name of the chunk, not once per row
    cargo_map = (
        f"SELECT _cargo_raw, {(cmap or CargoMap()).sql('_cargo_raw')} AS _commodity "
        f"FROM (SELECT DISTINCT {raw('cargo')} AS _cargo_raw FROM _chunk) d"
    )
    base = f"WITH _cm AS ({cargo_map}) {base}"
    checks: list[tuple[str, str, str, str]] = [
        ("ts IS NULL", ts_col, "ts_raw", "unreadable or missing timestamp"),
        ("ts IS NOT NULL AND NOT isfinite(ts)", ts_col, "ts_raw", "timestamp is a special value, not a date"),
        (
            f"isfinite(ts) AND (year(ts) < {s.min_year} OR year(ts) > {s.max_year})",
            ts_col,
            "ts_raw",
            f"timestamp outside {s.min_year}-{s.max_year}",
        ),
        (
            "enterprise_id IS NULL",
            "enterprise_id",
            "enterprise_name",
            "no enterprise id (an id column, --enterprise, or a known enterprise name)",
        ),
        ("direction IS NULL", "direction", "direction_raw", "unknown direction; expected in/out (进/出)"),
        ("unit_factor IS NULL", "unit", "unit_raw", "unknown unit; expected t/吨 or kg/千克/公斤"),
        (
            "unit_factor IS NOT NULL AND tonnes IS NULL",
            qty,
            "tonnes_raw",
            "quantity missing or not a number",
        ),
        (
            ("tonnes IS NOT NULL AND tonnes < 0", qty, "tonnes_raw", "counter reading must not be negative")
            if layout.cumulative
            else ("tonnes IS NOT NULL AND tonnes <= 0", qty, "tonnes_raw", "quantity must be greater than 0")
        ),
    ]
    if kind == "gate":
        checks += [
            (
                f"isfinite(tonnes) AND tonnes > {s.max_truck_tonnes}",
                "tonnes",
                "tonnes_raw",
                f"load above {s.max_truck_tonnes:g} t is impossible for a truck",
            ),
            ("plate IS NULL", "plate", "plate_raw", "missing plate"),
            (
                f"plate IS NOT NULL AND NOT {nz.plate_valid_sql('plate')}",
                "plate",
                "plate_raw",
                "invalid plate; expected e.g. 晋D12345",
            ),
            (
                "stage IS NULL AND stage_src = 'cell'",
                "stage",
                "stage_raw",
                "unknown emission stage; expected 0-6, d (electric), h (fuel cell) or X (none)",
            ),
            (
                "stage IS NULL AND stage_src IS NULL",
                "stage",
                "stage_raw",
                "no emission stage: 排放阶段 empty or X and neither the fuel type nor a new-energy plate "
                "shows electric; set [defaults] stage or [stages] in a mapping file",
            ),
        ]
    if kind == "meter":
        checks.append(("chain IS NULL", "meter_kind", "meter_raw", "cannot tell conveyor or pipeline"))
    checks += plausibility_checks(layout, s)
    if s.only_enterprise is not None:
        only = s.only_enterprise.strip().upper()
        checks.append(
            (
                f"enterprise_id IS NOT NULL AND enterprise_id <> {nz.quote(only)}",
                "enterprise_id",
                "enterprise_id",
                f"record of another enterprise; this import takes {only} only",
            )
        )
    ok = " OR ".join(f"coalesce({c}, FALSE)" for c, *_ in checks)

    # total rows (合计 / 小计) are counted apart, never rejected
    ok = f"is_total OR {ok}"
    checks = [(f"NOT is_total AND ({c})", col, r, why) for c, col, r, why in checks]
    # total rows (合计 / 小计): looked for only in rows without a timestamp or a plate (a real passage
    # has both), in the cells of the known fields and the file's first column (序号 ...)
    total_cells = [*_TOTAL_CELLS, *(f"_mark{i}" for i in range(len(marks)))]
    suspect = "(ts IS NULL OR plate IS NULL)"
    is_total = f"(CASE WHEN {suspect} THEN {nz.total_row_sql(total_cells)} ELSE FALSE END)"
    is_grand = f"(CASE WHEN {suspect} THEN {nz.grand_total_row_sql(total_cells)} ELSE FALSE END)"
    sql = f"""
        SELECT *, md5({key}) AS dedup_key FROM (
            SELECT *, {mode} AS mode, {station} AS station FROM (
                SELECT *, {chain} AS chain, {is_total} AS is_total, {is_grand} AS is_grand_total FROM ({base}) b
            ) c
        ) d"""
    sql = f"""
        SELECT *, NOT ({ok}) AS ok, {nz.quote(kind)} AS kind, {import_id} AS import_id,
            {nz.quote(layout.path.name)} AS src_file, _row AS src_row
        FROM ({sql}) e"""
    return sql, checks


def plausibility_checks(layout: FileLayout, s: IngestSettings) -> list[tuple[str, str, str, str]]:
    """Reject checks of values that would change a total silently: special numbers, implausible
    quantities per record kind, timestamps in the far future (``(condition, column, raw, reason)``)."""
    qty = layout.qty_field
    checks = [
        (
            "tonnes IS NOT NULL AND NOT isfinite(tonnes)",
            qty,
            "tonnes_raw",
            "quantity is not a finite number (nan / inf / too large)",
        )
    ]
    limit, what, setting = {
        "rail": (s.max_waybill_tonnes, "a rail waybill", "max_waybill_tonnes"),
        "meter": (
            (s.max_counter_tonnes, "a running-counter reading", "max_counter_tonnes")
            if layout.cumulative
            else (s.max_meter_tonnes, "a meter reading", "max_meter_tonnes")
        ),
    }.get(layout.kind, (None, "", ""))
    if limit is not None:
        checks.append(
            (
                f"isfinite(tonnes) AND tonnes > {limit!r}",
                qty,
                "tonnes_raw",
                f"quantity above {limit:,.0f} t is implausible for {what} (IngestSettings.{setting})",
            )
        )
    if s.max_future_days is not None:
        latest = datetime.now() + timedelta(days=s.max_future_days)
        checks.append(
            (
                f"isfinite(ts) AND ts > TIMESTAMP '{latest:%Y-%m-%d %H:%M:%S}'",
                "timestamp" if "timestamp" in layout.fields else "date",
                "ts_raw",
                f"timestamp more than {s.max_future_days:g} days after the import (after {latest:%Y-%m-%d})",
            )
        )
    return checks


#: values compared when a record's de-duplication key is already taken: they change totals, and
#: the key of a numbered waybill or of a meter reading does not hold them
_CONTENT = {
    "rail": "concat_ws('|', CAST(CAST({a}.ts AS DATE) AS VARCHAR), {a}.direction, CAST(round({a}.tonnes, 1) AS VARCHAR))",
    "meter": "CAST(round({a}.tonnes, 1) AS VARCHAR)",
}


def _reject_conflicts(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    st_rec: str,
    in_range: str,
    params: list[Any],
    reject_head: list[Any],
) -> int:
    """Move staged records whose key is taken by a record with other values to ``rejects``.

    A re-sent waybill with another date or weight (or a meter reading with another quantity) is a
    conflict for the bureau to settle, never a second record; the first one stays. Runs inside the
    merge transaction; returns the number of conflicting rows.
    """
    content = _CONTENT.get(kind)
    if content is None:
        return 0
    mine, theirs = content.format(a="s"), content.format(a="r")
    what = "waybill" if kind == "rail" else "reading"
    # each staged row is compared with the record already holding its key, else with the first row
    # of the file holding it
    first = f"(SELECT * FROM {st_rec} WHERE src_row IN (SELECT min(src_row) FROM {st_rec} GROUP BY dedup_key))"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _conflicts AS "
        f"WITH ledger AS (SELECT r.dedup_key, min(r.src_file) AS f, min(r.src_row) AS rr, min({theirs}) AS c "
        f"FROM records r WHERE {in_range} AND r.dedup_key IN (SELECT dedup_key FROM {st_rec}) GROUP BY r.dedup_key) "
        f"SELECT s.src_row, s.waybill_no, s.meter_id, {mine} AS mine, coalesce(l.f, s0.src_file) AS other_file, "
        f"coalesce(l.rr, s0.src_row) AS other_row, coalesce(l.c, {content.format(a='s0')}) AS theirs "
        f"FROM {st_rec} s JOIN {first} s0 ON s0.dedup_key = s.dedup_key "
        "LEFT JOIN ledger l ON l.dedup_key = s.dedup_key "
        f"WHERE {mine} <> coalesce(l.c, {content.format(a='s0')})",
        params,
    )
    n = _count(con, "SELECT count(*) FROM _conflicts")
    if n:
        con.execute(
            "INSERT INTO rejects (import_id, file_name, file_sha256, kind, src_row, column_name, value, reason) "
            f"SELECT ?, ?, ?, '{kind}', src_row, '{'waybill_no' if kind == 'rail' else 'meter_id'}', "
            f"coalesce({'waybill_no' if kind == 'rail' else 'meter_id'}, '') || ': ' || mine, "
            f"'conflicts with the {what} of ' || other_file || ' row ' || CAST(other_row AS VARCHAR) || ' (' "
            f"|| theirs || '): a re-send with other values is not counted; correct one of them' FROM _conflicts",
            reject_head,
        )
        con.execute(f"DELETE FROM {st_rec} WHERE src_row IN (SELECT src_row FROM _conflicts)")
    con.execute("DROP TABLE _conflicts")
    return n


def _ends_open(path: Path) -> bool:
    """Whether a non-empty file does not end with a line break (it may have been cut short)."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return False
        fh.seek(-1, 2)
        return fh.read(1) not in (b"\n", b"\r")
