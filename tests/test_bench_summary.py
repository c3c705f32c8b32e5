"""bench/_summary.py: the combined summary and docs/benchmarks.md, on fabricated result files."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def summary() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_summary", ROOT / "bench" / "_summary.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_summary"] = mod
    spec.loader.exec_module(mod)
    return mod


MACHINE = {
    "cpu": "Test CPU 9000",
    "cores": 2,
    "ram_gb": 24.0,
    "os": "Debian 12",
    "python": "3.11.7",
    "libraries": {"ortools": "9.15", "pyvrp": "0.14.1"},
    "load_average": [1.0, 1.0, 1.0],
    "date": "2026-11-29 16:00 UTC",
}


def _write(results: Path, name: str, payload: object) -> str:
    (results / f"{name}.json").write_text(json.dumps(payload), encoding="utf-8")
    return f"{name}.json"


def _run(
    summary: ModuleType,
    tmp_path: Path,
    entries: list[tuple[str, int, list[str]]],
    command: str = "bash scripts/bench.sh --quick",
    started: str = "2026-11-29T16:00:00Z",
) -> tuple[int, dict, str]:
    manifest = tmp_path / "run.tsv"
    manifest.write_text(
        "".join(
            f"{n}\tbench/bench_{n}.py\t{rc}\t12.5\t{','.join(files)}\t{tmp_path / n}.log\n"
            for n, rc, files in entries
        ),
        encoding="utf-8",
    )
    (tmp_path / "machine.json").write_text(json.dumps(MACHINE), encoding="utf-8")
    doc = tmp_path / "benchmarks.md"
    code = summary.main(
        [
            "--manifest",
            str(manifest),
            "--command",
            command,
            "--started",
            started,
            "--machine",
            str(tmp_path / "machine.json"),
            "--results",
            str(tmp_path / "results"),
            "--doc",
            str(doc),
        ]
    )
    data = json.loads((tmp_path / "results" / "summary.json").read_text(encoding="utf-8"))
    return code, data, doc.read_text(encoding="utf-8")


def _table(md: str, heading: str) -> list[list[str]]:
    """The cells of the first table under ``## heading``."""
    part = md.split(f"## {heading}\n", 1)[1]
    lines = [ln for ln in part.split("\n## ", 1)[0].splitlines() if ln.startswith("|")]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in lines if not ln.startswith("|---")]


