"""The ledger report workbook, formatted like the briefing's workbook.

Sheets (names follow the language): city (key figures, coverage and notes), enterprises (names
next to ids, ratios as ``0.0%`` coloured against the target, tonnes ``#,##0``), by mode, coverage
(one row per month) and the enterprise-months not reported. Every table sheet has its header row
frozen and filtered. Text is written with ``write_string`` (never read as a formula).
"""

from __future__ import annotations

import math
import numbers
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cleanfreight._i18n import vocab
from cleanfreight._io import xlsx_workbook
from cleanfreight.accounting.modes import MODES
from cleanfreight.ledger._labels import lt

if TYPE_CHECKING:
    from cleanfreight.ledger.report import LedgerReport

#: ratio points below the target still shown amber (as the briefing's maps and workbook)
AMBER_BAND = 0.15

_RATIO_COLS = {
    "clean_ratio",
    "road_compliance",
    "ne_share_of_road",
    "plan_ratio",
    "plan_delta",
    "coverage_enterprises",
    "coverage_tonnes",
    "target",
}
_BOOL_COLS = {"meets_target", "ne_shortfall_ok", "reported", "complete", "coverage_complete"}
_INT_COLS = {
    "rank",
    "records",
    "enterprises",
    "enterprises_meeting_target",
    "enterprises_expected",
    "enterprises_reported",
    "tonnes_unknown",
    "months",
    "enterprise_months_expected",
    "enterprise_months_reported",
}
_DECIMAL_COLS = {"co2_t", "nox_kg", "pm25_kg"}


def column_kind(col: str) -> str:
    """``ratio``, ``tonnes``, ``decimal``, ``int``, ``bool`` or ``text`` for a report column."""
    if col in _RATIO_COLS:
        return "ratio"
    if col in _BOOL_COLS:
        return "bool"
    if col in _INT_COLS:
        return "int"
    if col in _DECIMAL_COLS:
        return "decimal"
    if col.startswith(("tonnes", "t_")) or col.endswith("_tonnes"):
        return "tonnes"
    return "text"


def column_label(col: str, lang: str) -> str:
    if col.startswith("t_") and col[2:] in MODES:
        return MODES[col[2:]].label(lang) + (" (t)" if lang == "en" else "(吨)")
    return lt(col, lang)


