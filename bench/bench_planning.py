"""Planner benchmarks: the 40-enterprise sample and seeded synthetic instances up to province scale.

Run: ``.venv/bin/python bench/bench_planning.py [--quick]``. Each case runs in its own process so its
peak memory (max RSS, including the solver) is measured on its own. Times are also given as ratios
against the 100-enterprise synthetic instance solved in the same run (the machines are noisy): the growth
curve is ``plan_vs_100`` (time) and ``mem_vs_100`` (peak memory) against instance size. Target (issue 14):
2,000 enterprises x 200 stations with the city preset's policy rules on in under 2 minutes and 8 GB.

Full sizes: 100 / 500 / 1,000 / 2,000 enterprises (stations = enterprises / 10, 12 regions, 8 commodities,
rail lines that rarely bind, a restriction zone); ``synthetic-tight``: 100 / 500 / 1,000 enterprises whose
rail lines bind (``line_headroom=0.25``). ``--quick``: 50 / 100 / 200 and tight 100 / 200.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report


def _one(case: str, n: int, seed: int) -> dict[str, object]:
    """Build and solve one case in this process; return timings, sizes and peak memory."""
    from cleanfreight.planning import PlanParams, build_problem, check_plan, solve_plan, synthetic_problem

    t0 = time.perf_counter()
    base_case = case.removesuffix("-rules-off")
    if base_case == "sample-frontier":
        from cleanfreight.planning import solve_frontier

        problem = build_problem()
        t_problem = time.perf_counter() - t0
        t1 = time.perf_counter()
        fr = solve_frontier(problem, PlanParams(), steps=8)
        return {
            "case": case,
            "enterprises": len(problem.enterprises),
            "problem_s": t_problem,
            "plan_s": time.perf_counter() - t1,
            "points": len(fr.table),
            "status": "optimal",
            "ratio_after": round(fr.max_ratio, 4),
            "checked": True,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    if base_case == "sample":
        problem = build_problem()
    elif base_case == "sample-straight":
        problem = build_problem(use_road_network=False)
    elif base_case == "synthetic-tight":  # rail line capacities that bind: a much harder model
        problem = synthetic_problem(n, max(2, n // 10), seed=seed, line_headroom=0.25)
    else:
        problem = synthetic_problem(n, max(2, n // 10), seed=seed)
    t_problem = time.perf_counter() - t0
    # "-rules-off": the city preset's policy rules switched off (only the 80 % floor), to price the rules
    off = {
        "no_backsliding": False,
        "rail_no_decrease": False,
        "beyond_short_haul": "clean",
        "rail_only_out_of_province": False,
    }
    params = PlanParams(time_limit_s=600, **(off if case.endswith("-rules-off") else {}))
    res = solve_plan(problem, params)
    t_check = time.perf_counter()
    ok = check_plan(problem, params, res).ok
    t_check = time.perf_counter() - t_check
    size = res.meta["size"]
    return {
        "case": case,
        "enterprises": size["enterprises"],
        "stations": size["stations"],
        "flows": size["flows"],
        "chains": size["chains"],
        "variables": size["variables"],
        "constraints": size["constraints"],
        "problem_s": t_problem,
        "chains_s": res.meta["chains_time_s"],
        "model_s": res.meta["build_time_s"],
        "solve_s": res.meta["solve_time_s"],
        "plan_s": res.meta["total_time_s"],
        "check_s": t_check,
        "status": res.status,
        "gap": res.meta["gap"],
        "checked": ok,
        "ratio_after": round(res.city["ratio_after"], 4),
        "trucks_new": res.city["trucks_new"],
        "lines_binding": int((res.capacities["binding"] & (res.capacities["kind"] == "rail_line")).sum()),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller synthetic sizes")
    ap.add_argument(
        "--profile", type=int, metavar="N", help="cProfile the synthetic instance of N enterprises"
    )
    ap.add_argument("--one", nargs=3, metavar=("CASE", "N", "SEED"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        case, n, seed = args.one
        print(json.dumps(_one(case, int(n), int(seed))))
        return
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.runcall(_one, "synthetic", args.profile, 1)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        return
    sizes = [50, 100, 200] if args.quick else [100, 500, 1000, 2000]
    tight = [100, 200] if args.quick else [100, 500, 1000]
    cases = (
        [("sample", 40), ("sample-rules-off", 40), ("sample-straight", 40), ("sample-frontier", 40)]
        + [(c, n) for n in sizes for c in ("synthetic", "synthetic-rules-off")]
        + [("synthetic-tight", n) for n in tight]
    )
    rows: list[dict[str, object]] = []
    failed = []
    for case, n in cases:
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--one", case, str(n), "1"],
            check=False,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - t0
        if out.returncode != 0:
            failed.append(f"{case} {n}")
            print(f"FAILED: {case} {n}\n{out.stderr[-2000:]}", file=sys.stderr)
            rows.append({"case": case, "enterprises": n, "status": f"error (exit code {out.returncode})"})
            continue
        row = json.loads(out.stdout.strip().splitlines()[-1])
        row["wall_s"] = wall  # the whole process: imports, instance, plan, check
        row["rules"] = "off" if case.endswith("-rules-off") else "on"
        rows.append(row)
        print(f"done: {case} {n} in {wall:.1f} s, peak {row['peak_mb']:.0f} MB", file=sys.stderr, flush=True)
    base = next(r for r in rows if r["case"] == "synthetic" and r["enterprises"] == 100)
    plan_s = {(r["case"], r["enterprises"]): r.get("plan_s") for r in rows}
    for r in rows:
        if "plan_s" not in r:
            continue
        r["plan_vs_100"] = r["plan_s"] / base["plan_s"]  # type: ignore[operator]
        r["mem_vs_100"] = r["peak_mb"] / base["peak_mb"]  # type: ignore[operator]
        off_s = plan_s.get((f"{r['case']}-rules-off", r["enterprises"]))
        r["rules_vs_off"] = None if off_s is None else r["plan_s"] / off_s  # type: ignore[operator]
    keep = [
        "case",
        "enterprises",
        "stations",
        "rules",
        "flows",
        "chains",
        "variables",
        "constraints",
        "problem_s",
        "model_s",
        "solve_s",
        "plan_s",
        "check_s",
        "wall_s",
        "plan_vs_100",
        "rules_vs_off",
        "peak_mb",
        "mem_vs_100",
        "status",
        "gap",
        "checked",
        "ratio_after",
        "lines_binding",
    ]
    path = report(
        "bench_planning",
        [{k: r.get(k) for k in keep} for r in rows],
        quick=args.quick,
        columns=[
            "case",
            "enterprises",
            "stations",
            "rules",
            "variables",
            "plan_s",
            "wall_s",
            "peak_mb",
            "status",
            "ratio_after",
            "plan_vs_100",
            "mem_vs_100",
            "rules_vs_off",
        ],
        baselines={
            "plan_vs_100": "plan time over the 100-enterprise synthetic instance's (rules on), same run",
            "mem_vs_100": "peak RSS of the case's process over the 100-enterprise synthetic instance's",
            "rules_vs_off": "plan time over the same instance's with the policy rules off (only the 80 % floor)",
            "target": "2,000 x 200 with the rules on: plan under 120 s and peak under 8 GB (issue 14)",
        },
    )
    print(f"written {path}")
    big = [r for r in rows if r["case"] == "synthetic" and r["enterprises"] == max(sizes) and "plan_s" in r]
    for r in big:
        ok = r["wall_s"] < 120 and r["peak_mb"] < 8192  # type: ignore[operator]
        print(
            f"{r['enterprises']} x {r['stations']}, rules on: plan {r['plan_s']:.1f} s, process {r['wall_s']:.1f} s, "
            f"peak {r['peak_mb']:.0f} MB: target (< 120 s, < 8 GB) {'met' if ok else 'MISSED'}"
        )
    if failed:
        raise SystemExit(f"failed cases: {', '.join(failed)}")


if __name__ == "__main__":
    main()
