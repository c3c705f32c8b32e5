"""Exports made the way users make them: a vendor XLSX with 燃料类型 and an empty 排放阶段, a GBK
CSV with a 合计 row, a shipper / consignee export with coke going to Hebei."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight.ledger import report, run_checks
from cleanfreight.ledger.ingest import ingest

VENDOR_HEADER = ["过车时间", "车牌号码", "车牌颜色", "燃料类型", "排放阶段", "货物名称", "净重(吨)", "进出厂"]


def _vendor_rows() -> list[list[object]]:
    """CZ03, March 2026: 25 loads of 30 t, 8 of them by electric trucks whose 排放阶段 is empty or X.

    The electric trucks are known by their fuel type (纯电动, 电, 电动, 新能源, code C) or, with no
    fuel type, by the yellow-green colour of an 8-character new-energy plate: 8 / 25 = 32.0 %.
    """
    electric = [
        ("晋D10001D", "黄绿", "纯电动", ""),
        ("晋D10002D", "黄绿", "纯电动", ""),
        ("晋D10003D", "黄绿", "电", ""),
        ("晋D10004D", "黄绿", "电动", "X"),
        ("晋D10005D", "黄绿", "新能源", ""),
        ("晋D10006D", "6", "C", "x"),
        ("晋D10007D", "黄绿", "", ""),  # no fuel type: the new-energy plate and its colour say electric
        ("晋D10008D", "黄绿色", "", "D"),  # a platform's upper-case D
    ]
    diesel = [(f"晋D2{i:04d}", "黄", "柴油", "国六" if i % 2 else "6") for i in range(17)]
    rows: list[list[object]] = []
    for k, (plate, colour, fuel, stage) in enumerate(electric + diesel):
        rows.append(
            [f"2026-03-{1 + k % 28:02d} 08:{k:02d}:00", plate, colour, fuel, stage, "原煤", 30.0, "进厂"]
        )
    return rows


@pytest.fixture(scope="module")
def vendor_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import openpyxl

    path = tmp_path_factory.mktemp("vendor") / "CZ03_门禁台账_2026-03.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["长治市某焦化有限公司 车辆进出厂台账"])  # a title row above the header
    ws.append(VENDOR_HEADER)
    for row in _vendor_rows():
        ws.append(row)
    wb.save(path)
    return path


def test_fuel_type_and_new_energy_plate_give_the_electric_stage(vendor_xlsx: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.duckdb"
    res = ingest(db, [vendor_xlsx], enterprise="CZ03")
    f = res.files[0]
    assert (f.rows, f.accepted, f.rejected) == (25, 25, 0)
    assert f.columns["fuel"] == "燃料类型" and f.columns["plate_colour"] == "车牌颜色"
    # 6 electric rows proven by the fuel type, 1 by the plate; the 'D' row and the diesel rows by 排放阶段
    assert f.stage_from == {"fuel": 6, "plate": 1}
    rep = report(db, "2026-03", rules="changzhi-2024")
    cz03 = rep.enterprises.set_index("enterprise_id").loc["CZ03"]
    assert cz03["t_truck_ne"] == pytest.approx(240.0)
    assert cz03["t_truck_cn6"] == pytest.approx(510.0)
    assert cz03["clean_ratio"] == pytest.approx(0.32)


def test_hybrid_plate_and_diesel_with_empty_stage_are_rejected_with_a_reason(tmp_path: Path) -> None:
    csv = tmp_path / "cz05.csv"
    csv.write_text(
        "过车时间,车牌号码,车牌颜色,燃料类型,排放阶段,货物名称,净重,进出厂\n"
        "2026-03-01 08:00,晋D12345F,黄绿,,,原煤,30,进\n"  # F: non-pure-electric, proves nothing
        "2026-03-01 09:00,晋D23456,黄,柴油,,原煤,30,进\n"  # diesel without a stage
        "2026-03-01 10:00,晋D34567,黄,柴油,国七,原煤,30,进\n",  # a stage that does not exist
        encoding="utf-8",
    )
    db = tmp_path / "l.duckdb"
    res = ingest(db, [csv], enterprise="CZ05")
    assert (res.accepted, res.rejected) == (0, 3)
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rej = con.execute(
            "SELECT src_row, column_name, value, reason FROM rejects ORDER BY src_row"
        ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rej] == [
        (2, "stage", "黄绿"),
        (3, "stage", "柴油 / 黄"),
        (4, "stage", "国七 / 柴油 / 黄"),
    ]
    assert rej[0][3].startswith("no emission stage") and rej[1][3].startswith("no emission stage")
    assert rej[2][3].startswith("unknown emission stage")
    assert res.files[0].warnings == (
        "2 row(s) without an emission stage, most often 柴油 / 黄 (1); 黄绿 (1); if these are electric trucks, "
        "add the fuel type to [stages] in a mapping file",
    )
    from cleanfreight.ledger._labels import warning_text

    assert warning_text(res.files[0].warnings[0], "zh").startswith(
        "2 行缺少排放阶段，最常见的是 柴油 / 黄 (1)"
    )


def test_a_mapping_says_what_a_fuel_means_and_fills_empty_stages(tmp_path: Path) -> None:
    csv = tmp_path / "cz07.csv"
    csv.write_text(
        "过车时间,车牌号码,燃料种类,排放阶段,货物名称,净重,进出厂\n"
        "2026-03-01 08:00,晋D11111,纯电动重卡,,原煤,30,进\n"  # a wording the built-in list lacks
        "2026-03-01 09:00,晋D22222,柴油,,原煤,30,进\n"  # empty stage: [defaults] stage
        "2026-03-01 10:00,晋D33333,柴油,5,原煤,40,进\n",  # a filled cell wins over the default
        encoding="utf-8",
    )
    mapping = tmp_path / "vendor.toml"
    mapping.write_text('[defaults]\nstage = "国六"\n[stages]\n"纯电动重卡" = "D"\n', encoding="utf-8")
    db = tmp_path / "l.duckdb"
    res = ingest(db, [csv], enterprise="CZ07", mapping=mapping)
    assert (res.accepted, res.rejected) == (3, 0)
    assert res.files[0].stage_from == {"fuel": 1, "default": 1}
    rep = report(db, "2026-03")
    e = rep.enterprises.set_index("enterprise_id").loc["CZ07"]
    assert (e["t_truck_ne"], e["t_truck_cn6"], e["t_truck_cn5"]) == pytest.approx((30.0, 30.0, 40.0))


def test_a_bad_stage_in_a_mapping_is_reported(tmp_path: Path) -> None:
    from cleanfreight.errors import InputError
    from cleanfreight.ledger import load_mapping

    bad = tmp_path / "bad.toml"
    bad.write_text('[stages]\n"纯电动" = "七"\n[defaults]\nstage = "7"\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_mapping(bad)
    cols = {p.column for p in exc.value.problems}
    assert cols == {"stages.纯电动", "defaults.stage"}


def test_gbk_csv_with_total_rows(tmp_path: Path) -> None:
    """A GBK export whose vendor appends 小计 per day and a 合计 row: skipped and counted apart."""
    lines = [
        "进出厂时间,车牌号码,排放阶段,运输货物名称,运输量(吨),进出方向",
        "2026-03-02 08:00:00,晋DA0001,国六,原煤,31.5,进",
        "2026-03-02 09:00:00,晋DA0002,d,原煤,30.0,进",
        "小计,,,,61.5,",
        "2026-03-03 08:00:00,晋DA0003,国五,焦炭,28.0,出",
        "小计：1条,,,,28.0,",
        "合计,,,,89.5,",
    ]
    csv = tmp_path / "cz09_2026年3月.csv"
    csv.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    db = tmp_path / "l.duckdb"
    res = ingest(db, [csv], enterprise="CZ09")
    f = res.files[0]
    assert f.encoding == "gbk"
    assert (f.rows, f.accepted, f.rejected, f.totals, f.blank) == (3, 3, 0, 3, 0)
    assert f.totals_tonnes == pytest.approx(89.5)
    assert f.warnings == ()  # the 合计 matches the rows
    assert res.as_dict()["totals"] == 3
    # a 合计 that does not match the rows: a warning, still nothing rejected
    lines[-1] = "合计,,,,120.0,"
    csv2 = tmp_path / "cz09_2026年3月_v2.csv"
    csv2.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    res2 = ingest(db, [csv2], enterprise="CZ09")
    f2 = res2.files[0]
    assert (f2.accepted, f2.duplicates, f2.rejected, f2.totals) == (0, 3, 0, 3)
    assert any("120.0 t" in w and "89.5 t" in w for w in f2.warnings)
    rep = report(db, "2026-03")
    assert rep.city["tonnes_total"] == pytest.approx(89.5)


def test_shipper_and_consignee_feed_origin_and_destination(tmp_path: Path) -> None:
    """发货单位 / 收货单位: coke by road to a Hebei consignee is caught by the out-of-province rule."""
    csv = tmp_path / "cz12_出厂.csv"
    csv.write_text(
        "过磅时间,车号,排放标准,品名,净重(kg),发货单位,收货单位\n"
        "2026-03-05 08:00,晋DK1001,国六,冶金焦,32000,长治某焦化有限公司,河北某钢铁集团有限公司\n"
        "2026-03-05 09:00,晋DK1002,国六,冶金焦,31000,长治某焦化有限公司,河北某钢铁集团有限公司\n"
        "2026-03-06 08:00,晋DK1003,国六,冶金焦,30000,长治某焦化有限公司,首钢长治钢铁有限公司\n",
        encoding="utf-8",
    )
    db = tmp_path / "l.duckdb"
    res = ingest(db, [csv], enterprise="CZ12", direction="出")
    f = res.files[0]
    assert f.columns["shipper"] == "发货单位" and f.columns["consignee"] == "收货单位"
    assert (f.accepted, f.rejected) == (3, 0)
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        od = con.execute("SELECT origin, destination FROM records ORDER BY ts").fetchall()
    assert od[0] == ("长治某焦化有限公司", "河北某钢铁集团有限公司")
    anomalies = run_checks(db, "2026-03")
    out = anomalies[anomalies["check"] == "coal_coke_out_by_road"]
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["severity"], row["enterprise_id"], row["records"]) == ("error", "CZ12", 2)
    assert row["tonnes"] == pytest.approx(63.0)
    assert "河北某钢铁集团有限公司" in row["detail"]


def test_sample_cz03_as_a_vendor_export_keeps_its_true_share(tmp_path: Path) -> None:
    """CZ03's sample gate export re-saved the way a vendor writes it (XLSX, a title row, 燃料类型, an
    empty 排放阶段 for every electric truck) gives the same ratio as the original export."""
    import openpyxl
    import pandas as pd

    from cleanfreight.enterprises import load_enterprises
    from cleanfreight.ledger import generate_records
    from cleanfreight.ledger._normalise import stage_code
    from cleanfreight.ledger._readers import detect_encoding

    man = generate_records(
        load_enterprises(None), tmp_path / "files", months=[3], scale=0.01, seed=7, defects=False
    )
    original = next(f for f in man.files if Path(f).name == "gate_CZ03_2026.csv")
    others = [f for f in man.files if not Path(f).name.startswith("gate_")]  # waybills and meters
    gate = pd.read_csv(original, encoding=detect_encoding(Path(original)), dtype=str, keep_default_na=False)
    electric = gate["排放阶段"].map(lambda s: stage_code(s) == "d")
    assert electric.sum() > 20
    fuels = ["纯电动", "电", "新能源", "C", "电动"]
    gate.insert(gate.columns.get_loc("排放阶段") + 1, "燃料类型", "柴油")
    gate.loc[electric, "燃料类型"] = [fuels[i % len(fuels)] for i in range(int(electric.sum()))]
    gate.loc[electric, "排放阶段"] = ""
    vendor = tmp_path / "CZ03_门禁台账.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["示例焦化二厂 车辆出入记录 2026年3月"])
    ws.append(list(gate.columns))
    for row in gate.itertuples(index=False):
        ws.append(list(row))
    wb.save(vendor)

    db_a, db_b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    ingest(db_a, [*others, original])
    res = ingest(db_b, [*others, vendor])
    f = res.files[-1]
    assert f.rejected == 0 and f.stage_from == {"fuel": int(electric.sum())}
    a = report(db_a, "2026-03").enterprises.set_index("enterprise_id").loc["CZ03"]
    b = report(db_b, "2026-03").enterprises.set_index("enterprise_id").loc["CZ03"]
    assert b["t_truck_ne"] > 0
    assert (b["tonnes_total"], b["clean_ratio"]) == pytest.approx(
        (a["tonnes_total"], a["clean_ratio"]), rel=1e-12
    )
    # the electric trucks are CZ03's only clean road tonnes: without them the ratio would drop by their share
    assert b["t_truck_ne"] == pytest.approx(a["t_truck_ne"]) and b["t_truck_ne"] / b["tonnes_total"] > 0.1


def test_total_row_in_an_unmapped_first_column(tmp_path: Path) -> None:
    """Weighbridge exports number their rows (序号) and write 合计 there, the other cells empty."""
    lines = [
        "序号,过磅时间,车号,排放标准,品名,净重",
        "1,2026-03-02 08:00,晋DA0001,国六,原煤,30",
        "2,2026-03-02 09:00,晋DA0002,国六,原煤,31",
        "合计,,,,,61",
        ",,,,,",
    ]
    csv = tmp_path / "序号.csv"
    csv.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    res = ingest(tmp_path / "l.duckdb", [csv], enterprise="CZ10", direction="进")
    f = res.files[0]
    assert (f.rows, f.accepted, f.rejected, f.totals, f.blank) == (2, 2, 0, 1, 1)
    assert f.totals_tonnes == pytest.approx(61.0) and f.warnings == ()
    assert f.ignored_columns == ("序号",)
