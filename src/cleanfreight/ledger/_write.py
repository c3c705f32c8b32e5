"""Where an import writes: staging tables, the merge transaction, and the database the ledger lives in.

An import always stages, normalises and merges in DuckDB (:mod:`cleanfreight.ledger._rules` builds
the normalising query), so the rules are the same whatever the ledger's database:

- a **DuckDB ledger** (:class:`DuckTarget`) is that DuckDB: the file's rows are staged in tables of
  the ledger file, then merged in one transaction (rows whose de-duplication key is taken are
  counted as duplicates, by an anti-join);
- a **PostgreSQL ledger** (:class:`ServerTarget`) is reached through an in-memory DuckDB (``work``):
  the file is staged there; for the merge, a transaction on the server takes the ledger's advisory
  lock (concurrent importers merge one after the other), copies the server's records that share a
  key with the staged rows into ``work`` (and, for running counters, the readings of the series the
  file touches), runs the very same merge in ``work``, and writes its outcome (the ``imports`` row,
  the rejects, the new records with ``INSERT ... ON CONFLICT (dedup_key) DO NOTHING``) to the server
  before committing. A killed import leaves nothing on the server.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from cleanfreight.ledger._db import ServerConnection
from cleanfreight.ledger.schema import READING_COLUMNS, RECORD_COLUMNS

if TYPE_CHECKING:
    import duckdb

__all__ = ["DuckTarget", "ServerTarget", "abandon", "cleanup_stale", "count", "merge_counters",
           "reject_conflicts", "stage_table", "transaction"]

logger = logging.getLogger(__name__)

#: key of the PostgreSQL advisory lock held while an import merges (one merge at a time per database)
MERGE_LOCK = 0x6C65646765


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """``BEGIN`` ... ``COMMIT`` on DuckDB; ``ROLLBACK`` when the block raises (the one rollback block)."""
    import duckdb

    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # the error may have ended the transaction already
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def stage_table(import_id: int, what: str) -> str:
    """Name of an import's staging table (``what``: ``records`` or ``rejects``)."""
    return f"stage_{what}_{'m' if import_id < 0 else ''}{abs(import_id)}"


def cleanup_stale(con: duckdb.DuckDBPyConnection) -> None:
    """Remove what a killed import left in staging (``imports.status = 'staging'``)."""
    stale = [
        int(r[0]) for r in con.execute("SELECT import_id FROM imports WHERE status = 'staging'").fetchall()
    ]
    if not stale:
        return
    logger.warning("discarding %d unfinished import(s) left by an interrupted run: %s", len(stale), stale)
    with transaction(con):
        for import_id in stale:
            con.execute(f"DROP TABLE IF EXISTS {stage_table(import_id, 'records')}")
            con.execute(f"DROP TABLE IF EXISTS {stage_table(import_id, 'rejects')}")
        con.execute("DELETE FROM imports WHERE status = 'staging'")


def abandon(con: duckdb.DuckDBPyConnection) -> None:
    """After a failure while staging (the chunk's transaction rolled back): discard the staged file."""
    import duckdb

    try:
        cleanup_stale(con)
    except duckdb.Error as exc:  # pragma: no cover - the next run cleans up
        logger.warning("could not discard the staged import: %s", exc)


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


class DuckTarget:
    """A DuckDB ledger: staging, merge and records all in the ledger's own connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.work = con

    def next_import_id(self) -> int:
        """The id of a new import (called inside the transaction that inserts its ``imports`` row)."""
        return count(self.work, "SELECT coalesce(max(import_id), 0) + 1 FROM imports")

    @contextlib.contextmanager
    def merging(self) -> Iterator[None]:
        """Around the merge transaction: nothing to add for DuckDB (the file takes one writer)."""
        yield

    def seed(self, st_rec: str, cumulative: bool) -> None:
        """The records a merge compares with are already here."""

    def publish(self, import_id: int, sha: str, enterprise: str | None, cumulative: bool) -> tuple[int, int | None]:
        """The merge wrote the ledger itself: ``(import id, None)``."""
        return import_id, None

    def close(self) -> None:
        """Nothing to close: the connection is the caller's."""


