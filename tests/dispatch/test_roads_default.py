from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cleanfreight.cli import app
from cleanfreight.dispatch import load_scenario

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "dispatch_sample.toml"
runner = CliRunner()


def test_sample_scenario_uses_the_road_network() -> None:
    assert load_scenario(SAMPLE).roads == "sample"


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


def test_one_call_drives_on_the_scenarios_roads(tmp_path: Path) -> None:
    from cleanfreight.dispatch import solve_dispatch

    result = solve_dispatch(load_scenario(SAMPLE).with_solver(solution_limit=20))  # no matrix given
    result.write(tmp_path)
    feats = [f for f in json.loads((tmp_path / "routes.geojson").read_text(encoding="utf-8"))["features"]
             if f["geometry"]["type"] == "LineString"]
    assert feats and all(f["properties"]["along_roads"] for f in feats)
