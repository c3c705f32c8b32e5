"""The cost of ambition as a chart: extra annual cost and marginal abatement cost by city clean ratio.

:func:`frontier_figure` draws a :class:`~cleanfreight.planning.Frontier` (or its table) as two panels:

- top: the extra annual cost of each level over the cheapest plan, with today's ratio, the target and the
  plan with the per-enterprise targets marked;
- bottom: a stepped marginal abatement cost curve: one bar per step, as wide as the clean ratio it adds
  and as high as what each extra clean tonne of that step costs, labelled with the cost per tonne of CO2
  avoided and the builds the step adds.

:func:`plot_frontier` draws either panel on an existing axes (for the briefing); :func:`save_frontier_png`
writes the figure atomically. Text follows ``lang`` (``en`` or ``zh``, in the project's CJK font).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import pandas as pd

from cleanfreight._i18n import check_lang, register
from cleanfreight._io import atomic_path
from cleanfreight.reports._labels import t

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cleanfreight.planning.frontier import Frontier

__all__ = ["frontier_figure", "plot_frontier", "read_frontier", "save_frontier_png", "write_frontier_files"]

log = logging.getLogger(__name__)

register(
    {
        "fr.title": (
            "The cost of ambition: least annual cost of each city clean-transport ratio",
            "清洁运输比例提升的代价：全市各清洁运输比例下的最低年成本",
        ),
        "fr.ratio_axis": ("City clean-transport ratio", "全市清洁运输比例"),
        "fr.extra_cost_axis": ("Extra annual cost vs cheapest plan ({unit})", "较最低成本方案增加的年成本({unit})"),
        "fr.mac_axis": ("Cost per extra clean tonne (CNY/t)", "每增加1吨清洁运量的成本(元/吨)"),
        "fr.unit_money": ("CNY million/yr", "亿元/年"),
        "fr.curve": ("Least-cost plan at each city level", "各全市比例下的最低成本方案"),
        "fr.today": ("Today {ratio}", "现状 {ratio}"),
        "fr.target": ("Target {ratio}", "目标 {ratio}"),
        "fr.reference": (
            "Plan with {ratio} for every enterprise: +{cost}",
            "每家企业均达{ratio}的方案：+{cost}",
        ),
        "fr.max": ("Highest reachable {ratio}", "最高可达 {ratio}"),
        "fr.per_t_co2": ("{value} CNY/t CO2", "{value} 元/吨CO2"),
        "fr.spurs": ("+{n} spur(s)", "+{n}条专用线"),
        "fr.spurs_dropped": ("-{n} spur(s)", "-{n}条专用线"),
        "fr.trucks": ("{n:+d} trucks", "{n:+d}辆新能源车"),
        "fr.swap": ("{n:+d} swap units", "{n:+d}套换电"),
        "fr.free": ("no extra cost", "无额外成本"),
        "fr.first_builds": ("cheapest plan builds: {what}", "最低成本方案建设：{what}"),
        "fr.note": (
            "Each point: least annual cost (transport + annualised capital) with the city ratio at or above the "
            "level; per-enterprise targets relaxed to 0, policy floors kept (docs/frontier.md).",
            "每个点：全市比例不低于该水平时的最低年成本(运输+年化投资)；不设企业目标，保留政策底线(见 docs/frontier.md)。",
        ),
    }
)

_BLUE = "#2166ac"
_BAR = "#4393c3"
_BAR_TOP = "#d6604d"
_GREY = "#777777"
_RED = "#b2182b"


def _money_scale(lang: str) -> float:
    return 1e8 if lang == "zh" else 1e6


def _fmt_money(value: float, lang: str) -> str:
    scale = _money_scale(lang)
    unit = "亿元/年" if lang == "zh" else "CNY m/yr"
    digits = 2 if lang == "zh" else 0
    return f"{value / scale:,.{digits}f} {unit}"


def _fmt_num(value: float) -> str:
    if not math.isfinite(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def _parts(
    frontier: Frontier | pd.DataFrame,
    reference: Mapping[str, Any] | None,
    today: Mapping[str, Any] | None,
) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any]]:
    if isinstance(frontier, pd.DataFrame):
        return frontier, dict(reference or {}), dict(today or {})
    return (
        frontier.table,
        dict(reference if reference is not None else frontier.reference),
        dict(today if today is not None else frontier.today),
    )


def _step_label(row: pd.Series, lang: str) -> str:
    lines = []
    per_co2 = float(row["marginal_cny_per_t_co2"]) if pd.notna(row["marginal_cny_per_t_co2"]) else math.nan
    if math.isfinite(per_co2):
        lines.append(t("fr.per_t_co2", lang, value=_fmt_num(per_co2)))
    added = [s for s in str(row.get("spurs_added") or "").split(";") if s]
    dropped = [s for s in str(row.get("spurs_removed") or "").split(";") if s]
    if added:
        lines.append(t("fr.spurs", lang, n=len(added)))
    if dropped:
        lines.append(t("fr.spurs_dropped", lang, n=len(dropped)))
    if int(row["trucks_added"]):
        lines.append(t("fr.trucks", lang, n=int(row["trucks_added"])))
    if int(row["swap_units_added"]):
        lines.append(t("fr.swap", lang, n=int(row["swap_units_added"])))
    return "\n".join(lines)


def plot_frontier(
    ax: Axes,
    frontier: Frontier | pd.DataFrame,
    *,
    lang: str = "en",
    panel: Literal["cost", "mac"] = "mac",
    reference: Mapping[str, Any] | None = None,
    today: Mapping[str, Any] | None = None,
    target: float | None = None,
    labels: bool = True,
) -> Axes:
    """Draw one panel of the frontier on ``ax``.

    Parameters
    ----------
    ax
        Matplotlib axes to draw on.
    frontier
        A :class:`~cleanfreight.planning.Frontier` or its ``table``.
    lang
        ``"en"`` or ``"zh"``.
    panel
        ``"cost"``: extra annual cost over the cheapest point, by city ratio; ``"mac"``: the stepped marginal
        cost per extra clean tonne.
    reference, today
        The plan with the per-enterprise targets and today's split (``Frontier.reference``, ``Frontier.today``);
        taken from ``frontier`` when it is a :class:`Frontier`. Either may be empty.
    target
        Target ratio to mark (default: the reference's ``target``, else none).
    labels
        Write values and builds beside the points / above the bars.
    """
    check_lang(lang)
    table, ref, now = _parts(frontier, reference, today)
    if target is None and ref.get("target") is not None:
        target = float(ref["target"])
    scale = _money_scale(lang)
    x = table["ratio"].to_numpy(float) * 100.0
    if panel == "cost":
        cheapest = float(table["cost_cny"].min())
        y = table["cost_vs_cheapest_cny"].to_numpy(float) / scale
        ax.plot(x, y, "-o", color=_BLUE, lw=1.8, ms=4.5, zorder=3, label=t("fr.curve", lang))
        if labels:
            for xi, yi in zip(x[1:], y[1:], strict=True):
                ax.annotate(f"{yi:,.2f}" if lang == "zh" else f"{yi:,.0f}", (xi, yi), textcoords="offset points",
                            xytext=(5, -4), ha="left", va="top", fontsize=7, color=_BLUE)
        if ref.get("ratio") is not None and ref.get("cost_cny") is not None:
            rx, ry = float(ref["ratio"]) * 100.0, (float(ref["cost_cny"]) - cheapest) / scale
            ax.plot([rx], [ry], marker="*", ms=13, color=_RED, ls="none", zorder=4,
                    label=t("fr.reference", lang, ratio=f"{(target or 0.8):.0%}",
                            cost=_fmt_money(float(ref["cost_cny"]) - cheapest, lang)))
        ax.set_ylabel(t("fr.extra_cost_axis", lang, unit=t("fr.unit_money", lang)))
        ax.set_ylim(bottom=min(0.0, float(y.min())))
    else:
        left = x[:-1]
        width = x[1:] - x[:-1]
        h = table["marginal_cny_per_clean_t"].to_numpy(float)[1:]
        h = [v if math.isfinite(v) else 0.0 for v in h]
        top = max(h) if h else 0.0
        colors = [_BAR_TOP if top > 0 and v >= 0.5 * top else _BAR for v in h]
        ax.bar(left, h, width=width, align="edge", color=colors, edgecolor="white", lw=0.8, zorder=3)
        if len(x) and now.get("ratio") is not None and x[0] > float(now["ratio"]) * 100.0 + 0.05:
            ax.axvspan(float(now["ratio"]) * 100.0, x[0], color="#d9f0d3", zorder=1)
            ax.text((float(now["ratio"]) * 100.0 + x[0]) / 2, 0.5 * top if top > 0 else 1.0, t("fr.free", lang),
                    rotation=90, ha="center", va="center", fontsize=7, color="#1b7837")
        if labels:
            for i, (lx, w, v) in enumerate(zip(left, width, h, strict=True)):
                row = table.iloc[i + 1]
                ax.text(lx + w / 2, v + 0.01 * max(top, 1e-9), f"{_fmt_num(v)}", ha="center", va="bottom",
                        fontsize=7.5, zorder=5,
                        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})
                extra = _step_label(row, lang)
                if extra:
                    ax.text(lx + w / 2, v + 0.07 * max(top, 1e-9), extra, ha="center", va="bottom",
                            fontsize=6.2, color="#333333", linespacing=1.15, zorder=5,
                            bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})
        ax.set_ylim(0, (top if top > 0 else 1.0) * 1.45)
        ax.set_ylabel(t("fr.mac_axis", lang))
    lo = min([*x, float(now["ratio"]) * 100.0] if now.get("ratio") is not None else list(x))
    hi = max(x) if len(x) else 100.0
    if now.get("ratio") is not None:
        r0 = float(now["ratio"]) * 100.0
        ax.axvline(r0, color=_GREY, ls=":", lw=1.0, zorder=2)
        ax.text(r0, 1.0, " " + t("fr.today", lang, ratio=f"{r0:.1f}%"), transform=ax.get_xaxis_transform(),
                ha="left", va="top", fontsize=7, color=_GREY)
    if target is not None:
        ax.axvline(target * 100.0, color=_RED, ls="--", lw=1.0, zorder=2)
        ax.text(target * 100.0, 1.0, " " + t("fr.target", lang, ratio=f"{target:.0%}"),
                transform=ax.get_xaxis_transform(), ha="left", va="top", fontsize=7, color=_RED)
    if panel == "cost" and len(x):
        y_last = float(table["cost_vs_cheapest_cny"].iloc[-1]) / scale
        ax.annotate(t("fr.max", lang, ratio=f"{x[-1]:.1f}%"), (x[-1], y_last), textcoords="offset points",
                    xytext=(-8, 0), ha="right", va="center", fontsize=7, color=_BLUE)
    ax.set_xlim(lo - 1.0, hi + 1.5)
    ax.set_xlabel(t("fr.ratio_axis", lang) + " (%)")
    ax.grid(True, axis="y", color="#dddddd", lw=0.6, zorder=0)
    ax.spines[["top", "right"]].set_visible(False)
    if panel == "cost":
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.92), fontsize=7.5, frameon=False)
    return ax


def frontier_figure(
    frontier: Frontier | pd.DataFrame,
    lang: str = "en",
    *,
    reference: Mapping[str, Any] | None = None,
    today: Mapping[str, Any] | None = None,
    size: tuple[float, float] = (9.0, 8.0),
) -> Figure:
    """The frontier as a two-panel figure: extra annual cost (top) and marginal cost per clean tonne (bottom).

    Parameters
    ----------
    frontier
        A :class:`~cleanfreight.planning.Frontier` or its ``table`` (then pass ``reference`` and ``today``
        to mark them).
    lang
        ``"en"`` or ``"zh"``.
    reference, today
        Override or supply the marked plan with per-enterprise targets and today's split.
    size
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        A figure not registered with pyplot (close it with ``plt.close(fig)`` or let it be collected).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from cleanfreight.reports._fonts import rc_params

    check_lang(lang)
    table, ref, now = _parts(frontier, reference, today)
    with plt.rc_context(cast(Any, rc_params())):
        fig, (ax_cost, ax_mac) = plt.subplots(2, 1, figsize=size, sharex=True,
                                              gridspec_kw={"height_ratios": [1.0, 1.25]})
        plot_frontier(ax_cost, table, lang=lang, panel="cost", reference=ref, today=now)
        plot_frontier(ax_mac, table, lang=lang, panel="mac", reference=ref, today=now)
        ax_cost.set_xlabel("")
        ax_cost.tick_params(labelbottom=True)
        fig.suptitle(t("fr.title", lang), fontsize=12, x=0.02, ha="left")
        if len(table):
            first = table.iloc[0]
            builds = [
                *[s for s in str(first["spurs_built"] or "").split(";") if s],
                *([t("fr.trucks", lang, n=int(first["trucks_new"]))] if int(first["trucks_new"]) else []),
                *([t("fr.swap", lang, n=int(first["swap_units_new"]))] if int(first["swap_units_new"]) else []),
            ]
            if builds:
                ax_cost.text(0.01, 0.70, t("fr.first_builds", lang, what=", ".join(builds)),
                             transform=ax_cost.transAxes, ha="left", va="top", fontsize=6.5, color=_GREY)
        fig.text(0.02, 0.012, t("fr.note", lang), fontsize=6.3, color=_GREY)
        sample = isinstance(frontier, pd.DataFrame) or bool(frontier.settings.get("sample_data", True))
        if sample:  # only the bundled sample is illustrative
            fig.text(0.02, 0.032, t("illustrative", lang), fontsize=6.3, color=_GREY)
        fig.tight_layout(rect=(0.0, 0.045, 1.0, 0.97))
    plt.close(fig)  # not kept by pyplot: the caller owns the figure
    return fig


def save_frontier_png(
    frontier: Frontier | pd.DataFrame,
    path: str | Path,
    lang: str = "en",
    *,
    reference: Mapping[str, Any] | None = None,
    today: Mapping[str, Any] | None = None,
    dpi: int = 200,
) -> Path:
    """Write :func:`frontier_figure` as a PNG (atomically) and return its path."""
    import matplotlib.pyplot as plt

    from cleanfreight.reports._fonts import rc_params

    path = Path(path)
    fig = frontier_figure(frontier, lang, reference=reference, today=today)
    with plt.rc_context(cast(Any, rc_params())), atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, metadata={"Title": t("fr.title", lang), "Software": "cleanfreight"})
    log.info("wrote %s", path)
    return path


