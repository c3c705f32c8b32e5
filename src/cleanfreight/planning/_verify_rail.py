"""The checker's own view of the rail network: which mainlines a rail leg runs on (its own search over
every line path) and which sections of a line cut into sections it crosses (its own projection).
Written apart from the planner's :mod:`cleanfreight.planning._links` on purpose."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pandas as pd

from cleanfreight.planning.problem import PlanProblem


def _ids(v: Any) -> list[str]:
    if isinstance(v, list | tuple):
        return [str(x) for x in v]
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return []
    return [x.strip() for x in str(v).split(";") if x.strip()]


def _rail_lines_used(station_lines: list[str], region_lines: list[str], joins: list[list[str]]) -> list[str]:
    """Mainlines of a rail leg, written apart from the planner: every simple path of lines (two lines
    joined where a station lies on both) from a station line to a region line; the shortest, then the
    alphabetically first. Fallbacks as documented: no region line -> none; no station line -> the region's
    first; no connection -> the station's first and the region's first."""
    if not region_lines:
        return []
    if not station_lines:
        return [sorted(region_lines)[0]]
    best: tuple[int, list[str]] | None = None

    def walk(path: list[str]) -> None:
        nonlocal best
        if best is not None and len(path) > best[0]:
            return
        if path[-1] in region_lines:
            if best is None or (len(path), path) < (best[0], best[1]):
                best = (len(path), list(path))
            return
        for ids in joins:
            if path[-1] in ids:
                for b in ids:
                    if b not in path:
                        walk([*path, b])

    for a in station_lines:
        walk([a])
    if best is None:
        return [sorted(station_lines)[0], sorted(region_lines)[0]]
    return best[1]


class _SectionsUsed:
    """Sections of a line cut into sections that a rail leg crosses, written apart from the planner: the
    sections joined into one line in the UTM zone of the line's first point, the leg's two stations
    (chain station / junction / region exit station) projected onto it, and every section overlapping the
    leg by more than 50 m; a station missing or more than 2 km off the line, or sections that do not
    join: all the line's sections."""

    def __init__(self, problem: PlanProblem) -> None:
        from pyproj import Transformer
        from shapely.geometry import LineString
        from shapely.ops import linemerge

        self.st = {
            str(r.station_id): (float(r.lon), float(r.lat), set(_ids(r.line_ids)))
            for r in problem.stations.itertuples(index=False)
        }
        reg = problem.regions
        col = reg["exit_station_id"] if "exit_station_id" in reg else [None] * len(reg)
        self.exit = {str(r): (None if x is None or pd.isna(x) else str(x)) for r, x in zip(reg["region_id"], col, strict=False)}
        self.lines: dict[str, tuple[list[str], list[tuple[float, float]], Any, Any]] = {}
        for lid in sorted(set(problem.sections["line_id"].astype(str))):
            secs = problem.sections[problem.sections["line_id"].astype(str) == lid]
            lon0, lat0 = secs["coords"].iloc[0][0]
            zone = int((lon0 + 180) // 6) + 1
            tf = Transformer.from_crs(4326, (32600 if lat0 >= 0 else 32700) + zone, always_xy=True)
            pieces = [LineString([tf.transform(x, y) for x, y in c]) for c in secs["coords"]]
            whole = linemerge(pieces)
            if whole.geom_type != "LineString":
                whole = None
            spans = []
            for g in pieces:
                a = whole.project(_point(g.coords[0])) if whole is not None else 0.0
                b = whole.project(_point(g.coords[-1])) if whole is not None else 0.0
                spans.append((min(a, b), max(a, b)))
            self.lines[lid] = (list(secs["key"].astype(str)), spans, whole, tf)

    def used(self, path: list[str], station: str | None, region: str) -> list[str]:
        stops: list[str | None] = [station]
        for a, b in itertools.pairwise(path):
            on_both = sorted(s for s, (_x, _y, ls) in self.st.items() if a in ls and b in ls)
            stops.append(on_both[0] if on_both else None)
        stops.append(self.exit.get(region))
        out: list[str] = []
        for k, lid in enumerate(path):
            if lid not in self.lines:
                out.append(lid)
                continue
            keys, spans, whole, tf = self.lines[lid]
            at = []
            for s in (stops[k], stops[k + 1]):
                if whole is None or s is None or s not in self.st:
                    break
                pt = _point(tf.transform(self.st[s][0], self.st[s][1]))
                if whole.distance(pt) > 2000.0:
                    break
                at.append(whole.project(pt))
            if len(at) < 2:
                out += keys
                continue
            lo, hi = min(at), max(at)
            out += [key for key, (a, b) in zip(keys, spans, strict=False) if min(b, hi) - max(a, lo) > 50.0]
        return out


def _point(xy: Any) -> Any:
    from shapely.geometry import Point

    return Point(float(xy[0]), float(xy[1]))
