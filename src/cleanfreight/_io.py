"""Output files written whole or not at all.

A run killed while writing (Ctrl-C, a full disk, a power cut on an intranet PC) must never leave a
half-written ``plan.json`` or workbook that a script then reads as complete. Every output goes to a
temporary file beside its destination (same folder, same suffix, so writers that pick the format from
the suffix still work) and is renamed over the destination only once it is complete; the rename is
atomic on the same file system.

Outputs never turn user text into spreadsheet formulas (an enterprise name ``=cmd|'/C calc'!A1``
from a gate export must stay text):

- every XLSX writer opens its workbook through :func:`xlsx_workbook` / :func:`excel_writer`, which
  set xlsxwriter's ``strings_to_formulas`` (and ``strings_to_urls``) off, so a string cell is
  always stored as a string, whatever it starts with;
- CSV files (:func:`write_csv`) neutralise text cells that a spreadsheet would read as a formula
  (first character ``=``, ``+``, ``-``, ``@``, tab or carriage return) by prefixing an apostrophe
  ``'``, the OWASP recommendation; plain numbers written as text (``-12.5``) are left alone.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from os import getpid
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "XLSX_OPTIONS",
    "atomic_path",
    "excel_writer",
    "json_safe",
    "json_text",
    "neutralise_cell",
    "neutralise_frame",
    "write_csv",
    "write_text",
    "xlsx_workbook",
]

#: xlsxwriter workbook options of every XLSX output: strings stay strings (no formulas, no links);
#: NaN / inf numbers become Excel errors instead of failing the write
XLSX_OPTIONS: dict[str, bool] = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}

#: first characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write ``path``'s content to; it replaces ``path`` when the block succeeds.

    On an error the temporary file is removed and ``path`` (if it existed) is left as it was.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.stem}.partial-{getpid()}{dest.suffix}")
    try:
        yield tmp
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def write_csv(frame: pd.DataFrame, path: str | Path, *, neutralise: bool = True, **to_csv: Any) -> Path:
    """``frame.to_csv(path, **to_csv)`` atomically (see :func:`atomic_path`).

    With ``neutralise`` (the default) text cells and labels a spreadsheet would read as formulas
    are prefixed with ``'`` (:func:`neutralise_frame`).
    """
    if neutralise:
        frame = neutralise_frame(frame)
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, **to_csv)
    return Path(path)


def neutralise_cell(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula.

    ``"=1+1"`` -> ``"'=1+1"``, ``"@SUM(A1)"`` -> ``"'@SUM(A1)"``; numbers, plain numbers written as
    text (``"-12.5"``), a lone ``-`` and other values are returned unchanged.
    """
    if (
        isinstance(value, str)
        and len(value) > 1
        and value.startswith(_FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column labels and index labels are neutralised (see
    :func:`neutralise_cell`); ``frame`` itself is returned when nothing needs it."""
    import pandas as pd

    out = frame
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype):
            fixed = s.map(neutralise_cell)
            if not fixed.equals(s):
                if out is frame:
                    out = frame.copy()
                out[col] = fixed
    cols = [neutralise_cell(c) for c in out.columns]
    if cols != list(out.columns):
        out = out.set_axis(cols, axis=1) if out is not frame else frame.set_axis(cols, axis=1)
    if pd.api.types.is_object_dtype(out.index.dtype) or pd.api.types.is_string_dtype(out.index.dtype):
        idx = [neutralise_cell(i) for i in out.index]
        if idx != list(out.index):
            out = out.set_axis(idx, axis=0)
    return out


def xlsx_workbook(path: str | Path, **options: Any) -> Any:
    """An ``xlsxwriter.Workbook`` at ``path`` with :data:`XLSX_OPTIONS` (string cells stay strings)."""
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), {**XLSX_OPTIONS, **options})


def excel_writer(path: str | Path) -> pd.ExcelWriter:
    """A pandas ``ExcelWriter`` (xlsxwriter) at ``path`` with :data:`XLSX_OPTIONS`.

    ``DataFrame.to_excel`` writes text with xlsxwriter's ``write``, which would store a string
    starting with ``=`` as a formula; these options make it a string.
    """
    import pandas as pd

    return pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": dict(XLSX_OPTIONS)})


def json_safe(obj: Any) -> Any:
    """``obj`` with every NaN / infinite float (also NumPy's) replaced by ``None``, recursively.

    JSON has no NaN: ``json.dumps`` would write a bare ``NaN`` that other tools refuse.
    """
    import math

    import numpy as np

    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    return obj


def json_default(obj: Any) -> Any:
    """The one JSON encoder of the package's outputs: NumPy scalars as Python numbers and booleans,
    paths as text; anything else is an error (``TypeError``, as ``json.dumps`` raises)."""
    import numpy as np

    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def json_text(payload: Any, **dumps: Any) -> str:
    """``json.dumps`` of :func:`json_safe` ``(payload)`` with ``allow_nan=False``: always valid JSON.

    NumPy scalars and paths are encoded by :func:`json_default` unless ``default`` is given.
    """
    import json

    dumps.setdefault("default", json_default)
    return json.dumps(json_safe(payload), allow_nan=False, **dumps)


#: the planner's result file in a plan folder (written by :func:`cleanfreight.planning.write_plan`)
PLAN_JSON = "plan.json"


def read_plan_json(path: str | Path) -> dict[str, Any]:
    """The one reader of the planner's ``plan.json``: ``path`` is the file or the plan folder holding it.

    Raises :class:`~cleanfreight.errors.InputError` when the file cannot be read or is not a JSON object.
    """
    import json

    from cleanfreight.errors import InputError

    file = Path(path)
    if file.is_dir():
        file = file / PLAN_JSON
    try:
        payload = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the plan {file}: {exc}") from exc
    if not isinstance(payload, dict):
        raise InputError(f"{file} is not a plan (expected a JSON object)")
    return payload


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The one frame-to-records helper: rows as JSON-ready dicts (NumPy scalars as Python values, NaN,
    infinities, ``NA`` and ``NaT`` as ``None``, timestamps as ISO text), nested lists and dicts too."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _plain(v: Any) -> Any:
    import math

    import numpy as np
    import pandas as pd

    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple | np.ndarray):
        return [_plain(x) for x in v]
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


#: ratio points below the target still shown amber (maps, briefing and workbooks)
AMBER_BAND = 0.15


class WorkbookFormats:
    """The cell formats every workbook of the tool shares (briefing, ledger report): a Chinese-capable
    font, a grey wrapped header, tonnes ``#,##0``, ratios ``0.0%``, and green / amber / red fills for
    ratios against the target (:func:`ratio_colours`)."""

    def __init__(self, book: Any) -> None:
        font = {"font_name": "Microsoft YaHei", "font_size": 10}
        self.header = book.add_format(
            {**font, "bold": True, "bg_color": "#E8E8E2", "border": 1, "border_color": "#BBBBBB",
             "text_wrap": True, "valign": "vcenter"}
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


def ratio_colours(
    sheet: Any, fmt: WorkbookFormats, first_row: int, last_row: int, col0: int, col1: int, target: float
) -> None:
    """Green at or above ``target``, amber within :data:`AMBER_BAND` below it, red further below."""
    if last_row < first_row:
        return
    low = max(0.0, target - AMBER_BAND)
    rng = (first_row, col0, last_row, col1)
    sheet.conditional_format(*rng, {"type": "cell", "criteria": ">=", "value": target, "format": fmt.ok})
    sheet.conditional_format(
        *rng,
        {"type": "cell", "criteria": "between", "minimum": low, "maximum": target - 1e-9, "format": fmt.near},
    )
    sheet.conditional_format(*rng, {"type": "cell", "criteria": "<", "value": low, "format": fmt.low})
