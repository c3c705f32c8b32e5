"""The Excel workbook: summary, per enterprise, per month, plan.

Written with xlsxwriter: header row frozen and filtered, number formats (``0.0%``, ``#,##0``),
ratio cells coloured against the target (green at or above, amber within
:data:`~cleanfreight.reports.maps.AMBER_BAND` below, red further below), column widths set,
Chinese headers with ``RenderParams(lang="zh")``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cleanfreight._i18n import vocab
from cleanfreight._io import WorkbookFormats, atomic_path, ratio_colours, xlsx_workbook
from cleanfreight.reports._inputs import city_monthly, city_summary, enterprise_table, monthly_table
from cleanfreight.reports._labels import t
from cleanfreight.reports.params import RenderParams

__all__ = ["SHEETS", "write_workbook"]

log = logging.getLogger(__name__)

SHEETS = ("summary", "enterprises", "monthly", "plan")
"""Sheet keys, in order; sheet names follow the language (``t("w.<key>")``)."""

# column -> (label key, kind) with kind one of text, tonnes, ratio, bool, int
_ENTERPRISE_COLS: tuple[tuple[str, str, str], ...] = (
    ("enterprise_id", "f.enterprise_id", "text"),
    ("name_zh", "f.name_zh", "text"),
    ("name_en", "f.name_en", "text"),
    ("industry", "f.industry", "industry"),
    ("district", "f.district", "text"),
    ("tonnes_total", "f.tonnes_total", "tonnes"),
    ("tonnes_clean", "f.tonnes_clean", "tonnes"),
    ("clean_ratio", "f.clean_ratio", "ratio"),
    ("ratio_after", "f.ratio_after", "ratio"),
    ("gap_tonnes", "f.gap_tonnes", "tonnes"),
    ("meets_target", "f.meets", "bool"),
)
_PLAN_COLS: tuple[tuple[str, str, str], ...] = (
    ("enterprise_id", "f.enterprise_id", "text"),
    ("name_zh", "f.name_zh", "text"),
    ("name_en", "f.name_en", "text"),
    ("tonnes_total", "f.tonnes_total", "tonnes"),
    ("ratio_before", "f.ratio_before", "ratio"),
    ("ratio_after", "f.ratio_after", "ratio"),
    ("shortfall_reason", "f.shortfall_reason", "text"),
)


_Formats = WorkbookFormats


_ratio_colours = ratio_colours


def _value(value: Any, kind: str, lang: str) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if kind == "bool":
        return t("yes" if bool(value) else "no", lang)
    if kind in ("tonnes", "ratio"):
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "industry":
        return vocab("industry", value, lang)
    return str(value)


def _table_sheet(
    book: Any,
    fmt: _Formats,
    name: str,
    frame: pd.DataFrame,
    cols: tuple[tuple[str, str, str], ...],
    opts: RenderParams,
) -> Any:
    sheet = book.add_worksheet(name)
    cols = tuple(c for c in cols if c[0] in frame.columns)
    for j, (_col, key, kind) in enumerate(cols):
        sheet.write(0, j, t(key, opts.lang), fmt.header)
        width = {"text": 14, "industry": 16, "tonnes": 14, "ratio": 12, "bool": 10, "int": 8}[kind]
        if _col == "name_zh":
            width = (
                max(16, min(40, int(frame[_col].astype(str).str.len().max() * 2 + 2))) if len(frame) else 20
            )
        elif _col in ("name_en", "shortfall_reason"):
            width = max(16, min(60, int(frame[_col].astype(str).str.len().max() + 2))) if len(frame) else 20
        sheet.set_column(j, j, width, fmt.of(kind))
    for i, (_, row) in enumerate(frame.iterrows(), start=1):
        for j, (col, _key, kind) in enumerate(cols):
            value = _value(row[col], kind, opts.lang)
            if value is None:
                sheet.write_blank(i, j, None, fmt.of(kind))
            elif isinstance(value, str):
                sheet.write_string(i, j, value, fmt.of(kind))
            else:
                sheet.write_number(i, j, value, fmt.of(kind))
    sheet.set_row(0, 30)
    sheet.freeze_panes(1, 0)
    if cols:
        sheet.autofilter(0, 0, max(1, len(frame)), len(cols) - 1)
    for j, (_col, _key, kind) in enumerate(cols):
        if kind == "ratio":
            _ratio_colours(sheet, fmt, 1, len(frame), j, j, opts.target)
    return sheet


def _summary_sheet(
    book: Any, fmt: _Formats, city: dict[str, Any], opts: RenderParams, monthly: bool, plan: bool
) -> None:
    lang = opts.lang
    sheet = book.add_worksheet(t("w.summary", lang))
    sheet.write(0, 0, opts.title or t("b.title", lang), fmt.title)
    sheet.write(1, 0, t("w.item", lang), fmt.header)
    sheet.write(1, 1, t("w.value", lang), fmt.header)
    rows: list[tuple[str, Any, str]] = [
        (t("rulebook", lang), opts.rulebook or "-", "text"),
        (t("target", lang), opts.target, "ratio"),
        (t("b.city_ratio", lang), city["city_clean_ratio"], "ratio"),
    ]
    if "city_ratio_after" in city:
        rows.append((t("b.plan_after", lang), city["city_ratio_after"], "ratio"))
    rows += [
        (t("w.enterprises_total", lang), city["enterprises_total"], "int"),
        (t("b.meeting", lang), city["enterprises_meeting_target"], "int"),
    ]
    if "enterprises_meeting_target_after" in city:
        rows.append(
            (
                f"{t('b.meeting', lang)} ({t('b.plan_after', lang)})",
                city["enterprises_meeting_target_after"],
                "int",
            )
        )
    rows += [
        (t("tonnes_total", lang), city["tonnes_total"], "tonnes"),
        (t("tonnes_clean", lang), city["tonnes_clean"], "tonnes"),
        (t("w.generated", lang), opts.generated.isoformat(), "text"),
    ]
    if opts.period:
        rows.append((t("f.period", lang), opts.period, "text"))
    for i, (label, value, kind) in enumerate(rows, start=2):
        sheet.write_string(i, 0, label, fmt.text)
        if isinstance(value, str):
            sheet.write_string(i, 1, value, fmt.text)
        else:
            sheet.write_number(i, 1, float(value), fmt.of(kind))
    ratio_rows = [i for i, (_, _, kind) in enumerate(rows, start=2) if kind == "ratio" and i > 3]
    for r in ratio_rows:
        _ratio_colours(sheet, fmt, r, r, 1, 1, opts.target)
    last = len(rows) + 3
    notes = [t("illustrative", lang)] if opts.sample else []  # only the bundled sample is illustrative
    if not monthly:
        notes.append(t("w.no_monthly", lang))
    if not plan:
        notes.append(t("w.no_plan", lang))
    for k, note in enumerate(notes):
        sheet.write_string(last + k, 0, note, fmt.note)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 22)
    sheet.freeze_panes(2, 0)


def _monthly_sheet(
    book: Any, fmt: _Formats, ent: pd.DataFrame, monthly: pd.DataFrame | None, opts: RenderParams
) -> None:
    lang = opts.lang
    sheet = book.add_worksheet(t("w.monthly", lang))
    if monthly is None:
        sheet.write(0, 0, t("f.enterprise_id", lang), fmt.header)
        sheet.write_string(1, 0, t("w.no_monthly", lang), fmt.note)
        sheet.set_column(0, 0, 50)
        sheet.freeze_panes(1, 0)
        return
    pivot = monthly.pivot_table(
        index="enterprise_id", columns="period", values="clean_ratio", aggfunc="first"
    )
    periods = list(pivot.columns)
    city = city_monthly(monthly, opts.target).set_index("period")["clean_ratio"]
    names = ent.set_index("enterprise_id")["name_zh" if lang == "zh" else "name_en"]
    sheet.write(0, 0, t("f.enterprise_id", lang), fmt.header)
    sheet.write(0, 1, t("name", lang), fmt.header)
    for j, period in enumerate(periods, start=2):
        sheet.write_string(0, j, str(period), fmt.header)
    sheet.write_string(1, 0, t("city", lang), fmt.text)
    sheet.write_string(1, 1, t("b.city_line", lang), fmt.text)
    for j, period in enumerate(periods, start=2):
        sheet.write_number(1, j, float(city[period]), fmt.ratio)
    for i, (eid, row) in enumerate(pivot.iterrows(), start=2):
        sheet.write_string(i, 0, str(eid), fmt.text)
        sheet.write_string(i, 1, str(names.get(eid, eid)), fmt.text)
        for j, period in enumerate(periods, start=2):
            value = row[period]
            if pd.isna(value):
                sheet.write_blank(i, j, None, fmt.ratio)
            else:
                sheet.write_number(i, j, float(value), fmt.ratio)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 1 + len(periods), 10, fmt.ratio)
    sheet.set_row(0, 22)
    sheet.freeze_panes(1, 2)
    _ratio_colours(sheet, fmt, 1, 1 + len(pivot), 2, 1 + len(periods), opts.target)


def write_workbook(
    path: str | Path,
    enterprises: pd.DataFrame,
    *,
    monthly: pd.DataFrame | None = None,
    plan: pd.DataFrame | None = None,
    options: RenderParams | None = None,
) -> Path:
    """Write the briefing workbook (sheets: summary, enterprises, monthly, plan).

    Parameters
    ----------
    path
        Output ``.xlsx`` file.
    enterprises
        One row per enterprise: ``enterprise_id, tonnes_total, clean_ratio``, optionally names,
        ``industry``, ``district``, ``tonnes_clean``, ``ratio_after``.
    monthly
        ``period, enterprise_id, clean_ratio, tonnes_total`` (one sheet, enterprises × months).
    plan
        ``enterprise_id, ratio_before, ratio_after`` and optionally ``tonnes_total``, ``shortfall_reason``.
    options
        Language, target, rulebook, date.
    """
    opts = options or RenderParams()
    ent = enterprise_table(enterprises, opts.target)
    mon = monthly_table(monthly)
    city = city_summary(ent, opts.target)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        _write_book(xlsx_workbook(tmp), ent, mon, city, plan, opts)
    log.info("wrote %s", path)
    return path


def _write_book(
    book: Any,
    ent: pd.DataFrame,
    mon: pd.DataFrame | None,
    city: dict[str, Any],
    plan: pd.DataFrame | None,
    opts: RenderParams,
) -> None:
    fmt = _Formats(book)
    try:
        book.set_properties(
            {
                "title": opts.title or t("b.title", opts.lang),
                "author": "cleanfreight",
                "comments": t("illustrative", "en") if opts.sample else "",
            }
        )
        has_plan = plan is not None and len(plan) > 0
        _summary_sheet(book, fmt, city, opts, mon is not None, has_plan)
        ordered = ent.sort_values(["clean_ratio", "enterprise_id"]).reset_index(drop=True)
        _table_sheet(book, fmt, t("w.enterprises", opts.lang), ordered, _ENTERPRISE_COLS, opts)
        _monthly_sheet(book, fmt, ent, mon, opts)
        if has_plan:
            assert plan is not None
            frame = plan.copy()
            for col in ("name_zh", "name_en", "tonnes_total"):
                if col not in frame and col in ent:
                    frame = frame.merge(ent[["enterprise_id", col]], on="enterprise_id", how="left")
            _table_sheet(book, fmt, t("w.plan", opts.lang), frame, _PLAN_COLS, opts)
        else:
            sheet = book.add_worksheet(t("w.plan", opts.lang))
            sheet.write(0, 0, t("f.enterprise_id", opts.lang), fmt.header)
            sheet.write_string(1, 0, t("w.no_plan", opts.lang), fmt.note)
            sheet.set_column(0, 0, 60)
            sheet.freeze_panes(1, 0)
    finally:
        book.close()
