"""The short-haul dispatch scenario: places, energy stations, truck types, loads, solver settings.

A scenario is loaded from TOML (:func:`load_scenario`) or built in Python from the frozen
dataclasses below. Every dataclass validates itself and lists *all* its problems; the loader adds
the file, the table (``[[loads]]`` ...) and the row number to each.

Times are clock times ``"HH:MM"`` on the planning day (``"24:00"`` allowed at the end of a window);
windows are ``"HH:MM-HH:MM"`` and do not cross midnight. Internally they are minutes after 00:00.

Energy figures per powertrain (:data:`POWERTRAINS`) are **assumptions**, not measured values: set
your own per truck type. Units: kWh for battery-electric, kg of hydrogen for fuel-cell, litres for
diesel.
"""

from __future__ import annotations

import logging
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from cleanfreight._geo import DETOUR_FACTOR
from cleanfreight.dispatch.params import SolverParams
from cleanfreight.errors import InputError, Problem

__all__ = [
    "POWERTRAINS",
    "EnergyStation",
    "Load",
    "Powertrain",
    "Scenario",
    "Site",
    "TruckType",
    "format_clock",
    "load_scenario",
    "parse_clock",
    "parse_window",
]

logger = logging.getLogger(__name__)

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


def _raise(summary: str, problems: list[Problem]) -> None:
    if problems:
        raise InputError(summary, problems)


