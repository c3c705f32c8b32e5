"""Load benchmark of the platform's gate feed: 40 enterprises x 3 gates pushing on loopback.

Run ``.venv/bin/python bench/bench_server.py [--quick] [--seconds S] [--batch B]``. Prints a table and
writes ``bench/results/bench_server.json``.

Each of the 120 gates is a client thread that pushes batches of passages (``POST /api/v1/passages``)
one after the other, as a store-and-forward client does, for the given time. Measured: records and
requests acknowledged per second, p50 / p99 acknowledgement latency, and afterwards, on the database
file: every acknowledged serial is in the ledger exactly once (zero lost, zero doubled).

Baseline, measured in the same run with the same clients: a bare FastAPI + uvicorn endpoint that
appends the same JSON records to a DuckDB table with one ``INSERT`` per request (no accounts, no
normalisation, no rejection rules, no de-duplication). The ratios say what the ledger's import path
and the platform's checks cost over plain HTTP + DuckDB.
"""

from __future__ import annotations

import argparse
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
import sys, threading, duckdb, uvicorn
from fastapi import FastAPI, Body
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE IF NOT EXISTS raw (serial VARCHAR, gate VARCHAR, ts VARCHAR, plate VARCHAR, "
            "stage VARCHAR, cargo VARCHAR, tonnes DOUBLE, direction VARCHAR)")
lock = threading.Lock()
app = FastAPI()
@app.post("/api/v1/passages")
def push(records: list[dict] = Body()):
    rows = [[r.get(k) for k in ("serial", "gate", "timestamp", "plate", "emission_stage", "cargo", "tonnes",
             "direction")] for r in records]
    with lock:
        con.executemany("INSERT INTO raw VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
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


def drive(url: str, seconds: float, batch: int, tokens: dict[int, str] | None) -> dict[str, Any]:
    """Run the 120 gate clients against ``url``; return throughput, latencies and acknowledged serials."""
    stop = threading.Event()
    lat: list[float] = []
    acked: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def gate_client(ent: int, gate: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[ent]}"} if tokens else {}
        n = 0
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10 s per run instead of 60 s")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--batch", type=int, default=10, help="passages per request")
    args = ap.parse_args()
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    exe = Path(sys.executable).with_name("cleanfreight")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "platform.duckdb"
        from cleanfreight.server import add_user

        for e in range(1, ENTERPRISES + 1):
            add_user(db, f"gate-cz{e:02d}", PASSWORD, "device", f"CZ{e:02d}")
        # ours
        port = free_port()
        proc = subprocess.Popen([str(exe), "serve", "--db", str(db), "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_up(url, proc)
            tokens = {}
            with httpx.Client(base_url=url, timeout=60) as c:
                for e in range(1, ENTERPRISES + 1):
                    r = c.post("/api/v1/token", json={"username": f"gate-cz{e:02d}", "password": PASSWORD})
                    tokens[e] = r.json()["access_token"]
            ours = drive(url, seconds, args.batch, tokens)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait()
        con = duckdb.connect(str(db), read_only=True)
        try:
            n_records = con.execute("SELECT count(*) FROM records").fetchone()[0]  # type: ignore[index]
            serials = {r[0] for r in con.execute("SELECT serial FROM srv_passages").fetchall()}
        finally:
            con.close()
        acked = set(ours["acked"])
        lost = len(acked - serials)
        doubled = len(ours["acked"]) - len(acked) + (n_records - len(serials))
        # baseline
        bdb = Path(tmp) / "baseline.duckdb"
        port = free_port()
        bproc = subprocess.Popen([sys.executable, "-c", _BASELINE_APP, str(bdb), str(port)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_up(url, bproc)
            base = drive(url, seconds, args.batch, None)
        finally:
            bproc.send_signal(signal.SIGINT)
            bproc.wait()
    common = {"gates": ENTERPRISES * GATES, "batch": args.batch, "seconds": seconds, "cores": os.cpu_count()}
    rows.append({"run": "cleanfreight serve", **common, **{k: v for k, v in ours.items() if k not in ("acked", "errors")},
                 "acked_records": len(ours["acked"]), "ledger_records": n_records, "lost": lost, "doubled": doubled,
                 "errors": len(ours["errors"])})
    rows.append({"run": "baseline: FastAPI + one DuckDB INSERT", **common,
                 **{k: v for k, v in base.items() if k not in ("acked", "errors")},
                 "acked_records": len(base["acked"]), "errors": len(base["errors"])})
    rows.append({"run": "ratio ours / baseline",
                 "records_per_s": ours["records_per_s"] / base["records_per_s"],
                 "requests_per_s": ours["requests_per_s"] / base["requests_per_s"],
                 "p50_ms": ours["p50_ms"] / base["p50_ms"], "p99_ms": ours["p99_ms"] / base["p99_ms"]})
    report("bench_server", rows)
    if lost or doubled or ours["errors"]:
        raise SystemExit(f"lost {lost}, doubled {doubled}, errors {ours['errors'][:3]}")


if __name__ == "__main__":
    main()
