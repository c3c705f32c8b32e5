"""A table of bad inputs for every command: exit 2 with a message naming the input, never a traceback.

Every case runs the real command line (typer's CliRunner, in process). Inputs are made once per
module in a temporary folder: binary files, a folder where a file is expected, garbage CSV, metre
coordinates without a CRS, swapped latitude / longitude, broken VRPLIB instances.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cleanfreight.cli import app

runner = CliRunner()
DISPATCH_DATA = Path(__file__).resolve().parent.parent / "dispatch" / "data"


def _zone(coords: list[list[float]]) -> dict[str, object]:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"zone_id": "Z1", "name": "城区"},
             "geometry": {"type": "Polygon", "coordinates": [coords]}}
        ],
    }


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("bad")
    rng = np.random.default_rng(15)
    junk = rng.bytes(3000)
    for name in ("bin.toml", "bin.csv", "bin.vrp", "bin.json", "bin.yaml", "bin.geojson"):
        (d / name).write_bytes(b"\xde" + junk)
    (d / "emptydir").mkdir()
    (d / "garbage.csv").write_text('a,b\n"x,1\n', encoding="utf-8")
    (d / "bad.toml").write_text("[data\nx = ", encoding="utf-8")
    with zipfile.ZipFile(d / "nowb.xlsx", "w") as z:
        z.writestr("readme.txt", "no workbook")
    vrp = (DISPATCH_DATA / "X-n106-k14.vrp").read_text(encoding="utf-8")
    (d / "cap0.vrp").write_text(vrp.replace("CAPACITY : 600", "CAPACITY : 0"), encoding="utf-8")
    (d / "neg.vrp").write_text(vrp.replace("DEMAND_SECTION\n1 0\n2 81", "DEMAND_SECTION\n1 0\n2 -81"), encoding="utf-8")
    (d / "huge.vrp").write_text(vrp.replace("DEMAND_SECTION\n1 0\n2 81", "DEMAND_SECTION\n1 0\n2 9999"),
                                encoding="utf-8")
    (d / "cut.vrp").write_text(vrp[: len(vrp) // 2], encoding="utf-8")
    utm = [[680000, 4005000], [700000, 4005000], [700000, 4020000], [680000, 4020000], [680000, 4005000]]
    swapped = [[36.15, 113.05], [36.15, 113.2], [36.25, 113.2], [36.25, 113.05], [36.15, 113.05]]
    (d / "zone_utm.geojson").write_text(json.dumps(_zone(utm)), encoding="utf-8")
    (d / "zone_gk.geojson").write_text(json.dumps(_zone([[x - 270000, y] for x, y in utm])), encoding="utf-8")
    (d / "zone_swapped.geojson").write_text(json.dumps(_zone(swapped)), encoding="utf-8")
    line = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"line_id": "L1", "name_zh": "线", "kind": "mainline", "status": "existing"},
         "geometry": {"type": "LineString", "coordinates": utm[:3]}}]}
    (d / "rail_utm.geojson").write_text(json.dumps(line), encoding="utf-8")
    return d


# (command line with {d} for the folder of bad inputs, text the message must hold)
CASES: list[tuple[str, str]] = [
    ("ledger ingest --db {d}/l.duckdb {d}/emptydir", "holds no .csv or .xlsx file"),
    ("ledger ingest --db {d}/l.duckdb {d}/bin.csv", "not UTF-8, GBK or GB18030"),
    ("ledger ingest --db {d}/l.duckdb {d}/nowb.xlsx", "not a readable XLSX workbook"),
    ("ledger ingest --db {d}/l.duckdb --mapping {d}/bin.toml {d}/garbage.csv", "bin.toml: not UTF-8 text"),
    ("ledger ingest --db {d}/l.duckdb --mapping {d}/bad.toml {d}/garbage.csv", "cannot read mapping file"),
    ("ledger ingest --db {d}/l.duckdb --cargo-map {d}/bin.toml {d}/garbage.csv", "bin.toml: not UTF-8 text"),
    ("ledger ingest --db {d}/l.duckdb --chunk-rows 0 {d}/garbage.csv", "chunk_rows"),
    ("ledger ingest --db {d}/l.duckdb --max-truck-tonnes nan {d}/garbage.csv", "max_truck_tonnes"),
    ("ledger ingest --db {d}/l.duckdb --direction sideways {d}/garbage.csv", "unknown direction"),
    ("ledger ingest --db {d}/l.duckdb --max-future-days -1 {d}/garbage.csv", "max_future_days"),
    ("ledger ingest --db {d}/l.duckdb --max-waybill-tonnes inf {d}/garbage.csv", "max_waybill_tonnes"),
    ("ledger ingest --db {d}/bin.csv {d}/garbage.csv", "cannot import"),
    ("ledger report --db {d}/nope.duckdb --period 2026-03", "does not exist"),
    ("ledger report --db {d}/bin.csv --period 2026-03", "cannot open ledger database"),
    ("ledger checks --db {d}/bin.csv", "cannot open ledger database"),
    ("ledger trend --db {d}/bin.csv --from 2026-01 --to 2026-03", "cannot open ledger database"),
    ("ledger rejects --db {d}/bin.csv", "cannot open ledger database"),
    ("ledger recode --db {d}/bin.csv --cargo-map {d}/bin.toml", "not UTF-8 text"),
    ("ledger sample --out {d}/s --months x", "cannot read --months"),
    ("ledger sample --out {d}/s --scale -1", "scale"),
    ("plan --straight --out {d}/p --scenario {d}/bin.toml", "bin.toml: not UTF-8 text"),
    ("plan --straight --out {d}/p --scenario {d}/emptydir", "is a folder"),
    ("plan --straight --out {d}/p --enterprises {d}/emptydir", "missing enterprises.csv"),
    ("plan --straight --out {d}/p --restriction-zone {d}/zone_utm.geojson", "EPSG:32649"),
    ("plan --straight --out {d}/p --restriction-zone {d}/zone_gk.geojson", "EPSG:4547"),
    ("plan --straight --out {d}/p --restriction-zone {d}/zone_swapped.geojson", "latitude and longitude swapped"),
    ("plan --straight --out {d}/p --rail {d}/rail_utm.geojson", "EPSG:32649"),
    ("baseline --no-map --out {d}/b --factors {d}/garbage.csv", "missing column"),
    ("baseline --no-map --out {d}/b --factors {d}/bin.csv", "bin.csv: not UTF-8 text"),
    ("baseline --no-map --out {d}/b --rules {d}/bin.toml", "bin.toml: not UTF-8 text"),
    ("baseline --no-map --out {d}/b --enterprises {d}/emptydir", "missing enterprises.csv"),
    ("dispatch --out {d}/d --solution-limit 1 --vrplib {d}/cap0.vrp", "CAPACITY"),
    ("dispatch --out {d}/d --solution-limit 1 --vrplib {d}/neg.vrp", "must not be negative"),
    ("dispatch --out {d}/d --solution-limit 1 --vrplib {d}/huge.vrp", "no vehicle can serve"),
    ("dispatch --out {d}/d --solution-limit 1 --vrplib {d}/cut.vrp", "cut.vrp"),
    ("dispatch --out {d}/d --solution-limit 1 --vrplib {d}/bin.vrp", "bin.vrp"),
    ("dispatch --out {d}/d --scenario {d}/bin.toml", "bin.toml: not UTF-8 text"),
    ("dispatch --out {d}/d --scenario {d}/emptydir", "emptydir"),
    ("brief --out {d}/br --report {d}/bin.json", "bin.json"),
    ("brief --out {d}/br --monthly {d}/garbage.csv", "garbage.csv"),
    ("brief --out {d}/br --plan {d}/emptydir", "plan.json"),
    ("brief --out {d}/br --dpi 10", "dpi"),
    ("map --out {d}/m.html --report {d}/bin.json", "bin.json"),
    ("map --out {d}/m.html --layer {d}/bin.csv", "bin.csv"),
    ("map --out {d}/m.html --layer {d}/zone_utm.geojson", "EPSG:32649"),
    ("map --out {d}/m.xyz", "--out must end in"),
]


@pytest.mark.parametrize(("line", "expected"), CASES, ids=[c[0].split(" {d}")[0] + " " + c[1][:24] for c in CASES])
def test_bad_input_is_exit_2_with_a_message(bad: Path, line: str, expected: str) -> None:
    res = runner.invoke(app, line.format(d=bad).split())
    assert not (res.exception and not isinstance(res.exception, SystemExit)), repr(res.exception)
    assert "Traceback" not in res.output
    assert res.exit_code == 2, res.output
    assert expected in " ".join(res.output.split()), res.output


def test_rejects_json_is_valid_json_without_nan(tmp_path: Path) -> None:
    gate = tmp_path / "g.csv"
    gate.write_text(
        "进出厂时间,车牌号码,排放阶段,运输货物名称,运输量,进出方向,企业编号\n20260302 080000,,d,原煤,nan,进,CZ01\n",
        encoding="utf-8",
    )
    db = tmp_path / "l.duckdb"
    assert runner.invoke(app, ["ledger", "ingest", "--db", str(db), str(gate)]).exit_code == 0
    res = runner.invoke(app, ["ledger", "rejects", "--db", str(db), "--json"])
    assert res.exit_code == 0
    payload = json.loads(res.stdout, parse_constant=lambda c: pytest.fail(f"bare {c} in JSON"))
    assert payload["rows"] == 1 and {r["column_name"] for r in payload["rejects"]} == {"plate", "tonnes"}
