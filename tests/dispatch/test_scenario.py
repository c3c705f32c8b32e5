"""Scenario files: clock parsing, sample-pack lookups, every problem listed with file/row/field."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight.dispatch import load_scenario, parse_clock, parse_window
from cleanfreight.errors import InputError


def test_clock_and_window_parsing() -> None:
    assert parse_clock("06:30") == 390
    assert parse_clock("24:00") == 1440
    assert parse_window("07:00-21:00") == (420, 1260)
    assert parse_window("all") == (0, 1440)
    for bad in ("7", "25:00", "06:60", "x:y"):
        with pytest.raises(ValueError):
            parse_clock(bad)
    with pytest.raises(ValueError, match="cross midnight"):
        parse_window("22:00-06:00")


def test_sample_scenario_resolves_ids_from_the_sample_pack(sample_scenario) -> None:  # type: ignore[no-untyped-def]
    sites = {s.id: s for s in sample_scenario.sites}
    assert (sites["CZB"].lon, sites["CZB"].lat) == (113.1, 36.25)  # data/network/stations.csv
    assert sites["CZB"].kind == "station" and sites["CZ23"].kind == "depot"
    assert sites["CZ"].banned == (420, 1260)
    st = {e.id: e for e in sample_scenario.energy_stations}
    assert st["SW01"].kind == "swap" and st["SW09"].kind == "charge" and st["SW09"].power_kw == 240
    assert sample_scenario.places[: len(sites)] == tuple(s.id for s in sample_scenario.sites)


def test_every_problem_is_listed_with_row_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        """
[scenario]
name = "bad"
[solver]
time_limit_s = -5
[[sites]]
id = "D"
kind = "depot"
lon = 200
lat = 36
[[sites]]
id = "A"
kind = "warehouse"
lon = 113
lat = 36
hours = "25:00-26:00"
[[truck_types]]
id = "T"
powertrain = "steam"
count = 2
depot = "D"
payload_t = 31
[[loads]]
id = "L1"
from = "A"
to = "D"
tonnes = -3
colour = "red"
""",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_scenario(bad)
    found = {(p.row, p.column) for p in err.value.problems}
    assert (1, "sites.lon") in found
    assert (2, "sites.kind") in found
    assert (2, "hours") in found
    assert (1, "truck_types.powertrain") in found
    assert (1, "loads.tonnes") in found
    assert (1, "colour") in found
    assert (None, "solver.time_limit_s") in found
    assert all(p.file == str(bad) for p in err.value.problems)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_scenario(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[loads]\nid = 1", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        load_scenario(broken)


def test_unknown_depot_is_a_scenario_error(tmp_path: Path) -> None:
    f = tmp_path / "depot.toml"
    f.write_text(
        '[[sites]]\nid = "A"\nkind = "station"\nlon = 113\nlat = 36\n'
        '[[truck_types]]\nid = "T"\npowertrain = "bev_swap"\ncount = 1\ndepot = "Z"\npayload_t = 31\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_scenario(f)
    assert any(p.column == "truck_types.depot" and p.value == "Z" for p in err.value.problems)
