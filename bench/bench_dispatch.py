"""Benchmark of the dispatch routing engine: OR-Tools (as tuned in cleanfreight) against PyVRP.

Both solvers get the same integer distance matrix (CVRPLIB: rounded Euclidean; Solomon: one-decimal
truncation, scaled by 10) and the same wall-clock budget, in the same run, one after the other.
Figures are ratios against PyVRP measured in this run (``cost_vs_pyvrp``: OR-Tools' cost over PyVRP's;
``time_vs_pyvrp``: OR-Tools' wall time over PyVRP's, about 1 as both run to the same budget), and against
the published best-known solutions (BKS) of the shipped instances (``cost_vs_bks``).

Usage::

    .venv/bin/python bench/bench_dispatch.py [--quick] [--time-limit S] [--seed N]

``--quick`` runs two instances at 10 s each (under 2 minutes). Results go to
``bench/results/bench_dispatch.json`` (``bench/_common.py: report``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import report  # noqa: E402

DATA = ROOT / "tests" / "dispatch" / "data"

# Best-known solutions. CVRPLIB X set: Uchoa et al. (2017), values and routes in the .sol files
# shipped next to the instances (from CVRPLIB, via the PyVRP/VRPLIB repository). Solomon: distance-
# minimising optimum with one-decimal truncated distances (Kallehauge, Larsen & Madsen 2006;
# the DIMACS 2021 VRPTW challenge convention): C101 827.3 (10 routes), R101 1637.7 (20 routes).
BKS: dict[str, float] = {
    "X-n106-k14": 26362,
    "X-n139-k10": 13590,
    "C101": 827.3,
    "R101": 1637.7,
}
FULL = ["X-n106-k14.vrp", "X-n139-k10.vrp", "C101.txt", "R101.txt"]
QUICK = ["X-n106-k14.vrp", "R101.txt"]


def solve_pyvrp(instance: Any, time_limit: float, seed: int) -> tuple[float, int, bool]:
    """Solve with PyVRP on the same integer matrix; returns (cost in file units, routes, feasible)."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    n = len(instance.demand)
    model = Model()
    locs = [model.add_location(float(x), float(y)) for x, y in instance.coords]
    tw = instance.time_window
    service = instance.service_time
    horizon = int(tw[0, 1]) if tw is not None else 2**40
    depot = model.add_depot(locs[0], tw_early=0, tw_late=horizon)
    vehicles = instance.num_vehicles or n - 1
    model.add_vehicle_type(
        num_available=vehicles,
        capacity=[int(instance.capacity)],
        start_depot=depot,
        end_depot=depot,
        tw_early=0,
        tw_late=horizon,
    )
    for i in range(1, n):
        kwargs: dict[str, Any] = {}
        if tw is not None and service is not None:
            kwargs = {
                "tw_early": int(tw[i, 0]),
                "tw_late": int(tw[i, 1]),
                "service_duration": int(service[i]),
            }
        model.add_client(locs[i], delivery=[int(instance.demand[i])], **kwargs)
    dist = instance.distance
    for i in range(n):
        for j in range(n):
            d = int(dist[i, j])
            model.add_edge(locs[i], locs[j], distance=d, duration=d)
    res = model.solve(stop=MaxRuntime(time_limit), seed=seed, display=False)
    return res.cost() / instance.scale, len(res.best.routes()), bool(res.is_feasible())


