"""`cleanfreight brief` and `cleanfreight map` on the sample, a plan, a ledger report and user files."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString
from typer.testing import CliRunner

from cleanfreight.cli import app
from tests.reports._browser import count_interactive, dump_dom, js_error, with_harness
from tests.reports._pdf import pdf_text

runner = CliRunner()


@pytest.fixture(scope="module")
def brief_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    out = tmp_path_factory.mktemp("brief")
    res = runner.invoke(app, ["brief", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    return out, json.loads(res.stdout)


@pytest.mark.slow
def test_brief_writes_every_file(brief_dir: tuple[Path, dict[str, object]]) -> None:
    out, payload = brief_dir
    for name in ("map.html", "map.png", "briefing.pdf", "briefing.png", "workbook.xlsx"):
        assert (out / name).stat().st_size > 5_000, name
    assert payload["source"] == "baseline" and payload["rulebook"] == "changzhi-2024"
    assert payload["enterprises_total"] == 40
    assert 0.45 < payload["city_clean_ratio"] < 0.75  # type: ignore[operator]
    # the same figure as the baseline report
    base = runner.invoke(app, ["demo", "--out", str(out / "demo"), "--json"])
    assert json.loads(base.stdout)["city_clean_ratio"] == pytest.approx(payload["city_clean_ratio"])


def test_brief_pdf_is_chinese_by_default(brief_dir: tuple[Path, dict[str, object]]) -> None:
    out, payload = brief_dir
    text = pdf_text(out / "briefing.pdf")
    assert "大宗货物清洁运输情况简报" in text and "核算规则 changzhi-2024" in text
    assert f"{payload['city_clean_ratio']:.1%}" in text
    assert "山西瑞隆能源" in text or "上党绿能物流" in text or "示例" in text  # enterprise names in Chinese


@pytest.mark.browser
def test_brief_map_renders_every_sample_feature(
    brief_dir: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    from cleanfreight.reports import sample_layers

    out, _ = brief_dir
    layers = sample_layers(roads=False)
    expected = 40 + sum(
        len(getattr(layers, n)) for n in ("rail", "spurs", "stations", "swap_stations", "restriction_zone")
    )
    dom = dump_dom(with_harness(out / "map.html", tmp_path / "h.html", ""), tmp_path / "profile")
    assert js_error(dom) is None
    assert count_interactive(dom) == expected


def test_map_from_plan_and_user_layer(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "plan.json").write_text(
        json.dumps(
            {
                "city": {"ratio_before": 0.56, "ratio_after": 0.81},
                "enterprises": [
                    {"enterprise_id": "CZ01", "ratio_before": 0.3, "ratio_after": 0.82, "tonnes_total": 5e6},
                    {"enterprise_id": "CZ02", "ratio_before": 0.5, "ratio_after": 0.7, "tonnes_total": 2e6},
                    {"enterprise_id": "NOPE", "ratio_before": 0.5, "ratio_after": 0.7, "tonnes_total": 1e6},
                ],
            }
        ),
        encoding="utf-8",
    )
    gpd.GeoDataFrame(
        {"kind": ["rail", "truck_ne"]},
        geometry=[LineString([(113.0, 36.2), (113.2, 36.3)]), LineString([(113.2, 36.3), (113.1, 36.1)])],
        crs=4326,
    ).to_file(plan / "routes.geojson")
    res = runner.invoke(app, ["map", "--plan", str(plan), "--out", str(tmp_path / "plan.html"), "--json"])
    assert res.exit_code == 0, res.output
    layers = json.loads(res.stdout)["layers"]
    assert layers["enterprises"] == 40 and layers["routes"] == 2  # the roster, with the plan merged in
    page = (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert "Ratio after plan 规划后比例" in page and "82.0 %" in page

    mine = tmp_path / "mine.geojson"
    gpd.GeoDataFrame(
        {"name_zh": ["我的工厂"], "clean_ratio": [0.5], "enterprise_id": ["M1"]},
        geometry=gpd.points_from_xy([113.1], [36.2]),
        crs=4326,
    ).to_file(mine)
    res = runner.invoke(app, ["map", "--layer", str(mine), "--out", str(tmp_path / "mine.png"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["layers"] == {"enterprises": 1}  # no sample base under user files
    assert (tmp_path / "mine.png").stat().st_size > 10_000
    # the user's own data alone: the map does not claim to be of Changzhi
    res = runner.invoke(app, ["map", "--layer", str(mine), "--file", str(tmp_path / "mine.html")])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "mine.html").read_text(encoding="utf-8")
    assert "Clean bulk-freight transport" in page and "Changzhi" not in page


def test_map_from_ledger_report(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            {
                "rulebook": "changzhi-2024",
                "city": {"clean_ratio": 0.6},
                "enterprises": [
                    {
                        "enterprise_id": "CZ03",
                        "tonnes_total": 1000.0,
                        "tonnes_clean": 850.0,
                        "clean_ratio": 0.85,
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    res = runner.invoke(
        app, ["map", "--report", str(report), "--no-base", "--out", str(tmp_path / "r.html"), "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["layers"] == {"enterprises": 1}
    from cleanfreight.enterprises import load_enterprises

    cz03 = load_enterprises().enterprises.set_index("enterprise_id").loc["CZ03"]
    # id, district and industry (in both languages) from the roster; tonnes and ratio from the report
    assert cz03["industry"] == "coking"
    values = json.dumps(
        ["CZ03", cz03["district"], "coking 焦化", "1,000", "850", "85.0 %", "80.0 %", "yes 是"],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert f'"v":{values}' in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_bad_input_exits_2_with_one_message(tmp_path: Path) -> None:
    res = runner.invoke(app, ["map", "--out", str(tmp_path / "map.txt")])
    assert res.exit_code == 2 and "--out must end in .html" in res.output
    res = runner.invoke(
        app,
        [
            "brief",
            "--out",
            str(tmp_path),
            "--plan",
            str(tmp_path / "missing"),
            "--report",
            str(tmp_path / "r.json"),
            "--db",
            str(tmp_path / "x.db"),
        ],
    )
    assert res.exit_code == 2
    assert "give either --db or --report" in res.output and "--plan" in res.output
    res = runner.invoke(app, ["brief", "--out", str(tmp_path), "--dpi", "72", "--paper", "A5"])
    assert res.exit_code == 2 and "dpi" in res.output and "paper" in res.output
    bad = pd.DataFrame({"enterprise_id": ["CZ01"], "tonnes_total": [1.0]})
    (tmp_path / "bad.json").write_text(json.dumps({"enterprises": bad.to_dict("records")}), encoding="utf-8")
    res = runner.invoke(
        app, ["map", "--report", str(tmp_path / "bad.json"), "--out", str(tmp_path / "m.html")]
    )
    assert res.exit_code == 2 and "clean_ratio" in res.output


@pytest.fixture(scope="module")
def ledger_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two months of seeded sample gate / rail records for the 40 sample enterprises (1 % scale)."""
    from cleanfreight.enterprises import load_enterprises
    from cleanfreight.ledger.ingest import ingest
    from cleanfreight.ledger.sample import generate_records

    d = tmp_path_factory.mktemp("ledger")
    manifest = generate_records(load_enterprises(), d / "files", months=[1, 2], scale=0.01, defects=False)
    ingest(d / "ledger.db", manifest.files)
    return d / "ledger.db"


