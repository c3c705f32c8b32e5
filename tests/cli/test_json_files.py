"""One shape for the files a command wrote in its ``--json`` (``{"files": {name: path}}``), and ``--out``
always a folder (``--file`` where one file is meant; an ``--out FILE.csv`` still works, with a warning)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleanfreight.cli import app

runner = CliRunner()


@pytest.mark.parametrize(("command", "name"), [("rejects", "rejects.csv"), ("checks", "checks.csv")])
def test_out_is_a_folder_and_the_json_names_the_file(
    command: str, name: str, hand_db: Path, tmp_path: Path
) -> None:
    res = runner.invoke(app, ["ledger", command, "--db", str(hand_db), "--out", str(tmp_path / "o"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["files"] == {name: str(tmp_path / "o" / name)}
    assert (tmp_path / "o" / name).is_file()


def test_file_names_one_file_and_the_old_out_file_still_works(hand_db: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["ledger", "trend", "--db", str(hand_db), "--from", "2026-03", "--to", "2026-03",
                              "--file", str(tmp_path / "t.csv"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["files"] == {"t.csv": str(tmp_path / "t.csv")}
    res = runner.invoke(app, ["ledger", "rejects", "--db", str(hand_db), "--out", str(tmp_path / "old.csv")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "old.csv").is_file()
    assert "deprecated" in res.stderr and "--file" in res.stderr


def test_the_report_json_names_its_files(hand_db: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["ledger", "report", "--db", str(hand_db), "--period", "2026-03",
                              "--out", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    files = json.loads(res.stdout)["files"]
    assert isinstance(files, dict) and len(files) == 4
    assert all(Path(p).name == name and Path(p).is_file() for name, p in files.items())
