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
  direction | tonnes``);
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
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger import _normalise as nz
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
    min_year, max_year
        Timestamps outside these years are rejected.
    stations
        Names or ids of rail freight stations: a truck whose origin or destination is one of them is
        the short-haul leg of a rail chain. ``None``: the stations of the sample network.
    only_enterprise
        Accept rows of this enterprise only: a row whose enterprise column names another one is
        rejected (an enterprise uploading its own exports through the platform).
    """

    chunk_rows: int = 200_000
    max_truck_tonnes: float = 100.0
    min_year: int = 2000
    max_year: int = 2100
    stations: tuple[str, ...] | None = None
    only_enterprise: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.chunk_rows < 1:
            problems.append(Problem("must be >= 1", column="chunk_rows", value=self.chunk_rows))
        if self.max_truck_tonnes <= 0:
            problems.append(Problem("must be > 0", column="max_truck_tonnes", value=self.max_truck_tonnes))
        if self.min_year > self.max_year:
            problems.append(
                Problem("min_year must not exceed max_year", column="min_year", value=self.min_year)
            )
        if problems:
            raise InputError("invalid ingest settings", problems)


@dataclass(frozen=True, slots=True)
class FileResult:
    """Outcome of importing one file."""

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
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    cumulative: bool = False
    counter_resets: int = 0

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
            "warnings": list(self.warnings),
            "seconds": round(self.seconds, 3),
            "cumulative": self.cumulative,
            "counter_resets": self.counter_resets,
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

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
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
    for f in map(Path, files):
        if f.is_dir():  # a folder: its CSV and XLSX files, in name order
            paths += sorted(p for p in f.iterdir() if p.suffix.lower() in (".csv", ".xlsx", ".xlsm"))
        else:
            paths.append(f)
    problems: list[Problem] = []
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
    rows = rejected = valid = blank = 0
    warnings: list[str] = []
    try:
        for chunk in iter_chunks(layout, s.chunk_rows, m.sheet):
            n_chunk = len(chunk)
            rows += n_chunk
            con.execute("BEGIN TRANSACTION")
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
            rejected += _count(con, "SELECT count(*) FROM _norm WHERE NOT ok")
            valid += _count(con, "SELECT count(*) FROM _norm WHERE ok")
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
        con.execute("DELETE FROM rejects WHERE file_sha256 = ?", [sha])
        con.execute(f"INSERT INTO rejects ({reject_cols}) SELECT {reject_cols} FROM {st_rej}")
        resets = 0
        if layout.cumulative:
            accepted, resets = _merge_counters(con, st_rec)
        else:
            lo, hi = con.execute(f"SELECT min(ts), max(ts) FROM {st_rec}").fetchone() or (None, None)
            before = _count(con, "SELECT count(*) FROM records")
            con.execute(
                f"INSERT INTO records ({record_cols}) SELECT {record_cols} FROM {st_rec} s "
                f"WHERE s.src_row IN (SELECT min(src_row) FROM {st_rec} GROUP BY dedup_key) "
                "AND NOT EXISTS (SELECT 1 FROM records r WHERE r.ts BETWEEN ? AND ? AND r.dedup_key = s.dedup_key)",
                [lo, hi],
            )
            accepted = _count(con, "SELECT count(*) FROM records") - before
        duplicates = valid - accepted
        if resets:
            warnings.append(
                f"{resets} counter reset(s): no quantity derived for those intervals (see the counter_reset check)"
            )
        con.execute(
            "UPDATE imports SET rows_read = ?, accepted = ?, rejected = ?, duplicates = ?, finished_at = ?, "
            "status = 'complete' WHERE import_id = ?",
            [rows - blank, accepted, rejected, duplicates, datetime.now(), import_id],
        )
        con.execute(f"DROP TABLE {st_rec}")
        con.execute(f"DROP TABLE {st_rej}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    secs = time.perf_counter() - t0
    logger.info(
        "%s: %d rows, %d accepted, %d rejected, %d duplicates (%.1f s)",
        fname,
        rows - blank,
        accepted,
        rejected,
        duplicates,
        secs,
    )
    return FileResult(
        file=str(layout.path),
        kind=layout.kind,
        encoding=layout.encoding,
        unit=layout.unit,
        rows=rows - blank,
        accepted=accepted,
        rejected=rejected,
        duplicates=duplicates,
        blank=blank,
        import_id=import_id,
        columns=dict(layout.fields),
        ignored_columns=layout.ignored,
        warnings=tuple(warnings),
        seconds=secs,
        cumulative=layout.cumulative,
        counter_resets=resets,
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

    def raw(name: str) -> str:
        if name in fields:
            return f'CAST("{name}" AS VARCHAR)'
        if name in m.defaults:
            return nz.quote(m.defaults[name])
        return "CAST(NULL AS VARCHAR)"

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
    stage = nz.stage_sql(raw("stage"))
    origin_st = nz.in_list_sql(nz.place_key_sql(raw("origin")), stations)
    dest_st = nz.in_list_sql(nz.place_key_sql(raw("destination")), stations)
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
            {stage} AS stage, {raw("stage")} AS stage_raw,
            {text("vin")} AS vin, {text("engine_no")} AS engine_no, {text("reg_date")} AS reg_date,
            {text("fleet")} AS fleet, {text("origin")} AS origin, {text("destination")} AS destination,
            {text("waybill_no")} AS waybill_no, {text("meter_id")} AS meter_id,
            coalesce({raw("meter_kind")}, {raw("meter_id")}) AS meter_raw,
            {text("spur")} AS spur_txt, {text("station")} AS station_txt,
            {origin_st} AS origin_is_station, {dest_st} AS dest_is_station
        FROM _chunk LEFT JOIN _cm ON {raw("cargo")} = _cm._cargo_raw WHERE {nonblank}"""
    # cargo -> commodity once per distinct name of the chunk, not once per row
    cargo_map = (
        f"SELECT _cargo_raw, {(cmap or CargoMap()).sql('_cargo_raw')} AS _commodity "
        f"FROM (SELECT DISTINCT {raw('cargo')} AS _cargo_raw FROM _chunk) d"
    )
    base = f"WITH _cm AS ({cargo_map}) {base}"
    checks: list[tuple[str, str, str, str]] = [
        ("ts IS NULL", ts_col, "ts_raw", "unreadable or missing timestamp"),
        (
            f"ts IS NOT NULL AND (year(ts) < {s.min_year} OR year(ts) > {s.max_year})",
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
                f"tonnes > {s.max_truck_tonnes}",
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
            ("stage IS NULL", "stage", "stage_raw", "unknown emission stage; expected 0-6 or d (electric)"),
        ]
    if kind == "meter":
        checks.append(("chain IS NULL", "meter_kind", "meter_raw", "cannot tell conveyor or pipeline"))
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
    sql = f"""
        SELECT *, md5({key}) AS dedup_key FROM (
            SELECT *, {mode} AS mode, {station} AS station FROM (
                SELECT *, {chain} AS chain FROM ({base}) b
            ) c
        ) d"""
    sql = f"""
        SELECT *, NOT ({ok}) AS ok, {nz.quote(kind)} AS kind, {import_id} AS import_id,
            {nz.quote(layout.path.name)} AS src_file, _row AS src_row
        FROM ({sql}) e"""
    return sql, checks
