"""PostgreSQL can take DuckDB's place: the portable schema and the report queries on a real server.

A throw-away cluster is started in a temporary folder (unix socket only, no TCP) and stopped at
the end. Skipped when PostgreSQL or psycopg is missing, except in CI
(``CLEANFREIGHT_REQUIRE_SYSTEM_DEPS``), where it fails.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cleanfreight.ledger import ingest, open_ledger, report, trend
from cleanfreight.ledger.report import _aggregate
from cleanfreight.ledger.schema import ddl
from tests._system import skip_or_fail
from tests.ledger.conftest import GATE_HEADER, write

pytestmark = pytest.mark.postgres

_PORT = 54329
_TABLES = ("imports", "records", "rejects", "meter_readings")


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and Path(found).with_name("initdb").exists():
        return Path(found).resolve().parent
    for cand in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (cand / "initdb").exists() and (cand / "pg_ctl").exists():
            return cand
    return None


def _as_owner(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run as ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return cmd
    return ["su", "postgres", "-c", shlex.join(cmd)]


@pytest.fixture(scope="module")
def pg_server() -> Iterator[dict[str, Any]]:
    try:
        import psycopg
    except ImportError:
        skip_or_fail("psycopg is not installed (pip install 'psycopg[binary]')")
    bindir = _pg_bin()
    if bindir is None:
        skip_or_fail("PostgreSQL server binaries (initdb, pg_ctl) not found; apt-get install postgresql")
    root = Path(tempfile.mkdtemp(prefix="cf_pg_"))
    data = root / "data"
    if os.geteuid() == 0:
        import pwd

        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            skip_or_fail("running as root and there is no postgres user to run the server")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    pg_ctl = str(bindir / "pg_ctl")
    started = False
    try:
        init = subprocess.run(
            _as_owner(
                [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
            ),
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if init.returncode != 0:
            skip_or_fail(f"initdb failed: {init.stderr.strip()[-500:]}")
        opts = f"-k {root} -p {_PORT} -c listen_addresses='' -c fsync=off"
        start = subprocess.run(
            _as_owner(
                [
                    pg_ctl,
                    "-D",
                    str(data),
                    "-o",
                    opts,
                    "-l",
                    str(root / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=False,
            capture_output=True,
            text=True,
            timeout=90,
        )
        started = start.returncode == 0
        if not started:
            log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
            skip_or_fail(f"PostgreSQL did not start: {start.stderr.strip()[-300:]} {log[-500:]}")
        yield {"host": str(root), "port": _PORT, "user": "postgres", "dbname": "postgres", "module": psycopg}
    finally:
        if started:
            subprocess.run(
                _as_owner([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]),
                check=False,
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def duck_ledger(tmp_path_factory: pytest.TempPathFactory, hand_files: dict[str, Path]) -> Path:
    """The hand-checked March ledger plus a keyless rail waybill and a running-counter meter."""
    d = tmp_path_factory.mktemp("pg_src")
    db = d / "ledger.duckdb"
    ingest(db, [hand_files["e1"]], enterprise="E1")
    ingest(db, [hand_files["e2"]], enterprise="E2")
    extra_rail = write(
        d / "rail_nokey.csv",
        ["日期,企业编号,车站,货物名称,实际重量,发到", "2026-03-12,E2,长治北,焦炭,600,发送"],
    )
    counter = write(
        d / "counter.csv",
        [
            "日期,企业编号,计量点,输送方式,货物名称,累计量,方向",
            "2026-02-28,E2,E2-管道,管道,甲醇,5000,出",
            "2026-03-15,E2,E2-管道,管道,甲醇,5200,出",
            "2026-03-31,E2,E2-管道,管道,甲醇,5450,出",
            "2026-04-30,E2,E2-管道,管道,甲醇,5800,出",
        ],
    )
    gate_april = write(d / "e2_april.csv", [GATE_HEADER, "20260405 080000,晋DE0009,,,,d,原煤,30,,进,,"])
    ingest(db, [hand_files["rail"], hand_files["meter"], extra_rail, counter])
    ingest(db, [gate_april], enterprise="E2")
    return db


def _load(con: Any, duck: Path) -> dict[str, int]:
    """Copy every ledger table from DuckDB into PostgreSQL; records de-duplicated by ON CONFLICT."""
    src = open_ledger(duck, read_only=True)
    added = {}
    try:
        with con.cursor() as cur:
            for table in _TABLES:
                df = src.execute(f"SELECT * FROM {table}").df()
                cols = ", ".join(df.columns)
                marks = ", ".join(["%s"] * len(df.columns))
                conflict = "" if table == "rejects" else " ON CONFLICT DO NOTHING"
                rows = [
                    tuple(
                        None if pd.isna(v) else (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)
                        for v in r
                    )
                    for r in df.astype(object).itertuples(index=False)
                ]
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks}){conflict}", rows)
                cur.execute(f"SELECT count(*) FROM {table}")
                added[table] = cur.fetchone()[0]
        con.commit()
    finally:
        src.close()
    return added


@pytest.fixture(scope="module")
def pg(pg_server: dict[str, Any], duck_ledger: Path) -> Iterator[Any]:
    psycopg = pg_server["module"]
    con = psycopg.connect(**{k: v for k, v in pg_server.items() if k != "module"})
    try:
        with con.cursor() as cur:
            for _ in range(2):  # the DDL is idempotent
                for stmt in ddl("postgres"):
                    cur.execute(stmt)
        con.commit()
        yield con
    finally:
        con.close()


def test_schema_loads_and_deduplicates_on_the_server(pg: Any, duck_ledger: Path) -> None:
    first = _load(pg, duck_ledger)
    src = open_ledger(duck_ledger, read_only=True)
    try:
        expected = {t: src.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _TABLES}  # type: ignore[index]
    finally:
        src.close()
    assert first == expected
    # 14 hand records (7 + 4 gate, 2 waybills, 1 meter) + 1 keyless waybill + 2 counter deltas in March + 1 in April + 1 April gate record
    assert first["records"] == 19
    assert first["meter_readings"] == 4
    # a second load of the same records adds nothing: UNIQUE (dedup_key) + ON CONFLICT DO NOTHING
    again = _load(pg, duck_ledger)
    assert again["records"] == 19 and again["meter_readings"] == 4
    with pg.cursor() as cur:
        cur.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN ('records', 'meter_readings') ORDER BY 1"
        )
        names = [r[0] for r in cur.fetchall()]
    assert {"records_ent_ts", "records_plate", "readings_series"} <= set(names)


def test_monthly_aggregation_same_as_duckdb(pg: Any, duck_ledger: Path) -> None:
    _load(pg, duck_ledger)
    from cleanfreight.ledger import parse_period

    key = ["enterprise_id", "month", "direction", "chain", "mode", "commodity"]
    for label in ("2026-03", "2026-04", "2026"):
        per = parse_period(label)
        a = _aggregate(duck_ledger, per).sort_values(key, na_position="first").reset_index(drop=True)
        b = _aggregate(pg, per).sort_values(key, na_position="first").reset_index(drop=True)
        assert len(a) > 0
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    # hand check of the server's figures: E2 pipeline methanol out in March = 5450 - 5000 t
    per = parse_period("2026-03")
    b = _aggregate(pg, per)
    pipe = b[(b["enterprise_id"] == "E2") & (b["chain"] == "pipeline")]
    assert pipe["tonnes"].sum() == pytest.approx(450.0)
    assert pipe["records"].sum() == 2


@pytest.mark.parametrize("rules", ["changzhi-2024", "mee-steel-2019", "mee-cement-2024"])
def test_report_and_trend_on_the_server(pg: Any, duck_ledger: Path, rules: str) -> None:
    _load(pg, duck_ledger)
    a = report(duck_ledger, "2026-03", rules=rules)
    b = report(pg, "2026-03", rules=rules)
    pd.testing.assert_frame_equal(a.enterprises, b.enterprises, check_dtype=False)
    assert a.city == b.city
    # E1 under changzhi-2024 as in test_report.py: (60 + 600 + 1000 + 100) / 2115
    if rules == "changzhi-2024":
        e1 = b.enterprises.set_index("enterprise_id").loc["E1"]
        assert e1["clean_ratio"] == pytest.approx(1760 / 2115)
    ta = trend(duck_ledger, "2026-03", "2026-04", rules=rules)
    tb = trend(pg, "2026-03", "2026-04", rules=rules)
    pd.testing.assert_frame_equal(ta.enterprises, tb.enterprises, check_dtype=False)
    pd.testing.assert_frame_equal(ta.city, tb.city, check_dtype=False)
