"""OR-Tools model of the short-haul day (private: callers use :func:`solve_dispatch`).

Nodes: one per depot, a pickup and a delivery node per truckload (lot), and ``max_visits`` copies
of each energy station (optional nodes, the standard trick for recharging in OR-Tools routing).

Dimensions:

- ``time`` (minutes after midnight): transit = service at the origin node + travel; slack = waiting
  (and charging time at charging stations); node windows from loads and site hours; vehicle
  start/end within the shift and a span bound = shift length.
- ``load`` (tonnes x 100): +tonnes at pickup, -tonnes at delivery; capacity = payload.
- ``energy`` (native unit x 100, above the reserve): state of charge with negative transits
  = consumption; slack (recharge) allowed only at energy-station nodes, capped so the battery is
  never above full; at charging stations the time slack must cover ``kWh / kW``.

Travel: one km/minutes matrix per matrix class (new-energy trucks, and the others when they drive on
other roads: :class:`cleanfreight.dispatch.FleetMatrices`). Each class gets its own transit matrices
(OR-Tools ``RegisterTransitMatrix``, no Python callback in the search) for cost, energy and time;
each vehicle is tied to its class's evaluators (``SetArcCostEvaluatorOfVehicle``,
``AddDimensionWithVehicleTransits``). With a single class the time dimension is built exactly as
before (``AddDimension``).

Consumption per arc uses the load that the arc's end points imply: an arc leaving a pickup or
entering a delivery carries that lot; other arcs are driven empty. This is exact when a truck
carries one lot at a time (full-truckload shuttles, the Changzhi case) even with a swap between
pickup and delivery; with several small lots on board it underestimates, which the exact replay
in :mod:`cleanfreight.dispatch._replay` reports (``soc_min`` and ``energy_warnings``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cleanfreight.dispatch._ortools import search_parameters, status_name
from cleanfreight.dispatch.scenario import DAY_MIN, EnergyStation, Scenario

logger = logging.getLogger(__name__)

T_SCALE = 100  # tonnes -> integer units
E_SCALE = 100  # energy unit -> integer units
C_SCALE = 100  # CNY -> fen


@dataclass
class Lot:
    """One truckload of a load, ready for the model."""

    lot_id: str
    load_id: str
    tonnes: float
    origin: int  # place index
    destination: int
    pick_window: tuple[int, int]
    drop_window: tuple[int, int]
    pick_service: int
    drop_service: int
    pick_ban: tuple[int, int] | None
    drop_ban: tuple[int, int] | None
    pick_ban_exempt_ne: bool
    drop_ban_exempt_ne: bool
    allowed_types: list[int] = field(default_factory=list)


@dataclass
class Vehicle:
    truck_id: str
    type_index: int
    depot_place: int
    matrix: int = 0  # index of the vehicle's matrix class in the km/minutes sequences


@dataclass
class ModelNode:
    kind: str  # depot | pickup | delivery | energy
    place: int
    lot: int = -1
    station: int = -1
    service: int = 0
    window: tuple[int, int] = (0, DAY_MIN)
    tonnes: float = 0.0


@dataclass
class Visit:
    """One stop of a solved route (model values)."""

    node: int
    start: int  # service start, minutes
    energy: int  # energy above reserve on arrival, x E_SCALE
    recharge: int  # energy slack at this node, x E_SCALE
    time_slack: int


@dataclass
class ModelSolution:
    status: str
    objective: int
    routes: list[list[Visit]]  # per vehicle, including start and end depot visits
    dropped_lots: list[int]


def build_nodes(
    scenario: Scenario, lots: list[Lot], vehicles: list[Vehicle], station_visits: dict[int, int]
) -> tuple[list[ModelNode], dict[int, int]]:
    """Model nodes; returns the nodes and ``depot place -> node``."""
    nodes: list[ModelNode] = []
    depot_node: dict[int, int] = {}
    for v in vehicles:
        if v.depot_place not in depot_node:
            depot_node[v.depot_place] = len(nodes)
            nodes.append(ModelNode("depot", v.depot_place))
    for k, lot in enumerate(lots):
        nodes.append(
            ModelNode(
                "pickup",
                lot.origin,
                lot=k,
                service=lot.pick_service,
                window=lot.pick_window,
                tonnes=lot.tonnes,
            )
        )
        nodes.append(
            ModelNode(
                "delivery",
                lot.destination,
                lot=k,
                service=lot.drop_service,
                window=lot.drop_window,
                tonnes=-lot.tonnes,
            )
        )
    n_sites = len(scenario.sites)
    for s, copies in station_visits.items():
        st: EnergyStation = scenario.energy_stations[s]
        window = st.hours or (0, DAY_MIN)
        for _ in range(copies):
            nodes.append(
                ModelNode("energy", n_sites + s, station=s, service=round(st.service_min), window=window)
            )
    return nodes, depot_node


def _arc_load(nodes: list[ModelNode]) -> np.ndarray:
    out_t = np.array([n.tonnes if n.kind == "pickup" else 0.0 for n in nodes])
    in_t = np.array([-n.tonnes if n.kind == "delivery" else 0.0 for n in nodes])
    return np.maximum(out_t[:, None], in_t[None, :])


def solve_model(
    scenario: Scenario,
    lots: list[Lot],
    vehicles: list[Vehicle],
    km: Sequence[np.ndarray],
    minutes: Sequence[np.ndarray],
) -> tuple[ModelSolution, list[ModelNode]]:
    """Build and solve the routing model.

    ``km``/``minutes`` hold one place x place matrix per matrix class (finite values: unreachable
    pairs made large by the caller); vehicle ``v`` drives on ``km[v.matrix]``.
    """
    from ortools.constraint_solver import pywrapcp

    types = scenario.truck_types
    # station copies: enough for two visits per truck that may use the station, bounded
    station_visits: dict[int, int] = {}
    for s, st in enumerate(scenario.energy_stations):
        users = sum(1 for v in vehicles if st.kind in types[v.type_index].spec.refuel_kinds)
        if users:
            station_visits[s] = st.max_visits or min(12, 2 * users)
    nodes, depot_node = build_nodes(scenario, lots, vehicles, station_visits)
    n = len(nodes)
    place = np.array([nd.place for nd in nodes])
    classes = sorted({v.matrix for v in vehicles})
    node_km = {c: km[c][np.ix_(place, place)] for c in classes}
    node_min = {c: np.rint(minutes[c][np.ix_(place, place)]).astype(np.int64) for c in classes}
    class_of_type = {v.type_index: v.matrix for v in vehicles}
    service = np.array([nd.service for nd in nodes], dtype=np.int64)

    starts = [depot_node[v.depot_place] for v in vehicles]
    manager = pywrapcp.RoutingIndexManager(n, len(vehicles), starts, starts)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()
    # RegisterTransitMatrix / RegisterUnaryTransitVector take node-indexed values (OR-Tools maps
    # indexes to nodes itself), so the search loop runs without Python callbacks.

    def _int_matrix(mat: np.ndarray) -> list[list[int]]:
        return mat.astype(np.int64).tolist()  # type: ignore[no-any-return]

    # --- costs per truck type
    used_types = sorted({v.type_index for v in vehicles})
    cost_cb: dict[int, int] = {}
    energy_cb: dict[int, int] = {}
    arc_load = _arc_load(nodes)
    visit_cost = np.array(
        [
            scenario.energy_stations[nd.station].visit_cost * C_SCALE if nd.kind == "energy" else 0.0
            for nd in nodes
        ]
    )
    for ti in used_types:
        tt = types[ti]
        type_km = node_km[class_of_type[ti]]
        cost = np.rint(type_km * tt.cost_per_km * C_SCALE + visit_cost[:, None])
        cost_cb[ti] = routing.RegisterTransitMatrix(_int_matrix(cost))
        if tt.spec.limited_range:
            rate = tt.empty_rate + (tt.full_rate - tt.empty_rate) * np.clip(arc_load / tt.payload_t, 0, 1)
            energy_cb[ti] = routing.RegisterTransitMatrix(_int_matrix(-np.ceil(type_km * rate * E_SCALE)))
    zero_cb = routing.RegisterTransitMatrix(_int_matrix(np.zeros((n, n))))
    for v, veh in enumerate(vehicles):
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[veh.type_index], v)
        routing.SetFixedCostOfVehicle(round(types[veh.type_index].fixed_cost * C_SCALE), v)

    # --- time
    time_cb = {c: routing.RegisterTransitMatrix(_int_matrix(service[:, None] + node_min[c])) for c in classes}
    if len(classes) == 1:
        routing.AddDimension(time_cb[classes[0]], DAY_MIN, DAY_MIN, False, "time")
    else:
        routing.AddDimensionWithVehicleTransits(
            [time_cb[v.matrix] for v in vehicles], DAY_MIN, DAY_MIN, False, "time"
        )
    tdim = routing.GetDimensionOrDie("time")
    for i, nd in enumerate(nodes):
        if nd.kind == "depot":
            continue
        tdim.CumulVar(manager.NodeToIndex(i)).SetRange(int(nd.window[0]), int(nd.window[1]))
    for v, veh in enumerate(vehicles):
        tt = types[veh.type_index]
        tdim.CumulVar(routing.Start(v)).SetRange(tt.shift_start, tt.shift_end)
        tdim.CumulVar(routing.End(v)).SetRange(tt.shift_start, tt.shift_end)
        tdim.SetSpanUpperBoundForVehicle(round(tt.shift_h * 60), v)
        routing.AddVariableMaximizedByFinalizer(tdim.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(routing.End(v)))

    # --- load
    load_cb = routing.RegisterUnaryTransitVector([round(nd.tonnes * T_SCALE) for nd in nodes])
    routing.AddDimensionWithVehicleCapacity(
        load_cb, 0, [round(types[v.type_index].payload_t * T_SCALE) for v in vehicles], True, "load"
    )

    # --- energy (state of charge above the reserve)
    usable = [
        math.floor(types[v.type_index].usable * E_SCALE) if types[v.type_index].spec.limited_range else 0
        for v in vehicles
    ]
    max_usable = max([*usable, 1])
    routing.AddDimensionWithVehicleTransitAndCapacity(
        [energy_cb.get(v.type_index, zero_cb) for v in vehicles],
        max_usable,
        [u if u > 0 else max_usable for u in usable],
        False,
        "energy",
    )
    edim = routing.GetDimensionOrDie("energy")
    for v, veh in enumerate(vehicles):
        tt = types[veh.type_index]
        start = math.floor(tt.start_usable * E_SCALE) if tt.spec.limited_range else 0
        edim.CumulVar(routing.Start(v)).SetValue(start)
    caps_by_vehicle = [max_usable, *[u if u > 0 else max_usable for u in usable]]
    for i, nd in enumerate(nodes):
        if nd.kind == "depot":
            continue
        index = manager.NodeToIndex(i)
        if nd.kind != "energy":
            edim.SlackVar(index).SetValue(0)
            continue
        st = scenario.energy_stations[nd.station]
        able = [v for v, veh in enumerate(vehicles) if st.kind in types[veh.type_index].spec.refuel_kinds]
        routing.VehicleVar(index).SetValues([-1, *able])  # SetAllowedVehiclesForIndex
        routing.AddDisjunction([index], 0)
        cap = solver.Element(caps_by_vehicle, (routing.VehicleVar(index) + 1).Var())
        solver.Add(edim.CumulVar(index) + edim.SlackVar(index) <= cap)
        if st.kind == "charge" and st.power_kw:
            # minutes >= kWh / kW * 60  <=>  10 P * t_slack >= 6 * e_slack  (e in 1/100 kWh)
            p10 = max(1, round(st.power_kw * 10))
            solver.Add(tdim.SlackVar(index) * p10 >= edim.SlackVar(index) * 6)
    for v in range(len(vehicles)):
        edim.SlackVar(routing.Start(v)).SetValue(0)
    # one stop per station visit: a copy of a station never follows another copy of the same station
    # (a chain of copies would add nothing but idle 5-minute "swaps" used as waiting time)
    copies: dict[int, list[int]] = {}
    for i, nd in enumerate(nodes):
        if nd.kind == "energy":
            copies.setdefault(nd.station, []).append(int(manager.NodeToIndex(i)))
    for same in copies.values():
        for a in same:
            routing.NextVar(a).RemoveValues([b for b in same if b != a])

    # --- lots: pickup & delivery pairs, allowed trucks, bans, penalties
    penalty = round(scenario.unserved_penalty * C_SCALE)
    node_of_lot = {nd.lot: i for i, nd in enumerate(nodes) if nd.kind == "pickup"}
    for k, lot in enumerate(lots):
        p = manager.NodeToIndex(node_of_lot[k])
        d = manager.NodeToIndex(node_of_lot[k] + 1)
        routing.AddPickupAndDelivery(p, d)
        solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
        solver.Add(tdim.CumulVar(p) <= tdim.CumulVar(d))
        routing.AddDisjunction([p], penalty // 2)
        routing.AddDisjunction([d], penalty - penalty // 2)
        able = [v for v, veh in enumerate(vehicles) if veh.type_index in lot.allowed_types]
        # (SetAllowedVehiclesForIndex's Python binding rejects lists in OR-Tools 9.15)
        routing.VehicleVar(p).SetValues([-1, *able])
        routing.VehicleVar(d).SetValues([-1, *able])
        for index, ban, exempt, svc in (
            (p, lot.pick_ban, lot.pick_ban_exempt_ne, lot.pick_service),
            (d, lot.drop_ban, lot.drop_ban_exempt_ne, lot.drop_service),
        ):
            if ban is None:
                continue
            banned = [v for v in able if not (exempt and types[vehicles[v].type_index].spec.new_energy)]
            if not banned:
                continue
            # a banned truck may neither start nor still be serving inside the ban hours
            is_banned = solver.IsMemberVar(routing.VehicleVar(index), banned)
            in_ban = solver.IsBetweenVar(tdim.CumulVar(index), max(0, ban[0] - svc), ban[1] - 1)
            solver.Add(is_banned + in_ban <= 1)

    for i, nd in enumerate(nodes):
        if nd.kind == "energy":  # slack values are read back only where a recharge can happen
            routing.AddToAssignment(edim.SlackVar(manager.NodeToIndex(i)))
            routing.AddToAssignment(tdim.SlackVar(manager.NodeToIndex(i)))

    params = search_parameters(scenario.solver, time_windows=True)
    solution = routing.SolveWithParameters(params)
    status = status_name(routing)
    if solution is None:
        return ModelSolution(status, -1, [[] for _ in vehicles], list(range(len(lots)))), nodes

    routes: list[list[Visit]] = []
    for v in range(len(vehicles)):
        visits: list[Visit] = []
        index = routing.Start(v)
        while True:
            node = manager.IndexToNode(index)
            is_end = routing.IsEnd(index)
            has_slack = not is_end and nodes[node].kind == "energy"
            visits.append(
                Visit(
                    node=int(node),
                    start=int(solution.Min(tdim.CumulVar(index))),
                    energy=int(solution.Min(edim.CumulVar(index))),
                    recharge=int(solution.Value(edim.SlackVar(index))) if has_slack else 0,
                    time_slack=int(solution.Value(tdim.SlackVar(index))) if has_slack else 0,
                )
            )
            if is_end:
                break
            index = solution.Value(routing.NextVar(index))
        routes.append(visits)
    served = {nodes[vis.node].lot for r in routes for vis in r if nodes[vis.node].kind == "pickup"}
    dropped = [k for k in range(len(lots)) if k not in served]
    logger.info(
        "dispatch model: %d nodes, %d trucks, status %s, objective %s",
        n,
        len(vehicles),
        status,
        solution.ObjectiveValue(),
    )
    return ModelSolution(status, int(solution.ObjectiveValue()), routes, dropped), nodes
