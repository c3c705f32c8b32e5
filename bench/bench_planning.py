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
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report

if TYPE_CHECKING:
    import numpy as np

    from cleanfreight.planning import PlanProblem


def province_problem(n: int, seed: int) -> PlanProblem:
    """The seeded province sites (``cleanfreight sample --scale province``: enterprises with their tonnes,
    stations around Shanxi's cities) as a planning instance.

    ``synthetic_problem`` places its own sites, so the rest of the instance (flows, mode splits, regions, rail
    lines, spurs, swap stations, a restriction zone) is the synthetic one of the same size and seed, moved onto
    the province sites: each enterprise's flows scaled to its ``tonnes_per_year``, station capacities at least
    the province's and 1.2 x the rail-only tonnes of the enterprises nearest to them (as in the synthetic
    instance), spurs to the nearest station, the zone around the first station. Distances: great-circle x 1.3.
    """
    import numpy as np
    import pandas as pd
    from shapely.geometry import box

    from cleanfreight.jobs.province import ProvinceParams, province_sites
    from cleanfreight.planning import problem_from_frames, synthetic_problem

    ent_p, st_p = province_sites(ProvinceParams(enterprises=n, stations=max(2, n // 10)))
    base = synthetic_problem(len(ent_p), len(st_p), seed=seed)
    ent = base.enterprises.copy()
    for c in ("lon", "lat", "name_zh", "name_en"):
        ent[c] = ent_p[c].to_numpy()
    st = base.stations.copy()
    st["lon"], st["lat"] = st_p["lon"].to_numpy(), st_p["lat"].to_numpy()
    st["handling_capacity_t_per_year"] = np.maximum(
        st["handling_capacity_t_per_year"].to_numpy(float), st_p["capacity_t_per_year"].to_numpy(float)
    )
    flows = base.flows.copy()
    total = flows.groupby("enterprise_id")["tonnes_per_year"].transform("sum")
    want = flows["enterprise_id"].map(dict(zip(ent["enterprise_id"], ent_p["tonnes_per_year"], strict=True)))
    flows["tonnes_per_year"] = (flows["tonnes_per_year"] * want / total).round(-2).clip(lower=1000.0)
    # the synthetic instance's rule: a station takes 1.2 x the rail-only tonnes of the enterprises nearest to it
    d = _km(ent["lon"].to_numpy(), ent["lat"].to_numpy(), st["lon"].to_numpy(), st["lat"].to_numpy())
    nearest = pd.Series(np.argmin(d, axis=1), index=ent["enterprise_id"])
    out_regions = set(base.regions.loc[~base.regions["in_province"].astype(bool), "region_id"])
    rail_only = flows[
        flows["commodity"].isin(["coal", "coke"])
        & (flows["direction"] == "out")
        & flows["region_id"].isin(out_regions)
    ]
    need = rail_only.groupby(rail_only["enterprise_id"].map(nearest))["tonnes_per_year"].sum()
    floor = np.array([1.2 * float(need.get(i, 0.0)) for i in range(len(st))])
    st["handling_capacity_t_per_year"] = np.maximum(st["handling_capacity_t_per_year"], np.ceil(floor))
    spurs = base.spurs.copy()
    spurs["station_id"] = spurs["enterprise_id"].map(nearest).map(dict(enumerate(st["station_id"])))
    swaps = base.swap_stations.copy()
    swaps["lon"] = st["lon"].to_numpy()[: len(swaps)] + 0.02
    swaps["lat"] = st["lat"].to_numpy()[: len(swaps)] + 0.02
    x0, y0 = float(st.at[0, "lon"]), float(st.at[0, "lat"])
    zone = box(x0 - 0.08, y0 - 0.06, x0 + 0.08, y0 + 0.06)
    inside = ent["enterprise_id"][
        (ent["lon"].between(x0 - 0.08, x0 + 0.08)) & (ent["lat"].between(y0 - 0.06, y0 + 0.06))
    ]
    st.at[0, "handling_capacity_t_per_year"] += float(
        flows.loc[flows["enterprise_id"].isin(inside), "tonnes_per_year"].sum()
    )
    zones = base.zones.copy()
    zones["geometry"] = [zone]
    regions = base.regions.copy()
    lines = base.lines.copy()
    reg_line = {r: ids[0] for r, ids in zip(regions["region_id"], regions["rail_line_ids"], strict=True)}
    to_line = flows.groupby(flows["region_id"].map(reg_line))["tonnes_per_year"].sum()
    rail_only_t = float(rail_only["tonnes_per_year"].sum())
    lines["capacity_t_per_year"] = [
        np.ceil(1.2 * rail_only_t + float(to_line.get(k, 0.0))) for k in lines["line_id"]
    ]
    st["line_ids"] = [";".join(v) for v in st["line_ids"]]
    regions["rail_line_ids"] = [";".join(v) for v in regions["rail_line_ids"]]
    return problem_from_frames(
        ent,
        flows,
        base.splits,
        regions,
        st,
        spurs,
        swaps,
        lines=lines,
        zones=zones[["zone_id", "hgv_banned_hours", "new_energy_exempt", "geometry"]],
        name=f"province-{len(ent)}-{len(st)}-s{seed}",
        source="province sites (bench)",
    )


def _km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Great-circle km between every point 1 (rows) and every point 2 (columns)."""
    import numpy as np

    a1, b1 = np.radians(np.asarray(lon1, float))[:, None], np.radians(np.asarray(lat1, float))[:, None]
    a2, b2 = np.radians(np.asarray(lon2, float))[None, :], np.radians(np.asarray(lat2, float))[None, :]
    h = np.sin((b2 - b1) / 2) ** 2 + np.cos(b1) * np.cos(b2) * np.sin((a2 - a1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(h))


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
            "cpu_s": _cpu_s(),
        }
    if base_case == "sample":
        problem = build_problem()
    elif base_case == "sample-straight":
        problem = build_problem(use_road_network=False)
    elif base_case == "province":
        problem = province_problem(n, seed)
    elif base_case == "synthetic-tight":  # rail line capacities that bind: a much harder model
        problem = synthetic_problem(n, max(2, n // 10), seed=seed, line_headroom=0.25)
    else:
        problem = synthetic_problem(n, max(2, n // 10), seed=seed)
    t_problem = time.perf_counter() - t0
    # "-rules-off": the city preset's policy rules switched off (only the 80 % floor), to price the rules
    off: dict[str, Any] = {
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
        "cpu_s": _cpu_s(),
    }


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process so far: less disturbed by a shared machine than wall time."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller synthetic sizes")
    ap.add_argument(
        "--profile", nargs=2, metavar=("CASE", "N"), help="cProfile one case (e.g. province 2000)"
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
        print(json.dumps(prof.runcall(_one, args.profile[0], int(args.profile[1]), 1)))
        stats = pstats.Stats(prof)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        return
    sizes = [50, 100, 200] if args.quick else [100, 500, 1000, 2000]
    tight = [100, 200] if args.quick else [100, 500, 1000]
    cases = (
        [("sample", 40), ("sample-rules-off", 40), ("sample-straight", 40), ("sample-frontier", 40)]
        + [(c, n) for n in sizes for c in ("synthetic", "synthetic-rules-off")]
        + [("synthetic-tight", n) for n in tight]
        + [("province", 200 if args.quick else 2000)]
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
        r["cpu_vs_100"] = r["cpu_s"] / base["cpu_s"] if "cpu_s" in r else None  # type: ignore[operator]
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
        "cpu_s",
        "plan_vs_100",
        "rules_vs_off",
        "peak_mb",
        "mem_vs_100",
        "cpu_vs_100",
        "status",
        "gap",
        "checked",
        "ratio_after",
        "lines_binding",
    ]
    notes = []
    for r in rows:
        if r["case"] in ("synthetic", "province") and r["enterprises"] == 2000 and "plan_s" in r:
            ok = r["wall_s"] < 120 and r["peak_mb"] < 8192  # type: ignore[operator]
            notes.append(
                f"{r['case']} {r['enterprises']:,} x {r['stations']}, policy rules on: plan {r['plan_s']:.1f} s, "
                f"process {r['wall_s']:.1f} s wall / {r['cpu_s']:.1f} s CPU, peak {r['peak_mb']:,.0f} MB: target "
                f"(< 120 s, < 8 GB) {'met' if ok else 'MISSED'}"
            )
    notes += [f"case failed: {c}" for c in failed]
    path = report(
        "bench_planning",
        [{k: r.get(k) for k in keep} for r in rows],
        quick=args.quick,
        notes=notes,
        columns=[
            "case",
            "enterprises",
            "stations",
            "rules",
            "variables",
            "plan_s",
            "wall_s",
            "cpu_s",
            "peak_mb",
            "status",
            "ratio_after",
            "plan_vs_100",
            "cpu_vs_100",
            "mem_vs_100",
            "rules_vs_off",
        ],
        baselines={
            "plan_vs_100": "plan time over the 100-enterprise synthetic instance's (rules on), same run",
            "cpu_vs_100": "CPU seconds of the case's process over the 100-enterprise instance's (less disturbed by a "
            "shared machine than wall time)",
            "mem_vs_100": "peak RSS of the case's process over the 100-enterprise synthetic instance's",
            "rules_vs_off": "plan time over the same instance's with the policy rules off (only the 80 % floor)",
            "target": "2,000 x 200 with the rules on: plan under 120 s and peak under 8 GB (issue 14)",
        },
    )
    print(f"written {path}")
    for line in notes:
        print(line)
    if failed:
        raise SystemExit(f"failed cases: {', '.join(failed)}")


if __name__ == "__main__":
    main()
