"""Standard VRPLIB instances (CVRPLIB and Solomon formats) and a solver front for them.

These instances let the routing engine be measured against published best-known solutions (BKS)
and against other solvers (``bench/bench_dispatch.py``).

Cost conventions (what the published BKS use):

- **CVRPLIB** (``EDGE_WEIGHT_TYPE : EUC_2D``): Euclidean distance rounded to the nearest integer
  (TSPLIB ``nint``, i.e. ``floor(d + 0.5)``), the cost is the sum of these integers.
- **Solomon** VRPTW: distances *and* travel times are the Euclidean distance truncated to one
  decimal (the DIMACS 2021 / distance-minimisation convention, e.g. C101 827.3, R101 1637.7). Internally
  everything is scaled by 10 to integers; ``cost`` is reported in the file's units.

Routes are reported with **client numbers as in the solution files** (CVRPLIB ``.sol`` and Solomon
``CUST NO.``): the depot is 0 and the clients are numbered 1..n in file order. For VRPLIB files the
``NODE_COORD_SECTION`` label of client ``c`` is ``c + 1`` (see :attr:`VrpInstance.file_ids`).
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from cleanfreight.dispatch.params import SolverParams
from cleanfreight.errors import InputError, Problem, SolverError

__all__ = ["VrpInstance", "VrpResult", "check_routes", "read_vrplib", "route_cost", "solve_vrp"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class VrpInstance:
    """A CVRP or VRPTW instance with integer distances in solver units.

    Attributes
    ----------
    name, kind
        Instance name and ``"cvrp"`` or ``"vrptw"``.
    fmt
        ``"vrplib"`` or ``"solomon"``.
    coords
        (n+1) x 2 coordinates, depot first.
    demand
        Demand per node (depot 0).
    capacity
        Vehicle capacity.
    distance
        Integer (n+1) x (n+1) matrix in solver units (``scale`` units per file unit).
    scale
        1 for CVRPLIB (rounded integers), 10 for Solomon (one-decimal truncation).
    time_window, service_time
        Scaled integers (VRPTW only, else ``None``).
    num_vehicles
        Fleet size from the file (Solomon) or ``None`` (CVRPLIB: unlimited).
    file_ids
        Label of each node in the file.
    """

    name: str
    kind: Literal["cvrp", "vrptw"]
    fmt: Literal["vrplib", "solomon"]
    coords: np.ndarray
    demand: np.ndarray
    capacity: int
    distance: np.ndarray
    scale: int = 1
    time_window: np.ndarray | None = None
    service_time: np.ndarray | None = None
    num_vehicles: int | None = None
    file_ids: tuple[int, ...] = field(default=())

    @property
    def num_clients(self) -> int:
        """Number of clients (nodes except the depot)."""
        return int(len(self.demand) - 1)

    def min_vehicles(self) -> int:
        """Capacity lower bound on the number of routes."""
        return max(1, math.ceil(int(self.demand.sum()) / self.capacity))


@dataclass(frozen=True, eq=False)
class VrpResult:
    """Solution of a :class:`VrpInstance`.

    Attributes
    ----------
    cost
        Total distance in the file's units (CVRPLIB: integer; Solomon: one decimal).
    routes
        One list of client numbers per used vehicle (depot excluded).
    feasible
        Every client once, capacity and time windows respected (checked independently of OR-Tools).
    status
        OR-Tools status name.
    runtime_s
        Wall-clock seconds of the solve.
    """

    instance: str
    cost: float
    routes: list[list[int]]
    feasible: bool
    status: str
    runtime_s: float
    params: SolverParams
    violations: tuple[str, ...] = ()

    @property
    def num_routes(self) -> int:
        return len(self.routes)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (``cost``, ``routes``, ...)."""
        return {
            "instance": self.instance,
            "cost": self.cost,
            "num_routes": self.num_routes,
            "routes": self.routes,
            "feasible": self.feasible,
            "violations": list(self.violations),
            "status": self.status,
            "runtime_s": round(self.runtime_s, 3),
            "params": self.params.as_dict(),
        }


def _detect_format(path: Path, text: str) -> Literal["vrplib", "solomon"]:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) > 2 and lines[1].upper().startswith("VEHICLE"):
        return "solomon"
    return "vrplib"


