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
    assert "<script>alert(1)" in text  # a hostile name is printed as plain text (cut to fit its column)


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
    # the city named in the title (pdftotext may split the big title's words)
    assert re.search(r"Changzhi clean bulk-freight transport briefing", text), text[:120]
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


# ---------------------------------------------------------------- issue 11: titles, footer, fit, coverage


def test_period_text() -> None:
    from cleanfreight.reports.briefing import period_text

    assert period_text("2026-03", "zh") == "2026年3月" and period_text("2026-03", "en") == "March 2026"
    assert period_text("2026-Q1", "zh") == "2026年第一季度" and period_text("2026-Q1", "en") == "Q1 2026"
    assert period_text("2026", "zh") == "2026年"
    assert period_text("2026-01-01..2026-03-31", "zh") == "2026年1月1日至3月31日"
    assert period_text("2026-01-01..2026-03-31", "en") == "1 Jan – 31 Mar 2026"


@pytest.fixture(scope="module")
def month_brief(
    enterprises: pd.DataFrame, monthly: pd.DataFrame, layers: MapLayers, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    """A March briefing of real (not sample) data, with an April missing one enterprise's export."""
    d = tmp_path_factory.mktemp("month")
    periods = sorted(monthly["period"].unique())
    coverage = pd.Series({p: p != periods[-1] for p in periods})
    texts = []
    for lang in ("zh", "en"):
        opts = ReportOptions(lang=lang, rulebook="changzhi-2024", period="2026-03", scenario="情景甲" if lang == "zh"
                             else "Scenario A")
        b = make_briefing(enterprises.assign(ratio_after=0.85), d / f"{lang}.pdf", d / f"{lang}.png",
                          monthly=monthly, layers=layers, options=opts, coverage=coverage)
        assert b.pdf is not None
        texts.append(pdf_text(b.pdf))
    return texts[0], texts[1]


def test_title_names_city_period_and_scenario(month_brief: tuple[str, str]) -> None:
    zh, en = month_brief
    assert "长治市2026年3月大宗货物清洁运输情况简报" in zh and "情景：情景甲" in zh
    assert re.search(r"Changzhi clean bulk-freight transport briefing, March 2026", re.sub(r"\s+", " ", en))
    assert "Scenario: Scenario A" in en


def test_footer_only_for_the_sample(month_brief: tuple[str, str], zh_brief: Briefing) -> None:
    assert "示意性样例数据" not in month_brief[0] and "Illustrative sample" not in month_brief[1]
    assert zh_brief.pdf is not None and "示意性样例数据" in pdf_text(zh_brief.pdf)


def test_nothing_cut(month_brief: tuple[str, str]) -> None:
    """Headers and key-figure labels are wrapped or made smaller, never cut ("Ratio after pla…")."""
    en = re.sub(r"\s+", " ", month_brief[1])
    assert "pla…" not in en and "Rati…" not in en  # only over-long enterprise names may be cut
    for words in ("Ratio after plan", "Gap to target (t)", "Enterprises at or above target", "City clean-transport ratio"):
        assert all(w in en for w in words.split()), words
    from cleanfreight.reports.briefing import _fit_size, _text_width_pt, _wrap2

    label = _wrap2("Enterprises at or above target", 100, 7.5)
    assert label == "Enterprises at\nor above target"
    assert max(_text_width_pt(line, _fit_size(label, 100, 7.5, 5.5)) for line in label.split("\n")) <= 100


def test_trend_marks_incomplete_months(month_brief: tuple[str, str], monthly: pd.DataFrame) -> None:
    zh, en = month_brief
    last = sorted(monthly["period"].unique())[-1]  # 2025-03, its rotated tick label read back in bits
    assert f"{last[-1]}*" in zh and "报送不全" in zh and zh.count("*") == 2  # the tick and the legend
    assert "Incomplete coverage" in en


def test_incomplete_inputs() -> None:
    from cleanfreight.reports.briefing import _incomplete

    assert _incomplete(pd.Series({"2026-03": 1.0, "2026-04": 0.95}), None) == {"2026-04"}
    frame = pd.DataFrame({"period": ["2026-03", "2026-04"], "complete": [True, False]})
    assert _incomplete(frame, None) == {"2026-04"}
    assert _incomplete(None, frame.rename(columns={"complete": "coverage_complete"})) == {"2026-04"}
    assert _incomplete(None, None) == set()


def test_static_map_labels_and_districts(layers: MapLayers, tmp_path: Path) -> None:
    from cleanfreight.reports import static_map

    pdf = static_map(layers, tmp_path / "m.pdf", lang="zh", sample=False)
    text = pdf_text(pdf)
    assert "甲钢铁" in text  # enterprises named where they fit
    assert "示意性样例数据" not in text

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
