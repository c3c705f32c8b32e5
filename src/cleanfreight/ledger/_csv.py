"""Reading CSV exports that may be damaged, row by row, without losing or merging rows.

The reader works on the file's bytes split at ``\\n`` (no byte of a GBK / GB18030 / UTF-8
character is ``0x0a``), so damage stays on the row it is in: a line that cannot be decoded (a cut
multi-byte character, a re-export appended in another encoding), an unmatched quote, a row with
more cells than the header, or an overlong line is one rejected row with a reason, and the rest
of the file is read. A file without any quote (most exports) is parsed a block of lines at a time
by pandas' C parser; odd blocks and files with quotes go line by line with the ``csv`` module.

Chunks are DataFrames of text with canonical column names and ``_row`` (the line a row starts
on); the rows that could not be read are in ``frame.attrs[READER_REJECTS]`` as ``(row, column,
value, reason)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["MAX_LINE_CHARS", "MAX_RECORD_LINES", "READER_REJECTS", "csv_chunks", "csv_lines", "split_line"]


def _frame(buf: list[list[str]], names: list[str], rows: list[int]) -> pd.DataFrame:
    df = pd.DataFrame(buf, columns=names, dtype=str)
    df["_row"] = rows
    return df


#: a line longer than this is not read (a gate record is well under 1,000 characters)
MAX_LINE_CHARS = 100_000
#: a quoted field may span at most this many lines (a remark with line breaks)
MAX_RECORD_LINES = 20

#: reader-level rejects of a chunk, ``(row, column, value, reason)``, in ``DataFrame.attrs``
READER_REJECTS = "reader_rejects"


def csv_lines(path: Path, encoding: str) -> Iterator[tuple[int, str | None, bytes]]:
    """``(line number, text without its line break or None if undecodable, raw bytes)`` of each line.

    Lines are split on ``\\n`` in the raw bytes (no byte of a GBK / GB18030 / UTF-8 character is
    ``0x0a``) and decoded one at a time, so a line cut inside a character or written in another
    encoding is one bad line, never the end of the file.
    """
    first_enc = encoding
    enc = "utf-8" if encoding == "utf-8-sig" else encoding
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
        fh.seek(0)
        source: Iterator[bytes] = _cr_lines(fh) if b"\r" in head and b"\n" not in head else iter(fh)
        for lineno, raw in enumerate(source, start=1):
            try:
                decoded = raw.decode(first_enc if lineno == 1 else enc)
            except UnicodeDecodeError:
                yield lineno, None, raw
                continue
            yield lineno, decoded.rstrip("\r\n") if decoded.endswith("\n") else decoded.rstrip("\r"), raw


def _cr_lines(fh: Any) -> Iterator[bytes]:
    """Lines of a file whose lines end in a carriage return only (old Mac exports), with ``\\n`` ends."""
    rest = b""
    for block in iter(lambda: fh.read(1 << 20), b""):
        parts = (rest + block).split(b"\r")
        rest = parts.pop()
        for part in parts:
            yield part + b"\n"
    if rest:
        yield rest


def split_line(text: str) -> tuple[list[str], bool]:
    """Cells of one line, and whether its quotes are complete (``False``: a quoted field is open)."""
    import csv

    if '"' not in text:
        return text.split(","), True
    try:
        return next(csv.reader([text], strict=True)), True
    except csv.Error:
        try:
            return next(csv.reader([text])), False
        except csv.Error:
            return text.split(","), False


def _csv_records(
    path: Path, encoding: str, header_row: int, n_cols: int
) -> Iterator[tuple[int, list[str] | None, str | None, str]]:
    """Data records after the header: ``(row, cells, problem, raw text)``.

    ``row`` is the line a record starts on; ``cells`` is ``None`` when the record cannot be read
    and ``problem`` says why (undecodable bytes, an unmatched quote, too many cells, an overlong
    line). A quoted field may hold line breaks (up to :data:`MAX_RECORD_LINES` lines); a quote that
    does not close within them, or whose joined lines look like whole rows, is reported on its line
    and the following lines are read as rows of their own, so a stray ``"`` never swallows rows.
    """
    import csv

    lines = csv_lines(path, encoding)
    pending: list[tuple[int, str | None, bytes]] = []

    def next_line() -> tuple[int, str | None, bytes] | None:
        if pending:
            return pending.pop()
        return next(lines, None)

    enc_name = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
    while True:
        item = next_line()
        if item is None:
            return
        lineno, text, raw = item
        if lineno <= header_row:
            continue
        if text is None:
            cut = not raw.endswith(b"\n")
            why = (
                f"last line cut inside a character (file truncated?): not valid {enc_name}"
                if cut
                else f"bytes not valid {enc_name}, the encoding detected from the start of the file; "
                "re-export the file in one encoding"
            )
            yield lineno, None, why, raw[:200].decode(encoding, errors="replace")
            continue
        if len(text) > MAX_LINE_CHARS:
            yield lineno, None, f"line of {len(text):,} characters; a record has at most {MAX_LINE_CHARS:,}", text[:200]
            continue
        cells, complete = split_line(text)
        if not complete:
            joined, record = text, None
            used: list[tuple[int, str | None, bytes]] = []
            while len(used) < MAX_RECORD_LINES - 1:
                nxt = next_line()
                if nxt is None:
                    break
                used.append(nxt)
                if nxt[1] is None or len(joined) + len(nxt[1]) > MAX_LINE_CHARS:
                    break
                joined += "\n" + nxt[1]
                try:
                    record = next(csv.reader([joined], strict=True))
                except csv.Error:
                    continue
                break
            # a quoted line break is taken as such only when the record has the header's cells and
            # the field holds no comma: a stray quote that swallowed lines shows either
            plausible = (
                record is not None
                and (len(record) == n_cols or (len(record) > n_cols and not any(c.strip() for c in record[n_cols:])))
                and not any("\n" in c and "," in c for c in record)
            )
            if plausible:
                assert record is not None
                cells = record
            else:
                pending.extend(reversed(used))  # read the following lines as rows of their own
                yield lineno, None, "unmatched quote (\") in this line; the rows below are read on their own", text[:200]
                continue
        if len(cells) > n_cols:
            extra = cells[n_cols:]
            if any(c.strip() for c in extra):
                yield (
                    lineno,
                    None,
                    f"{len(cells)} cells but the header has {n_cols} columns (an unquoted comma in a value?)",
                    text[:200],
                )
                continue
            cells = cells[:n_cols]
        elif len(cells) < n_cols:
            cells = cells + [""] * (n_cols - len(cells))
        yield lineno, cells, None, text


def _plain_csv(path: Path) -> bool:
    """Whether a file has no quote and no lone carriage return: each line is then one row."""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            if b'"' in block or b"\r" in block.replace(b"\r\n", b"")[:-1]:
                return False
    return True


def csv_chunks(
    path: Path, encoding: str, header_row: int, headers: Sequence[str], rename: dict[str, str], chunk_rows: int
) -> Iterator[pd.DataFrame]:
    """Chunks of a CSV file's rows; rows that cannot be read go to ``attrs[READER_REJECTS]``.

    A file without quotes (most exports) is parsed a block of lines at a time by pandas' C parser;
    a block holding an undecodable or overlong line or a line with too many cells, and every file
    with quotes, goes line by line through :func:`_csv_records`.
    """
    idx = [list(headers).index(h) for h in rename]
    names = [rename[headers[i]] for i in idx]
    if _plain_csv(path):
        yield from _plain_chunks(path, encoding, header_row, len(headers), idx, names, chunk_rows)
    else:
        yield from _careful_chunks(path, encoding, header_row, len(headers), idx, names, chunk_rows)


def _plain_chunks(
    path: Path, encoding: str, header_row: int, n_cols: int, idx: list[int], names: list[str], chunk_rows: int
) -> Iterator[pd.DataFrame]:
    enc = "utf-8" if encoding == "utf-8-sig" else encoding
    with path.open("rb") as fh:
        for _ in range(header_row):
            fh.readline()
        lineno = header_row + 1
        buf: list[bytes] = []
        while True:
            more = fh.readlines(1 << 22)
            buf += more
            while len(buf) >= chunk_rows or (buf and not more):  # chunks of chunk_rows lines
                part, buf = buf[:chunk_rows], buf[chunk_rows:]
                yield _plain_block(part, lineno, enc, idx, names, n_cols)
                lineno += len(part)
            if not more:
                return


def _plain_block(
    batch: list[bytes], first: int, enc: str, idx: list[int], names: list[str], n_cols: int
) -> pd.DataFrame:
    """One block of lines of a quote-free file as a chunk (line by line when a line is odd)."""
    import io

    try:
        text = b"".join(batch).decode(enc)
        clean = max(len(ln) for ln in batch) <= MAX_LINE_CHARS and max(ln.count(b",") for ln in batch) < n_cols
    except UnicodeDecodeError:
        clean = False
    if clean:
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                header=None,
                names=list(range(n_cols)),
                usecols=idx,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
            clean = False  # a block of short or blank lines: line by line below
    if clean and len(frame) == len(batch):
        frame = frame[idx]
        frame.columns = names
        frame["_row"] = range(first, first + len(batch))
        frame.attrs[READER_REJECTS] = []
        return frame
    buf: list[list[str]] = []
    rows: list[int] = []
    bad: list[tuple[int, str, str, str]] = []
    enc_name = "UTF-8" if enc.startswith("utf-8") else enc.upper()
    for k, raw in enumerate(batch):
        lineno = first + k
        try:
            line = raw.decode(enc).rstrip("\r\n")
        except UnicodeDecodeError:
            why = (
                f"last line cut inside a character (file truncated?): not valid {enc_name}"
                if not raw.endswith(b"\n")
                else f"bytes not valid {enc_name}, the encoding detected from the start of the file; "
                "re-export the file in one encoding"
            )
            bad.append((lineno, "(row)", raw[:200].decode(enc, errors="replace"), why))
            continue
        if len(line) > MAX_LINE_CHARS:
            why = f"line of {len(line):,} characters; a record has at most {MAX_LINE_CHARS:,}"
            bad.append((lineno, "(row)", line[:200], why))
            continue
        cells = line.split(",")
        if len(cells) > n_cols and any(c.strip() for c in cells[n_cols:]):
            why = f"{len(cells)} cells but the header has {n_cols} columns (an unquoted comma in a value?)"
            bad.append((lineno, "(row)", line[:200], why))
            continue
        cells += [""] * (n_cols - len(cells))
        buf.append([cells[j] for j in idx])
        rows.append(lineno)
    frame = _frame(buf, names, rows)
    frame.attrs[READER_REJECTS] = bad
    return frame


def _careful_chunks(
    path: Path, encoding: str, header_row: int, n_cols: int, idx: list[int], names: list[str], chunk_rows: int
) -> Iterator[pd.DataFrame]:
    buf: list[list[str]] = []
    rows: list[int] = []
    bad: list[tuple[int, str, str, str]] = []
    for lineno, cells, problem, raw in _csv_records(path, encoding, header_row, n_cols):
        if cells is None:
            bad.append((lineno, "(row)", raw, problem or "unreadable row"))
        else:
            buf.append([cells[j] for j in idx])
            rows.append(lineno)
        if len(buf) + len(bad) >= chunk_rows:
            frame = _frame(buf, names, rows)
            frame.attrs[READER_REJECTS] = bad
            yield frame
            buf, rows, bad = [], [], []
    if buf or bad:
        frame = _frame(buf, names, rows)
        frame.attrs[READER_REJECTS] = bad
        yield frame
