"""Output files written whole or not at all.

A run killed while writing (Ctrl-C, a full disk, a power cut on an intranet PC) must never leave a
half-written ``plan.json`` or workbook that a script then reads as complete. Every output goes to a
temporary file beside its destination (same folder, same suffix, so writers that pick the format from
the suffix still work) and is renamed over the destination only once it is complete; the rename is
atomic on the same file system.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from os import getpid
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["atomic_path", "write_csv", "write_text"]


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


def write_csv(frame: pd.DataFrame, path: str | Path, **to_csv: Any) -> Path:
    """``frame.to_csv(path, **to_csv)`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, **to_csv)
    return Path(path)
