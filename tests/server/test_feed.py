"""The gate feed: pushes acknowledged after commit, serials counted once, enterprise scope, envelope, gates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.server._live import Backend, LiveServer, db_rows, start_server


def passage(serial: str, **kw: Any) -> dict[str, Any]:
    rec = {"serial": serial, "gate": "G1", "timestamp": "2026-04-05 08:00:00", "plate": "晋D12345",
           "emission_stage": "d", "cargo": "原煤", "tonnes": 31.5, "direction": "in", "vin": "LZZ1BLNB5NA000001"}
    return rec | kw


@pytest.fixture
def server(tmp_path: Path, backend: Backend) -> Any:
    s = start_server(None, tmp_path, backend)
    yield s
    s.stop()


def ledger_rows(s: LiveServer, sql: str) -> list[tuple[Any, ...]]:
    """Read the ledger (a DuckDB file after the server stopped: one process at a time)."""
    return s.rows(sql)


def test_push_accepts_rejects_and_counts_resent_serials_once(server: LiveServer) -> None:
    h = server.auth("gate-cz01")
    batch = [
        passage("SER1"),
        passage("SER2", plate="晋D 54321", emission_stage="国六", tonnes="30", direction="2"),
        passage("SER3", plate="12345"),
        passage("SER4", tonnes=-3),
        {"serial": "SER5", "进出厂时间": "20260405 100000", "车牌号码": "晋DD88888", "排放阶段": "电动",
         "运输货物名称": "焦炭", "运输量": "28.4", "进出方向": "出"},
        passage("SER1"),  # repeated inside the batch
    ]
    with server.client() as c:
        first = c.post("/api/v1/passages", json=batch, headers=h).json()
        assert first["accepted"] == 3
        assert first["duplicates"] == 1
        assert first["rejected"] == [
            {"serial": "SER3", "reason": "plate: invalid plate; expected e.g. 晋D12345"},
            {"serial": "SER4", "reason": "tonnes: quantity must be greater than 0"},
        ]
        # the client did not get (or lost) the answer and sends everything again
        again = c.post("/api/v1/passages", json=batch, headers=h).json()
        assert again == {"accepted": 0, "duplicates": 4, "rejected": first["rejected"], "waiting_for_cargo": 0}
        # a corrected record under a rejected serial is taken
        fixed = c.post("/api/v1/passages", json=[passage("SER3", plate="晋D33333")], headers=h).json()
        assert fixed == {"accepted": 1, "rejected": [], "duplicates": 0, "waiting_for_cargo": 0}
        # the same passage under a new serial is a duplicate of the ledger's key
        same = c.post("/api/v1/passages", json=[passage("SER9")], headers=h).json()
        assert same == {"accepted": 0, "rejected": [], "duplicates": 1, "waiting_for_cargo": 0}
    rows = ledger_rows(server, "SELECT enterprise_id, plate, stage, direction, tonnes FROM records ORDER BY plate")
    assert rows == [
        ("CZ01", "晋D12345", "d", "in", 31.5),
        ("CZ01", "晋D33333", "d", "in", 31.5),
        ("CZ01", "晋D54321", "6", "out", 30.0),
        ("CZ01", "晋DD88888", "d", "out", 28.4),
    ]


def test_device_pushes_for_its_own_enterprise_only(server: LiveServer) -> None:
    with server.client() as c:
        r = c.post("/api/v1/passages", json=[passage("X1", enterprise_id="CZ02")],
                   headers=server.auth("gate-cz01")).json()
        assert r["accepted"] == 0
        assert r["rejected"][0]["reason"].startswith("record of another enterprise")
        # under a Chinese field name too
        r = c.post("/api/v1/passages", json=[passage("X0", 企业编号="CZ02")], headers=server.auth("gate-cz01")).json()
        assert r["rejected"] == [{"serial": "X0",
                                  "reason": "record of another enterprise; this account pushes for CZ01 only"}]
        # bureau accounts push for any enterprise but must name it
        r = c.post("/api/v1/passages", json=[passage("X2"), passage("X3", enterprise_id="cz02")],
                   headers=server.auth("chief")).json()
        assert r["accepted"] == 1
        assert r["rejected"] == [{"serial": "X2", "reason": "no enterprise_id (a bureau account pushes for any enterprise)"}]
    assert ledger_rows(server, "SELECT enterprise_id FROM records") == [("CZ02",)]


def test_heartbeat_and_gate_status(server: LiveServer) -> None:
    with server.client() as c:
        assert c.post("/api/v1/heartbeat", json={"gate": "G1", "status": "ok"},
                      headers=server.auth("gate-cz01")).status_code == 200
        c.post("/api/v1/passages", json=[passage("P1", gate="G2")], headers=server.auth("gate-cz01"))
        c.post("/api/v1/heartbeat", json={"gate": "G7"}, headers=server.auth("gate-cz02"))
        mine = c.get("/api/v1/gates", headers=server.auth("cz01")).json()["gates"]
        every = c.get("/api/v1/gates", headers=server.auth("chief")).json()["gates"]
    assert [(g["enterprise_id"], g["gate"], g["online"], g["passages"]) for g in mine] == [
        ("CZ01", "G1", True, 0),
        ("CZ01", "G2", False, 1),  # pushes but never beat: offline
    ]
    assert [(g["enterprise_id"], g["gate"]) for g in every] == [("CZ01", "G1"), ("CZ01", "G2"), ("CZ02", "G7")]


def test_envelope_adapter(server: LiveServer) -> None:
    with server.client() as c:
        tok = c.post("/api/v1/gateway", json={"ipctype": "getAccessToken", "organ": "CZ01",
                                              "value": {"username": "gate-cz01", "password": "gate-pass-123"}}).json()
        assert tok["code"] == 0
        token = tok["data"]["access_token"]
        value = {"serialNo": "E1", "gateNo": "G3", "plateNo": "晋D77777", "passTime": "2026-04-06 09:10:11",
                 "direction": "A", "vin": "LZZ1BLNB5NA000002", "emissionStage": "X", "fuelType": "C",
                 "goodsName": "铁精粉", "tonnage": 32000, "unit": "kg"}
        diesel_x = {**value, "serialNo": "E0", "fuelType": "B"}  # stage X (none) and diesel: no stage known
        r = c.post("/api/v1/gateway", json={"organ": "CZ01", "ipctype": "shareDrivingRecord",
                                            "access_token": token, "value": [diesel_x, value]}).json()
        assert r["code"] == 1
        assert [x["serial"] for x in r["data"]["rejected"]] == ["E0"]
        assert r["data"]["rejected"][0]["reason"].startswith("stage: no emission stage")
        assert r["data"]["accepted"] == 1  # stage X with fuel type C (electric) is d
        hb = c.post("/api/v1/gateway", json={"organ": "CZ01", "ipctype": "gateStatusReport",
                                             "access_token": token, "value": {"gateNo": "G3", "status": "0"}})
        assert hb.json()["code"] == 0
        # a passage weighed later: held without a quantity, completed by its goods record
        late = {k: v for k, v in value.items() if k not in ("goodsName", "tonnage", "unit")}
        late |= {"serialNo": "E2", "plateNo": "晋D77778"}
        r = c.post("/api/v1/gateway", json={"organ": "CZ01", "ipctype": "shareDrivingRecord",
                                            "access_token": token, "value": late}).json()
        assert (r["code"], r["data"]["accepted"], r["data"]["waiting_for_cargo"]) == (0, 0, 1)
        goods = {"serialNo": "E2", "goodsName": "焦炭", "tonnage": "29.5"}
        r = c.post("/api/v1/gateway", json={"organ": "CZ01", "ipctype": "shareGoodsRecord",
                                            "access_token": token, "value": goods}).json()
        assert (r["code"], r["data"]["accepted"]) == (0, 1)
        r = c.post("/api/v1/gateway", json={"organ": "CZ01", "ipctype": "shareGoodsRecord",
                                            "access_token": token, "value": goods}).json()
        assert (r["code"], r["data"]["duplicates"]) == (0, 1)
    assert ledger_rows(server, "SELECT plate, stage, commodity, direction, tonnes FROM records ORDER BY plate") == [
        ("晋D77777", "d", "iron_ore", "in", 32.0),
        ("晋D77778", "d", "coke", "in", 29.5),
    ]


def test_cargo_weighed_later(server: LiveServer) -> None:
    h = server.auth("gate-cz01")
    no_qty = {k: v for k, v in passage("W1").items() if k != "tonnes"}
    with server.client() as c:
        r = c.post("/api/v1/passages", json=[no_qty, {**no_qty, "serial": "W2", "plate": "晋D22222"}], headers=h).json()
        assert r == {"accepted": 0, "rejected": [], "duplicates": 0, "waiting_for_cargo": 2}
        # held passages are not reported yet, and a re-send does not hold them twice
        r = c.post("/api/v1/passages", json=[no_qty], headers=h).json()
        assert r["duplicates"] == 1
        # another enterprise cannot complete them
        r = c.post("/api/v1/cargo", json=[{"serial": "W1", "tonnes": 30}], headers=server.auth("gate-cz02")).json()
        assert r["rejected"][0]["reason"].startswith("no passage of this enterprise waits")
        r = c.post("/api/v1/cargo", json=[{"serial": "W1", "cargo": "焦煤", "tonnes": 30000, "unit": "kg"},
                                          {"serial": "W2", "tonnes": -1}, {"serial": "NOPE", "tonnes": 1}],
                   headers=h).json()
        assert r["accepted"] == 1
        assert [x["serial"] for x in r["rejected"]] == ["W2", "NOPE"]
        # W2 still waits: a correct cargo record completes it
        r = c.post("/api/v1/cargo", json=[{"serial": "W2", "tonnes": 28}], headers=h).json()
        assert r["accepted"] == 1
    assert ledger_rows(server, "SELECT plate, cargo, tonnes FROM records ORDER BY plate") == [
        ("晋D12345", "焦煤", 30.0),
        ("晋D22222", "原煤", 28.0),
    ]


def test_audit_log_names_who_pushed(server: LiveServer) -> None:
    with server.client() as c:
        c.post("/api/v1/passages", json=[passage("A1")], headers=server.auth("gate-cz01"))
        c.post("/api/v1/token", json={"username": "cz01", "password": "wrong-one"})
        log = c.get("/api/v1/audit", headers=server.auth("chief")).json()["entries"]
    actions = [(e["username"], e["action"], e["detail"]) for e in log]
    assert ("gate-cz01", "passages.push", "accepted=1 rejected=0 duplicates=0 waiting=0") in actions
    assert ("cz01", "login.failed", "api") in actions
    assert all(e["client"] in ("127.0.0.1", None) for e in log)


def test_login_throttling(tmp_path: Path, backend: Backend) -> None:
    s = start_server(None, tmp_path, backend, login_max_failures=3)
    try:
        with s.client() as c:
            codes = [c.post("/api/v1/token", json={"username": "cz01", "password": "bad"}).status_code
                     for _ in range(4)]
            assert codes == [401, 401, 401, 429]
            # even the right password waits now
            r = c.post("/api/v1/token", json={"username": "cz01", "password": "cz01-pass-123"})
            assert r.status_code == 429
            assert int(r.headers["retry-after"]) >= 1
    finally:
        s.stop()


def test_expired_token_is_refused(tmp_path: Path, backend: Backend) -> None:
    s = start_server(None, tmp_path, backend)
    try:
        token = s.token("gate-cz01")
        s.stop()
        s.rows("UPDATE srv_tokens SET expires_at = expires_at - INTERVAL '3 hours'")
        s.start()
        with s.client() as c:
            r = c.post("/api/v1/passages", json=[], headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
    finally:
        s.stop()


def test_heartbeat_completeness_per_gate_and_day(server: LiveServer) -> None:
    with server.client() as c:
        c.post("/api/v1/heartbeat", json={"gate": "G1"}, headers=server.auth("gate-cz01"))
    server.stop()  # (DuckDB: one process per file)
    # a past day: G1 beat in 137 of its 144 ten-minute intervals (twice in some), G2 in 72
    rows = [("CZ01", "G1", f"2026-03-05 {m // 60:02d}:{m % 60:02d}:30") for m in range(0, 1440, 10) if m // 10 % 20]
    rows += [("CZ01", "G1", "2026-03-05 00:01:00"), ("CZ01", "G2", "2026-03-04 23:59:00")]
    rows += [("CZ01", "G2", f"2026-03-05 {m // 60:02d}:{m % 60:02d}:00") for m in range(0, 720, 10)]
    rows += [("CZ01", "G3", "2026-03-05 12:00:00"), ("CZ01", "G3", "2026-03-05 23:55:00")]  # connected at noon
    rows += [("CZ02", "G9", "2026-03-05 08:00:00")]
    db_rows(server.settings.db, "INSERT INTO srv_heartbeat_log VALUES (?, ?, CAST(? AS TIMESTAMP))",
            many=[list(r) for r in rows])
    server.start()
    with server.client() as c:
        mine = c.get("/api/v1/completeness", params={"day": "2026-03-05"}, headers=server.auth("cz01")).json()
        bad = c.get("/api/v1/completeness", params={"day": "5 March"}, headers=server.auth("cz01"))
    assert bad.status_code == 400
    got = [(g["gate"], g["intervals"], g["intervals_with_heartbeat"], g["meets_95"]) for g in mine["gates"]]
    assert got == [("G1", 144, 137, True), ("G2", 144, 72, False), ("G3", 72, 2, False)]
    assert mine["gates"][1]["completeness"] == 0.5


def test_completeness_of_today_counts_from_the_first_heartbeat(tmp_path: Path) -> None:
    from datetime import date, datetime

    from cleanfreight.server._push import completeness
    from cleanfreight.server._store import Store

    store = Store(tmp_path / "p.duckdb")
    try:
        for ts in ("2026-03-05 10:03:00", "2026-03-05 10:14:00", "2026-03-05 10:31:00"):
            store.execute("INSERT INTO srv_heartbeat_log VALUES ('CZ01', 'G5', CAST(? AS TIMESTAMP))", [ts])
        got = completeness(store, date(2026, 3, 5), 600, now=datetime(2026, 3, 5, 10, 35))
    finally:
        store.close()
    # intervals 10:00, 10:10, 10:20, 10:30 so far; beats in three of them
    assert [(g["gate"], g["intervals"], g["intervals_with_heartbeat"]) for g in got] == [("G5", 4, 3)]
    assert got[0]["completeness"] == 0.75


def test_password_reset_revokes_tokens(server: LiveServer) -> None:
    old = server.auth("gate-cz01")
    with server.client() as c:
        r = c.post("/api/v1/users", json={"name": "gate-cz01", "password": "new-password-1", "role": "device",
                                          "enterprise_id": "CZ01"}, headers=server.auth("chief"))
        assert r.status_code == 201
        assert c.post("/api/v1/passages", json=[], headers=old).status_code == 401
        tok = c.post("/api/v1/token", json={"username": "gate-cz01", "password": "new-password-1"}).json()
        ok = c.post("/api/v1/passages", json=[], headers={"Authorization": f"Bearer {tok['access_token']}"})
        assert ok.status_code == 200
