"""The files of a ledger report for people and scripts (:func:`write_report`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cleanfreight import _i18n
from cleanfreight._io import atomic_path, json_text, write_csv, write_text
from cleanfreight.accounting.modes import MODES

if TYPE_CHECKING:

    pass

from cleanfreight.ledger._report_results import LedgerReport

__all__ = ["write_report"]

def _labelled(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    from cleanfreight.ledger._labels import lt

    def label(col: str) -> str:
        if col.startswith("t_") and col[2:] in MODES:
            return MODES[col[2:]].label(lang) + (" (t)" if lang == "en" else "(吨)")
        return lt(col, lang)

    return df.rename(columns={c: label(c) for c in df.columns})


def write_report(
    rep: LedgerReport, out: str | Path, lang: str = "en", names: Mapping[str, str] | None = None
) -> list[Path]:
    """Write ``report.json``, ``enterprises.csv``, ``by_mode.csv`` and ``report.xlsx`` into ``out``.

    The JSON keeps codes and exact values (scripts read it). The CSV files (UTF-8 with a BOM, so
    Excel opens the Chinese labels) and the workbook are for people: labels in ``lang``, names next
    to ids (the roster's, else ``names``: id -> name), ratios as percentages, tonnes to 0.1 t in the
    CSV and ``#,##0`` in the workbook, whose header rows are frozen; the workbook also has the
    coverage of the period (who reported) and the enterprise-months not reported.
    """
    from cleanfreight.ledger._labels import lt
    from cleanfreight.ledger._workbook import column_kind, enterprise_frame, write_workbook

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"ledger_{rep.period.label.replace('..', '_')}_{rep.rulebook.name}"
    paths = [
        folder / f"{stem}.json",
        folder / f"{stem}_enterprises.csv",
        folder / f"{stem}_by_mode.csv",
        folder / f"{stem}.xlsx",
    ]
    names = dict(names or {})
    write_csv(_for_people(enterprise_frame(rep, names), lang, column_kind), paths[1], index=False, encoding="utf-8-sig")
    by_mode = rep.by_mode.assign(
        mode=rep.by_mode["mode"].map(lambda m: MODES[m].label(lang) if m in MODES else m),
        commodity=rep.by_mode["commodity"].map(lambda c: _i18n.vocab("commodity", c, lang)),
        direction=rep.by_mode["direction"].map(lambda d: lt(f"direction.{d}", lang)),
    )
    if names:
        by_mode.insert(1, "enterprise_name", by_mode["enterprise_id"].map(names))
    write_csv(_for_people(by_mode, lang, column_kind), paths[2], index=False, encoding="utf-8-sig")
    with atomic_path(paths[3]) as tmp:
        write_workbook(rep, tmp, lang, names)
    # the JSON last: a complete report JSON means the tables beside it belong to it
    write_text(paths[0], json_text(rep.as_dict(), ensure_ascii=False, indent=2))
    return paths


def _for_people(df: pd.DataFrame, lang: str, kind_of: Any) -> pd.DataFrame:
    """Ratios as ``32.0%``, tonnes to 0.1 t, yes / no, vocabularies and headers in ``lang``."""
    from cleanfreight.ledger._labels import percent

    out = df.copy()
    for col in out.columns:
        kind = kind_of(col)
        if kind == "ratio":
            out[col] = out[col].map(percent)
        elif kind in ("tonnes", "decimal"):
            out[col] = pd.to_numeric(out[col], errors="coerce").round(1)
        elif kind == "bool":
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else _i18n.t("yes" if bool(v) else "no", lang))
        elif col == "industry":
            out[col] = out[col].map(lambda v: v if pd.isna(v) else _i18n.vocab("industry", v, lang))
    return _labelled(out, lang)