def _is_num(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _check_lonlat(lon: object, lat: object, problems: list[Problem]) -> None:
    if not (_is_num(lon) and -180 <= lon <= 180):  # type: ignore[operator]
        problems.append(Problem("longitude must be a number in [-180, 180]", column="lon", value=lon))
    if not (_is_num(lat) and -90 <= lat <= 90):  # type: ignore[operator]
        problems.append(Problem("latitude must be a number in [-90, 90]", column="lat", value=lat))


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
        problems: list[Problem] = []
        if not isinstance(self.id, str) or not self.id.strip():
            problems.append(Problem("must be a non-empty text", column="id", value=self.id))
        if self.kind not in SITE_KINDS:
            problems.append(
                Problem(f"must be one of {', '.join(SITE_KINDS)}", column="kind", value=self.kind)
            )
        _check_lonlat(self.lon, self.lat, problems)
        if not (_is_num(self.service_min) and 0 <= self.service_min <= 600):
            problems.append(
                Problem("must be minutes in [0, 600]", column="service_min", value=self.service_min)
            )
        _raise(f"invalid site {self.id!r}", problems)


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
        problems: list[Problem] = []
        if not isinstance(self.id, str) or not self.id.strip():
            problems.append(Problem("must be a non-empty text", column="id", value=self.id))
        if self.kind not in ENERGY_KINDS:
            problems.append(
                Problem(f"must be one of {', '.join(ENERGY_KINDS)}", column="kind", value=self.kind)
            )
        _check_lonlat(self.lon, self.lat, problems)
        if self.kind == "charge" and not (_is_num(self.power_kw) and self.power_kw > 0):  # type: ignore[operator]
            problems.append(
                Problem("a charging station needs power_kw > 0", column="power_kw", value=self.power_kw)
            )
        if not (_is_num(self.service_min) and 0 <= self.service_min <= 240):
            problems.append(
                Problem("must be minutes in [0, 240]", column="service_min", value=self.service_min)
            )
        if not (_is_num(self.visit_cost) and self.visit_cost >= 0):
            problems.append(
                Problem("must be a non-negative number", column="visit_cost", value=self.visit_cost)
            )
        if not isinstance(self.max_visits, int) or self.max_visits < 0:
            problems.append(
                Problem("must be a non-negative integer", column="max_visits", value=self.max_visits)
            )
        _raise(f"invalid energy station {self.id!r}", problems)


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
        problems: list[Problem] = []
        if not isinstance(self.id, str) or not self.id.strip():
            problems.append(Problem("must be a non-empty text", column="id", value=self.id))
        if self.powertrain not in POWERTRAINS:
            problems.append(
                Problem(
                    f"must be one of {', '.join(POWERTRAINS)}", column="powertrain", value=self.powertrain
                )
            )
        if not isinstance(self.count, int) or isinstance(self.count, bool) or self.count < 0:
            problems.append(Problem("must be a non-negative integer", column="count", value=self.count))
        if not (_is_num(self.payload_t) and 0 < self.payload_t <= 100):
            problems.append(Problem("must be tonnes in (0, 100]", column="payload_t", value=self.payload_t))
        for name in ("energy_capacity", "per_km_empty", "per_km_full"):
            value = getattr(self, name)
            if value is not None and not (_is_num(value) and value > 0):
                problems.append(Problem("must be a positive number", column=name, value=value))
        if _is_num(self.per_km_empty) and _is_num(self.per_km_full) and self.per_km_full < self.per_km_empty:  # type: ignore[operator]
            problems.append(
                Problem("must not be below per_km_empty", column="per_km_full", value=self.per_km_full)
            )
        if not (_is_num(self.start_soc_pct) and 0 < self.start_soc_pct <= 100):
            problems.append(
                Problem("must be a percentage in (0, 100]", column="start_soc_pct", value=self.start_soc_pct)
            )
        if not (_is_num(self.reserve_pct) and 0 <= self.reserve_pct < 100):
            problems.append(
                Problem("must be a percentage in [0, 100)", column="reserve_pct", value=self.reserve_pct)
            )
        if (
            _is_num(self.start_soc_pct)
            and _is_num(self.reserve_pct)
            and self.start_soc_pct <= self.reserve_pct
        ):
            problems.append(
                Problem(
                    "start_soc_pct must be above reserve_pct",
                    column="start_soc_pct",
                    value=self.start_soc_pct,
                )
            )
        if not (isinstance(self.shift_start, int) and 0 <= self.shift_start < DAY_MIN):
            problems.append(Problem("must be a clock time", column="shift_start", value=self.shift_start))
        if not (_is_num(self.shift_h) and 0 < self.shift_h <= 24):
            problems.append(Problem("must be hours in (0, 24]", column="shift_h", value=self.shift_h))
        for name in ("cost_per_km", "fixed_cost"):
            if not (_is_num(getattr(self, name)) and getattr(self, name) >= 0):
                problems.append(
                    Problem("must be a non-negative number", column=name, value=getattr(self, name))
                )
        _raise(f"invalid truck type {self.id!r}", problems)

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
        problems: list[Problem] = []
        for name in ("id", "origin", "destination"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                problems.append(Problem("must be a non-empty text", column=name, value=value))
        if not (_is_num(self.tonnes) and self.tonnes > 0):
            problems.append(
                Problem("must be a positive number of tonnes", column="tonnes", value=self.tonnes)
            )
        if not isinstance(self.count, int) or isinstance(self.count, bool) or not 1 <= self.count <= 500:
            problems.append(Problem("must be an integer in [1, 500]", column="count", value=self.count))
        for name in ("pickup_min", "delivery_min"):
            value = getattr(self, name)
            if value is not None and not (_is_num(value) and 0 <= value <= 600):
                problems.append(Problem("must be minutes in [0, 600]", column=name, value=value))
        _raise(f"invalid load {self.id!r}", problems)

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
    """Truck restriction zones (GeoJSON/GPKG) for a road file's network; ``"sample"`` roads bring their own."""

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        seen: dict[str, str] = {}
        tables: list[tuple[str, list[str]]] = [
            ("sites", [s.id for s in self.sites]),
            ("energy_stations", [e.id for e in self.energy_stations]),
        ]
        for table, ids in tables:
            for k, pid in enumerate(ids, start=1):
                if pid in seen:
                    problems.append(
                        Problem(
                            f"duplicate place id (also in {seen[pid]})",
                            file=self.source,
                            row=k,
                            column=f"{table}.id",
                            value=pid,
                        )
                    )
                seen[pid] = table
        site_ids = {s.id for s in self.sites}
        type_ids: set[str] = set()
        for k, tt in enumerate(self.truck_types, start=1):
            if tt.depot not in site_ids:
                problems.append(
                    Problem(
                        "depot is not the id of a site",
                        file=self.source,
                        row=k,
                        column="truck_types.depot",
                        value=tt.depot,
                    )
                )
            if tt.id in type_ids:
                problems.append(
                    Problem(
                        "duplicate truck type id",
                        file=self.source,
                        row=k,
                        column="truck_types.id",
                        value=tt.id,
                    )
                )
            type_ids.add(tt.id)
        lot_ids: set[str] = set()
        for k, load in enumerate(self.loads, start=1):
            for lot in load.lot_ids():
                if lot in lot_ids:
                    problems.append(
                        Problem("duplicate load id", file=self.source, row=k, column="loads.id", value=lot)
                    )
                lot_ids.add(lot)
        if not self.truck_types:
            problems.append(Problem("a scenario needs at least one [[truck_types]] entry", file=self.source))
        if not (_is_num(self.detour_factor) and self.detour_factor >= 1):
            problems.append(
                Problem("must be >= 1", file=self.source, column="detour_factor", value=self.detour_factor)
            )
        if not (_is_num(self.speed_kmh) and self.speed_kmh > 0):
            problems.append(
                Problem("must be > 0", file=self.source, column="speed_kmh", value=self.speed_kmh)
            )
        _raise(f"invalid dispatch scenario {self.name!r}", problems)

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


# ----------------------------------------------------------------------------------------------
# TOML loading


_SITE_KEYS = {
    "id",
    "kind",
    "lon",
    "lat",
    "name_zh",
    "name_en",
    "hours",
    "banned_hours",
    "ban_exempt_new_energy",
    "service_min",
}
_STATION_KEYS = {
    "id",
    "kind",
    "lon",
    "lat",
    "name_zh",
    "name_en",
    "hours",
    "power_kw",
    "service_min",
    "max_visits",
    "visit_cost",
}
_TRUCK_KEYS = {
    "id",
    "powertrain",
    "count",
    "depot",
    "payload_t",
    "energy_capacity",
    "per_km_empty",
    "per_km_full",
    "start_soc_pct",
    "reserve_pct",
    "shift_start",
    "shift_h",
    "cost_per_km",
    "fixed_cost",
    "name",
}
_LOAD_KEYS = {
    "id",
    "from",
    "to",
    "tonnes",
    "count",
    "pickup_window",
    "delivery_window",
    "pickup_min",
    "delivery_min",
    "commodity",
    "new_energy_only",
}


def _sample_places() -> dict[str, dict[str, Any]]:
    """Places of the bundled sample pack by id: stations, enterprises (WGS-84), swap stations."""
    import pandas as pd

    from cleanfreight._paths import sample_file

    out: dict[str, dict[str, Any]] = {}
    try:
        st = pd.read_csv(sample_file("network", "stations.csv"), comment="#")
        for r in st.itertuples(index=False):
            out[str(r.station_id)] = {
                "kind": "station",
                "lon": float(r.lon),
                "lat": float(r.lat),
                "name_zh": str(r.name_zh),
                "name_en": str(r.name_en),
                "hours": str(getattr(r, "loading_hours", "") or "") or None,
            }
        sw = pd.read_csv(sample_file("network", "swap_stations.csv"), comment="#")
        for r in sw.itertuples(index=False):
            power = getattr(r, "power_kw", None)
            out[str(r.swap_id)] = {
                "kind": str(r.kind),
                "lon": float(r.lon),
                "lat": float(r.lat),
                "name_zh": str(r.name_zh),
                "name_en": str(r.name_en),
                "hours": str(getattr(r, "hours", "") or "") or None,
                "power_kw": None if power is None or pd.isna(power) else float(power),
            }
    except (InputError, OSError, ValueError, KeyError) as exc:  # pragma: no cover - broken sample pack
        logger.warning("sample stations not available: %s", exc)
    try:
        from cleanfreight.enterprises import load_enterprises

        ent = load_enterprises().enterprises
        for r in ent.itertuples(index=False):
            out[str(r.enterprise_id)] = {
                "kind": "enterprise",
                "lon": float(r.lon),
                "lat": float(r.lat),
                "name_zh": str(r.name_zh),
                "name_en": str(r.name_en),
            }
    except (ImportError, InputError, OSError, ValueError, KeyError) as exc:  # pragma: no cover
        logger.warning("sample enterprises not available: %s", exc)
    return out


def _window(
    raw: Mapping[str, Any], key: str, problems: list[Problem], where: dict[str, Any]
) -> tuple[int, int] | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    try:
        return parse_window(value)
    except ValueError as exc:
        problems.append(Problem(str(exc), column=key, value=value, **where))
        return None


def _unknown_keys(
    raw: Mapping[str, Any], allowed: set[str], problems: list[Problem], where: dict[str, Any]
) -> None:
    for key in sorted(set(raw) - allowed):
        problems.append(Problem(f"unknown field; allowed: {', '.join(sorted(allowed))}", column=key, **where))


def _build(cls: Any, kwargs: dict[str, Any], problems: list[Problem], where: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    try:
        return cls(**{k: v for k, v in kwargs.items() if k in names and v is not None})
    except InputError as exc:
        for p in exc.problems:
            problems.append(
                Problem(
                    p.message,
                    file=where["file"],
                    row=where["row"],
                    column=f"{where['table']}.{p.column}" if p.column else where["table"],
                    value=p.value,
                )
            )
    except TypeError as exc:
        problems.append(Problem(str(exc), file=where["file"], row=where["row"], column=where["table"]))
    return None


def load_scenario(path: str | Path) -> Scenario:
    """Read a dispatch scenario from TOML.

    Sites and energy stations without ``lon``/``lat`` are looked up by id in the bundled sample
    pack (``stations.csv`` by ``station_id``, ``enterprises.csv`` by ``enterprise_id`` converted to
    WGS-84, ``swap_stations.csv`` by ``swap_id``). See ``docs/dispatch.md`` for every field.

    Raises
    ------
    InputError
        Listing every problem of the file with table, row (1-based within the table) and field.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"scenario file not found: {path}", [Problem("file not found", file=str(path))])
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path.name} is not valid TOML", [Problem(str(exc), file=str(path))]) from None
    problems: list[Problem] = []
    file = str(path)
    head = doc.get("scenario", {})
    sample: dict[str, dict[str, Any]] | None = None

    def lookup(pid: str) -> dict[str, Any] | None:
        nonlocal sample
        if sample is None:
            sample = _sample_places()
        return sample.get(pid)

    sites: list[Site] = []
    for k, raw in enumerate(doc.get("sites", []), start=1):
        where = {"file": file, "row": k, "table": "sites"}
        _unknown_keys(raw, _SITE_KEYS, problems, {"file": file, "row": k})
        kw: dict[str, Any] = dict(raw)
        if "lon" not in raw or "lat" not in raw:
            ref = lookup(str(raw.get("id", "")))
            if ref is None or ref["kind"] in ENERGY_KINDS:
                problems.append(
                    Problem(
                        "no lon/lat and the id is not a station or enterprise of the sample pack",
                        file=file,
                        row=k,
                        column="sites.id",
                        value=raw.get("id"),
                    )
                )
                continue
            kw = {**{k2: v for k2, v in ref.items() if k2 != "hours"}, **kw}
            kw.setdefault("hours", raw.get("hours", ref.get("hours")))
        kw["hours"] = _window(kw, "hours", problems, {"file": file, "row": k})
        kw["banned"] = _window(kw, "banned_hours", problems, {"file": file, "row": k})
        site = _build(Site, kw, problems, where)
        if site is not None:
            sites.append(site)

    stations: list[EnergyStation] = []
    for k, raw in enumerate(doc.get("energy_stations", []), start=1):
        where = {"file": file, "row": k, "table": "energy_stations"}
        _unknown_keys(raw, _STATION_KEYS, problems, {"file": file, "row": k})
        kw = dict(raw)
        if "lon" not in raw or "lat" not in raw:
            ref = lookup(str(raw.get("id", "")))
            if ref is None or ref["kind"] not in ENERGY_KINDS:
                problems.append(
                    Problem(
                        "no lon/lat and the id is not a swap/charge station of the sample pack",
                        file=file,
                        row=k,
                        column="energy_stations.id",
                        value=raw.get("id"),
                    )
                )
                continue
            kw = {**ref, **kw}
        kw["hours"] = _window(kw, "hours", problems, {"file": file, "row": k})
        station = _build(EnergyStation, kw, problems, where)
        if station is not None:
            stations.append(station)

    trucks: list[TruckType] = []
    for k, raw in enumerate(doc.get("truck_types", []), start=1):
        where = {"file": file, "row": k, "table": "truck_types"}
        _unknown_keys(raw, _TRUCK_KEYS, problems, {"file": file, "row": k})
        kw = dict(raw)
        if "shift_start" in kw:
            try:
                kw["shift_start"] = parse_clock(kw["shift_start"])
            except ValueError as exc:
                problems.append(
                    Problem(
                        str(exc), file=file, row=k, column="truck_types.shift_start", value=raw["shift_start"]
                    )
                )
                kw.pop("shift_start")
        truck = _build(TruckType, kw, problems, where)
        if truck is not None:
            trucks.append(truck)

    loads: list[Load] = []
    for k, raw in enumerate(doc.get("loads", []), start=1):
        where = {"file": file, "row": k, "table": "loads"}
        _unknown_keys(raw, _LOAD_KEYS, problems, {"file": file, "row": k})
        kw = {key: v for key, v in raw.items() if key not in {"from", "to"}}
        kw["origin"] = raw.get("from")
        kw["destination"] = raw.get("to")
        for key in ("pickup_window", "delivery_window"):
            kw[key] = _window(raw, key, problems, {"file": file, "row": k})
        load = _build(Load, kw, problems, where)
        if load is not None:
            loads.append(load)

    solver_raw = dict(doc.get("solver", {}))
    solver = SolverParams()
    try:
        solver = SolverParams(**solver_raw)
    except InputError as exc:
        problems += [
            Problem(p.message, file=file, column=f"solver.{p.column}", value=p.value) for p in exc.problems
        ]
    except TypeError as exc:
        problems.append(Problem(str(exc), file=file, column="solver"))
    for key in sorted(set(doc) - {"scenario", "sites", "energy_stations", "truck_types", "loads", "solver"}):
        problems.append(
            Problem(
                "unknown table; allowed: scenario, sites, energy_stations, truck_types, loads, solver",
                file=file,
                column=key,
            )
        )
    if problems:
        raise InputError(f"invalid dispatch scenario {path.name}", problems)
    return Scenario(
        name=str(head.get("name", path.stem)),
        sites=tuple(sites),
        energy_stations=tuple(stations),
        truck_types=tuple(trucks),
        loads=tuple(loads),
        solver=solver,
        detour_factor=float(head.get("detour_factor", DETOUR_FACTOR)),
        speed_kmh=float(head.get("speed_kmh", 40.0)),
        unserved_penalty=float(head.get("unserved_penalty", 100_000.0)),
        source=file,
        roads=_roads_setting(head.get("roads"), path),
        restriction_zone=_file_setting(head.get("restriction_zone"), path),
    )


def _file_setting(value: object, path: Path) -> str | None:
    """A file named in ``[scenario]`` (relative to the scenario file), or ``None``."""
    if value is None or str(value).strip() == "":
        return None
    file = Path(str(value))
    return str(file if file.is_absolute() else path.parent / file)


def _roads_setting(value: object, path: Path) -> str | None:
    """``[scenario] roads``: ``"sample"``, ``"none"`` or a road file (relative to the scenario file)."""
    if value is None or str(value).lower() in ("", "none", "straight"):
        return None
    text = str(value)
    if text == "sample":
        return text
    road = Path(text)
    return str(road if road.is_absolute() else path.parent / road)
