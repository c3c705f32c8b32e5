from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from cleanfreight.errors import InputError
from cleanfreight.ledger import IngestParams, ingest, open_ledger
from tests.ledger.conftest import write

MESSY = [
    "进出厂时间,车牌号码,排放阶段,运输货物名称,运输量（千克）,进出方向,车队名称",
    "20260310 080000,晋Ｄ１２３４５,国六,原煤,31000,进,甲",
    "20260310 080000,晋d 12345,6,原煤,31000,进,甲",  # same passage, odd plate: duplicate
    "2026/3/10 9:05,晋D22222,d,焦炭,30500,出,乙",
    "2026/3/10 9:05,晋D22222,d,焦炭,30500,出,乙",  # exact duplicate
    "46092.5,晋D33333,5,铁精粉,29000,进,",  # Excel serial: 2026-03-11 12:00
    "20260311 130000,晋D44444,6,原煤,abc,进,",  # not a number
    "20260311 140000,XYZ,6,原煤,30000,进,",  # invalid plate
    "2026-13-01 08:00,晋D55555,6,原煤,30000,进,",  # impossible date
    "20260311 150000,晋D66666,9,原煤,30000,侧,",  # bad stage and direction: one row, two problems
    "20260311 160000,晋D77777,6,原煤,120000,进,",  # 120 t
    "",
]


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("messy") / "messy_gbk.csv", MESSY, encoding="gbk")


