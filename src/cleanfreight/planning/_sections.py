"""Which sections of a rail mainline a rail leg runs on (linear referencing along the line).

On each line of a chain's line path (:func:`cleanfreight.planning._chains.line_path`) the leg runs
between two stations: the chain's station (a spur's: the station it joins), the junction stations where
it changes line, and the region's ``exit_station_id``. Both are placed on the line's merged geometry
(``project``, in a transverse Mercator centred on the line, metres); a section is used when its interval
along the line overlaps the leg's by more than :data:`OVERLAP_M`. When a point cannot be placed (no
station, no exit station, a station more than :data:`FAR_KM` from the line, sections that do not join
into one line) the leg uses every section of that line, as a line without sections does, and it is logged.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cleanfreight.planning.problem import PlanProblem

__all__ = ["FAR_KM", "OVERLAP_M", "SectionFinder"]

log = logging.getLogger(__name__)

#: a section is used when it overlaps the leg by more than this (metres along the line)
OVERLAP_M = 50.0
#: a station farther than this from a line cannot be placed on it (km)
FAR_KM = 2.0


@dataclass
class _Line:
    keys: list[str]
    spans: np.ndarray  # (n, 2) start/end of each section along the merged line, metres (sorted per row)
    geom: Any  # merged shapely LineString in metres, None when the sections do not join
    to_m: Any  # pyproj Transformer lon/lat -> metres


class SectionFinder:
    """Sections used by a rail leg, per line path, station and region (results cached)."""

    def __init__(self, problem: PlanProblem) -> None:
        self._lines: dict[str, _Line] = {}
        for lid, grp in problem.sections.groupby("line_id", sort=True):
            self._lines[str(lid)] = _build_line(list(grp["key"].astype(str)), list(grp["coords"]))
        st = problem.stations.reset_index(drop=True)
        self._st_ids = st["station_id"].astype(str).to_numpy()
        self._st_xy = st[["lon", "lat"]].to_numpy(float)
        self._st_lines = [set(v) for v in st["line_ids"]]
        st_index = {s: i for i, s in enumerate(self._st_ids)}
        reg = problem.regions
        exits = reg["exit_station_id"] if "exit_station_id" in reg else pd.Series([None] * len(reg))
        self._exit = {
            str(r): (st_index.get(str(x), -1) if x is not None and not pd.isna(x) else -1)
            for r, x in zip(reg["region_id"], exits, strict=True)
        }
        self._placed: dict[tuple[str, int], tuple[float, float] | None] = {}
        self._told: set[tuple[str, ...]] = set()

    @property
    def cut(self) -> set[str]:
        """Lines cut into sections."""
        return set(self._lines)

    def keys(self, path: tuple[str, ...], st_idx: int, region_id: str) -> tuple[str, ...]:
        """Capacity keys of a leg: a line without sections by its id, a line with sections by the sections used."""
        points = [st_idx]
        for a, b in itertools.pairwise(path):
            points.append(self._junction(a, b))
        points.append(self._exit.get(region_id, -1))
        out: list[str] = []
        for i, lid in enumerate(path):
            line = self._lines.get(lid)
            if line is None:
                out.append(lid)
                continue
            out.extend(self._between(lid, line, points[i], points[i + 1], region_id))
        return tuple(out)

    def _junction(self, a: str, b: str) -> int:
        """The station where lines ``a`` and ``b`` meet (several: the first by id), -1 for none."""
        both = [i for i, ls in enumerate(self._st_lines) if a in ls and b in ls]
        return min(both, key=lambda i: self._st_ids[i]) if both else -1

    def _place(self, lid: str, line: _Line, j: int) -> tuple[float, float] | None:
        """(metres along the line, metres off it) of station ``j``."""
        if (lid, j) not in self._placed:
            from shapely.geometry import Point

            x, y = line.to_m.transform(*self._st_xy[j])
            pt = Point(x, y)
            self._placed[(lid, j)] = (float(line.geom.project(pt)), float(line.geom.distance(pt)))
        return self._placed[(lid, j)]

    def _between(self, lid: str, line: _Line, a: int, b: int, region_id: str) -> list[str]:
        why = None
        if line.geom is None:
            why = "its sections do not join into one line"
        elif a < 0 or b < 0:
            why = f"no {'station' if a < 0 else 'exit station'} to place (region {region_id})"
        else:
            pa, pb = self._place(lid, line, a), self._place(lid, line, b)
            assert pa is not None and pb is not None
            far = [self._st_ids[j] for j, p in ((a, pa), (b, pb)) if p[1] > FAR_KM * 1000.0]
            if far:
                why = f"station {', '.join(far)} lies more than {FAR_KM:g} km from the line"
            else:
                lo, hi = sorted((pa[0], pb[0]))
                over = np.minimum(line.spans[:, 1], hi) - np.maximum(line.spans[:, 0], lo)
                return [k for k, o in zip(line.keys, over, strict=True) if o > OVERLAP_M]
        told = (lid, why)
        if told not in self._told:
            self._told.add(told)
            log.warning("rail line %s: %s; the leg counts on all its sections", lid, why)
        return list(line.keys)


def _build_line(keys: list[str], coords: list[list[tuple[float, float]]]) -> _Line:
    from pyproj import Transformer
    from shapely import line_merge
    from shapely.geometry import LineString, MultiLineString, Point

    pts = np.array([p for c in coords for p in c], dtype=float)
    lon0, lat0 = float(pts[:, 0].mean()), float(pts[:, 1].mean())
    to_m = Transformer.from_crs(
        "EPSG:4326", f"+proj=tmerc +lon_0={lon0} +lat_0={lat0} +k=1 +ellps=WGS84 +units=m", always_xy=True
    )
    parts = [LineString([to_m.transform(x, y) for x, y in c]) for c in coords]
    merged = line_merge(MultiLineString(parts))
    if merged.geom_type != "LineString":
        return _Line(keys, np.zeros((len(keys), 2)), None, to_m)
    spans = np.array(
        [sorted((merged.project(Point(p.coords[0])), merged.project(Point(p.coords[-1])))) for p in parts]
    )
    return _Line(keys, spans, merged, to_m)