class _Formats:
    def __init__(self, book: Any) -> None:
        font = {"font_name": "Microsoft YaHei", "font_size": 10}
        self.header = book.add_format(
            {
                **font,
                "bold": True,
                "bg_color": "#E8E8E2",
                "border": 1,
                "border_color": "#BBBBBB",
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        self.text = book.add_format(font)
        self.tonnes = book.add_format({**font, "num_format": "#,##0"})
        self.decimal = book.add_format({**font, "num_format": "#,##0.0"})
        self.ratio = book.add_format({**font, "num_format": "0.0%"})
        self.int = book.add_format({**font, "num_format": "0"})
        self.title = book.add_format({**font, "bold": True, "font_size": 14})
        self.note = book.add_format({**font, "italic": True, "font_color": "#777777"})
        self.warn = book.add_format({**font, "bold": True, "font_color": "#9C2A00"})
        self.ok = book.add_format({"bg_color": "#C7E9C0", "font_color": "#00441B"})
        self.near = book.add_format({"bg_color": "#FDE2B3", "font_color": "#7F4700"})
        self.low = book.add_format({"bg_color": "#F8C1BE", "font_color": "#67000D"})

    def of(self, kind: str) -> Any:
        return {"tonnes": self.tonnes, "ratio": self.ratio, "int": self.int, "decimal": self.decimal}.get(
            kind, self.text
        )


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _write(sheet: Any, row: int, col: int, value: Any, kind: str, fmt: _Formats, lang: str) -> None:
    if _missing(value):
        sheet.write_blank(row, col, None, fmt.of(kind))
    elif kind == "bool":
        sheet.write_string(row, col, lt("yes" if bool(value) else "no", lang), fmt.text)
    elif kind in ("tonnes", "ratio", "decimal", "int") and isinstance(value, numbers.Real):
        sheet.write_number(row, col, float(value), fmt.of(kind))
    else:
        sheet.write_string(row, col, str(value), fmt.text)


def _colours(sheet: Any, fmt: _Formats, r0: int, r1: int, col: int, target: float) -> None:
    if r1 < r0:
        return
    low = max(0.0, target - AMBER_BAND)
    rng = (r0, col, r1, col)
    sheet.conditional_format(*rng, {"type": "cell", "criteria": ">=", "value": target, "format": fmt.ok})
    sheet.conditional_format(
        *rng,
        {"type": "cell", "criteria": "between", "minimum": low, "maximum": target - 1e-9, "format": fmt.near},
    )
    sheet.conditional_format(*rng, {"type": "cell", "criteria": "<", "value": low, "format": fmt.low})


def _table(
    book: Any,
    fmt: _Formats,
    name: str,
    frame: pd.DataFrame,
    lang: str,
    target: float | None = None,
    kinds: dict[str, str] | None = None,
) -> Any:
    """A sheet with one header row (frozen, filtered) and typed, formatted cells."""
    sheet = book.add_worksheet(name)
    cols = list(frame.columns)
    kinds = {c: (kinds or {}).get(c) or column_kind(c) for c in cols}
    for j, c in enumerate(cols):
        sheet.write_string(0, j, column_label(c, lang), fmt.header)
        kind = kinds[c]
        width = {"text": 14, "tonnes": 13, "ratio": 11, "bool": 9, "int": 8, "decimal": 12}[kind]
        if kind == "text" and len(frame):
            longest = int(frame[c].astype(str).str.len().max())
            wide = sum(1 for ch in "".join(frame[c].astype(str).head(50)) if ord(ch) > 0x2E80) > 0
            width = max(10, min(50, longest * (2 if wide else 1) + 2))
        sheet.set_column(j, j, width, fmt.of(kind))
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, c in enumerate(cols):
            value = row[j]
            if c == "industry" and not _missing(value):
                value = vocab("industry", value, lang)
            elif c == "commodity" and not _missing(value):
                value = vocab("commodity", value, lang)
            elif c == "mode" and not _missing(value) and value in MODES:
                value = MODES[value].label(lang)
            elif c == "direction" and not _missing(value):
                value = lt(f"direction.{value}", lang)
            elif c == "estimate" and not _missing(value):
                value = lt(f"estimate.{value}", lang)
            _write(sheet, i, j, value, kinds[c], fmt, lang)
    sheet.set_row(0, 32)
    sheet.freeze_panes(1, 0)
    if cols:
        sheet.autofilter(0, 0, max(1, len(frame)), len(cols) - 1)
    if target is not None:
        for j, c in enumerate(cols):
            if c in ("clean_ratio", "plan_ratio"):
                _colours(sheet, fmt, 1, len(frame), j, target)
    return sheet


def _with_names(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """``enterprise_name`` right after ``enterprise_id`` (unless the roster's names are there)."""
    if "enterprise_id" not in frame or {"name_zh", "name_en"} & set(frame.columns) or not names:
        return frame
    out = frame.copy()
    out.insert(out.columns.get_loc("enterprise_id") + 1, "enterprise_name", out["enterprise_id"].map(names))
    return out


def enterprise_frame(rep: LedgerReport, names: dict[str, str]) -> pd.DataFrame:
    """The enterprise table in reading order: id, names, ratio and its tonnes first, then the rest."""
    ent = _with_names(rep.enterprises, names)
    first = [
        c
        for c in (
            "rank",
            "enterprise_id",
            "enterprise_name",
            "name_zh",
            "name_en",
            "industry",
            "reported",
            "clean_ratio",
            "tonnes_total",
            "tonnes_clean",
            "gap_tonnes",
            "meets_target",
            "plan_ratio",
            "plan_delta",
        )
        if c in ent
    ]
    return ent[first + [c for c in ent.columns if c not in first]]


def write_workbook(rep: LedgerReport, path: Path, lang: str, names: dict[str, str]) -> None:
    """Write the report workbook to ``path`` (a temporary path of :func:`~cleanfreight._io.atomic_path`)."""
    # text never becomes a formula or a link (every text cell is also written with write_string)
    book = xlsx_workbook(path)
    try:
        fmt = _Formats(book)
        target = float(rep.rulebook.target)
        _city_sheet(book, fmt, rep, lang)
        _table(book, fmt, lt("w.enterprises", lang), enterprise_frame(rep, names), lang, target)
        by_mode = _with_names(rep.by_mode, names)
        _table(book, fmt, lt("w.by_mode", lang), by_mode, lang)
        if rep.coverage is not None:
            bym = rep.coverage.by_month.assign(
                not_reported=rep.coverage.by_month["not_reported"].map(
                    lambda ids: ", ".join(f"{e} {names.get(e, '')}".strip() for e in ids)
                )
            )
            _table(book, fmt, lt("w.coverage", lang), bym, lang, kinds={"not_reported": "text"})
            miss = _with_names(rep.coverage.not_reported(), names).rename(
                columns={"tonnes": "tonnes_in_ledger"}
            )
            _table(book, fmt, lt("w.not_reported", lang), miss, lang)
    finally:
        book.close()


def _city_sheet(book: Any, fmt: _Formats, rep: LedgerReport, lang: str) -> None:
    sheet = book.add_worksheet(lt("w.city", lang))
    sheet.write_string(0, 0, lt("w.title", lang, period=rep.period.label), fmt.title)
    sheet.write_string(1, 0, lt("w.item", lang), fmt.header)
    sheet.write_string(1, 1, lt("w.value", lang), fmt.header)
    rows: list[tuple[str, Any, str]] = [
        (lt("rulebook", lang), rep.rulebook.title(lang), "text"),
        (lt("period", lang), rep.period.label, "text"),
    ]
    skip = {"target"}
    for key, value in rep.city.items():
        if key in skip:
            continue
        rows.append((column_label(key, lang), value, column_kind(key)))
    rows.insert(2, (lt("target", lang), rep.rulebook.target, "ratio"))
    r = 2
    for label, value, kind in rows:
        sheet.write_string(r, 0, label, fmt.text)
        _write(sheet, r, 1, value, kind, fmt, lang)
        r += 1
    ratio_row = next((2 + i for i, (lab, _, _) in enumerate(rows) if lab == lt("clean_ratio", lang)), None)
    if ratio_row is not None:
        _colours(sheet, fmt, ratio_row, ratio_row, 1, float(rep.rulebook.target))
    r += 1
    cov = rep.coverage
    if cov is not None and not cov.complete:
        n = len(cov.not_reported())
        sheet.write_string(r, 0, lt("coverage.incomplete_note", lang, n=n), fmt.warn)
        r += 1
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 1, 30)
    sheet.freeze_panes(2, 0)
