"""Running-counter meter exports become per-period quantities; resets are flagged, not negative."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from cleanfreight.ledger import ColumnMapping, ingest, open_ledger, report, run_checks
from cleanfreight.ledger._normalise import rail_key_sql
from tests.ledger.conftest import write

HEADER = "日期,企业编号,计量点,输送方式,货物名称,累计输送量(吨),方向"
#: belt E1-皮带秤-1 (limestone in): 02-28 baseline, +400, +500, reset to 200 (not counted), +300,
#: +400, +600 -> March 1200 t, April 1000 t.
BELT = [
    "2026-02-28,E1,E1-皮带秤-1,皮带,石灰石,10000,进",
    "2026-03-10,E1,E1-皮带秤-1,皮带,石灰石,10400,进",
    "2026-03-20,E1,E1-皮带秤-1,皮带,石灰石,10900,进",
    "2026-03-25,E1,E1-皮带秤-1,皮带,石灰石,200,进",
    "2026-03-31,E1,E1-皮带秤-1,皮带,石灰石,500,进",
    "2026-04-15,E1,E1-皮带秤-1,皮带,石灰石,900,进",
    "2026-04-30,E1,E1-皮带秤-1,皮带,石灰石,1500,进",
]
#: deltas (date, tonnes) derived from BELT
DELTAS = [
    (datetime(2026, 3, 10), 400.0),
    (datetime(2026, 3, 20), 500.0),
    (datetime(2026, 3, 31), 300.0),
    (datetime(2026, 4, 15), 400.0),
    (datetime(2026, 4, 30), 600.0),
]


def _deltas(db: Path) -> list[tuple[datetime, float]]:
    con = open_ledger(db, read_only=True)
    try:
        return [
            (ts, t)
            for ts, t in con.execute(
                "SELECT ts, tonnes FROM records WHERE kind = 'meter' AND meter_id = 'E1-皮带秤-1' ORDER BY ts"
            ).fetchall()
        ]
    finally:
        con.close()


@pytest.fixture(scope="module")
def belt_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("counter")
    return {
        "all": write(d / "belt_all.csv", [HEADER, *BELT, "2026-03-31,E1,P1管道,管道,甲醇,-5,出"]),
        # two overlapping exports (03-20 and 03-25 in both), in GBK and kilograms
        "first": write(d / "belt_a.csv", [HEADER, *BELT[:4]]),
        "second": write(
            d / "belt_b.csv",
            [
                HEADER.replace("(吨)", "(kg)"),
                *[
                    ",".join([*r.split(",")[:5], str(int(r.split(",")[5]) * 1000), r.split(",")[6]])
                    for r in BELT[2:]
                ],
            ],
            encoding="gbk",
        ),
    }


def test_counter_becomes_deltas_and_reset_is_flagged(belt_files: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "l.duckdb"
    res = ingest(db, [belt_files["all"]])
    f = res.files[0]
    assert (f.kind, f.cumulative, f.counter_resets) == ("meter", True, 1)
    assert (f.accepted, f.rejected, f.duplicates) == (7, 1, 0)
    assert f.columns["counter"] == "累计输送量(吨)"
    assert _deltas(db) == DELTAS
    con = open_ledger(db, read_only=True)
    assert con.execute("SELECT count(*), min(reading), max(reading) FROM meter_readings").fetchone() == (
        7,
        200.0,
        10900.0,
    )
    assert con.execute("SELECT column_name, value, reason FROM rejects").fetchall() == [
        ("counter", "-5", "counter reading must not be negative")
    ]
    assert con.execute("SELECT min(tonnes) FROM records").fetchone() == (300.0,)  # nothing negative
    con.close()
    resets = run_checks(db, "2026-03").query("check == 'counter_reset'")
    assert len(resets) == 1
    r = resets.iloc[0]
    assert (r["severity"], r["enterprise_id"], r["day"], r["tonnes"]) == (
        "warning",
        "E1",
        "2026-03-25",
        200.0,
    )
    assert "below the previous 10900.0 t of 2026-03-20" in r["detail"]
    assert run_checks(db, "2026-04").query("check == 'counter_reset'").empty
    # reports count the deltas by month
    rep = report(db, "2026-03").enterprises.set_index("enterprise_id")
    assert rep.loc["E1", "t_conveyor"] == pytest.approx(1200.0)
    assert report(db, "2026-04").enterprises.set_index("enterprise_id").loc[
        "E1", "t_conveyor"
    ] == pytest.approx(1000.0)
    # importing the same file again changes nothing
    again = ingest(db, [belt_files["all"]])
    assert (again.accepted, again.rejected, again.duplicates) == (0, 1, 7)
    assert _deltas(db) == DELTAS


def test_overlapping_exports_in_any_order(belt_files: dict[str, Path], tmp_path: Path) -> None:
    for order in (("first", "second"), ("second", "first")):
        db = tmp_path / f"{order[0]}.duckdb"
        a = ingest(db, [belt_files[order[0]]])
        b = ingest(db, [belt_files[order[1]]])
        assert a.accepted + b.accepted == 7
        assert a.duplicates + b.duplicates == 2  # 03-20 and 03-25 are in both exports
        assert _deltas(db) == DELTAS, order


def test_mapping_flag(tmp_path: Path) -> None:
    rows = ["2026-03-01,E1,M1,皮带,原煤,100,进", "2026-03-02,E1,M1,皮带,原煤,130,进"]
    reading = write(tmp_path / "reading.csv", ["日期,企业编号,计量点,输送方式,货物名称,读数,方向", *rows])
    db = tmp_path / "a.duckdb"
    res = ingest(db, [reading], mapping=ColumnMapping(columns={"tonnes": "读数"}, cumulative=True))
    assert res.files[0].cumulative
    con = open_ledger(db, read_only=True)
    assert con.execute("SELECT ts, tonnes FROM records").fetchall() == [(datetime(2026, 3, 2), 30.0)]
    con.close()
    # cumulative = false: a 累计 header is taken at its word's opposite, as per-period quantities
    total = write(tmp_path / "total.csv", ["日期,企业编号,计量点,输送方式,货物名称,累计量,方向", *rows])
    db = tmp_path / "b.duckdb"
    res = ingest(db, [total], mapping=ColumnMapping(cumulative=False))
    assert not res.files[0].cumulative
    con = open_ledger(db, read_only=True)
    assert con.execute("SELECT sum(tonnes) FROM records").fetchone() == (230.0,)
    con.close()
    # a per-period column wins over a counter column in the same export
    both = write(
        tmp_path / "both.csv",
        ["日期,企业编号,计量点,输送方式,货物名称,运输量,累计量,方向", "2026-03-02,E1,M1,皮带,原煤,30,130,进"],
    )
    res = ingest(tmp_path / "c.duckdb", [both])
    assert (res.files[0].cumulative, res.accepted) == (False, 1)


def test_version_1_ledger_is_upgraded(tmp_path: Path) -> None:
    rail = write(
        tmp_path / "rail.csv",
        ["日期,企业编号,车站,货物名称,实际重量,发到", "2026-03-12,E1,长治北,原煤,600,到达"],
    )
    db = tmp_path / "v1.duckdb"
    ingest(db, [rail])
    con = duckdb.connect(str(db))  # make it look like version 1: old key (commodity), no meter_readings
    con.execute("DROP TABLE meter_readings")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    old = rail_key_sql().replace("lower(cargo)", "commodity")
    con.execute(f"UPDATE records SET dedup_key = md5({old})")
    con.close()
    con = open_ledger(db)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("2",)
    assert con.execute("SELECT count(*) FROM meter_readings").fetchone() == (0,)
    con.close()
    again = ingest(db, [rail])
    assert (again.accepted, again.duplicates) == (0, 1)


def test_cli_reports_resets(belt_files: dict[str, Path], tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from cleanfreight.cli import app

    runner = CliRunner()
    db = str(tmp_path / "cli.duckdb")
    res = runner.invoke(app, ["ledger", "ingest", "--db", db, str(belt_files["all"]), "--json"])
    assert res.exit_code == 0, res.output
    f = json.loads(res.stdout)["files"][0]
    assert (f["cumulative"], f["counter_resets"], f["accepted"], f["rejected"]) == (True, 1, 7, 1)
    res = runner.invoke(app, ["ledger", "checks", "--db", db, "--period", "2026-03", "--json"])
    assert res.exit_code == 0, res.output
    checks = [a["check"] for a in json.loads(res.stdout)["anomalies"]]
    assert checks.count("counter_reset") == 1
