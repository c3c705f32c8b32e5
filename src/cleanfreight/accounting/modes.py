"""The vocabulary of transport chains ("modes") used everywhere in cleanfreight.

A *mode* here is a whole chain as a declared mode split, a ledger record or a plan names it:
the long-haul leg plus, where there is one, the short-haul truck leg between a freight station and
the enterprise. Whether a mode counts as clean is **not** decided here but by a rulebook
(:mod:`cleanfreight.accounting.rulebooks`), because the rules differ between documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["MODES", "Leg", "ModeInfo", "mode_info"]

LegKind = Literal["rail", "road", "conveyor", "pipeline", "waterway"]
Vehicle = Literal["electric_rail", "electric", "cn6", "cn5", "none"]


@dataclass(frozen=True, slots=True)
class Leg:
    """One leg of a chain: its kind and, for road legs, the truck class."""

    kind: LegKind
    vehicle: Vehicle
    role: Literal["main", "short_haul"] = "main"


@dataclass(frozen=True, slots=True)
class ModeInfo:
    """A chain type with its legs and bilingual labels."""

    mode: str
    legs: tuple[Leg, ...]
    label_en: str
    label_zh: str

    @property
    def uses_rail(self) -> bool:
        return any(leg.kind == "rail" for leg in self.legs)

    @property
    def road_vehicle(self) -> Vehicle | None:
        """Truck class of the road leg (direct or short-haul), or ``None`` without road."""
        for leg in self.legs:
            if leg.kind == "road":
                return leg.vehicle
        return None

    def label(self, lang: str = "en") -> str:
        return self.label_zh if lang == "zh" else self.label_en


_RAIL = Leg("rail", "electric_rail")
MODES: dict[str, ModeInfo] = {
    m.mode: m
    for m in (
        ModeInfo("rail_spur", (_RAIL,), "Rail, own spur line", "铁路专用线直达"),
        ModeInfo(
            "rail_station_ne",
            (_RAIL, Leg("road", "electric", "short_haul")),
            "Rail via freight station + new-energy short-haul",
            "铁路+新能源短驳",
        ),
        ModeInfo(
            "rail_station_diesel",
            (_RAIL, Leg("road", "cn6", "short_haul")),
            "Rail via freight station + diesel short-haul",
            "铁路+燃油车短驳",
        ),
        ModeInfo("truck_ne", (Leg("road", "electric"),), "New-energy truck, direct", "新能源货车直运"),
        ModeInfo("truck_cn6", (Leg("road", "cn6"),), "Diesel/gas truck, China VI", "国六燃油货车"),
        ModeInfo("truck_cn5", (Leg("road", "cn5"),), "Diesel truck, China V or older", "国五及以下燃油货车"),
        ModeInfo("conveyor", (Leg("conveyor", "none"),), "Belt conveyor (tubular / enclosed)", "管状/封闭皮带输送"),
        ModeInfo("pipeline", (Leg("pipeline", "none"),), "Pipeline", "管道"),
        ModeInfo("waterway", (Leg("waterway", "none"),), "Waterway", "水运"),
    )
}


def mode_info(mode: str) -> ModeInfo:
    """Return the :class:`ModeInfo` of ``mode``; raise ``InputError`` listing the known modes."""
    try:
        return MODES[mode]
    except KeyError:
        from cleanfreight.errors import InputError

        raise InputError(f"unknown mode {mode!r}; expected one of: {', '.join(MODES)}") from None
