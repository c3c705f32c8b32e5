from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cleanfreight.cli import app

runner = CliRunner()


def test_ingest_report_checks_trend_rejects(hand_files: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    res = runner.invoke(
        app, ["ledger", "ingest", "--db", str(db), "--enterprise", "E1", str(hand_files["e1"]), "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert (data["accepted"], data["rejected"], data["duplicates"]) == (7, 0, 0)
    assert data["inputs"][0]["kind"] == "gate"
    assert data["files"] == data["inputs"]  # the older name, kept for users' scripts
    res = runner.invoke(
        app,
        ["ledger", "ingest", "--db", str(db), str(hand_files["rail"]), str(hand_files["meter"]), "--json"],
    )
    assert json.loads(res.stdout)["accepted"] == 3
    res = runner.invoke(
        app,
        [
            "ledger",
            "report",
            "--db",
            str(db),
            "--period",
            "2026-03",
            "--rules",
            "mee-steel-2019",
            "--json",
            "--out",
            str(tmp_path / "out"),
            "--lang",
            "zh",
        ],
    )
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["rulebook"]["name"] == "mee-steel-2019"
    assert abs(rep["city"]["clean_ratio"] - 1700 / 2115) < 1e-9
    ent = rep["enterprises"][0]
    assert {"enterprise_id", "tonnes_total", "tonnes_clean", "clean_ratio"} <= set(ent)
    assert len(rep["files"]) == 4
    res = runner.invoke(app, ["ledger", "checks", "--db", str(db), "--period", "2026-03", "--json"])
    assert res.exit_code == 0, res.output
    assert {a["check"] for a in json.loads(res.stdout)["anomalies"]} == {
        "missing_days"
    }  # coke stays in Shanxi
    res = runner.invoke(
        app, ["ledger", "trend", "--db", str(db), "--from", "2026-02", "--to", "2026-03", "--json"]
    )
    assert json.loads(res.stdout)["months"] == ["2026-03"]
    res = runner.invoke(app, ["ledger", "rejects", "--db", str(db), "--out", str(tmp_path / "rej.csv")])
    assert res.exit_code == 0
    assert (tmp_path / "rej.csv").read_text(encoding="utf-8-sig").startswith("file_name,src_row,column_name")


def test_bad_input_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("车牌号码\n晋D12345\n", encoding="utf-8")
    res = runner.invoke(app, ["ledger", "ingest", "--db", str(tmp_path / "x.duckdb"), str(bad)])
    assert res.exit_code == 2
    res = runner.invoke(
        app, ["ledger", "report", "--db", str(tmp_path / "none.duckdb"), "--period", "2026-03"]
    )
    assert res.exit_code == 2
    res = runner.invoke(app, ["ledger", "report", "--db", str(tmp_path / "x.duckdb"), "--period", "March"])
    assert res.exit_code == 2


def test_ingest_a_folder_and_reject_a_foreign_database(hand_files: dict[str, Path], tmp_path: Path) -> None:
    import duckdb

    db = tmp_path / "f.duckdb"
    folder = hand_files["rail"].parent
    res = runner.invoke(
        app, ["ledger", "ingest", "--db", str(db), "--enterprise", "E1", str(folder), "--json"]
    )
    assert res.exit_code == 0, res.output
    assert [Path(f["file"]).name for f in json.loads(res.stdout)["files"]] == [
        "e1_gate.csv",
        "e2_gate.csv",
        "meter.csv",
        "rail.csv",
    ]
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (x INTEGER)").close()
    res = runner.invoke(app, ["ledger", "report", "--db", str(other), "--period", "2026-03"])
    assert res.exit_code == 2
    assert "not a cleanfreight ledger" in res.output


def test_split_in_and_out_exports_take_direction_from_the_command(tmp_path: Path) -> None:
    """Gate systems often export 进厂 and 出厂 separately, with no direction column: --direction names it."""
    header = "进出厂时间,车牌号码,排放阶段,运输货物名称,运输量\n"
    gate_in = tmp_path / "进厂记录.csv"
    gate_in.write_bytes((header + "2026-03-01 08:00,晋D12345,国六,煤炭,abc\n2026-03-01 09:00,晋D12346,国9,焦炭,30\n"
                         "2026-03-01 10:00,晋D12347,电动,煤炭,31.5\n").encode("gbk"))
    gate_out = tmp_path / "出厂记录.csv"
    gate_out.write_text(header + "2026-03-02 08:00,晋D12345,6,焦炭,33\n", encoding="utf-8")
    db = str(tmp_path / "d.duckdb")
    res = runner.invoke(app, ["ledger", "ingest", "--db", db, "--enterprise", "E1", str(gate_in)])
    assert res.exit_code == 2 and "(or give --direction)" in res.output
    res = runner.invoke(app, ["ledger", "ingest", "--db", db, "--enterprise", "E1", "--direction", "sideways",
                              str(gate_in)])
    assert res.exit_code == 2 and "unknown direction 'sideways'" in res.output
    res = runner.invoke(app, ["ledger", "ingest", "--db", db, "--enterprise", "E1", "--direction", "进", str(gate_in),
                              "--json"])
    assert res.exit_code == 0, res.output
    assert (json.loads(res.stdout)["accepted"], json.loads(res.stdout)["rejected"]) == (1, 2)
    res = runner.invoke(app, ["ledger", "ingest", "--db", db, "--enterprise", "E1", "--direction", "out",
                              str(gate_out), "--json"])
    assert json.loads(res.stdout)["accepted"] == 1
    import duckdb

    with duckdb.connect(db, read_only=True) as con:
        got = con.execute("SELECT direction, tonnes FROM records ORDER BY ts").fetchall()
    assert got == [("in", 31.5), ("out", 33.0)]
    # the rejected rows, shown without --out: file, row, column, value, reason
    res = runner.invoke(app, ["ledger", "rejects", "--db", db, "--json"])
    rej = json.loads(res.stdout)
    assert (rej["problems"], rej["rows"]) == (2, 2)
    assert [(r["src_row"], r["column_name"], r["value"]) for r in rej["rejects"]] == [
        (2, "tonnes", "abc"), (3, "stage", "国9")
    ]
    res = runner.invoke(app, ["ledger", "rejects", "--db", db])
    assert res.exit_code == 0 and "2 problem(s) in 2 rejected row(s)" in res.output and "国9" in res.output


def test_a_ledger_in_use_by_another_program_says_so(hand_files: dict[str, Path], tmp_path: Path) -> None:
    import subprocess
    import sys

    db = tmp_path / "busy.duckdb"
    res = runner.invoke(app, ["ledger", "ingest", "--db", str(db), "--enterprise", "E1", str(hand_files["e1"])])
    assert res.exit_code == 0, res.output
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({str(db)!r}); print('ok', flush=True); "
                               "time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        res = runner.invoke(app, ["ledger", "report", "--db", str(db), "--period", "2026-03"])
        assert res.exit_code == 2
        assert f"is in use by another program (process {holder.pid})" in res.output
        assert "Traceback" not in res.output
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_report_and_trend_tables_in_chinese(hand_files: dict[str, Path], tmp_path: Path) -> None:
    db = str(tmp_path / "zh.duckdb")
    runner.invoke(app, ["ledger", "ingest", "--db", db, "--enterprise", "E1", str(hand_files["e1"])])
    res = runner.invoke(app, ["ledger", "report", "--db", db, "--period", "2026-03", "--lang", "zh"])
    assert res.exit_code == 0, res.output
    assert "清洁运输比例" in res.output and "距目标缺口(吨)" in res.output and "clean_ratio" not in res.output
    assert "%" in res.output.split("E1", 1)[1].splitlines()[0]  # ratios shown as percentages
    res = runner.invoke(app, ["ledger", "trend", "--db", db, "--from", "2026-03", "--to", "2026-03", "--lang", "zh"])
    assert res.exit_code == 0, res.output
    assert "全市" in res.output and "企业编号" in res.output


def test_checks_in_chinese_keep_the_codes_in_json(hand_files: dict[str, Path], tmp_path: Path) -> None:
    db = str(tmp_path / "c.duckdb")
    runner.invoke(app, ["ledger", "ingest", "--db", db, "--enterprise", "E1", str(hand_files["e1"])])
    res = runner.invoke(app, ["ledger", "checks", "--db", db, "--period", "2026-03", "--lang", "zh"])
    assert res.exit_code == 0, res.output
    assert "台账核查" in res.output and "无记录日期" in res.output and "警告" in res.output
    res = runner.invoke(app, ["ledger", "checks", "--db", db, "--period", "2026-03", "--lang", "zh", "--json"])
    assert {a["check"] for a in json.loads(res.stdout)["anomalies"]} == {"missing_days", "short_haul_without_waybill"}
