from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanfreight.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    res = runner.invoke(app, ["demo", "--out", str(out), "--scale", "0.01"])
    assert res.exit_code == 0, res.output
    return out


def test_demo_summary(demo_dir: Path) -> None:
    s = json.loads((demo_dir / "summary.json").read_text(encoding="utf-8"))
    assert s["rulebook"] == "changzhi-2024"
    assert "Illustrative" in s["note"]
    assert s["target"] == 0.8
    assert s["enterprises_total"] == 40
    assert 0.45 < s["city_clean_ratio"] < 0.75  # the sample's baseline is clearly below 80 %
    assert 0 < s["enterprises_meeting_target"] < 40
    assert s["snaps_far"] == 0 and s["snap_max_m"] < 1000  # every sample place lies on the truck network
    assert s["plan"]["city"]["ratio_after"] >= 0.8 > s["plan"]["city"]["ratio_before"]
    # the baseline and the planner price today's transport the same way (station handling + transfer included)
    assert s["plan"]["city"]["ratio_before"] == pytest.approx(s["city_clean_ratio"])
    assert s["plan"]["city"]["cost_before_cny"] == pytest.approx(s["cost_cny"], rel=1e-9)
    assert s["plan"]["city"]["co2_before_t"] == pytest.approx(s["co2_t"], rel=1e-9)
    assert json.loads((demo_dir / "plan" / "plan.json").read_text(encoding="utf-8"))["enterprises"]
    d = s["dispatch"]
    assert d["lots_served"] + d["lots_unserved"] == d["lots"] and d["lots_unserved"] == 5  # five planted bad loads
    assert (demo_dir / "dispatch" / "routes.geojson").exists()
    assert (demo_dir / "dispatch" / "run_sheets.pdf").exists() and (demo_dir / "dispatch" / "route_map.html").exists()


def test_demo_enterprises_csv_matches_summary(demo_dir: Path) -> None:
    s = json.loads((demo_dir / "summary.json").read_text(encoding="utf-8"))
    e = pd.read_csv(demo_dir / "enterprises.csv")
    assert len(e) == 40 and {"enterprise_id", "clean_ratio"} <= set(e.columns)
    assert e["tonnes_clean"].sum() / e["tonnes_total"].sum() == pytest.approx(s["city_clean_ratio"])
    assert int((e["clean_ratio"] >= 0.8 - 1e-6).sum()) == s["enterprises_meeting_clean_ratio"] == 7
    # the city rule: coal and coke leaving the province by road keep five of those seven from the target
    met = (e["clean_ratio"] >= 0.8 - 1e-6) & (e["out_of_province_by_road_t"] <= 0)
    assert int(met.sum()) == s["enterprises_meeting_target"] == 2


def test_demo_map_is_offline(demo_dir: Path) -> None:
    html = (demo_dir / "map.html").read_text(encoding="utf-8")
    assert "L.map(" in html or "L.map (" in html
    import re

    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?://", html)


def test_demo_ledger_and_briefing(demo_dir: Path) -> None:
    s = json.loads((demo_dir / "summary.json").read_text(encoding="utf-8"))
    led = s["ledger"]
    assert led["accepted"] > 10_000 and led["rejected"] > 0 and led["duplicates"] > 0
    assert led["records_in_ledger"] == led["accepted"]  # a first import into a new ledger
    assert len(led["months"]) == 12
    monthly = pd.read_csv(demo_dir / "ledger" / "monthly.csv")
    assert monthly["enterprise_id"].nunique() == 40
    for name in ("briefing.pdf", "briefing.png", "workbook.xlsx", "map.html"):
        assert (demo_dir / "brief" / name).stat().st_size > 10_000, name


def test_demo_again_keeps_the_ledger(tmp_path: Path) -> None:
    """Running the demo twice into one folder imports nothing twice and says so, in Chinese with --lang zh."""
    for _ in range(2):
        res = runner.invoke(app, ["demo", "--out", str(tmp_path), "--scale", "0.002", "--lang", "zh"])
        assert res.exit_code == 0, res.output
    led = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["ledger"]
    assert led["accepted"] == 0 and led["records_in_ledger"] > 0 and led["duplicates"] >= led["records_in_ledger"]
    assert "本次导入接收 0 条" in res.output and "家企业达标" in res.output and "焦化" in res.output


def test_baseline_chinese(tmp_path: Path) -> None:
    res = runner.invoke(app, ["baseline", "--out", str(tmp_path), "--lang", "zh", "--no-map"])
    assert res.exit_code == 0, res.output
    assert "清洁运输比例" in res.output


def test_bad_enterprise_folder_exit_code(tmp_path: Path) -> None:
    (tmp_path / "enterprises.csv").write_text("enterprise_id,name_zh,industry,lon,lat\nA,甲,steel,x,36\n",
                                              encoding="utf-8")
    (tmp_path / "flows.csv").write_text("flow_id,enterprise_id,commodity,direction,tonnes_per_year\n",
                                        encoding="utf-8")
    (tmp_path / "mode_split.csv").write_text("flow_id,mode,share_pct\n", encoding="utf-8")
    res = runner.invoke(app, ["baseline", "--enterprises", str(tmp_path), "--out", str(tmp_path / "o"), "--no-map"])
    assert res.exit_code == 2
    assert "row 2, column 'lon'" in res.output
