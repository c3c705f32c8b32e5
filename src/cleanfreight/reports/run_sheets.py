"""Run sheets of a dispatch day: ``run_sheets.xlsx`` (a summary sheet and one sheet per truck) and
``run_sheets.pdf`` (one A4 landscape page per truck): stops, times, loads, tonnes on board, battery
state and swaps. Part of the hand-outs (:mod:`cleanfreight.reports.handouts`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from cleanfreight import _i18n
from cleanfreight._i18n import check_lang
from cleanfreight._io import atomic_path

if TYPE_CHECKING:

    from cleanfreight.dispatch.result import DispatchResult

from cleanfreight.reports._handout_common import (
    _ENERGY_KINDS,
    _action,
    _numbered,
    _stops,
    _t,
    place_names,
    scenario_title,
    truck_colors,
)

__all__ = ["run_sheet_table", "write_run_sheets"]

log = logging.getLogger(__name__)


def _energy_cols(powertrain: str, lang: str) -> tuple[str, str]:
    if powertrain in ("bev_swap", "bev_charge"):
        return _t("ho.soc_arrive", lang), _t("ho.soc_depart", lang)
    return _t("ho.energy_arrive", lang), _t("ho.energy_depart", lang)


def run_sheet_table(result: DispatchResult, truck_id: str, lang: str = "en") -> pd.DataFrame:
    """The run sheet of one truck: numbered stops with times, place, action, load, tonnes, battery."""
    lang = check_lang(lang)
    names = place_names(result, lang)
    stops = _stops(result, truck_id)
    power = str(result.trucks.set_index("truck_id").at[truck_id, "powertrain"])
    e_arr, e_dep = _energy_cols(power, lang)
    nums = _numbered(stops)
    return pd.DataFrame(
        {
            _t("ho.no", lang): ["" if n is None else n for n in nums],
            _t("ho.arrive", lang): stops["arrive"],
            _t("ho.start", lang): stops["start"],
            _t("ho.depart", lang): stops["depart"],
            _t("ho.place", lang): [names.get(str(p), str(p)) for p in stops["place_id"]],
            _t("ho.action", lang): [_action(str(k), lang) for k in stops["kind"]],
            _t("ho.load", lang): stops["lot_id"].fillna(""),
            _t("ho.onboard", lang): stops["onboard_t"].round(1),
            _t("ho.km", lang): stops["km_from_prev"].round(1),
            e_arr: (stops["soc_arrive_pct"] / 100).round(3),
            e_dep: (stops["soc_depart_pct"] / 100).round(3),
            _t("ho.wait", lang): stops["wait_min"].round(0),
        }
    )


def _truck_lines(result: DispatchResult, truck_id: str, lang: str) -> list[str]:
    row = result.trucks.set_index("truck_id").loc[truck_id]
    names = place_names(result, lang)
    from cleanfreight.dispatch.scenario import POWERTRAINS

    spec = POWERTRAINS.get(str(row["powertrain"]))
    ptype = str(row["powertrain"]) if spec is None else (spec.label_zh if lang == "zh" else spec.label_en)
    return [
        f"{_t('ho.type', lang)}: {row['truck_type']} ({ptype}) · {_t('ho.depot', lang)}: "
        f"{names.get(str(row['depot']), row['depot'])}",
        f"{_t('ho.shift', lang)}: {row['start']}–{row['end']} · "
        + _t("ho.loads_t", lang, loads=int(row["loads"]), tonnes=float(row["tonnes"]))
        + " · "
        + _t("ho.km_line", lang, km=float(row["km_total"]), empty=float(row["km_empty"])),
        _t("ho.swaps_line", lang, swaps=int(row["swaps"]), charges=int(row["charges"]), soc=float(row["soc_min_pct"])),
    ]


def _sheet_name(truck_id: str, used: set[str]) -> str:
    name = "".join(ch for ch in truck_id if ch not in '[]:*?/\\')[:28] or "truck"
    base, k = name, 2
    while name in used:
        name = f"{base[:25]}~{k}"
        k += 1
    used.add(name)
    return name


def _write_xlsx(result: DispatchResult, path: Path, lang: str) -> Path:
    from cleanfreight._io import xlsx_workbook

    with atomic_path(path) as tmp:
        book = xlsx_workbook(tmp)  # text from the scenario (names, ids) stays text, never a formula
        font = {"font_name": "Microsoft YaHei", "font_size": 10}
        f_head = book.add_format({**font, "bold": True, "bg_color": "#E8E8E2", "border": 1, "text_wrap": True,
                                  "valign": "vcenter"})
        f_title = book.add_format({**font, "bold": True, "font_size": 14})
        f_text = book.add_format(font)
        f_pct = book.add_format({**font, "num_format": "0%"})
        f_num = book.add_format({**font, "num_format": "0.0"})
        f_int = book.add_format({**font, "num_format": "0"})
        f_note = book.add_format({**font, "italic": True, "font_color": "#777777"})
        f_swap = book.add_format({"bg_color": "#EBDDF3"})
        used: set[str] = set()
        # summary sheet
        ws = book.add_worksheet(_sheet_name(_t("ho.summary", lang), used))
        ws.write(0, 0, f"{scenario_title(result, lang)} · {_t('ho.run_sheet', lang)}", f_title)
        trucks = result.trucks
        cols = ["truck_id", "truck_type", "powertrain", "loads", "tonnes", "km_total", "km_empty", "swaps",
                "charges", "start", "end", "soc_min_pct"]
        for j, c in enumerate(cols):
            label = _i18n.t(f"dispatch.{c}", lang)
            ws.write(2, j, c if label == f"dispatch.{c}" else label, f_head)
        for i, row in enumerate(trucks[cols].itertuples(index=False), start=3):
            for j, v in enumerate(row):
                if cols[j] == "soc_min_pct":
                    ws.write_number(i, j, float(v) / 100, f_pct)
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    ws.write_number(i, j, float(v), f_num if isinstance(v, float) else f_int)
                else:
                    ws.write_string(i, j, str(v), f_text)
        ws.set_column(0, 0, 14)
        ws.set_column(1, len(cols) - 1, 12)
        ws.freeze_panes(3, 1)
        ws.write(len(trucks) + 4, 0, _t("ho.window_note", lang), f_note)
        # one sheet per truck
        for tid in trucks["truck_id"]:
            table = run_sheet_table(result, str(tid), lang)
            ws = book.add_worksheet(_sheet_name(str(tid), used))
            ws.write(0, 0, f"{scenario_title(result, lang)} · {_t('ho.run_sheet', lang)} · {_t('ho.truck', lang, truck=tid)}",
                     f_title)
            for k, line in enumerate(_truck_lines(result, str(tid), lang), start=1):
                ws.write(k, 0, line, f_text)
            head = 5
            stops = _stops(result, str(tid))
            for j, c in enumerate(table.columns):
                ws.write(head, j, c, f_head)
            for i, (_, row) in enumerate(table.iterrows(), start=head + 1):
                for j, v in enumerate(row):
                    if j in (9, 10):
                        ws.write_number(i, j, float(v), f_pct)
                    elif j in (7, 8):
                        ws.write_number(i, j, float(v), f_num)
                    elif j in (0, 11) and v != "":
                        ws.write_number(i, j, float(v), f_int)
                    else:
                        ws.write_string(i, j, str(v), f_text)
            swaps = [k for k, kind in enumerate(stops["kind"]) if kind in _ENERGY_KINDS]
            for k in swaps:
                ws.set_row(head + 1 + k, None, f_swap)
            widths = [5, 7, 9, 7, 24, 10, 18, 11, 11, 11, 11, 9]
            for j, w in enumerate(widths):
                ws.set_column(j, j, w)
            ws.set_row(head, 32)
            ws.freeze_panes(head + 1, 0)
            ws.write(head + 2 + len(table), 0, _t("ho.window_note", lang), f_note)
            ws.set_landscape()
            ws.set_paper(9)
            ws.fit_to_pages(1, 1)
        book.close()
    return path


def _write_pdf(result: DispatchResult, path: Path, lang: str) -> Path:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from cleanfreight.reports._fonts import rc_params

    colors = truck_colors(result)
    trucks = list(result.trucks["truck_id"])
    widths = [0.04, 0.06, 0.07, 0.06, 0.19, 0.11, 0.13, 0.08, 0.08, 0.07, 0.07, 0.04]
    with plt.rc_context(cast(Any, rc_params())), atomic_path(path) as tmp, PdfPages(tmp) as pdf:
        for page, tid in enumerate(trucks, start=1):
            table = run_sheet_table(result, str(tid), lang)
            stops = _stops(result, str(tid))
            fig = plt.figure(figsize=(11.69, 8.27))  # A4 landscape
            try:
                fig.text(0.04, 0.945, scenario_title(result, lang), fontsize=11, color="#555555")
                fig.text(0.04, 0.905, f"{_t('ho.run_sheet', lang)} · {_t('ho.truck', lang, truck=tid)}",
                         fontsize=17, color=colors[tid])
                for k, line in enumerate(_truck_lines(result, str(tid), lang)):
                    fig.text(0.04, 0.865 - 0.03 * k, line, fontsize=10)
                n = len(table) + 1
                top, bottom = 0.76, 0.1
                row_h = min(0.045, (top - bottom) / n)
                size = 9.5 if row_h >= 0.03 else max(6.0, 9.5 * row_h / 0.03)
                xs = [0.04]
                for w in widths[:-1]:
                    xs.append(xs[-1] + w * 0.92 / sum(widths))
                scale = 0.92 / sum(widths)
                y = top
                fig.patches.append(plt.Rectangle((0.035, y - row_h * 0.5), 0.93, row_h, transform=fig.transFigure,
                                                 facecolor="#E8E8E2", edgecolor="none", zorder=0))
                for x, w, c in zip(xs, widths, table.columns, strict=True):
                    fig.text(x + 0.003, y, _wrap(str(c), w * scale, size), fontsize=size * 0.9, color="#222222",
                             va="center", linespacing=0.95)
                for i, (_, row) in enumerate(table.iterrows()):
                    y = top - row_h * (i + 1)
                    kind = stops.at[i, "kind"]
                    if kind in _ENERGY_KINDS:
                        fig.patches.append(plt.Rectangle((0.035, y - row_h * 0.5), 0.93, row_h,
                                                         transform=fig.transFigure, facecolor="#EBDDF3",
                                                         edgecolor="none", zorder=0))
                    elif i % 2:
                        fig.patches.append(plt.Rectangle((0.035, y - row_h * 0.5), 0.93, row_h,
                                                         transform=fig.transFigure, facecolor="#F6F6F3",
                                                         edgecolor="none", zorder=0))
                    for j, (x, v) in enumerate(zip(xs, row, strict=True)):
                        text = (f"{float(v) * 100:.0f} %" if j in (9, 10)
                                else f"{float(v):.1f}" if j in (7, 8)
                                else f"{int(v)}" if j in (0, 11) and v != ""
                                else str(v))
                        limit = int(widths[j] * scale * 11.69 * 72 / (size * 0.62))
                        if len(text) > limit:
                            text = text[: max(1, limit - 1)] + "…"
                        fig.text(x + 0.003, y, text, fontsize=size, va="center",
                                 color="#5b2a86" if kind in _ENERGY_KINDS and j == 5 else "#111111")
                fig.text(0.04, 0.06, _t("ho.window_note", lang), fontsize=8, color="#555555")
                fig.text(0.96, 0.03, _t("ho.page", lang, page=page, pages=len(trucks)), fontsize=8,
                         color="#777777", ha="right")
                pdf.savefig(fig)
            finally:
                plt.close(fig)
        info = pdf.infodict()
        info["Title"] = f"{scenario_title(result, lang)} · {_t('ho.run_sheet', lang)}"
        info["Creator"] = "cleanfreight"
    return path


def _wrap(text: str, width_frac: float, size: float) -> str:
    """Break a header onto two lines when it is wider than its column (A4 landscape)."""
    chars = int(width_frac * 11.69 * 72 / (size * 0.9 * 0.62))
    if len(text) <= chars or (" " not in text and "(" not in text):
        return text
    cut = text.rfind(" ", 0, chars + 1)
    if cut <= 0:
        cut = text.find("(")
    return text[:cut].rstrip() + "\n" + text[cut:].lstrip()


def write_run_sheets(result: DispatchResult, folder: str | Path, *, lang: str = "en") -> list[Path]:
    """Write ``run_sheets.xlsx`` and ``run_sheets.pdf`` (one page per truck) into ``folder``."""
    lang = check_lang(lang)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    if result.trucks.empty:
        log.warning("no truck used: no run sheets written")
        return []
    return [_write_xlsx(result, out / "run_sheets.xlsx", lang), _write_pdf(result, out / "run_sheets.pdf", lang)]
