"""Importing gate records, rail waybills and conveyor / pipeline meter readings into the ledger.

How a file is imported
----------------------
1. The file is inspected (format, encoding, header row, which column is which field, unit, kind)
   and every problem of every file is reported before anything is written.
2. Its rows are read in chunks (``IngestParams.chunk_rows``), so memory does not grow with the
   file. Each chunk is normalised by SQL inside DuckDB (plates, stages, directions, units,
   timestamps, cargo -> commodity, mode).
3. Each chunk is committed to the file's staging tables (``stage_records_<id>``,
   ``stage_rejects_<id>``); then **one transaction** merges the file: rows that failed a check go to
   ``rejects`` (file, row, column, value, reason), the others are appended to ``records`` unless
   their **de-duplication key** is already there, and the ``imports`` row becomes ``complete``.
4. A killed import leaves ``records`` and ``rejects`` as before the file; the next run discards the
   leftover staging tables and imports the file again.

The ledger may live in a DuckDB file or on a PostgreSQL server: steps 1-3 run in DuckDB either way
(for a server, an in-memory one), with the same query (:mod:`cleanfreight.ledger._rules`); for a
server, the merge runs in a server transaction that writes its outcome with ``ON CONFLICT (dedup_key)
DO NOTHING`` (:mod:`cleanfreight.ledger._write`).

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
from cleanfreight.ledger._csv import READER_REJECTS
from cleanfreight.ledger._db import ServerConnection, connect_server, connection, is_server, is_server_url
from cleanfreight.ledger._readers import ColumnMapping, FileLayout, inspect_file, iter_chunks, load_mapping
from cleanfreight.ledger._rules import IngestParams, normalise_select
from cleanfreight.ledger._write import (
    DuckTarget,
    ServerTarget,
    abandon,
    cleanup_stale,
    count,
    merge_counters,
    reject_conflicts,
    stage_table,
    transaction,
)
from cleanfreight.ledger.cargo import CargoMap, load_cargo_map
from cleanfreight.ledger.schema import RECORD_COLUMNS

if TYPE_CHECKING:
    import duckdb

__all__ = ["FileResult", "IngestParams", "IngestResult", "default_station_names", "ingest"]

logger = logging.getLogger(__name__)

#: main Changzhi freight stations, used when the sample ``stations.csv`` is not available
_FALLBACK_STATIONS = ("长治北", "长治", "长治东", "长治南", "长子", "长子南")




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
        """The result as JSON: ``inputs`` lists each file read; ``files`` is the same list under its
        older name (deprecated: elsewhere ``files`` names the files a command wrote)."""
        inputs = [f.as_dict() for f in self.files]
        return {
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "totals": self.totals,
            "inputs": inputs,
            "files": inputs,
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
    db: str | Path | duckdb.DuckDBPyConnection | ServerConnection,
    files: Sequence[str | Path],
    *,
    enterprise: str | None = None,
    mapping: ColumnMapping | str | Path | None = None,
    settings: IngestParams | None = None,
    enterprise_names: dict[str, str] | None = None,
    on_chunk: Callable[[str, int], None] | None = None,
    cargo_map: CargoMap | str | Path | None = None,
    direction: str | None = None,
) -> IngestResult:
    """Import ledger export files into the ledger database.

    Parameters
    ----------
    db
        Ledger database file (created if missing), an open DuckDB connection, a ``postgresql://``
        address or an open PostgreSQL connection (psycopg): the same rules either way, see
        :mod:`cleanfreight.ledger._write`. On a PostgreSQL connection the import commits.
    files
        CSV (UTF-8, UTF-8 with BOM, GBK, GB18030) or XLSX exports, or folders of them.
    enterprise
        Enterprise id for files without an enterprise column (a column value wins when present).
    mapping
        A :class:`ColumnMapping` or the TOML / YAML file of one, for exports whose headers the
        built-in Chinese / English aliases do not cover.
    settings
        :class:`IngestParams`; defaults when ``None``.
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
    s = settings or IngestParams()
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
    server: Any = None
    owned = False
    if isinstance(db, str | Path) and is_server_url(str(db)):
        server, owned = connect_server(str(db)), True
    elif is_server(db):
        server = db
    target: DuckTarget | ServerTarget
    if server is not None:
        target = ServerTarget(server)
    else:
        con, owned = connection(db)
        target = DuckTarget(con)
    try:
        cleanup_stale(target.work)
        results = []
        for layout in layouts:
            results.append(
                _ingest_file(target, layout, m, enterprise, s, stations, enterprise_names or {}, on_chunk, cmap)
            )
        return IngestResult(tuple(results))
    finally:
        target.close()
        if owned:
            (server if server is not None else target.work).close()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _ingest_file(
    target: DuckTarget | ServerTarget,
    layout: FileLayout,
    m: ColumnMapping,
    enterprise: str | None,
    s: IngestParams,
    stations: list[str],
    names: dict[str, str],
    on_chunk: Callable[[str, int], None] | None,
    cmap: CargoMap,
) -> FileResult:
    """Stage the file chunk by chunk (each chunk committed), then merge it in one transaction.

    Nothing reaches ``records`` or ``rejects`` before the merge, so an import killed while staging
    leaves the ledger as it was; the next run discards the staging tables and starts the file anew.
    """
    con = target.work
    t0 = time.perf_counter()
    started = datetime.now()
    fname = layout.path.name
    sha = _sha256(layout.path)
    record_cols = ", ".join(c for c, _ in RECORD_COLUMNS)
    reject_cols = "import_id, file_name, file_sha256, kind, src_row, column_name, value, reason"
    with transaction(con):
        import_id = target.next_import_id()
        st_rec, st_rej = stage_table(import_id, "records"), stage_table(import_id, "rejects")
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, 'staging')",
            [import_id, fname, sha, layout.kind, enterprise, layout.encoding, layout.unit, started, started],
        )
        con.execute(f"CREATE TABLE {st_rec} AS SELECT {record_cols} FROM records LIMIT 0")
        con.execute(f"CREATE TABLE {st_rej} AS SELECT {reject_cols} FROM rejects LIMIT 0")
    norm_sql, checks = normalise_select(layout, m, enterprise, s, stations, names, import_id, cmap)
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
            with transaction(con):
                if unread:
                    con.executemany(
                        f"INSERT INTO {st_rej} ({reject_cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [[import_id, fname, sha, layout.kind, r, col, val, why] for r, col, val, why in unread],
                    )
                con.register("_chunk", chunk)
                con.execute(f"CREATE OR REPLACE TEMP TABLE _norm AS {norm_sql}")
                con.unregister("_chunk")
                blank += n_chunk - count(con, "SELECT count(*) FROM _norm")
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
                rejected += count(con, "SELECT count(*) FROM _norm WHERE NOT ok AND NOT is_total")
                valid += count(con, "SELECT count(*) FROM _norm WHERE ok")
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
            if on_chunk is not None:
                on_chunk(str(layout.path), rows)
    except BaseException:
        abandon(con)
        raise
    # merge: one transaction (on a server: in a server transaction holding the merge lock)
    with target.merging(), transaction(con):
        target.seed(st_rec, layout.cumulative)
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
            accepted, resets = merge_counters(con, st_rec)
        else:
            lo, hi = con.execute(f"SELECT min(ts), max(ts) FROM {st_rec}").fetchone() or (None, None)
            # a waybill number is one waybill whatever date it is sent with: look at the whole ledger
            in_range = "TRUE" if layout.kind == "rail" else "r.ts BETWEEN ? AND ?"
            params = [] if layout.kind == "rail" else [lo, hi]
            conflicts = reject_conflicts(con, layout.kind, st_rec, in_range, params, [import_id, fname, sha])
            rejected += conflicts
            before = count(con, "SELECT count(*) FROM records")
            con.execute(
                f"INSERT INTO records ({record_cols}) SELECT {record_cols} FROM {st_rec} s "
                f"WHERE s.src_row IN (SELECT min(src_row) FROM {st_rec} GROUP BY dedup_key) "
                f"AND NOT EXISTS (SELECT 1 FROM records r WHERE {in_range} AND r.dedup_key = s.dedup_key)",
                params,
            )
            accepted = count(con, "SELECT count(*) FROM records") - before
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
            n_rows = count(con, f"SELECT count(*) FROM {st_rej} WHERE reason LIKE 'no emission stage%'")
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
        import_id, added = target.publish(import_id, sha, enterprise, layout.cumulative)
        if added is not None and not layout.cumulative and added != accepted:
            duplicates, accepted = duplicates + accepted - added, added
        con.execute(f"DROP TABLE {st_rec}")
        con.execute(f"DROP TABLE {st_rej}")
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


def _ends_open(path: Path) -> bool:
    """Whether a non-empty file does not end with a line break (it may have been cut short)."""
    with path.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return False
        fh.seek(-1, 2)
        return fh.read(1) not in (b"\n", b"\r")
