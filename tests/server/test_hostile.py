"""Hostile input: a clear 4xx and nothing stored; text shown escaped; SQL stored as text."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.server._live import Backend, LiveServer, start_server, web_login

GATE_HEADER = "进出厂时间,车牌号码,排放阶段,运输货物名称,运输量(吨),进出方向"


@pytest.fixture
def server(tmp_path: Path, backend: Backend) -> Any:
    s = start_server(None, tmp_path, backend, max_upload_bytes=64 * 1024, max_batch=50)
    yield s
    s.stop()


def count(s: LiveServer, table: str) -> int:
    rows = s.rows(f"SELECT count(*) FROM {table}")
    return int(rows[0][0]) if rows else 0


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m[1]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"[{\"serial\": \"A\",", "application/json", 422),  # truncated JSON
        (b"not json at all", "application/json", 422),
        (b"{\"serial\": \"A\"}", "application/json", 422),  # an object, not a list
        (b"[1, 2, 3]", "application/json", 422),
        (b"[{\"serial\": \"A\", \"tonnes\": {\"$gt\": 1}}]", "application/json", 422),
        (b"[" + b",".join([b"{\"serial\": \"A\"}"] * 51) + b"]", "application/json", 413),  # > max_batch
        (b"[" + b"{\"serial\": \"" + b"x" * 70_000 + b"\"}]", "application/json", 413),  # > max_upload_bytes
    ],
    ids=["truncated", "not-json", "object", "numbers", "nested", "too-many", "too-large"],
)
def test_malformed_pushes_are_4xx_and_store_nothing(server: LiveServer, body: bytes, content_type: str,
                                                    status: int) -> None:
    with server.client() as c:
        r = c.post("/api/v1/passages", content=body,
                   headers={**server.auth("gate-cz01"), "Content-Type": content_type})
    assert r.status_code == status, r.text
    assert "detail" in r.json()
    assert count(server, "records") == 0


def test_sql_and_script_in_fields_are_just_text(server: LiveServer) -> None:
    evil_cargo = "原煤'); DROP TABLE records; --"
    rec = {"serial": "Q1", "gate": "G1", "timestamp": "2026-03-05 08:00:00", "plate": "晋D12345",
           "emission_stage": "d", "cargo": evil_cargo, "tonnes": 30, "direction": "in"}
    bad = {**rec, "serial": "Q2", "plate": "<script>alert(1)</script>"}
    with server.client() as c:
        r = c.post("/api/v1/passages", json=[rec, bad, {**rec, "serial": "Q3' OR '1'='1"}],
                   headers=server.auth("gate-cz01")).json()
        assert r["accepted"] == 1
        assert [x["serial"] for x in r["rejected"]] == ["Q2", "Q3' OR '1'='1"]
        # a gate name with script is refused at the door
        hb = c.post("/api/v1/heartbeat", json={"gate": "<script>"}, headers=server.auth("gate-cz01"))
        assert hb.status_code == 422
    assert server.rows("SELECT cargo FROM records") == [(evil_cargo,)]


def upload(c: Any, name: str, data: bytes) -> Any:
    page = c.get("/upload")
    return c.post("/upload", data={"csrf": csrf_of(page.text)}, files={"file": (name, data, "text/csv")})


def test_upload_of_names_with_path_and_script(server: LiveServer, tmp_path: Path) -> None:
    rows = [GATE_HEADER, "20260305 080000,晋DD00001,d,<script>alert('x')</script>,30,进"]
    data = ("\n".join(rows) + "\n").encode("utf-8")
    with server.client() as c:
        web_login(c, "cz01")
        r = upload(c, "../../../../tmp/<img src=x onerror=alert(1)>.csv", data)
        assert r.status_code == 200
        assert "<script>alert" not in r.text
        assert "&lt;script&gt;alert" not in r.text or "onerror=alert(1)>" not in r.text
        assert "<img src=x" not in r.text
        m = re.search(r"<h2>[^<]*: ([^<]+)</h2>", r.text)
        assert m and "/" not in m[1] and ".." not in m[1]
        assert not list(Path("/tmp").glob("*onerror*"))
        assert re.search(r'id="accepted">1<', r.text)


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("export.exe", b"MZ...", 400, "仅接受 .csv 或 .xlsx 文件"),
        ("export.csv", b"", 400, "文件为空"),
        ("export.csv", b"x" * 70_000, 413, None),  # whole request over the limit: refused before the handler
        ("export.csv", b"timestamp,foo\n1,2\n", 400, "文件无法导入"),
    ],
    ids=["exe", "empty", "oversized", "no-known-columns"],
)
def test_bad_uploads(server: LiveServer, name: str, data: bytes, status: int, message: str | None) -> None:
    with server.client() as c:
        web_login(c, "cz01")
        r = upload(c, name, data)
        assert r.status_code == status
        if message:
            assert message in r.text
    assert count(server, "records") == 0


def test_xlsx_zip_bomb_is_refused(server: LiveServer) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))  # 20 MB of zeros, ~20 kB zipped
    assert len(buf.getvalue()) < 64 * 1024
    with server.client() as c:
        web_login(c, "cz01")
        r = upload(c, "bomb.xlsx", buf.getvalue())
        assert r.status_code == 400
        assert "XLSX 文件解压后过大" in r.text
    assert count(server, "imports") == 0


def test_upload_without_csrf_token_is_refused(server: LiveServer) -> None:
    with server.client() as c:
        web_login(c, "cz01")
        r = c.post("/upload", data={"csrf": "forged"},
                   files={"file": ("a.csv", f"{GATE_HEADER}\n20260305 080000,晋DD00001,d,原煤,30,进\n".encode())})
        assert r.status_code == 403
        login = c.post("/login", data={"username": "cz01", "password": "cz01-pass-123", "csrf": "forged"})
        assert login.status_code == 403
    assert count(server, "records") == 0


def test_session_cookie_flags(server: LiveServer) -> None:
    with server.client() as c:
        r = web_login(c, "cz01")
    cookie = r.headers["set-cookie"]
    assert "cf_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert r.headers["content-security-policy"].startswith("default-src 'none'")


def test_xlsx_upload_is_read(server: LiveServer, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["门禁导出 2026年3月"])  # a title row before the header, as vendors write
    ws.append(GATE_HEADER.split(","))
    ws.append(["20260305 080000", "晋DD00001", "d", "原煤", 30.5, "进"])
    ws.append(["20260305 090000", "晋D 00002", "国五", "焦炭", 29, "出"])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    with server.client() as c:
        web_login(c, "cz01")
        r = upload(c, "export.xlsx", path.read_bytes())
        assert r.status_code == 200
        assert re.search(r'id="accepted">2<', r.text)
        assert re.search(r'id="rejected">0<', r.text)
    assert count(server, "records") == 2


def test_bureau_uploads_for_a_named_enterprise(server: LiveServer) -> None:
    data = f"{GATE_HEADER},企业编号\n20260305 080000,晋DD00001,d,原煤,30,进,CZ03\n20260305 080000,晋DD00002,d,原煤,30,进,CZ04\n"
    with server.client() as c:
        web_login(c, "chief")
        page = c.get("/upload")
        assert 'name="enterprise_id"' in page.text
        r = c.post("/upload", data={"csrf": csrf_of(page.text)}, files={"file": ("a.csv", data.encode(), "text/csv")})
        assert r.status_code == 400  # no enterprise named
        r = c.post("/upload", data={"csrf": csrf_of(page.text), "enterprise_id": "cz03"},
                   files={"file": ("a.csv", data.encode(), "text/csv")})
        assert r.status_code == 200
        assert re.search(r'id="accepted">1<', r.text)
        assert re.search(r'id="rejected">1<', r.text)  # the CZ04 row: another enterprise
    assert server.rows("SELECT enterprise_id, plate FROM records") == [("CZ03", "晋DD00001")]
