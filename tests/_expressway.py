"""A mine 1 km from an expressway: the road layout of issue 11, small enough to check by hand.

An expressway (``motorway``, G55) runs north-south along 113.10 E from 36.20 N to 36.50 N with
junctions only at its two ends. A primary road runs parallel 0.028 degree east (113.128 E, about
2.5 km), with a junction at 36.45 N where a tertiary road leaves east. The mine lies at
(113.111, 36.45): 0.011 degree (0.98 km) east of the expressway, 0.017 degree (1.52 km) west of the
primary road. The station lies on the primary road near its south end (113.128, 36.205), 0.56 km
north of the junction with its forecourt road (113.128, 36.20).

Joined to the expressway (the old rule), the mine reaches the network 5.6 km north at the
expressway's end and drives 33 km back south; joined to the primary road it drives 27.8 km south.
"""

from __future__ import annotations

from pathlib import Path

from tests._factory import Node, Way, write_osm

MINE = (113.111, 36.45)
STATION = (113.128, 36.205)
DEPOT = (113.128, 36.21)
GATEWAY_NORTH = (113.10, 36.50)  # on the expressway's north end: a region gateway

EXPRESSWAY_NODES: list[Node] = [
    (1, 113.10, 36.20),
    (2, 113.10, 36.50),
    (3, 113.128, 36.20),
    (4, 113.128, 36.45),
    (5, 113.128, 36.50),
    (6, 113.16, 36.45),
    (7, 113.135, 36.20),
]
EXPRESSWAY_WAYS: list[Way] = [
    (10, [1, 2], {"highway": "motorway", "ref": "G55", "name": "二广高速", "oneway": "no"}),
    (11, [1, 3, 4, 5, 2], {"highway": "primary", "name": "示例国道"}),
    (12, [4, 6], {"highway": "tertiary", "name": "示例乡道"}),
    (13, [3, 7], {"highway": "service", "name": "站前路"}),
]


def write_expressway_osm(path: Path) -> Path:
    return write_osm(path, EXPRESSWAY_NODES, EXPRESSWAY_WAYS)
