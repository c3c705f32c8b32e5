"""The one-page briefing: hand-checked figures, Chinese text readable from the PDF, 200 dpi PNG."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from cleanfreight.errors import InputError
from cleanfreight.reports import Briefing, MapLayers, ReportOptions, make_briefing
from tests.reports._browser import image_stats, pixels_near
from tests.reports._pdf import pdf_pages, pdf_text


@pytest.fixture(scope="module")
def zh_brief(
    enterprises: pd.DataFrame,
    monthly: pd.DataFrame,
    layers: MapLayers,
    zh_options: ReportOptions,
    tmp_path_factory: pytest.TempPathFactory,
) -> Briefing:
    d = tmp_path_factory.mktemp("brief")
    return make_briefing(
        enterprises, d / "b.pdf", d / "b.png", monthly=monthly, layers=layers, options=zh_options
    )


def test_city_figures_are_tonnage_weighted(zh_brief: Briefing) -> None:
    city = zh_brief.city
    assert city["tonnes_total"] == pytest.approx(10_500_000)
    assert city["tonnes_clean"] == pytest.approx(7_000_000)  # 1.8 + 2.0 + 0.7 + 2.4 + 0.1 Mt
    assert city["city_clean_ratio"] == pytest.approx(2 / 3)
    assert city["enterprises_meeting_target"] == 2  # E1 (90 %) and E4 (exactly 80 %)


def test_pdf_is_one_a4_page_with_chinese_text(zh_brief: Briefing) -> None:
    assert zh_brief.pdf is not None
    pages, (w, h) = pdf_pages(zh_brief.pdf)
    assert pages == 1
    assert (round(w), round(h)) == (595, 842)  # A4 portrait in points
    text = pdf_text(zh_brief.pdf)
    flat = re.sub(r"\s+", " ", text)
    for label in (
        "大宗货物清洁运输情况简报",
        "全市清洁运输比例",
        "达标企业数",
        "清洁运输比例最低的企业",
        "各企业清洁运输比例",
        "月度趋势",
        "核算规则 changzhi-2024",
        "生成日期 2025-04-01",
        "示意性样例数据",
    ):
        assert label in text, label
    assert "66.7%" in flat and re.search(r"2\s*/\s*5", flat) and "1,050 万吨" in flat
    # the table lists the lowest ratios first with their gap in 10^4 t
    assert re.search(r"1\s+丁物流园\s+20\.0%\s+30\.0", text)
    assert re.search(r"2\s+甲钢铁\s+50\.0%\s+120\.0", text)
    assert re.search(r"3\s+乙焦化\s+70\.0%\s+10\.0", text)
    assert "<script>alert…" in text  # a hostile name is printed as plain text (cut to 14 characters)


def test_png_is_200_dpi_a4_and_not_blank(zh_brief: Briefing) -> None:
    from PIL import Image

    assert zh_brief.png is not None
    with Image.open(zh_brief.png) as img:
        assert img.size == (1654, 2338)
        assert min(img.info["dpi"]) >= 199.5
    std, distinct, rgb = image_stats(zh_brief.png)
    assert std > 10 and distinct > 100
    assert pixels_near(rgb, "#d73027", 20) > 2000  # red bars (E2, E5) are drawn
    assert pixels_near(rgb, "#1a9850", 20) > 2000  # green bars (E1, E4)


def test_english_a3_without_monthly(enterprises: pd.DataFrame, tmp_path: Path) -> None:
    opts = ReportOptions(lang="en", paper="A3", dpi=200, rulebook="mee-steel-2019")
    b = make_briefing(enterprises.drop(columns=["lon", "lat"]), tmp_path / "en.pdf", None, options=opts)
    assert b.png is None and b.pdf is not None
    _, (w, h) = pdf_pages(b.pdf)
    assert (round(w), round(h)) == (842, 1191)
    text = re.sub(r"\s+", " ", pdf_text(b.pdf))
    assert "Clean bulk-freight transport briefing" in text
    assert "10.5 Mt" in text and "66.7%" in text
    assert "No monthly records" in text
    assert "rulebook mee-steel-2019" in text


def test_plan_after_is_shown(enterprises: pd.DataFrame, tmp_path: Path) -> None:
    ent = enterprises.assign(ratio_after=[0.9, 0.85, 0.8, 0.8, 0.8])
    b = make_briefing(ent, tmp_path / "plan.pdf", options=ReportOptions(lang="zh"))
    assert b.city["city_ratio_after"] == pytest.approx((1.8 + 3.4 + 0.8 + 2.4 + 0.4) / 10.5)
    assert b.city["enterprises_meeting_target_after"] == 5
    text = pdf_text(b.pdf)  # type: ignore[arg-type]
    assert "规划后" in text and "83.8%" in text


def test_bad_tables_and_options_list_every_problem(enterprises: pd.DataFrame, tmp_path: Path) -> None:
    bad = enterprises.copy()
    bad["clean_ratio"] = bad["clean_ratio"].astype(object)
    bad.loc[1, "clean_ratio"] = "n/a"
    bad.loc[2, "clean_ratio"] = 1.7
    bad.loc[4, "enterprise_id"] = "E1"
    with pytest.raises(InputError) as err:
        make_briefing(bad, tmp_path / "x.pdf")
    found = {(p.row, p.column) for p in err.value.problems}
    assert found == {(1, "clean_ratio"), (2, "clean_ratio"), (4, "enterprise_id")}
    with pytest.raises(InputError) as err:
        ReportOptions(lang="fr", paper="A5", dpi=72, target=0)
    assert {p.column for p in err.value.problems} == {"lang", "paper", "dpi", "target"}


def test_a_plan_with_a_frontier_adds_the_cost_of_ambition_page(
    enterprises: pd.DataFrame, tmp_path: Path
) -> None:
    from cleanfreight.planning import PlanParams, solve_frontier
    from cleanfreight.reports import read_frontier, write_frontier_files
    from tests.planning.conftest import make_tiny

    fr = solve_frontier(make_tiny(), PlanParams(), steps=2)
    write_frontier_files(fr, tmp_path / "plan", "en")
    got = read_frontier(tmp_path / "plan")
    assert got is not None and len(got["table"]) == len(fr.table)
    assert got["table"]["cost_cny"].tolist() == pytest.approx(fr.table["cost_cny"].tolist())
    b = make_briefing(enterprises, tmp_path / "b.pdf", tmp_path / "b.png",
                      options=ReportOptions(lang="en"), frontier=got)
    assert b.pdf is not None and b.frontier_png == tmp_path / "b_frontier.png"
    pages, _ = pdf_pages(b.pdf)
    assert pages == 2
    text = pdf_text(b.pdf)
    assert "The cost of ambition" in text.split("\f")[1]
    assert "The cost of ambition" not in text.split("\f")[0]
    assert read_frontier(tmp_path / "nothing_here") is None
