"""VRPLIB reading, BKS cost conventions and the OR-Tools front on standard instances."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import vrplib

from cleanfreight.dispatch import SolverParams, check_routes, read_vrplib, route_cost, solve_vrp
from cleanfreight.errors import InputError

FAST = SolverParams(time_limit_s=30, solution_limit=40)


def test_cvrp_nint_rounding(tiny_cvrp: Path) -> None:
    inst = read_vrplib(tiny_cvrp)
    assert inst.kind == "cvrp" and inst.scale == 1 and inst.capacity == 7
    assert inst.demand.tolist() == [0, 3, 4, 2, 3, 1]
    assert inst.file_ids == (1, 2, 3, 4, 5, 6)
    # hand-computed: 5, 10, sqrt(2)=1.41 -> 1, sqrt(5)=2.24 -> 2, 0.5 -> 1 (nint rounds half up)
    assert inst.distance[0].tolist() == [0, 5, 10, 1, 2, 1]
    assert inst.distance[1, 3] == 4  # sqrt(13) = 3.61
    assert inst.distance[2, 3] == 9  # sqrt(74) = 8.60
    assert inst.distance[4, 5] == 2  # sqrt(3.25) = 1.80
    assert route_cost(inst, [[1, 2], [3, 4, 5]]) == 20 + 5


def _brute_force_optimum(inst) -> int:  # type: ignore[no-untyped-def]
    clients = list(range(1, inst.num_clients + 1))
    best = 10**9
    for perm in itertools.permutations(clients):
        for cuts in itertools.product([False, True], repeat=len(perm) - 1):
            routes, cur = [], [perm[0]]
            for c, cut in zip(perm[1:], cuts, strict=True):
                if cut:
                    routes.append(cur)
                    cur = [c]
                else:
                    cur.append(c)
            routes.append(cur)
            if all(inst.demand[r].sum() <= inst.capacity for r in routes):
                best = min(best, int(route_cost(inst, routes)))
    return best


def test_tiny_cvrp_solved_to_optimum(tiny_cvrp: Path) -> None:
    inst = read_vrplib(tiny_cvrp)
    res = solve_vrp(inst, FAST)
    assert res.feasible and not check_routes(inst, res.routes)
    assert res.cost == route_cost(inst, res.routes)
    assert res.cost == _brute_force_optimum(inst) == 25


def test_solomon_one_decimal_truncation(tiny_solomon: Path) -> None:
    inst = read_vrplib(tiny_solomon)
    assert inst.kind == "vrptw" and inst.fmt == "solomon" and inst.scale == 10 and inst.num_vehicles == 2
    assert inst.distance[0, 1] == 14 and inst.distance[1, 2] == 20 and inst.distance[0, 2] == 31
    assert inst.distance[1, 3] == 22 and inst.distance[2, 3] == 36
    assert inst.time_window is not None and inst.time_window[2].tolist() == [50, 200]
    assert inst.service_time is not None and inst.service_time[1] == 20
    assert route_cost(inst, [[1, 2], [3]]) == pytest.approx(12.5)
    assert check_routes(inst, [[1, 2], [3]]) == []
    # visiting 2 first reaches 1 at 9.0, after its window closes at 3
    assert any("after its window" in v for v in check_routes(inst, [[2, 1], [3]]))
    # 5 + 4 + 3 > 10: a single route breaks the capacity
    assert any("capacity" in v for v in check_routes(inst, [[1, 2, 3]]))
    res = solve_vrp(inst, FAST)
    assert res.feasible and res.cost == pytest.approx(12.5)


@pytest.mark.parametrize("name", ["X-n106-k14", "X-n139-k10"])
def test_shipped_bks_solutions_cost_as_published(data_dir: Path, name: str) -> None:
    """The CVRPLIB .sol files must cost exactly their published value under our rounding."""
    inst = read_vrplib(data_dir / f"{name}.vrp")
    sol = vrplib.read_solution(str(data_dir / f"{name}.sol"))
    routes = [list(map(int, r)) for r in sol["routes"]]
    assert check_routes(inst, routes) == []
    assert route_cost(inst, routes) == sol["cost"]


def test_x_instance_routes_valid(data_dir: Path) -> None:
    inst = read_vrplib(data_dir / "X-n106-k14.vrp")
    res = solve_vrp(inst, FAST)
    visited = sorted(c for r in res.routes for c in r)
    assert visited == list(range(1, 106))
    assert all(inst.demand[r].sum() <= inst.capacity for r in res.routes)
    assert res.feasible
    assert 26362 <= res.cost < 26362 * 1.25  # BKS is a lower bound for any feasible solution


def test_solomon_r101_time_windows_respected(data_dir: Path) -> None:
    inst = read_vrplib(data_dir / "R101.txt")
    assert inst.num_clients == 100 and inst.capacity == 200
    res = solve_vrp(inst, SolverParams(time_limit_s=30, solution_limit=20))
    assert res.feasible, res.violations
    assert res.num_routes <= 25
    assert res.cost >= 1637.7  # optimum under the same convention


def test_same_seed_same_routes(data_dir: Path) -> None:
    inst = read_vrplib(data_dir / "X-n106-k14.vrp")
    params = SolverParams(time_limit_s=30, solution_limit=25, seed=7)
    a, b = solve_vrp(inst, params), solve_vrp(inst, params)
    assert a.routes == b.routes and a.cost == b.cost


def test_bad_instance_is_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.vrp"
    bad.write_text("NAME : bad\nTYPE : CVRP\nDIMENSION : 3\nEOF\n", encoding="utf-8")
    with pytest.raises(InputError):
        read_vrplib(bad)
    with pytest.raises(InputError, match="not found"):
        read_vrplib(tmp_path / "missing.vrp")


def test_solver_params_lists_every_problem() -> None:
    with pytest.raises(InputError) as err:
        SolverParams(time_limit_s=-1, seed=-2, first_solution="NOPE", metaheuristic="X")
    cols = {p.column for p in err.value.problems}
    assert cols == {"time_limit_s", "seed", "first_solution", "metaheuristic"}


def test_permutation_seed_keeps_client_numbers(tiny_cvrp: Path) -> None:
    inst = read_vrplib(tiny_cvrp)
    res = solve_vrp(inst, SolverParams(time_limit_s=30, solution_limit=40, seed=3))
    assert sorted(c for r in res.routes for c in r) == [1, 2, 3, 4, 5]
    assert res.cost == 25
    assert np.array_equal(inst.distance, inst.distance.T)
