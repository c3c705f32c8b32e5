"""`cleanfreight dispatch` on VRPLIB instances and scenarios."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cleanfreight.cli import app

runner = CliRunner()


def test_vrplib_json_has_cost_and_routes(tiny_cvrp: Path) -> None:
    args = [
        "dispatch",
        "--vrplib",
        str(tiny_cvrp),
        "--time-limit",
        "20",
        "--seed",
        "1",
        "--solution-limit",
        "30",
        "--json",
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["cost"] == 25
    assert sorted(c for r in payload["routes"] for c in r) == [1, 2, 3, 4, 5]
    assert payload["feasible"] is True and payload["params"]["seed"] == 1
    again = json.loads(runner.invoke(app, args).stdout)
    assert again["routes"] == payload["routes"]


def test_scenario_json_and_files(sample_scenario_path: Path, tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "dispatch",
            "--scenario",
            str(sample_scenario_path),
            "--solution-limit",
            "10",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert set(payload) >= {"summary", "trucks", "routes", "timeline", "unserved", "files"}
    assert {u["reason"] for u in payload["unserved"]} >= {
        "too_heavy",
        "time_window",
        "out_of_range",
        "unknown_site",
    }
    assert (tmp_path / "routes.geojson").exists()


def test_bad_input_exit_code_2(tmp_path: Path, tiny_cvrp: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[loads]]\nid = "x"\ntonnes = -1\n', encoding="utf-8")
    assert runner.invoke(app, ["dispatch", "--scenario", str(bad)]).exit_code == 2
    assert runner.invoke(app, ["dispatch"]).exit_code == 2
    assert runner.invoke(app, ["dispatch", "--vrplib", str(tiny_cvrp), "--time-limit", "-1"]).exit_code == 2


def test_scenario_summary_in_chinese(sample_scenario_path: Path, tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        ["dispatch", "--scenario", str(sample_scenario_path), "--roads", "none", "--solution-limit", "10",
         "--out", str(tmp_path), "--lang", "zh"],
    )
    assert res.exit_code == 0, res.output
    assert "已安排 39/44 车次" in res.output and "未安排:" in res.output and "超过所有车辆载重" in res.output
    assert (
        f"已写入 {tmp_path}：trucks.csv, timeline.csv, unserved.csv, places.csv, routes.geojson, dispatch.json, "
        "route_map.html, route_map.png, run_sheets.xlsx, run_sheets.pdf" in " ".join(res.output.split())
    )
