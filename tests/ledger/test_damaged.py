"""Damaged exports never crash the import or change a total silently (issue 15).

A seeded corpus of damaged files (``tests/ledger/_damage.py``: encodings, truncation, quotes,
headers, units, plates, special numbers and dates, XLSX damage, re-exports) is imported file by
file and then again. The large run (300+ files, some over one MiB) is ``bench/damaged_corpus.py``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cleanfreight.errors import InputError
from cleanfreight.ledger import ingest
from tests.ledger._damage import FAMILIES, Outcome, check_outcome, make_corpus, run_corpus


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("damaged")


@pytest.fixture(scope="module")
def corpus_run(corpus_dir: Path) -> Outcome:
    files = make_corpus(corpus_dir / "files", 3 * len(FAMILIES), seed=15)
    return run_corpus(files, corpus_dir / "ledger.duckdb")


@pytest.mark.slow
def test_every_reject_reason_of_the_corpus_reads_in_chinese(corpus_run: Outcome, corpus_dir: Path) -> None:
    from cleanfreight.ledger._labels import reason_text

    reasons = {r for _, _, r in _rejects(corpus_dir / "ledger.duckdb")}
    assert len(reasons) >= 5
    untranslated = sorted(r for r in reasons if reason_text(r, "zh") == r)
    assert untranslated == []


@pytest.mark.slow
def test_small_damaged_corpus(corpus_run: Outcome) -> None:
    check_outcome(corpus_run)
    assert corpus_run.files == 27
    assert corpus_run.outcomes["imported"] + corpus_run.outcomes["refused"] == 27
    assert set(corpus_run.by_family) == set(FAMILIES)
    assert corpus_run.by_family["xlsx"]["crashed"] == 0
    assert corpus_run.rows["accepted"] > 100 and corpus_run.rows["rejected"] > 10


def test_the_corpus_is_seeded(tmp_path: Path) -> None:
    a = make_corpus(tmp_path / "a", 18, seed=3)
    b = make_corpus(tmp_path / "b", 18, seed=3)
    assert [f.path.read_bytes() for f in a] == [f.path.read_bytes() for f in b]
    assert [f.path.name for f in a] == [f.path.name for f in b]


GATE = "进出厂时间,车牌号码,排放阶段,运输货物名称,运输量(吨),进出方向,企业编号,备注"


def _gate(path: Path, lines: list[str], tail: bytes = b"") -> Path:
    path.write_bytes(("\n".join([GATE, *lines]) + "\n").encode("utf-8") + tail)
    return path


def _rejects(db: Path) -> list[tuple[int, str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [(int(r), str(c), str(m)) for r, c, m in con.execute(
            "SELECT src_row, column_name, reason FROM rejects ORDER BY src_row, column_name"
        ).fetchall()]
    finally:
        con.close()


def test_a_stray_quote_is_reported_and_the_rows_below_are_kept(tmp_path: Path) -> None:
    rows = [f"20260302 08{i:02d}00,晋DD0000{i},d,原煤,30,进,CZ01,ok" for i in range(6)]
    rows[1] = rows[1].replace(",原煤,", ',"原煤,')
    db = tmp_path / "l.duckdb"
    f = ingest(db, [_gate(tmp_path / "q.csv", rows)]).files[0]
    assert (f.accepted, f.rejected, f.duplicates, f.skipped, f.data_rows) == (5, 1, 0, 0, 6)
    assert _rejects(db) == [(3, "(row)", 'unmatched quote (") in this line; the rows below are read on their own')]


def test_a_quoted_line_break_keeps_the_row_numbers(tmp_path: Path) -> None:
    rows = [f"20260302 08{i:02d}00,晋DD0000{i},d,原煤,30,进,CZ01,ok" for i in range(4)]
    rows[1] = rows[1].replace(",ok", ',"第一行\n第二行"')
    rows[3] = rows[3].replace(",30,", ",x,")
    db = tmp_path / "l.duckdb"
    f = ingest(db, [_gate(tmp_path / "m.csv", rows)]).files[0]
    assert (f.accepted, f.rejected, f.data_rows) == (3, 1, 4)
    assert _rejects(db) == [(6, "tonnes", "quantity missing or not a number")]  # line 6, not 5


def test_a_last_line_cut_inside_a_character_is_one_reject(tmp_path: Path) -> None:
    rows = [f"20260302 08{i:02d}00,晋DD0000{i},d,原煤,30,进,CZ01,ok" for i in range(3)]
    cut = "20260302 090000,晋DD00009,d,原煤,30,进,CZ01,备注".encode()[:-2]
    db = tmp_path / "l.duckdb"
    path = tmp_path / "cut.csv"
    path.write_bytes(("\n".join([GATE, *rows]) + "\n").encode() + cut)
    f = ingest(db, [path]).files[0]
    assert (f.accepted, f.rejected, f.data_rows) == (3, 1, 4)
    assert _rejects(db)[0][:2] == (5, "(row)") and "cut inside a character" in _rejects(db)[0][2]
    assert any("no line break" in w for w in f.warnings)


def test_extra_cells_and_overlong_lines_are_rejected_not_fatal(tmp_path: Path) -> None:
    rows = [f"20260302 08{i:02d}00,晋DD0000{i},d,原煤,30,进,CZ01,ok" for i in range(4)]
    rows[0] += ",多余"  # an extra cell in the first row
    rows[2] = rows[2].replace(",ok", "," + "x" * 200_000)
    rows[3] = rows[3].replace(",30,", ",1,234,")  # an unquoted thousands separator shifts the row
    db = tmp_path / "l.duckdb"
    f = ingest(db, [_gate(tmp_path / "x.csv", rows)]).files[0]
    assert (f.accepted, f.rejected, f.data_rows) == (1, 3, 4)
    reasons = [r[2] for r in _rejects(db)]
    assert reasons[0].startswith("9 cells but the header has 8 columns")
    assert reasons[1].startswith("line of 200,040 characters")
    assert reasons[2].startswith("9 cells but the header has 8 columns")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (GATE.encode(), None),  # a CSV named .xlsx
        (bytes(range(256)), "no zip signature"),
        (b"PK\x03\x04" + b"\x00" * 40, "not a readable XLSX workbook"),
    ],
)
def test_fake_workbooks_are_reports(tmp_path: Path, content: bytes, message: str | None) -> None:
    path = tmp_path / "gate.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        ingest(tmp_path / "l.duckdb", [path])
    assert (message or "rename it .csv") in str(err.value)


def test_special_values_and_waybill_resends(tmp_path: Path) -> None:
    rail = tmp_path / "rail.csv"
    rail.write_text(
        "日期,企业编号,车站,专用线,货物名称,实际重量,发到,货票号\n"
        "2026-03-06,CZ01,,专用线,原煤,50.5,到达,W001\n"
        "2026-03-07,CZ01,,专用线,原煤,nan,到达,W002\n"
        "2026-03-07,CZ01,,专用线,原煤,1e12,到达,W003\n"
        "infinity,CZ01,,专用线,原煤,10,到达,W004\n"
        "2099-01-01,CZ01,,专用线,原煤,10,到达,W005\n"
        "2026-03-08,CZ01,,专用线,原煤,inf,到达,W006\n"
        "2026-03-09,CZ01,,专用线,原煤,3e9,到达,W007\n",
        encoding="utf-8",
    )
    resend = tmp_path / "resend.csv"
    resend.write_text(
        "日期,企业编号,车站,专用线,货物名称,实际重量,发到,货票号\n"
        "2026-04-06,CZ01,,专用线,原煤,50.5,到达,W001\n"  # another date: a conflict
        "2026-03-06,CZ01,,专用线,原煤,50.5,到达,W001\n",  # the same waybill: a duplicate
        encoding="utf-8",
    )
    db = tmp_path / "l.duckdb"
    first = ingest(db, [rail, resend])
    assert [(f.accepted, f.rejected, f.duplicates, f.conflicts) for f in first.files] == [(1, 6, 0, 0), (0, 1, 1, 1)]
    reasons = {r: m for r, _, m in _rejects(db)}
    assert reasons[3] == "quantity is not a finite number (nan / inf / too large)"
    assert reasons[4].startswith("quantity above 100,000 t is implausible for a rail waybill")
    assert reasons[5] == "timestamp is a special value, not a date"
    assert reasons[6].startswith("timestamp more than 366 days after the import")
    assert reasons[8].startswith("quantity above 100,000 t")
    again = ingest(db, [rail, resend])
    assert again.accepted == 0
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), sum(tonnes) FROM records").fetchone() == (1, 50.5)
    con.close()


def test_rejects_belong_to_their_own_import(tmp_path: Path) -> None:
    gate = _gate(tmp_path / "g.csv", ["20260302 080000,晋DD00001,d,原煤,abc,进,,ok"])
    db = tmp_path / "l.duckdb"
    ingest(db, [gate], enterprise="CZ01")
    ingest(db, [gate], enterprise="CZ02")  # the same bytes for another enterprise
    ingest(db, [gate], enterprise="cz01")  # the first import again: replaces its own rejects only
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT i.enterprise_id, count(*) FROM rejects r JOIN imports i USING (import_id) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    con.close()
    assert sorted((e.upper(), n) for e, n in rows) == [("CZ01", 1), ("CZ02", 1)]


def test_a_meter_reading_resent_with_another_quantity_is_a_conflict(tmp_path: Path) -> None:
    head = "日期,企业编号,计量点,输送方式,货物名称,运输量,方向\n"
    first = tmp_path / "m1.csv"
    first.write_text(head + "2026-03-08,CZ01,皮带秤-1,皮带,石灰石,100,进\n", encoding="utf-8")
    second = tmp_path / "m2.csv"
    second.write_text(head + "2026-03-08,CZ01,皮带秤-1,皮带,石灰石,120,进\n2026-03-09,CZ01,皮带秤-1,皮带,石灰石,90,进\n",
                      encoding="utf-8")
    db = tmp_path / "l.duckdb"
    res = ingest(db, [first, second])
    assert [(f.accepted, f.rejected, f.duplicates, f.conflicts) for f in res.files] == [(1, 0, 0, 0), (1, 1, 0, 1)]
    assert "conflicts with the reading of m1.csv row 2 (100.0)" in _rejects(db)[0][2]


def test_a_chunk_of_short_rows_in_a_plain_file(tmp_path: Path) -> None:
    """A block whose lines all have fewer cells than the header (found by the large corpus run)."""
    from cleanfreight.ledger.ingest import IngestParams

    rows = ["20260302 080000,晋DD00001,d,原煤,30,进,CZ01,ok", "20260302 090000,晋DD00002", "", "x"]
    db = tmp_path / "l.duckdb"
    f = ingest(db, [_gate(tmp_path / "s.csv", rows)], settings=IngestParams(chunk_rows=1)).files[0]
    assert (f.accepted, f.rejected, f.skipped, f.data_rows) == (1, 2, 1, 4)
