"""Two months, one enterprise missing: the city ratio must not silently "rise"."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight.ledger import coverage, report, run_checks, trend


def test_coverage_by_month(two_months: Path) -> None:
    cov = coverage(two_months, "2026-03-01..2026-04-30")
    m = cov.by_month.set_index("month")
    assert m.loc["2026-03", ["enterprises_expected", "enterprises_reported"]].tolist() == [3, 3]
    assert bool(m.loc["2026-03", "complete"]) and m.loc["2026-03", "coverage_tonnes"] == pytest.approx(1.0)
    apr = m.loc["2026-04"]
    assert (apr["enterprises_expected"], apr["enterprises_reported"]) == (3, 2)
    assert apr["not_reported"] == ["CZ26"] and not bool(apr["complete"])
    # reported 300 t (CZ01, CZ02); CZ26 expected at its March 300 t (its waybill alone is not a report)
    assert (apr["tonnes_reported"], apr["tonnes_expected"]) == pytest.approx((300.0, 600.0))
    assert apr["coverage_tonnes"] == pytest.approx(0.5)
    miss = cov.not_reported()
    assert miss[["enterprise_id", "month", "estimate"]].values.tolist() == [["CZ26", "2026-04", "history"]]
    assert miss["tonnes"].iloc[0] == pytest.approx(100.0)  # the waybill the ledger holds
    s = cov.summary()
    assert (s["enterprises_expected"], s["enterprises_reported"]) == (3, 2)
    assert (s["enterprise_months_expected"], s["enterprise_months_reported"]) == (6, 5)
    assert s["not_reported"] == [{"enterprise_id": "CZ26", "month": "2026-04"}]


def test_trend_says_the_coverage_changed_and_compares_like_for_like(two_months: Path) -> None:
    tr = trend(two_months, "2026-03", "2026-04")
    city = tr.city.set_index("month")
    assert city.loc["2026-03", "clean_ratio"] == pytest.approx(0.25)
    assert city.loc["2026-04", "clean_ratio"] == pytest.approx(0.625)  # the ledger's figure "rose" ...
    assert not bool(city.loc["2026-04", "complete"])  # ... but April is incomplete
    assert city.loc["2026-04", "coverage_tonnes"] == pytest.approx(0.5)
    c = tr.comparisons.iloc[0]
    assert (c["month_prev"], c["month"], bool(c["same_coverage"]), c["common_enterprises"]) == (
        "2026-03",
        "2026-04",
        False,
        2,
    )
    # like for like (CZ01 + CZ02): 150 / 300 t in both months, no change
    assert (c["ratio_prev_common"], c["ratio_common"]) == pytest.approx((0.5, 0.5))
    ent = tr.enterprises.set_index(["enterprise_id", "month"])
    assert not bool(ent.loc[("CZ26", "2026-04"), "reported"])
    assert bool(ent.loc[("CZ26", "2026-03"), "reported"])
    data = tr.as_dict()
    cz26 = next(e for e in data["enterprises"] if e["enterprise_id"] == "CZ26")
    assert cz26["reported"] == [True, False]
    assert data["coverage"]["not_reported"] == [{"enterprise_id": "CZ26", "month": "2026-04"}]
    assert data["comparisons"][0]["same_coverage"] is False


def test_report_and_checks_show_the_missing_month(two_months: Path) -> None:
    rep = report(two_months, "2026-04")
    c = rep.city
    assert (c["enterprises_expected"], c["enterprises_reported"], c["coverage_complete"]) == (3, 2, False)
    assert (c["tonnes_reported"], c["tonnes_expected"]) == pytest.approx((300.0, 600.0))
    assert c["coverage_tonnes"] == pytest.approx(0.5)
    assert rep.as_dict()["coverage"]["not_reported"] == [{"enterprise_id": "CZ26", "month": "2026-04"}]
    flags = rep.enterprises.set_index("enterprise_id")["reported"].to_dict()
    assert flags == {"CZ01": True, "CZ02": True, "CZ26": False}
    march = report(two_months, "2026-03").city
    assert (march["enterprises_reported"], march["coverage_complete"]) == (3, True)
    df = run_checks(two_months, "2026-04")
    nr = df[df["check"] == "not_reported"]
    assert nr[["enterprise_id", "day", "records"]].values.tolist() == [["CZ26", "2026-04-01", 1]]
    assert nr["tonnes"].iloc[0] == pytest.approx(300.0)
    assert nr["detail"].iloc[0] == (
        "2026-04: no gate or meter records (not reported); about 300.0 t expected (the mean of its "
        "reported months); rail waybills in the ledger: 1 (100.0 t)"
    )


def test_a_roster_sets_who_is_expected(two_months: Path) -> None:
    from cleanfreight.enterprises import load_enterprises

    cov = coverage(two_months, "2026-03", roster=load_enterprises(None))
    m = cov.by_month.iloc[0]
    assert (m["enterprises_expected"], m["enterprises_reported"]) == (40, 3)
    assert cov.expected_from == "roster"
    # CZ05 never reported: its declared 4.05 Mt/yr / 12
    cz05 = cov.table.set_index("enterprise_id").loc["CZ05"]
    assert (cz05["estimate"], cz05["tonnes_expected"]) == ("declared", pytest.approx(4_050_000 / 12))
