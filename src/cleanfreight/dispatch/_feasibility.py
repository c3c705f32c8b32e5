"""Checks of each load on its own before the solve (unknown site, too heavy, time windows, range).

Loads failing a check are reported in ``unserved`` with the reason; the rest go to the model.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cleanfreight.dispatch._routing_model import Lot
from cleanfreight.dispatch.scenario import DAY_MIN, Scenario, format_clock


def _intersect(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    lo = max(a[0] if a else 0, b[0] if b else 0)
    hi = min(a[1] if a else DAY_MIN, b[1] if b else DAY_MIN)
    return (lo, hi) if lo <= hi else None


def _inside(window: tuple[int, int], ban: tuple[int, int] | None) -> bool:
    """The whole window lies in the ban."""
    return ban is not None and ban[0] <= window[0] and window[1] <= ban[1]


def _reach(
    start: float, a: int, b: int, rate: float, cap: float, stations: list[int], km: np.ndarray
) -> float:
    """Most energy left on arriving at ``b`` from ``a`` (with ``start`` left at ``a``), allowing
    any number of stops at ``stations`` (each refills to ``cap``); ``-inf`` if unreachable."""
    best = start - rate * km[a, b]
    reach = {s for s in stations if start >= rate * km[a, s]}
    frontier = list(reach)
    while frontier:
        s = frontier.pop()
        for s2 in stations:
            if s2 not in reach and cap >= rate * km[s, s2]:
                reach.add(s2)
                frontier.append(s2)
    if reach:
        best = max(best, *(cap - rate * km[s, b] for s in reach))
    return best if best >= 0 else -math.inf


def _check_loads(
    scenario: Scenario,
    km_by_type: list[np.ndarray],
    min_by_type: list[np.ndarray],
    blocked_by_type: list[tuple[str, ...]],
) -> tuple[list[Lot], list[dict[str, Any]]]:
    """Per-load checks; truck type ``k`` is checked on ``km_by_type[k]``/``min_by_type[k]``, and
    ``blocked_by_type[k]`` lists the places inside a restriction zone closed to it."""
    place_index = {p: i for i, p in enumerate(scenario.places)}
    sites = {s.id: s for s in scenario.sites}
    types = scenario.truck_types
    fleet = [k for k, tt in enumerate(types) if tt.count > 0]
    max_payload = max((types[k].payload_t for k in fleet), default=0.0)
    station_places = {
        kind: [len(scenario.sites) + s for s, st in enumerate(scenario.energy_stations) if st.kind == kind]
        for kind in ("swap", "charge", "h2")
    }
    lots: list[Lot] = []
    unserved: list[dict[str, Any]] = []

    for load in scenario.loads:

        def reject(reason: str, message: str, load: Any = load) -> None:
            for lot_id in load.lot_ids():
                unserved.append(
                    {
                        "load_id": load.id,
                        "lot_id": lot_id,
                        "origin": load.origin,
                        "destination": load.destination,
                        "tonnes": load.tonnes,
                        "reason": reason,
                        "message": message,
                    }
                )

        missing = [x for x in (load.origin, load.destination) if x not in sites]
        if missing:
            reject(
                "unknown_site",
                f"unknown site id(s) {', '.join(missing)}; known: {', '.join(sorted(sites)[:20])}",
            )
            continue
        if load.tonnes > max_payload + 1e-9:
            reject(
                "too_heavy",
                f"{load.tonnes:g} t per truckload > largest payload {max_payload:g} t; "
                "split it with count = N and tonnes per truck",
            )
            continue
        o_site, d_site = sites[load.origin], sites[load.destination]
        o, d = place_index[load.origin], place_index[load.destination]
        pick = _intersect(load.pickup_window, o_site.hours)
        drop = _intersect(load.delivery_window, d_site.hours)
        if pick is None or drop is None:
            which = (
                "pickup window and origin hours" if pick is None else "delivery window and destination hours"
            )
            reject("time_window", f"{which} do not overlap")
            continue
        p_svc = round(load.pickup_min if load.pickup_min is not None else o_site.service_min)
        d_svc = round(load.delivery_min if load.delivery_min is not None else d_site.service_min)
        able = [
            k
            for k in fleet
            if types[k].payload_t + 1e-9 >= load.tonnes
            and (types[k].spec.new_energy or not load.new_energy_only)
        ]
        if not able:
            reject("too_heavy", f"{load.tonnes:g} t per truckload > largest new-energy payload")
            continue
        timed: list[int] = []
        road_ok = True
        notes: list[str] = []
        zone_notes: list[str] = []
        for k in able:
            tt = types[k]
            km, minutes = km_by_type[k], min_by_type[k]
            depot = place_index[tt.depot]
            legs = (km[depot, o], km[o, d], km[d, depot])
            if not all(np.isfinite(legs)):
                inside = [
                    p
                    for p in dict.fromkeys((tt.depot, load.origin, load.destination))
                    if p in blocked_by_type[k]
                ]
                if inside:
                    zone_notes.append(
                        f"{tt.id} ({tt.powertrain}): {', '.join(inside)} inside a truck restriction zone "
                        "closed to these trucks"
                    )
                else:
                    road_ok = False
                continue
            exempt = tt.spec.new_energy
            if (not (exempt and o_site.ban_exempt_new_energy) and _inside(pick, o_site.banned)) or (
                not (exempt and d_site.ban_exempt_new_energy) and _inside(drop, d_site.banned)
            ):
                notes.append(
                    f"{tt.id}: truck ban {_fmt_window(o_site.banned or d_site.banned)} covers the window"
                )
                continue
            t_pick = max(pick[0], tt.shift_start + minutes[depot, o])
            if t_pick > pick[1]:
                notes.append(
                    f"{tt.id}: earliest arrival at {load.origin} {format_clock(t_pick)} after the "
                    f"pickup window {_fmt_window(pick)}"
                )
                continue
            t_drop = max(drop[0], t_pick + p_svc + minutes[o, d])
            if t_drop > drop[1]:
                notes.append(
                    f"{tt.id}: earliest arrival at {load.destination} "
                    f"{format_clock(t_pick + p_svc + minutes[o, d])} after the delivery window "
                    f"{_fmt_window(drop)}"
                )
                continue
            if t_drop + d_svc + minutes[d, depot] > tt.shift_end:
                notes.append(
                    f"{tt.id}: back at the depot {format_clock(t_drop + d_svc + minutes[d, depot])} "
                    f"after the shift ends {format_clock(tt.shift_end)}"
                )
                continue
            timed.append(k)
        if not road_ok and not timed:
            reject("no_road", f"no road between {load.origin}, {load.destination} and the depots")
            continue
        if not timed and zone_notes and not notes:
            reject("restriction_zone", "; ".join(zone_notes))
            continue
        if not timed:
            reject("time_window", "; ".join(notes + zone_notes) or "no truck can meet the windows")
            continue
        ranged: list[int] = []
        for k in timed:
            tt = types[k]
            if not tt.spec.limited_range:
                ranged.append(k)
                continue
            km = km_by_type[k]
            depot = place_index[tt.depot]
            stations = sorted({p for kind in tt.spec.refuel_kinds for p in station_places[kind]})
            cap, e0, e1 = tt.usable, tt.rate(0.0), tt.rate(load.tonnes)
            r1 = _reach(tt.start_usable, depot, o, e0, cap, stations, km)
            r2 = _reach(r1, o, d, e1, cap, stations, km) if r1 > -math.inf else -math.inf
            r3 = _reach(r2, d, depot, e0, cap, stations, km) if r2 > -math.inf else -math.inf
            if r3 > -math.inf:
                ranged.append(k)
            else:
                unit = tt.spec.energy_unit
                notes.append(
                    f"{tt.id}: {load.origin}->{load.destination} {km[o, d]:.0f} km loaded needs "
                    f"{e1 * km[o, d]:.0f} {unit}, depot round trip "
                    f"{e0 * (km[depot, o] + km[d, depot]) + e1 * km[o, d]:.0f} {unit}, usable "
                    f"{cap:.0f} {unit}, no reachable {'/'.join(sorted(tt.spec.refuel_kinds))} station"
                )
        if not ranged:
            reject("out_of_range", "; ".join(n for n in notes if "needs" in n))
            continue
        for lot_id in load.lot_ids():
            lots.append(
                Lot(
                    lot_id=lot_id,
                    load_id=load.id,
                    tonnes=float(load.tonnes),
                    origin=o,
                    destination=d,
                    pick_window=pick,
                    drop_window=drop,
                    pick_service=p_svc,
                    drop_service=d_svc,
                    pick_ban=o_site.banned,
                    drop_ban=d_site.banned,
                    pick_ban_exempt_ne=o_site.ban_exempt_new_energy,
                    drop_ban_exempt_ne=d_site.ban_exempt_new_energy,
                    allowed_types=ranged,
                )
            )
    return lots, unserved


def _fmt_window(w: tuple[int, int] | None) -> str:
    return "-" if w is None else f"{format_clock(w[0])}-{format_clock(w[1])}"
