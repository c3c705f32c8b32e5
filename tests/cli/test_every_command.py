"""Every command the tool has: it takes --lang (validated: exit 2 on an unknown language before any work)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from cleanfreight.cli import app

runner = CliRunner()


def _commands(cmd: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    subs = getattr(cmd, "commands", None)
    if subs:
        for name, sub in subs.items():
            yield from _commands(sub, (*prefix, name))
    else:
        yield prefix, cmd


COMMANDS = dict(_commands(get_command(app)))


def test_the_tool_has_the_commands_users_script() -> None:
    names = {" ".join(k) for k in COMMANDS}
    assert names >= {"demo", "baseline", "plan", "dispatch", "brief", "map", "network info", "network matrix",
                     "ledger ingest", "ledger report", "ledger checks", "ledger trend", "ledger rejects",
                     "ledger recode", "ledger sample"}


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_command_takes_lang(path: tuple[str, ...]) -> None:
    opts = {o for p in COMMANDS[path].params for o in getattr(p, "opts", [])}
    assert "--lang" in opts


@pytest.mark.parametrize("path", [("ledger", "recode"), ("ledger", "sample"), ("network", "matrix"),
                                  ("network", "info")], ids=" ".join)
def test_an_unknown_language_is_refused(path: tuple[str, ...], tmp_path: Any) -> None:
    needed = {
        ("ledger", "recode"): ["--db", str(tmp_path / "l.duckdb"), "--cargo-map", str(tmp_path / "m.toml")],
        ("ledger", "sample"): ["--out", str(tmp_path / "s")],
        ("network", "matrix"): ["--roads", str(tmp_path / "r.osm"), "--points", str(tmp_path / "p.csv"),
                                "--out", str(tmp_path / "m.csv")],
        ("network", "info"): [str(tmp_path / "r.osm")],
    }[path]
    res = runner.invoke(app, [*path, *needed, "--lang", "fr"])
    assert res.exit_code == 2
    assert "fr" in res.output
