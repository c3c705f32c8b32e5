from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight.enterprises import load_enterprises
from cleanfreight.ledger import CheckParams, ingest, run_checks
from tests.ledger.conftest import GATE_HEADER, write


@pytest.fixture(scope="module")
def planted_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("checks")
    e1 = write(
        d / "e1.csv",
        [
            GATE_HEADER,
            "20260302 080000,晋DD12345,,,,d,原煤,30,,进,,",
            "20260302 100000,晋DA0001,,,,6,原煤,45.5,,进,,",  # overload
            "20260302 120000,晋DA0002,,,,6,原煤,30,,进,,",
            "20260302 120050,晋DA0002,,,,6,原煤,31,,进,,",  # double passage within 2 min
            "20260303 080000,晋DA0003,,,,6,焦炭,30,,出,,河北邯郸(邯长线)",  # coke out of province by road
            "20260303 090000,晋DA0004,,,,6,焦炭,30,,出,,",  # coke out, destination unknown
            "20260303 100000,晋DA0005,,,,6,焦炭,30,,出,,长治市区",  # coke staying in Shanxi: fine
            "20260304 080000,晋DA0006,,,,6,杂货,20,,进,,",  # unknown cargo
            "20260304 090000,晋DD00007,,,,d,原煤,30,,进,长治北站,",  # short-haul without waybill
        ],
    )
    e2 = write(
        d / "e2.csv", [GATE_HEADER, "20260305 080000,晋D D12345,,,,国五,原煤,30,,进,,"]
    )  # same plate as China V
    zz = write(d / "zz.csv", [GATE_HEADER, "20260305 080000,晋DA0009,,,,6,原煤,30,,进,,"])
    db = d / "l.duckdb"
    ingest(db, [e1], enterprise="E1")
    ingest(db, [e2], enterprise="E2")
    ingest(db, [zz], enterprise="ZZ9")
    return db


def test_planted_anomalies_found(planted_db: Path, roster_dir: Path) -> None:
    roster = load_enterprises(roster_dir)
    df = run_checks(planted_db, "2026-03", roster=roster)
    got = {
        (r.check, r.severity, r.enterprise_id, r.plate if isinstance(r.plate, str) else None, r.records)
        for r in df.itertuples()
    }
    assert ("stage_conflict", "error", "E1", "晋DD12345", 2) in got
    assert ("overload", "warning", "E1", "晋DA0001", 1) in got
    assert ("double_passage", "warning", "E1", "晋DA0002", 1) in got
    assert ("unknown_enterprise", "warning", "ZZ9", None, 1) in got
    assert ("coal_coke_out_by_road", "error", "E1", None, 1) in got
    assert ("coal_coke_out_by_road", "info", "E1", None, 1) in got
    assert ("short_haul_without_waybill", "warning", "E1", None, 1) in got
    assert ("unknown_cargo", "info", "E1", None, 1) in got
    # the day of an anomaly is its first record: the short-haul truck of 4 March, not E1's first record
    short = df[df["check"] == "short_haul_without_waybill"].iloc[0]
    assert (short["day"], short["tonnes"]) == ("2026-03-04", 30.0)
    missing = df[(df["check"] == "missing_days") & (df["enterprise_id"] == "E1")].iloc[0]
    assert missing["detail"].startswith("28 day(s)")  # March has 31 days, E1 has records on 3
    # E3 is in the roster but sent nothing for March: 未报送, its declared 3 Mt/yr / 12 expected
    nr = df[df["check"] == "not_reported"]
    assert list(nr["enterprise_id"]) == ["E3"]
    assert (nr["day"].iloc[0], nr["records"].iloc[0], nr["tonnes"].iloc[0]) == ("2026-03-01", 0, 250_000.0)
    assert nr["detail"].iloc[0] == (
        "2026-03: no gate or meter records (not reported); "
        "about 250000.0 t expected (its declared tonnes per year / 12)"
    )
    assert len(df) == 12  # the above + missing days for E1, E2, ZZ9
    assert df["severity"].iloc[0] == "error"


def test_thresholds_are_settings(planted_db: Path) -> None:
    df = run_checks(planted_db, "2026-03", settings=CheckParams(max_payload_t=50, double_passage_minutes=0))
    assert not df["check"].isin(["overload", "double_passage", "unknown_enterprise"]).any()
    with pytest.raises(ValueError):
        CheckParams(max_payload_t=0)


def test_mee_rulebook_has_no_rail_only_rule(planted_db: Path) -> None:
    df = run_checks(planted_db, "2026-03", rules="mee-steel-2019")
    assert not (df["check"] == "coal_coke_out_by_road").any()
