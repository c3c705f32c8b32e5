"""Ratios computed by hand (see the hand_files fixture) under each preset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleanfreight.ledger import report, trend, write_report
from cleanfreight.ledger.ingest import ingest
from tests.ledger.conftest import GATE_HEADER, write

# E1 tonnes by mode (short-haul gate tonnes are not added: they split the 900 t station waybill
# 2:1 into new-energy and diesel): truck_ne 60, truck_cn6 30, truck_cn5 25 (coke, out),
# rail_station_ne 600, rail_station_diesel 300, rail_spur 1000, conveyor 100 (limestone) = 2115.
E1 = {
    "truck_ne": 60.0,
    "truck_cn6": 30.0,
    "truck_cn5": 25.0,
    "rail_station_ne": 600.0,
    "rail_station_diesel": 300.0,
    "rail_spur": 1000.0,
    "conveyor": 100.0,
}


def _row(rep, ent: str) -> dict:
    return rep.enterprises.set_index("enterprise_id").loc[ent].to_dict()


def test_changzhi_2024_by_hand(hand_db: Path) -> None:
    rep = report(hand_db, "2026-03", rules="changzhi-2024")
    e1 = _row(rep, "E1")
    for mode, t in E1.items():
        assert e1[f"t_{mode}"] == pytest.approx(t)
    assert e1["tonnes_total"] == pytest.approx(2115)
    assert e1["tonnes_in"] == pytest.approx(2090)
    assert e1["tonnes_out"] == pytest.approx(25)
    clean = 1000 + 600 + 60 + 100
    assert e1["tonnes_clean"] == pytest.approx(clean)
    assert e1["clean_ratio"] == pytest.approx(clean / 2115)
    assert e1["gap_tonnes"] == 0
    assert bool(e1["meets_target"])
    e2 = _row(rep, "E2")
    assert (e2["tonnes_total"], e2["clean_ratio"], e2["gap_tonnes"]) == pytest.approx((100, 0.0, 80.0))
    assert rep.city["clean_ratio"] == pytest.approx(clean / 2215)
    assert rep.city["gap_tonnes"] == pytest.approx(max(0, 0.8 * 2215 - clean))
    assert list(rep.enterprises["enterprise_id"]) == ["E1", "E2"]  # ranking
    assert rep.as_dict()["rulebook"]["name"] == "changzhi-2024"


def test_mee_steel_2019_by_hand(hand_db: Path) -> None:
    rep = report(hand_db, "2026-03", rules="mee-steel-2019")
    e1 = _row(rep, "E1")
    clean = 1000 + 600 + 100  # trucks, even new-energy ones, do not count
    assert e1["clean_ratio"] == pytest.approx(clean / 2115)
    # remaining road tonnage: truck_ne 60 + cn6 30 + station diesel 300 compliant, cn5 25 not
    assert e1["road_tonnes"] == pytest.approx(415)
    assert e1["road_compliance"] == pytest.approx(390 / 415)
    assert _row(rep, "E2")["road_compliance"] == 0.0


def test_mee_cement_2024_by_hand(hand_db: Path) -> None:
    rep = report(hand_db, "2026-03", rules="mee-cement-2024")
    e1 = _row(rep, "E1")
    assert e1["tonnes_total"] == pytest.approx(2090)  # coke is not a cement bulk commodity
    assert e1["tonnes_non_bulk"] == pytest.approx(25)
    assert e1["clean_ratio"] == pytest.approx(1700 / 2090)
    assert e1["ne_share_of_road"] == pytest.approx(60 / 390)
    assert e1["gap_tonnes"] == 0  # 1700 clean >= 0.8 x 2090: no shortfall for new-energy trucks to carry
    assert bool(e1["ne_shortfall_ok"])
    e2 = _row(rep, "E2")  # 100 t by China V: gap 80 t, of which new-energy trucks carry none
    assert (e2["gap_tonnes"], bool(e2["ne_shortfall_ok"])) == (pytest.approx(80), False)


def test_emissions_positive_and_ordered(hand_db: Path) -> None:
    rep = report(hand_db, "2026-03")
    e = rep.enterprises.set_index("enterprise_id")
    assert (e[["co2_t", "nox_kg", "pm25_kg"]] > 0).all().all()
    # per tonne, the China V trucks of E2 emit more NOx than E1's mostly-rail mix
    assert e.loc["E2", "nox_kg"] / 100 > e.loc["E1", "nox_kg"] / 2115


def test_other_period_is_empty(hand_db: Path) -> None:
    rep = report(hand_db, "2026-04")
    assert rep.enterprises.empty
    assert rep.city["clean_ratio"] is None


def test_plan_versus_actual_and_files(hand_db: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "enterprises": [
                    {"enterprise_id": "E1", "ratio_after": 0.9},
                    {"enterprise_id": "E2", "ratio_after": 0.5},
                ]
            }
        ),
        encoding="utf-8",
    )
    rep = report(hand_db, "2026-03", plan=plan)
    e = rep.enterprises.set_index("enterprise_id")
    assert e.loc["E1", "plan_delta"] == pytest.approx(1760 / 2115 - 0.9)
    assert e.loc["E2", "plan_delta"] == pytest.approx(-0.5)
    paths = write_report(rep, tmp_path / "out", lang="zh")
    assert all(p.exists() for p in paths)
    assert "清洁运输比例" in paths[1].read_text(encoding="utf-8-sig").splitlines()[0]
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    assert data["enterprises"][0]["enterprise_id"] == "E1"


def test_station_waybill_without_short_haul_is_not_clean(tmp_path: Path) -> None:
    db = tmp_path / "l.duckdb"
    rail = write(
        tmp_path / "r.csv",
        ["日期,企业编号,车站,货物名称,实际重量,发到,货票号", "2026-03-06,E7,长治北,原煤,500,到达,X1"],
    )
    gate = write(tmp_path / "g.csv", [GATE_HEADER, "20260306 080000,晋DD00009,,,,d,原煤,30,,出,,长治南站"])
    ingest(db, [rail, gate], enterprise="E7")
    e = report(db, "2026-03").enterprises.set_index("enterprise_id").loc["E7"]
    # in: waybill 500 t, no short-haul in -> diesel; out: short-haul without waybill -> gate tonnes count
    assert (e["t_rail_station_diesel"], e["t_rail_station_ne"], e["tonnes_total"]) == pytest.approx(
        (500, 30, 530)
    )


def test_trend_and_fell(tmp_path: Path) -> None:
    db = tmp_path / "l.duckdb"
    g = write(
        tmp_path / "g.csv",
        [
            GATE_HEADER,
            "20260201 080000,晋DD00001,,,,d,原煤,30,,进,,",
            "20260301 080000,晋DD00001,,,,d,原煤,30,,进,,",
            "20260302 080000,晋DA0001,,,,6,原煤,30,,进,,",
        ],
    )
    ingest(db, [g], enterprise="E1")
    res = trend(db, "2026-02", "2026-03")
    assert res.enterprises["clean_ratio"].tolist() == pytest.approx([1.0, 0.5])
    assert res.fell[["enterprise_id", "ratio_prev", "clean_ratio"]].values.tolist() == [["E1", 1.0, 0.5]]
    assert res.as_dict()["months"] == ["2026-02", "2026-03"]