def write_frontier_files(
    fr: Frontier, out_dir: str | Path, lang: str = "en", scenario: Mapping[str, Any] | None = None
) -> dict[str, Path]:
    """Write ``frontier.csv``, ``frontier.json`` and ``frontier.png`` to ``out_dir`` (each atomically)."""
    import json

    from cleanfreight._io import write_csv, write_text

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {"frontier.csv": write_csv(fr.table, out / "frontier.csv", index=False, encoding="utf-8")}
    sample = bool(fr.settings.get("sample_data", True))
    payload = {"scenario": dict(scenario or {}), **fr.as_dict(), "note": t("illustrative", lang) if sample else None}
    files["frontier.json"] = write_text(
        out / "frontier.json", json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False)
    )
    files["frontier.png"] = save_frontier_png(fr, out / "frontier.png", lang)
    return files


def read_frontier(path: str | Path) -> dict[str, Any] | None:
    """A ``frontier.json`` (or the folder holding one) as ``{"table", "today", "reference", "max_ratio"}``;
    ``None`` when there is none."""
    import json

    p = Path(path)
    if p.is_dir():
        p = p / "frontier.json"
    if not p.is_file():
        return None
    raw = json.loads(p.read_text(encoding="utf-8"))
    table = pd.DataFrame(raw.get("points", []))
    for col in table.columns:  # None in a number column: NaN
        try:
            table[col] = pd.to_numeric(table[col])
        except (TypeError, ValueError):
            continue
    return {
        "table": table,
        "today": raw.get("today", {}),
        "reference": raw.get("reference", {}),
        "max_ratio": raw.get("max_ratio"),
    }
