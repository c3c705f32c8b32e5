"""What the analyst reads, in her language: ingest and rejects output, checks.csv, trend.csv, the
report workbook (names next to ids, percentages, rounded tonnes, frozen header rows)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleanfreight.cli import app

runner = CliRunner()


def _csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_ingest_and_rejects_in_chinese(tmp_path: Path) -> None:
    lines = [
        "进出厂时间,车牌号码,排放阶段,运输货物名称,运输量(吨),进出方向",
        "2026-03-02 08:00:00,晋DA0001,国六,原煤,31.5,进",
        "2026-03-03 08:00:00,晋DA0003,国七,焦炭,28.0,出",
        "2026-03-03 09:00:00,晋DA0004,,焦炭,28.0,出",
        "合计,,,,120.0,",
    ]
    f = tmp_path / "cz09.csv"
    f.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    db = tmp_path / "l.duckdb"
    res = runner.invoke(
        app, ["ledger", "ingest", "--db", str(db), "--enterprise", "CZ09", str(f), "--lang", "zh"]
    )
    assert res.exit_code == 0, res.output
    assert "接收 1 行，拒收 2 行，重复 0 行，跳过合计行 1 行" in res.output
    assert "合计行为 120.0 吨，但明细行合计 87.5 吨" in res.output
    res = runner.invoke(app, ["ledger", "ingest", "--db", str(db), "--enterprise", "CZ09", str(f), "--json"])
    data = json.loads(res.stdout)
    assert (data["totals"], data["duplicates"], data["files"][0]["totals_tonnes"]) == (1, 1, 120.0)
    out = tmp_path / "rej.csv"
    res = runner.invoke(app, ["ledger", "rejects", "--db", str(db), "--lang", "zh", "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = _csv(out)
    assert rows[0] == ["文件", "行号", "列", "值", "原因", "类型", "导入批次"]
    assert rows[1][1:5] == [
        "3",
        "排放阶段",
        "国七",
        "排放阶段无法识别，应为 0–6、d（纯电动）、h（燃料电池）或 X（无）",
    ]
    assert rows[2][1:4] == ["4", "排放阶段", ""] and rows[2][4].startswith("缺少排放阶段")
    res = runner.invoke(app, ["ledger", "rejects", "--db", str(db), "--lang", "zh"])
    assert "[defaults] stage" in res.output  # not eaten as markup
    # English keeps the codes scripts read
    res = runner.invoke(app, ["ledger", "rejects", "--db", str(db), "--out", str(out)])
    assert _csv(out)[0][:5] == ["file_name", "src_row", "column_name", "value", "reason"]


def test_checks_csv_in_chinese_with_names(two_months: Path, tmp_path: Path) -> None:
    out = tmp_path / "checks.csv"
    res = runner.invoke(
        app,
        [
            "ledger",
            "checks",
            "--db",
            str(two_months),
            "--period",
            "2026-04",
            "--roster",
            "sample",
            "--lang",
            "zh",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    rows = _csv(out)
    assert rows[0] == [
        "核查项",
        "级别",
        "企业编号",
        "企业名称",
        "车牌号码",
        "日期",
        "记录数",
        "运量(吨)",
        "说明",
    ]
    cz26 = next(r for r in rows if r[2] == "CZ26" and r[0] == "未报送")
    assert cz26[1] == "警告" and cz26[3] == "示例钢铁一厂"
    assert cz26[5:8] == ["2026-04-01", "1", "300.0"]
    assert (
        cz26[8]
        == "2026-04：无门禁或计量记录（未报送）；按已报送月份平均约应有 300.0 吨；台账中有铁路货票 1 张（100.0 吨）"
    )
    overload = next(r for r in rows if r[0] == "载重超出合理范围")
    assert (overload[3], overload[8]) == ("示例焦化一厂", "最大载重 50.0 吨，超过合理载重 40 吨")
    assert "报送不完整" in res.output
    res = runner.invoke(app, ["ledger", "checks", "--db", str(two_months), "--period", "2026-04", "--json"])
    anomalies = json.loads(res.stdout)["anomalies"]
    nr = next(a for a in anomalies if a["check"] == "not_reported")  # codes and English stay in the JSON
    assert nr["detail"].startswith("2026-04: no gate or meter records (not reported)")


def test_trend_csv_marks_missing_months_and_compares_like_for_like(two_months: Path, tmp_path: Path) -> None:
    out = tmp_path / "trend.csv"
    res = runner.invoke(
        app,
        [
            "ledger",
            "trend",
            "--db",
            str(two_months),
            "--from",
            "2026-03",
            "--to",
            "2026-04",
            "--lang",
            "zh",
            "--out",
            str(out),
            "--roster",
            "sample",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "按两月均报送的 2 家企业同口径比较：50.0% → 50.0%" in res.output.replace("\n", "")
    rows = {(r[0], r[1]): r[2:] for r in _csv(out)}
    assert rows[("企业编号", "企业名称")] == ["2026-03", "2026-04"]
    assert rows[("CZ26", "示例钢铁一厂")] == ["0.0%", "未报送"]
    assert rows[("CZ01", "示例焦化一厂")] == ["50.0%", "50.0%"]
    assert rows[("全市", "清洁运输比例")] == ["25.0%", "62.5%"]
    assert rows[("报送情况", "已报送企业数")] == ["3/40", "2/40"]


def test_report_workbook(two_months: Path, tmp_path: Path) -> None:
    import openpyxl

    res = runner.invoke(
        app,
        [
            "ledger",
            "report",
            "--db",
            str(two_months),
            "--period",
            "2026-04",
            "--lang",
            "zh",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["city"]["coverage_complete"] is False
    assert payload["coverage"]["not_reported"] == [{"enterprise_id": "CZ26", "month": "2026-04"}]
    xlsx = next(Path(p) for p in payload["files"].values() if p.endswith(".xlsx"))
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["全市", "企业", "分运输方式", "报送情况", "未报送明细"]
    for ws in wb.worksheets[1:]:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert wb["全市"].freeze_panes == "A3"
    city = {r[0].value: r[1] for r in wb["全市"].iter_rows(min_row=3) if r[0].value}
    assert (city["清洁运输比例"].value, city["清洁运输比例"].number_format) == (0.625, "0.0%")
    assert (city["已报送企业数"].value, city["应报送企业数"].value) == (2, 3)
    assert city["运量报送率"].value == pytest.approx(0.5)
    assert any(str(k).startswith("报送不完整：1 个企业月份未报送") for k in city)
    ent = wb["企业"]
    header = [c.value for c in ent[1]]
    assert header[:6] == ["排名", "企业编号", "已报送", "清洁运输比例", "总运量(吨)", "清洁运量(吨)"]
    body = {r[1].value: r for r in ent.iter_rows(min_row=2)}
    assert body["CZ26"][2].value == "否" and body["CZ01"][2].value == "是"
    ratio, total = body["CZ01"][3], body["CZ01"][4]
    assert (ratio.value, ratio.number_format, total.value, total.number_format) == (0.5, "0.0%", 200, "#,##0")
    assert ent.conditional_formatting  # ratios coloured against the target
    miss = wb["未报送明细"]
    assert [c.value for c in miss[2]][:5] == ["CZ26", "2026-04", 300, 100, "已报送月份平均"]
    enterprises_csv = next(Path(p) for p in payload["files"].values() if p.endswith("_enterprises.csv"))
    rows = _csv(enterprises_csv)
    cz01 = rows[[r[1] for r in rows].index("CZ01")]
    assert cz01[:6] == ["2", "CZ01", "是", "50.0%", "200.0", "100.0"]
    # with the roster: names next to the ids, in the workbook and the CSV
    res = runner.invoke(
        app,
        [
            "ledger",
            "report",
            "--db",
            str(two_months),
            "--period",
            "2026-04",
            "--lang",
            "zh",
            "--out",
            str(tmp_path / "named"),
            "--roster",
            "sample",
        ],
    )
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(next((tmp_path / "named").glob("*.xlsx")))
    ent = wb["企业"]
    assert [c.value for c in ent[1]][:5] == ["排名", "企业编号", "企业名称", "企业名称(英文)", "行业"]
    body = {r[1].value: [c.value for c in r] for r in ent.iter_rows(min_row=2)}
    assert body["CZ01"][2:5] == ["示例焦化一厂", "Sample Coking Plant 1", "焦化"]
    assert [c.value for c in wb["分运输方式"][1]][:2] == ["企业编号", "企业名称"]
    assert wb["未报送明细"]["B2"].value == "示例焦化二厂"  # CZ03 of the roster, not reported


def test_workbook_text_is_never_a_formula(tmp_path: Path) -> None:
    """An enterprise id or cargo name that looks like a formula stays text in the workbook."""
    import openpyxl

    from cleanfreight.ledger import ingest, report, write_report
    from tests.ledger.conftest import GATE_HEADER, write

    f = write(tmp_path / "g.csv", [GATE_HEADER, "20260302 080000,晋DD00001,,,,d,原煤,30,,进,,"])
    db = tmp_path / "l.duckdb"
    ingest(db, [f], enterprise="=1+1")
    paths = write_report(report(db, "2026-03"), tmp_path / "out", "en", {"=1+1": '=HYPERLINK("x")'})
    wb = openpyxl.load_workbook(paths[3])
    row = [c.value for c in wb["Enterprises"][2]]
    assert row[1:3] == ["=1+1", '=HYPERLINK("x")']
    assert wb["Enterprises"]["B2"].data_type == "s"
