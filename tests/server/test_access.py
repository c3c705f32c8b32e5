"""Every endpoint x every role: who gets 200, who 401 (no or bad credentials), who 403 (wrong role)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.server._live import LiveServer, web_login

ROLES = ("anonymous", "device", "enterprise", "bureau")
USER_OF = {"device": "gate-cz01", "enterprise": "cz01", "bureau": "chief"}

# (method, path, json body, expected status per role in ROLES order)
API: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("POST", "/api/v1/passages", [], (401, 200, 200, 200)),
    ("POST", "/api/v1/cargo", [], (401, 200, 200, 200)),
    ("POST", "/api/v1/heartbeat", {"gate": "GA"}, (401, 200, 200, 403)),
    ("GET", "/api/v1/report?period=2026-03", None, (401, 403, 200, 200)),
    ("GET", "/api/v1/gates", None, (401, 403, 200, 200)),
    ("GET", "/api/v1/completeness?day=2026-03-05", None, (401, 403, 200, 200)),
    ("GET", "/api/v1/anomalies?period=2026-03", None, (401, 403, 200, 200)),
    ("GET", "/api/v1/audit", None, (401, 403, 403, 200)),
    ("GET", "/api/v1/users", None, (401, 403, 403, 200)),
    ("POST", "/api/v1/users", {"name": "extra", "password": "extra-pass-1", "role": "device",
                               "enterprise_id": "CZ03"}, (401, 403, 403, 201)),
]

# browser pages, with a session cookie of each role (devices cannot log in: anonymous for them)
PAGES: list[tuple[str, tuple[int, int, int]]] = [
    ("/dashboard", (303, 403, 200)),
    ("/enterprise", (303, 200, 303)),
    ("/upload", (303, 200, 200)),
    ("/accounts", (303, 403, 200)),
    ("/map?period=2026-03", (303, 200, 200)),
    ("/report.xlsx?period=2026-03", (303, 403, 200)),
    ("/briefing.pdf?period=2026-03", (303, 403, 200)),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), API, ids=[f"{m} {p}" for m, p, *_ in API])
@pytest.mark.parametrize("role", ROLES)
def test_api_access(live: LiveServer, role: str, method: str, path: str, body: Any,
                    expected: tuple[int, ...]) -> None:
    headers = live.auth(USER_OF[role]) if role != "anonymous" else {}
    with live.client() as c:
        r = c.request(method, path, json=body, headers=headers)
    assert r.status_code == expected[ROLES.index(role)], r.text
    if r.status_code == 401:
        assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("path", [p for _, p, *_ in API])
def test_bad_and_foreign_tokens_are_401(live: LiveServer, path: str) -> None:
    method = next(m for m, p, *_ in API if p == path)
    with live.client() as c:
        for header in ("Bearer nonsense", "Basic Y2hpZWY6eA==", "Bearer"):
            r = c.request(method, path, json=[], headers={"Authorization": header})
            assert r.status_code == 401, (header, r.text)


@pytest.mark.parametrize(("path", "expected"), PAGES, ids=[p for p, _ in PAGES])
@pytest.mark.parametrize("role", ["anonymous", "enterprise", "bureau"])
def test_page_access(live: LiveServer, role: str, path: str, expected: tuple[int, int, int]) -> None:
    with live.client() as c:
        if role != "anonymous":
            assert web_login(c, USER_OF[role]).status_code == 303
        r = c.get(path)
    assert r.status_code == expected[("anonymous", "enterprise", "bureau").index(role)]
    if r.status_code == 303 and role == "anonymous":
        assert r.headers["location"] == "/login"


def test_gateway_access(live: LiveServer) -> None:
    """The envelope carries its token in the body: none or a bad one is 401, a bureau token 403."""
    env = {"organ": "CZ01", "ipctype": "shareDrivingRecord", "value": []}
    with live.client() as c:
        assert c.post("/api/v1/gateway", json=env).status_code == 401
        assert c.post("/api/v1/gateway", json={**env, "access_token": "x"}).json()["code"] == 401
        r = c.post("/api/v1/gateway", json={**env, "access_token": live.token("chief")})
        assert r.status_code == 403
        r = c.post("/api/v1/gateway", json={**env, "access_token": live.token("gate-cz01")})
        assert (r.status_code, r.json()["code"]) == (200, 0)
        r = c.post("/api/v1/gateway", json={**env, "organ": "CZ02", "access_token": live.token("gate-cz01")})
        assert r.status_code == 403


def test_device_cannot_log_in_to_pages(live: LiveServer) -> None:
    with live.client() as c:
        r = web_login(c, "gate-cz01")
        assert r.status_code == 403
        assert "cf_session" not in c.cookies


def test_token_endpoint(live: LiveServer) -> None:
    with live.client() as c:
        ok = c.post("/api/v1/token", json={"username": "cz02", "password": "cz02-pass-123"})
        assert ok.status_code == 200
        body = ok.json()
        assert body["expires_in"] == 7200
        assert len(body["access_token"]) >= 40
        assert c.post("/api/v1/token", json={"username": "cz02", "password": "wrong"}).status_code == 401
        assert c.post("/api/v1/token", json={"username": "nobody", "password": "x"}).status_code == 401
        assert c.post("/api/v1/token", json={"username": "cz02"}).status_code == 422


def test_openapi_lists_the_feed(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url) as c:
        spec = c.get("/openapi.json").json()
    assert {"/api/v1/token", "/api/v1/passages", "/api/v1/heartbeat", "/api/v1/report",
            "/api/v1/gateway"} <= set(spec["paths"])
    assert "/dashboard" not in spec["paths"]