def test_tables_ratios_machine_and_failures(summary: ModuleType, tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    planning = _write(
        results,
        "bench_planning",
        {
            "machine": "x",
            "python": "3.11",
            "rows": [
                {
                    "case": "synthetic",
                    "enterprises": 100,
                    "plan_s": 0.5,
                    "peak_mb": 180.0,
                    "plan_vs_100": 1.0,
                    "mem_vs_100": 1.0,
                },
                {
                    "case": "synthetic",
                    "enterprises": 2000,
                    "plan_s": 15.7,
                    "peak_mb": 455.1,
                    "plan_vs_100": 31.4,
                    "mem_vs_100": 2.528,
                },
            ],
            "baselines": {"plan_vs_100": "the 100-enterprise synthetic instance"},
            "notes": ["2,000 x 200: target met"],
        },
    )
    # a result another engineer's benchmark writes: unknown columns, still rendered
    scale = _write(
        results,
        "bench_ledger_scale",
        {
            "machine": "x",
            "python": "3.11",
            "rows": [
                {"engine": "duckdb", "rows": 10_000_000, "report_s": 1.25, "report_vs_pandas": 0.52},
                {"engine": "spark", "rows": 10_000_000, "report_s": 30.0, "spark_ratio": 24.0, "equal": True},
            ],
        },
    )
    # a non-standard shape (nested objects) is flattened
    ledger = _write(
        results,
        "bench_ledger",
        {"quick": True, "ingest": {"ours_seconds": 2.0, "speed_ratio_vs_baseline": 0.25}},
    )
    code, data, md = _run(
        summary,
        tmp_path,
        [
            ("planning", 0, [planning]),
            ("ledger_scale", 0, [scale]),
            ("ledger", 0, [ledger]),
            ("broken", 1, []),
        ],
    )

    assert code == 1  # one benchmark failed
    assert data["failed"] == ["broken"]
    status = {b["name"]: b["status"] for b in data["benchmarks"]}
    assert status == {"planning": "ok", "ledger_scale": "ok", "ledger": "ok", "broken": "failed"}

    assert _table(md, "planning") == [
        ["case", "enterprises", "plan_s", "peak_mb", "plan_vs_100", "mem_vs_100"],
        ["synthetic", "100", "0.5", "180.0", "1.000×", "1.000×"],
        ["synthetic", "2,000", "15.7", "455.1", "31.4×", "2.53×"],
    ]
    assert "- `plan_vs_100`: the 100-enterprise synthetic instance" in md
    assert "- 2,000 x 200: target met" in md
    assert _table(md, "ledger_scale") == [
        ["engine", "rows", "report_s", "report_vs_pandas", "spark_ratio", "equal"],
        ["duckdb", "10,000,000", "1.25", "0.52×", "–", "–"],
        ["spark", "10,000,000", "30.0", "–", "24.0×", "yes"],
    ]
    assert _table(md, "ledger") == [
        ["part", "ours_seconds", "speed_ratio_vs_baseline"],
        ["ingest", "2.00", "0.25×"],
    ]
    assert "Settings: quick yes" in md.split("## ledger\n")[1]
    assert "**failed** (exit code 1, `bench/bench_broken.py`)" in md
    # the machine and the command
    assert "Command: `bash scripts/bench.sh --quick`" in md
    assert "- CPU: Test CPU 9000, 2 cores; RAM 24.0 GB" in md
    assert "ortools 9.15, pyvrp 0.14.1" in md
    assert ["planning", "ok", "12.5", "quick"] in [r[:4] for r in _table(md, "Latest run")]


def test_a_subset_keeps_the_other_results(summary: ModuleType, tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    a = _write(results, "bench_a", {"rows": [{"case": "x", "t_s": 1.0}]})
    b = _write(results, "bench_b", {"rows": [{"case": "y", "t_s": 2.0}]})
    _run(summary, tmp_path, [("a", 0, [a]), ("b", 0, [b])])
    b = _write(results, "bench_b", {"rows": [{"case": "y", "t_s": 3.0}]})
    code, data, md = _run(
        summary, tmp_path, [("b", 0, [b])], command="bash scripts/bench.sh b", started="2026-11-29T17:00:00Z"
    )
    assert code == 0
    assert [x["name"] for x in data["benchmarks"]] == ["a", "b"]
    assert _table(md, "a")[1] == ["x", "1.00"] and _table(md, "b")[1] == ["y", "3.00"]
    doc = tmp_path / "again.md"
    summary.main(["--render", "--results", str(results), "--doc", str(doc)])
    assert doc.read_text(encoding="utf-8") == md
    assert "From an earlier run: `bash scripts/bench.sh --quick`" in md.split("## a\n")[1]


def test_many_columns_keep_labels_figures_and_ratios(summary: ModuleType) -> None:
    row = {
        "case": "c",
        **{f"n{i}": i for i in range(20)},
        "plan_s": 1.0,
        "plan_vs_100": 2.0,
        "size_ratio": 0.5,
    }
    shown, left = summary.choose_columns([row])
    assert shown == ["case", "plan_s", "plan_vs_100", "size_ratio"]
    assert "n0" in left
    assert summary.fmt_ratio(0.5234) == "0.52×" and summary.fmt_ratio(250.0) == "250×"
    assert summary.fmt_ratio(1.0164) == "1.016×"
    assert [
        c for c in ("vs_pandas", "ratio_vs_import", "ratio_after", "time_ratio") if summary.is_ratio(c)
    ] == [
        "vs_pandas",
        "ratio_vs_import",
        "time_ratio",
    ]
