"""Shared helpers of the benchmark scripts: timing, peak memory, result tables."""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs (the least disturbed by a noisy machine) and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def report(name: str, rows: list[dict[str, Any]], **meta: Any) -> Path:
    """Print ``rows`` as a table and write them to ``bench/results/<name>.json``.

    ``meta`` adds top-level keys read by ``bench/_summary.py``: ``columns`` (the key columns of the
    table in ``docs/benchmarks.md``), ``baselines`` (``{ratio column: its baseline}``), ``notes`` (lines
    shown under the table), ``quick``.
    """
    RESULTS.mkdir(exist_ok=True)
    cols = list(dict.fromkeys(k for r in rows for k in r))
    widths = {c: max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in rows:
        print("  ".join(_fmt(r.get(c)).ljust(widths[c]) for c in cols))
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                                **meta, "rows": rows}, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "" if v is None else str(v)
