"""No output turns user text into a spreadsheet formula, and JSON outputs stay valid JSON.

Every XLSX writer goes through ``cleanfreight._io.xlsx_workbook`` / ``excel_writer`` and every CSV
writer through ``write_csv``; these tests open what each writer produced and look for formula cells.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanfreight._io import json_text, neutralise_cell, neutralise_frame, write_csv
from cleanfreight.cli import app

EVIL = "=cmd|'/C calc'!A1"
runner = CliRunner()


def formula_cells(path: Path) -> list[str]:
    """``sheet!cell`` of every formula cell of a workbook (``data_type == 'f'``)."""
    wb = openpyxl.load_workbook(path)  # not read-only, not data_only: formulas are seen as such
    return [
        f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]


def all_strings(path: Path) -> set[str]:
    wb = openpyxl.load_workbook(path)
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 351 1234", "'+86 351 1234"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.5", "-12.5"),  # a plain number written as text stays a number
        ("-1,234.5", "-1,234.5"),
        ("1e5", "1e5"),
        ("-", "-"),
        ("晋D12345", "晋D12345"),
        (3.5, 3.5),
        (None, None),
    ],
)
def test_neutralise_cell(value: object, expected: object) -> None:
    assert neutralise_cell(value) == expected


def test_write_csv_neutralises_cells_and_labels(tmp_path: Path) -> None:
    frame = pd.DataFrame({"enterprise_id": ["=1+1", "E2"], "=HYPERLINK()": ["@x", "ok"], "tonnes": [-5.0, 2.0]})
    write_csv(frame, tmp_path / "t.csv", index=False)
    back = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["enterprise_id", "'=HYPERLINK()", "tonnes"]
    assert back["enterprise_id"].tolist() == ["'=1+1", "E2"]
    assert back["'=HYPERLINK()"].tolist() == ["'@x", "ok"]
    assert back["tonnes"].tolist() == ["-5.0", "2.0"]  # numbers untouched
    assert frame.at[0, "enterprise_id"] == "=1+1"  # the caller's frame is not changed
    idx = neutralise_frame(pd.DataFrame({"r": [0.5]}, index=["+E1"]))
    assert list(idx.index) == ["'+E1"]


def test_json_text_has_no_bare_nan() -> None:
    text = json_text({"a": float("nan"), "b": [np.float64("inf"), 1.5], "c": {"d": -np.inf}})
    assert json.loads(text) == {"a": None, "b": [None, 1.5], "c": {"d": None}}
    assert "NaN" not in text and "Infinity" not in text


def test_ledger_report_keeps_an_enterprise_id_from_a_gate_export_as_text(tmp_path: Path) -> None:
    from cleanfreight.ledger import ingest, report
    from cleanfreight.ledger.report import write_report

    gate = tmp_path / "gate.csv"
    gate.write_text(
        "进出厂时间,车牌号码,排放阶段,运输货物名称,运输量,进出方向,企业编号\n"
        "20260302 080000,晋DD00001,d,原煤,30,进,=1+1\n"
        f"20260302 090000,晋DD00002,6,原煤,20,进,\"{EVIL}\"\n",
        encoding="utf-8",
    )
    db = tmp_path / "l.duckdb"
    res = ingest(db, [gate])
    assert res.accepted == 2
    paths = write_report(report(db, "2026-03"), tmp_path / "out")
    xlsx = next(p for p in paths if p.suffix == ".xlsx")
    assert formula_cells(xlsx) == []
    assert {"=1+1", EVIL.upper()} <= all_strings(xlsx)  # enterprise ids are stored upper case
    ent_csv = next(p for p in paths if p.name.endswith("_enterprises.csv"))
    cells = set(pd.read_csv(ent_csv, dtype=str, encoding="utf-8-sig", keep_default_na=False).to_numpy().ravel())
    assert {"'=1+1", "'" + EVIL.upper()} <= cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not c[1:2].isdigit() and c != "-")]
    # the rejects export and the JSON printout
    out = runner.invoke(app, ["ledger", "rejects", "--db", str(db), "--json"])
    assert out.exit_code == 0, out.output
    json.loads(out.stdout)


def test_workbook_title_and_names_stay_text(tmp_path: Path) -> None:
    from cleanfreight.reports.options import ReportOptions
    from cleanfreight.reports.workbook import write_workbook

    ent = pd.DataFrame(
        {"enterprise_id": ["=1+1", "E2"], "name_zh": [EVIL, "乙"], "tonnes_total": [100.0, 50.0],
         "clean_ratio": [0.5, 0.9]}
    )
    path = write_workbook(tmp_path / "b.xlsx", ent, options=ReportOptions(lang="en", title="=2+2"))
    assert formula_cells(path) == []
    assert {"=1+1", EVIL, "=2+2"} <= all_strings(path)


def test_plan_xlsx_and_csv_keep_an_enterprise_name_as_text(tmp_path: Path) -> None:
    from cleanfreight.planning import PlanParams, solve_plan, write_plan
    from tests.planning.conftest import make_tiny

    def edit(f: dict[str, pd.DataFrame]) -> None:
        f["enterprises"].loc[0, "name_zh"] = EVIL

    problem = make_tiny(edit=edit)
    result = solve_plan(problem, PlanParams())
    files = write_plan(result, tmp_path, problem=problem, lang="zh")
    assert formula_cells(files["plan.xlsx"]) == []
    assert EVIL in all_strings(files["plan.xlsx"])
    text = files["enterprises.csv"].read_text(encoding="utf-8")
    assert "'" + EVIL in text
    assert json.loads(files["plan.json"].read_text(encoding="utf-8"))