def test_messy_gbk_file_exact_counts(messy: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.duckdb"
    res = ingest(db, [messy], enterprise="e9")
    f = res.files[0]
    assert (f.encoding, f.unit, f.kind) == ("gbk", "kg", "gate")
    assert (res.accepted, res.rejected, res.duplicates, f.blank) == (3, 5, 2, 1)
    con = duckdb.connect(str(db))
    rows = con.execute(
        "SELECT plate, stage, mode, commodity, tonnes, direction, enterprise_id, ts, src_row "
        "FROM records ORDER BY src_row"
    ).fetchall()
    assert rows == [
        ("晋D12345", "6", "truck_cn6", "coal", 31.0, "in", "E9", datetime(2026, 3, 10, 8, 0), 2),
        ("晋D22222", "d", "truck_ne", "coke", 30.5, "out", "E9", datetime(2026, 3, 10, 9, 5), 4),
        ("晋D33333", "5", "truck_cn5", "iron_ore", 29.0, "in", "E9", datetime(2026, 3, 11, 12, 0), 6),
    ]
    rej = con.execute(
        "SELECT src_row, column_name, value FROM rejects ORDER BY src_row, column_name"
    ).fetchall()
    assert rej == [
        (7, "tonnes", "abc"),
        (8, "plate", "XYZ"),
        (9, "timestamp", "2026-13-01 08:00"),
        (10, "direction", "侧"),
        (10, "stage", "9"),
        (11, "tonnes", "120000"),
    ]
    con.close()
    # importing the same file again adds nothing and keeps one copy of its rejects
    again = ingest(db, [messy], enterprise="E9")
    assert (again.accepted, again.rejected, again.duplicates) == (0, 5, 5)
    con = duckdb.connect(str(db))
    assert con.execute("SELECT count(*) FROM records").fetchone() == (3,)
    assert con.execute("SELECT count(*) FROM rejects").fetchone() == (6,)
    assert con.execute("SELECT count(*), min(status) FROM imports").fetchone() == (2, "complete")
    con.close()


def test_overlapping_export_english_headers(messy: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.duckdb"
    ingest(db, [messy], enterprise="E9")
    overlap = write(
        tmp_path / "overlap.csv",
        [
            "timestamp,plate,emission_stage,cargo,tonnes,direction,enterprise_id",
            "2026-03-10 09:05:00,晋D22222,D,coke,30.5,out,E9",  # already imported from the GBK file
            "2026-03-12 09:05:00,晋D22222,D,coke,30.5,out,E9",
        ],
    )
    res = ingest(db, [overlap])
    assert (res.accepted, res.rejected, res.duplicates) == (1, 0, 1)


def test_xlsx_and_mapping_file(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        ["企业编号", "进出厂时间", "车牌号码", "排放阶段", "运输货物名称", "运输量", "单位", "进出方向"]
    )
    ws.append(["E1", datetime(2026, 3, 1, 7, 30), "晋D10001", "d", "原煤", 31500, "kg", "进"])
    ws.append(["E1", datetime(2026, 3, 1, 7, 45), "晋D10002", "国五", "原煤", 30.2, "吨", "进"])
    ws.append(["E1", datetime(2026, 3, 1, 7, 50), "晋D10003", "6", "原煤", 30.0, "斤", "进"])
    wb.save(tmp_path / "gate.xlsx")
    mapping = tmp_path / "vendor.toml"
    mapping.write_text(
        textwrap.dedent("""
        kind = "gate"
        unit = "kg"
        [columns]
        timestamp = "过车时刻"
        plate = "车号"
        stage = "标准"
        cargo = "货"
        tonnes = "净重"
        [defaults]
        direction = "in"
    """),
        encoding="utf-8",
    )
    vendor = write(
        tmp_path / "vendor.csv", ["过车时刻,车号,标准,货,净重", "2026-03-02 10:00,晋D10004,国Ⅵ,焦煤,32000"]
    )
    db = tmp_path / "l.duckdb"
    res = ingest(db, [tmp_path / "gate.xlsx"])
    assert (res.accepted, res.rejected, res.files[0].unit) == (2, 1, "column")
    res = ingest(db, [vendor], enterprise="E1", mapping=mapping)
    assert (res.accepted, res.rejected) == (1, 0)
    con = duckdb.connect(str(db))
    assert con.execute("SELECT plate, tonnes, mode, src_row FROM records ORDER BY ts").fetchall() == [
        ("晋D10001", 31.5, "truck_ne", 2),
        ("晋D10002", 30.2, "truck_cn5", 3),
        ("晋D10004", 32.0, "truck_cn6", 2),
    ]
    assert con.execute("SELECT src_row, column_name, value FROM rejects").fetchall() == [(4, "unit", "斤")]


def test_missing_columns_are_all_reported_and_nothing_imported(messy: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", ["车牌号码,备注", "晋D12345,x"])
    db = tmp_path / "l.duckdb"
    with pytest.raises(InputError) as err:
        ingest(db, [messy, bad])
    cols = {p.column for p in err.value.problems}
    assert {"timestamp", "tonnes", "direction", "cargo", "stage", "enterprise_id"} <= cols
    assert all(p.file for p in err.value.problems)
    con = open_ledger(db)
    assert con.execute("SELECT count(*) FROM records").fetchone() == (0,)


def test_settings_validate_every_field() -> None:
    with pytest.raises(InputError) as err:
        IngestParams(chunk_rows=0, max_truck_tonnes=-1)
    assert len(err.value.problems) == 2


_KILLER = """
import os, signal, sys
from cleanfreight.ledger import IngestParams, ingest
db, small, big = sys.argv[1:4]
kill = len(sys.argv) > 4

def on_chunk(path, rows):
    if kill and path.endswith("big.csv") and rows >= 2000:
        os.kill(os.getpid(), signal.SIGKILL)

res = ingest(db, [small, big], enterprise="E5", settings=IngestParams(chunk_rows=1000), on_chunk=on_chunk)
print(res.accepted, res.duplicates)
"""


def test_import_killed_half_way_then_completed(tmp_path: Path) -> None:
    small = write(
        tmp_path / "small.csv",
        [
            "进出厂时间,车牌号码,排放阶段,运输货物名称,运输量,进出方向",
            "20260301 080000,晋D00001,6,原煤,30,进",
        ],
    )
    lines = ["进出厂时间,车牌号码,排放阶段,运输货物名称,运输量,进出方向"]
    lines += [
        f"202603{1 + i // 1000:02d} {i % 1000 // 60:02d}{i % 60:02d}00,晋D1{i:04d},d,原煤,30,进"
        for i in range(5000)
    ]
    big = write(tmp_path / "big.csv", lines)
    script = tmp_path / "killer.py"
    script.write_text(_KILLER, encoding="utf-8")
    db = tmp_path / "l.duckdb"
    proc = subprocess.run(
        [sys.executable, str(script), str(db), str(small), str(big), "kill"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr
    con = duckdb.connect(str(db))
    assert con.execute("SELECT count(*) FROM records").fetchone() == (1,)  # only the small file, committed
    assert con.execute("SELECT count(*) FROM imports WHERE status = 'complete'").fetchone() == (1,)
    con.close()
    proc = subprocess.run(
        [sys.executable, str(script), str(db), str(small), str(big)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["5000", "1"]
    con = duckdb.connect(str(db))
    assert con.execute("SELECT count(*) FROM records").fetchone() == (5001,)
    assert con.execute("SELECT count(*) FROM imports WHERE status <> 'complete'").fetchone() == (0,)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert not any(t.startswith("stage_") for t in tables)


def test_enterprise_names_mapped_to_ids(tmp_path: Path) -> None:
    f = write(
        tmp_path / "names.csv",
        [
            "企业名称,进出厂时间,车牌号码,排放阶段,运输货物名称,运输量,进出方向",
            "示例钢厂,20260301 080000,晋D00001,6,原煤,30,进",
            "不认识的厂,20260301 090000,晋D00002,6,原煤,30,进",
        ],
    )
    db = tmp_path / "l.duckdb"
    res = ingest(db, [f], enterprise_names={"示例钢厂": "E1"})
    assert (res.accepted, res.rejected) == (1, 1)
    con = duckdb.connect(str(db))
    assert con.execute("SELECT enterprise_id, enterprise_name FROM records").fetchall() == [
        ("E1", "示例钢厂")
    ]
    assert con.execute("SELECT column_name, value FROM rejects").fetchall() == [
        ("enterprise_id", "不认识的厂")
    ]


def test_title_row_above_header_and_bom(tmp_path: Path) -> None:
    f = write(
        tmp_path / "titled.csv",
        [
            "示例钢厂门禁台账（2026年3月）,,,,,",
            "进出厂时间,车牌号码,排放阶段,运输货物名称,运输量,进出方向",
            "20260301 080000,晋D00001,6,原煤,30,进",
            "20260301 090000,晋D00002,6,原煤,x,进",
        ],
        encoding="utf-8-sig",
    )
    db = tmp_path / "l.duckdb"
    res = ingest(db, [f], enterprise="E1")
    assert (res.files[0].encoding, res.accepted, res.rejected) == ("utf-8-sig", 1, 1)
    con = duckdb.connect(str(db))
    assert con.execute("SELECT src_row FROM records").fetchall() == [(3,)]
    assert con.execute("SELECT src_row FROM rejects").fetchall() == [(4,)]


def test_error_while_staging_leaves_nothing_behind(tmp_path: Path) -> None:
    lines = ["进出厂时间,车牌号码,排放阶段,运输货物名称,运输量,进出方向"]
    lines += [f"20260302 {i // 60:02d}{i % 60:02d}00,晋D2{i:04d},6,原煤,30,进" for i in range(1200)]
    f = write(tmp_path / "g.csv", lines)
    db = tmp_path / "l.duckdb"

    def boom(path: str, rows: int) -> None:
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        ingest(db, [f], enterprise="E1", settings=IngestParams(chunk_rows=500), on_chunk=boom)
    con = open_ledger(db)
    assert con.execute("SELECT count(*) FROM records").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM imports").fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'stage_%'"
    ).fetchone() == (0,)
    assert ingest(con, [f], enterprise="E1").accepted == 1200
