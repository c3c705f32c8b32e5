"""The ledger's reports on Apache Spark and on DuckDB over Parquet give the same JSON as the ledger file.

A seeded sample year is imported once, exported as Parquet partitioned by month, and read back by
DuckDB (in process) and by one local Spark session (``local[1]``, small memory) for the whole test
session. Skipped when Java or pyspark is missing, except in CI (``CLEANFREIGHT_REQUIRE_SYSTEM_DEPS``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanfreight.cli import app
from cleanfreight.errors import InputError
from cleanfreight.ledger import Ledger
from tests._system import skip_or_fail
from tests.ledger.test_postgres import checks_duck  # noqa: F401  (a ledger with every kind of anomaly)

pytestmark = pytest.mark.spark

runner = CliRunner()
#: periods compared: a month, a quarter, a day range across a month end
PERIODS = ("2026-03", "2026-Q4", "2026-01-20..2026-02-10")
#: months of the trend compared
TREND = ("2026-01", "2026-05")


def _dump(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for the test session (start-up takes 10-20 s)."""
    if shutil.which("java") is None:
        skip_or_fail("java not found (apt-get install openjdk-17-jre-headless)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        skip_or_fail("pyspark is not installed (pip install 'cleanfreight[spark]')")
    from cleanfreight.ledger._spark import spark_session

    session = spark_session(master="local[1]", driver_memory="768m", shuffle_partitions=2)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def sample_year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The bundled roster's seeded year of exports (with their planted defects), imported and exported."""
    from cleanfreight.enterprises import load_enterprises
    from cleanfreight.ledger import generate_records, ingest

    d = tmp_path_factory.mktemp("spark_year")
    man = generate_records(load_enterprises(), d / "files", scale=0.004, seed=11)
    db = d / "ledger.duckdb"
    ingest(db, list(man.files))
    with Ledger.open(db, read_only=True) as led:
        exported = led.export(d / "pq")
        reports = {p: _dump(led.report(p).as_dict()) for p in PERIODS}
        trend = _dump(led.trend(*TREND).as_dict())
        checks = led.checks("2026-03")
        checks_all = led.checks()
        span, count = led.span(), led.count()
    return {
        "db": db,
        "parquet": d / "pq",
        "export": exported,
        "reports": reports,
        "trend": trend,
        "checks": checks,
        "checks_all": checks_all,
        "span": span,
        "count": count,
    }


def test_export_writes_month_partitions_with_the_records_columns(sample_year: dict[str, Any]) -> None:
    import duckdb

    res = sample_year["export"]
    pq = sample_year["parquet"]
    assert res.records == sample_year["count"] > 1000
    assert sorted(res.months) == [f"2026-{m:02d}" for m in range(1, 13)]
    assert sorted(p.name for p in (pq / "records").iterdir()) == [f"month=2026-{m:02d}" for m in range(1, 13)]
    manifest = json.loads((pq / "ledger.json").read_text())
    assert manifest["records"] == res.records and manifest["schema_version"] == 2
    con = duckdb.connect()
    try:
        got = con.execute(
            f"DESCRIBE SELECT * FROM read_parquet('{pq}/records/month=2026-03/*.parquet', hive_partitioning = false)"
        ).df()
        ledger_con = duckdb.connect(str(sample_year["db"]), read_only=True)
        want = ledger_con.execute("DESCRIBE records").df()
        ledger_con.close()
    finally:
        con.close()
    assert list(got["column_name"]) == list(want["column_name"])
    assert list(got["column_type"]) == list(want["column_type"])


def test_re_export_replaces_the_folder_and_refuses_other_folders(
    sample_year: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "pq"
    with Ledger.open(sample_year["db"], read_only=True) as led:
        led.export(out)
        stale = out / "records" / "month=1999-01"
        stale.mkdir()
        (stale / "data_0.parquet").write_bytes(b"old")
        again = led.export(out)
        assert again.records == sample_year["count"]
        assert not stale.exists()
        assert [p.name for p in tmp_path.iterdir()] == ["pq"]  # no temporary folder left behind
        other = tmp_path / "other"
        other.mkdir()
        (other / "keep.txt").write_text("mine")
        with pytest.raises(InputError, match="holds no earlier ledger export"):
            led.export(other)
        assert (other / "keep.txt").read_text() == "mine"


def test_duckdb_over_parquet_gives_the_same_reports(sample_year: dict[str, Any]) -> None:
    with Ledger.open_parquet(sample_year["parquet"], engine="duckdb") as led:
        for period in PERIODS:
            assert _dump(led.report(period).as_dict()) == sample_year["reports"][period], period
        assert _dump(led.trend(*TREND).as_dict()) == sample_year["trend"]
        pd.testing.assert_frame_equal(led.checks("2026-03"), sample_year["checks"], check_exact=True)
        pd.testing.assert_frame_equal(led.checks(), sample_year["checks_all"], check_exact=True)
        assert led.span() == sample_year["span"] and led.count() == sample_year["count"]
        with pytest.raises(InputError, match="read-only"):
            led.ingest([])


def test_spark_gives_the_same_reports_trend_and_checks(spark: Any, sample_year: dict[str, Any]) -> None:
    # each Spark query costs a second or two on one core: the CLI test below reports 2026-03
    with Ledger.open_parquet(sample_year["parquet"], engine="spark", session=spark) as led:
        for period in PERIODS[1:]:
            assert _dump(led.report(period).as_dict()) == sample_year["reports"][period], period
        assert _dump(led.trend(*TREND).as_dict()) == sample_year["trend"]
        checks = led.checks("2026-03")
        assert {"missing_days", "unknown_cargo", "coal_coke_out_by_road"} <= set(checks["check"])
        pd.testing.assert_frame_equal(checks, sample_year["checks"], check_exact=True)
        assert led.count() == sample_year["count"]
    assert not spark.sparkContext._jsc.sc().isStopped()  # a session passed in stays open


def test_spark_finds_every_planted_anomaly_as_duckdb_does(
    spark: Any,
    checks_duck: Path,  # noqa: F811
    roster_dir: Path,
    tmp_path: Path,
) -> None:
    from cleanfreight.enterprises import load_enterprises

    roster = load_enterprises(roster_dir)
    with Ledger.open(checks_duck, read_only=True) as led:
        led.export(tmp_path / "pq")
        want = led.checks("2026-03", roster=roster)
    # stage conflicts over three enterprises, overloads, a double passage 50 s apart, coke to Hebei and
    # Rizhao, unknown cargo, short-haul without waybill, missing days and a counter reset
    assert {"stage_conflict", "overload", "double_passage", "coal_coke_out_by_road", "unknown_cargo",
            "short_haul_without_waybill", "missing_days", "counter_reset", "unknown_enterprise"} <= set(want["check"])
    with Ledger.open_parquet(tmp_path / "pq", engine="spark", session=spark) as led:
        got = led.checks("2026-03", roster=roster)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_cli_report_on_spark_prints_the_same_json(spark: Any, sample_year: dict[str, Any]) -> None:
    db, pq = str(sample_year["db"]), str(sample_year["parquet"])
    base = runner.invoke(app, ["ledger", "report", "--db", db, "--period", "2026-03", "--json"])
    assert base.exit_code == 0, base.output
    for engine in ("spark", "duckdb"):  # the same bytes, not only the same numbers
        got = runner.invoke(
            app, ["ledger", "report", "--engine", engine, "--parquet", pq, "--period", "2026-03", "--json"]
        )
        assert got.exit_code == 0, got.output
        assert _dump(json.loads(got.stdout)) == _dump(json.loads(base.stdout)), engine
    trend = runner.invoke(app, ["ledger", "trend", "--parquet", pq, "--from", "2026-01", "--to", "2026-06", "--json"])
    want = runner.invoke(app, ["ledger", "trend", "--db", db, "--from", "2026-01", "--to", "2026-06", "--json"])
    assert trend.exit_code == 0, trend.output
    assert trend.stdout == want.stdout


def test_cli_export_and_bad_engine_options(sample_year: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "export"
    res = runner.invoke(app, ["ledger", "export", "--db", str(sample_year["db"]), "--parquet", str(out), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["records"] == sample_year["count"]
    assert "records/month=2026-03" in data["files"] and Path(data["files"]["manifest"]).exists()
    checks = runner.invoke(app, ["ledger", "checks", "--parquet", str(out), "--period", "2026-03", "--json"])
    want = runner.invoke(app, ["ledger", "checks", "--db", str(sample_year["db"]), "--period", "2026-03", "--json"])
    assert checks.exit_code == 0, checks.output
    assert checks.stdout == want.stdout
    missing = runner.invoke(app, ["ledger", "report", "--parquet", str(tmp_path / "nope"), "--period", "2026-03"])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    bad = runner.invoke(app, ["ledger", "report", "--parquet", str(out), "--engine", "hive", "--period", "2026-03"])
    assert bad.exit_code == 2 and "duckdb, spark" in bad.output
    both = runner.invoke(
        app, ["ledger", "report", "--parquet", str(out), "--db", str(sample_year["db"]), "--period", "2026-03"]
    )
    assert both.exit_code == 2
    spark_db = runner.invoke(
        app, ["ledger", "report", "--db", str(sample_year["db"]), "--engine", "spark", "--period", "2026-03"]
    )
    assert spark_db.exit_code == 2 and "Parquet export" in spark_db.output
