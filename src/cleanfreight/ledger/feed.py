"""Importing records that arrive one by one (a gate system pushing passages) rather than as files.

:func:`ingest_rows` takes records as mappings with the ledger's field names (or any header spelling a
file import accepts, Chinese included), writes them as one small CSV file and imports it with
:func:`~cleanfreight.ledger.ingest.ingest`: the same normalisation, rejection rules, de-duplication
and single-transaction merge as a file. It returns which records were rejected and why, by their
position in the input. :func:`list_rejects` reads the rejected rows of given imports.
"""

from __future__ import annotations

import csv
import logging
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleanfreight.errors import InputError
from cleanfreight.ledger._db import LedgerReader, ServerConnection
from cleanfreight.ledger._readers import _ALIAS_INDEX, header_key
from cleanfreight.ledger.ingest import IngestParams, ingest

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["RowReject", "RowsResult", "canonical_fields", "ingest_rows", "list_rejects"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RowReject:
    """One rejected input record: its position in the input, the column and the reason."""

    index: int
    column: str | None
    value: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class RowsResult:
    """Outcome of :func:`ingest_rows`.

    ``accepted`` records were added (``accepted_indexes``: their positions in the input);
    ``duplicates`` were valid but already in the ledger (or repeated in the input); ``rejects`` lists
    every problem of every rejected record (a record may have several).
    """

    accepted: int
    duplicates: int
    rejects: tuple[RowReject, ...] = field(default_factory=tuple)
    import_id: int | None = None
    accepted_indexes: tuple[int, ...] = field(default_factory=tuple)

    @property
    def rejected_indexes(self) -> list[int]:
        """Positions of the rejected records, in order, each once."""
        return sorted({r.index for r in self.rejects})


def _canonical(key: str) -> str | None:
    return _ALIAS_INDEX.get(header_key(key))


def canonical_fields(row: Mapping[str, Any]) -> dict[str, str]:
    """The fields a file import would read from ``row``: canonical name -> text (empty values left out).

    ``{"运输量": "30", "车牌号码": "晋D12345", "serial": "S1"}`` -> ``{"tonnes": "30", "plate": "晋D12345"}``.
    """
    out: dict[str, str] = {}
    for key, value in row.items():
        canon = _canonical(str(key))
        if canon is None or value is None or (isinstance(value, str) and not value.strip()):
            continue
        out.setdefault(canon, str(value))
    return out


def ingest_rows(
    db: str | Path | duckdb.DuckDBPyConnection | ServerConnection,
    rows: Sequence[Mapping[str, Any]],
    *,
    source: str,
    enterprise: str | None = None,
    settings: IngestParams | None = None,
) -> RowsResult:
    """Import records given as mappings, with the rules of a file import.

    Parameters
    ----------
    db
        Ledger database (DuckDB file or connection, ``postgresql://`` address or connection).
    rows
        Records keyed by field name (``timestamp``, ``plate``, ``emission_stage``, ``cargo``,
        ``tonnes``, ``direction``, ... or ``车牌号码``, ``排放阶段`` ...). Keys no import knows are
        ignored. ``None`` and ``""`` mean missing.
    source
        Name recorded as the import's file name (letters, digits, ``-_.`` kept; ``.csv`` added).
    enterprise
        Enterprise id of records without one (see :func:`~cleanfreight.ledger.ingest.ingest`).
    settings
        :class:`~cleanfreight.ledger.ingest.IngestParams`.

    Returns
    -------
    RowsResult
        Accepted and duplicate counts, and the rejected records by position.
    """
    pre: list[RowReject] = []
    canon_rows: list[dict[str, str] | None] = []
    columns: list[str] = []
    for i, row in enumerate(rows):
        out: dict[str, str] = {}
        bad = False
        for key, value in row.items():
            canon = _canonical(str(key))
            if canon is None or value is None or (isinstance(value, str) and not value.strip()):
                continue
            text = str(value)
            if canon in out and out[canon] != text:
                pre.append(RowReject(i, canon, text, f"field {canon} given twice ({key!r})"))
                bad = True
            out[canon] = text
        if not out and not bad:
            pre.append(RowReject(i, None, None, "empty record"))
            bad = True
        canon_rows.append(None if bad else out)
        for c in out:
            if c not in columns:
                columns.append(c)
    kept = [(i, r) for i, r in enumerate(canon_rows) if r is not None]
    if not kept:
        return RowsResult(0, 0, tuple(pre))
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", source).strip("._")[:120] or "rows"
    with tempfile.TemporaryDirectory(prefix="cleanfreight-rows-") as tmp:
        path = Path(tmp) / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(columns)
            for _, r in kept:
                w.writerow([r.get(c, "") for c in columns])
        try:
            res = ingest(db, [path], enterprise=enterprise, settings=settings)
        except InputError as exc:
            reasons = [p.message for p in exc.problems] or [exc.summary]
            rejects = pre + [RowReject(i, None, None, "; ".join(reasons)) for i, _ in kept]
            return RowsResult(0, 0, tuple(sorted(rejects, key=lambda r: r.index)))
    f = res.files[0]
    with LedgerReader(db) as rd:
        added = rd.df(f"SELECT src_row FROM records WHERE import_id = {rd.dialect.param}", [f.import_id])
    accepted_idx = tuple(sorted(kept[int(r) - 2][0] for r in added["src_row"]))
    df = list_rejects(db, [f.import_id])
    # the CSV's header is line 1: line n holds kept record n - 2
    for r in df.itertuples(index=False):
        pre.append(
            RowReject(
                kept[int(r.src_row) - 2][0],
                None if r.column_name is None else str(r.column_name),
                None if r.value is None else str(r.value),
                str(r.reason),
            )
        )
    return RowsResult(
        f.accepted, f.duplicates, tuple(sorted(pre, key=lambda r: r.index)), f.import_id, accepted_idx
    )


def list_rejects(
    db: str | Path | duckdb.DuckDBPyConnection | ServerConnection, import_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Rejected rows (``import_id, file_name, src_row, column_name, value, reason, kind``).

    Parameters
    ----------
    db
        Ledger database (DuckDB file or connection, ``postgresql://`` address or connection).
    import_ids
        Only these imports; ``None``: all.
    """
    with LedgerReader(db) as rd:
        sql = "SELECT import_id, file_name, src_row, column_name, value, reason, kind FROM rejects"
        params: list[Any] = []
        if import_ids is not None:
            ids = [int(i) for i in import_ids]
            if not ids:
                sql += " WHERE FALSE"
            else:
                sql += f" WHERE import_id IN ({', '.join(rd.dialect.param for _ in ids)})"
                params = ids
        return rd.df(sql + " ORDER BY import_id, src_row, column_name", params)
