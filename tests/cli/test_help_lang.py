"""The help in Chinese with --lang zh or CLEANFREIGHT_LANG=zh; in English otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cleanfreight.cli import app

runner = CliRunner()
EN = {"CLEANFREIGHT_LANG": ""}


def test_plan_help_follows_the_environment() -> None:
    zh = runner.invoke(app, ["plan", "--help"], env={"CLEANFREIGHT_LANG": "zh"})
    assert zh.exit_code == 0, zh.output
    assert "为每个企业的货流分配运输链" in zh.output and "显示本帮助并退出" in zh.output
    assert "情景文件" in zh.output  # the options too
    en = runner.invoke(app, ["plan", "--help"], env=EN)
    assert en.exit_code == 0, en.output
    assert "Plan the assignment of every enterprise flow" in en.output
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en.output)


def test_lang_zh_on_the_command_line() -> None:
    res = runner.invoke(app, ["ledger", "report", "--help", "--lang", "zh"], env=EN)
    assert res.exit_code == 0 and "统计期内各企业及全市的清洁运输比例" in res.output
    res = runner.invoke(app, ["--lang", "zh", "--help"], env=EN)
    assert res.exit_code == 0 and "规划并监测清洁大宗货物运输" in res.output and "门禁记录台账" in res.output
    assert "Plan and monitor" in runner.invoke(app, ["--help"], env=EN).output


def test_the_installed_command_reads_cleanfreight_lang() -> None:
    exe = Path(sys.executable).with_name("cleanfreight")
    env = {**os.environ, "CLEANFREIGHT_LANG": "zh"}
    res = subprocess.run([str(exe), "plan", "--help"], capture_output=True, text=True, env=env, check=False)
    assert res.returncode == 0 and "为每个企业的货流分配运输链" in res.stdout
    env["CLEANFREIGHT_LANG"] = "en"
    res = subprocess.run([str(exe), "plan", "--help"], capture_output=True, text=True, env=env, check=False)
    assert "Plan the assignment" in res.stdout


def test_an_unknown_help_language_is_refused() -> None:
    res = runner.invoke(app, ["--lang", "fr", "demo", "--help"], env=EN)
    assert res.exit_code == 2 and "fr" in res.output


def test_every_command_has_its_description_in_chinese() -> None:
    from typer.main import get_command

    from cleanfreight.cli._help_zh import COMMANDS

    def paths(cmd: object, prefix: str = "") -> list[str]:
        subs = getattr(cmd, "commands", {})
        return [prefix.strip(), *(p for name, sub in subs.items() for p in paths(sub, f"{prefix} {name}"))]

    missing = sorted(set(paths(get_command(app))) - set(COMMANDS))
    assert missing == []  # add the new command's description to cli/_help_zh.py
