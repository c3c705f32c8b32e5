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
    rep = report(db, "2026-03", rules=rb, roster=roster).enterprises.set_index("enterprise_id")
    for ent, ratio in declared.items():
        assert rep.loc[ent, "clean_ratio"] == pytest.approx(ratio, abs=0.06), ent


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
