"""The frontier chart: two readable panels, Chinese labels in the CJK font, today / target / reference marked."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cleanfreight.errors import InputError
from cleanfreight.planning.frontier import FRONTIER_COLUMNS
from cleanfreight.reports import frontier_figure, plot_frontier, save_frontier_png
from cleanfreight.reports._fonts import cjk_family
from tests.reports._browser import image_stats, pixels_near

TODAY = {"ratio": 0.55, "clean_t": 55e6, "cost_cny": 9.0e9, "co2_t": 1.2e6}
REFERENCE = {"ratio": 0.81, "cost_cny": 8.05e9, "co2_t": 6.2e5, "target": 0.8}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """Four points, 60 % to 96 %: 1, 3 then 60 CNY per extra clean tonne (of 100 Mt bulk)."""
    ratio = np.array([0.60, 0.72, 0.84, 0.96])
    clean = ratio * 100e6
    cost = 8.0e9 + np.concatenate([[0.0], np.cumsum(np.diff(clean) * np.array([1.0, 3.0, 60.0]))])
    co2 = np.array([6.6e5, 6.5e5, 6.3e5, 6.2e5])
    rows = []
    for i in range(4):
        d: dict[str, object] = dict.fromkeys(FRONTIER_COLUMNS, math.nan)
        d.update(point=i, level=ratio[i] if i else 0.55, ratio=ratio[i], clean_t=clean[i], cost_cny=cost[i],
                 cost_vs_cheapest_cny=cost[i] - cost[0], co2_t=co2[i], status="optimal", penalty_cny=0.0,
                 spurs_built="SP-1" if i else "", spurs_added="SP-1" if i == 1 else "", spurs_removed="",
                 trucks_new=[0, 10, 40, 50][i], trucks_added=[0, 10, 30, 10][i], swap_units_new=[0, 1, 3, 3][i],
                 swap_units_added=[0, 1, 2, 0][i])
        if i:
            d["marginal_cny_per_clean_t"] = (cost[i] - cost[i - 1]) / (clean[i] - clean[i - 1])
            d["marginal_cny_per_t_co2"] = (cost[i] - cost[i - 1]) / (co2[i - 1] - co2[i])
        rows.append(d)
    return pd.DataFrame(rows, columns=list(FRONTIER_COLUMNS))


def _texts(fig: object) -> str:
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    assert isinstance(fig, Figure)
    return " ".join(t.get_text() for t in fig.findobj(Text))


def test_chinese_figure_has_its_labels_in_the_cjk_font(table: pd.DataFrame) -> None:
    fig = frontier_figure(table, "zh", reference=REFERENCE, today=TODAY)
    assert len(fig.axes) == 2
    text = _texts(fig)
    labels = ("全市清洁运输比例", "每增加1吨清洁运量的成本", "现状 55.0%", "目标 80%", "每家企业均达80%的方案", "示意性样例数据")
    for label in labels:
        assert label in text, label
    assert "+30辆新能源车" in text and "+2套换电" in text and "+1条专用线" in text
    # step heights: the marginal cost per clean tonne of each step
    mac = fig.axes[1]
    bars = mac.containers[0]
    assert [p.get_height() for p in bars] == pytest.approx([1.0, 3.0, 60.0])
    assert [p.get_x() for p in bars] == pytest.approx([60.0, 72.0, 84.0])
    assert [p.get_width() for p in bars] == pytest.approx([12.0, 12.0, 12.0])
    family = cjk_family()
    assert family is not None
    assert family in mac.xaxis.label.get_fontfamily()


def test_english_figure_and_briefing_panel(table: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    text = _texts(frontier_figure(table, "en", reference=REFERENCE, today=TODAY))
    assert "City clean-transport ratio" in text and "Plan with 80% for every enterprise: +50 CNY m/yr" in text
    fig, ax = plt.subplots()
    try:
        assert plot_frontier(ax, table, lang="en", panel="cost", reference=REFERENCE, today=TODAY) is ax
        xs, ys = ax.lines[0].get_data()
        assert list(np.asarray(xs)) == pytest.approx([60.0, 72.0, 84.0, 96.0])
        assert np.asarray(ys)[-1] == pytest.approx((table["cost_cny"].iloc[-1] - 8.0e9) / 1e6)
    finally:
        plt.close(fig)


def test_png_is_written_and_readable(table: pd.DataFrame, tmp_path: Path) -> None:
    from PIL import Image

    png = save_frontier_png(table, tmp_path / "frontier.png", "zh", reference=REFERENCE, today=TODAY, dpi=100)
    with Image.open(png) as img:
        assert img.size == (900, 800)
    std, distinct, rgb = image_stats(png)
    assert std > 5 and distinct > 50
    assert pixels_near(rgb, "#d6604d", 10) > 500  # the expensive last step
    assert pixels_near(rgb, "#4393c3", 10) > 100  # the cheaper steps
    assert pixels_near(rgb, "#b2182b", 20) > 20  # the per-enterprise plan's star
    assert not list(tmp_path.glob(".*partial*"))


def test_unknown_language_is_refused(table: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="language"):
        frontier_figure(table, "fr")
