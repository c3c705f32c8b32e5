from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight.accounting import baseline_report, load_rulebook
from cleanfreight.enterprises import load_enterprises


@pytest.fixture(scope="module")
def roster(roster_dir: Path):
    return load_enterprises(roster_dir)


def _ratios(report) -> dict[str, float]:
    return dict(zip(report.enterprises["enterprise_id"], report.enterprises["clean_ratio"], strict=True))


def test_changzhi_rule_by_hand(roster) -> None:
    rep = baseline_report(roster, "changzhi-2024")
    r = _ratios(rep)
    # E1: spur 0.9 Mt + new-energy 0.2 Mt clean of 1.5 Mt; rail + diesel short-haul is not clean
    assert r["E1"] == pytest.approx(1.1 / 1.5)
    assert r["E2"] == pytest.approx(1.0 / 3.0)
    assert r["E3"] == pytest.approx(1.0)
    assert rep.city["city_clean_ratio"] == pytest.approx(5.1 / 7.5)
    assert rep.city["enterprises_meeting_target"] == 1
    assert rep.city["enterprises_total"] == 3
    gap = dict(zip(rep.enterprises["enterprise_id"], rep.enterprises["gap_tonnes"], strict=True))
    assert gap["E2"] == pytest.approx(0.8 * 3e6 - 1e6)
    assert gap["E3"] == 0


def test_mee_steel_rule_by_hand(roster) -> None:
    rep = baseline_report(roster, "mee-steel-2019")
    r = _ratios(rep)
    assert r["E1"] == pytest.approx(0.9 / 1.5)  # new-energy trucks do not count under the steel rule
    assert r["E2"] == pytest.approx(1.0 / 3.0)
    assert r["E3"] == pytest.approx(0.7)
    assert rep.city["city_clean_ratio"] == pytest.approx(4.0 / 7.5)
    comp = dict(zip(rep.enterprises["enterprise_id"], rep.enterprises["road_compliance"], strict=True))
    assert comp["E1"] == pytest.approx(1.0)  # remaining road tonnage all China VI / new-energy
    assert comp["E2"] == pytest.approx(0.5)  # 1 Mt China V of 2 Mt remaining


def test_mee_cement_rule_bulk_list_and_ne_shortfall(roster) -> None:
    rep = baseline_report(roster, "mee-cement-2024")
    e = rep.enterprises.set_index("enterprise_id")
    assert e.loc["E1", "tonnes_total"] == 0  # iron ore and steel are not bulk under the cement rule
    assert e.loc["E2", "tonnes_total"] == pytest.approx(2e6)  # coke is not on the cement list
    assert e.loc["E2", "clean_ratio"] == pytest.approx(0.5)
    assert not e.loc["E2", "ne_shortfall_ok"]  # needs 0.6 x 0.6 Mt on new-energy trucks, has none
    assert e.loc["E3", "ne_shortfall_ok"]


def test_emissions_from_declared_distances(roster) -> None:
    rep = baseline_report(roster, "changzhi-2024")
    lines = rep.lines.set_index(["flow_id", "mode"])
    # 1 Mt of coke by China VI truck over 60 km at 0.078 kg CO2/tkm (GB/T 51366-2019)
    assert lines.loc[("E2-F2", "truck_cn6"), "co2_kg"] == pytest.approx(0.078 * 60 * 1e6 * (1 + 1.0 * 0.6))  # loaded + empty return
    assert lines.loc[("E2-F2", "truck_cn6"), "road_tkm"] == pytest.approx(60e6)
    # road tonne-km of E2: 1 Mt x 40 km (China V trucks) + 1 Mt x 60 km; the station chain has no short-haul km
    e2 = rep.enterprises.set_index("enterprise_id").loc["E2"]
    assert e2["road_tkm"] == pytest.approx(1e6 * 40 + 1e6 * 60)
    assert rep.city["co2_t"] > 0


def test_rulebook_is_named_in_summary(roster) -> None:
    rep = baseline_report(roster, load_rulebook("mee-steel-2019"))
    assert rep.summary()["rulebook"] == "mee-steel-2019"
