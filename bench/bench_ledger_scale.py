"""Benchmark of the ledger's monthly report at scale: DuckDB over Parquet, Spark local and pandas.

Run ``.venv/bin/python bench/bench_ledger_scale.py [--quick] [--dir /tmp]``. For 10 million and 100
million records (1 and 10 million with ``--quick``) it writes the province instance's year of records
(:mod:`cleanfreight.jobs.province.records`, Parquet partitioned by month) into a temporary folder,
then times on the same files:

- **generate**: writing the records (rows per second);
- **duckdb report**: ``cleanfreight ledger report --engine duckdb --parquet DIR --period YYYY-03``
  (``Ledger.open_parquet(...).report``: the shared aggregate of the month, the coverage of the 12
  months before it, the pandas steps of the report), best of 3;
- **spark report**: the same report on a local Spark session (``local[*]``, every core), best of 2
  after the first (which pays the JVM's warm-up), and the report's JSON must be **identical** to
  DuckDB's (the benchmark fails otherwise);
- **duckdb / spark aggregate**: the report's SQL alone (``ledger._aggregate``: the month's
  aggregate, sorted and rounded), comparable with the pandas baseline;
- **pandas aggregate** (the baseline): read the month's Parquet file with pyarrow into pandas and
  ``groupby`` the aggregate's keys — only the month's aggregate, less work than the report.

Each time is also given as a ratio to the pandas baseline and to DuckDB of the same run. Ingest
against pandas is in ``bench/bench_ledger.py``. Writes ``bench/results/bench_ledger_scale.json``;
the records are deleted afterwards (``--keep`` keeps them).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import best_of, report  # noqa: E402

PERIOD_MONTH = 3
#: what ``bench/_summary.py`` shows: key columns, what each ratio is against, notes
META: dict[str, Any] = {
    "columns": ["case", "records", "seconds", "vs_pandas", "vs_duckdb", "identical_json"],
    "baselines": {
        "vs_pandas": "pandas + pyarrow reading the month's Parquet and grouping by the aggregate's keys, same run",
        "vs_duckdb": "DuckDB over the same Parquet, same run (the aggregate for aggregate rows, the report for report rows)",
    },
    "notes": [
        "monthly report of March over the province generator's records, Parquet partitioned by month",
        "the report = the month's aggregate + the aggregate of the 12 months before (coverage) + pandas steps",
        "identical_json: Spark's report JSON equals DuckDB's byte for byte (the benchmark fails otherwise)",
    ],
}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _report_json(led: Any, period: str) -> str:
    return json.dumps(led.report(period).as_dict(), sort_keys=True, ensure_ascii=False, default=str)


def _pandas_aggregate(month_dir: Path) -> int:
    import pandas as pd

    cols = ["enterprise_id", "ts", "direction", "chain", "mode", "commodity", "destination", "tonnes"]
    df = pd.read_parquet(month_dir, columns=cols, engine="pyarrow")
    df["month"] = df["ts"].dt.strftime("%Y-%m")
    df["destination"] = df["destination"].where(df["direction"] == "out")
    agg = df.groupby(
        ["enterprise_id", "month", "direction", "chain", "mode", "commodity", "destination"], dropna=False
    ).agg(tonnes=("tonnes", "sum"), records=("tonnes", "size"))
    return len(agg)


def run_size(n: int, root: Path, year: int, spark: Any, rows: list[dict[str, Any]]) -> None:
    from cleanfreight.jobs.province import ProvinceParams
    from cleanfreight.jobs.province.records import write_records
    from cleanfreight.ledger import Ledger, parse_period
    from cleanfreight.ledger._aggregate import _aggregate

    out = root / f"records_{n}"
    params = ProvinceParams(records=n, year=year)
    t0 = time.perf_counter()
    write_records(params, out)
    gen = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in (out / "records").rglob("*.parquet"))
    rows.append({"case": "generate records", "records": n, "seconds": round(gen, 2),
                 "rows_per_s": round(n / gen), "parquet_mb": round(size / 2**20, 1)})
    period = f"{year}-{PERIOD_MONTH:02d}"
    month_dir = out / "records" / f"month={period}"

    gc.collect()
    t_pd, groups = best_of(lambda: _pandas_aggregate(month_dir), repeat=2)
    rows.append({"case": "pandas aggregate of the month (baseline)", "records": n, "seconds": round(t_pd, 3),
                 "vs_pandas": 1.0, "groups": groups})

    per = parse_period(period)
    with Ledger.open_parquet(out, engine="duckdb") as led:
        t_agg, _ = best_of(lambda: _aggregate(led._con, per), repeat=3)
        t_duck, duck_json = best_of(lambda: _report_json(led, period), repeat=3)
    rows.append({"case": "duckdb aggregate of the month (the report's SQL)", "records": n,
                 "seconds": round(t_agg, 3), "vs_pandas": round(t_agg / t_pd, 3)})
    rows.append({"case": "duckdb report over Parquet", "records": n, "seconds": round(t_duck, 3),
                 "vs_pandas": round(t_duck / t_pd, 3), "vs_duckdb": 1.0})

    if spark is not None:
        with Ledger.open_parquet(out, engine="spark", session=spark) as led:
            t0 = time.perf_counter()
            first = _report_json(led, period)
            t_first = time.perf_counter() - t0
            t_spark, spark_json = best_of(lambda: _report_json(led, period), repeat=2)
            t_sagg, _ = best_of(lambda: _aggregate(led._con, per), repeat=2)
        rows.append({"case": "spark local aggregate of the month (the report's SQL)", "records": n,
                     "seconds": round(t_sagg, 3), "vs_pandas": round(t_sagg / t_pd, 3),
                     "vs_duckdb": round(t_sagg / t_agg, 3)})
        same = first == duck_json and spark_json == duck_json
        rows.append({"case": "spark local report (first run)", "records": n, "seconds": round(t_first, 3),
                     "vs_pandas": round(t_first / t_pd, 3), "vs_duckdb": round(t_first / t_duck, 3)})
        rows.append({"case": "spark local report", "records": n, "seconds": round(t_spark, 3),
                     "vs_pandas": round(t_spark / t_pd, 3), "vs_duckdb": round(t_spark / t_duck, 3),
                     "identical_json": same})
        if not same:
            raise SystemExit(f"Spark and DuckDB reports differ on {n} records")
    print(f"{n:,} records done, driver RSS {_rss_mb():.0f} MB", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 and 10 million records instead of 10 and 100")
    ap.add_argument("--sizes", type=str, default=None, help="comma-separated record counts (overrides --quick)")
    ap.add_argument("--dir", type=Path, default=None, help="where the records go (default: a temporary folder)")
    ap.add_argument("--no-spark", action="store_true", help="skip Spark (no Java)")
    ap.add_argument("--spark-memory", default="6g", help="driver memory of the local Spark session")
    ap.add_argument("--keep", action="store_true", help="keep the generated records")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else (
        [1_000_000, 10_000_000] if args.quick else [10_000_000, 100_000_000])
    root = Path(tempfile.mkdtemp(prefix="cf_ledger_scale_", dir=args.dir))
    spark = None
    rows: list[dict[str, Any]] = []
    try:
        if not args.no_spark:
            from cleanfreight.ledger._spark import spark_session

            t0 = time.perf_counter()
            spark = spark_session(master="local[*]", driver_memory=args.spark_memory)
            rows.append({"case": "spark session start", "seconds": round(time.perf_counter() - t0, 2)})
        for n in sizes:
            run_size(n, root, 2026, spark, rows)
    finally:
        if spark is not None:
            spark.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    rows.append({"case": "machine", "cores": os.cpu_count(),
                 "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)})
    report("bench_ledger_scale", rows, quick=args.quick, **META)


if __name__ == "__main__":
    main()
