"""`cleanfreight network build` and the built folder in `network info` / `network matrix`; `sample --parts roads`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanfreight.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("prov")
    res = runner.invoke(app, ["sample", "--scale", "province", "--out", str(out), "--parts", "sites,roads",
                              "--enterprises", "12", "--stations", "4", "--ways", "2000", "--json"])
    assert res.exit_code == 0, res.output
    files = json.loads(res.stdout)["files"]
    assert Path(files["roads"]).name == "roads.osm.pbf" and Path(files["roads"]).is_file()
    return out


@pytest.fixture(scope="module")
def built(province: Path) -> tuple[Path, dict[str, object]]:
    net = province / "net"
    res = runner.invoke(app, ["network", "build", str(province / "roads.osm.pbf"), "--out", str(net), "--json"])
    assert res.exit_code == 0, res.output
    return net, json.loads(res.stdout)


def test_build_json_names_the_files(built: tuple[Path, dict[str, object]]) -> None:
    net, info = built
    files = info["files"]
    assert isinstance(files, dict)
    assert {Path(p).name for p in files.values()} == {"graph.npz", "edges.parquet", "network.json"}
    assert all(Path(p).parent == net for p in files.values())
    assert isinstance(info["nodes"], int) and info["nodes"] > 500
    assert info["crs"] == "EPSG:32649"


def test_info_reads_a_built_folder(built: tuple[Path, dict[str, object]]) -> None:
    net, info = built
    res = runner.invoke(app, ["network", "info", str(net), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["nodes"] == info["nodes"] and summary["edges"] == info["edges"]
    assert summary["bounds"] == info["bounds"]
    text = runner.invoke(app, ["network", "info", str(net)])
    assert text.exit_code == 0 and f"nodes: {info['nodes']}" in text.output


def test_matrix_from_a_built_folder(province: Path, built: tuple[Path, dict[str, object]]) -> None:
    net, _ = built
    ent = pd.read_csv(province / "enterprises.csv").rename(columns={"enterprise_id": "id"})
    st = pd.read_csv(province / "stations.csv").rename(columns={"station_id": "id"})
    ent[["id", "lon", "lat"]].to_csv(province / "e.csv", index=False)
    st[["id", "lon", "lat"]].to_csv(province / "s.csv", index=False)
    out = province / "m.csv"
    res = runner.invoke(app, ["network", "matrix", "--roads", str(net), "--points", str(province / "e.csv"),
                              "--to", str(province / "s.csv"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    m = pd.read_csv(out)
    assert len(m) == 12 * 4
    assert set(m["from"]) == set(ent["id"]) and set(m["to"]) == set(st["id"])
    assert (m["km"] > 0).all() and m["km"].max() < 1500 and (m["hours"] > 0).all()


def test_build_in_chinese(province: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["network", "build", str(province / "roads.osm.pbf"), "--out", str(tmp_path / "n"),
                              "--lang", "zh", "--gross-weight", "18", "--new-energy"])
    assert res.exit_code == 0, res.output
    assert "路网已构建" in res.output
    meta = json.loads((tmp_path / "n" / "network.json").read_text(encoding="utf-8"))
    assert meta["profile"] == {**meta["profile"], "gross_weight_t": 18.0, "new_energy": True}


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda d: d / "missing.osm.pbf", "not found"),
        (lambda d: (d / "bin.osm.pbf").write_bytes(b"\xde\xad\xbe\xef" * 100) and d / "bin.osm.pbf", "damaged"),
        (lambda d: d, "is a folder"),
    ],
    ids=["missing", "damaged", "folder"],
)
def test_bad_build_input_is_exit_2(make: object, expected: str, tmp_path: Path) -> None:
    src = make(tmp_path)  # type: ignore[operator]
    res = runner.invoke(app, ["network", "build", str(src), "--out", str(tmp_path / "out")])
    assert not (res.exception and not isinstance(res.exception, SystemExit)), repr(res.exception)
    assert res.exit_code == 2, res.output
    assert expected in " ".join(res.output.split())


def test_bad_boundary_is_exit_2(province: Path, tmp_path: Path) -> None:
    bad = tmp_path / "b.geojson"
    bad.write_bytes(b"\xde\xad" * 50)
    res = runner.invoke(app, ["network", "build", str(province / "roads.osm.pbf"), "--out", str(tmp_path / "o"),
                              "--boundary", str(bad)])
    assert res.exit_code == 2, res.output
    assert "b.geojson" in res.output


def test_a_folder_that_is_not_a_built_network_is_exit_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["network", "info", str(tmp_path), "--json"])
    assert res.exit_code == 2, res.output
    assert "not a built road network" in " ".join(res.output.split())


def test_build_with_a_boundary_file(province: Path, tmp_path: Path) -> None:
    zone = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[112.3, 35.6], [113.9, 35.6], [113.9, 36.9], [112.3, 36.9], [112.3, 35.6]]]}}]}
    b = tmp_path / "changzhi.geojson"
    b.write_text(json.dumps(zone), encoding="utf-8")
    res = runner.invoke(app, ["network", "build", str(province / "roads.osm.pbf"), "--out", str(tmp_path / "n"),
                              "--boundary", str(b), "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    x0, y0, x1, y1 = info["bounds"]
    assert 112.3 <= x0 < x1 <= 113.9 and 35.6 <= y0 < y1 <= 36.9
    assert info["boundary"] is True
