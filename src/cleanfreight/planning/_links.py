"""What a chain is linked to: the rail mainlines and sections its rail leg runs on, the km behind a
diesel locomotive, the restriction zone of its enterprise, the swap station its trucks use."""

from __future__ import annotations

import numpy as np

from cleanfreight.planning._distances import DETOUR_FACTOR, haversine_km
from cleanfreight.planning._sections import SectionFinder
from cleanfreight.planning.params import PlanParams
from cleanfreight.planning.problem import PlanProblem

__all__ = ["line_path", "rail_diesel_km", "zone_of_enterprises"]

def line_path(
    start: tuple[str, ...], goal: tuple[str, ...], adjacent: dict[str, set[str]]
) -> tuple[str, ...]:
    """Rail mainlines a rail leg runs on, from the lines of its station to those of its region.

    The fewest lines joined at shared stations (``adjacent``), ties to the alphabetically first
    sequence; a station on one of the region's lines uses just that line (the first in order); no
    region line: ``()``; no station line (or no connection): the region's first line (after the
    station's first, when the station has one).
    """
    if not goal:
        return ()
    goals = set(goal)
    if not start:
        return (min(goals),)
    frontier: list[tuple[str, ...]] = [(s,) for s in sorted(set(start))]
    seen = set(start)
    while frontier:
        hits = [path for path in frontier if path[-1] in goals]
        if hits:
            return min(hits)
        nxt = []
        for path in frontier:
            for b in sorted(adjacent.get(path[-1], ())):
                if b not in seen:
                    nxt.append((*path, b))
        seen |= {path[-1] for path in nxt}
        frontier = sorted(nxt)
    return (min(start), min(goals))


def _line_adjacency(problem: PlanProblem) -> dict[str, set[str]]:
    """Mainlines that meet: two lines are joined when a station lies on both."""
    adj: dict[str, set[str]] = {}
    for ids in problem.stations["line_ids"]:
        for a in ids:
            adj.setdefault(a, set()).update(b for b in ids if b != a)
    return adj


def zone_of_enterprises(problem: PlanProblem, params: PlanParams) -> np.ndarray:
    """Index into ``problem.zones`` of the restriction zone each enterprise lies in (-1: none).

    Only zones that ban trucks for some hours count; an enterprise in several gets the one with the
    most banned hours (ties: the first zone id).
    """
    n = len(problem.enterprises)
    out = np.full(n, -1, dtype=int)
    zones = problem.zones.reset_index(drop=True)
    if not params.restriction_zones or zones.empty or n == 0:
        return out
    import shapely

    lon = problem.enterprises["lon"].to_numpy(float)
    lat = problem.enterprises["lat"].to_numpy(float)
    best = np.zeros(n)
    order = sorted(range(len(zones)), key=lambda i: str(zones.at[i, "zone_id"]))
    for i in order:
        hours = float(zones.at[i, "banned_hours_per_day"])
        geom = zones.at[i, "geometry"]
        if hours <= 0 or geom is None:
            continue
        inside = np.asarray(shapely.contains_xy(geom, lon, lat), dtype=bool) & (hours > best)
        out[inside] = i
        best[inside] = hours
    return out


def rail_diesel_km(problem: PlanProblem, modes: np.ndarray, st_idx: np.ndarray, spur_idx: np.ndarray) -> np.ndarray:
    """Km of each chain's rail leg hauled by diesel: its own spur's when the spur is not electrified, its
    station's when the station lies only on non-electrified lines (``problem.rail_diesel_km``)."""
    out = np.zeros(len(modes))
    by_spur = problem.rail_diesel_km.get("spur", {})
    by_station = problem.rail_diesel_km.get("station", {})
    if not by_spur and not by_station:
        return out
    spur_ids = problem.spurs["spur_id"].astype(str).to_numpy()
    st_ids = problem.stations["station_id"].astype(str).to_numpy()
    for i, mode in enumerate(modes):
        if mode == "rail_spur" and spur_idx[i] >= 0:
            out[i] = by_spur.get(spur_ids[spur_idx[i]], 0.0)
        elif mode in ("rail_station_ne", "rail_station_diesel") and st_idx[i] >= 0:
            out[i] = by_station.get(st_ids[st_idx[i]], 0.0)
    return out


def _chain_lines(
    problem: PlanProblem, region_ids: np.ndarray, st_idx: np.ndarray, is_rail: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``;``-joined mainlines each rail chain runs on (``""`` for none or not rail), and its rail capacity
    keys: a line without sections by its id, a line cut into sections by the sections the leg uses."""
    out = np.full(len(region_ids), "", dtype=object)
    if not is_rail.any():
        return out, out.copy()
    st_lines = list(problem.stations["line_ids"])
    reg_lines = dict(
        zip(problem.regions["region_id"].astype(str), problem.regions["rail_line_ids"], strict=True)
    )
    adj = _line_adjacency(problem)
    finder = SectionFinder(problem) if len(problem.sections) else None
    cache: dict[tuple[int, str], tuple[str, str]] = {}
    keys = out.copy()
    for i in np.flatnonzero(is_rail):
        key = (int(st_idx[i]), str(region_ids[i]))
        if key not in cache:
            start = tuple(st_lines[key[0]]) if key[0] >= 0 else ()
            path = line_path(start, tuple(reg_lines.get(key[1], ())), adj)
            used = finder.keys(path, key[0], key[1]) if finder is not None else path
            cache[key] = (";".join(path), ";".join(used))
        out[i], keys[i] = cache[key]
    return out, keys


def _pick(idx: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``ids[idx]`` where ``idx >= 0``, else ``None`` (object array)."""
    out = np.full(len(idx), None, dtype=object)
    ok = idx >= 0
    if len(ids):
        out[ok] = ids[idx[ok]]
    return out


def nearest_swap_index(problem: PlanProblem, params: PlanParams) -> np.ndarray:
    """Per enterprise (in roster order), the row of its nearest swap station within ``max_swap_km``
    (great-circle km x the detour factor), or -1: the model's convention, shared by the checker."""
    ent = problem.enterprises
    sw = problem.swap_stations.reset_index(drop=True)
    n = len(ent)
    if sw.empty:
        return np.full(n, -1, dtype=int)
    d = (
        haversine_km(
            ent["lon"].to_numpy(float)[:, None],
            ent["lat"].to_numpy(float)[:, None],
            sw["lon"].to_numpy(float)[None, :],
            sw["lat"].to_numpy(float)[None, :],
        )
        * DETOUR_FACTOR
    )
    j = np.argmin(d, axis=1)
    ok = d[np.arange(n), j] <= params.max_swap_km
    return np.where(ok, j, -1).astype(int)
