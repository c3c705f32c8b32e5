"""The report over HTTP is the ledger's report, scoped to the caller."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cleanfreight.enterprises import load_enterprises
from cleanfreight.ledger import open_ledger, report
from tests.server._live import Backend, LiveServer


def test_bureau_report_is_the_ledger_report(live: LiveServer, sample_ledger: Path) -> None:
    con = open_ledger(sample_ledger, read_only=True)
    try:
        expected = json.loads(json.dumps(report(con, "2026-03", roster=load_enterprises()).as_dict()))
    finally:
        con.close()
    with live.client() as c:
        got = c.get("/api/v1/report", params={"period": "2026-03"}, headers=live.auth("chief")).json()
    assert got.pop("scope") == "city"
    # the same figures; PostgreSQL adds floating-point tonnes in another order (last digits differ)
    assert _rounded(got) == _rounded(expected)
    assert len(got["enterprises"]) == 40


def _rounded(obj: Any) -> Any:
    """``obj`` with every float to 10 significant digits."""
    if isinstance(obj, float):
        return float(f"{obj:.10g}")
    if isinstance(obj, dict):
        return {k: _rounded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_rounded(v) for v in obj]
    return obj


def test_enterprise_sees_only_itself(live: LiveServer) -> None:
    with live.client() as c:
        a = c.get("/api/v1/report", params={"period": "2026-03"}, headers=live.auth("cz01")).json()
        b = c.get("/api/v1/report", params={"period": "2026-03"}, headers=live.auth("cz02")).json()
        full = c.get("/api/v1/report", params={"period": "2026-03"}, headers=live.auth("chief")).json()
    assert [e["enterprise_id"] for e in a["enterprises"]] == ["CZ01"]
    assert [e["enterprise_id"] for e in b["enterprises"]] == ["CZ02"]
    assert a["city"] == {"target": 0.8}
    assert set(a) == {"period", "start", "end_exclusive", "rulebook", "assumptions", "enterprises", "city", "scope"}
    assert "CZ02" not in json.dumps(a, ensure_ascii=False)
    own = next(e for e in full["enterprises"] if e["enterprise_id"] == "CZ01")
    assert a["enterprises"][0] == own
    assert (a["scope"], b["scope"]) == ("CZ01", "CZ02")


def test_bad_period_is_400(live: LiveServer) -> None:
    with live.client() as c:
        r = c.get("/api/v1/report", params={"period": "March"}, headers=live.auth("chief"))
    assert r.status_code == 400
    assert "YYYY-MM" in r.json()["detail"]


def test_anomalies_are_the_ledger_checks_scoped(live: LiveServer, sample_ledger: Path) -> None:
    from cleanfreight.ledger import run_checks

    con = open_ledger(sample_ledger, read_only=True)
    try:
        expected = run_checks(con, "2026-03", roster=load_enterprises())
    finally:
        con.close()
    with live.client() as c:
        every = c.get("/api/v1/anomalies", params={"period": "2026-03"}, headers=live.auth("chief")).json()
        own = c.get("/api/v1/anomalies", params={"period": "2026-03"}, headers=live.auth("cz01")).json()
    assert len(every["anomalies"]) == len(expected) > 0
    assert [a["check"] for a in every["anomalies"]] == expected["check"].tolist()
    assert {a["enterprise_id"] for a in own["anomalies"]} <= {"CZ01"}
    assert len(own["anomalies"]) == int((expected["enterprise_id"] == "CZ01").sum())


def test_bureau_downloads_the_period_workbook(live: LiveServer) -> None:
    import io

    import openpyxl

    from tests.server._live import web_login

    with live.client() as c:
        web_login(c, "chief")
        r = c.get("/report.xlsx", params={"period": "2026-03"})
        assert r.status_code == 200
        assert r.headers["content-disposition"] == 'attachment; filename="ledger_2026-03_changzhi-2024.xlsx"'
        wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
        assert wb.sheetnames[:2] == ["全市", "企业"]  # the page's language (Chinese by default)
        wb.close()
        r = c.get("/report.xlsx", params={"period": "2026-03", "lang": "en"})
        wb = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
        assert wb.sheetnames[:2] == ["City", "Enterprises"]
        wb.close()
    with live.client() as c:
        web_login(c, "cz01")
        assert c.get("/report.xlsx", params={"period": "2026-03"}).status_code == 403


def test_plan_against_actual(sample_ledger: Path, tmp_path: Path, backend: Backend) -> None:
    from tests.server._live import start_server

    plan = tmp_path / "plan.csv"
    plan.write_text("enterprise_id,ratio_after\nCZ01,0.85\nCZ02,0.9\n", encoding="utf-8")
    s = start_server(sample_ledger, tmp_path, backend, plan=plan)
    try:
        with s.client() as c:
            rep = c.get("/api/v1/report", params={"period": "2026-03"}, headers=s.auth("cz02")).json()
    finally:
        s.stop()
    row = rep["enterprises"][0]
    assert (row["enterprise_id"], row["plan_ratio"]) == ("CZ02", 0.9)
    assert row["plan_delta"] == row["clean_ratio"] - 0.9


def test_bureau_downloads_the_briefing(live: LiveServer) -> None:
    from tests.server._live import web_login

    with live.client() as c:
        web_login(c, "chief")
        r = c.get("/briefing.pdf", params={"period": "2026-03"})
        assert r.status_code == 200
        assert r.content.startswith(b"%PDF")
        assert r.headers["content-disposition"] == 'attachment; filename="briefing_2026-03.pdf"'
        assert c.get("/briefing.pdf", params={"period": "2025-03"}).status_code == 404
    with live.client() as c:
        web_login(c, "cz01")
        assert c.get("/briefing.pdf", params={"period": "2026-03"}).status_code == 403


def test_dashboard_counts_who_reported(tmp_path: Path, backend: Backend) -> None:
    import re

    from tests.server._live import start_server, web_login

    s = start_server(None, tmp_path, backend)
    try:
        rec = {"serial": "R1", "gate": "G1", "timestamp": "2026-03-05 08:00:00", "plate": "晋D12345",
               "emission_stage": "d", "cargo": "原煤", "tonnes": 30, "direction": "in"}
        with s.client() as c:
            assert c.post("/api/v1/passages", json=[rec], headers=s.auth("gate-cz01")).json()["accepted"] == 1
            web_login(c, "chief")
            html = c.get("/dashboard", params={"period": "2026-03"}).text
    finally:
        s.stop()
    cards = re.findall(r'<div class="big[^"]*">([^<]+)</div>', html)
    assert cards[:4] == ["100.0%", "1 / 40", "1 / 40", "0 / 1"]  # ratio, meeting, reported, gates online
    row = re.search(r'<tr data-enterprise="CZ02">(.*?)</tr>', html, re.S)
    assert row and "未报送" in row[1]