def read_vrplib(path: str | Path) -> VrpInstance:
    """Read a CVRPLIB (``.vrp``) or Solomon (``.txt``) instance.

    Parameters
    ----------
    path
        The instance file. The format is detected from the content (Solomon files have
        ``VEHICLE`` on their second non-empty line).

    Returns
    -------
    VrpInstance
        With integer distances following the BKS convention of the format (see module docs).

    Raises
    ------
    InputError
        The file is missing, not a VRPLIB/Solomon instance, or uses an unsupported feature
        (several depots, explicit matrices other than full/lower-row, ...).
    """
    import vrplib

    path = Path(path)
    if not path.is_file():
        raise InputError(f"VRPLIB instance not found: {path}", [Problem("file not found", file=str(path))])
    text = path.read_text(encoding="utf-8", errors="replace")
    fmt = _detect_format(path, text)
    try:
        raw = vrplib.read_instance(str(path), instance_format=fmt)
    except Exception as exc:  # vrplib raises RuntimeError/ValueError/IndexError on bad files
        raise InputError(
            f"cannot read {path.name} as a {fmt} instance",
            [Problem(f"{type(exc).__name__}: {exc}", file=str(path))],
        ) from None
    problems: list[Problem] = []
    for key in ("demand", "capacity"):
        if key not in raw:
            problems.append(Problem(f"missing {key.upper()} section", file=str(path), column=key))
    if fmt == "vrplib" and "node_coord" not in raw and "edge_weight" not in raw:
        problems.append(Problem("no NODE_COORD_SECTION nor EDGE_WEIGHT_SECTION", file=str(path)))
    depots = np.atleast_1d(raw.get("depot", np.array([0])))
    if len(depots) != 1 or int(depots[0]) != 0:
        problems.append(
            Problem(
                "only single-depot instances with the depot first are supported",
                file=str(path),
                column="DEPOT_SECTION",
                value=depots.tolist(),
            )
        )
    if problems:
        raise InputError(f"unsupported VRPLIB instance {path.name}", problems)
    _check_values(raw, path)

    demand = np.asarray(raw["demand"], dtype=np.int64).reshape(-1)
    capacity = int(np.asarray(raw["capacity"]).reshape(-1)[0])
    coords = np.asarray(raw.get("node_coord", np.zeros((len(demand), 2))), dtype=float)
    edge = np.asarray(raw["edge_weight"], dtype=float)
    name = str(raw.get("name", path.stem)).strip()
    tw: np.ndarray | None
    service: np.ndarray | None
    if fmt == "solomon":
        scale = 10
        dist = np.floor(edge * scale + 1e-9).astype(np.int64)
        tw = np.asarray(raw["time_window"], dtype=np.int64) * scale
        service = np.asarray(raw["service_time"], dtype=np.int64) * scale
        return VrpInstance(
            name=name,
            kind="vrptw",
            fmt=fmt,
            coords=coords,
            demand=demand,
            capacity=capacity,
            distance=dist,
            scale=scale,
            time_window=tw,
            service_time=service,
            num_vehicles=int(raw["vehicles"]),
            file_ids=tuple(range(len(demand))),
        )
    ewt = str(raw.get("edge_weight_type", "EXPLICIT")).upper()
    dist = np.floor(edge + 0.5).astype(np.int64) if ewt == "EUC_2D" else np.rint(edge).astype(np.int64)
    tw = service = None
    kind: Literal["cvrp", "vrptw"] = "cvrp"
    if "time_window" in raw:
        kind = "vrptw"
        tw = np.asarray(raw["time_window"], dtype=np.int64)
        service = np.asarray(raw.get("service_time", np.zeros(len(demand))), dtype=np.int64).reshape(-1)
        if service.size == 1:
            service = np.full(len(demand), int(service[0]), dtype=np.int64)
    vehicles = raw.get("vehicles")
    return VrpInstance(
        name=name,
        kind=kind,
        fmt=fmt,
        coords=coords,
        demand=demand,
        capacity=capacity,
        distance=dist,
        scale=1,
        time_window=tw,
        service_time=service,
        num_vehicles=None if vehicles is None else int(vehicles),
        file_ids=tuple(int(i) + 1 for i in range(len(demand))),
    )


