"""The province instance's gate records: the ledger export's layout, seeded, and plausible."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cleanfreight.jobs.province import ProvinceParams, make_province
from cleanfreight.ledger import Ledger, open_ledger

PARAMS = ProvinceParams(enterprises=60, stations=8, records=30_000, seed=5)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("province")
    files = make_province(PARAMS, out, ["sites", "records"])
    assert files["records"] == out / "records"
    return out


def _read(folder: Path) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        return con.execute(
            f"SELECT * FROM read_parquet('{folder}/records/month=*/*.parquet', hive_partitioning = true) "
            "ORDER BY src_row"
        ).df()
    finally:
        con.close()


def test_layout_columns_and_types_are_the_ledger_exports(province: Path, tmp_path: Path) -> None:
    months = sorted(p.name for p in (province / "records").iterdir())
    assert months == [f"month=2026-{m:02d}" for m in range(1, 13)]
    con = duckdb.connect()
    got = con.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{province}/records/month=2026-05/*.parquet', hive_partitioning = false)"
    ).df()
    con.close()
    led = open_ledger(tmp_path / "empty.duckdb")
    want = led.execute("DESCRIBE records").df()
    led.close()
    assert list(got["column_name"]) == list(want["column_name"])
    assert list(got["column_type"]) == list(want["column_type"])
    df = _read(province)
    assert len(df) == PARAMS.records and df["dedup_key"].is_unique
    assert (df["month"] == df["ts"].dt.strftime("%Y-%m")).all()


def test_same_seed_same_records(province: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    make_province(PARAMS, again, ["records"])
    pd.testing.assert_frame_equal(_read(province), _read(again))


def test_records_are_plausible(province: Path) -> None:
    df = _read(province)
    gate = df[df["kind"] == "gate"]
    assert 29 < gate["tonnes"].mean() < 33 and gate["tonnes"].max() <= 45
    assert set(df["chain"]) == {"direct", "short_haul", "station", "spur"}
    assert 0.05 < (df["kind"] == "rail").mean() < 0.25
    assert set(gate["stage"]) >= {"d", "6", "5"} and "天然气车队" in set(gate["fleet"])
    assert gate.groupby("plate")["stage"].nunique().max() == 1  # a plate keeps its stage
    ne = gate.assign(ne=gate["stage"].isin(["d", "h"])).groupby("enterprise_id")["ne"].mean()
    assert ne.max() - ne.min() > 0.3  # the fuel mix varies by enterprise
    coal = df[(df["commodity"] == "coal") & (df["direction"] == "out")]
    assert len(coal) > 0 and (df[df["commodity"] == "iron_ore"]["direction"] == "in").all()
    per_month = df.groupby("month").size()
    assert per_month["2026-12"] > per_month["2026-02"]  # heating season and the Spring Festival


def test_the_ledger_reads_the_records_as_an_export(province: Path) -> None:
    with Ledger.open_parquet(province, engine="duckdb") as led:
        rep = led.report("2026-03")
        assert rep.city["enterprises"] == PARAMS.enterprises
        assert 0.2 < rep.city["clean_ratio"] < 0.95
        checks = led.checks("2026-03")
        assert "stage_conflict" not in set(checks["check"])