class ServerTarget:
    """A PostgreSQL ledger, imported into through an in-memory DuckDB (see the module's text).

    Import ids are negative in ``work`` (never a stored id) and become the server's next free ids
    when an import is written there.
    """

    def __init__(self, server: ServerConnection) -> None:
        from cleanfreight.ledger._db import open_ledger

        self.server: Any = server
        self.work = open_ledger(":memory:", memory_limit="512MB")
        self._next = -1
        self._final: dict[int, int] = {}  # work id -> server id

    def next_import_id(self) -> int:
        self._next -= 1
        return self._next + 1

    @contextlib.contextmanager
    def merging(self) -> Iterator[None]:
        """A server transaction holding the merge lock: seed, merge in ``work``, publish, commit."""
        with self.server.transaction():
            self._sql("SELECT pg_advisory_xact_lock(%s)", [MERGE_LOCK])
            yield
        if not getattr(self.server, "autocommit", True):
            self.server.commit()  # a connection in a transaction of the caller's: the import commits

    def _sql(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.server.cursor() as cur:
            cur.execute(sql, list(params))
            return list(cur.fetchall()) if cur.description else []

    def _copy_in(self, table: str, cols: list[str], sql: str, params: list[Any]) -> int:
        """Append the rows of a ``work`` query to a ``work`` table; returns how many."""
        import pandas as pd

        rows = self._sql(sql, params)
        if not rows:
            return 0
        df = pd.DataFrame(rows, columns=cols)
        self.work.register("_seed", df)
        try:
            self.work.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _seed")
        finally:
            self.work.unregister("_seed")
        return len(rows)

    def seed(self, st_rec: str, cumulative: bool) -> None:
        """Copy the server's records sharing a key with the staged rows (and, for running counters, the
        readings of every series the file touches and their records) into ``work``."""
        rcols = [c for c, _ in RECORD_COLUMNS]
        if cumulative:
            series = self.work.execute(
                f"SELECT DISTINCT enterprise_id, coalesce(meter_id, ''), direction FROM {st_rec}"
            ).fetchall()
            mcols = [c for c, _ in READING_COLUMNS]
            for ent, meter, direction in series:
                self._copy_in(
                    "meter_readings", mcols,
                    f"SELECT {', '.join(mcols)} FROM meter_readings WHERE enterprise_id = %s "
                    "AND coalesce(meter_id, '') = %s AND direction = %s",
                    [ent, meter, direction],
                )
            keys_sql = "SELECT dedup_key FROM meter_readings"
        else:
            keys_sql = f"SELECT DISTINCT dedup_key FROM {st_rec}"
        keys = [r[0] for r in self.work.execute(
            f"{keys_sql} EXCEPT SELECT dedup_key FROM records").fetchall()]
        for i in range(0, len(keys), 10_000):
            self._copy_in("records", rcols, f"SELECT {', '.join(rcols)} FROM records WHERE dedup_key = ANY(%s)",
                          [keys[i : i + 10_000]])

    def _push(self, table: str, cols: list[str], where: str, params: list[Any], conflict: str = "") -> int:
        """Write ``work`` rows of ``table`` (ids mapped to the server's) to the server; returns rows added."""
        rows = self.work.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE {where}", params).fetchall()
        if not rows:
            return 0
        at = cols.index("import_id")
        fixed = [(*r[:at], self._final.get(int(r[at]), r[at]), *r[at + 1 :]) for r in rows]
        names = ", ".join(cols)
        self._sql(f"CREATE TEMP TABLE IF NOT EXISTS _push_{table} (LIKE {table}) ON COMMIT DROP")
        self._sql(f"TRUNCATE _push_{table}")
        with self.server.cursor() as cur, cur.copy(f"COPY _push_{table} ({names}) FROM STDIN") as cp:
            for r in fixed:
                cp.write_row(r)
        with self.server.cursor() as cur:
            cur.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _push_{table}{conflict}")
            return int(cur.rowcount)

    def publish(self, import_id: int, sha: str, enterprise: str | None, cumulative: bool) -> tuple[int, int | None]:
        """Write the merged import to the server (inside :meth:`merging`); ``(server id, records added)``."""
        row = self._sql("SELECT coalesce(max(import_id), 0) + 1 FROM imports")
        final = int(row[0][0]) if row else 1
        self._final[import_id] = final
        # the rejects of an earlier import of the same bytes for the same enterprise are replaced
        self._sql(
            "DELETE FROM rejects WHERE file_sha256 = %s AND import_id IN (SELECT import_id FROM imports "
            "WHERE file_sha256 = %s AND upper(trim(enterprise_id)) IS NOT DISTINCT FROM upper(trim(%s)))",
            [sha, sha, enterprise],
        )
        icols = [r[0] for r in self.work.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'imports' "
            "ORDER BY ordinal_position").fetchall()]
        self._push("imports", icols, "import_id = ?", [import_id])
        jcols = ["import_id", "file_name", "file_sha256", "kind", "src_row", "column_name", "value", "reason"]
        self._push("rejects", jcols, "import_id = ?", [import_id])
        rcols = [c for c, _ in RECORD_COLUMNS]
        on_key = " ON CONFLICT (dedup_key) DO NOTHING"
        if not cumulative:
            added = self._push("records", rcols, "import_id = ?", [import_id], on_key)
            accepted = count(self.work, f"SELECT count(*) FROM records WHERE import_id = {import_id}")
            if added != accepted:  # a record another importer committed meanwhile: a duplicate
                self._sql("UPDATE imports SET accepted = %s, duplicates = duplicates + %s WHERE import_id = %s",
                          [added, accepted - added, final])
            return final, added
        mcols = [c for c, _ in READING_COLUMNS]
        added = self._push("meter_readings", mcols, "import_id = ?", [import_id], on_key)
        # the records derived from the touched series were derived again in work: replace them
        keys = [r[0] for r in self.work.execute("SELECT dedup_key FROM meter_readings").fetchall()]
        self._sql("DELETE FROM records WHERE dedup_key = ANY(%s)", [keys])
        self._push("records", rcols, "dedup_key IN (SELECT dedup_key FROM meter_readings)", [], on_key)
        return final, added

    def close(self) -> None:
        self.work.close()


