"""Scenario files and parameters: every problem reported at once, naming the entry and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight._paths import sample_dir
from cleanfreight.errors import InputError
from cleanfreight.planning import PlanParams, Scenario, build_problem, load_scenario
from cleanfreight.planning.scenario import parse_hours
from tests.planning.conftest import make_tiny

SCENARIOS = sorted(
    p for p in (sample_dir() / "scenarios").glob("*.toml") if not p.name.startswith("dispatch_")
)


def test_params_collect_every_problem() -> None:
    with pytest.raises(InputError) as err:
        PlanParams(target=1.2, max_short_haul_km=-5, solver="gurobi", allowed_modes=("truck_cn5",))
    cols = {p.column for p in err.value.problems}
    assert cols == {"target", "max_short_haul_km", "solver", "allowed_modes"}
    assert "between 0 and 1" in str(err.value)


def test_params_from_dict_rejects_unknown_keys() -> None:
    with pytest.raises(InputError) as err:
        PlanParams.from_dict({"targte": 0.8, "carbon_price_cny_per_t": 50}, source="x.toml")
    assert err.value.problems[0].column == "targte"
    assert err.value.problems[0].file == "x.toml"
    assert PlanParams.from_dict({"carbon_price_cny_per_t": 50}).carbon_price_cny_per_t == 50


def test_capital_recovery_factor() -> None:
    assert PlanParams.crf(0.05, 8) == pytest.approx(0.154721813)
    assert PlanParams.crf(0.0, 10) == pytest.approx(0.1)


def test_parse_hours() -> None:
    assert parse_hours("06:00-22:00") == 16.0
    assert parse_hours("00:00-24:00") == 24.0
    assert parse_hours("22:00-06:00") == 8.0
    assert parse_hours("all") == 24.0
    assert parse_hours("6 to 10") is None


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenarios_load_and_match_the_sample(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.name == path.stem
    assert sc.title_en and sc.title_zh
    build_problem(sc, use_road_network=False)  # every reference resolves


def test_a_bad_scenario_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        """
[params]
target = 1.5
max_short_haul_km = -1

[targets]
CZ01 = 1.2

[stations.CZB]
handling_capacity_t_per_year = -100
loading_hours = "sometimes"

[spurs.SP-NEW]
status = "maybe"
""",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_scenario(path)
    cols = {p.column for p in err.value.problems}
    assert {
        "params.target",
        "params.max_short_haul_km",
        "targets.CZ01",
        "stations.CZB.handling_capacity_t_per_year",
        "stations.CZB.loading_hours",
        "spurs.SP-NEW.status",
    } <= cols
    assert all(p.file == str(path) for p in err.value.problems)


def test_references_are_checked_against_the_data() -> None:
    sc = Scenario(
        source="refs.toml",
        stations={"NOPE": {"handling_capacity_t_per_year": 1.0}},
        spurs={"SP-X": {"enterprise_id": "E1"}, "SP-Y": {"enterprise_id": "E9", "station_id": "S9"}},
        targets={"E7": 0.9},
        corridors={"c1": {"regions": ["R_nowhere"], "capacity_t_per_year": 1e6}},
    )
    with pytest.raises(InputError) as err:
        make_tiny(sc)
    msgs = {(p.column, p.message.split(";")[0]) for p in err.value.problems}
    assert ("stations.NOPE", "unknown station") in msgs
    assert any(c == "spurs.SP-X" and m.startswith("spur to nowhere") for c, m in msgs)
    assert ("spurs.SP-Y.enterprise_id", "spur to nowhere: unknown enterprise") in msgs
    assert ("spurs.SP-Y.station_id", "spur to nowhere: unknown station") in msgs
    assert ("targets.E7", "unknown enterprise") in msgs
    assert ("corridors.c1.regions", "unknown region") in msgs
    assert all(p.file == "refs.toml" for p in err.value.problems)


def test_scenario_overrides_apply() -> None:
    sc = Scenario(
        stations={"S1": {"handling_capacity_t_per_year": 123.0, "loading_hours": "08:00-20:00"}},
        factors={"cost.road.diesel_cny_per_tkm": 0.5},
        targets={"E2": 0.9},
    )
    p = make_tiny(sc)
    s1 = p.stations.set_index("station_id").loc["S1"]
    assert s1["handling_capacity_t_per_year"] == 123.0 and s1["loading_hours_per_day"] == 12.0
    assert p.factors["cost.road.diesel_cny_per_tkm"] == 0.5
    assert p.targets == {"E2": 0.9}


def test_yaml_scenario(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "scenario:\n  name: y\nparams:\n  carbon_price_cny_per_t: 80\ntargets:\n  CZ01: 0.9\n",
        encoding="utf-8",
    )
    sc = load_scenario(path)
    assert sc.name == "y" and sc.params.carbon_price_cny_per_t == 80 and sc.targets == {"CZ01": 0.9}


def test_own_network_files_replace_the_sample(tmp_path: Path) -> None:
    """`plan --stations FILE` (or a scenario's [data] stations) plans on the user's stations."""
    import json

    from typer.testing import CliRunner

    from cleanfreight._paths import sample_file
    from cleanfreight.cli import app
    from cleanfreight.enterprises import load_enterprises

    text = sample_file("network", "stations.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("CZB,"))
    cells = lines[row].split(",")
    header = next(line for line in lines if line.startswith("station_id,")).split(",")
    col = header.index("handling_cost_cny_per_t")
    assert cells[col] == "12"
    cells[col] = "112"  # 100 CNY/t dearer at 长治北
    lines[row] = ",".join(cells)
    mine = tmp_path / "my_stations.csv"
    mine.write_text("\n".join(lines) + "\n", encoding="utf-8")

    runner = CliRunner()
    before = {}
    for name, extra in (("sample", []), ("mine", ["--stations", str(mine)])):
        res = runner.invoke(app, ["plan", "--straight", "--no-xlsx", "--out", str(tmp_path / name), "--json", *extra])
        assert res.exit_code == 0, res.output
        before[name] = json.loads((tmp_path / name / "plan.json").read_text(encoding="utf-8"))["city"]
    # today's tonnes through 长治北 (the flows' declared station) pay 100 CNY/t more
    roster = load_enterprises()
    lines_ = roster.flow_modes()
    via_czb = lines_[lines_["mode"].str.startswith("rail_station") & (lines_["station_id"] == "CZB")]["tonnes"].sum()
    assert via_czb > 1e6
    diff = before["mine"]["cost_before_cny"] - before["sample"]["cost_before_cny"]
    assert diff == pytest.approx(100.0 * via_czb, rel=1e-9)

    res = runner.invoke(app, ["plan", "--straight", "--out", str(tmp_path / "x"), "--roads", str(tmp_path / "no.osm")])
    assert res.exit_code == 2 and "data.roads" in res.output and "file not found" in res.output


def test_one_call_honours_the_scenarios_params() -> None:
    from cleanfreight.planning import solve_plan

    problem = make_tiny(Scenario(params=PlanParams(target=0.5)))
    assert problem.params is not None and problem.params.target == 0.5
    r = solve_plan(problem)  # no params given: the scenario's
    assert r.meta["params"]["target"] == 0.5
    assert set(r.enterprises["target"]) == {0.5}
    # params given explicitly still win
    assert solve_plan(problem, PlanParams()).meta["params"]["target"] is None
