"""The cost-of-ambition frontier (``solve_frontier``, ``plan --frontier``) and ``plan --objective``.

Tiny instance by hand (tests/planning/conftest.py): today only E2's 200,000 t by new-energy truck are clean,
so the city ratio is 200,000 / 1,900,000 = 2/19. Everything can be made clean, so the highest level is 1.
With 4 steps the levels are 2/19 + k (1 - 2/19) / 4. The cheapest plan at today's level is today's split
(China V tonnes on the equally priced China VI truck): 98,670,000 CNY/yr. The first step needs
625,000 - 200,000 = 425,000 more clean tonnes; the cheapest are E1's coke by rail via S1 with a new-energy
instead of a diesel short-haul (both 91.1 CNY/t), which needs new-energy truck hours:
(2 x 10 km / 50 km/h + 1 h) / 32 t = 0.04375 h/t, 18,594 h, so 4 new trucks at 69,624.82 CNY/yr each.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanfreight.cli import app
from cleanfreight.errors import InputError
from cleanfreight.planning import Frontier, PlanParams, PlanProblem, PlanResult, solve_frontier, solve_plan
from cleanfreight.planning.frontier import FRONTIER_COLUMNS, FRONTIER_GAP, frontier_levels

runner = CliRunner()
TRUCK_ANNUAL = 450_000 * 0.05 / (1 - 1.05**-8)  # 69,624.82 CNY/yr
TODAY = 2 / 19


@pytest.fixture(scope="module")
def tiny_frontier(tiny: PlanProblem) -> Frontier:
    return solve_frontier(tiny, steps=4)


def _spurs(cell: object) -> set[str]:
    return {s for s in str(cell or "").split(";") if s and s != "nan"}


# ---- the curve on the tiny instance, by hand ---------------------------------------------------------
def test_levels_run_from_today_to_the_highest_reachable(tiny: PlanProblem, tiny_frontier: Frontier) -> None:
    tab = tiny_frontier.table
    assert list(tab.columns) == list(FRONTIER_COLUMNS)
    assert tab["level"].tolist() == pytest.approx([TODAY + k * (1 - TODAY) / 4 for k in range(5)], abs=1e-12)
    assert tiny_frontier.today["ratio"] == pytest.approx(TODAY, abs=1e-12)
    assert tiny_frontier.today["clean_t"] == pytest.approx(200_000.0)
    # the first point is today's ratio: the cheapest plan there is today's split
    assert tab["ratio"].iloc[0] == pytest.approx(TODAY, abs=1e-9)
    assert tab["cost_cny"].iloc[0] == pytest.approx(98_670_000.0, abs=1.0)
    # the last point is the most the rules allow (a plan maximising clean tonnes, targets relaxed)
    top = solve_plan(tiny, PlanParams(objective="clean", target=0.0, explain=False))
    assert tiny_frontier.max_ratio == pytest.approx(top.city["ratio_after"], abs=1e-12)
    assert tiny_frontier.max_ratio == pytest.approx(1.0, abs=1e-9)
    assert tab["ratio"].iloc[-1] == pytest.approx(1.0, abs=1e-6)
    # ... at no more than the clean plan's cost (that plan is one of those reaching the level)
    assert tab["cost_cny"].iloc[-1] <= top.city["cost_after_cny"] + 1.0
    # every point reaches its level
    assert (tab["ratio"] >= tab["level"] - 1e-6).all()
    assert (tab["status"] == "optimal").all()
    assert (tab["penalty_cny"] == 0.0).all()


def test_first_step_costs_four_trucks(tiny_frontier: Frontier) -> None:
    tab = tiny_frontier.table
    step = tab.iloc[1]
    assert step["trucks_added"] == 4 and step["trucks_new"] == 4
    assert step["cost_cny"] - tab["cost_cny"].iloc[0] == pytest.approx(4 * TRUCK_ANNUAL, abs=1e-3)
    assert step["capex_annual_cny"] == pytest.approx(4 * TRUCK_ANNUAL, abs=1e-3)
    d_clean = step["clean_t"] - tab["clean_t"].iloc[0]
    assert d_clean >= 425_000 - 1.0  # at least the level; the 4 trucks may carry up to 457,143 t at no extra cost
    assert step["marginal_cny_per_clean_t"] == pytest.approx(4 * TRUCK_ANNUAL / d_clean, rel=1e-9)
    assert step["marginal_cny_per_clean_t"] == pytest.approx(0.63, abs=0.03)


def test_cost_rises_with_the_level(tiny_frontier: Frontier) -> None:
    cost = tiny_frontier.table["cost_cny"].to_numpy(float)
    assert (np.diff(cost) >= -1e-6 * cost[0]).all()
    assert cost[-1] > cost[0] + 5e6  # everything clean costs ~5 M CNY/yr more on the tiny instance
    assert (tiny_frontier.table["cost_vs_cheapest_cny"] >= 0).all()
    assert tiny_frontier.table["cost_vs_cheapest_cny"].iloc[0] == 0.0


def test_costs_per_tonne_follow_from_the_columns(tiny_frontier: Frontier) -> None:
    tab = tiny_frontier.table
    assert math.isnan(tab["marginal_cny_per_clean_t"].iloc[0]) and math.isnan(tab["average_cny_per_t_co2"].iloc[0])
    for i in range(1, len(tab)):
        a, b = tab.iloc[i - 1], tab.iloc[i]
        d_cost = b["cost_cny"] - a["cost_cny"]
        assert b["marginal_cny_per_clean_t"] == pytest.approx(d_cost / (b["clean_t"] - a["clean_t"]))
        assert b["marginal_cny_per_t_co2"] == pytest.approx(d_cost / (a["co2_t"] - b["co2_t"]))
        first = tab.iloc[0]
        assert b["average_cny_per_clean_t"] == pytest.approx(
            (b["cost_cny"] - first["cost_cny"]) / (b["clean_t"] - first["clean_t"])
        )
        assert b["average_cny_per_t_co2"] == pytest.approx(
            (b["cost_cny"] - first["cost_cny"]) / (first["co2_t"] - b["co2_t"])
        )
    assert tab["co2_avoided_t"].tolist() == pytest.approx(
        (tiny_frontier.today["co2_t"] - tab["co2_t"]).tolist()
    )
    # cleaner plans emit less CO2 here: every step avoids some
    assert (np.diff(tab["co2_t"].to_numpy(float)) < 0).all()


def test_builds_each_step_adds_sum_to_the_last_plan(tiny_frontier: Frontier, sample_frontier: Frontier) -> None:
    for fr in (tiny_frontier, sample_frontier):
        tab = fr.table
        assert tab["trucks_added"].sum() == tab["trucks_new"].iloc[-1]
        assert tab["swap_units_added"].sum() == tab["swap_units_new"].iloc[-1]
        assert (tab["trucks_new"].diff().iloc[1:] == tab["trucks_added"].iloc[1:]).all()
        built: set[str] = set()
        for row in tab.itertuples():
            assert not (_spurs(row.spurs_added) & built)
            assert _spurs(row.spurs_removed) <= built
            built = (built | _spurs(row.spurs_added)) - _spurs(row.spurs_removed)
            assert built == _spurs(row.spurs_built)


def test_reference_plan_costs_at_least_the_curve(tiny: PlanProblem, tiny_frontier: Frontier) -> None:
    ref = tiny_frontier.reference
    assert ref["target"] == 0.8 and ref["enterprises_at_target"] == 2 and ref["ratio"] == pytest.approx(0.8)
    # the per-enterprise plan is one of the plans reaching its city ratio: the least-cost one is not dearer
    at_ref = solve_plan(
        tiny, PlanParams(target=0.0, city_clean_ratio_min=ref["ratio"], explain=False, relative_gap=FRONTIER_GAP)
    )
    assert at_ref.city["cost_after_cny"] <= ref["cost_cny"] + 1.0
    assert tiny_frontier.settings["target"] == 0.0 and tiny_frontier.settings["steps"] == 4


def test_same_input_same_frontier(tiny: PlanProblem, tiny_frontier: Frontier) -> None:
    again = solve_frontier(tiny, steps=4)
    pd.testing.assert_frame_equal(again.table, tiny_frontier.table)


def test_json_has_no_nan(tiny_frontier: Frontier) -> None:
    d = json.loads(json.dumps(tiny_frontier.as_dict(), allow_nan=False))
    assert d["points"][0]["marginal_cny_per_clean_t"] is None
    assert d["points"][1]["trucks_added"] == 4
    assert d["today"]["ratio"] == pytest.approx(TODAY)


def test_bad_settings_are_refused(tiny: PlanProblem) -> None:
    with pytest.raises(InputError, match="steps"):
        solve_frontier(tiny, steps=0)
    with pytest.raises(InputError, match="cost, social"):
        solve_frontier(tiny, PlanParams(objective="clean"))


def test_levels_collapse_when_nothing_is_reachable() -> None:
    assert frontier_levels(0.5, 0.5, 8) == [0.5]
    assert frontier_levels(0.5, 0.9, 2) == pytest.approx([0.5, 0.7, 0.9])


# ---- objectives --------------------------------------------------------------------------------------
@pytest.mark.parametrize("fixture", ["tiny", "sample"])
def test_objectives_move_the_plan_their_way(fixture: str, request: pytest.FixtureRequest) -> None:
    problem: PlanProblem = request.getfixturevalue(fixture)
    plans = {o: solve_plan(problem, PlanParams(objective=o, explain=False)) for o in ("cost", "clean", "co2")}
    cost, clean, co2 = (plans[o].city for o in ("cost", "clean", "co2"))
    assert co2["co2_after_t"] < cost["co2_after_t"] - 1.0
    assert clean["ratio_after"] > cost["ratio_after"] + 0.05
    assert cost["cost_after_cny"] <= min(clean["cost_after_cny"], co2["cost_after_cny"]) + 1.0
    assert {p.meta["objective_kind"] for p in plans.values()} == {"cost", "clean", "co2"}


# ---- the sample and the command line ---------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_frontier(sample: PlanProblem) -> Frontier:
    return solve_frontier(sample, steps=2, reference=False)


@pytest.fixture(scope="module")
def sample_cost_plan(sample: PlanProblem) -> PlanResult:
    return solve_plan(sample, PlanParams(explain=False))


def test_sample_frontier_spans_today_to_the_clean_plan(
    sample_frontier: Frontier, sample_cost_plan: PlanResult
) -> None:
    tab = sample_frontier.table
    cost_plan = sample_cost_plan
    assert tab["level"].iloc[0] == pytest.approx(cost_plan.city["ratio_before"], abs=1e-12)
    assert 0.5 < tab["level"].iloc[0] < 0.6  # the sample today: 55.7 %
    assert tab["ratio"].iloc[-1] == pytest.approx(sample_frontier.max_ratio, abs=1e-6)
    assert 0.9 < sample_frontier.max_ratio <= 1.0
    cost = tab["cost_cny"].to_numpy(float)
    assert (np.diff(cost) > 0).all()
    assert (tab["penalty_cny"] == 0.0).all()
    # the plan with 80 % for every enterprise (city ~81 %) lies between the cheapest and the highest point
    assert cost[0] < cost_plan.city["cost_after_cny"] < cost[-1]


def test_cli_frontier_writes_three_files(tmp_path: Path, sample_frontier: Frontier) -> None:
    res = runner.invoke(
        app, ["plan", "--frontier", "--frontier-steps", "2", "--straight", "--out", str(tmp_path), "--json"]
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert set(payload["files"]) == {"frontier.csv", "frontier.json", "frontier.png"}
    tab = pd.read_csv(tmp_path / "frontier.csv")
    assert len(tab) == 3 and list(tab.columns) == list(FRONTIER_COLUMNS)
    # the command line solves the same sample as the library
    assert tab["level"].tolist() == pytest.approx(sample_frontier.table["level"].tolist(), abs=1e-9)
    assert tab["cost_cny"].tolist() == pytest.approx(sample_frontier.table["cost_cny"].tolist(), rel=1e-6)
    assert tab["marginal_cny_per_clean_t"].iloc[1] > 0 and tab["marginal_cny_per_t_co2"].iloc[2] > 0
    d = json.loads((tmp_path / "frontier.json").read_text(encoding="utf-8"))
    assert len(d["points"]) == 3 and d["settings"]["target"] == 0.0
    assert d["reference"]["target"] == 0.8 and d["reference"]["enterprises_at_target"] == 40
    assert d["points"][0]["marginal_cny_per_clean_t"] is None
    assert d["scenario"]["name"] == "baseline"
    from PIL import Image

    with Image.open(tmp_path / "frontier.png") as img:
        assert img.size == (1800, 1600)


def test_cli_objective_is_validated_and_recorded(tmp_path: Path, sample_cost_plan: PlanResult) -> None:
    bad = runner.invoke(app, ["plan", "--objective", "greenest", "--out", str(tmp_path / "x"), "--straight"])
    assert bad.exit_code == 2
    assert "cost, clean, co2, social" in bad.output
    both = runner.invoke(
        app, ["plan", "--frontier", "--compare", "x.toml", "--out", str(tmp_path / "y"), "--straight"]
    )
    assert both.exit_code == 2 and "--compare" in both.output
    res = runner.invoke(
        app, ["plan", "--objective", "co2", "--straight", "--no-xlsx", "--out", str(tmp_path), "--lang", "zh"]
    )
    assert res.exit_code == 0, res.output
    assert "规划目标: co2 (二氧化碳最少优先，其次成本)" in res.stdout
    d = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert d["meta"]["objective_kind"] == "co2" and d["meta"]["params"]["objective"] == "co2"
    assert d["city"]["co2_after_t"] < sample_cost_plan.city["co2_after_t"] - 1000.0
