"""A second process waits for the ledger file's lock (``--wait``) instead of failing at once."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from typer.testing import CliRunner

from cleanfreight.cli import app

runner = CliRunner()

HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
sys.stdin.read()  # hold the lock until the test closes our stdin
con.close()
"""


def _holder(db: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_wait_for_the_lock(tmp_path: Path, hand_files: dict[str, Path]) -> None:
    db = tmp_path / "l.duckdb"
    args = ["ledger", "ingest", "--db", str(db), str(hand_files["rail"])]
    assert runner.invoke(app, args).exit_code == 0
    proc = _holder(db)
    try:
        res = runner.invoke(app, args)  # no --wait: today's message at once
        assert res.exit_code == 2
        assert "is in use by another program" in res.output and "--wait SECONDS" in " ".join(res.output.split())
        # with --wait the import goes through once the other process lets go
        threading.Timer(1.0, lambda: proc.stdin.close() if proc.stdin else None).start()
        res = runner.invoke(app, [*args, "--wait", "120", "--json"])
        assert res.exit_code == 0, res.output
        assert '"duplicates": 2' in res.stdout
    finally:
        if proc.stdin and not proc.stdin.closed:
            proc.stdin.close()
        proc.wait(timeout=60)
        if proc.stdout:
            proc.stdout.close()
