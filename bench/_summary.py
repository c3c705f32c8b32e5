"""Combine the results of one ``bash scripts/bench.sh`` run into ``bench/results/summary.json`` and
``docs/benchmarks.md``.

Any ``bench/results/<name>.json`` is rendered. The standard shape (``_common.report``) is
``{"machine", "python", "rows": [{...}, ...]}``, optionally with ``"columns"`` (the key columns to show,
in order), ``"baselines"`` (``{column: what the ratio is against}``), ``"notes"`` (lines shown under the
table) and ``"quick"``. Other shapes are
flattened: every nested object becomes one row named after its key, top-level scalars one more row.

Ratio columns are those whose name contains ``_vs_``, starts with ``vs_`` or ends in ``_ratio``; they are
shown as ``0.52×``.
Each names its baseline: ``plan_vs_100`` is a row's plan time over the 100-enterprise instance's, measured
in the same run; a ``*_ratio`` column's baseline is given in the row's ``baseline`` column or the
result's ``"baselines"``.

Usage (called by ``scripts/bench.sh``)::

    python bench/_summary.py --manifest RUN.tsv --command "bash scripts/bench.sh --quick" --started ISO
    python bench/_summary.py --render      # docs/benchmarks.md again from bench/results/summary.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
#: columns shown when a result names none (the rest stay in the JSON)
MAX_COLUMNS = 12
#: libraries whose versions the figures depend on
LIBRARIES = (
    "cleanfreight",
    "numpy",
    "pandas",
    "scipy",
    "networkx",
    "osmnx",
    "ortools",
    "highspy",
    "pyvrp",
    "duckdb",
    "pyspark",
    "pyarrow",
    "osmium",
    "folium",
    "playwright",
    "fastapi",
    "uvicorn",
)
_UNITS = re.compile(r"(_s|_seconds|_ms|_mb|_MB|_kB|_gb|_pct|_per_s|_per_min|seconds)$")


# ---------------------------------------------------------------- the machine


def machine_info() -> dict[str, Any]:
    """CPU model and cores, RAM, OS, Python, key library versions and the date of this machine."""
    cpu, cores = platform.processor() or platform.machine(), os.cpu_count()
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        models = re.findall(r"^model name\s*:\s*(.+)$", text, re.M)
        if models:
            cpu = models[0].strip()
        cores = len(re.findall(r"^processor\s*:", text, re.M)) or cores
    except OSError:
        pass
    ram_gb = None
    try:
        m = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(encoding="utf-8"), re.M)
        ram_gb = round(int(m.group(1)) / 1024**2, 1) if m else None
    except OSError:
        pass
    os_name = platform.platform()
    try:
        rel = Path("/etc/os-release").read_text(encoding="utf-8")
        m = re.search(r'^PRETTY_NAME="?([^"\n]+)"?', rel, re.M)
        if m:
            os_name = f"{m.group(1)} (Linux {platform.release()})"
    except OSError:
        pass
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            continue
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu,
        "cores": cores,
        "ram_gb": ram_gb,
        "os": os_name,
        "python": platform.python_version(),
        "libraries": versions,
        "load_average": None if load is None else [round(x, 2) for x in load],
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# ---------------------------------------------------------------- reading results


def is_ratio(column: str) -> bool:
    """A ratio column: its name contains ``_vs_``, starts with ``vs_`` or ends in ``_ratio``."""
    return "_vs_" in column or column.startswith("vs_") or column.endswith("_ratio")


def rows_of(payload: Any) -> list[dict[str, Any]]:
    """The rows of a result file: ``payload["rows"]``, or a flattening of any other JSON object."""
    if isinstance(payload, dict) and isinstance(payload.get("rows"), list):
        return [r if isinstance(r, dict) else {"value": r} for r in payload["rows"]]
    if isinstance(payload, list):
        return [r if isinstance(r, dict) else {"value": r} for r in payload]
    if not isinstance(payload, dict):
        return [{"value": payload}]
    rows: list[dict[str, Any]] = []
    for key, value in payload.items():
        if isinstance(value, dict):
            rows.append({"part": key, **{k: v for k, v in value.items() if not isinstance(v, dict | list)}})
        elif isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
            rows += [{"part": key, **r} for r in value]
    return rows


_META = {"machine", "python", "columns", "baselines", "notes", "created", "benchmark"}


def settings_of(payload: Any) -> dict[str, Any]:
    """The top-level figures of a result besides its rows (``quick``, sizes, seeds ...)."""
    if not isinstance(payload, dict):
        return {}
    return {
        k: v for k, v in payload.items() if k not in _META and k != "rows" and not isinstance(v, dict | list)
    }


def choose_columns(
    rows: list[dict[str, Any]], declared: list[str] | None = None
) -> tuple[list[str], list[str]]:
    """(columns shown, columns left out): the declared ones, else the first label column, then the figures
    with units and every ratio, up to :data:`MAX_COLUMNS`."""
    present = [
        c for c in dict.fromkeys(k for r in rows for k in r) if any(r.get(c) is not None for r in rows)
    ]
    if declared:
        shown = [c for c in declared if c in present]
        return shown, [c for c in present if c not in shown]
    if len(present) <= MAX_COLUMNS:
        return present, []
    labels = [c for c in present if any(isinstance(r.get(c), str) for r in rows)][:2]
    ratios = [c for c in present if is_ratio(c)]
    room = max(0, MAX_COLUMNS - len(labels) - len(ratios))
    units = [c for c in present if c not in labels and c not in ratios and _UNITS.search(c)][:room]
    keep = set(labels + ratios + units)
    shown = [c for c in present if c in keep]
    return shown, [c for c in present if c not in keep]


def fmt_ratio(v: Any) -> str:
    """``0.52×``: two decimals below 10 (three near 1), one below 100, none above."""
    if not isinstance(v, int | float) or isinstance(v, bool):
        return fmt_value(v)
    if math.isnan(v):
        return "–"
    a = abs(v)
    if a >= 100:
        return f"{v:,.0f}×"
    if a >= 10:
        return f"{v:.1f}×"
    if 0.9 <= a < 1.1:  # near the baseline: one more decimal (1.016×)
        return f"{v:.3f}×"
    if a >= 0.01 or a == 0:
        return f"{v:.2f}×"
    return f"{v:.2g}×"


def fmt_value(v: Any) -> str:
    """A figure for a table cell: 4 significant digits, thousands separated, ``–`` for none."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        a = abs(v)
        if a >= 1e4:
            return f"{v:,.0f}"
        if a >= 10:
            return f"{v:.1f}"
        if a >= 1:
            return f"{v:.2f}"
        return f"{v:.3g}"
    return str(v).replace("|", "\\|").replace("\n", " ")