def main(argv: list[str] | None = None) -> int:
    from cleanfreight.dispatch import SolverParams, read_vrplib, solve_vrp

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="two instances, 10 s each (< 2 min)")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per solver and instance")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--defaults", action="store_true", help="also run OR-Tools with its default search")
    args = ap.parse_args(argv)
    files = QUICK if args.quick else FULL
    budget = args.time_limit or (10.0 if args.quick else 30.0)

    rows: list[dict[str, Any]] = []
    header = f"{'instance':<12}{'n':>5}{'OR-Tools':>11}{'PyVRP':>11}{'gap %':>8}{'BKS':>10}{'OR BKS %':>10}{'Py BKS %':>10}"
    if args.defaults:
        header += f"{'default':>11}"
    print(f"time budget {budget:g} s per solver and instance, seed {args.seed}")
    print(header)
    for name in files:
        inst = read_vrplib(DATA / name)
        t0 = time.perf_counter()
        ours = solve_vrp(inst, SolverParams(time_limit_s=budget, seed=args.seed))
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        py_cost, py_routes, py_ok = solve_pyvrp(inst, budget, args.seed)
        t_py = time.perf_counter() - t0
        bks = BKS.get(inst.name)
        row: dict[str, Any] = {
            "instance": inst.name,
            "n": inst.num_clients,
            "time_limit_s": budget,
            "ortools_cost": ours.cost,
            "ortools_routes": ours.num_routes,
            "ortools_feasible": ours.feasible,
            "pyvrp_cost": py_cost,
            "pyvrp_routes": py_routes,
            "pyvrp_feasible": py_ok,
            "ortools_s": round(t_ours, 2),
            "pyvrp_s": round(t_py, 2),
            "cost_vs_pyvrp": ours.cost / py_cost,
            "time_vs_pyvrp": t_ours / t_py,
            "cost_vs_bks": None if bks is None else ours.cost / bks,
            "pyvrp_cost_vs_bks": None if bks is None else py_cost / bks,
            "gap_to_pyvrp_pct": 100 * (ours.cost / py_cost - 1),
            "bks": bks,
            "ortools_gap_bks_pct": None if bks is None else 100 * (ours.cost / bks - 1),
            "pyvrp_gap_bks_pct": None if bks is None else 100 * (py_cost / bks - 1),
        }
        line = (
            f"{inst.name:<12}{inst.num_clients:>5}{ours.cost:>11.1f}{py_cost:>11.1f}"
            f"{row['gap_to_pyvrp_pct']:>8.2f}{bks if bks is not None else '-':>10}"
            f"{row['ortools_gap_bks_pct'] if bks is None else format(row['ortools_gap_bks_pct'], '.2f'):>10}"
            f"{row['pyvrp_gap_bks_pct'] if bks is None else format(row['pyvrp_gap_bks_pct'], '.2f'):>10}"
        )
        if args.defaults:
            from cleanfreight.errors import SolverError

            try:
                base = solve_vrp(
                    inst,
                    SolverParams(
                        time_limit_s=budget,
                        seed=args.seed,
                        tuned=False,
                        first_solution="AUTOMATIC",
                        metaheuristic="GUIDED_LOCAL_SEARCH",
                        gls_lambda=0.1,
                    ),
                )
                row["ortools_default_cost"] = base.cost
                line += f"{base.cost:>11.1f}"
            except SolverError:  # plain defaults find no feasible start on tight windows (R101)
                row["ortools_default_cost"] = None
                line += f"{'none':>11}"
        rows.append(row)
        print(line, flush=True)
    mean_gap = sum(r["gap_to_pyvrp_pct"] for r in rows) / len(rows)
    print(f"mean OR-Tools gap to PyVRP: {mean_gap:.2f} %")
    rows.append(
        {
            "instance": "mean",
            "n": None,
            "time_limit_s": budget,
            "cost_vs_pyvrp": sum(r["cost_vs_pyvrp"] for r in rows) / len(rows),
            "time_vs_pyvrp": sum(r["time_vs_pyvrp"] for r in rows) / len(rows),
            "gap_to_pyvrp_pct": mean_gap,
        }
    )
    path = report(
        "bench_dispatch",
        rows,
        quick=args.quick,
        time_limit_s=budget,
        seed=args.seed,
        mean_gap_to_pyvrp_pct=mean_gap,
        columns=["instance", "n", "time_limit_s", "ortools_cost", "pyvrp_cost", "bks", "cost_vs_pyvrp",
                 "time_vs_pyvrp", "cost_vs_bks", "pyvrp_cost_vs_bks", "ortools_feasible", "pyvrp_feasible"],
        baselines={
            "cost_vs_pyvrp": "PyVRP's cost on the same integer matrix and time budget, same run (aim: < 1.03×)",
            "time_vs_pyvrp": "PyVRP's wall time (both stop at the same budget: about 1×)",
            "cost_vs_bks": "the published best-known solution (CVRPLIB / Solomon)",
        },
    )
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"total {time.perf_counter() - started:.0f} s")
    raise SystemExit(code)
