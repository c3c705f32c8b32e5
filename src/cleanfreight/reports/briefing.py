"""The one-page briefing (PDF + PNG): map, ratio table, bar chart against the target, monthly trend.

Written for bureau staff: Chinese by default (``RenderParams(lang="zh")``), A4 or A3 portrait,
at least 200 dpi, with the CJK font that installs with the project.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from cleanfreight._io import atomic_path
from cleanfreight.accounting.rulebooks import RATIO_TOL
from cleanfreight.reports._inputs import city_monthly, city_summary, enterprise_table, monthly_table
from cleanfreight.reports._labels import t
from cleanfreight.reports.maps import AMBER_BAND, COLORS, MapLayers, ratio_color
from cleanfreight.reports.params import PAPER_SIZES, RenderParams

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Briefing", "briefing_title", "make_briefing", "period_text"]

log = logging.getLogger(__name__)

TABLE_ROWS = 15
"""Enterprises listed in the briefing's table (the lowest ratios)."""


@dataclass(frozen=True)
class Briefing:
    """Files written by :func:`make_briefing` and the city figures printed on them."""

    pdf: Path | None
    png: Path | None
    city: dict[str, object]
    frontier_png: Path | None = None


_ZH_QUARTERS = "一二三四"
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def period_text(label: str, lang: str) -> str:
    """A period label as people write it: ``2026-03`` -> ``2026年3月`` / ``March 2026``,
    ``2026-Q1`` -> ``2026年第一季度`` / ``Q1 2026``, ranges with 至 / –; other labels as given."""
    s = (label or "").strip()
    if m := re.fullmatch(r"(\d{4})", s):
        return f"{m[1]}年" if lang == "zh" else m[1]
    if m := re.fullmatch(r"(\d{4})-(\d{2})", s):
        y, mo = m[1], int(m[2])
        return f"{y}年{mo}月" if lang == "zh" else f"{_EN_MONTHS[mo - 1]} {y}"
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", s):
        y, q = m[1], int(m[2])
        return f"{y}年第{_ZH_QUARTERS[q - 1]}季度" if lang == "zh" else f"Q{q} {y}"
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})\s*\.\.\s*(\d{4})-(\d{2})-(\d{2})", s):
        y1, m1, d1, y2, m2, d2 = m[1], int(m[2]), int(m[3]), m[4], int(m[5]), int(m[6])
        if lang == "zh":
            end = f"{m2}月{d2}日" if y1 == y2 else f"{y2}年{m2}月{d2}日"
            return f"{y1}年{m1}月{d1}日至{end}"
        end = f"{d2} {_EN_MONTHS[m2 - 1][:3]} {y2}"
        start = f"{d1} {_EN_MONTHS[m1 - 1][:3]}" + ("" if y1 == y2 else f" {y1}")
        return f"{start} – {end}"
    if m := re.fullmatch(r"(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})", s):
        a, b = period_text(f"{m[1]}-{m[2]}", lang), period_text(f"{m[3]}-{m[4]}", lang)
        return f"{a}至{b}" if lang == "zh" else f"{a} – {b}"
    return s


def briefing_title(opts: RenderParams) -> str:
    """The briefing's title: ``opts.title``, else the city and period named
    (``长治市2026年3月大宗货物清洁运输情况简报`` / ``Changzhi clean bulk-freight transport briefing, March 2026``)."""
    if opts.title:
        return opts.title
    period = period_text(opts.period, opts.lang) if opts.period else ""
    if opts.lang == "zh":
        return f"{opts.city_zh}{period}{t('b.title', 'zh')}"
    return f"{opts.city_en} {t('b.title', 'en').lower()}" + (f", {period}" if period else "")


