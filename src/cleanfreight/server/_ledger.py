"""The one door from the platform to the ledger.

Everything the platform needs from the ledger goes through this module, which uses the ledger's
front (:class:`cleanfreight.ledger.Ledger`) only: no connection, no SQL against the ledger's tables.
The same calls work on a DuckDB file and on a PostgreSQL server.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleanfreight import ledger

if TYPE_CHECKING:
    import pandas as pd

    from cleanfreight.enterprises import Roster

__all__ = [
    "Ledger",
    "RowsResult",
    "anomalies",
    "canonical_fields",
    "city_trend",
    "detail_text",
    "enterprise_names",
    "enterprise_trend",
    "file_rejects",
    "import_files",
    "import_rows",
    "open_store",
    "parse_period",
    "period_report",
    "reason_text",
    "report_workbook",
    "roster",
]

logger = logging.getLogger(__name__)

RowsResult = ledger.RowsResult
Ledger = ledger.Ledger


def _missing(value: object) -> bool:
    """``None``, NaN or ``pd.NA``."""
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other non-scalars
        return False


def open_store(db: str | Path, *, wait: float = 0.0) -> ledger.Ledger:
    """Open (create) the ledger: a DuckDB file or a ``postgresql://`` address; the platform keeps it open
    while it runs. ``wait``: seconds to wait for another process holding a DuckDB file."""
    return ledger.Ledger.open(db, wait=wait)


def canonical_fields(row: Mapping[str, Any]) -> dict[str, str]:
    """The fields a file import would read from a pushed record (canonical name -> text)."""
    return ledger.Ledger.canonical_fields(row)


def import_rows(
    led: ledger.Ledger,
    rows: Sequence[Mapping[str, Any]],
    *,
    source: str,
    enterprise: str | None,
    only_enterprise: str | None = None,
) -> ledger.RowsResult:
    """Import pushed records with the rules of a file import (committed before this returns)."""
    settings = ledger.IngestParams(only_enterprise=only_enterprise)
    return led.ingest_rows(rows, source=source, enterprise=enterprise, settings=settings)


def import_files(
    led: ledger.Ledger, files: Sequence[Path], *, enterprise: str | None, only_enterprise: str | None
) -> ledger.IngestResult:
    """Import uploaded export files (CSV / XLSX) as ``cleanfreight ledger ingest`` would."""
    settings = ledger.IngestParams(only_enterprise=only_enterprise)
    return led.ingest(list(files), enterprise=enterprise, settings=settings)


def file_rejects(led: ledger.Ledger, import_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Rejected rows of these imports: ``src_row, column_name, value, reason``."""
    df = led.import_rejects(list(import_ids))
    return [
        {
            "row": int(r.src_row),
            "column": None if r.column_name is None else str(r.column_name),
            "value": None if r.value is None else str(r.value),
            "reason": str(r.reason),
        }
        for r in df.itertuples(index=False)
    ]


@lru_cache(maxsize=4)
def roster(which: str | None) -> Roster | None:
    """The enterprise roster (``"sample"``, a folder, or ``None``)."""
    if which is None:
        return None
    from cleanfreight.enterprises import load_enterprises

    return load_enterprises() if which == "sample" else load_enterprises(which)


def report_workbook(
    led: ledger.Ledger, period: str, *, rules: str, roster_name: str | None, lang: str,
    plan: Path | None = None,
) -> tuple[str, bytes]:
    """The XLSX of ``cleanfreight ledger report --out`` for one period: ``(file name, bytes)``."""
    import tempfile

    rep = led.report(period, rules=rules, roster=roster(roster_name), plan=plan)
    with tempfile.TemporaryDirectory(prefix="cleanfreight-report-") as tmp:
        xlsx = next(p for p in ledger.write_report(rep, tmp, lang) if p.suffix == ".xlsx")
        return xlsx.name, xlsx.read_bytes()


def period_report(
    led: ledger.Ledger, period: str, *, rules: str, roster_name: str | None, plan: Path | None = None
) -> dict[str, Any]:
    """The JSON of ``cleanfreight ledger report --json`` for one period (with ``--plan`` when given)."""
    rep = led.report(period, rules=rules, roster=roster(roster_name), plan=plan)
    return rep.as_dict()


def city_trend(led: ledger.Ledger, first: str, last: str, *, rules: str) -> list[dict[str, Any]]:
    """City-wide clean ratio month by month (``cleanfreight ledger trend``): ``month, clean_ratio, tonnes_total``."""
    res = led.trend(first, last, rules=rules)
    return [
        {"month": str(r.month), "clean_ratio": None if _missing(r.clean_ratio) else float(r.clean_ratio),
         "tonnes_total": float(r.tonnes_total)}
        for r in res.city.itertuples(index=False)
    ]


def anomalies(
    led: ledger.Ledger, period: str, *, rules: str, roster_name: str | None, lang: str = "en"
) -> list[dict[str, Any]]:
    """The findings of ``cleanfreight ledger checks`` for one period, with the check's label in ``lang``."""
    from cleanfreight._i18n import vocab

    df = led.checks(period, roster=roster(roster_name), rules=rules)
    out = []
    for r in df.to_dict("records"):
        row = {k: (None if _missing(v) else v) for k, v in r.items()}
        row["label"] = vocab("check", row["check"], lang)
        detail = row.get("detail")
        if isinstance(detail, str):
            row["detail_text"] = detail_text(detail, lang)
        out.append(row)
    return out


def enterprise_trend(led: ledger.Ledger, first: str, last: str, *, rules: str) -> pd.DataFrame:
    """Each enterprise's ratio month by month: ``period, enterprise_id, clean_ratio, tonnes_total``."""
    res = led.trend(first, last, rules=rules)
    return res.enterprises.rename(columns={"month": "period"})[["period", "enterprise_id", "clean_ratio",
                                                                 "tonnes_total"]]


def reason_text(reason: str, lang: str) -> str:
    """A reject reason of the ledger (stored in English) in ``lang``."""
    return ledger.Ledger.reason_text(reason, lang)


def detail_text(detail: str, lang: str) -> str:
    """A check's detail (computed in English) in ``lang``."""
    return ledger.Ledger.detail_text(detail, lang)


def parse_period(text: str) -> str:
    """The period's label, or :class:`~cleanfreight.errors.InputError` when it cannot be read."""
    return ledger.parse_period(text).label


def enterprise_names(roster_name: str | None) -> dict[str, tuple[str, str]]:
    """Enterprise id -> (Chinese name, English name) from the roster (empty without one)."""
    ros = roster(roster_name)
    if ros is None:
        return {}
    df = ros.enterprises
    out: dict[str, tuple[str, str]] = {}
    for r in df.itertuples(index=False):
        eid = str(r.enterprise_id)
        zh = str(getattr(r, "name_zh", "") or eid)
        en = str(getattr(r, "name_en", "") or zh)
        out[eid] = (zh, en)
    return out
