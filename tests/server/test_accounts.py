"""Accounts, settings and the `cleanfreight users add` / `serve` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from cleanfreight.cli import app
from cleanfreight.errors import InputError
from cleanfreight.server import ServerParams, add_user


def test_settings_gather_every_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        ServerParams(db=tmp_path / "x.duckdb", host="example.org", port=70000, token_ttl_s=0, lang="fr")
    cols = [p.column for p in err.value.problems]
    assert cols == ["host", "port", "token_ttl_s", "lang"]
    s = ServerParams(db=str(tmp_path / "x.duckdb"))  # type: ignore[arg-type]
    assert isinstance(s.db, Path)


def test_add_user_validates_and_hashes(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    with pytest.raises(InputError) as err:
        add_user(db, "bad name!", "short", "admin", None)
    assert [p.column for p in err.value.problems] == ["name", "role", "password"]
    with pytest.raises(InputError) as err:
        add_user(db, "gate1", "long-enough-1", "device", None)
    assert "needs --enterprise" in str(err.value)
    u = add_user(db, "gate1", "long-enough-1", "device", "cz07")
    assert (u.role, u.enterprise_id) == ("device", "CZ07")
    con = duckdb.connect(str(db), read_only=True)
    try:
        (pw_hash,) = con.execute("SELECT pw_hash FROM srv_users WHERE name = 'gate1'").fetchone() or ("",)
        audit = con.execute("SELECT username, action, target FROM srv_audit").fetchall()
    finally:
        con.close()
    assert pw_hash.startswith("$argon2id$")
    assert "long-enough-1" not in pw_hash
    assert audit == [("cli", "user.add", "gate1")]


def test_users_add_command_reads_the_password_from_stdin(tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    runner = CliRunner()
    r = runner.invoke(app, ["users", "add", "chief", "--db", str(db), "--role", "bureau", "--password-stdin",
                            "--json"], input="a-long-password\n")
    assert r.exit_code == 0, r.output
    assert '"role": "bureau"' in r.output
    r = runner.invoke(app, ["users", "add", "chief", "--db", str(db), "--role", "bureau"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["users", "add", "e1", "--db", str(db), "--role", "enterprise", "--password-stdin"],
                      input="a-long-password\n")
    assert r.exit_code == 2
    assert "needs --enterprise" in r.output


def test_serve_refuses_bad_settings(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "p.duckdb"), "--port", "99999"])
    assert r.exit_code == 2
    assert "port" in r.output


def test_demo_imports_the_sample_once_and_resets_passwords(tmp_path: Path) -> None:
    from cleanfreight.server.tools import DEMO_ACCOUNTS, prepare_demo

    db = tmp_path / "demo.duckdb"
    first = prepare_demo(db, months=[3], scale=0.002)
    assert set(first) == set(DEMO_ACCOUNTS)
    second = prepare_demo(db, months=[3], scale=0.002)
    assert all(first[k] != second[k] for k in first)
    con = duckdb.connect(str(db), read_only=True)
    try:
        imports = con.execute("SELECT count(*) FROM srv_audit WHERE action = 'demo.sample'").fetchone()
        gates = con.execute("SELECT enterprise_id, gate FROM srv_heartbeats ORDER BY gate").fetchall()
        ents = con.execute("SELECT count(DISTINCT enterprise_id) FROM records").fetchone()
    finally:
        con.close()
    assert imports == (1,)
    assert gates == [("CZ01", "G1"), ("CZ01", "G2")]
    assert ents == (40,)


def test_settings_from_toml(tmp_path: Path) -> None:
    from cleanfreight.server import load_settings

    cfg = tmp_path / "server.toml"
    cfg.write_text('[server]\ndb = "x.duckdb"\nport = 8123\nheartbeat_offline_s = 900\n', encoding="utf-8")
    s = load_settings(cfg, port=9000)
    assert (s.db, s.port, s.heartbeat_offline_s, s.host) == (Path("x.duckdb"), 9000, 900, "127.0.0.1")
    cfg.write_text('[server]\ndb = "x.duckdb"\nprot = 1\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_settings(cfg)
    assert err.value.problems[0].column == "prot"
    assert "port" in err.value.problems[0].message


def test_serve_without_db_or_demo_is_an_input_error() -> None:
    r = CliRunner().invoke(app, ["serve"])
    assert r.exit_code == 2
    assert "--db" in r.output


def test_users_add_while_serve_holds_the_duckdb_file(tmp_path: Path) -> None:
    """DuckDB takes one writing process: `users add` says so and names the ways around it, and
    `--wait` waits for the server to stop."""
    import threading
    import time

    from tests.server._live import ServerProcess, add_accounts, free_port

    db = tmp_path / "p.duckdb"
    add_accounts(db)
    server = ServerProcess(db, free_port(), log=tmp_path / "serve.log").start()
    runner = CliRunner()
    try:
        t0 = time.monotonic()
        r = runner.invoke(app, ["users", "add", "e9", "--db", str(db), "--role", "enterprise", "--enterprise",
                                "CZ09", "--password-stdin"], input="a-long-password\n")
        assert r.exit_code == 2, r.output
        text = " ".join(r.output.split())
        assert f"process {server.proc.pid if server.proc else ''}" in text
        assert "cleanfreight serve" in text and "/accounts" in text and "POST /api/v1/users" in text
        assert time.monotonic() - t0 < 10  # no long wait without --wait
        # --wait: the server stops meanwhile, and the account is added
        threading.Timer(1.0, server.kill).start()
        r = runner.invoke(app, ["users", "add", "e9", "--db", str(db), "--role", "enterprise", "--enterprise",
                                "CZ09", "--password-stdin", "--wait", "30"], input="a-long-password\n")
        assert r.exit_code == 0, r.output
    finally:
        server.kill()
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT enterprise_id FROM srv_users WHERE name = 'e9'").fetchall() == [("CZ09",)]
    finally:
        con.close()


def test_users_add_on_postgres_while_a_server_runs(tmp_path: Path, pg_server: dict[str, Any]) -> None:
    """On PostgreSQL the command and running servers share the database."""
    from tests.server._live import Backend, ServerProcess, add_accounts, db_rows, free_port

    db = Backend("postgres", pg_server).new_db(tmp_path, None)
    add_accounts(db)
    server = ServerProcess(db, free_port(), log=tmp_path / "serve.log").start()
    try:
        r = CliRunner().invoke(app, ["users", "add", "e9", "--db", str(db), "--role", "enterprise",
                                     "--enterprise", "CZ09", "--password-stdin"], input="a-long-password\n")
        assert r.exit_code == 0, r.output
        import httpx

        with httpx.Client(base_url=server.url, timeout=30) as c:
            tok = c.post("/api/v1/token", json={"username": "e9", "password": "a-long-password"})
            assert tok.status_code == 200
    finally:
        server.kill()
    assert db_rows(db, "SELECT role FROM srv_users WHERE name = ?", ["e9"]) == [("enterprise",)]


def test_settings_take_a_postgresql_address() -> None:
    from cleanfreight.server.settings import shown_db

    addr = "postgresql://bureau:secret@db.internal/cleanfreight?sslmode=require"
    s = ServerParams(db=addr)
    assert s.db == addr  # kept as text: a Path would fold the // of the address
    assert shown_db(s.db) == "postgresql://bureau:***@db.internal/cleanfreight?sslmode=require"
    assert isinstance(ServerParams(db="x.duckdb").db, Path)
