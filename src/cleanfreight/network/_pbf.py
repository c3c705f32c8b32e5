"""Streaming OSM PBF plumbing: the truck-relevant ways of a file, with their node locations, as flat arrays.

One pass over the file with pyosmium: nodes go only into osmium's compiled node-location index
(never into Python), ways are filtered by their tags in Python and only the kept ones are copied,
into ``array`` buffers (8 bytes a value). No graph and no whole-file structure is built here.

A kept way may come back as several *pieces*: where a node is missing from the file (a clipped
extract) the way is cut there, as :func:`cleanfreight.network._osm.clean_osm_xml` does for XML.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np

from cleanfreight.errors import InputError
from cleanfreight.network.roads import NO_ACCESS, TRUCK_HIGHWAYS, TruckProfile, truck_refusal, truck_speed_kmh
from cleanfreight.network.snapping import side_access

log = logging.getLogger(__name__)

#: ``oneway`` values osmnx reads as one way in the drawing direction / against it
_ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
_ONEWAY_REVERSE = frozenset({"-1", "reverse"})
_SIDE_TAGS = ("highway", "motorroad", "access", "motor_vehicle", "goods", "hgv")

CLASS_CODES: dict[str, int] = {h: i for i, h in enumerate(TRUCK_HIGHWAYS)}


@dataclass
class WayPieces:
    """Kept ways (cut at missing nodes) as flat arrays.

    ``offsets`` (pieces + 1) indexes ``refs``/``lon``/``lat``; per piece: ``way_id``, ``highway``
    (index in :data:`~cleanfreight.network.roads.TRUCK_HIGHWAYS`), ``speed_kmh`` (the truck's),
    ``oneway`` (0 both ways, 1 as drawn, -1 against), ``side`` (a site may join it from the side).
    """

    offsets: np.ndarray
    refs: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    way_id: np.ndarray
    highway: np.ndarray
    speed_kmh: np.ndarray
    oneway: np.ndarray
    side: np.ndarray
    ways_read: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    missing_refs: int = 0

    @property
    def pieces(self) -> int:
        return len(self.way_id)


def read_truck_ways(
    path: Path,
    profile: TruckProfile,
    *,
    index: str = "sparse_mem_array",
    on_progress: Callable[[int], None] | None = None,
) -> WayPieces:
    """Stream ``path`` (OSM PBF or XML) and keep the ways ``profile``'s truck may use.

    The rules are those of :func:`cleanfreight.network.roads.load_roads`: ``highway`` in
    ``TRUCK_HIGHWAYS``, ``access`` not in ``NO_ACCESS``, then :func:`~cleanfreight.network.roads.truck_refusal`
    (``hgv=no``, ``maxweight``) and :func:`~cleanfreight.network.roads.truck_speed_kmh`.

    Parameters
    ----------
    index
        pyosmium node-location index: ``sparse_mem_array`` (16 bytes per node of the file), or
        ``sparse_file_array,FILE`` / ``dense_file_array,FILE`` to keep it on disk.
    on_progress
        Called with the number of ways read, every 100,000 ways.
    """
    import osmium

    offsets = array("q", [0])
    refs = array("q")
    lons = array("d")
    lats = array("d")
    way_ids = array("q")
    classes = array("b")
    speeds = array("f")
    oneways = array("b")
    sides = array("b")
    removed = {"access": 0, "hgv_no": 0, "maxweight": 0}
    missing = 0
    read = 0
    speed_cache: dict[tuple[str, str | None], float] = {}
    side_cache: dict[tuple[str | None, ...], bool] = {}
    try:
        fp = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations(index)
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in fp:
            w = cast("osmium.osm.Way", obj)  # the entity filter lets only ways through
            read += 1
            if on_progress is not None and read % 100_000 == 0:
                on_progress(read)
            tags = w.tags
            hw = tags.get("highway")
            code = CLASS_CODES.get(hw) if hw is not None else None
            if code is None or hw is None:
                continue
            if tags.get("access") in NO_ACCESS:
                removed["access"] += 1
                continue
            reason = truck_refusal(tags.get("hgv"), tags.get("maxweight"), profile)
            if reason is not None:
                removed[reason] += 1
                continue
            maxspeed = tags.get("maxspeed")
            speed = speed_cache.get((hw, maxspeed))
            if speed is None:
                speed = speed_cache[(hw, maxspeed)] = truck_speed_kmh(hw, maxspeed, profile)
            ow = tags.get("oneway")
            direction = 1 if ow in _ONEWAY_FORWARD else -1 if ow in _ONEWAY_REVERSE else 0
            if direction == 0 and tags.get("junction") == "roundabout":
                direction = 1
            side_key = tuple(tags.get(k) for k in _SIDE_TAGS)
            side = side_cache.get(side_key)
            if side is None:
                side = side_cache[side_key] = side_access(dict(zip(_SIDE_TAGS, side_key, strict=True)))
            piece_r: list[int] = []
            piece_x: list[float] = []
            piece_y: list[float] = []
            for n in w.nodes:
                loc = n.location
                if loc.valid():
                    piece_r.append(n.ref)
                    piece_x.append(loc.lon)
                    piece_y.append(loc.lat)
                    continue
                missing += 1
                if len(piece_r) >= 2:
                    _append(piece_r, piece_x, piece_y, refs, lons, lats, offsets)
                    way_ids.append(w.id)
                    classes.append(code)
                    speeds.append(speed)
                    oneways.append(direction)
                    sides.append(side)
                piece_r, piece_x, piece_y = [], [], []
            if len(piece_r) >= 2:
                _append(piece_r, piece_x, piece_y, refs, lons, lats, offsets)
                way_ids.append(w.id)
                classes.append(code)
                speeds.append(speed)
                oneways.append(direction)
                sides.append(side)
    except RuntimeError as exc:  # libosmium's io errors (damaged or cut files) come as RuntimeError
        raise InputError(f"{path}: cannot read as OSM PBF/XML, the file is damaged or not OSM ({exc})") from None
    if missing:
        log.warning("%s: %d references to nodes outside the file; the ways were cut there", path, missing)
    return WayPieces(
        offsets=np.frombuffer(offsets, dtype=np.int64),
        refs=np.frombuffer(refs, dtype=np.int64),
        lon=np.frombuffer(lons, dtype=np.float64),
        lat=np.frombuffer(lats, dtype=np.float64),
        way_id=np.frombuffer(way_ids, dtype=np.int64),
        highway=np.frombuffer(classes, dtype=np.int8),
        speed_kmh=np.frombuffer(speeds, dtype=np.float32),
        oneway=np.frombuffer(oneways, dtype=np.int8),
        side=np.frombuffer(sides, dtype=np.int8).astype(bool),
        ways_read=read,
        removed=removed,
        missing_refs=missing,
    )


def _append(r: list[int], x: list[float], y: list[float], refs: array[int], lons: array[float],
            lats: array[float], offsets: array[int]) -> None:
    refs.extend(r)
    lons.extend(x)
    lats.extend(y)
    offsets.append(len(refs))
