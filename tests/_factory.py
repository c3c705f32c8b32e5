"""Tiny input files for tests, written from plain Python specs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

Node = tuple[int, float, float]  # id, lon, lat
Way = tuple[int, Sequence[int], Mapping[str, str]]


def write_osm(path: Path, nodes: Iterable[Node], ways: Iterable[Way]) -> Path:
    """Write an OSM XML file (what osmium and osmnx read)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="cleanfreight-tests">']
    for nid, lon, lat in nodes:
        lines.append(f' <node id="{nid}" version="1" timestamp="2026-01-01T00:00:00Z" lat="{lat}" lon="{lon}"/>')
    for wid, refs, tags in ways:
        lines.append(f' <way id="{wid}" version="1" timestamp="2026-01-01T00:00:00Z">')
        lines += [f'  <nd ref="{r}"/>' for r in refs]
        lines += [f'  <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append(" </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def grid_spec(n: int = 4, step: float = 0.01, lon0: float = 113.10, lat0: float = 36.18) -> tuple[list[Node], list[Way]]:
    """An n x n grid of two-way primary roads, ``step`` degrees apart, near Changzhi."""
    nodes = [(1 + r * n + c, lon0 + c * step, lat0 + r * step) for r in range(n) for c in range(n)]
    ways: list[Way] = []
    wid = 100
    for r in range(n):
        ways.append((wid, [1 + r * n + c for c in range(n)], {"highway": "primary", "name": f"row {r}"}))
        wid += 1
    for c in range(n):
        ways.append((wid, [1 + r * n + c for r in range(n)], {"highway": "secondary", "name": f"col {c}"}))
        wid += 1
    return nodes, ways


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], encoding: str = "utf-8") -> Path:
    text = ",".join(header) + "\n" + "".join(",".join("" if v is None else str(v) for v in r) + "\n" for r in rows)
    path.write_bytes(text.encode(encoding))
    return path
