"""The province instance's sites: seeded, inside Shanxi, around its cities, and honestly labelled."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cleanfreight.errors import InputError
from cleanfreight.jobs.province import BBOX, CITIES, ProvinceParams, make_province, province_sites


def test_same_seed_same_sites_other_seed_other_sites() -> None:
    p = ProvinceParams(enterprises=200, stations=20, seed=7)
    e1, s1 = province_sites(p)
    e2, s2 = province_sites(p)
    assert e1.equals(e2) and s1.equals(s2)
    e3, _ = province_sites(ProvinceParams(enterprises=200, stations=20, seed=8))
    assert not np.allclose(e1["lon"], e3["lon"])


def test_sites_sizes_ids_and_places() -> None:
    ent, st = province_sites(ProvinceParams(enterprises=2000, stations=200))
    assert len(ent) == 2000 and ent["enterprise_id"].is_unique
    assert ent["enterprise_id"].iloc[0] == "SX0001" and ent["enterprise_id"].iloc[-1] == "SX2000"
    assert len(st) == 200 and st["station_id"].iloc[-1] == "ST200"
    for df in (ent, st):
        assert df["lon"].between(BBOX[0], BBOX[2]).all() and df["lat"].between(BBOX[1], BBOX[3]).all()
    # every city has enterprises, and the heavier industrial cities have more
    counts = ent["city"].value_counts()
    assert set(counts.index) == {c[0] for c in CITIES}
    assert counts["TY"] > counts["YQ"]
    # a province's key enterprises move on the order of a billion tonnes a year (Shanxi: ~1.3 Bt of coal alone)
    assert 0.5e9 < ent["tonnes_per_year"].sum() < 2e9
    # an enterprise lies near its city (sigma 25 km): the median distance is well under 50 km
    lon0 = ent["city"].map({c[0]: c[3] for c in CITIES})
    lat0 = ent["city"].map({c[0]: c[4] for c in CITIES})
    km = np.hypot((ent["lon"] - lon0) * 111 * np.cos(np.radians(lat0)), (ent["lat"] - lat0) * 111)
    assert 15 < float(km.median()) < 50


def test_make_province_writes_sites_and_notice(tmp_path: Path) -> None:
    files = make_province(ProvinceParams(enterprises=10, stations=3), tmp_path / "p", ["sites"])
    assert set(files) == {"enterprises", "stations", "province"}
    meta = json.loads(files["province"].read_text(encoding="utf-8"))
    assert "Illustrative" in meta["notice"] and meta["params"]["enterprises"] == 10
    assert files["enterprises"].read_text(encoding="utf-8").count("\n") == 11


def test_bad_params_and_parts(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        ProvinceParams(enterprises=0, year=1900)
    assert {p.column for p in err.value.problems} == {"enterprises", "year"}
    with pytest.raises(InputError, match="unknown province parts"):
        make_province(ProvinceParams(enterprises=5, stations=2), tmp_path, ["sites", "bogus"])
