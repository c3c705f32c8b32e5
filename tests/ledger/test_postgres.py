"""PostgreSQL can take DuckDB's place: the portable schema and the report queries on a real server.

A throw-away cluster is started in a temporary folder (unix socket only, no TCP) and stopped at
the end. Skipped when PostgreSQL or psycopg is missing, except in CI
(``CLEANFREIGHT_REQUIRE_SYSTEM_DEPS``), where it fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cleanfreight.ledger import CheckParams, ingest, open_ledger, report, run_checks, trend
from cleanfreight.ledger.report import _aggregate
from cleanfreight.ledger.schema import ddl
from tests._postgres import new_database, pg_cluster
from tests.ledger.conftest import GATE_HEADER, write

pytestmark = pytest.mark.postgres

_TABLES = ("imports", "records", "rejects", "meter_readings")


@pytest.fixture(scope="module")
def pg_server() -> Iterator[dict[str, Any]]:
    with pg_cluster() as server:
        yield server


@pytest.fixture(scope="module")
def import_steps(tmp_path_factory: pytest.TempPathFactory, hand_files: dict[str, Path]) -> list[tuple[list[Path], str | None]]:
    """The imports of the hand-checked March ledger plus a keyless rail waybill and a running-counter meter."""
    d = tmp_path_factory.mktemp("pg_src")
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
    return [
        ([hand_files["e1"]], "E1"),
        ([hand_files["e2"]], "E2"),
        ([hand_files["rail"], hand_files["meter"], extra_rail, counter], None),
        ([gate_april], "E2"),
    ]


@pytest.fixture(scope="module")
def duck_ledger(tmp_path_factory: pytest.TempPathFactory, import_steps: list[tuple[list[Path], str | None]]) -> Path:
    db = tmp_path_factory.mktemp("pg_duck") / "ledger.duckdb"
    for files, ent in import_steps:
        ingest(db, files, enterprise=ent)
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


# --- checks: the same anomalies on both databases -------------------------------------------------


@pytest.fixture(scope="module")
def checks_duck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A March ledger with at least one anomaly of every kind ``run_checks`` knows."""
    d = tmp_path_factory.mktemp("pg_checks_src")
    e1 = write(
        d / "e1.csv",
        [
            GATE_HEADER,
            "20260302 080000,晋DD12345,,,,d,原煤,30,,进,,",  # electric here, China V at E2, VI at b7
            "20260302 100000,晋DA0001,,,,6,原煤,45.5,,进,,",  # overload
            "20260302 101000,晋DA0001,,,,6,原煤,42.25,,进,,",  # overload again, same plate
            "20260302 120000,晋DA0002,,,,6,原煤,30,,进,,",
            "20260302 120050,晋DA0002,,,,6,原煤,31,,进,,",  # double passage within 2 min
            "20260303 080000,晋DA0003,,,,6,焦炭,30,,出,,河北邯郸(邯长线)",  # coke out of province by road
            "20260303 081000,晋DA0013,,,,6,焦炭,32,,出,,日照港",  # ... to a region of regions.csv too
            "20260303 090000,晋DA0004,,,,6,原煤,30,,出,,",  # coal out, destination unknown
            "20260303 100000,晋DA0005,,,,6,焦炭,30,,出,,长治市区",  # coke staying in Shanxi: fine
            "20260304 080000,晋DA0006,,,,6,杂货,20,,进,,",  # unknown cargo
            "20260304 090000,晋DD00007,,,,d,原煤,30,,进,长治北站,",  # short-haul without waybill
        ],
    )
    e2 = write(d / "e2.csv", [GATE_HEADER, "20260305 080000,晋D D12345,,,,国五,原煤,30,,进,,"])
    b7 = write(d / "b7.csv", [GATE_HEADER, "20260306 080000,晋DD12345,,,,国六,原煤,29,,进,,"])
    counter = write(
        d / "counter.csv",
        [
            "日期,企业编号,计量点,输送方式,货物名称,累计量,方向",
            "2026-03-01,E2,E2-管道,管道,甲醇,5000,出",
            "2026-03-10,E2,E2-管道,管道,甲醇,5200.5,出",
            "2026-03-20,E2,E2-管道,管道,甲醇,120.25,出",  # counter reset
            "2026-03-31,E2,E2-管道,管道,甲醇,400,出",
        ],
    )
    db = d / "checks.duckdb"
    ingest(db, [e1], enterprise="E1")
    ingest(db, [e2], enterprise="E2")
    ingest(db, [b7], enterprise="B7")  # not in the roster
    ingest(db, [counter])
    # ingest writes ids in upper case; a lower-case id (another importer's) sorts after "E" by code
    # point only: a locale collation puts it first
    con = open_ledger(db)
    try:
        con.execute("UPDATE records SET enterprise_id = 'b7' WHERE enterprise_id = 'B7'")
    finally:
        con.close()
    return db


