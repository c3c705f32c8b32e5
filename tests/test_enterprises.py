from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight.enterprises import load_enterprises
from cleanfreight.errors import InputError
from tests._factory import write_csv

ENT = ["enterprise_id", "name_zh", "industry", "lon", "lat", "coord_crs"]


def _write(d: Path, ents, flows, splits, encoding: str = "utf-8") -> Path:
    write_csv(d / "enterprises.csv", ENT, ents, encoding)
    write_csv(d / "flows.csv", ["flow_id", "enterprise_id", "commodity", "direction", "tonnes_per_year"], flows,
              encoding)
    write_csv(d / "mode_split.csv", ["flow_id", "mode", "share_pct"], splits, encoding)
    return d


def test_sample_loads_and_converts_gcj02() -> None:
    r = load_enterprises()
    assert len(r.enterprises) == 40
    assert r.enterprises["enterprise_id"].is_unique
    gcj = r.enterprises[r.enterprises["coord_crs"] == "GCJ02"]
    if len(gcj):  # converted to WGS-84: about 600 m west of the declared GCJ-02 value
        shift = (gcj["lon_declared"] - gcj["lon"]).to_numpy()
        assert ((shift > 0.004) & (shift < 0.009)).all()


def test_every_problem_is_listed_with_file_row_column(tmp_path: Path) -> None:
    d = _write(
        tmp_path,
        [
            ("A", "甲", "steel", 113.1, 36.2, "WGS84"),
            ("A", "乙", "steel", "abc", 36.2, "WGS84"),  # duplicate id, text in a number column
            ("C", "丙", "spaceport", 2.35, 48.85, "WGS84"),  # unknown industry, outside China
        ],
        [
            ("F1", "A", "coal", "in", 100),
            ("F2", "Z", "coal", "sideways", -5),  # unknown enterprise, bad direction, negative tonnes
        ],
        [
            ("F1", "rail_spur", 60), ("F1", "teleport", 30),  # unknown mode; shares sum to 90
        ],
    )
    with pytest.raises(InputError) as err:
        load_enterprises(d)
    probs = err.value.problems
    found = {(Path(p.file).name, p.row, p.column) for p in probs}
    assert ("enterprises.csv", 3, "enterprise_id") in found  # duplicate (line 3 of the file)
    assert ("enterprises.csv", 3, "lon") in found  # "abc"
    assert ("enterprises.csv", 4, "industry") in found
    assert ("enterprises.csv", 4, "lon") in found  # Paris is not in China
    assert ("flows.csv", 3, "enterprise_id") in found
    assert ("flows.csv", 3, "direction") in found
    assert ("flows.csv", 3, "tonnes_per_year") in found
    assert ("mode_split.csv", 3, "mode") in found
    assert any("sum to 90" in p.message for p in probs)
    assert any(p.message == "flow F2 has no mode split" for p in probs)
    assert len(probs) == 10
    text = str(err.value)
    assert "enterprises.csv, row 3, column 'lon'" in text


def test_missing_column_is_reported(tmp_path: Path) -> None:
    d = tmp_path
    write_csv(d / "enterprises.csv", ["enterprise_id", "name_zh", "lon"], [("A", "甲", 113.1)])
    write_csv(d / "flows.csv", ["flow_id", "enterprise_id", "commodity", "direction", "tonnes_per_year"], [])
    write_csv(d / "mode_split.csv", ["flow_id", "mode", "share_pct"], [])
    with pytest.raises(InputError) as err:
        load_enterprises(d)
    cols = {p.column for p in err.value.problems}
    assert {"industry", "lat"} <= cols


def test_gbk_file_with_chinese_headers(tmp_path: Path) -> None:
    d = tmp_path
    write_csv(d / "enterprises.csv", ["企业编号", "企业名称", "行业", "经度", "纬度", "坐标系"],
              [("A", "长治示例钢铁", "steel", 113.1, 36.2, "GCJ-02")], encoding="gbk")
    write_csv(d / "flows.csv", ["流向编号", "企业编号", "货物", "方向", "年运量"], [("F1", "A", "coal", "in", 1e6)],
              encoding="gbk")
    write_csv(d / "mode_split.csv", ["流向编号", "运输方式", "占比"], [("F1", "truck_ne", 100)], encoding="gbk")
    r = load_enterprises(d)
    assert r.enterprises.loc[0, "name_zh"] == "长治示例钢铁"
    assert r.enterprises.loc[0, "lon"] == pytest.approx(113.1 - 0.0066, abs=0.0005)
    assert r.flow_modes()["tonnes"].sum() == pytest.approx(1e6)
