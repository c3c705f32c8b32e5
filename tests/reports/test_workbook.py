"""The Excel workbook read back with openpyxl: sheets, headers, values, formats, colours, frozen header."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cleanfreight.reports import ReportOptions, write_workbook


@pytest.fixture(scope="module")
def zh_book(
    enterprises: pd.DataFrame,
    monthly: pd.DataFrame,
    zh_options: ReportOptions,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    plan = pd.DataFrame(
        {
            "enterprise_id": ["E2", "E5"],
            "ratio_before": [0.5, 0.2],
            "ratio_after": [0.85, 0.6],
            "shortfall_reason": ["", "站点能力不足 station capacity"],
        }
    )
    path = tmp_path_factory.mktemp("xlsx") / "workbook.xlsx"
    return write_workbook(path, enterprises, monthly=monthly, plan=plan, options=zh_options)


def _rules(ws: object) -> list[tuple[str, str, list[str]]]:
    out = []
    for rng in ws.conditional_formatting:  # type: ignore[attr-defined]
        for rule in rng.rules:
            out.append((str(rng.sqref), rule.operator, list(rule.formula)))
    return out


def test_sheets_and_chinese_headers(zh_book: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(zh_book)
    assert wb.sheetnames == ["汇总", "企业", "月度", "规划"]
    ws = wb["企业"]
    headers = [c.value for c in ws[1]]
    assert headers == [
        "编号",
        "中文名称",
        "英文名称",
        "运量(吨)",
        "清洁运量(吨)",
        "清洁运输比例",
        "距目标缺口(吨)",
        "是否达标",
    ]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H6"
    assert ws.column_dimensions["F"].width > 10


def test_enterprise_values_and_formats(zh_book: Path) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(zh_book)["企业"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["E5", "E2", "E3", "E4", "E1"]  # lowest ratio first
    e5 = rows[0]
    assert e5[1] == "丁物流园" and e5[3] == 500_000 and e5[4] == pytest.approx(100_000)
    assert e5[5] == pytest.approx(0.2) and e5[6] == pytest.approx(300_000) and e5[7] == "否"
    assert rows[3][7] == "是"  # E4 exactly at 80 %
    assert rows[4][1] == "<script>alert(1)</script>"  # stored as plain text
    assert ws["F2"].number_format == "0.0%"
    assert ws["D2"].number_format == "#,##0"
    assert ws["A1"].font.b
    rules = _rules(ws)
    assert ("F2:F6", "greaterThanOrEqual", ["0.8"]) in rules
    assert ("F2:F6", "lessThan", ["0.65"]) in rules
    assert any(r[0] == "F2:F6" and r[1] == "between" for r in rules)


def test_summary_monthly_and_plan(zh_book: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(zh_book)
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=3, max_col=2, values_only=True) if r[0]}
    assert summary["全市清洁运输比例"] == pytest.approx(2 / 3)
    assert summary["达标企业数"] == 2
    assert summary["核算规则"] == "changzhi-2024"
    assert summary["总运量(吨)"] == pytest.approx(10_500_000)
    assert wb["汇总"]["B5"].number_format == "0.0%"

    ws = wb["月度"]
    assert [c.value for c in ws[1]] == ["编号", "名称", "2025-01", "2025-02", "2025-03"]
    city = [c.value for c in ws[2]]
    assert city[0] == "全市"
    assert city[2:] == pytest.approx([2 / 3 - 0.1, 2 / 3 - 0.05, 2 / 3])
    assert ws.freeze_panes == "C2"
    assert ws["C3"].number_format == "0.0%"
    assert ("C2:E7", "greaterThanOrEqual", ["0.8"]) in _rules(ws)

    plan = wb["规划"]
    assert [c.value for c in plan[1]] == [
        "编号",
        "中文名称",
        "英文名称",
        "运量(吨)",
        "规划前比例",
        "规划后比例",
        "未达标原因",
    ]
    assert plan["A3"].value == "E5" and plan["F3"].value == pytest.approx(0.6)
    assert plan["G3"].value == "站点能力不足 station capacity"


def test_english_workbook_without_monthly_or_plan(enterprises: pd.DataFrame, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_workbook(tmp_path / "en.xlsx", enterprises, options=ReportOptions(lang="en"))
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "Enterprises", "Monthly", "Plan"]
    assert wb["Enterprises"]["F1"].value == "Clean ratio"
    assert "No monthly records" in wb["Monthly"]["A2"].value
    assert "No plan given" in wb["Plan"]["A2"].value
