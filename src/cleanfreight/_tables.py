"""Reading user tables (CSV in UTF-8/GBK/GB18030, XLSX) with row-level validation.

Every problem found is collected as a :class:`~cleanfreight.errors.Problem` with the file, the
1-based line number as a spreadsheet shows it, and the column, so one report lists them all.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cleanfreight.errors import InputError, Problem

ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class Table:
    """A table read from a file, with where each row came from and the problems found so far."""

    frame: pd.DataFrame
    file: str
    line: pd.Series  # 1-based line number in the file of each row (index aligned)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, message: str, idx: object = None, column: str | None = None, value: object = None) -> None:
        row = None if idx is None else int(self.line.loc[idx])
        self.problems.append(Problem(message, file=self.file, row=row, column=column, value=value))

    def require(self, columns: Sequence[str]) -> bool:
        missing = [c for c in columns if c not in self.frame.columns]
        for c in missing:
            self.problems.append(
                Problem(f"missing column; the file has: {', '.join(map(str, self.frame.columns))}", file=self.file,
                        row=1, column=c)
            )
        return not missing

    def numeric(self, column: str, *, minimum: float | None = None, maximum: float | None = None,
                allow_blank: bool = False, strict_min: bool = False) -> pd.Series:
        """Parse ``column`` as numbers; record a problem for text, blanks (unless allowed) and out-of-range values."""
        raw = self.frame[column]
        values = pd.to_numeric(raw, errors="coerce")
        blank = raw.isna() | (raw.astype(str).str.strip() == "")
        for idx in raw.index[values.isna() & ~blank]:
            self.problem("expected a number", idx, column, raw[idx])
        if not allow_blank:
            for idx in raw.index[blank]:
                self.problem("value is required", idx, column)
        if minimum is not None:
            bad = values <= minimum if strict_min else values < minimum
            for idx in values.index[bad.fillna(False)]:
                op = ">" if strict_min else ">="
                self.problem(f"expected a value {op} {minimum:g}", idx, column, raw[idx])
        if maximum is not None:
            for idx in values.index[(values > maximum).fillna(False)]:
                self.problem(f"expected a value <= {maximum:g}", idx, column, raw[idx])
        return values

    def choice(self, column: str, allowed: Sequence[str], *, allow_blank: bool = False) -> pd.Series:
        values = self.frame[column].fillna("").astype(str).str.strip()
        for idx in values.index:
            v = values[idx]
            if (v == "" and not allow_blank) or (v and v not in allowed):
                self.problem(f"expected one of: {', '.join(allowed)}", idx, column, v or None)
        return values

    def unique(self, column: str) -> None:
        values = self.frame[column].astype(str)
        dup = values.duplicated(keep="first")
        for idx in values.index[dup]:
            first = values.index[(values == values[idx])][0]
            self.problem(f"duplicate id (first seen on row {int(self.line[first])})", idx, column, values[idx])

    def references(self, column: str, known: set[str], what: str, *, allow_blank: bool = False) -> None:
        values = self.frame[column].fillna("").astype(str).str.strip()
        for idx in values.index:
            v = values[idx]
            if v == "" and allow_blank:
                continue
            if v not in known:
                self.problem(f"unknown {what}", idx, column, v or None)

    def raise_if_problems(self, summary: str) -> None:
        if self.problems:
            raise InputError(summary, self.problems)


def read_table(path: str | Path, aliases: Mapping[str, str] | None = None,
               converters: Mapping[str, Callable[[str], str]] | None = None) -> Table:
    """Read a CSV (UTF-8, UTF-8 with BOM, GBK/GB18030; ``#`` comment lines skipped) or XLSX file as text.

    ``aliases`` maps alternative headers (e.g. Chinese ones) to canonical column names.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"file not found: {p}")
    if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            frame = pd.read_excel(p, dtype=str)
        except Exception as exc:
            raise InputError(f"{p}: cannot read as an Excel workbook: {exc}") from None
        first_line = 2
    else:
        data = p.read_bytes()
        text = None
        for enc in ENCODINGS:
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise InputError(f"{p}: not readable as UTF-8 or GB18030/GBK text")
        lines = text.splitlines()
        skipped = 0
        while skipped < len(lines) and lines[skipped].lstrip().startswith("#"):
            skipped += 1
        body = "\n".join(lines[skipped:])
        if not body.strip():
            raise InputError(f"{p}: the file is empty (no header row)")
        try:
            frame = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False, na_values=[""],
                                skip_blank_lines=True, comment=None)
        except pd.errors.ParserError as exc:
            raise InputError(f"{p}: not a valid CSV table: {exc}") from None
        first_line = skipped + 2
    frame.columns = [str(c).strip() for c in frame.columns]
    if aliases:
        frame = frame.rename(columns={c: aliases[c] for c in frame.columns if c in aliases})
    for col, fn in (converters or {}).items():
        if col in frame:
            frame[col] = frame[col].map(fn)
    frame = frame.reset_index(drop=True)
    line = pd.Series(np.arange(len(frame)) + first_line, index=frame.index)
    return Table(frame, str(p), line)
