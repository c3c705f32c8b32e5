"""The large run of the damaged-export corpus (issue 15): at least 300 seeded damaged files.

Run ``.venv/bin/python bench/damaged_corpus.py [--files 360] [--seed 15] [--keep DIR]``. Every
file is imported on its own into one ledger, then all of them again; the run fails (exit 1) on
any traceback, a broken row identity (accepted + rejected + duplicates + skipped != data rows),
a re-import that adds records or rejects, or a stored record / report total that is not finite
and plausible. The generator and the checks are ``tests/ledger/_damage.py`` (a small run of them
is part of every test run). Writes ``bench/results/damaged_corpus.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ledger._damage import FAMILIES, check_outcome, make_corpus, run_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=40 * len(FAMILIES), help="number of files (default 360)")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--keep", type=Path, default=None, help="write the corpus and the ledger here and keep them")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        t0 = time.perf_counter()
        files = make_corpus(folder / "files", args.files, seed=args.seed, big=True)
        db = folder / "ledger.duckdb"
        db.unlink(missing_ok=True)
        res = run_corpus(files, db)
        secs = time.perf_counter() - t0
    out = res.as_dict() | {"seed": args.seed, "seconds": round(secs, 1)}
    out["crashes"] = [c.strip().splitlines()[0] + " ... " + c.strip().splitlines()[-1] for c in res.crashes]
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "damaged_corpus.json").write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"{res.files} files in {secs:.0f} s: {dict(res.outcomes)}")
    for fam, counts in sorted(res.by_family.items()):
        print(f"  {fam:<11} {dict(counts)}")
    print(f"rows: {dict(res.rows)}; re-import added {res.reimport_added} records, "
          f"{res.reimport_rejects_changed} rejects; implausible stored records: {res.bad_records}")
    print(f"city 2026: {res.city.get('tonnes_total', 0):,.1f} t, clean ratio {res.city.get('clean_ratio')}")
    try:
        check_outcome(res)
    except AssertionError as exc:
        print(f"FAILED: {exc}")
        return 1
    print("passed: no traceback, row identity holds, re-import adds nothing, totals finite and plausible")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
