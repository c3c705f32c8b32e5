"""Load benchmark of the platform's gate feed: 40 enterprises x 3 gates pushing on loopback.

Run ``.venv/bin/python bench/bench_server.py [--quick] [--seconds S] [--batch B] [--backend duckdb|postgres|both]
[--pg URL] [--processes N]``. Prints a table and writes ``bench/results/bench_server.json``.

On PostgreSQL (``--pg URL``, else a throw-away cluster started like the tests' one, see
``tests/_postgres.py``) the platform runs as ``--processes`` server processes (default 2) sharing
the database, the gates spread over them: concurrent pushes from several workers, checked for zero
lost and zero doubled records like the single DuckDB process.

Each of the 120 gates is a client thread that pushes batches of passages (``POST /api/v1/passages``)
one after the other, as a store-and-forward client does, for the given time. Measured: records and
requests acknowledged per second, p50 / p99 acknowledgement latency, and afterwards, on the database
file: every acknowledged serial is in the ledger exactly once (zero lost, zero doubled).

Baseline, measured in the same run with the same clients: a bare FastAPI + uvicorn endpoint that
appends the same JSON records to a table of the same database kind (DuckDB or PostgreSQL) with one
``INSERT`` per request (no accounts, no normalisation, no rejection rules, no de-duplication). The ratios say what the ledger's import path
and the platform's checks cost over plain HTTP + DuckDB.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report

ENTERPRISES = 40
GATES = 3
PASSWORD = "bench-password-1"

_BASELINE_APP = """
import sys, threading, uvicorn
from fastapi import FastAPI, Body
pg = sys.argv[1].startswith("postgresql://")
if pg:
    import psycopg
    con = psycopg.connect(sys.argv[1], autocommit=True)
    mark = "%s"
else:
    import duckdb
    con = duckdb.connect(sys.argv[1])
    mark = "?"
con.execute("CREATE TABLE IF NOT EXISTS raw (serial VARCHAR, gate VARCHAR, ts VARCHAR, plate VARCHAR, "
            "stage VARCHAR, cargo VARCHAR, tonnes DOUBLE PRECISION, direction VARCHAR)")
lock = threading.Lock()
app = FastAPI()
@app.post("/api/v1/passages")
def push(records: list[dict] = Body()):
    rows = [[r.get(k) for k in ("serial", "gate", "timestamp", "plate", "emission_stage", "cargo", "tonnes",
             "direction")] for r in records]
    with lock:
        if pg:
            with con.transaction(), con.cursor() as cur:
                cur.executemany("INSERT INTO raw VALUES (" + ", ".join([mark] * 8) + ")", rows)
        else:
            con.executemany("INSERT INTO raw VALUES (" + ", ".join([mark] * 8) + ")", rows)
    return {"accepted": len(rows), "rejected": [], "duplicates": 0}
@app.get("/login")
def login():
    return {}
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    with httpx.Client(base_url=url, timeout=5) as c:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                c.get("/login")
                return
            except httpx.TransportError:
                time.sleep(0.1)


def record(ent: int, gate: int, n: int) -> dict[str, Any]:
    sec = n % 86400
    return {
        "serial": f"B{ent:02d}{gate}-{n:07d}", "gate": f"G{gate}",
        "timestamp": f"2026-03-{1 + n // 86400 % 28:02d} {sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}",
        "plate": f"晋D{gate}{n % 10000:04d}", "emission_stage": "d" if n % 3 else "6", "cargo": "原煤",
        "tonnes": 30.0 + n % 7, "direction": "in" if n % 2 else "out",
    }