def _check_values(raw: dict[str, Any], path: Path) -> None:
    """Refuse an instance whose numbers cannot make a vehicle-routing problem; gather every problem.

    CAPACITY must be a positive number, demands finite, non-negative and each at most the
    capacity, one demand per node, distances finite and non-negative, time windows open before
    they close, the Solomon vehicle count at least 1.
    """
    fname = str(path)
    problems: list[Problem] = []

    def numbers(key: str) -> np.ndarray | None:
        try:
            arr = np.asarray(raw[key], dtype=float)
        except (TypeError, ValueError):
            problems.append(Problem("expected numbers", file=fname, column=key.upper()))
            return None
        if not np.isfinite(arr).all():
            problems.append(Problem("holds a value that is not a finite number", file=fname, column=key.upper()))
            return None
        return arr

    cap = numbers("capacity")
    demand = numbers("demand")
    capacity = None if cap is None or cap.size == 0 else float(cap.reshape(-1)[0])
    if cap is not None and (capacity is None or capacity <= 0):
        problems.append(Problem("must be a number greater than 0", file=fname, column="CAPACITY", value=capacity))
        capacity = None
    if demand is not None:
        demand = demand.reshape(-1)
        if demand.size < 2:
            problems.append(Problem("expected a depot and at least one client", file=fname, column="DEMAND_SECTION"))
        for i in np.flatnonzero(demand < 0)[:10]:
            problems.append(
                Problem("demand must not be negative", file=fname, row=int(i) + 1, column="DEMAND_SECTION",
                        value=float(demand[i]))
            )
        if capacity is not None:
            for i in np.flatnonzero(demand > capacity)[:10]:
                problems.append(
                    Problem(f"demand above CAPACITY {capacity:g}: no vehicle can serve this client", file=fname,
                            row=int(i) + 1, column="DEMAND_SECTION", value=float(demand[i]))
                )
    if "edge_weight" in raw:
        edge = numbers("edge_weight")
        if edge is not None:
            if (edge < 0).any():
                problems.append(Problem("distances must not be negative", file=fname, column="EDGE_WEIGHT"))
            if demand is not None and edge.ndim == 2 and edge.shape[0] != demand.size:
                problems.append(
                    Problem(f"{edge.shape[0]} nodes have distances but {demand.size} have a demand", file=fname,
                            column="DEMAND_SECTION")
                )
    if "node_coord" in raw:
        coords = numbers("node_coord")
        if coords is not None and demand is not None and coords.reshape(-1, 2).shape[0] != demand.size:
            problems.append(
                Problem(f"{coords.reshape(-1, 2).shape[0]} nodes have coordinates but {demand.size} have a demand",
                        file=fname, column="DEMAND_SECTION")
            )
    if "time_window" in raw:
        tw = numbers("time_window")
        if tw is not None:
            tw = tw.reshape(-1, 2)
            for i in np.flatnonzero(tw[:, 0] > tw[:, 1])[:10]:
                problems.append(
                    Problem("time window closes before it opens", file=fname, row=int(i) + 1,
                            column="TIME_WINDOW_SECTION", value=tw[i].tolist())
                )
    if "vehicles" in raw:
        veh = numbers("vehicles")
        if veh is not None and (veh.size == 0 or float(veh.reshape(-1)[0]) < 1):
            problems.append(Problem("must be at least 1", file=fname, column="VEHICLES"))
    if problems:
        raise InputError(f"invalid VRPLIB instance {path.name}", problems)


def route_cost(instance: VrpInstance, routes: list[list[int]]) -> float:
    """Total distance of ``routes`` (client numbers) in the file's units."""
    d = instance.distance
    total = 0
    for route in routes:
        path = [0, *route, 0]
        total += int(sum(d[a, b] for a, b in itertools.pairwise(path)))
    return total / instance.scale if instance.scale != 1 else float(total)


def check_routes(instance: VrpInstance, routes: list[list[int]]) -> list[str]:
    """Independent feasibility check; returns a list of violations (empty when feasible)."""
    issues: list[str] = []
    seen = [c for r in routes for c in r]
    expected = set(range(1, instance.num_clients + 1))
    if sorted(seen) != sorted(expected):
        missing = sorted(expected - set(seen))
        dupes = sorted({c for c in seen if seen.count(c) > 1})
        issues.append(f"clients not visited exactly once: missing {missing[:10]}, repeated {dupes[:10]}")
    if instance.num_vehicles is not None and len(routes) > instance.num_vehicles:
        issues.append(f"{len(routes)} routes > {instance.num_vehicles} vehicles")
    for k, route in enumerate(routes):
        load = int(instance.demand[route].sum()) if route else 0
        if load > instance.capacity:
            issues.append(f"route {k}: load {load} > capacity {instance.capacity}")
        if instance.time_window is not None and instance.service_time is not None:
            t = int(instance.time_window[0, 0])
            prev = 0
            for c in [*route, 0]:
                t = max(
                    t + int(instance.service_time[prev]) + int(instance.distance[prev, c]),
                    int(instance.time_window[c, 0]),
                )
                if t > instance.time_window[c, 1]:
                    issues.append(
                        f"route {k}: arrives at {c} at {t / instance.scale} after its window "
                        f"closes at {instance.time_window[c, 1] / instance.scale}"
                    )
                    break
                prev = c
    return issues