@pytest.fixture(scope="module")
def pg_checks(pg_server: dict[str, Any], checks_duck: Path) -> Iterator[Any]:
    """``checks_duck`` copied into its own database, collated by Chinese ICU rules where available.

    A locale collation orders ``河北`` before ``日照`` (pinyin) and ``b7`` before ``E1``; the checks
    must still list text in code-point order, as DuckDB does.
    """
    psycopg = pg_server["module"]
    params = {k: v for k, v in pg_server.items() if k != "module"}
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS cf_checks")
        try:
            admin.execute(
                "CREATE DATABASE cf_checks TEMPLATE template0 ENCODING 'UTF8' "
                "LOCALE_PROVIDER icu ICU_LOCALE 'zh' LOCALE 'C'"
            )
        except psycopg.Error:  # a server built without ICU
            admin.execute("CREATE DATABASE cf_checks TEMPLATE template0 ENCODING 'UTF8'")
    con = psycopg.connect(**(params | {"dbname": "cf_checks"}))
    try:
        with con.cursor() as cur:
            for stmt in ddl("postgres"):
                cur.execute(stmt)
        con.commit()
        _load(con, checks_duck)
        yield con
    finally:
        con.close()


def _key_rows(df: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [
        (r.check, r.severity, r.enterprise_id, r.plate, r.day, r.records, r.tonnes)
        for r in df.itertuples(index=False)
    ]


def test_checks_on_the_server_find_every_planted_anomaly(
    pg_checks: Any, checks_duck: Path, roster_dir: Path
) -> None:
    from cleanfreight.enterprises import load_enterprises

    roster = load_enterprises(roster_dir)
    a = run_checks(checks_duck, "2026-03", roster=roster)
    b = run_checks(pg_checks, "2026-03", roster=roster)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    # hand-checked: (check, severity, enterprise, plate, first day, records, tonnes), most severe first
    assert _key_rows(b) == [
        ("coal_coke_out_by_road", "error", "E1", None, "2026-03-03", 2, 62.0),
        ("stage_conflict", "error", "E1", "晋DD12345", "2026-03-02", 3, 89.0),
        ("counter_reset", "warning", "E2", None, "2026-03-20", 1, 120.25),
        ("double_passage", "warning", "E1", "晋DA0002", "2026-03-02", 1, 31.0),
        ("missing_days", "warning", "E1", None, "2026-03-01", 0, 0.0),
        ("missing_days", "warning", "E2", None, "2026-03-01", 0, 0.0),
        ("missing_days", "warning", "b7", None, "2026-03-01", 0, 0.0),
        ("not_reported", "warning", "E3", None, "2026-03-01", 0, 250_000.0),  # in the roster, no records
        ("overload", "warning", "E1", "晋DA0001", "2026-03-02", 2, 87.75),
        ("short_haul_without_waybill", "warning", "E1", None, "2026-03-04", 1, 30.0),
        ("unknown_enterprise", "warning", "b7", None, "2026-03-06", 1, 29.0),
        ("coal_coke_out_by_road", "info", "E1", None, "2026-03-03", 1, 30.0),
        ("unknown_cargo", "info", "E1", None, "2026-03-04", 1, 20.0),
    ]
    detail = dict(zip(b["check"] + "/" + b["severity"] + "/" + b["enterprise_id"], b["detail"], strict=True))
    # code-point order (日 U+65E5 before 河 U+6CB3; E before b) although the database collates by pinyin
    assert detail["coal_coke_out_by_road/error/E1"] == (
        "coke by road to outside Shanxi (日照港, 河北邯郸(邯长线)); the rulebook wants rail"
    )
    assert detail["stage_conflict/error/E1"] == "stages recorded: 5, 6, d; enterprises: E1, E2, b7"
    assert detail["coal_coke_out_by_road/info/E1"].startswith("coal leaving by road with no destination")
    assert detail["overload/warning/E1"] == "max load 45.5 t > plausible payload 40 t"
    assert detail["double_passage/warning/E1"] == "passed twice in the same direction within 2 min (1 times)"
    assert detail["counter_reset/warning/E2"] == (
        "meter E2-管道 (out): reading 120.25 t below the previous 5200.5 t of 2026-03-10; "
        "counter reset or replaced, the quantity of this interval is not counted"
    )
    # E1 has records on March 2-4, E2 on 5, 10 (counter delta) and 31, b7 on 6
    assert detail["missing_days/warning/E1"] == "28 day(s) without any record: 03-01, " + ", ".join(
        f"03-{day:02d}" for day in range(5, 32)
    )
    assert detail["missing_days/warning/E2"] == "28 day(s) without any record: " + ", ".join(
        f"03-{day:02d}" for day in range(1, 31) if day not in (5, 10)
    )
    assert detail["short_haul_without_waybill/warning/E1"].startswith("2026-03 in: short-haul trucks")
    assert detail["unknown_cargo/info/E1"] == "cargo not mapped to a bulk commodity: 杂货"


_ALL_MARCH = {
    "coal_coke_out_by_road": 2,
    "counter_reset": 1,
    "double_passage": 1,
    "missing_days": 3,
    "overload": 1,
    "short_haul_without_waybill": 1,
    "stage_conflict": 1,
    "unknown_cargo": 1,
}


@pytest.mark.parametrize(
    ("period", "settings", "rules", "with_roster", "expected"),
    [
        # whole ledger: missing days span each enterprise's first to last record (E1: 2-4 March,
        # all recorded; b7: one day), so only E2's; E3 of the roster sent nothing (not_reported)
        (
            None,
            None,
            "changzhi-2024",
            True,
            _ALL_MARCH | {"missing_days": 1, "unknown_enterprise": 1, "not_reported": 1},
        ),
        # 1-4 March: E1 only (no stage conflict: its one record of the plate is electric), no reset
        (
            "2026-03-01..2026-03-04",
            None,
            "changzhi-2024",
            False,
            {k: v for k, v in _ALL_MARCH.items() if k not in ("counter_reset", "stage_conflict")}
            | {"missing_days": 1},
        ),
        # 30.5 t and 15 min: 31 t (晋DA0002) and 32 t (晋DA0013) are overloads too, and the two
        # 晋DA0001 passages 10 min apart a double passage
        (
            "2026-Q1",
            CheckParams(max_payload_t=30.5, double_passage_minutes=15),
            "changzhi-2024",
            True,
            # January and February: no roster enterprise reported (3 x 2), March: E3
            _ALL_MARCH | {"overload": 3, "double_passage": 2, "unknown_enterprise": 1, "not_reported": 7},
        ),
        # no rail-only rule under the MEE steel rulebook; 0 min: no double passage
        (
            "2026-03",
            CheckParams(double_passage_minutes=0),
            "mee-steel-2019",
            False,
            {k: v for k, v in _ALL_MARCH.items() if k not in ("coal_coke_out_by_road", "double_passage")},
        ),
        # nothing recorded in April: the roster's three enterprises did not report
        ("2026-04", None, "changzhi-2024", True, {"not_reported": 3}),
    ],
)
def test_checks_same_on_both_databases(
    pg_checks: Any,
    checks_duck: Path,
    roster_dir: Path,
    period: str | None,
    settings: CheckParams | None,
    rules: str,
    with_roster: bool,
    expected: dict[str, int],
) -> None:
    from cleanfreight.enterprises import load_enterprises

    roster = load_enterprises(roster_dir) if with_roster else None
    a = run_checks(checks_duck, period, roster=roster, rules=rules, settings=settings)
    b = run_checks(pg_checks, period, roster=roster, rules=rules, settings=settings)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert b.groupby("check").size().to_dict() == expected
    if period is None:
        e2 = b[b["check"] == "missing_days"].iloc[0]
        assert (e2["enterprise_id"], e2["day"]) == ("E2", "2026-03-06")
        # 5 .. 31 March less the recorded 5, 10 and 31 (the reset of the 20th adds no record)
        assert e2["detail"].startswith("24 day(s) without any record: 03-06, 03-07, 03-08, 03-09, 03-11")
    if period == "2026-Q1":
        doubles = b[b["check"] == "double_passage"]
        assert doubles[["plate", "tonnes"]].values.tolist() == [["晋DA0001", 42.25], ["晋DA0002", 31.0]]
        over = b[b["check"] == "overload"]
        assert over[["plate", "records", "tonnes"]].values.tolist() == [
            ["晋DA0001", 2, 87.75],
            ["晋DA0002", 1, 31.0],
            ["晋DA0013", 1, 32.0],
        ]
        assert over["detail"].iloc[2] == "max load 32.0 t > plausible payload 30.5 t"
        missing = b[b["check"] == "missing_days"].set_index("enterprise_id")["detail"].str.split(" ").str[0]
        assert missing.to_dict() == {"E1": "87", "E2": "87", "b7": "89"}  # 90 days of Q1


def test_checks_on_the_hand_ledger_same_as_duckdb(pg: Any, duck_ledger: Path, roster_dir: Path) -> None:
    from cleanfreight.enterprises import load_enterprises

    _load(pg, duck_ledger)
    roster = load_enterprises(roster_dir)
    for label in ("2026-03", "2026-04", None):
        a = run_checks(duck_ledger, label, roster=roster)
        b = run_checks(pg, label, roster=roster)
        assert len(b) > 0
        pd.testing.assert_frame_equal(a, b, check_exact=True)


# --- import straight into PostgreSQL: the same rules, one code path ---------------------------------

_NO_ID = [c for c, _ in __import__("cleanfreight.ledger.schema", fromlist=["RECORD_COLUMNS"]).RECORD_COLUMNS
          if c != "import_id"]


def _table(db: Any, sql: str) -> pd.DataFrame:
    from cleanfreight.ledger._db import LedgerReader

    with LedgerReader(db) as rd:
        df = rd.df(sql)
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def test_ingest_on_the_server_same_as_duckdb(
    pg_server: dict[str, Any], duck_ledger: Path, import_steps: list[tuple[list[Path], str | None]]
) -> None:
    addr = new_database(pg_server)
    duck2 = duck_ledger.with_name("again.duckdb")
    for files, ent in import_steps:
        a = ingest(duck2, files, enterprise=ent)
        b = ingest(addr, files, enterprise=ent)
        assert [(f.accepted, f.rejected, f.duplicates, f.conflicts, f.import_id) for f in a.files] == [
            (f.accepted, f.rejected, f.duplicates, f.conflicts, f.import_id) for f in b.files
        ]
    cols = ", ".join(_NO_ID)
    pd.testing.assert_frame_equal(_table(duck_ledger, f"SELECT {cols} FROM records"),
                                  _table(addr, f"SELECT {cols} FROM records"), check_dtype=False)
    rej = "SELECT import_id, file_name, src_row, column_name, value, reason FROM rejects"
    pd.testing.assert_frame_equal(_table(duck_ledger, rej), _table(addr, rej), check_dtype=False)
    pd.testing.assert_frame_equal(_table(duck_ledger, "SELECT dedup_key, reading FROM meter_readings"),
                                  _table(addr, "SELECT dedup_key, reading FROM meter_readings"), check_dtype=False)
    # everything again: nothing added, every row a duplicate, the rejects of the same bytes replaced
    for files, ent in import_steps:
        b = ingest(addr, files, enterprise=ent)
        assert b.accepted == 0 and b.duplicates > 0
    assert len(_table(addr, "SELECT dedup_key FROM records")) == 19
    pd.testing.assert_frame_equal(_table(duck_ledger, "SELECT file_name, src_row, reason FROM rejects"),
                                  _table(addr, "SELECT file_name, src_row, reason FROM rejects"), check_dtype=False)
    from cleanfreight.ledger import Ledger

    with Ledger.open(addr) as led:
        on_server = led.report("2026-03")
    pd.testing.assert_frame_equal(report(duck_ledger, "2026-03").enterprises, on_server.enterprises,
                                  check_dtype=False)


def test_concurrent_imports_on_the_server_count_each_record_once(
    pg_server: dict[str, Any], tmp_path: Path
) -> None:
    import threading

    addr = new_database(pg_server)
    # four files, each half shared with the next: 4 x 40 rows, 100 distinct passages
    files = []
    for k in range(4):
        rows = [f"202603{(n % 28) + 1:02d} {n % 24:02d}0000,晋D{n:05d},,,,6,原煤,30,,进,," for n in range(k * 20, k * 20 + 40)]
        files.append(write(tmp_path / f"part{k}.csv", [GATE_HEADER, *rows]))
    results: list[Any] = [None] * 4
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            results[k] = ingest(addr, [files[k]], enterprise="E1")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert sum(r.accepted for r in results) == 100
    assert all(r.accepted + r.duplicates == 40 for r in results)
    assert len(_table(addr, "SELECT dedup_key FROM records")) == 100
    ids = _table(addr, "SELECT import_id FROM imports")["import_id"].tolist()
    assert sorted(ids) == [1, 2, 3, 4]


def test_export_from_the_server_same_as_from_duckdb(
    pg_server: dict[str, Any], duck_ledger: Path, import_steps: list[tuple[list[Path], str | None]], tmp_path: Path
) -> None:
    """``ledger export`` of a PostgreSQL ledger (staged through DuckDB in chunks) writes the same Parquet
    as the export of the DuckDB ledger holding the same imports, and reports the same from it."""
    import json

    import duckdb

    from cleanfreight.ledger import Ledger
    from cleanfreight.ledger.export import export_parquet

    addr = new_database(pg_server)
    for files, ent in import_steps:
        ingest(addr, files, enterprise=ent)
    a = export_parquet(duck_ledger, tmp_path / "from_duckdb")
    with Ledger.open(addr) as led:
        b = led.export(tmp_path / "from_server")
    assert b.records == a.records == 19 and b.months == a.months
    assert sorted(a.files) == sorted(b.files)

    def parquet(folder: Path, sub: str) -> pd.DataFrame:
        """The export's rows without the import ids (numbered per database), in a stable order."""
        df = duckdb.sql(f"SELECT * EXCLUDE (import_id) FROM read_parquet('{folder}/{sub}')").df()
        return df.sort_values(list(df.columns)).reset_index(drop=True)

    for sub in ("records/*/*.parquet", "meter_readings/*.parquet"):
        pd.testing.assert_frame_equal(parquet(a.folder, sub), parquet(b.folder, sub), check_dtype=False)
    with Ledger.open_parquet(b.folder, engine="duckdb") as led:
        from_export = led.report("2026-03")
    assert json.dumps(from_export.as_dict(), sort_keys=True) == json.dumps(
        report(duck_ledger, "2026-03").as_dict(), sort_keys=True
    )
