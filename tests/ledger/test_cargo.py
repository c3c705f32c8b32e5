"""Cargo mapping files (TOML / YAML / CSV) merged over the built-in cargo rules."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cleanfreight.cli import app
from cleanfreight.errors import InputError
from cleanfreight.ledger import CargoMap, ingest, load_cargo_map, open_ledger, recode_cargo, run_checks
from cleanfreight.ledger.cargo import builtin_commodity
from tests.ledger.conftest import GATE_HEADER, write

TOML = """
# cargo names of one steel works
[exact]
"PB粉" = "iron_ore"
"矿渣粉" = "水泥"        # a Chinese word the built-in rules know: cement
[contains]
"纽曼" = "iron_ore"
"萤石" = "other_bulk"
"""

YAML = """
exact:
  PB粉: iron_ore
  矿渣粉: cement
contains:
  纽曼: 铁矿石
  萤石: other_bulk
"""

CSV = [
    "# 货物名称对照表",
    "货物名称,货物类别,匹配方式",
    "ＰＢ粉,iron_ore,精确",
    "矿渣粉,cement,",
    "纽曼,iron_ore,包含",
    "萤石,other_bulk,contains",
]

#: cargo name -> (built-in commodity, commodity with the map)
CASES = {
    "PB粉": ("other", "iron_ore"),
    "pb粉": ("other", "iron_ore"),  # case and full-width letters do not matter
    "矿渣粉": ("slag", "cement"),  # the map wins over the built-in rules
    "纽曼块矿": ("other", "iron_ore"),
    "萤石精粉": ("iron_ore", "other_bulk"),  # user substrings before the built-in 精粉 rule
    "原煤": ("coal", "coal"),  # untouched names keep the built-in rules
    "包装袋": ("other", "other"),  # still unknown
}


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cargo")
    (d / "map.toml").write_text(TOML, encoding="utf-8")
    (d / "map.yaml").write_text(YAML, encoding="utf-8")
    write(d / "map.csv", CSV, encoding="gbk")
    return {s: d / f"map.{s}" for s in ("toml", "yaml", "csv")}


@pytest.fixture(scope="module")
def gate_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cargo_gate")
    rows = [GATE_HEADER]
    for i, name in enumerate(CASES):
        rows.append(f"2026031{i} 080000,晋DF000{i},,,,6,{name},30,,进,,")
    return write(d / "gate.csv", rows)


@pytest.mark.parametrize("fmt", ["toml", "yaml", "csv"])
def test_three_formats_give_the_same_map(maps: dict[str, Path], fmt: str) -> None:
    cmap = load_cargo_map(maps[fmt])
    assert len(cmap) == 4
    for name, (builtin, mapped) in CASES.items():
        assert builtin_commodity(name) == builtin, name
        assert cmap.commodity(name) == mapped, name


def test_sql_twin_matches_python(maps: dict[str, Path]) -> None:
    cmap = load_cargo_map(maps["toml"])
    con = duckdb.connect()
    con.execute("CREATE TABLE v (i INTEGER, x VARCHAR)")
    con.executemany("INSERT INTO v VALUES (?, ?)", list(enumerate(CASES)))
    got = [r[0] for r in con.execute(f"SELECT {cmap.sql('x')} FROM v ORDER BY i").fetchall()]
    assert got == [m for _, m in CASES.values()]


def test_ingest_with_map_and_unknown_still_flagged(
    maps: dict[str, Path], gate_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "l.duckdb"
    ingest(db, [gate_file], enterprise="E1", cargo_map=maps["csv"])
    con = open_ledger(db, read_only=True)
    got = dict(con.execute("SELECT cargo, commodity FROM records").fetchall())
    con.close()
    assert got == {name: mapped for name, (_, mapped) in CASES.items()}
    anomalies = run_checks(db, "2026-03")
    unknown = anomalies[anomalies["check"] == "unknown_cargo"]
    assert list(unknown["detail"]) == ["cargo not mapped to a bulk commodity: 包装袋"]


def test_recode_then_reimport_stays_idempotent(
    maps: dict[str, Path], gate_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "l.duckdb"
    rail = write(
        tmp_path / "rail.csv",
        [
            "日期,企业编号,车站,货物名称,实际重量,发到",
            "2026-03-12,E1,长治北,PB粉,600,到达",
        ],  # no waybill number
    )
    ingest(db, [gate_file, rail], enterprise="E1")
    assert len(run_checks(db, "2026-03").query("check == 'unknown_cargo'")) == 4
    changes = recode_cargo(db, maps["toml"])
    assert changes == {"other -> iron_ore": 4, "slag -> cement": 1, "iron_ore -> other_bulk": 1}
    assert len(run_checks(db, "2026-03").query("check == 'unknown_cargo'")) == 1
    again = ingest(db, [gate_file, rail], enterprise="E1", cargo_map=maps["toml"])
    assert (again.accepted, again.duplicates) == (0, len(CASES) + 1)
    assert recode_cargo(db, maps["toml"]) == {}


def test_every_problem_of_a_bad_map_is_listed(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.csv",
        [
            "cargo,commodity,match",
            "PB粉,iron,exact",  # line 2: unknown commodity
            ",coal,exact",  # line 3: empty name
            "纽曼,iron_ore,maybe",  # line 4: bad match
            "矿渣粉,slag,exact",
            "矿渣粉,cement,exact",  # line 6: conflicting duplicate
        ],
    )
    with pytest.raises(InputError) as err:
        load_cargo_map(bad)
    assert [(p.row, p.column) for p in err.value.problems] == [
        (2, "commodity"),
        (3, "cargo"),
        (4, "match"),
        (6, "cargo"),
    ]
    (tmp_path / "bad.toml").write_text(
        '[exact]\n"PB粉" = "ore"  # a word the built-in rules know: iron_ore\n[other]\nx = 1\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_cargo_map(tmp_path / "bad.toml")
    assert [p.column for p in err.value.problems] == ["other"]
    with pytest.raises(InputError) as err:
        CargoMap(exact={"PB粉": "ore", " ": "coal"})
    assert [(p.column, p.value) for p in err.value.problems] == [("exact", "ore"), ("exact", None)]


def test_cli_cargo_map_and_recode(maps: dict[str, Path], gate_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    db = tmp_path / "cli.duckdb"
    args = ["ledger", "ingest", "--db", str(db), "--enterprise", "E1", str(gate_file), "--json"]
    res = runner.invoke(app, [*args, "--cargo-map", str(maps["yaml"])])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["accepted"] == len(CASES)
    res = runner.invoke(
        app, ["ledger", "recode", "--db", str(db), "--cargo-map", str(maps["toml"]), "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == {"changed": 0, "changes": {}}
    (tmp_path / "bad.toml").write_text('[exact]\n"PB粉" = "金属"\n', encoding="utf-8")
    res = runner.invoke(app, [*args, "--cargo-map", str(tmp_path / "bad.toml")])
    assert res.exit_code == 2
    assert "unknown commodity" in res.output
    res = runner.invoke(
        app, ["ledger", "recode", "--db", str(tmp_path / "nope.duckdb"), "--cargo-map", str(maps["toml"])]
    )
    assert res.exit_code == 2
