"""The platform's own tables (accounts, tokens, audit log, heartbeats, passage serials, passages waiting for
their cargo) and the shared connection.

They live in the ledger's DuckDB file beside the ledger's tables, each named ``srv_*``; only this
package reads or writes them. DuckDB takes one writer per file, so the platform holds one
connection and serialises every use of it with a lock (:meth:`Store.use`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleanfreight.server import _ledger

if TYPE_CHECKING:
    import duckdb

logger = logging.getLogger(__name__)

_DDL = (
    """CREATE TABLE IF NOT EXISTS srv_users (
        name VARCHAR PRIMARY KEY,
        role VARCHAR NOT NULL,
        enterprise_id VARCHAR,
        pw_hash VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        disabled BOOLEAN NOT NULL DEFAULT FALSE
    )""",
    """CREATE TABLE IF NOT EXISTS srv_tokens (
        token_hash VARCHAR PRIMARY KEY,
        username VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        csrf VARCHAR,
        created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL
    )""",
    "CREATE SEQUENCE IF NOT EXISTS srv_audit_seq",
    """CREATE TABLE IF NOT EXISTS srv_audit (
        id BIGINT PRIMARY KEY DEFAULT nextval('srv_audit_seq'),
        ts TIMESTAMP NOT NULL,
        username VARCHAR,
        action VARCHAR NOT NULL,
        target VARCHAR,
        detail VARCHAR,
        client VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS srv_heartbeats (
        enterprise_id VARCHAR NOT NULL,
        gate VARCHAR NOT NULL,
        last_seen TIMESTAMP NOT NULL,
        status VARCHAR,
        username VARCHAR,
        PRIMARY KEY (enterprise_id, gate)
    )""",
    """CREATE TABLE IF NOT EXISTS srv_heartbeat_log (
        enterprise_id VARCHAR NOT NULL,
        gate VARCHAR NOT NULL,
        ts TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS srv_pending (
        serial VARCHAR PRIMARY KEY,
        enterprise_id VARCHAR NOT NULL,
        gate VARCHAR,
        received_at TIMESTAMP NOT NULL,
        username VARCHAR NOT NULL,
        record VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS srv_passages (
        serial VARCHAR PRIMARY KEY,
        enterprise_id VARCHAR NOT NULL,
        gate VARCHAR,
        received_at TIMESTAMP NOT NULL,
        username VARCHAR NOT NULL,
        import_id INTEGER
    )""",
)


class Store:
    """The ledger file, opened once, with the platform's tables created in it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._con: duckdb.DuckDBPyConnection = _ledger.open_store(self.path)
        self._lock = threading.RLock()
        for stmt in _DDL:
            self._con.execute(stmt)

    @contextlib.contextmanager
    def use(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection, for this thread alone until the ``with`` block ends."""
        with self._lock:
            yield self._con

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with self.use() as con:
            return con.execute(sql, params or []).fetchall()

    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        with self.use() as con:
            con.execute(sql, params or [])

    def audit(
        self, username: str | None, action: str, target: str | None = None, detail: str | None = None,
        client: str | None = None,
    ) -> None:
        """Append one line to the audit log (who uploaded or changed what, when, from where)."""
        self.execute(
            "INSERT INTO srv_audit (ts, username, action, target, detail, client) VALUES (?, ?, ?, ?, ?, ?)",
            [datetime.now(), username, action, target, detail, client],
        )

    def close(self) -> None:
        with self._lock:
            self._con.close()
