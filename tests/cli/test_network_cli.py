from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleanfreight._paths import sample_file
from cleanfreight.cli import app

runner = CliRunner()


@pytest.mark.parametrize("name", ["changzhi_roads.osm", "changzhi_roads.osm.pbf"])
def test_network_info_json_on_sample(name: str) -> None:
    res = runner.invoke(app, ["network", "info", str(sample_file("network", name)), "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["crs"] == "EPSG:32649"
    assert info["nodes"] > 100 and info["edges"] > info["nodes"]
    x0, y0, x1, y1 = info["bounds"]
    assert 112.3 < x0 < x1 < 113.8 and 35.8 < y0 < y1 < 36.9  # inside Changzhi


def test_network_info_graphml_round_trip(tmp_path: Path) -> None:
    g = tmp_path / "trucks.graphml"
    a = runner.invoke(app, ["network", "info", str(sample_file("network", "changzhi_roads.osm")), "--json",
                            "--save-graphml", str(g)])
    assert a.exit_code == 0, a.output
    b = runner.invoke(app, ["network", "info", str(g), "--json"])
    assert b.exit_code == 0, b.output
    assert json.loads(b.stdout)["nodes"] == json.loads(a.stdout)["nodes"]


def test_corrupt_osm_exit_code_and_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><way", encoding="utf-8")
    res = runner.invoke(app, ["network", "info", str(bad), "--json"])
    assert res.exit_code == 3
    assert "not a valid OSM XML" in res.output
    assert "Traceback" not in res.output


def test_matrix_command(tmp_path: Path) -> None:
    pts = tmp_path / "pts.csv"
    pts.write_text("id,lon,lat\nA,113.11,36.19\nB,113.12,36.21\n", encoding="utf-8")
    out = tmp_path / "m.csv"
    res = runner.invoke(app, ["network", "matrix", "--roads", str(sample_file("network", "changzhi_roads.osm")),
                              "--points", str(pts), "--out", str(out)])
    assert res.exit_code == 0, res.output
    import pandas as pd

    m = pd.read_csv(out)
    assert len(m) == 4
    ab = m[(m["from"] == "A") & (m["to"] == "B")]["km"].iloc[0]
    assert 2.0 < ab < 8.0  # 2.4 km straight line, a few km by road



def test_matrix_out_is_a_folder_and_json_names_the_file(tmp_path: Path) -> None:
    import json

    pts = tmp_path / "pts.csv"
    pts.write_text("id,lon,lat\nA,113.11,36.19\nB,113.12,36.21\n", encoding="utf-8")
    res = runner.invoke(app, ["network", "matrix", "--roads", str(sample_file("network", "changzhi_roads.osm")),
                              "--points", str(pts), "--out", str(tmp_path / "mx"), "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    written = tmp_path / "mx" / "matrix.csv"
    assert payload == {"files": {"matrix.csv": str(written)}, "origins": 2, "destinations": 2}
    assert written.read_text(encoding="utf-8").startswith("from,to,km,hours")
    res = runner.invoke(app, ["network", "matrix", "--roads", str(sample_file("network", "changzhi_roads.osm")),
                              "--points", str(pts)])
    assert res.exit_code == 2 and "--out" in res.output
