from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleanfreight.cli import app
from cleanfreight.dispatch import load_scenario

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "dispatch_sample.toml"
runner = CliRunner()


class _Asked(Exception):
    """Raised by the stand-in road builder: the solve asked for road matrices (and stops there)."""


def test_the_one_call_entry_point_asks_for_the_scenarios_roads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample's ``[scenario] roads = "sample"`` is honoured by ``solve_dispatch`` itself (not only the CLI):
    with no matrix given it asks for the road matrices of those roads (checked without the solve)."""
    from cleanfreight.dispatch import fleet_roads, solve_dispatch

    asked: list[tuple[str, object]] = []

    def road_matrices(scenario: object, roads: object, **_: object) -> None:
        asked.append((getattr(scenario, "name", ""), roads))
        raise _Asked

    monkeypatch.setattr(fleet_roads, "road_matrices", road_matrices)
    sc = load_scenario(SAMPLE)
    with pytest.raises(_Asked):
        solve_dispatch(sc)
    assert asked == [(sc.name, "sample")]


@pytest.mark.slow
def test_routes_follow_roads_unless_told_otherwise(tmp_path: Path) -> None:
    res = runner.invoke(app, ["dispatch", "--scenario", str(SAMPLE), "--solution-limit", "20", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    feats = [f for f in json.loads((tmp_path / "routes.geojson").read_text(encoding="utf-8"))["features"]
             if f["geometry"]["type"] == "LineString"]
    assert feats and all(f["properties"]["along_roads"] for f in feats)
    straight = tmp_path / "straight"
    res = runner.invoke(app, ["dispatch", "--scenario", str(SAMPLE), "--solution-limit", "20", "--roads", "none",
                              "--out", str(straight)])
    assert res.exit_code == 0, res.output
    feats = [f for f in json.loads((straight / "routes.geojson").read_text(encoding="utf-8"))["features"]
             if f["geometry"]["type"] == "LineString"]
    assert feats and not any(f["properties"]["along_roads"] for f in feats)


@pytest.mark.slow
def test_one_call_drives_on_the_scenarios_roads(tmp_path: Path) -> None:
    from cleanfreight.dispatch import solve_dispatch

    result = solve_dispatch(load_scenario(SAMPLE).with_solver(solution_limit=20))  # no matrix given
    result.write(tmp_path)
    feats = [f for f in json.loads((tmp_path / "routes.geojson").read_text(encoding="utf-8"))["features"]
             if f["geometry"]["type"] == "LineString"]
    assert feats and all(f["properties"]["along_roads"] for f in feats)
