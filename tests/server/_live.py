"""A live platform on loopback: uvicorn in a thread (or a subprocess) on a free port, driven with httpx.

Each platform runs over a DuckDB file or a PostgreSQL database (:class:`Backend`): the same tests on both.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from cleanfreight.server import ServerParams, create_app

PASSWORDS = {
    "chief": "bureau-pass-1",
    "cz01": "cz01-pass-123",
    "cz02": "cz02-pass-123",
    "gate-cz01": "gate-pass-123",
    "gate-cz02": "gate-pass-234",
}
ACCOUNTS = (
    ("chief", "bureau", None),
    ("cz01", "enterprise", "CZ01"),
    ("cz02", "enterprise", "CZ02"),
    ("gate-cz01", "device", "CZ01"),
    ("gate-cz02", "device", "CZ02"),
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_accounts(db: str | Path) -> None:
    from cleanfreight.server import add_user

    for name, role, ent in ACCOUNTS:
        add_user(db, name, PASSWORDS[name], role, ent)


@dataclass
class Backend:
    """Where a test platform keeps its ledger: ``duckdb`` (a file) or ``postgres`` (a database of the
    session's throw-away cluster; ``sample``: the database holding the sample, copied as a template)."""

    name: str
    pg: dict[str, Any] | None = None
    sample: str | None = None

    def new_db(self, tmp: Path, template: Path | None) -> str | Path:
        """A fresh ledger, a copy of the sample ledger when ``template`` is given."""
        if self.name == "duckdb":
            db = tmp / "platform.duckdb"
            if template is not None:
                shutil.copy(template, db)
            return db
        from tests._postgres import new_database

        assert self.pg is not None
        return new_database(self.pg, template=self.sample if template is not None else None)


DUCKDB = Backend("duckdb")


def db_rows(db: str | Path, sql: str, params: list[Any] | None = None, *,
            many: list[list[Any]] | None = None) -> list[tuple[Any, ...]]:
    """Run ``sql`` (``?`` markers) on a ledger database (for DuckDB: no server may hold the file);
    ``many``: once per row of parameters."""
    if isinstance(db, str) and db.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(db, autocommit=True) as con, con.cursor() as cur:
            if many is not None:
                cur.executemany(sql.replace("?", "%s"), many)
                return []
            cur.execute(sql.replace("?", "%s"), params or [])
            return list(cur.fetchall()) if cur.description else []
    import duckdb

    duck = duckdb.connect(str(db))
    try:
        if many is not None:
            duck.executemany(sql, many)
            return []
        return duck.execute(sql, params or []).fetchall()
    finally:
        duck.close()


@dataclass
class LiveServer:
    """A platform served by uvicorn in a thread of the test process."""

    settings: ServerParams
    _server: Any = None
    _thread: threading.Thread | None = None
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def start(self) -> LiveServer:
        import uvicorn

        config = uvicorn.Config(create_app(self.settings), host="127.0.0.1", port=self.settings.port,
                                log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        started = threading.Event()
        while not started.wait(0.05):  # uvicorn sets .started once it listens
            if self._server.started:
                started.set()
            elif not self._thread.is_alive():
                raise RuntimeError("the server thread ended before listening")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join()

    def client(self, **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, **kw)

    def token(self, user: str) -> str:
        if user not in self._tokens:
            with self.client() as c:
                r = c.post("/api/v1/token", json={"username": user, "password": PASSWORDS[user]})
                r.raise_for_status()
                self._tokens[user] = r.json()["access_token"]
        return self._tokens[user]

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user)}"}

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run ``sql`` on the platform's database; a DuckDB server is stopped first (one process per file)."""
        if not str(self.settings.db).startswith("postgresql://"):
            self.stop()
        return db_rows(self.settings.db, sql, params)


def start_server(db_template: Path | None, tmp: Path, backend: Backend = DUCKDB, **settings: Any) -> LiveServer:
    """Copy the ledger (if any), add the test accounts, and serve it on a free port."""
    db = backend.new_db(tmp, db_template)
    add_accounts(db)
    s = ServerParams(db=db, port=free_port(), **settings)
    return LiveServer(s).start()


@dataclass
class ServerProcess:
    """``cleanfreight serve`` as a child process (for SIGKILL tests)."""

    db: str | Path
    port: int
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        exe = Path(sys.executable).with_name("cleanfreight")
        err = self.log.open("ab") if self.log is not None else None
        try:
            self.proc = subprocess.Popen(
                [str(exe), "serve", "--db", str(self.db), "--port", str(self.port), "--roster", "sample"],
                stdout=subprocess.DEVNULL, stderr=err or subprocess.DEVNULL, env={**os.environ},
            )
        finally:
            if err is not None:
                err.close()  # the child holds its own copy
        with httpx.Client(base_url=self.url, timeout=5) as c:
            while True:  # until it answers; the child dying ends the wait with an error
                if self.proc.poll() is not None:
                    tail = self.log.read_text(errors="replace")[-2000:] if self.log is not None else ""
                    raise RuntimeError(f"cleanfreight serve exited with {self.proc.returncode}: {tail}")
                try:
                    c.get("/login")
                    return self
                except httpx.TransportError:
                    threading.Event().wait(0.1)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def web_login(client: httpx.Client, user: str, password: str | None = None) -> httpx.Response:
    """Log in through the login form (CSRF token from the page and its cookie), as a browser does."""
    import re

    page = client.get("/login")
    m = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert m, page.text[:500]
    return client.post("/login", data={"username": user, "password": password or PASSWORDS[user], "csrf": m[1]})