def _fleet_size(instance: VrpInstance, params: SolverParams) -> int:
    if params.num_vehicles is not None:
        return params.num_vehicles
    if instance.num_vehicles is not None:
        return instance.num_vehicles
    lb = instance.min_vehicles()
    k = re.search(r"-k(\d+)", instance.name)
    lb = max(lb, int(k.group(1))) if k else lb
    return min(instance.num_clients, lb + max(3, lb // 4))


def solve_vrp(instance: VrpInstance, params: SolverParams | None = None) -> VrpResult:
    """Solve a CVRP/VRPTW instance with OR-Tools routing.

    Parameters
    ----------
    instance
        From :func:`read_vrplib`.
    params
        Search settings; ``SolverParams()`` when omitted.

    Returns
    -------
    VrpResult
        Cost in file units, routes with client numbers, and an independent feasibility check.

    Raises
    ------
    SolverError
        OR-Tools found no solution within the limits.
    """
    from ortools.constraint_solver import pywrapcp

    from cleanfreight.dispatch._ortools import extract_routes, search_parameters, status_name

    params = params or SolverParams()
    n = len(instance.demand)
    # The seed permutes the clients (see SolverParams.seed); perm[internal] = original.
    perm = np.arange(n)
    if params.seed:
        rng = np.random.default_rng(params.seed)
        perm[1:] = 1 + rng.permutation(n - 1)
    dist = instance.distance[np.ix_(perm, perm)]
    demand = instance.demand[perm]
    vehicles = _fleet_size(instance, params)

    manager = pywrapcp.RoutingIndexManager(n, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    arc = routing.RegisterTransitMatrix(dist.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    dem = routing.RegisterUnaryTransitVector(demand.tolist())
    routing.AddDimensionWithVehicleCapacity(dem, 0, [instance.capacity] * vehicles, True, "load")
    if instance.time_window is not None and instance.service_time is not None:
        tw = instance.time_window[perm]
        service = instance.service_time[perm]
        tmat = dist + service[:, None]
        horizon = int(tw[:, 1].max() + service.max() + dist.max())
        time_cb = routing.RegisterTransitMatrix(tmat.tolist())
        routing.AddDimension(time_cb, horizon, horizon, False, "time")
        tdim = routing.GetDimensionOrDie("time")
        for node in range(1, n):
            tdim.CumulVar(manager.NodeToIndex(node)).SetRange(int(tw[node, 0]), int(tw[node, 1]))
        for v in range(vehicles):
            tdim.CumulVar(routing.Start(v)).SetRange(int(tw[0, 0]), int(tw[0, 1]))
            tdim.CumulVar(routing.End(v)).SetRange(int(tw[0, 0]), int(tw[0, 1]))

    started = time.perf_counter()
    solution = routing.SolveWithParameters(
        search_parameters(params, time_windows=instance.time_window is not None)
    )
    runtime = time.perf_counter() - started
    if solution is None:
        raise SolverError(
            f"OR-Tools found no solution for {instance.name} ({status_name(routing)}) with "
            f"{vehicles} vehicles in {params.time_limit_s} s; raise --time-limit or the fleet size"
        )
    routes = [[int(perm[c]) for c in r] for r in extract_routes(routing, manager, solution) if r]
    violations = check_routes(instance, routes)
    result = VrpResult(
        instance=instance.name,
        cost=route_cost(instance, routes),
        routes=routes,
        feasible=not violations,
        status=status_name(routing),
        runtime_s=runtime,
        params=params,
        violations=tuple(violations),
    )
    logger.info("%s: cost %s with %d routes in %.1f s", instance.name, result.cost, len(routes), runtime)
    return result
