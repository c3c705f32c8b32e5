"""The platform's own tables (accounts, tokens, audit log, heartbeats, passage serials, passages waiting for
their cargo) and the shared connection.

They live in the ledger's database (a DuckDB file or a PostgreSQL database) beside the ledger's
tables, each named ``srv_*``; only this package reads or writes them, through the ledger's front
(:meth:`cleanfreight.ledger.Ledger.query` ...; the same SQL on both databases). DuckDB takes one
writer per file, so a platform process holds one connection and serialises every use of it with a lock
(:meth:`Store.use`); on PostgreSQL several platform processes may share the database, each write
being a transaction of its own.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from cleanfreight.server import _ledger
from cleanfreight.server._ledger import Ledger

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


#: PostgreSQL advisory lock taken while the platform's tables are created (several workers may start at once)
_DDL_LOCK = 0x7372765F646466


class Store:
    """The ledger (a DuckDB file or a PostgreSQL database), opened once, with the platform's tables in it.

    Parameters
    ----------
    db
        A DuckDB file (created when missing) or a ``postgresql://`` address.
    wait
        Seconds to wait for another process holding a DuckDB file (DuckDB takes one writer per file).
    """

    def __init__(self, db: str | Path, *, wait: float = 0.0) -> None:
        self.db = db
        self.ledger: Ledger = _ledger.open_store(db, wait=wait)
        self._lock = threading.RLock()
        with self.transaction() as led:
            if led.on_server:
                led.execute("SELECT pg_advisory_xact_lock(?)", [_DDL_LOCK])
            for stmt in _DDL:
                led.execute(stmt)

    @property
    def on_server(self) -> bool:
        """Whether the store is a PostgreSQL database (several platform processes may share it)."""
        return self.ledger.on_server

    @contextlib.contextmanager
    def use(self) -> Iterator[Ledger]:
        """The ledger, for this thread alone until the ``with`` block ends."""
        with self._lock:
            yield self.ledger

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Ledger]:
        """The ledger, for this thread alone, in a transaction (committed at the end, rolled back on error)."""
        with self._lock, self.ledger.transaction() as led:
            yield led

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Rows of a query on the platform's tables (``?`` markers)."""
        with self.use() as led:
            return led.query(sql, params or [])

    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        with self.use() as led:
            led.execute(sql, params or [])

    def executemany(self, sql: str, rows: list[list[Any]]) -> None:
        with self.use() as led:
            led.executemany(sql, rows)

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
            self.ledger.close()
