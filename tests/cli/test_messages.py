"""Messages and help texts reach the user as written: rich markup never swallows a ``[word]``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cleanfreight.cli import app


def test_error_keeps_bracketed_words(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[exact]\nx = 1\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["plan", "--scenario", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "column 'exact': unknown section" in res.output


def test_help_keeps_bracketed_words() -> None:
    res = CliRunner().invoke(app, ["plan", "--help"], terminal_width=200)
    assert res.exit_code == 0
    assert "[data]" in res.output
