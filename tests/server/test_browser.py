"""A real browser (Playwright driving Debian's chromium): the bureau's dashboard, an enterprise's upload,
and enterprise A never seeing enterprise B. Screenshots go to ``$CLEANFREIGHT_SCREENSHOTS`` (or a temp folder).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests._system import skip_or_fail
from tests.server._live import PASSWORDS, LiveServer

pytestmark = pytest.mark.browser

GATE_EXPORT = "\n".join([
    "进出厂时间,车牌号码,排放阶段,运输货物名称,运输量(吨),进出方向,企业编号",
    "20260320 080000,晋DD10001,d,原煤,30.5,进,CZ01",
    "20260320 081500,晋D A2002,国六,焦炭,29.0,出,CZ01",
    "20260320 080000,晋DD10001,d,原煤,30.5,进,CZ01",  # an exact repeat: duplicate
    "20260320 090000,ABC,d,原煤,30.0,进,CZ01",  # bad plate
    "20260320 093000,晋DD10003,d,原煤,300,进,CZ01",  # impossible load
    "20260320 100000,晋DD10004,d,原煤,31.0,进,CZ02",  # another enterprise's row
    "",
])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(exe).exists():
        skip_or_fail("Debian chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright (test extra) is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--headless", "--no-sandbox", "--disable-gpu", "--lang=zh-CN"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = Path(os.environ.get("CLEANFREIGHT_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def login(browser: Any, live: LiveServer, user: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live.url}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORDS[user])
    page.click("#login-button")
    page.wait_for_load_state()
    return page


def test_bureau_sees_the_dashboard(browser: Any, live: LiveServer, shots: Path) -> None:
    page = login(browser, live, "chief")
    assert page.url.endswith("/dashboard")
    page.goto(f"{live.url}/dashboard?period=2026-03")
    assert page.inner_text("h1") == "长治市清洁运输监管平台"
    city = page.inner_text("#city-ratio")
    assert "全市清洁运输比例 · 2026-03" in city
    assert "目标 80.0%" in city
    assert page.locator("#trend .month").count() == 3  # January to March
    rows = page.locator("#enterprises tr[data-enterprise]")
    assert rows.count() == 40
    assert rows.nth(0).locator("td").nth(0).inner_text() == "1"
    assert page.locator("#anomalies tr").count() > 1
    page.screenshot(path=str(shots / "dashboard_zh.png"), full_page=True)
    page.click("#lang-en")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Changzhi clean-transport platform"
    page.goto(f"{live.url}/dashboard?period=2026-03")  # the language is remembered
    assert "City clean-transport ratio · 2026-03" in page.inner_text("#city-ratio")
    page.screenshot(path=str(shots / "dashboard_en.png"), full_page=False)
    # the offline map of the period: Leaflet inlined, one marker per enterprise, no request leaves the machine
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith((live.url, "data:")) else None)
    page.goto(f"{live.url}/map?period=2026-03&lang=zh")
    page.wait_for_selector(".leaflet-container")
    assert page.evaluate("typeof L") == "object"
    assert page.locator(".leaflet-interactive").count() >= 40
    assert outside == []
    page.screenshot(path=str(shots / "map_zh.png"), full_page=False)
    back = page.locator("#back-link")  # the map page leads back to the dashboard of the same period
    assert "返回监管看板" in back.inner_text()
    back.click()
    page.wait_for_load_state()
    assert "/dashboard?period=2026-03" in page.url
    page.close()


def test_enterprise_uploads_and_sees_its_rejects(browser: Any, live: LiveServer, shots: Path,
                                                 tmp_path: Path) -> None:
    export = tmp_path / "门禁导出_2026-03.csv"
    export.write_text(GATE_EXPORT, encoding="gbk")
    with live.client() as c:
        assert c.post("/api/v1/heartbeat", json={"gate": "G1"}, headers=live.auth("gate-cz01")).status_code == 200
    page = login(browser, live, "cz01")
    assert page.url.endswith("/enterprise")
    gates = page.inner_text("#gates")
    assert "G1" in gates
    assert "在线" in gates
    page.screenshot(path=str(shots / "enterprise_cz01.png"), full_page=True)
    page.goto(f"{live.url}/upload")
    page.set_input_files("#file", str(export))
    page.click("#upload-button")
    page.wait_for_load_state()
    assert page.inner_text("#accepted") == "2"
    assert page.inner_text("#rejected") == "3"
    assert page.inner_text("#duplicates") == "1"
    rejects = [[c.strip() for c in r.split("\t")] for r in page.inner_text("#rejects").splitlines()[1:]]
    assert rejects == [
        ["5", "车牌号码", "ABC", "车牌号码格式不正确，应如 晋D12345"],
        ["6", "运输量", "300", "单车载重超过 100 吨，不可能"],
        ["7", "企业编号", "CZ02", "属于其他企业的记录，本账号只能导入本企业数据"],
    ]
    page.screenshot(path=str(shots / "upload_zh.png"), full_page=True)
    page.close()


def test_enterprise_a_never_sees_b(browser: Any, live: LiveServer, shots: Path) -> None:
    page = login(browser, live, "cz02")
    page.goto(f"{live.url}/enterprise?period=2026-03")
    text = page.inner_text("main")
    assert "CZ02" in text
    assert "CZ01" not in text
    page.screenshot(path=str(shots / "enterprise_cz02.png"), full_page=True)
    resp = page.goto(f"{live.url}/dashboard?period=2026-03")
    assert resp is not None and resp.status == 403
    assert "无权访问此页面" in page.inner_text("#error")
    assert "CZ01" not in page.content()
    page.close()


def test_bureau_adds_an_account_and_reads_the_audit_log(browser: Any, live: LiveServer, shots: Path) -> None:
    page = login(browser, live, "chief")
    page.goto(f"{live.url}/accounts")
    page.fill("#name", "gate-cz05")
    page.select_option("#role", "device")
    page.fill("#enterprise_id", "cz05")
    page.fill("#new_password", "gate-cz05-pass")
    page.click("#add-account")
    page.wait_for_load_state()
    assert page.inner_text("#message") == "账号 gate-cz05 已保存"
    assert "gate-cz05" in page.inner_text("#accounts")
    audit = page.inner_text("#audit")
    assert "保存账号" in audit and "user.add" not in audit  # actions and details in Chinese
    assert "上传台账" in audit  # the enterprise's upload of the test before (same server)
    assert "角色=门禁设备 企业=CZ05" in audit
    page.screenshot(path=str(shots / "accounts_zh.png"), full_page=False)
    page.close()