def render_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A markdown table of ``rows`` in ``columns``; ratio columns as ``0.52×``."""
    out = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    for r in rows:
        cells = [fmt_ratio(r.get(c)) if is_ratio(c) else fmt_value(r.get(c)) for c in columns]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


# ---------------------------------------------------------------- the summary


def read_manifest(path: Path) -> list[dict[str, Any]]:
    """``scripts/bench.sh``'s run manifest: one tab-separated line per benchmark
    (name, script, exit code, seconds, result files separated by ``,``, log file)."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        name, script, code, seconds, files, log = (line.split("\t") + [""] * 6)[:6]
        entries.append(
            {
                "name": name,
                "script": script,
                "exit_code": int(code),
                "seconds": float(seconds),
                "files": [f for f in files.split(",") if f],
                "log": log,
            }
        )
    return entries


def _tail(log: str, lines: int = 15) -> str:
    try:
        return "\n".join(Path(log).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def build_summary(
    entries: list[dict[str, Any]],
    *,
    command: str,
    started: str,
    machine: dict[str, Any],
    previous: dict[str, Any] | None = None,
    results_dir: Path = RESULTS,
) -> dict[str, Any]:
    """The combined summary of a run; benchmarks not run this time are kept from ``previous``."""
    run_id = started
    run = {
        "id": run_id,
        "command": command,
        "started": started,
        "finished": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine,
    }
    benches: dict[str, Any] = {}
    if previous:
        benches = {b["name"]: b for b in previous.get("benchmarks", [])}
    for e in entries:
        results = {}
        for f in e["files"]:
            p = results_dir / f
            try:
                results[Path(f).stem] = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                results[Path(f).stem] = {"error": f"unreadable result {f}: {exc}"}
        if e["exit_code"] != 0:
            status = "failed"
        elif not results:
            status = "failed (no result file)"
        else:
            status = "ok"
        b: dict[str, Any] = {
            "name": e["name"],
            "script": e["script"],
            "status": status,
            "exit_code": e["exit_code"],
            "seconds": round(e["seconds"], 1),
            "quick": "--quick" in command.split(),
            "run": run_id,
            "results": results,
        }
        if status != "ok":
            b["log_tail"] = _tail(e["log"])
        benches[e["name"]] = b
    runs = {r["id"]: r for r in (previous or {}).get("runs", [])}
    runs[run_id] = run
    used = {b["run"] for b in benches.values()}
    return {
        "latest_run": run_id,
        "runs": [r for k, r in sorted(runs.items()) if k in used],
        "benchmarks": [benches[k] for k in sorted(benches)],
        "failed": sorted(k for k, b in benches.items() if b["status"] != "ok"),
    }


def _machine_lines(m: dict[str, Any]) -> list[str]:
    libs = ", ".join(f"{k} {v}" for k, v in m.get("libraries", {}).items())
    load = m.get("load_average")
    return [
        f"- CPU: {m.get('cpu')}, {m.get('cores')} cores; RAM {m.get('ram_gb')} GB",
        f"- OS: {m.get('os')}; Python {m.get('python')}",
        f"- libraries: {libs}",
        f"- date: {m.get('date')}" + (f"; load average at start {load}" if load else ""),
    ]


CONVENTION = """\
Every figure that compares is a **ratio against a baseline measured in the same run, on the same
machine** (the machine is shared and noisy; absolute seconds move from run to run, ratios much less).
Columns whose name contains `_vs_`, starts with `vs_` or ends in `_ratio` are ratios, shown as
`0.52×`. A ratio column names its baseline: `A_vs_B` is A divided by B (`plan_vs_100`: the
row's plan time over the 100-enterprise instance's; `cost_vs_pyvrp`: OR-Tools' cost over PyVRP's on the
same instance and time budget); a `*_ratio` column's baseline is named in the row's `baseline` column or
in the notes under the table. Below 1× is smaller (faster, cheaper, less memory) than the baseline.

Every `bench/bench_<name>.py` is run; each JSON file it writes into `bench/results/` during its run is
its result (so the file name is free), rendered here if it has the shape
`{"machine", "python", "rows": [{...}, ...]}` (`bench/_common.py: report`). A result may add `"columns"`
(the key columns to show; otherwise up to 12 are chosen: labels, figures with units, every ratio),
`"baselines"` (`{column: baseline}`), `"notes"` (lines under the table) and settings (`"quick"`, sizes,
seeds: any other top-level value, listed above the table). Other JSON shapes are flattened, one row per
nested object. A benchmark that exits non-zero or writes no result is listed as failed with the end of
its output; the others still run and `scripts/bench.sh` exits non-zero.
"""


def render_markdown(summary: dict[str, Any]) -> str:
    """``docs/benchmarks.md`` from a summary."""
    runs = {r["id"]: r for r in summary["runs"]}
    latest = runs[summary["latest_run"]]
    out = [
        "# Benchmarks",
        "",
        "Written by `bash scripts/bench.sh` (`bench/_summary.py`); do not edit by hand. Raw figures:",
        "`bench/results/*.json`, combined in `bench/results/summary.json`.",
        "",
        "```bash",
        "bash scripts/bench.sh                      # every bench/bench_*.py at full size",
        "bash scripts/bench.sh --quick              # each under about 2 minutes",
        "bash scripts/bench.sh planning dispatch    # a subset (the others keep their last results here)",
        "```",
        "",
        "## Convention",
        "",
        CONVENTION,
        "## Latest run",
        "",
        f"Command: `{latest['command']}` (started {latest['started']}, finished {latest['finished']})",
        "",
        *_machine_lines(latest["machine"]),
        "",
        "| benchmark | status | seconds | size | run |",
        "|---|---|---|---|---|",
    ]
    for b in summary["benchmarks"]:
        run = runs.get(b["run"], {})
        out.append(
            f"| {b['name']} | {b['status']} | {fmt_value(b['seconds'])} | "
            f"{'quick' if b.get('quick') else 'full'} | `{run.get('command', '?')}` {run.get('started', '')} |"
        )
    if summary["failed"]:
        out += ["", f"**Failed:** {', '.join(summary['failed'])} (see `log_tail` in `summary.json`)."]
    for b in summary["benchmarks"]:
        if out[-1] != "":
            out.append("")
        out += [f"## {b['name']}", ""]
        run = runs.get(b["run"], {})
        if b["run"] != summary["latest_run"]:
            out += [f"From an earlier run: `{run.get('command')}` ({run.get('started')}).", ""]
        if b["status"] != "ok":
            out += [f"**{b['status']}** (exit code {b['exit_code']}, `{b['script']}`).", ""]
            if b.get("log_tail"):
                out += ["```", b["log_tail"], "```", ""]
        for stem, payload in b["results"].items():
            rows = rows_of(payload)
            if not rows:
                continue
            declared = payload.get("columns") if isinstance(payload, dict) else None
            shown, left = choose_columns(rows, declared)
            if len(b["results"]) > 1:
                out += [f"### {stem}", ""]
            settings = settings_of(payload)
            if settings:
                out += ["Settings: " + ", ".join(f"{k} {fmt_value(v)}" for k, v in settings.items()), ""]
            out.append(render_table(rows, shown))
            notes = payload.get("baselines") if isinstance(payload, dict) else None
            if isinstance(notes, dict) and notes:
                out += [""] + [f"- `{k}`: {v}" for k, v in notes.items()]
            extra = payload.get("notes") if isinstance(payload, dict) else None
            if isinstance(extra, list) and extra:
                out += [""] + [f"- {n}" for n in extra]
            if left:
                out += [
                    "",
                    f"More columns in `bench/results/{stem}.json`: {', '.join(f'`{c}`' for c in left)}.",
                ]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render", action="store_true", help="only write the markdown again from summary.json")
    ap.add_argument("--manifest", type=Path)
    ap.add_argument("--command")
    ap.add_argument("--started")
    ap.add_argument("--machine", type=Path, help="machine info written at the start of the run (JSON)")
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--doc", type=Path, default=DOC)
    args = ap.parse_args(argv)
    summary_path = args.results / "summary.json"
    if args.render:
        args.doc.write_text(
            render_markdown(json.loads(summary_path.read_text(encoding="utf-8"))), encoding="utf-8"
        )
        print(f"written {args.doc}")
        return 0
    if not (args.manifest and args.command and args.started):
        ap.error("--manifest, --command and --started are required (or --render)")
    previous = None
    if summary_path.exists():
        try:
            previous = json.loads(summary_path.read_text(encoding="utf-8"))
        except ValueError:
            previous = None
    machine = json.loads(args.machine.read_text(encoding="utf-8")) if args.machine else machine_info()
    summary = build_summary(
        read_manifest(Path(args.manifest)),
        command=args.command,
        started=args.started,
        machine=machine,
        previous=previous,
        results_dir=args.results,
    )
    args.results.mkdir(parents=True, exist_ok=True)
    summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    args.doc.write_text(render_markdown(summary), encoding="utf-8")
    print(f"written {summary_path} and {args.doc}")
    this_run = [b for b in summary["benchmarks"] if b["run"] == summary["latest_run"]]
    for b in this_run:
        print(f"  {b['name']:<20} {b['status']:<24} {b['seconds']:>8.1f} s")
    return 1 if any(b["status"] != "ok" for b in this_run) else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--machine-info":
        print(json.dumps(machine_info(), indent=2))
        raise SystemExit(0)
    raise SystemExit(main())
