"""The types of a short-haul dispatch scenario: powertrains, sites, energy stations, truck types, loads,
the scenario itself; clock times. Each dataclass validates itself and lists *all* its problems.

Read a scenario from TOML with :func:`cleanfreight.dispatch.load_scenario` (:mod:`.scenario`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from cleanfreight._geo import DETOUR_FACTOR
from cleanfreight.dispatch._validate import Validation, is_num
from cleanfreight.dispatch.params import SolverParams

__all__ = [
    "DAY_MIN",
    "ENERGY_KINDS",
    "POWERTRAINS",
    "SITE_KINDS",
    "EnergyStation",
    "Load",
    "Powertrain",
    "Scenario",
    "Site",
    "TruckType",
    "format_clock",
    "parse_clock",
    "parse_window",
]

DAY_MIN = 24 * 60


@dataclass(frozen=True, slots=True)
class Powertrain:
    """Defaults of one powertrain (every figure an assumption, overridable per truck type)."""

    name: str
    label_en: str
    label_zh: str
    energy_unit: str
    new_energy: bool
    capacity: float
    per_km_empty: float
    per_km_full: float
    refuel_kinds: frozenset[str]
    limited_range: bool


#: Powertrain defaults. Battery 282 kWh is a common swap pack size (DOMAIN.md §4: 141/282 kWh);
#: kWh/km for a loaded 49 t tractor is not published in our sources (DOMAIN.md: [?]), the
#: 1.2 (empty) / 2.0 (full) kWh/km used here are **assumptions**, as are the fuel-cell
#: (0.07/0.11 kg H2/km, 40 kg tank) and diesel (0.25/0.40 L/km) figures.
POWERTRAINS: dict[str, Powertrain] = {
    "bev_swap": Powertrain(
        "bev_swap",
        "battery-electric (swap)",
        "纯电动(换电)",
        "kWh",
        True,
        282.0,
        1.2,
        2.0,
        frozenset({"swap", "charge"}),
        True,
    ),
    "bev_charge": Powertrain(
        "bev_charge",
        "battery-electric (plug-in)",
        "纯电动(充电)",
        "kWh",
        True,
        350.0,
        1.2,
        2.0,
        frozenset({"charge"}),
        True,
    ),
    "fcev": Powertrain(
        "fcev", "fuel-cell", "氢燃料电池", "kg_h2", True, 40.0, 0.07, 0.11, frozenset({"h2"}), True
    ),
    "diesel": Powertrain(
        "diesel", "diesel (China VI)", "柴油(国六)", "L", False, 400.0, 0.25, 0.40, frozenset(), False
    ),
}

SITE_KINDS = ("station", "enterprise", "depot", "other")
ENERGY_KINDS = ("swap", "charge", "h2")


def parse_clock(text: str) -> int:
    """``"HH:MM"`` -> minutes after midnight (``"24:00"`` -> 1440)."""
    if not isinstance(text, str):
        raise ValueError(f"expected a clock time 'HH:MM', got {text!r}")
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"expected a clock time 'HH:MM', got {text!r}")
    h, m = int(parts[0]), int(parts[1])
    if m >= 60 or h > 24 or (h == 24 and m):
        raise ValueError(f"clock time out of range: {text!r}")
    return h * 60 + m


def parse_window(text: str) -> tuple[int, int]:
    """``"HH:MM-HH:MM"`` -> (start, end) minutes; ``"all"`` or ``"00:00-24:00"`` -> whole day."""
    if isinstance(text, str) and text.strip().lower() in {"all", "all day", "00:00-24:00"}:
        return (0, DAY_MIN)
    if not isinstance(text, str) or "-" not in text:
        raise ValueError(f"expected a window 'HH:MM-HH:MM', got {text!r}")
    a, b = text.split("-", 1)
    start, end = parse_clock(a), parse_clock(b)
    if end <= start:
        raise ValueError(f"window {text!r} ends before it starts (windows cannot cross midnight)")
    return (start, end)


def format_clock(minutes: float) -> str:
    """Minutes after midnight -> ``"HH:MM"``."""
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


@dataclass(frozen=True, slots=True)
class Site:
    """A rail freight station, an enterprise (plant gate) or a truck depot.

    Attributes
    ----------
    id, kind
        Unique id; ``station``, ``enterprise``, ``depot`` or ``other``.
    lon, lat
        WGS-84.
    hours
        Gate or loading hours (minutes), ``None`` for all day.
    banned
        Time of day when trucks that are not exempt may not enter (restriction zone), or ``None``.
    ban_exempt_new_energy
        New-energy trucks are exempt from ``banned`` (the usual rule in Changzhi's zone).
    service_min
        Default loading/unloading minutes of a load here.
    """

    id: str
    kind: str
    lon: float
    lat: float
    name_zh: str = ""
    name_en: str = ""
    hours: tuple[int, int] | None = None
    banned: tuple[int, int] | None = None
    ban_exempt_new_energy: bool = True
    service_min: float = 30.0

    def __post_init__(self) -> None:
        v = Validation()
        v.text("id", self.id)
        v.choice("kind", self.kind, SITE_KINDS)
        v.lonlat(self.lon, self.lat)
        v.number("service_min", self.service_min, "must be minutes in [0, 600]", lo=0, hi=600)
        v.raise_if_any(f"invalid site {self.id!r}")


@dataclass(frozen=True, slots=True)
class EnergyStation:
    """A battery-swap, charging or hydrogen station.

    Attributes
    ----------
    kind
        ``swap`` (a full battery in ``service_min``), ``charge`` (plug-in at ``power_kw``, charging
        time = kWh / kW, linear; no taper) or ``h2`` (full tank in ``service_min``).
    power_kw
        Charging power per truck (``charge`` only).
    service_min
        Swap or refuelling minutes (DOMAIN.md: swap 3-6 min; default 5).
    max_visits
        Visits the model may plan here over the day (0: automatic, two per truck that can use it,
        at most 12). Each possible visit is a node of the routing model.
    visit_cost
        Cost (CNY) added per stop so that the plan does not stop without need (an assumption;
        energy itself is not priced here).
    """

    id: str
    kind: str
    lon: float
    lat: float
    name_zh: str = ""
    name_en: str = ""
    hours: tuple[int, int] | None = None
    power_kw: float | None = None
    service_min: float = 5.0
    max_visits: int = 0
    visit_cost: float = 10.0

    def __post_init__(self) -> None:
        v = Validation()
        v.text("id", self.id)
        v.choice("kind", self.kind, ENERGY_KINDS)
        v.lonlat(self.lon, self.lat)
        if self.kind == "charge":
            v.number("power_kw", self.power_kw, "a charging station needs power_kw > 0", lo=0, lo_open=True)
        v.number("service_min", self.service_min, "must be minutes in [0, 240]", lo=0, hi=240)
        v.number("visit_cost", self.visit_cost, "must be a non-negative number", lo=0)
        v.require(isinstance(self.max_visits, int) and self.max_visits >= 0, "must be a non-negative integer",
                  "max_visits", self.max_visits)
        v.raise_if_any(f"invalid energy station {self.id!r}")


@dataclass(frozen=True, slots=True)
class TruckType:
    """A group of identical trucks starting and ending their shift at one depot.

    Energy figures default to :data:`POWERTRAINS` (assumptions). Consumption per km grows linearly
    with the payload on board: ``per_km_empty + (per_km_full - per_km_empty) * tonnes / payload_t``.
    """

    id: str
    powertrain: str
    count: int
    depot: str
    payload_t: float
    energy_capacity: float | None = None
    per_km_empty: float | None = None
    per_km_full: float | None = None
    start_soc_pct: float = 100.0
    reserve_pct: float = 10.0
    shift_start: int = 6 * 60
    shift_h: float = 12.0
    cost_per_km: float = 2.0
    fixed_cost: float = 0.0
    name: str = ""

    def __post_init__(self) -> None:
        v = Validation()
        v.text("id", self.id)
        v.choice("powertrain", self.powertrain, POWERTRAINS)
        v.count("count", self.count, "must be a non-negative integer")
        v.number("payload_t", self.payload_t, "must be tonnes in (0, 100]", lo=0, hi=100, lo_open=True)
        for name in ("energy_capacity", "per_km_empty", "per_km_full"):
            v.number(name, getattr(self, name), "must be a positive number", lo=0, lo_open=True, optional=True)
        if is_num(self.per_km_empty) and is_num(self.per_km_full):
            v.require(self.per_km_full >= self.per_km_empty,  # type: ignore[operator]
                      "must not be below per_km_empty", "per_km_full", self.per_km_full)
        v.number("start_soc_pct", self.start_soc_pct, "must be a percentage in (0, 100]", lo=0, hi=100,
                 lo_open=True)
        v.number("reserve_pct", self.reserve_pct, "must be a percentage in [0, 100)", lo=0, hi=100, hi_open=True)
        if is_num(self.start_soc_pct) and is_num(self.reserve_pct):
            v.require(self.start_soc_pct > self.reserve_pct, "start_soc_pct must be above reserve_pct",
                      "start_soc_pct", self.start_soc_pct)
        v.require(isinstance(self.shift_start, int) and 0 <= self.shift_start < DAY_MIN, "must be a clock time",
                  "shift_start", self.shift_start)
        v.number("shift_h", self.shift_h, "must be hours in (0, 24]", lo=0, hi=24, lo_open=True)
        for name in ("cost_per_km", "fixed_cost"):
            v.number(name, getattr(self, name), "must be a non-negative number", lo=0)
        v.raise_if_any(f"invalid truck type {self.id!r}")

    @property
    def spec(self) -> Powertrain:
        return POWERTRAINS[self.powertrain]

    @property
    def capacity(self) -> float:
        """Energy capacity (battery kWh, tank kg or L)."""
        return float(self.energy_capacity if self.energy_capacity is not None else self.spec.capacity)

    @property
    def empty_rate(self) -> float:
        return float(self.per_km_empty if self.per_km_empty is not None else self.spec.per_km_empty)

    @property
    def full_rate(self) -> float:
        return float(self.per_km_full if self.per_km_full is not None else self.spec.per_km_full)

    def rate(self, tonnes: float) -> float:
        """Energy per km with ``tonnes`` on board."""
        share = min(max(tonnes / self.payload_t, 0.0), 1.0)
        return self.empty_rate + (self.full_rate - self.empty_rate) * share

    @property
    def usable(self) -> float:
        """Energy between full and the reserve."""
        return self.capacity * (1 - self.reserve_pct / 100)

    @property
    def start_usable(self) -> float:
        """Energy above the reserve at the start of the shift."""
        return self.capacity * (self.start_soc_pct - self.reserve_pct) / 100

    @property
    def shift_end(self) -> int:
        return min(DAY_MIN, self.shift_start + round(self.shift_h * 60))


@dataclass(frozen=True, slots=True)
class Load:
    """Tonnes to carry from one site to another, as ``count`` identical truckloads (lots).

    ``pickup_window`` and ``delivery_window`` (minutes) bound the start of loading and unloading;
    they are further cut by the sites' ``hours``. Service minutes default to the sites'.
    Unknown site ids are *not* an error here: the load is reported unserved with the reason.
    ``new_energy_only`` keeps diesel trucks off the load (so that it counts as clean transport).
    """

    id: str
    origin: str
    destination: str
    tonnes: float
    count: int = 1
    pickup_window: tuple[int, int] | None = None
    delivery_window: tuple[int, int] | None = None
    pickup_min: float | None = None
    delivery_min: float | None = None
    commodity: str = ""
    new_energy_only: bool = False

    def __post_init__(self) -> None:
        v = Validation()
        for name in ("id", "origin", "destination"):
            v.text(name, getattr(self, name))
        v.number("tonnes", self.tonnes, "must be a positive number of tonnes", lo=0, lo_open=True)
        v.count("count", self.count, "must be an integer in [1, 500]", lo=1, hi=500)
        for name in ("pickup_min", "delivery_min"):
            v.number(name, getattr(self, name), "must be minutes in [0, 600]", lo=0, hi=600, optional=True)
        v.raise_if_any(f"invalid load {self.id!r}")

    def lot_ids(self) -> list[str]:
        """Ids of the individual truckloads: the load id, or ``id#1`` ... ``id#count``."""
        return [self.id] if self.count == 1 else [f"{self.id}#{k}" for k in range(1, self.count + 1)]


@dataclass(frozen=True, eq=False)
class Scenario:
    """Everything one dispatch run needs.

    ``places`` lists every site and energy station in a fixed order; a travel matrix given to
    :func:`cleanfreight.dispatch.solve_dispatch` must follow it.
    """

    name: str
    sites: tuple[Site, ...]
    energy_stations: tuple[EnergyStation, ...]
    truck_types: tuple[TruckType, ...]
    loads: tuple[Load, ...]
    solver: SolverParams = field(default_factory=SolverParams)
    detour_factor: float = DETOUR_FACTOR
    speed_kmh: float = 40.0
    unserved_penalty: float = 100_000.0
    source: str | None = None
    roads: str | None = None
    """Road network for distances: ``"sample"``, a road file, or ``None`` for straight lines x detour."""
    restriction_zone: str | None = None
    name_zh: str | None = None
    """The day's name in Chinese (``[scenario] name_zh``), for titles in Chinese."""
    """Truck restriction zones (GeoJSON/GPKG) for a road file's network; ``"sample"`` roads bring their own."""

    def __post_init__(self) -> None:
        v = Validation(file=self.source)
        seen: dict[str, str] = {}
        tables: list[tuple[str, list[str]]] = [
            ("sites", [s.id for s in self.sites]),
            ("energy_stations", [e.id for e in self.energy_stations]),
        ]
        for table, ids in tables:
            for k, pid in enumerate(ids, start=1):
                v.require(pid not in seen, f"duplicate place id (also in {seen.get(pid)})", f"{table}.id", pid, row=k)
                seen[pid] = table
        site_ids = {s.id for s in self.sites}
        type_ids: set[str] = set()
        for k, tt in enumerate(self.truck_types, start=1):
            v.require(tt.depot in site_ids, "depot is not the id of a site", "truck_types.depot", tt.depot, row=k)
            v.require(tt.id not in type_ids, "duplicate truck type id", "truck_types.id", tt.id, row=k)
            type_ids.add(tt.id)
        lot_ids: set[str] = set()
        for k, load in enumerate(self.loads, start=1):
            for lot in load.lot_ids():
                v.require(lot not in lot_ids, "duplicate load id", "loads.id", lot, row=k)
                lot_ids.add(lot)
        v.require(bool(self.truck_types), "a scenario needs at least one [[truck_types]] entry")
        v.number("detour_factor", self.detour_factor, "must be >= 1", lo=1)
        v.number("speed_kmh", self.speed_kmh, "must be > 0", lo=0, lo_open=True)
        v.raise_if_any(f"invalid dispatch scenario {self.name!r}")

    @property
    def places(self) -> tuple[str, ...]:
        """Ids of all sites then all energy stations (the travel-matrix order)."""
        return tuple(s.id for s in self.sites) + tuple(e.id for e in self.energy_stations)

    def lonlat(self) -> list[tuple[float, float]]:
        """(lon, lat) of :attr:`places`."""
        return [(s.lon, s.lat) for s in self.sites] + [(e.lon, e.lat) for e in self.energy_stations]

    def with_solver(self, **changes: Any) -> Scenario:
        """A copy with solver settings changed (e.g. ``time_limit_s``)."""
        return replace(self, solver=replace(self.solver, **changes))
