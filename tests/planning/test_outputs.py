"""Plan outputs: plan.json contract, CSV / XLSX tables, routes GeoJSON, comparison, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanfreight.cli import app
from cleanfreight.planning import (
    PlanParams,
    PlanProblem,
    compare_plans,
    solve_plan,
    synthetic_problem,
    write_plan,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def written(tiny: PlanProblem, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan")
    write_plan(solve_plan(tiny, PlanParams()), out, problem=tiny, lang="zh")
    return out


def test_plan_json_contract(written: Path) -> None:
    d = json.loads((written / "plan.json").read_text(encoding="utf-8"))
    assert {"city", "objective", "enterprises", "infrastructure"} <= set(d)
    assert d["city"]["ratio_before"] == pytest.approx(200_000 / 1_900_000)
    assert d["city"]["ratio_after"] == pytest.approx(0.8)
    e1 = next(e for e in d["enterprises"] if e["enterprise_id"] == "E1")
    assert e1["tonnes_total"] == 1_500_000
    assert e1["ratio_before"] == 0.0 and e1["ratio_after"] == pytest.approx(0.8)
    assert e1["name"] == "甲"
    assert {f["mode"] for f in e1["flows"]} == {"truck_ne", "truck_cn6", "rail_station_ne"}
    trucks = [i for i in d["infrastructure"] if i["kind"] == "ne_trucks" and i["status"] == "new"]
    assert sum(i["quantity"] for i in trucks) == 30


def test_tables_and_routes(written: Path) -> None:
    wb = openpyxl.load_workbook(written / "plan.xlsx", read_only=True)
    assert {"enterprises", "flows", "infrastructure", "capacities", "explanations", "city", "scenario"} <= set(
        wb.sheetnames
    )
    g = json.loads((written / "routes.geojson").read_text(encoding="utf-8"))
    legs = {(f["properties"]["flow_id"], f["properties"]["leg"]) for f in g["features"]}
    assert ("E1-F2", "short_haul") in legs and ("E1-F2", "rail") in legs and ("E1-F1", "road") in legs
    assert all(
        f["geometry"]["type"] == "LineString" and len(f["geometry"]["coordinates"]) >= 2
        for f in g["features"]
    )


def test_rail_legs_follow_the_rail_lines(sample: PlanProblem, tmp_path: Path) -> None:
    r = solve_plan(sample, PlanParams())
    write_plan(r, tmp_path, problem=sample, xlsx=False)
    g = json.loads((tmp_path / "routes.geojson").read_text(encoding="utf-8"))
    rail = [f for f in g["features"] if f["properties"]["leg"] == "rail"]
    assert rail and max(len(f["geometry"]["coordinates"]) for f in rail) > 2


def test_missed_target_has_a_reason_in_plan_json(tmp_path: Path) -> None:
    from tests.planning.conftest import make_tiny
    from tests.planning.test_explain import RAIL_ONLY, SMALL

    problem = make_tiny(SMALL)
    write_plan(solve_plan(problem, PlanParams(allowed_modes=RAIL_ONLY)), tmp_path, xlsx=False)
    d = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    e1 = next(e for e in d["enterprises"] if e["enterprise_id"] == "E1")
    assert "S1" in e1["shortfall_reason"]
    assert e1["reasons"][0]["kind"] == "station_handling"


def test_compare_plans(tiny: PlanProblem) -> None:
    a = solve_plan(tiny, PlanParams())
    b = solve_plan(tiny, PlanParams(carbon_price_cny_per_t=2_000.0))
    cmp = compare_plans([a, b], ["base", "carbon"])
    assert cmp["city"].at["co2_after_t", "difference"] < 0
    assert list(cmp["enterprises"].columns)[:3] == ["enterprise_id", "ratio_after[base]", "shortfall_t[base]"]


def test_synthetic_is_seeded() -> None:
    a, b = synthetic_problem(30, 4, seed=5), synthetic_problem(30, 4, seed=5)
    assert a.flows.equals(b.flows) and a.stations.equals(b.stations)
    assert not a.flows.equals(synthetic_problem(30, 4, seed=6).flows)


def test_cli_plan_and_compare(tmp_path: Path) -> None:
    scen = Path(__file__).resolve().parents[2] / "data" / "scenarios"
    res = runner.invoke(
        app,
        [
            "plan",
            "--scenario",
            str(scen / "spurs.toml"),
            "--compare",
            str(scen / "no_spurs.toml"),
            "--out",
            str(tmp_path),
            "--json",
            "--straight",
            "--no-xlsx",
        ],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["compare"]["names"] == ["spurs", "no_spurs"]
    d = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert len(d["enterprises"]) == 40
    assert {"enterprise_id", "tonnes_total", "ratio_before", "ratio_after"} <= set(d["enterprises"][0])
    # without the two spurs the plan costs more
    cmp = json.loads((tmp_path / "compare.json").read_text(encoding="utf-8"))
    assert cmp["city"]["no_spurs"]["objective"] > cmp["city"]["spurs"]["objective"]
    assert (tmp_path / "compare" / "no_spurs" / "plan.json").exists()


def test_cli_bad_scenario_exits_2_naming_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[stations.NOWHERE]\nhandling_capacity_t_per_year = 5\n[targets]\nCZ01 = 1.5\n", encoding="utf-8"
    )
    res = runner.invoke(app, ["plan", "--scenario", str(bad), "--out", str(tmp_path / "o"), "--straight"])
    assert res.exit_code == 2
    assert "targets.CZ01" in res.output and "bad.toml" in res.output


def test_cli_hard_infeasible_exits_4_with_reasons(tmp_path: Path) -> None:
    sc = tmp_path / "hard.toml"
    sc.write_text(
        '[params]\nrulebook = "mee-steel-2019"\ntarget = 0.95\ntarget_mode = "hard"\n'
        "[stations.TL]\nhandling_capacity_t_per_year = 3000000\n",
        encoding="utf-8",
    )
    res = runner.invoke(
        app, ["plan", "--scenario", str(sc), "--out", str(tmp_path / "o"), "--straight", "--no-xlsx"]
    )
    assert res.exit_code == 4, res.output
    d = json.loads((tmp_path / "o" / "plan.json").read_text(encoding="utf-8"))
    assert d["status"] == "infeasible"
    missed = [e for e in d["enterprises"] if e["ratio_after"] < 0.95 - 1e-6]
    assert missed and all(e["shortfall_reason"] for e in missed)


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`plan --compare` with three scenarios, in Chinese: (output folder, console output)."""
    out = tmp_path_factory.mktemp("three")
    scen = Path(__file__).resolve().parents[2] / "data" / "scenarios"
    args = ["plan", "--scenario", str(scen / "spurs.toml"), "--compare", str(scen / "no_spurs.toml"),
            "--compare", str(scen / "carbon_price.toml"), "--out", str(out), "--straight", "--no-xlsx",
            "--lang", "zh"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return out, res.output


def test_cli_compare_three_scenarios(three: tuple[Path, str]) -> None:
    """Three scenarios side by side (issue 11): all three kept, the table translated and formatted,
    each scenario's own spurs shown as they are, a difference map per other scenario."""
    tmp_path, output = three
    text = " ".join(output.split())
    assert "情景对比" in text and "规划后清洁运输比例" in text and "no_spurs − spurs" in text
    assert "ratio_after" not in text and "e-0" not in text and "e+0" not in text
    assert "SP-CZ02 已有, SP-CZ17 已有" in text and "SP-CZ02 不建, SP-CZ17 不建" in text
    cmp = json.loads((tmp_path / "compare.json").read_text(encoding="utf-8"))
    assert cmp["names"] == ["spurs", "no_spurs", "carbon_price"]
    assert set(cmp["city"]) == {"spurs", "no_spurs", "carbon_price"}  # kept field, now for every scenario
    assert [s["name"] for s in cmp["scenarios"]] == cmp["names"]
    assert cmp["scenarios"][0]["title"].startswith("建成两条规划专用线")
    assert cmp["spur_status"]["spurs"] == "SP-CZ02 existing, SP-CZ17 existing"
    assert cmp["spur_status"]["carbon_price"] == "SP-CZ02 planned, SP-CZ17 planned"
    ratio_row = next(r for r in cmp["table"] if r["指标"] == "规划后清洁运输比例")
    after = cmp["city"]["spurs"]["ratio_after"]
    assert ratio_row["建成两条规划专用线（山西瑞隆能源、上党绿能物流）"] == f"{after:.1%}"  # e.g. 81.1%
    assert ratio_row["不建设两条规划专用线 − 建成两条规划专用线（山西瑞隆能源、上党绿能物流）"].endswith("个百分点")
    for other in ("no_spurs", "carbon_price"):
        assert (tmp_path / "compare" / other / "plan.json").exists()
        page = (tmp_path / "compare" / f"diff_spurs_vs_{other}.html").read_text(encoding="utf-8")
        assert "差异图" in page and "https://cdn" not in page
    diff = cmp["differences"][0]
    assert diff["from"] == "spurs" and diff["to"] == "no_spurs" and diff["flows_changed"] > 0
    flows = pd.read_csv(tmp_path / "compare" / "diff_spurs_vs_no_spurs_flows.csv", encoding="utf-8-sig")
    # without the spurs, the two spur enterprises' rail-spur tonnes go elsewhere
    assert {"CZ02", "CZ17"} <= set(flows["enterprise_id"])
    assert flows.loc[flows["enterprise_id"] == "CZ02", "modes_a"].str.contains("rail_spur").all()
    assert not flows["modes_b"].str.contains("rail_spur SP").any()
    geo = json.loads((tmp_path / "compare" / "diff_spurs_vs_no_spurs.geojson").read_text(encoding="utf-8"))
    assert geo["name"] == "spurs -> no_spurs" and len(geo["features"]) == diff["corridors_changed"]
    wb = openpyxl.load_workbook(tmp_path / "compare.xlsx", read_only=True)
    assert wb.sheetnames == ["情景对比"]
    routes = json.loads((tmp_path / "routes.geojson").read_text(encoding="utf-8"))
    assert routes["name"] == "spurs"  # every output names its scenario


@pytest.mark.browser
def test_difference_map_as_seen(three: tuple[Path, str], tmp_path: Path) -> None:
    from tests.reports._browser import count_interactive, dump_dom, image_stats, js_error, screenshot

    out, _ = three
    page = out / "compare" / "diff_spurs_vs_no_spurs.html"
    dom = dump_dom(page, tmp_path / "profile")
    assert js_error(dom) is None
    cmp = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    diff = cmp["differences"][0]
    flows = pd.read_csv(out / "compare" / "diff_spurs_vs_no_spurs_flows.csv", encoding="utf-8-sig")
    # every changed corridor and every enterprise with a changed flow is drawn
    assert count_interactive(dom) == diff["corridors_changed"] + flows["enterprise_id"].nunique()
    assert "不建设两条规划专用线" in dom and "图例" in dom
    std, distinct, _ = image_stats(screenshot(page, tmp_path / "profile", tmp_path / "diff.png"))
    assert std > 10 and distinct > 50