def _text_width_pt(text: str, size: float) -> float:
    """Estimated width of one line of text in points (CJK full width, Latin ~0.55 em)."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.55 for ch in text) * size


def _fit_size(text: str, width_pt: float, size: float, smallest: float) -> float:
    """The largest font size <= ``size`` (down to ``smallest``) at which every line of ``text`` fits."""
    widest = max((_text_width_pt(line, 1.0) for line in text.split("\n")), default=0.0)
    if widest <= 0:
        return size
    return max(smallest, min(size, width_pt / widest))


def _wrap2(text: str, width_pt: float, size: float) -> str:
    """Break ``text`` into two lines (at a space, or in the middle of CJK text) when it does not fit."""
    if _text_width_pt(text, size) <= width_pt:
        return text
    if " " in text.strip():
        words = text.split()
        best = min(range(1, len(words)), key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))))
        return " ".join(words[:best]) + "\n" + " ".join(words[best:])
    cut = text.find("(") if 0 < text.find("(") < len(text) - 1 else (len(text) + 1) // 2
    return text[:cut] + "\n" + text[cut:]


def _fmt_tonnes(tonnes: float, lang: str) -> str:
    if lang == "zh":
        return f"{tonnes / 1e4:,.0f} 万吨"
    return f"{tonnes / 1e6:,.1f} Mt"


def _name(row: pd.Series, lang: str) -> str:
    first = row.get("name_zh") if lang == "zh" else row.get("name_en")
    return str(first) if isinstance(first, str) and first else str(row["enterprise_id"])


def _header(fig: Figure, city: dict[str, object], opts: RenderParams) -> None:
    from matplotlib.patches import FancyBboxPatch

    lang = opts.lang
    page_w = fig.get_figwidth() * 72
    scale = fig.get_figwidth() / PAPER_SIZES["A4"][0]
    title = briefing_title(opts)
    title_size = _fit_size(title, 0.9 * page_w, 17 * scale, 10 * scale)
    fig.text(0.05, 0.975, title, fontsize=title_size, va="top")
    sub_y = 0.975 - title_size * 1.5 / (fig.get_figheight() * 72)  # below the title's line box
    sub = t("b.generated", lang, date=opts.generated.isoformat(), rulebook=opts.rulebook or "-")
    if opts.period:
        sub += " · " + t("b.period", lang, period=opts.period)
    if opts.scenario:
        sub = t("b.scenario", lang, scenario=opts.scenario) + " · " + sub
    fig.text(0.05, sub_y, sub, fontsize=_fit_size(sub, 0.9 * page_w, 8 * scale, 5.5 * scale), color="#555555",
             va="top")
    ratio = float(city["city_clean_ratio"])  # type: ignore[arg-type]
    kpis = [
        (t("b.city_ratio", lang), f"{ratio:.1%}", ratio_color(ratio, opts.target)),
        (t("target", lang), f"{opts.target:.0%}", "#333333"),
        (
            t("b.meeting", lang),
            f"{city['enterprises_meeting_target']} / {city['enterprises_total']}",
            "#333333",
        ),
        (t("b.recorded_tonnes" if opts.period else "b.total_tonnes", lang), _fmt_tonnes(float(city["tonnes_total"]), lang), "#333333"),  # type: ignore[arg-type]
    ]
    if "city_ratio_after" in city:
        after = float(city["city_ratio_after"])  # type: ignore[arg-type]
        kpis.insert(1, (t("b.plan_after", lang), f"{after:.1%}", ratio_color(after, opts.target)))
    width = 0.9 / len(kpis)
    for i, (label, value, color) in enumerate(kpis):
        x = 0.05 + i * width
        fig.patches.append(
            FancyBboxPatch(
                (x, 0.866),
                width - 0.012,
                0.058,
                boxstyle="round,pad=0.003,rounding_size=0.006",
                transform=fig.transFigure,
                facecolor="#f4f4f0",
                edgecolor="#dddddd",
                linewidth=0.6,
            )
        )
        inner = (width - 0.012 - 0.016) * page_w  # card width less its padding, in points
        label = _wrap2(label, inner, 7.5 * scale)
        fig.text(x + 0.008, 0.920, label, fontsize=_fit_size(label, inner, 7.5 * scale, 5.5 * scale),
                 color="#555555", va="top", linespacing=1.0)
        fig.text(x + 0.008, 0.871, value, fontsize=_fit_size(value, inner, 15 * scale, 9 * scale), color=color,
                 va="bottom")


def _table(ax: Axes, ent: pd.DataFrame, opts: RenderParams) -> None:
    from matplotlib.transforms import Bbox

    lang = opts.lang
    ax.axis("off")
    ax.set_title(t("b.ratio_table", lang), fontsize=10, loc="left")
    low = ent.sort_values(["clean_ratio", "enterprise_id"]).head(TABLE_ROWS)
    has_after = "ratio_after" in ent and ent["ratio_after"].notna().any()
    cols = [t("f.rank", lang), t("name", lang), t("f.clean_ratio", lang)]
    if has_after:
        cols.append(t("f.ratio_after", lang))
    cols.append(t("f.gap_tonnes", lang) if lang == "en" else "缺口(万吨)")
    rows, colors = [], []
    ncols = len(cols)
    widths = [0.08, 0.42, 0.16, 0.16, 0.18] if ncols == 5 else [0.1, 0.46, 0.2, 0.24]
    fig = ax.get_figure(root=True)
    axis_w = ax.get_position().width * (fig.get_figwidth() if fig is not None else 8.27) * 72  # type: ignore[union-attr]
    size = 6.8
    name_w = widths[1] * axis_w - 6
    for i, (_, row) in enumerate(low.iterrows(), start=1):
        name = _name(row, lang)
        while len(name) > 2 and _text_width_pt(name, size) > name_w:
            name = name[:-2] + "…"
        cells = [str(i), name, f"{row['clean_ratio']:.1%}"]
        cc = ["white", "white", ratio_color(float(row["clean_ratio"]), opts.target)]
        if has_after:
            after = row.get("ratio_after")
            cells.append("-" if pd.isna(after) else f"{after:.1%}")
            cc.append("white" if pd.isna(after) else ratio_color(float(after), opts.target))
        gap = float(row["gap_tonnes"])
        cells.append(f"{gap:,.0f}" if lang == "en" else f"{gap / 1e4:,.1f}")
        cc.append("white")
        rows.append(cells)
        colors.append(cc)
    if not rows:
        return
    table = ax.table(
        cellText=rows,
        colLabels=cols,
        loc="upper center",
        cellLoc="center",
        colLoc="center",
        bbox=Bbox.from_bounds(0.0, 0.0, 1.0, 0.97),
    )
    table.auto_set_font_size(False)
    table.set_fontsize(size)
    for (r, c), cell in table.get_celld().items():
        if r == 0:  # headers on up to two lines, smaller until they fit their column
            text = _wrap2(str(cols[c]), widths[c] * axis_w - 4, size)
            cell.get_text().set_text(text)
            cell.get_text().set_fontsize(_fit_size(text, widths[c] * axis_w - 4, size, 4.5))
            cell.get_text().set_linespacing(1.0)
        cell.set_edgecolor("#dddddd")
        cell.set_linewidth(0.4)
        if r == 0:
            cell.set_facecolor("#e8e8e2")
        elif colors[r - 1][c] != "white":
            cell.set_facecolor(colors[r - 1][c])
            cell.set_alpha(0.35)
        if c == 1 and r > 0:
            cell.set_text_props(ha="left")
            cell.PAD = 0.04
    for (_r, c), cell in table.get_celld().items():
        cell.set_width(widths[c])


def _bars(ax: Axes, ent: pd.DataFrame, opts: RenderParams) -> None:
    lang = opts.lang
    order = ent.sort_values(["clean_ratio", "enterprise_id"]).reset_index(drop=True)
    x = np.arange(len(order))
    ax.bar(
        x,
        order["clean_ratio"] * 100,
        color=[ratio_color(float(r), opts.target) for r in order["clean_ratio"]],
        width=0.75,
        edgecolor="none",
        zorder=2,
    )
    if "ratio_after" in order and order["ratio_after"].notna().any():
        ax.scatter(
            x,
            order["ratio_after"] * 100,
            marker="D",
            s=10,
            color="#222222",
            zorder=3,
            label=t("b.plan_after", lang),
        )
    # at the ratio but not at the target: coal/coke left the province by road (the rulebook's rule)
    held = (order["clean_ratio"] >= opts.target - RATIO_TOL) & ~order["meets_target"].astype(bool)
    if held.any():
        ax.bar(
            x[held.to_numpy()],
            order.loc[held, "clean_ratio"] * 100,
            color="none",
            edgecolor="#8a1c1c",
            hatch="////",
            linewidth=0.0,
            width=0.75,
            zorder=2.5,
            label=t("b.rail_out_missed", lang),
        )
    ax.axhline(
        opts.target * 100,
        color="#222222",
        linewidth=1.0,
        linestyle="--",
        zorder=4,
        label=t("b.target_line", lang, target=f"{opts.target:.0%}"),
    )
    ax.set_ylim(0, 118)  # room above 100 % for the legend, clear of the bars and the target line
    ax.set_xlim(-0.7, len(order) - 0.3)
    ax.set_ylabel("%", fontsize=8)
    ax.set_xticks(x)
    ax.set_xticklabels(
        order["enterprise_id"].astype(str), rotation=90, fontsize=5.5 if len(order) > 25 else 7
    )
    if len(order) > 80:
        ax.set_xticks([])
    ax.tick_params(axis="y", labelsize=7)
    ax.set_yticks([0, 20, 40, 60, 80, 100])
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.5, zorder=0)
    ax.set_title(t("b.bar_title", lang), fontsize=10, loc="left")
    ax.set_xlabel(t("b.enterprises_axis", lang), fontsize=7)
    ax.legend(fontsize=7, loc="upper left", frameon=False, ncol=3, borderaxespad=0.2)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)


def _incomplete(coverage: pd.DataFrame | pd.Series | None, monthly: pd.DataFrame | None) -> set[str]:
    """Periods with incomplete coverage, from ``coverage`` (a Series period -> complete (bool) or
    share reported (0-1); or a DataFrame with ``period`` and ``complete`` or ``coverage``) or from a
    ``complete`` / ``coverage_complete`` column of the monthly table."""
    def flags(frame: pd.DataFrame) -> set[str]:
        for col in ("complete", "coverage_complete"):
            if col in frame:
                bad = frame.loc[~frame[col].astype(bool), "period"]
                return {str(p) for p in bad}
        if "coverage" in frame:
            bad = frame.loc[pd.to_numeric(frame["coverage"], errors="coerce") < 1 - 1e-9, "period"]
            return {str(p) for p in bad}
        return set()

    if coverage is None:
        return flags(monthly) if monthly is not None and "period" in monthly else set()
    if isinstance(coverage, pd.Series):
        values = coverage
        if values.dtype == bool:
            return {str(p) for p, ok in values.items() if not ok}
        return {str(p) for p, v in pd.to_numeric(values, errors="coerce").items() if v < 1 - 1e-9}
    return flags(coverage.reset_index() if "period" not in coverage else coverage)


def _trend(
    ax: Axes, monthly: pd.DataFrame | None, opts: RenderParams, incomplete: set[str] | None = None
) -> None:
    lang = opts.lang
    ax.set_title(t("b.trend_title", lang), fontsize=10, loc="left")
    if monthly is None:
        ax.axis("off")
        ax.text(
            0.5,
            0.5,
            t("b.no_monthly", lang),
            ha="center",
            va="center",
            fontsize=9,
            color="#666666",
            transform=ax.transAxes,
        )
        return
    city = city_monthly(monthly, opts.target)
    periods = list(city["period"])
    x = np.arange(len(periods))
    for _, part in monthly.groupby("enterprise_id", sort=True):
        px = [periods.index(p) for p in part["period"]]
        ax.plot(px, part["clean_ratio"] * 100, color="#c9c9c9", linewidth=0.5, zorder=1)
    ax.plot(
        x,
        city["clean_ratio"] * 100,
        color=COLORS["route_rail"],
        linewidth=2.2,
        marker="o",
        markersize=3,
        zorder=3,
        label=t("b.city_line", lang),
    )
    ax.axhline(
        opts.target * 100,
        color="#222222",
        linewidth=1.0,
        linestyle="--",
        zorder=2,
        label=t("b.target_line", lang, target=f"{opts.target:.0%}"),
    )
    ax.axhspan(
        (opts.target - AMBER_BAND) * 100, opts.target * 100, color=COLORS["near"], alpha=0.08, zorder=0
    )
    marked = [i for i, p in enumerate(periods) if str(p) in (incomplete or set())]
    for k, i in enumerate(marked):  # a hatched band behind, a hollow point on the city line
        ax.axvspan(i - 0.45, i + 0.45, facecolor="none", edgecolor="#b0b0b0", hatch="////", linewidth=0,
                   zorder=0.5, label=t("b.incomplete", lang) if k == 0 else None)
        ax.plot([i], [city["clean_ratio"].iloc[i] * 100], marker="o", markersize=6, markerfacecolor="white",
                markeredgecolor=COLORS["low"], markeredgewidth=1.2, linestyle="", zorder=4)
    ax.set_xticks(x)
    ax.set_xticklabels([f"{p}*" if i in marked else str(p) for i, p in enumerate(periods)], rotation=45,
                       fontsize=6.5, ha="right")
    for i in marked:
        ax.get_xticklabels()[i].set_color(COLORS["low"])
    ax.set_ylim(0, 105)
    ax.set_ylabel("%", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.5)
    ax.legend(fontsize=7, loc="lower right", frameon=False)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    last = city.iloc[-1]
    ax.annotate(
        f"{last['clean_ratio']:.1%}",
        (x[-1], last["clean_ratio"] * 100),
        textcoords="offset points",
        xytext=(4, 6),
        fontsize=7,
        color=COLORS["route_rail"],
    )


def make_briefing(
    enterprises: pd.DataFrame,
    pdf: str | Path | None,
    png: str | Path | None = None,
    *,
    monthly: pd.DataFrame | None = None,
    layers: MapLayers | None = None,
    options: RenderParams | None = None,
    coverage: pd.DataFrame | pd.Series | None = None,
    frontier: Mapping[str, Any] | None = None,
) -> Briefing:
    """Write the one-page briefing as PDF and/or PNG (and, given a frontier, its page two).

    Parameters
    ----------
    enterprises
        One row per enterprise: ``enterprise_id, tonnes_total, clean_ratio`` (0–1), optionally
        ``name_zh, name_en, tonnes_clean, ratio_after``.
    pdf, png
        Output files (either may be None; at least one is needed).
    monthly
        ``period, enterprise_id, clean_ratio, tonnes_total`` for the trend panel (optional).
    layers
        What the map panel shows (default: the enterprises alone, when they have ``lon``/``lat``).
    options
        Language, target, paper, dpi, title, rulebook, period, city, scenario, sample (default:
        ``RenderParams()``, Chinese, A4, 200 dpi).
    coverage
        Which months every enterprise reported: a Series ``period -> complete`` (bool) or share
        reported (0-1), or a DataFrame with ``period`` and ``complete`` or ``coverage``; the trend
        marks the incomplete months (hatched, hollow point, ``*`` on the month). A ``complete`` or
        ``coverage_complete`` column of ``monthly`` is read the same way.
    frontier
        The plan's cost-of-ambition frontier (:func:`cleanfreight.reports.read_frontier`: ``table``,
        ``today``, ``reference``): a second PDF page, and ``<png stem>_frontier.png`` beside the PNG.

    Returns
    -------
    Briefing
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from cleanfreight.errors import InputError
    from cleanfreight.reports._fonts import rc_params
    from cleanfreight.reports.static import plot_map

    opts = options or RenderParams()
    if pdf is None and png is None:
        raise InputError("make_briefing needs a PDF or a PNG path")
    ent = enterprise_table(enterprises, opts.target)
    mon = monthly_table(monthly)
    city = city_summary(ent, opts.target)
    if layers is None and {"lon", "lat"} <= set(ent.columns):
        from cleanfreight.reports.maps import enterprise_points

        layers = MapLayers(enterprises=enterprise_points(ent))

    w, h = PAPER_SIZES[opts.paper]
    scale = w / PAPER_SIZES["A4"][0]
    written: list[Path | None] = []
    frontier_png: Path | None = None
    rc: dict[str, Any] = {**rc_params(), "font.size": 8 * scale}
    with plt.rc_context(cast(Any, rc)):
        fig = plt.figure(figsize=(w, h))
        try:
            _header(fig, city, opts)
            grid = fig.add_gridspec(
                3,
                2,
                left=0.06,
                right=0.97,
                top=0.835,
                bottom=0.06,
                height_ratios=[1.25, 0.8, 0.75],
                width_ratios=[1.15, 1.0],
                hspace=0.38,
                wspace=0.08,
            )
            ax_map = fig.add_subplot(grid[0, 0])
            if layers is not None and layers.present():
                plot_map(ax_map, layers, lang=opts.lang, target=opts.target, legend_size=5.0 * scale,
                         legend_below=True, labels=True)  # legend below the map: nothing of it hidden
                ax_map.set_anchor("N")  # the map keeps the top of its cell: its title under the cards
                ax_map.set_title(t("b.map_title", opts.lang), fontsize=10, loc="left")
            else:
                ax_map.axis("off")
            _table(fig.add_subplot(grid[0, 1]), ent, opts)
            _bars(fig.add_subplot(grid[1, :]), ent, opts)
            _trend(fig.add_subplot(grid[2, :]), mon, opts, _incomplete(coverage, monthly))
            if opts.sample:  # only the bundled sample is illustrative
                fig.text(0.05, 0.015, t("illustrative", opts.lang), fontsize=6.5, color="#777777")
            title = briefing_title(opts)
            page2 = _frontier_page(frontier, opts, (w, h)) if frontier is not None else None
            for target_path, fmt in ((pdf, "pdf"), (png, "png")):
                if target_path is None:
                    written.append(None)
                    continue
                path = Path(target_path)
                path.parent.mkdir(parents=True, exist_ok=True)
                meta = (
                    {"Title": title, "Creator": "cleanfreight"}
                    if fmt == "pdf"
                    else {"Title": title, "Software": "cleanfreight"}
                )
                with atomic_path(path) as tmp:
                    if fmt == "pdf" and page2 is not None:
                        from matplotlib.backends.backend_pdf import PdfPages

                        with PdfPages(tmp, metadata=meta) as pages:
                            pages.savefig(fig, dpi=opts.dpi)
                            pages.savefig(page2, dpi=opts.dpi)
                    else:
                        fig.savefig(tmp, format=fmt, dpi=opts.dpi, metadata=meta)
                log.info("wrote %s", path)
                written.append(path)
            if page2 is not None and png is not None:
                fpng = Path(png).with_name(f"{Path(png).stem}_frontier.png")
                with atomic_path(fpng) as tmp:
                    page2.savefig(tmp, format="png", dpi=opts.dpi, metadata={"Title": title, "Software": "cleanfreight"})
                frontier_png = fpng
        finally:
            plt.close(fig)
    return Briefing(pdf=written[0], png=written[1], city=city, frontier_png=frontier_png)


def _frontier_page(frontier: Mapping[str, Any], opts: RenderParams, size: tuple[float, float]) -> Figure:
    """Page two: the cost of ambition (the frontier chart) under the briefing's title."""
    from cleanfreight.reports.frontier import frontier_figure

    fig = frontier_figure(
        frontier["table"],
        opts.lang,
        reference=frontier.get("reference") or None,
        today=frontier.get("today") or None,
        size=size,
    )
    # the briefing's title on top, the chart's own title under it, the panels below both
    fig.text(0.02, 0.988, briefing_title(opts), fontsize=10, color="#555555", va="top")
    fig.suptitle(t("fr.title", opts.lang), fontsize=12, x=0.02, y=0.962, ha="left", va="top")
    fig.subplots_adjust(top=0.9)
    return fig
