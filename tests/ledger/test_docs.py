"""The docs list every header the importer recognises, under the field name a mapping file uses."""

from __future__ import annotations

from pathlib import Path

from cleanfreight.ledger._readers import HEADER_ALIASES

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_header_alias_is_documented() -> None:
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[3]
        for line in (DOCS / "ledger.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `")
    }
    for field, aliases in HEADER_ALIASES.items():
        assert field in rows, f"field {field} missing from docs/ledger.md"
        documented = [a.strip() for a in rows[field].split(",")]
        assert documented == list(aliases), field


def test_the_mapping_field_is_stage() -> None:
    text = (DOCS / "ledger.md").read_text(encoding="utf-8")
    assert "排放阶段 `emission_stage`" not in text
    assert "排放阶段 `stage`" in text


def test_chinese_guide_is_linked_from_the_index() -> None:
    index = (DOCS / "zh" / "README.md").read_text(encoding="utf-8")
    assert "(analyst.md)" in index
    guide = (DOCS / "zh" / "analyst.md").read_text(encoding="utf-8")
    for command in ("ledger ingest", "ledger report", "ledger checks", "ledger trend", "ledger rejects"):
        assert command in guide


def test_the_guides_mapping_example_imports(tmp_path: Path) -> None:
    """The mapping file of docs/zh/analyst.md §4 works on an export made the way it describes."""
    import re

    from cleanfreight.ledger import ingest, report

    guide = (DOCS / "zh" / "analyst.md").read_text(encoding="utf-8")
    toml = re.search(r"```toml\n(# 映射\.toml.*?)```", guide, re.S)
    assert toml is not None
    mapping = tmp_path / "映射.toml"
    mapping.write_text(toml.group(1), encoding="utf-8")
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.create_sheet("台账")
    ws.append(["过车时刻", "车辆号牌", "国标", "能源种类", "货物名称", "实重", "进出标志"])
    ws.append(["2026-03-01 08:00", "晋D11111", "", "纯电动重卡", "原煤", 30000, ""])  # [stages], default 进
    ws.append(["2026-03-01 09:00", "晋D22222", "国Ⅵ(柴油)", "柴油", "原煤", 30000, "进"])  # [stages]
    ws.append(["2026-03-01 10:00", "晋D33333", "", "柴油", "原煤", 40000, "进"])  # [defaults] stage = 6
    xlsx = tmp_path / "导出.xlsx"
    wb.save(xlsx)
    res = ingest(tmp_path / "l.duckdb", [xlsx], enterprise="CZ11", mapping=mapping)
    assert (res.accepted, res.rejected) == (3, 0)
    e = report(tmp_path / "l.duckdb", "2026-03").enterprises.set_index("enterprise_id").loc["CZ11"]
    assert (e["t_truck_ne"], e["t_truck_cn6"]) == (30.0, 70.0)
