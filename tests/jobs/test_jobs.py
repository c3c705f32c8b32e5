"""The orchestration layer (cleanfreight.jobs): the baseline job end to end on the sample, the parameters
it validates, and the shared plumbing the jobs lean on (one list of network files, one plan.json reader,
one JSON encoder, one frame-to-records helper)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cleanfreight._io import json_text, read_plan_json, records
from cleanfreight.errors import InputError
from cleanfreight.jobs import BaselineParams, BriefParams, run_baseline, write_baseline
from cleanfreight.network.engine import NetworkFiles
from cleanfreight.planning.scenario import NETWORK_DATA_KEYS


@pytest.fixture(scope="module")
def baseline_run():  # type: ignore[no-untyped-def]
    steps: list[str] = []
    run = run_baseline(BaselineParams(use_network=False), steps.append)
    assert steps  # the job reports its progress
    return run


def test_the_baseline_job_reads_the_sample_and_writes_its_files(baseline_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rep = baseline_run.report
    assert len(rep.enterprises) == len(baseline_run.roster.enterprises) > 0
    assert 0 < rep.city["city_clean_ratio"] < 1
    files = write_baseline(baseline_run, tmp_path, with_map=False)
    assert {"summary", "enterprises", "flows", "factors"} <= set(files)
    summary = json.loads(files["summary"].read_text(encoding="utf-8"))
    assert summary["city_clean_ratio"] == pytest.approx(rep.city["city_clean_ratio"])
    assert "Illustrative" in summary["note"]  # the sample says so


def test_job_parameters_gather_every_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        BaselineParams(roads=tmp_path / "no.osm", rail=tmp_path / "no.geojson", lang="fr")
    assert {p.column for p in err.value.problems} == {"roads", "rail", "lang"}


def test_brief_params_are_validated(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        BriefParams(out_dir=tmp_path, lang="fr")


def test_one_list_of_the_network_files() -> None:
    assert tuple(f.name for f in dataclasses.fields(NetworkFiles)) == NETWORK_DATA_KEYS
    assert set(NETWORK_DATA_KEYS) <= {f.name for f in dataclasses.fields(BaselineParams)}


def test_one_reader_of_plan_json(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text(json.dumps({"enterprises": [{"enterprise_id": "E1"}]}), encoding="utf-8")
    assert read_plan_json(tmp_path) == read_plan_json(tmp_path / "plan.json")
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    for bad in (tmp_path / "bad.json", tmp_path / "missing"):
        with pytest.raises(InputError, match="plan"):
            read_plan_json(bad)


def test_one_encoder_and_one_records_helper() -> None:
    frame = pd.DataFrame({"n": np.array([1, 2]), "x": [0.5, np.nan], "ok": [True, False],
                          "t": pd.to_datetime(["2026-03-01", None])})
    rows = records(frame)
    assert rows == [{"n": 1, "x": 0.5, "ok": True, "t": "2026-03-01T00:00:00"},
                    {"n": 2, "x": None, "ok": False, "t": None}]
    assert all(type(r["n"]) is int and type(r["ok"]) is bool for r in rows)
    text = json_text({"i": np.int64(3), "f": np.float32(0.25), "b": np.bool_(True), "p": Path("a/b"),
                      "nan": float("nan")})
    assert json.loads(text) == {"i": 3, "f": 0.25, "b": True, "p": "a/b", "nan": None}
