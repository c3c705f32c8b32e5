"""Benchmark of the gate-record ledger: import speed and memory, report speed.

Run ``.venv/bin/python bench/bench_ledger.py [--quick]``. Prints a table and writes
``bench/results/bench_ledger.json``. Every figure is also given as a ratio to a plain pandas
baseline measured in the same run:

- **ingest**: ``cleanfreight.ledger.ingest`` (streamed chunks, normalisation, rejects,
  de-duplication, transactional merge) on a generated gate-record CSV, against
  ``pandas.read_csv`` of the whole file + a plain DuckDB insert (no normalisation, no checks).
  Each runs in its own subprocess so its peak RSS (``VmHWM``, Linux) can be measured; ours is also run on a quarter
  of the file to show that memory does not grow with the file, and once more with a 550-entry cargo
  mapping (``--cargo-map``) to show what user cargo names cost.
- **report**: ``cleanfreight.ledger.report`` for one month and for a year over a ledger of
  10 million records (1 million with ``--quick``), against a pandas ``groupby`` over the same
  records already loaded in memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent

_OURS = """
import sys, time
from cleanfreight.ledger import ingest
t = time.perf_counter()
res = ingest(sys.argv[1], [sys.argv[2]], enterprise="CZ01", cargo_map=sys.argv[3] if len(sys.argv) > 3 else None)
dt = time.perf_counter() - t
hwm = [l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
print(res.accepted, res.rejected, res.duplicates, dt, hwm)
"""

_BASELINE = """
import sys, time
import duckdb, pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False)
con = duckdb.connect(sys.argv[1])
con.register("df", df)
con.execute("CREATE TABLE raw AS SELECT * FROM df")
n = con.execute("SELECT count(*) FROM raw").fetchone()[0]
con.close()
dt = time.perf_counter() - t
hwm = [l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
print(n, 0, 0, dt, hwm)
"""


def make_gate_csv(path: Path, n: int, seed: int = 1) -> None:
    """A gate-record export with Chinese headers, mixed spellings and a few odd plates."""
    rng = np.random.default_rng(seed)
    ts = pd.Timestamp("2026-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 365 * 86400, n)), unit="s")
    plates = np.char.add("晋D", np.char.zfill(rng.integers(0, 100000, n).astype(str), 5))
    odd = rng.random(n) < 0.03
    plates = np.where(odd, np.char.lower(np.char.add(plates, "")), plates)
    df = pd.DataFrame(
        {
            "进出厂时间": ts.strftime("%Y%m%d %H%M%S"),
            "车牌号码": plates,
            "注册日期": "2021-05-01",
            "VIN": np.char.add("LZZ", rng.integers(10**13, 10**14, n).astype(str)),
            "发动机号码": "WP13",
            "排放阶段": rng.choice(["6", "国六", "5", "d", "电动"], n),
            "运输货物名称": rng.choice(["原煤", "精煤", "焦炭", "铁精粉", "石灰石"], n),
            "运输量": np.round(rng.uniform(20, 38, n), 1),
            "车队名称": "运输车队",
            "进出方向": rng.choice(["进", "出"], n),
            "起运地": rng.choice(["", "长治北站", "襄垣矿区"], n, p=[0.6, 0.1, 0.3]),
            "目的地": "",
        }
    )
    df.to_csv(path, index=False, encoding="utf-8")


def make_cargo_map(path: Path, n_exact: int = 500, n_contains: int = 50) -> None:
    """A cargo mapping of the size a city-wide list of names might reach (a few real names in it)."""
    lines = ["[exact]", '"精煤" = "coal"', '"铁精粉" = "iron_ore"']
    lines += [f'"货物{i:04d}" = "other_bulk"' for i in range(n_exact)]
    lines += ["[contains]"] + [f'"品名{i:03d}" = "slag"' for i in range(n_contains)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(script: str, db: Path, csv: Path, *extra: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", script, str(db), str(csv), *map(str, extra)],
        check=True,
        capture_output=True,
        text=True,
    )
    acc, _rej, _dup, secs, rss_kb = proc.stdout.strip().splitlines()[-1].split()
    return {"rows": int(acc), "seconds": float(secs), "peak_rss_mb": int(rss_kb) / 1024}


def make_records_db(db: Path, n: int, seed: int = 2) -> None:
    """A ledger with ``n`` records over a year for 40 enterprises, built directly in SQL."""
    from cleanfreight.ledger import open_ledger

    con = open_ledger(db)
    modes = ["truck_ne", "truck_cn6", "truck_cn5", "rail_station_ne", "rail_spur", "conveyor"]
    con.execute(f"""
        INSERT INTO records (dedup_key, kind, chain, mode, enterprise_id, ts, direction, commodity, tonnes,
                             import_id, src_file, src_row)
        SELECT md5(CAST(i AS VARCHAR)), 'gate',
            CASE WHEN m = 'rail_station_ne' THEN 'short_haul' WHEN m = 'rail_spur' THEN 'spur'
                 WHEN m = 'conveyor' THEN 'conveyor' ELSE 'direct' END,
            m, 'CZ' || lpad(CAST(1 + hash(i + {seed}) % 40 AS VARCHAR), 2, '0'),
            TIMESTAMP '2026-01-01' + to_seconds(CAST(i * (365 * 86400 // {n}) AS BIGINT)),
            CASE WHEN hash(i * 7) % 2 = 0 THEN 'in' ELSE 'out' END,
            CASE WHEN hash(i * 3) % 3 = 0 THEN 'coke' ELSE 'coal' END,
            20 + (hash(i * 11) % 180) / 10.0, 1, 'bench', i
        FROM (SELECT i, list_extract({modes}, CAST(1 + hash(i * 13) % {len(modes)} AS INTEGER)) AS m
              FROM range({n}) t(i))
    """)
    con.close()


def pandas_report(df: pd.DataFrame, clean: set[str], month: str | None) -> pd.DataFrame:
    if month is None:
        d = df
    else:
        start = pd.Timestamp(f"{month}-01")
        d = df[(df["ts"] >= start) & (df["ts"] < start + pd.offsets.MonthBegin(1))]
    g = (
        d.assign(clean=d["mode"].isin(clean) * d["tonnes"])
        .groupby(["enterprise_id"])[["tonnes", "clean"]]
        .sum()
    )
    g["clean_ratio"] = g["clean"] / g["tonnes"]
    return g


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200k gate rows and 1M ledger records")
    args = ap.parse_args()
    n_ingest = 200_000 if args.quick else 1_000_000
    n_records = 1_000_000 if args.quick else 10_000_000
    results: dict[str, object] = {"quick": args.quick, "ingest_rows": n_ingest, "report_records": n_records}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        full, quarter = t / "gate.csv", t / "gate_quarter.csv"
        make_gate_csv(full, n_ingest)
        make_gate_csv(quarter, n_ingest // 4)
        base = run(_BASELINE, t / "base.duckdb", full)
        ours = run(_OURS, t / "ours.duckdb", full)
        ours_q = run(_OURS, t / "ours_q.duckdb", quarter)
        make_cargo_map(t / "cargo.toml")
        ours_map = run(_OURS, t / "ours_map.duckdb", full, t / "cargo.toml")
        ingest = {
            "ours_rows_per_min": ours["rows"] / ours["seconds"] * 60,
            "baseline_rows_per_min": base["rows"] / base["seconds"] * 60,
            "ours_seconds": ours["seconds"],
            "baseline_seconds": base["seconds"],
            "ours_peak_rss_mb": ours["peak_rss_mb"],
            "ours_quarter_file_peak_rss_mb": ours_q["peak_rss_mb"],
            "baseline_peak_rss_mb": base["peak_rss_mb"],
        }
        ingest["speed_ratio_vs_baseline"] = ingest["ours_rows_per_min"] / ingest["baseline_rows_per_min"]
        ingest["memory_ratio_vs_baseline"] = ours["peak_rss_mb"] / base["peak_rss_mb"]
        ingest["memory_growth_4x_file"] = ours["peak_rss_mb"] / ours_q["peak_rss_mb"]
        ingest["ours_cargo_map_rows_per_min"] = ours_map["rows"] / ours_map["seconds"] * 60
        ingest["cargo_map_speed_ratio"] = ingest["ours_cargo_map_rows_per_min"] / ingest["ours_rows_per_min"]
        results["ingest"] = ingest

        from cleanfreight.accounting.rulebooks import load_rulebook
        from cleanfreight.ledger import open_ledger, report

        db = t / "records.duckdb"
        t0 = time.perf_counter()
        make_records_db(db, n_records)
        build = time.perf_counter() - t0
        rb = load_rulebook("changzhi-2024")
        con = open_ledger(db, read_only=True, memory_limit="2GB")
        rep_res: dict[str, float] = {"build_seconds": build}
        for label, period in (("month", "2026-03"), ("year", "2026")):
            t0 = time.perf_counter()
            rep = report(con, period, rules=rb)
            rep_res[f"ours_{label}_seconds"] = time.perf_counter() - t0
            rep_res[f"ours_{label}_enterprises"] = len(rep.enterprises)
        t0 = time.perf_counter()
        df = con.execute("SELECT enterprise_id, ts, mode, tonnes FROM records").df()
        rep_res["baseline_load_seconds"] = time.perf_counter() - t0
        con.close()
        for label, month in (("month", "2026-03"), ("year", None)):
            t0 = time.perf_counter()
            pandas_report(df, set(rb.clean_modes), month)
            rep_res[f"baseline_{label}_seconds"] = time.perf_counter() - t0
            rep_res[f"{label}_ratio_vs_baseline"] = (
                rep_res[f"ours_{label}_seconds"] / rep_res[f"baseline_{label}_seconds"]
            )
        results["report"] = rep_res
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_ledger.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    ing = results["ingest"]
    assert isinstance(ing, dict)
    print(f"{'measure':44s} {'ours':>14s} {'baseline':>14s} {'ratio':>8s}")
    print(
        f"{'ingest rows/min (' + format(n_ingest, ',') + ' gate rows)':44s} {ing['ours_rows_per_min']:14,.0f} "
        f"{ing['baseline_rows_per_min']:14,.0f} {ing['speed_ratio_vs_baseline']:8.2f}"
    )
    print(
        f"{'ingest peak RSS (MB)':44s} {ing['ours_peak_rss_mb']:14.0f} {ing['baseline_peak_rss_mb']:14.0f} "
        f"{ing['memory_ratio_vs_baseline']:8.2f}"
    )
    print(
        f"{'ingest peak RSS, 1/4 file (MB) / growth 4x':44s} {ing['ours_quarter_file_peak_rss_mb']:14.0f} "
        f"{'':14s} {ing['memory_growth_4x_file']:8.2f}"
    )
    print(
        f"{'ingest rows/min with a 550-name cargo map':44s} {ing['ours_cargo_map_rows_per_min']:14,.0f} "
        f"{'(vs ours)':>14s} {ing['cargo_map_speed_ratio']:8.2f}"
    )
    for label in ("month", "year"):
        print(
            f"{'report ' + label + ' over ' + format(n_records, ',') + ' records (s)':44s} "
            f"{rep_res['ours_' + label + '_seconds']:14.2f} {rep_res['baseline_' + label + '_seconds']:14.2f} "
            f"{rep_res[label + '_ratio_vs_baseline']:8.2f}"
        )
    print(
        f"(pandas baseline excludes loading the records into memory: {rep_res['baseline_load_seconds']:.1f} s)"
    )


if __name__ == "__main__":
    main()
