"""Records pushed one by one (ledger.feed): same rules as a file import, rejects by position."""

from __future__ import annotations

from pathlib import Path

from cleanfreight.ledger import IngestParams, ingest_rows, list_rejects, open_ledger, report

GOOD = {"timestamp": "2026-03-05 08:00:00", "plate": "晋d 12345", "emission_stage": "d", "cargo": "原煤",
        "tonnes": 31.5, "direction": "in", "vin": "LZZ1BLNB5NA000001", "serial": "S1", "gate": "G1"}


def test_rows_accept_reject_and_deduplicate(tmp_path: Path) -> None:
    db = tmp_path / "l.duckdb"
    con = open_ledger(db)
    rows = [
        GOOD,
        {**GOOD, "plate": "XX", "serial": "S2"},  # invalid plate
        {"进出厂时间": "20260305 090000", "车牌号码": "晋D54321", "排放阶段": "国六", "运输货物名称": "焦炭",
         "运输量": "30", "进出方向": "出"},  # Chinese field names
        {},
        {**GOOD, "tonnes": 500, "serial": "S4"},  # impossible load
    ]
    res = ingest_rows(con, rows, source="push CZ01/G1", enterprise="CZ01")
    assert (res.accepted, res.duplicates) == (2, 0)
    assert res.rejected_indexes == [1, 3, 4]
    assert res.accepted_indexes == (0, 2)
    reasons = {r.index: r.reason for r in res.rejects}
    assert reasons[1] == "invalid plate; expected e.g. 晋D12345"
    assert reasons[3] == "empty record"
    assert reasons[4].startswith("load above 100 t")
    again = ingest_rows(con, [GOOD], source="push CZ01/G1 again", enterprise="CZ01")
    assert (again.accepted, again.duplicates, again.rejects) == (0, 1, ())
    rep = report(con, "2026-03")
    assert rep.enterprises["enterprise_id"].tolist() == ["CZ01"]
    assert float(rep.enterprises["tonnes_total"].iloc[0]) == 61.5
    rj = list_rejects(con, [res.import_id])
    assert rj["file_name"].unique().tolist() == ["push_CZ01_G1.csv"]
    con.close()


def test_only_enterprise_rejects_other_enterprises(tmp_path: Path) -> None:
    con = open_ledger(tmp_path / "l.duckdb")
    rows = [{**GOOD, "enterprise_id": "CZ02"}, {**GOOD, "enterprise_id": "cz01", "plate": "晋D11111"}]
    res = ingest_rows(con, rows, source="up", enterprise="CZ01", settings=IngestParams(only_enterprise="CZ01"))
    assert res.accepted == 1
    assert [(r.index, r.reason) for r in res.rejects] == [
        (0, "record of another enterprise; this import takes CZ01 only")
    ]
    con.close()


def test_batch_missing_a_required_field_rejects_every_record(tmp_path: Path) -> None:
    con = open_ledger(tmp_path / "l.duckdb")
    rows = [{k: v for k, v in GOOD.items() if k != "emission_stage"}] * 2
    res = ingest_rows(con, rows, source="x", enterprise="CZ01")
    assert res.accepted == 0
    assert res.rejected_indexes == [0, 1]
    assert "stage" in res.rejects[0].reason
    con.close()


def test_canonical_fields() -> None:
    from cleanfreight.ledger import canonical_fields

    row = {"运输量": "30", "车牌号码": "晋D12345", "serial": "S1", "cargo": " ", "排放阶段": None}
    assert canonical_fields(row) == {"tonnes": "30", "plate": "晋D12345"}
