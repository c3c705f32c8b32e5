"""The rulebook's policy in the monthly report: coal and coke leaving Shanxi by road are not clean and keep
an enterprise from the target; a new-energy truck to another province is not short-haul."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight.ledger import ingest, report


@pytest.fixture(scope="module")
def coke_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("policy")
    csv = d / "cz12_出厂.csv"
    # 3 China VI trucks of coke to Hebei (90 t), 2 electric trucks of coke to Hebei (60 t),
    # 5 electric trucks of coke to a steel works in Changzhi (150 t): 300 t out in March
    rows = ["过磅时间,车号,排放标准,品名,净重(kg),收货单位"]
    rows += [f"2026-03-0{i + 1} 08:00,晋DK100{i},国六,冶金焦,30000,河北某钢铁集团有限公司" for i in range(3)]
    rows += [f"2026-03-0{i + 1} 09:00,晋DD{i}0001,电动,冶金焦,30000,河北某钢铁集团有限公司" for i in range(2)]
    rows += [f"2026-03-1{i} 10:00,晋DD{i}0002,电动,冶金焦,30000,首钢长治钢铁有限公司" for i in range(5)]
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    db = d / "l.duckdb"
    res = ingest(db, [csv], enterprise="CZ12", direction="出")
    assert res.files[0].accepted == 10
    return db


def test_city_rule_counts_only_short_haul_inside_the_province(coke_db: Path) -> None:
    e = report(coke_db, "2026-03", rules="changzhi-2024").enterprises.set_index("enterprise_id").loc["CZ12"]
    assert e["tonnes_total"] == pytest.approx(300)
    # only the 150 t by electric truck to Changzhi count: those to Hebei leave the province by road
    assert e["clean_ratio"] == pytest.approx(0.5)
    assert e["tonnes_out_of_province_rail_only"] == pytest.approx(150)
    assert e["tonnes_out_of_province_by_rail"] == 0.0
    assert e["tonnes_ne_long_haul"] == pytest.approx(60)
    assert not e["out_of_province_ok"] and not e["meets_target"]


def test_a_rulebook_without_the_rules_reads_the_old_way(coke_db: Path, tmp_path: Path) -> None:
    from cleanfreight.accounting import load_rulebook

    src = Path(load_rulebook("changzhi-2024").path).read_text(encoding="utf-8")
    lax = tmp_path / "lax.toml"
    lax.write_text(
        src.replace('out_of_province_rule = "enforce"', 'out_of_province_rule = "report"').replace(
            'beyond_short_haul = "not_clean"', 'beyond_short_haul = "clean"'
        ),
        encoding="utf-8",
    )
    e = report(coke_db, "2026-03", rules=str(lax)).enterprises.set_index("enterprise_id").loc["CZ12"]
    assert e["clean_ratio"] == pytest.approx(210 / 300)  # every electric truck counts
    assert e["meets_clean_ratio"] == e["meets_target"]
