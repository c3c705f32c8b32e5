"""SIGKILL the server while gates push: every acknowledged serial is in the ledger after restart, none twice."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from tests.server._live import PASSWORDS, Backend, ServerProcess, add_accounts, db_rows, free_port

pytestmark = pytest.mark.slow

BATCH = 20


def record(gate: int, n: int) -> dict[str, object]:
    """Passage ``n`` of gate ``gate``: a distinct plate and second, so every serial is one ledger record."""
    return {"serial": f"K{gate}-{n:06d}", "gate": f"G{gate}", "timestamp": f"2026-03-0{gate} {n // 3600 % 24:02d}:"
            f"{n // 60 % 60:02d}:{n % 60:02d}", "plate": f"晋D{gate}{n:04d}", "emission_stage": "d",
            "cargo": "原煤", "tonnes": 30.0, "direction": "in"}


def test_sigkill_loses_no_acknowledged_passage(tmp_path: Path, backend: Backend) -> None:
    db = backend.new_db(tmp_path, None)
    add_accounts(db)
    log = tmp_path / "serve.log"
    server = ServerProcess(db, free_port(), log=log).start()
    acked: dict[int, list[str]] = {1: [], 2: [], 3: []}
    in_flight: dict[int, list[dict[str, object]]] = {}
    enough = threading.Event()
    lock = threading.Lock()

    def pusher(gate: int) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            tok = c.post("/api/v1/token", json={"username": "gate-cz01", "password": PASSWORDS["gate-cz01"]})
            headers = {"Authorization": f"Bearer {tok.json()['access_token']}"}
            n = 0
            while True:
                batch = [record(gate, n + i) for i in range(BATCH)]
                try:
                    r = c.post("/api/v1/passages", json=batch, headers=headers)
                except httpx.TransportError:
                    in_flight[gate] = batch  # not acknowledged: the client keeps it and sends it again
                    return
                assert r.status_code == 200, r.text
                body = r.json()
                assert body["rejected"] == []
                with lock:
                    acked[gate] += [str(x["serial"]) for x in batch]
                    if sum(map(len, acked.values())) >= 10 * BATCH:
                        enough.set()
                n += BATCH

    threads = [threading.Thread(target=pusher, args=(g,)) for g in (1, 2, 3)]
    try:
        for t in threads:
            t.start()
        enough.wait()
        server.kill()  # SIGKILL: no shutdown, no flush beyond what each commit did
        for t in threads:
            t.join()
    finally:
        server.kill()
    all_acked = [s for g in acked.values() for s in g]
    assert len(all_acked) >= 10 * BATCH
    # restart on the same file: the service resumes, and re-sending what was acknowledged counts nothing twice
    server = ServerProcess(db, free_port(), log=log).start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            tok = c.post("/api/v1/token", json={"username": "gate-cz01", "password": PASSWORDS["gate-cz01"]})
            headers = {"Authorization": f"Bearer {tok.json()['access_token']}"}
            for gate, serials in acked.items():
                if serials:
                    batch = [record(gate, int(s.split("-")[1])) for s in serials[:BATCH]]
                    again = c.post("/api/v1/passages", json=batch, headers=headers).json()
                    assert again == {"accepted": 0, "rejected": [], "duplicates": len(batch), "waiting_for_cargo": 0}
            # store-and-forward: what was in flight at the kill is sent again; it lands exactly once
            for batch in in_flight.values():
                r = c.post("/api/v1/passages", json=batch, headers=headers).json()
                assert r["accepted"] + r["duplicates"] == len(batch)
    finally:
        server.kill()
    stored = {r[0] for r in db_rows(db, "SELECT serial FROM srv_passages")}
    plates = [r[0] for r in db_rows(db, "SELECT plate FROM records")]
    assert set(all_acked) <= stored
    assert len(plates) == len(set(plates))  # no passage twice
    assert {f"晋D{s[1]}{int(s.split('-')[1]):04d}" for s in all_acked} <= set(plates)
    # every ledger record has its serial and the other way round (a record committed just before the kill,
    # whose serial was not yet noted, was recognised on re-send by the ledger's de-duplication key)
    assert len(plates) == len(stored) == len(all_acked) + sum(map(len, in_flight.values()))


def test_two_server_processes_on_postgres_count_each_serial_once(tmp_path: Path, pg_server: dict[str, object]) -> None:
    """Two platform processes share one PostgreSQL ledger; a gate re-sends the same batches to both at once
    (a load balancer retrying): every passage is accepted once in all, stored once, its serial noted once."""
    db = Backend("postgres", dict(pg_server)).new_db(tmp_path, None)
    add_accounts(db)
    servers = [ServerProcess(db, free_port(), log=tmp_path / f"serve{i}.log").start() for i in (1, 2)]
    batches = [[record(1, 100 * b + i) for i in range(BATCH)] for b in range(6)]
    answers: list[dict[str, object]] = []
    lock = threading.Lock()

    def push(server: ServerProcess) -> None:
        with httpx.Client(base_url=server.url, timeout=120) as c:
            tok = c.post("/api/v1/token", json={"username": "gate-cz01", "password": PASSWORDS["gate-cz01"]})
            headers = {"Authorization": f"Bearer {tok.json()['access_token']}"}
            for batch in batches:
                r = c.post("/api/v1/passages", json=batch, headers=headers)
                assert r.status_code == 200, r.text
                with lock:
                    answers.append(r.json())

    try:
        threads = [threading.Thread(target=push, args=(s,)) for s in servers for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for s in servers:
            s.kill()
    n = len(batches) * BATCH
    assert len(answers) == 4 * len(batches)
    assert all(a["rejected"] == [] for a in answers)
    assert sum(int(str(a["accepted"])) for a in answers) == n  # each passage accepted by exactly one request
    assert sum(int(str(a["duplicates"])) for a in answers) == 3 * n
    assert db_rows(db, "SELECT count(*), count(DISTINCT serial) FROM srv_passages") == [(n, n)]
    assert db_rows(db, "SELECT count(*), count(DISTINCT dedup_key) FROM records") == [(n, n)]