def merge_counters(con: duckdb.DuckDBPyConnection, st_rec: str) -> tuple[int, int]:
    """Add a file's counter readings and re-derive the records of every meter series it touches.

    Runs inside the merge transaction. Returns ``(readings added, resets among the file's readings)``.
    """
    rcols = [c for c, _ in READING_COLUMNS]
    src = ", ".join("tonnes" if c == "reading" else c for c in rcols)
    before = count(con, "SELECT count(*) FROM meter_readings")
    con.execute(
        f"INSERT INTO meter_readings ({', '.join(rcols)}) SELECT {src} FROM {st_rec} s "
        f"WHERE s.src_row IN (SELECT min(src_row) FROM {st_rec} GROUP BY dedup_key) "
        "AND NOT EXISTS (SELECT 1 FROM meter_readings r WHERE r.dedup_key = s.dedup_key)"
    )
    added = count(con, "SELECT count(*) FROM meter_readings") - before
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
    resets = count(
        con,
        f"SELECT count(*) FROM _deltas WHERE reading < prev AND dedup_key IN (SELECT dedup_key FROM {st_rec})",
    )
    con.execute("DROP TABLE _deltas")
    return added, resets


#: the previous reading of the same meter series (standard SQL: DuckDB and PostgreSQL)
_PREV_READING = (
    "lag(reading) OVER (PARTITION BY enterprise_id, coalesce(meter_id, ''), direction ORDER BY ts)"
)





#: values compared when a record's de-duplication key is already taken: they change totals, and
#: the key of a numbered waybill or of a meter reading does not hold them
_CONTENT = {
    "rail": "concat_ws('|', CAST(CAST({a}.ts AS DATE) AS VARCHAR), {a}.direction, CAST(round({a}.tonnes, 1) AS VARCHAR))",
    "meter": "CAST(round({a}.tonnes, 1) AS VARCHAR)",
}


def reject_conflicts(
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
    n = count(con, "SELECT count(*) FROM _conflicts")
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