@pytest.mark.slow
def test_brief_from_ledger_has_the_monthly_trend(ledger_db: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from cleanfreight.ledger.report import report

    res = runner.invoke(
        app, ["brief", "--out", str(tmp_path), "--db", str(ledger_db), "--lang", "en", "--json"]
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["source"] == "ledger" and payload["period"] == "2026-01-01..2026-02-28"
    # the same city ratio as the ledger's own report over the period
    direct = report(ledger_db, "2026-01-01..2026-02-28")
    assert payload["city_clean_ratio"] == pytest.approx(direct.city["clean_ratio"])
    monthly = load_workbook(tmp_path / "workbook.xlsx")["Monthly"]
    assert [c.value for c in monthly[1]][2:] == ["2026-01", "2026-02"]
    assert monthly.max_row == 2 + 40  # header, city, one row per enterprise
    text = pdf_text(tmp_path / "briefing.pdf")
    assert "period 2026-01-01..2026-02-28" in text and "Monthly trend" in text and "No monthly" not in text


@pytest.mark.slow
def test_brief_with_a_real_plan(tmp_path: Path) -> None:
    res = runner.invoke(app, ["plan", "--out", str(tmp_path / "plan"), "--json"])
    assert res.exit_code == 0, res.output
    plan = json.loads((tmp_path / "plan" / "plan.json").read_text(encoding="utf-8"))
    res = runner.invoke(
        app, ["brief", "--out", str(tmp_path / "b"), "--plan", str(tmp_path / "plan"), "--json"]
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["city_ratio_after"] == pytest.approx(plan["city"]["ratio_after"], abs=1e-6)
    page = (tmp_path / "b" / "map.html").read_text(encoding="utf-8")
    for kind in ("rail", "ne"):  # the planner's legs are drawn with their own styles
        assert f'"_s": "{kind}"' in page
    # every output names the plan's scenario (issue 11); the baseline sample is illustrative
    assert payload["scenario"]["name"] == plan["scenario"]["name"] and payload["sample"] is True
    name = plan["scenario"]["title_zh"] or plan["scenario"]["name"]
    assert f"情景：{name}" in page
    assert f"情景：{name}" in pdf_text(tmp_path / "b" / "briefing.pdf").replace("\n", "")
    from openpyxl import load_workbook

    assert name in load_workbook(tmp_path / "b" / "workbook.xlsx").worksheets[0]["A1"].value


@pytest.mark.slow
def test_brief_from_ledger_marks_months_not_fully_reported(tmp_path: Path) -> None:
    """Two months, CZ26 sends no April export (issue 11): the trend marks the incomplete months and
    the title names the city and the period. The sample roster expects 40 enterprises, so both months
    (2 and 1 of them reporting) are incomplete."""
    from cleanfreight.ledger.ingest import ingest
    from tests.ledger.conftest import _gate

    db = tmp_path / "l.duckdb"
    for month in ("03", "04"):
        ingest(db, [_gate(tmp_path / f"cz01_{month}.csv", month, [("d", 50.0)] * 2 + [("6", 50.0)] * 2)],
               enterprise="CZ01")
    ingest(db, [_gate(tmp_path / "cz26_03.csv", "03", [("5", 30.0)] * 10, "C")], enterprise="CZ26")
    res = runner.invoke(app, ["brief", "--out", str(tmp_path / "b"), "--db", str(db), "--period",
                              "2026-03-01..2026-04-30", "--json"])
    assert res.exit_code == 0, res.output
    text = pdf_text(tmp_path / "b" / "briefing.pdf")
    assert "长治市2026年3月1日至4月30日大宗货物清洁运输情况简报" in text
    assert "报送不全" in text and text.count("*") == 3  # the legend, March's and April's ticks


def test_brief_settings_are_validated_together(tmp_path: Path) -> None:
    from cleanfreight.errors import InputError
    from cleanfreight.jobs.brief import BriefParams

    with pytest.raises(InputError) as err:
        BriefParams(out_dir=tmp_path, lang="fr", paper="A5", dpi=72, db=tmp_path / "missing.duckdb", period="2026-13")
    cols = {p.column for p in err.value.problems}
    assert cols == {"lang", "paper", "dpi", "--db", "period"}
