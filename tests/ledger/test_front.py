"""The ledger's front: every verb callers use, and no SQL against the ledger's tables outside ledger/."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from cleanfreight.ledger import Ledger, report


def test_verbs_on_a_hand_made_ledger(hand_files: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "front.duckdb"
    with Ledger.open(db) as led:
        res = led.ingest([hand_files["e1"]], enterprise="E1")
        more = led.ingest([hand_files["rail"], hand_files["meter"]])
        assert led.count() == res.accepted + more.accepted > 0
        first, last = led.span() or (None, None)
        assert first is not None and last is not None and first <= last
        rejects = led.rejects()
        assert list(rejects.columns[:5]) == ["file_name", "src_row", "column_name", "value", "reason"]
        assert len(rejects.drop_duplicates(["file_name", "src_row"])) == res.rejected + more.rejected
        period = f"{first:%Y-%m}"
        rep = led.report(period)
    # the front gives what the function gives
    pd.testing.assert_frame_equal(rep.enterprises, report(db, period).enterprises)
    with Ledger.open(db, read_only=True) as led:
        assert led.count() == res.accepted + more.accepted
        assert isinstance(led.checks(period), pd.DataFrame)


def test_an_empty_ledger_has_no_span(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "empty.duckdb") as led:
        assert led.span() is None and led.count() == 0


def test_no_sql_on_the_ledger_tables_outside_the_ledger_package() -> None:
    src = Path(__file__).resolve().parents[2] / "src" / "cleanfreight"
    pattern = re.compile(r"\b(FROM|INTO|UPDATE|JOIN)\s+(records|rejects|imports)\b")  # SQL keywords
    offenders = [
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if p.relative_to(src).parts[0] != "ledger" and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_failed_transaction_leaves_nothing(hand_files: dict[str, Path], tmp_path: Path) -> None:
    import pytest

    with Ledger.open(tmp_path / "t.duckdb") as led:
        led.ingest([hand_files["e1"]], enterprise="E1")
        n = led.count()
        assert n > 0
        with pytest.raises(RuntimeError), led.transaction():
            led._con.execute("DELETE FROM records")  # any write of the block ...
            raise RuntimeError("interrupted")  # ... is rolled back
        assert led.count() == n