def drive(urls: list[str], seconds: float, batch: int, tokens: dict[int, str] | None) -> dict[str, Any]:
    """Run the 120 gate clients against ``urls`` (spread over them); return throughput, latencies and
    acknowledged serials."""
    stop = threading.Event()
    lat: list[float] = []
    acked: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def gate_client(ent: int, gate: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[ent]}"} if tokens else {}
        n = 0
        url = urls[(ent * GATES + gate) % len(urls)]
        with httpx.Client(base_url=url, timeout=120) as c:
            while not stop.is_set():
                recs = [record(ent, gate, n + i) for i in range(batch)]
                t0 = time.perf_counter()
                r = c.post("/api/v1/passages", json=recs, headers=headers)
                dt = time.perf_counter() - t0
                body = r.json()
                with lock:
                    if r.status_code != 200 or body["rejected"]:
                        errors.append(r.text[:200])
                        return
                    lat.append(dt)
                    acked.extend(x["serial"] for x in recs)
                n += batch

    threads = [threading.Thread(target=gate_client, args=(e, g)) for e in range(1, ENTERPRISES + 1)
               for g in range(1, GATES + 1)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    arr = np.array(lat)
    return {
        "records_per_s": len(acked) / wall,
        "requests_per_s": len(lat) / wall,
        "p50_ms": float(np.percentile(arr, 50) * 1000) if len(arr) else None,
        "p99_ms": float(np.percentile(arr, 99) * 1000) if len(arr) else None,
        "acked": acked,
        "errors": errors,
    }


def db_rows(db: str | Path, sql: str) -> list[tuple[Any, ...]]:
    if str(db).startswith("postgresql://"):
        import psycopg

        with psycopg.connect(str(db), autocommit=True) as con:
            return list(con.execute(sql).fetchall())
    duck = duckdb.connect(str(db), read_only=True)
    try:
        return duck.execute(sql).fetchall()
    finally:
        duck.close()


def run_backend(name: str, db: str | Path, base_db: str | Path, processes: int, seconds: float,
                batch: int) -> list[dict[str, Any]]:
    """The platform (``processes`` servers on ``db``) and the bare baseline on ``base_db``: three table rows."""
    exe = Path(sys.executable).with_name("cleanfreight")
    from cleanfreight.server import add_user

    for e in range(1, ENTERPRISES + 1):
        add_user(db, f"gate-cz{e:02d}", PASSWORD, "device", f"CZ{e:02d}")
    procs = []
    try:
        urls = []
        for _ in range(processes):
            port = free_port()
            procs.append(subprocess.Popen([str(exe), "serve", "--db", str(db), "--port", str(port)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            urls.append(f"http://127.0.0.1:{port}")
            wait_up(urls[-1], procs[-1])
        tokens = {}
        with httpx.Client(base_url=urls[0], timeout=60) as c:
            for e in range(1, ENTERPRISES + 1):
                r = c.post("/api/v1/token", json={"username": f"gate-cz{e:02d}", "password": PASSWORD})
                tokens[e] = r.json()["access_token"]
        ours = drive(urls, seconds, batch, tokens)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
            proc.wait()
    n_records = int(db_rows(db, "SELECT count(*) FROM records")[0][0])
    serials = {r[0] for r in db_rows(db, "SELECT serial FROM srv_passages")}
    acked = set(ours["acked"])
    lost = len(acked - serials)
    doubled = len(ours["acked"]) - len(acked) + (n_records - len(serials))
    port = free_port()
    bproc = subprocess.Popen([sys.executable, "-c", _BASELINE_APP, str(base_db), str(port)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_up(url, bproc)
        base = drive([url], seconds, batch, None)
    finally:
        bproc.send_signal(signal.SIGINT)
        bproc.wait()
    common = {"backend": name, "processes": processes, "gates": ENTERPRISES * GATES, "batch": batch,
              "seconds": seconds, "cores": os.cpu_count()}
    kind = "DuckDB" if name == "duckdb" else "PostgreSQL"
    return [
        {"run": f"cleanfreight serve ({kind}, {processes} process{'es' if processes > 1 else ''})", **common,
         **{k: v for k, v in ours.items() if k not in ("acked", "errors")},
         "acked_records": len(ours["acked"]), "ledger_records": n_records, "lost": lost, "doubled": doubled,
         "errors": len(ours["errors"]), "error_samples": ours["errors"][:3]},
        {"run": f"baseline: FastAPI + one {kind} INSERT", **common,
         **{k: v for k, v in base.items() if k not in ("acked", "errors")},
         "acked_records": len(base["acked"]), "errors": len(base["errors"])},
        {"run": f"ratio ours / baseline ({kind})",
         "records_per_s": ours["records_per_s"] / base["records_per_s"],
         "requests_per_s": ours["requests_per_s"] / base["requests_per_s"],
         "p50_ms": ours["p50_ms"] / base["p50_ms"], "p99_ms": ours["p99_ms"] / base["p99_ms"]},
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10 s per run instead of 60 s")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--batch", type=int, default=10, help="passages per request")
    ap.add_argument("--backend", choices=("duckdb", "postgres", "both"), default="both")
    ap.add_argument("--pg", default=None, help="postgresql:// address of an empty database (default: a "
                    "throw-away cluster, needs initdb / pg_ctl)")
    ap.add_argument("--processes", type=int, default=2, help="server processes on PostgreSQL")
    args = ap.parse_args()
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        if args.backend in ("duckdb", "both"):
            rows += run_backend("duckdb", Path(tmp) / "platform.duckdb", Path(tmp) / "baseline.duckdb", 1,
                                seconds, args.batch)
        if args.backend in ("postgres", "both"):
            if args.pg:
                ours_db, base_db = args.pg, args.pg
            else:
                sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
                from tests._postgres import new_database, pg_cluster

                server = stack.enter_context(pg_cluster())
                ours_db, base_db = new_database(server, name="bench"), new_database(server, name="bench_base")
            rows += run_backend("postgres", ours_db, base_db, args.processes, seconds, args.batch)
    report("bench_server", rows)
    bad = [r for r in rows if r.get("lost") or r.get("doubled") or r.get("errors")]
    if bad:
        raise SystemExit(f"lost / doubled / errors: {bad}")


if __name__ == "__main__":
    main()
