"""Rail mainlines cut into sections: only the sections a chain's leg crosses count its tonnes.

The tiny instance with line A running west to east: exit station S3 (112.90, 36.10) — S1 (113.11, 36.21)
— S2 (113.30, 36.35); section A:W from S3 to S1 (about 23 km), A:E from S1 to S2 (about 23 km). Both
regions are reached on A through S3. E1 reaches only S1 (its coke must leave by rail: 500 kt; 700 kt of
its coal by rail meets its target), E2 only S2 (S1 moved to 45 km): 320 kt of limestone by rail meet its
target, and those trains cross A:E and A:W; E1's cross A:W only. Only rail counts as clean (no
new-energy trucks direct); S1 handles 5 Mt.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cleanfreight.accounting.rulebooks import load_rulebook
from cleanfreight.errors import InputError
from cleanfreight.planning import PlanParams, PlanProblem, PlanResult, Scenario, check_plan, solve_plan
from cleanfreight.planning._chains import build_chains
from cleanfreight.planning._distances import RoadDistances
from tests.planning.conftest import SPEED, make_tiny

RAIL_ONLY = PlanParams(allowed_modes=("rail_station_ne", "rail_station_diesel", "truck_cn6"))
S1_BIG = {"S1": {"handling_capacity_t_per_year": 5e6}}
S1, S2, S3 = (113.11, 36.21), (113.30, 36.35), (112.90, 36.10)


def _on_line_a(f: dict[str, Any], exit_station: str | None = "S3") -> None:
    st = f["stations"]
    extra = pd.DataFrame(
        {
            "station_id": ["S3"],
            "lon": [S3[0]],
            "lat": [S3[1]],
            "handling_capacity_t_per_year": [1e6],
            "loading_hours": ["00:00-24:00"],
            "handling_cost_cny_per_t": [5.0],
            "transfer_time_h": [2.0],
        }
    )
    st = pd.concat([st, extra], ignore_index=True)
    st["line_ids"] = ["A", "A", "A"]
    st["name_zh"] = ["一站", "二站", "三站"]
    st["name_en"] = ["One", "Two", "Three"]
    f["stations"] = st
    f["regions"]["rail_line_ids"] = ["A", "A"]
    f["regions"]["exit_station_id"] = [exit_station, exit_station]
    skm = np.array([[10.0, 50.0, 100.0], [45.0, 35.0, 100.0]])  # E2 now reaches S2 only
    rkm = f["distances"].region_km
    f["distances"] = RoadDistances(skm, skm / SPEED, rkm, rkm / SPEED, method="given")


def _line_a(capacity: float | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {"line_id": ["A"], "name_zh": ["甲线"], "name_en": ["Line A"], "capacity_t_per_year": [capacity]}
    )


def _sections(west: float | None, east: float | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_id": ["A", "A"],
            "section_id": ["W", "E"],
            "capacity_t_per_year": [west, east],
            "coords": [[S3, S1], [S1, S2]],
        }
    )


def _problem(
    sections: pd.DataFrame | None,
    lines: pd.DataFrame | None = None,
    rail_lines: dict[str, dict[str, Any]] | None = None,
    exit_station: str | None = "S3",
) -> PlanProblem:
    sc = Scenario(stations=S1_BIG, rail_lines=rail_lines or {})
    return make_tiny(
        sc,
        edit=lambda f: _on_line_a(f, exit_station),
        lines=_line_a() if lines is None else lines,
        sections=sections,
    )


def _rail_t(r: PlanResult, enterprise: str) -> float:
    f = r.flows
    rail = f["mode"].isin(["rail_station_ne", "rail_station_diesel"]) & (f["enterprise_id"] == enterprise)
    return float(f.loc[rail, "tonnes"].sum())


@pytest.fixture(scope="session")
def tight_east() -> tuple[PlanProblem, PlanResult]:
    problem = _problem(_sections(5e6, 200_000.0))
    return problem, solve_plan(problem, RAIL_ONLY)


def test_sections_are_keyed_and_named_by_their_end_stations() -> None:
    p = _problem(_sections(5e6, 2e5))
    sec = p.sections.set_index("key")
    assert list(sec.index) == ["A:W", "A:E"]
    assert sec.at["A:E", "name_zh"] == "一站–二站" and sec.at["A:E", "name_en"] == "One–Two"
    assert sec.at["A:W", "name_en"] == "Three–One"
    ch = build_chains(p, RAIL_ONLY, load_rulebook("changzhi-2024"))
    rail = ch.candidates[ch.candidates["rail_lines"] != ""]
    got = dict(zip(rail["station_id"], rail["rail_sections"], strict=False))
    assert got == {"S1": "A:W", "S2": "A:W;A:E"}  # S1's trains never cross A:E
    assert set(rail["rail_lines"]) == {"A"}


def test_only_the_chain_crossing_the_tight_section_is_limited(
    tight_east: tuple[PlanProblem, PlanResult],
) -> None:
    problem, r = tight_east
    cap = r.capacities.set_index(["kind", "id"])
    # A:E (200 kt) limits E2's trains from S2; E1's 1.2 Mt from S1 do not cross it
    assert cap.at[("rail_line", "A:E"), "used"] == pytest.approx(200_000)
    assert cap.at[("rail_line", "A:E"), "capacity"] == pytest.approx(200_000)
    assert bool(cap.at[("rail_line", "A:E"), "binding"])
    assert cap.at[("rail_line", "A:W"), "used"] == pytest.approx(1_400_000)
    assert not bool(cap.at[("rail_line", "A:W"), "binding"])
    assert ("rail_line", "A") not in cap.index
    assert _rail_t(r, "E1") == pytest.approx(1_200_000)
    assert _rail_t(r, "E2") == pytest.approx(200_000)
    e = r.enterprises.set_index("enterprise_id")
    assert e.at["E1", "shortfall_t"] == pytest.approx(0.0, abs=1e-3)
    assert e.at["E2", "shortfall_t"] == pytest.approx(120_000)
    assert check_plan(problem, RAIL_ONLY, r).ok


def test_the_explanation_names_the_section(tight_east: tuple[PlanProblem, PlanResult]) -> None:
    r = tight_east[1]
    x = r.explanations
    assert list(zip(x["enterprise_id"], x["kind"], x["id"], x["amount"], strict=True)) == [
        ("E2", "rail_line", "A:E", pytest.approx(120_000))
    ]
    e2 = r.enterprises.set_index("enterprise_id").loc["E2"]
    assert (
        "rail line A (Line A) section One–Two is full: 120,000 t/yr more capacity" in e2["shortfall_reason"]
    )
    assert "铁路干线A（甲线）一站–二站区段运力已满" in e2["shortfall_reason_zh"]


def test_the_checker_reads_sections_again_and_catches_a_tampered_plan(
    tight_east: tuple[PlanProblem, PlanResult],
) -> None:
    problem, r = tight_east
    # the same plan against a smaller east section (a scenario sets that section only)
    smaller = _problem(_sections(5e6, 200_000.0), rail_lines={"A:E": {"capacity_t_per_year": 150_000.0}})
    assert smaller.sections.set_index("key")["capacity_t_per_year"].to_dict() == {"A:W": 5e6, "A:E": 1.5e5}
    report = check_plan(smaller, RAIL_ONLY, r)
    assert report.violations == ["rail line section A:E: 200,000.0 used > capacity 150,000.0"]
    # a plan moving 100 kt more of E2's limestone by rail than A:E takes
    flows = r.flows.copy()
    rail = (flows["enterprise_id"] == "E2") & flows["mode"].str.startswith("rail")
    road = (flows["enterprise_id"] == "E2") & (flows["mode"] == "truck_cn6")
    assert rail.sum() == 1 and road.sum() == 1
    flows.loc[rail, "tonnes"] += 100_000.0
    flows.loc[road, "tonnes"] -= 100_000.0
    tampered = dataclasses.replace(r, flows=flows)
    bad = check_plan(problem, RAIL_ONLY, tampered).violations
    assert "rail line section A:E: 300,000.0 used > capacity 200,000.0" in bad
    assert not any(v.startswith("rail line section A:W") for v in bad)


def test_a_scenario_sets_every_section_of_a_line_or_one() -> None:
    both = _problem(_sections(5e6, 2e5), rail_lines={"A": {"capacity_t_per_year": 3e6}})
    assert both.sections["capacity_t_per_year"].tolist() == [3e6, 3e6]
    one = _problem(
        _sections(5e6, 2e5), rail_lines={"A:E": {"lifted": True}, "A": {"other_traffic_t_per_year": 1e5}}
    )
    sec = one.sections.set_index("key")
    assert sec["lifted"].to_dict() == {"A:W": False, "A:E": True}
    assert sec["other_traffic_t_per_year"].to_dict() == {"A:W": 1e5, "A:E": 1e5}
    r = solve_plan(one, RAIL_ONLY)
    assert set(r.capacities.loc[r.capacities["kind"] == "rail_line", "id"]) == {"A:W"}
    assert _rail_t(r, "E2") == pytest.approx(320_000)
    with pytest.raises(InputError) as err:
        _problem(_sections(5e6, 2e5), rail_lines={"A:Z": {"capacity_t_per_year": 1.0}})
    assert [p.column for p in err.value.problems] == ["rail_lines.A:Z"]
    assert "known: A, A:E, A:W" in err.value.problems[0].message


def test_a_leg_that_cannot_be_placed_counts_on_every_section(caplog: pytest.LogCaptureFixture) -> None:
    # no exit station for the regions: E1's trains from S1 count on A:E too, as on a whole line
    with caplog.at_level(logging.WARNING, logger="cleanfreight.planning._sections"):
        problem = _problem(_sections(5e6, 1_300_000.0), exit_station=None)
        r = solve_plan(problem, RAIL_ONLY)
    assert "rail line A: no exit station to place" in caplog.text
    cap = r.capacities.set_index(["kind", "id"])
    assert cap.at[("rail_line", "A:E"), "used"] == pytest.approx(1_300_000)
    assert r.city["shortfall_t"] == pytest.approx(220_000)  # 1.52 Mt of rail needed
    assert check_plan(problem, RAIL_ONLY, r).ok
    # a station 20 km off the line cannot be placed either
    far = make_tiny(
        Scenario(stations=S1_BIG),
        edit=_on_line_a,
        lines=_line_a(),
        sections=pd.DataFrame(
            {
                "line_id": ["A", "A"],
                "section_id": ["W", "E"],
                "capacity_t_per_year": [None, 1e6],
                "coords": [[S3, (113.11, 36.40)], [(113.11, 36.40), (113.30, 36.54)]],
            }
        ),
    )
    ch = build_chains(far, RAIL_ONLY, load_rulebook("changzhi-2024"))
    assert set(ch.candidates.loc[ch.candidates["rail_lines"] != "", "rail_sections"]) == {"A:W;A:E"}


def test_a_line_without_sections_counts_every_rail_chain_as_before() -> None:
    whole = _problem(None, lines=_line_a(1_300_000.0))
    assert whole.sections.empty
    r = solve_plan(whole, RAIL_ONLY)
    cap = r.capacities.set_index(["kind", "id"])
    assert list(cap.loc["rail_line"].index) == ["A"]
    assert cap.at[("rail_line", "A"), "used"] == pytest.approx(1_300_000)
    assert r.city["shortfall_t"] == pytest.approx(220_000)
    assert check_plan(whole, RAIL_ONLY, r).ok
    # one section covering the whole line: the same plan, the row keyed by the section
    one = pd.DataFrame(
        {
            "line_id": ["A"],
            "section_id": ["ALL"],
            "capacity_t_per_year": [1_300_000.0],
            "coords": [[S3, S1, S2]],
        }
    )
    r1 = solve_plan(_problem(one), RAIL_ONLY)
    assert r1.objective == pytest.approx(r.objective, rel=1e-12)
    assert r1.flows["tonnes"].to_numpy() == pytest.approx(r.flows["tonnes"].to_numpy())
    assert r1.capacities.set_index(["kind", "id"]).at[("rail_line", "A:ALL"), "used"] == pytest.approx(
        1_300_000
    )


def test_bad_sections_are_reported() -> None:
    dup = _sections(1.0, 1.0).assign(section_id=["W", "W"])
    with pytest.raises(InputError, match="invalid rail line sections") as err:
        _problem(dup)
    assert [(p.column, p.value) for p in err.value.problems] == [("section_id", "A:W")]


def test_the_sample_tj_cut_into_sections_in_a_geojson(tmp_path: Path) -> None:
    """太焦 given as three features: N (north end to 长治北), M (长治北–长治南), S (长治南 to the south end)."""
    import json

    from cleanfreight._paths import sample_file
    from cleanfreight.planning import build_problem

    data = json.loads(Path(sample_file("network", "rail.geojson")).read_text(encoding="utf-8"))
    feats = []
    for f in data["features"]:
        if f["properties"]["line_id"] != "TJ":
            feats.append(f)
            continue
        c = f["geometry"]["coordinates"]  # 长治北 is point 6, 长治南 point 9
        for sid, a, b, cap in (("N", 0, 6, 7e7), ("M", 6, 9, 4e7), ("S", 9, 11, 7e7)):
            geom = {"type": "LineString", "coordinates": c[a : b + 1]}
            feats.append(
                {
                    **f,
                    "geometry": geom,
                    "properties": {**f["properties"], "section_id": sid, "capacity_t_per_year": cap},
                }
            )
    path = tmp_path / "rail.geojson"
    path.write_text(json.dumps({**data, "features": feats}, ensure_ascii=False), encoding="utf-8")
    p = build_problem(Scenario(data={"rail": str(path)}), use_road_network=False)
    assert list(p.lines["line_id"]) == ["TJ", "HC", "WR", "TL"]
    assert pd.isna(p.lines.set_index("line_id").at["TJ", "capacity_t_per_year"])
    sec = p.sections.set_index("key")
    assert sec["capacity_t_per_year"].to_dict() == {"TJ:N": 7e7, "TJ:M": 4e7, "TJ:S": 7e7}
    assert sec.at["TJ:M", "name_zh"] == "长治北–长治南"
    assert sec.at["TJ:N", "name_zh"] == "N"  # its north end is at no station of the sample
    assert len(p.rail_lines["TJ"]) == 12  # drawn as one line again
    ch = build_chains(p, PlanParams(), load_rulebook("changzhi-2024"))
    got = dict(
        zip(
            zip(ch.candidates["station_id"], ch.candidates["region_id"], strict=True),
            ch.candidates["rail_sections"],
            strict=True,
        )
    )
    assert got[("CZB", "out_wari_east")] == "TJ:M;WR"  # 长治北 to 长治南 on TJ, then WR from 长治南
    assert got[("XY", "out_henan_jiaozuo")] == "TJ:N;TJ:M"  # 襄垣 to the exit 长治南
    assert got[("CZB", "in_taiyuan")] == "TJ:N"  # 长治北 to the exit 襄垣
    assert got[("CZN", "out_henan_jiaozuo")] == ""  # loaded at the exit station itself
    assert got[("LC", "out_hebei_handan")] == "HC"  # a line without sections, as before
