"""What a dispatcher hands out, from a day written by hand: 12 truckloads, 4 swap trucks (issue 11).

``data/day12_4trucks.toml`` gives Chinese and English place names; with 180 kWh packs the fleet
takes all 12 truckloads and one truck swaps its battery once (solution limit 100, seed 0).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from cleanfreight.dispatch import DispatchResult, load_scenario, solve_dispatch
from cleanfreight.dispatch.handouts import TRUCK_COLORS, run_sheet_table
from tests.dispatch.conftest import DATA
from tests.reports._pdf import pdf_pages, pdf_text

DAY = DATA / "day12_4trucks.toml"


@pytest.fixture(scope="module")
def day() -> DispatchResult:
    return solve_dispatch(load_scenario(DAY))


@pytest.fixture(scope="module")
def handouts(day: DispatchResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folders = {}
    for lang in ("zh", "en"):
        folder = tmp_path_factory.mktemp(f"handouts_{lang}")
        day.write_handouts(folder, lang=lang)
        folders[lang] = folder
    return folders


def test_the_day_is_planned(day: DispatchResult) -> None:
    assert day.summary["lots_served"] == 12 and day.summary["trucks_used"] == 4
    assert day.summary["swaps"] == 1
    assert set(day.timeline["place_name_zh"]) >= {"潞城站", "示例焦化甲厂", "潞城换电站"}
    assert set(day.places["name_zh"]) >= {"潞城车队停车场", "示例钢铁乙厂"}


def test_run_sheet_table(day: DispatchResult) -> None:
    swapper = day.trucks.loc[day.trucks["swaps"] == 1, "truck_id"].iloc[0]
    table = run_sheet_table(day, swapper, "zh")
    assert list(table.columns)[:6] == ["序号", "到达", "开始作业", "离开", "地点", "作业"]
    swap = table[table["作业"] == "换电"].iloc[0]
    assert swap["地点"] == "潞城换电站" and swap["离开电量"] == 1.0 and swap["到达电量"] < 0.5
    # depot at both ends carries no number; the stops are numbered 1..n in order
    numbers = [n for n in table["序号"] if n != ""]
    assert numbers == list(range(1, len(table) - 1))
    assert table["车上货重(吨)"].max() == 31.0


def test_run_sheets_xlsx(day: DispatchResult, handouts: dict[str, Path]) -> None:
    import openpyxl

    book = openpyxl.load_workbook(handouts["zh"] / "run_sheets.xlsx")
    assert book.sheetnames == ["车辆汇总", *day.trucks["truck_id"]]
    ws = book[str(day.trucks["truck_id"].iloc[0])]
    assert ws["A1"].value.startswith("潞城短驳 12 车次 · 派车单")  # the scenario's name
    assert [c.value for c in ws[6]][:5] == ["序号", "到达", "开始作业", "离开", "地点"]
    assert ws.freeze_panes == "A7"
    assert ws["J7"].number_format == "0%"  # battery on arrival as a percentage
    en = openpyxl.load_workbook(handouts["en"] / "run_sheets.xlsx")
    assert en.sheetnames[0] == "Trucks" and en[en.sheetnames[1]]["E6"].value == "Place"


def test_run_sheets_pdf_one_page_per_truck(day: DispatchResult, handouts: dict[str, Path]) -> None:
    pages, size = pdf_pages(handouts["zh"] / "run_sheets.pdf")
    assert pages == 4 and size[0] > size[1]  # A4 landscape
    text = pdf_text(handouts["zh"] / "run_sheets.pdf")
    assert text.count("派车单") == 4 and "潞城换电站" in text and "换电" in text
    assert "时间窗与厂门作业时间约束的是开始装卸的时间" in text
    for tid in day.trucks["truck_id"]:
        assert f"车辆 {tid}" in text
    en = pdf_text(handouts["en"] / "run_sheets.pdf")
    assert "Lucheng swap station" in en and "battery swap" in en and "page 4 of 4" in en


def test_route_map_html_offline(day: DispatchResult, handouts: dict[str, Path]) -> None:
    page = (handouts["zh"] / "route_map.html").read_text(encoding="utf-8")
    from cleanfreight.reports._offline import remote_asset_urls

    assert remote_asset_urls(page) == []
    assert "潞城短驳 12 车次" in page and "车辆路线图" in page
    # numbered stops: one badge per non-depot stop of every truck; swap stops marked
    stops = int((day.timeline["kind"] != "depot").sum())
    assert page.count('class=\\"cf-stop') == stops
    assert page.count("cf-stop cf-stop-energy") == 1
    for color in TRUCK_COLORS[:4]:
        assert color in page


@pytest.mark.browser
def test_route_map_as_seen(day: DispatchResult, handouts: dict[str, Path], tmp_path: Path) -> None:
    from tests.reports._browser import dump_dom, image_stats, js_error, pixels_near, screenshot

    html = handouts["zh"] / "route_map.html"
    dom = dump_dom(html, tmp_path / "profile")
    assert js_error(dom) is None
    assert len(re.findall(r'class="cf-stop[" ]', dom)) == int((day.timeline["kind"] != "depot").sum())
    assert not re.search(r"<img[^>]*leaflet-marker-icon", dom)  # badges are text, never an image icon
    png = screenshot(html, tmp_path / "profile", tmp_path / "route_map.png")
    std, distinct, rgb = image_stats(png)
    assert std > 10 and distinct > 50
    for color in TRUCK_COLORS[:4]:  # every truck's colour is visible
        assert pixels_near(rgb, color, tol=25) > 50


def test_route_map_png(handouts: dict[str, Path]) -> None:
    from PIL import Image

    with Image.open(handouts["en"] / "route_map.png") as img:
        assert img.size[0] >= 1200


def test_battery_limit_is_said(tmp_path: Path) -> None:
    """With 100 kWh packs one truckload is dropped; with unlimited range the same fleet takes it."""
    sc = load_scenario(DAY)
    small = dataclasses.replace(
        sc, truck_types=tuple(dataclasses.replace(tt, energy_capacity=100) for tt in sc.truck_types)
    )
    res = solve_dispatch(small)
    assert res.summary["battery_limited_lots"] == 1
    (row,) = res.unserved.itertuples(index=False)
    assert row.reason == "not_scheduled" and row.message.startswith("the battery is the limit")
    assert "add trucks or widen windows" not in row.message
