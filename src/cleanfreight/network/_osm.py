"""OSM XML plumbing: stream a (possibly clipped) extract into a clean file osmnx can read.

Real extracts are cut at a bounding box: ways keep references to nodes that are not in the file,
and ``osmnx.graph_from_xml`` fails on them. :func:`clean_osm_xml` streams the file once
(``iterparse``, constant memory per element), keeps the ways with a wanted ``highway`` class, drops
references to missing nodes, splits a way where a missing node cut it, and drops ways left with fewer
than two nodes. It reports what it dropped.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from cleanfreight.errors import NetworkError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CleanStats:
    nodes: int
    ways_kept: int
    ways_dropped: int
    missing_refs: int


def clean_osm_xml(src: Path, dst: Path, highways: Collection[str], no_access: Collection[str] = ()) -> CleanStats:
    """Write to ``dst`` the nodes and wanted highway ways of ``src``, without dangling node references."""
    node_xy: dict[str, tuple[str, str]] = {}
    node_tags: dict[str, list[tuple[str, str]]] = {}
    ways: list[tuple[str, list[str], list[tuple[str, str]]]] = []
    dropped = missing = 0
    try:
        for _, elem in ET.iterparse(src, events=("end",)):
            if elem.tag == "node":
                nid = elem.get("id")
                lat, lon = elem.get("lat"), elem.get("lon")
                if nid is not None and lat is not None and lon is not None:
                    node_xy[nid] = (lat, lon)
                    tags = [(t.get("k", ""), t.get("v", "")) for t in elem.findall("tag")]
                    if tags:
                        node_tags[nid] = tags
                elem.clear()
            elif elem.tag == "way":
                tags = [(t.get("k", ""), t.get("v", "")) for t in elem.findall("tag")]
                d = dict(tags)
                if d.get("highway") in highways and d.get("access") not in no_access:
                    ways.append((elem.get("id", ""), [nd.get("ref", "") for nd in elem.findall("nd")], tags))
                elem.clear()
            elif elem.tag == "relation":
                elem.clear()
    except ET.ParseError as exc:
        raise NetworkError(f"{src}: not a valid OSM XML file ({exc})") from None
    except OSError as exc:
        raise NetworkError(f"{src}: cannot read ({exc.strerror})") from None

    used: set[str] = set()
    kept: list[tuple[str, list[str], list[tuple[str, str]]]] = []
    for wid, refs, tags in ways:
        pieces: list[list[str]] = [[]]
        for r in refs:
            if r in node_xy:
                pieces[-1].append(r)
            else:
                missing += 1
                pieces.append([])
        parts = [p for p in pieces if len(p) >= 2]
        if not parts:
            dropped += 1
            continue
        for piece, part in enumerate(parts):
            # ids of split pieces: negative, derived from the way id, so they never collide with real ids
            way_id = wid if len(parts) == 1 else f"-{wid}{piece:03d}"
            kept.append((way_id, part, tags))
            used.update(part)

    with dst.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="cleanfreight">\n')
        for nid in sorted(used, key=lambda s: int(s) if s.lstrip("-").isdigit() else 0):
            lat, lon = node_xy[nid]
            ntags = node_tags.get(nid)
            if ntags:
                fh.write(f' <node id="{nid}" lat="{lat}" lon="{lon}">\n')
                fh.writelines(f'  <tag k="{_esc(tk)}" v="{_esc(tv)}"/>\n' for tk, tv in ntags)
                fh.write(" </node>\n")
            else:
                fh.write(f' <node id="{nid}" lat="{lat}" lon="{lon}"/>\n')
        for wid, part, tags in kept:
            fh.write(f' <way id="{wid}">\n')
            fh.writelines(f'  <nd ref="{r}"/>\n' for r in part)
            fh.writelines(f'  <tag k="{_esc(k)}" v="{_esc(v)}"/>\n' for k, v in tags)
            fh.write(" </way>\n")
        fh.write("</osm>\n")
    if missing:
        log.warning("%s: %d references to nodes outside the extract removed (clipped extract); %d ways dropped",
                    src, missing, dropped)
    return CleanStats(len(used), len(kept), dropped, missing)


def _esc(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))
