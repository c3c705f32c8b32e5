from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight.accounting.rulebooks import load_rulebook
from cleanfreight.enterprises import load_enterprises
from cleanfreight.ledger import generate_records, ingest, report, run_checks


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory, roster_dir: Path):
    roster = load_enterprises(roster_dir)
    out = tmp_path_factory.mktemp("sample")
    man = generate_records(roster, out / "files", months=[3], scale=0.02, seed=7)
    db = out / "l.duckdb"
    res = ingest(db, list(man.files))
    return roster, man, db, res


def test_exact_counts_of_planted_defects(sample) -> None:
    _, man, _, res = sample
    assert res.rejected == man.planted["impossible_rows"] == 4 * 3  # four per gate file, three enterprises
    assert res.duplicates == man.planted["duplicate_rows"] + man.planted["overlap_rows"]
    assert res.accepted + res.rejected + res.duplicates == sum(man.rows.values())
    kinds = {f.kind for f in res.files}
    assert kinds == {"gate", "rail", "meter"}
    assert {f.encoding for f in res.files} >= {
        "utf-8",
        "gbk",
    }  # the GB18030 re-export only holds GBK characters


def test_ratios_follow_declared_splits(sample) -> None:
    roster, _, db, _ = sample
    rb = load_rulebook("changzhi-2024")
    fm = roster.flow_modes()
    fm["clean"] = fm["mode"].map(rb.is_clean)
    declared = fm.groupby("enterprise_id").apply(
        lambda d: (d["tonnes"] * d["clean"]).sum() / d["tonnes"].sum()
    )
    full = report(db, "2026-03", rules=rb, roster=roster)
    rep = full.enterprises.set_index("enterprise_id")
    # exactly: each ratio is the clean share of the bulk tonnes the records carry, mode by mode
    bulk = full.by_mode[[rb.is_bulk(c) for c in full.by_mode["commodity"]]]
    for ent, g in bulk.groupby("enterprise_id"):
        clean = g.loc[[rb.is_clean(m) for m in g["mode"]], "tonnes"].sum()
        assert rep.loc[ent, "clean_ratio"] == pytest.approx(clean / g["tonnes"].sum(), rel=1e-12), ent
    # an enterprise whose every mode is clean is exactly at 100 %
    assert rep.loc["E3", "clean_ratio"] == 1.0
    # and the records follow the declared splits up to the generator's noise: daily tonnes vary +-15 % per
    # flow, trucks are whole loads of 26-36.5 t, and short-haul shuttles recorded as diesel (their
    # share of the station's waybills counts as not clean). Seeded: the largest gap is 2.0 points (E2).
    for ent, ratio in declared.items():
        assert rep.loc[ent, "clean_ratio"] == pytest.approx(ratio, abs=0.025), ent


def test_same_seed_same_files(sample, tmp_path: Path) -> None:
    roster, man, _, _ = sample
    again = generate_records(roster, tmp_path, months=[3], scale=0.02, seed=7)
    assert again.rows == man.rows
    a, b = man.files[0], again.files[0]
    assert a.read_bytes() == b.read_bytes()


def test_sample_checks_find_the_planted_stage_conflict(sample) -> None:
    _, man, db, _ = sample
    df = run_checks(db, "2026-03")
    assert (df["check"] == "stage_conflict").sum() == man.planted["stage_conflict_plates"] == 1


@pytest.mark.slow
def test_a_transition_year_rises_month_by_month(tmp_path: Path) -> None:
    """With --transition the sample enterprises move diesel tonnage onto new-energy trucks during the year:
    every month's city ratio is above the one before, no defect is lost, the trains stay one train."""
    from cleanfreight.ledger import trend

    roster = load_enterprises()
    man = generate_records(roster, tmp_path / "files", months=[1, 6, 12], scale=0.01, seed=7, transition=0.8)
    db = tmp_path / "t.duckdb"
    res = ingest(db, list(man.files))
    assert res.rejected == man.planted["impossible_rows"]  # only the planted impossible rows
    city = trend(db, "2026-01", "2026-12").city.set_index("month")["clean_ratio"]
    assert list(city.index) == ["2026-01", "2026-06", "2026-12"]
    assert city["2026-01"] + 0.03 < city["2026-06"] < city["2026-12"] - 0.05
    flat = generate_records(roster, tmp_path / "flat", months=[12], scale=0.01, seed=7)
    db2 = tmp_path / "f.duckdb"
    ingest(db2, list(flat.files))
    assert trend(db2, "2026-12", "2026-12").city["clean_ratio"].iloc[0] == pytest.approx(city["2026-01"], abs=0.03)
    # one waybill per train and day whatever the trucks do: as many rail rows as without a transition
    def rail_rows(m) -> int:  # type: ignore[no-untyped-def]
        return sum(n for name, n in m.rows.items() if name.startswith("rail_"))

    same_months = generate_records(roster, tmp_path / "flat3", months=[1, 6, 12], scale=0.01, seed=7)
    assert rail_rows(man) == rail_rows(same_months) > 0
