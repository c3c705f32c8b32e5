"""Scenario files: what a planning run changes relative to the data (TOML or YAML).

A scenario holds planner parameters and per-entry overrides::

    [scenario]
    name = "spurs"
    title_en = "With the two planned spurs"
    title_zh = "建设两条规划专用线"

    [params]                      # any PlanParams field
    target = 0.8
    carbon_price_cny_per_t = 50

    [factors]                     # any key of accounting/presets/factors.csv
    "cost.road.diesel_cny_per_tkm" = 0.45

    [targets]                     # per-enterprise targets (share 0-1)
    CZ07 = 0.9

    [fleet]                       # existing new-energy trucks per enterprise (or station, with fleet_pool="station")
    CZ01 = 12

    [stations.ST_CZB]             # override a station
    handling_capacity_t_per_year = 2.0e7
    loading_hours = "06:00-22:00"

    [spurs.SP_RUILONG]            # status existing | planned | excluded; or a new spur with enterprise_id + station_id
    status = "planned"
    capex_cny = 1.2e8

    [swap_stations.SW01]
    swaps_per_day = 200

    [corridors.wari]              # rail corridor capacity shared by the flows of these regions
    regions = ["out_wari_east"]
    capacity_t_per_year = 5.0e6
    direction = "out"             # optional: only flows leaving (out) or reaching (in) the city

    [rail_lines.WR]               # a mainline of rail.geojson: its capacity is a row by default
    capacity_t_per_year = 2.0e8   # override the data's capacity
    other_traffic_t_per_year = 1.5e8   # through traffic not in the plan: the plan gets the rest
    # lifted = true               # no capacity row for this line
    # (a line cut into sections in rail.geojson: [rail_lines.WR] sets every section of it,
    # [rail_lines."WR:S2"] only section S2)

    [restriction_zones.RZ01]      # a zone of restriction_zone.geojson
    hgv_banned_hours = "07:00-21:00"   # or "all"; "" or lifted = true: no ban
    new_energy_exempt = true

    [conveyors.CV1]               # a conveyor / pipeline for one flow
    flow_id = "CZ05-F1"
    km = 3.5
    capacity_t_per_year = 2.0e6
    capex_cny = 4.0e7
    existing = false

Values are checked when the file is read (:class:`Scenario` collects every problem); references to
stations, spurs, enterprises and flows are checked against the data by
:func:`cleanfreight.planning.problem.build_problem`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleanfreight.errors import InputError, Problem
from cleanfreight.planning.params import PlanParams

__all__ = ["SPUR_STATUSES", "Scenario", "load_scenario", "parse_hours"]

SPUR_STATUSES = ("existing", "planned", "excluded")

_SECTIONS = (
    "scenario",
    "params",
    "factors",
    "targets",
    "fleet",
    "stations",
    "spurs",
    "swap_stations",
    "corridors",
    "conveyors",
    "rail_lines",
    "restriction_zones",
    "data",
)
_STATION_KEYS = {
    "handling_capacity_t_per_year",
    "loading_hours",
    "handling_cost_cny_per_t",
    "transfer_time_h",
}
_SPUR_KEYS = {
    "status",
    "capacity_t_per_year",
    "capex_cny",
    "enterprise_id",
    "station_id",
    "name_zh",
    "name_en",
}
_SWAP_KEYS = {"swaps_per_day", "lon", "lat", "name_zh", "name_en"}
_CORRIDOR_KEYS = {"regions", "capacity_t_per_year", "direction", "name_zh", "name_en"}
_CONVEYOR_KEYS = {"flow_id", "km", "capacity_t_per_year", "capex_cny", "existing", "mode"}
_LINE_KEYS = {"capacity_t_per_year", "other_traffic_t_per_year", "lifted"}
_ZONE_KEYS = {"hgv_banned_hours", "new_energy_exempt", "lifted"}
#: The names of the network's files, in one place: the ``[data]`` files that replace the sample network's,
#: the fields of :class:`cleanfreight.network.NetworkFiles` and of the baseline job's parameters (a test
#: holds the three together)
NETWORK_DATA_KEYS = ("roads", "rail", "stations", "swap_stations", "regions", "restriction_zone", "boundaries")
_DATA_KEYS = {"enterprises", *NETWORK_DATA_KEYS}
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_hours(text: object) -> float | None:
    """Hours per day of an opening window like ``06:00-22:00`` (``all`` or ``24h``: 24); ``None`` if unreadable."""
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text) if 0 <= float(text) <= 24 else None
    s = str(text).strip().lower()
    if s in ("all", "24h", "00:00-24:00", "0:00-24:00"):
        return 24.0
    total = 0.0
    for part in s.split(";"):
        m = _HOURS.match(part)
        if not m:
            return None
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59:
            return None
        start, end = h1 + m1 / 60, h2 + m2 / 60
        total += end - start if end > start else 24 - start + end
    return min(total, 24.0)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Build it with :func:`load_scenario` or directly (``Scenario(params=...)``)."""

    name: str = "baseline"
    title_en: str = ""
    title_zh: str = ""
    params: PlanParams = field(default_factory=PlanParams)
    factors: Mapping[str, float] = field(default_factory=dict)
    targets: Mapping[str, float] = field(default_factory=dict)
    fleet: Mapping[str, int] = field(default_factory=dict)
    stations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    spurs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    swap_stations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    corridors: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    conveyors: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    rail_lines: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    restriction_zones: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    data: Mapping[str, str] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        problems = _check(self)
        if problems:
            raise InputError(f"invalid scenario {self.source or self.name}", problems)

    def title(self, lang: str = "en") -> str:
        return (self.title_zh if lang == "zh" else self.title_en) or self.title_en or self.name

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title_en": self.title_en,
            "title_zh": self.title_zh,
            "source": self.source,
        }


def _num(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _check(sc: Scenario) -> list[Problem]:
    file = sc.source or None
    out: list[Problem] = []

    def p(msg: str, column: str, value: object = None) -> None:
        out.append(Problem(msg, file=file, column=column, value=value))

    def unknown_keys(section: str, key: str, entry: Mapping[str, Any], allowed: set[str]) -> None:
        if not isinstance(entry, Mapping):
            p("expected a table of settings", f"{section}.{key}", entry)
            return
        for k in entry:
            if k not in allowed:
                p(f"unknown setting; allowed: {', '.join(sorted(allowed))}", f"{section}.{key}.{k}")

    def capacity(section: str, key: str, entry: Mapping[str, Any], name: str = "capacity_t_per_year") -> None:
        if name in entry and entry[name] is not None and (not _num(entry[name]) or entry[name] < 0):
            p("capacity must be a number >= 0", f"{section}.{key}.{name}", entry[name])

    for ent, target in sc.targets.items():
        if not _num(target) or not 0 <= float(target) <= 1:
            p(
                "target must be a share between 0 and 1 (e.g. 0.8 for 80 %; above 100 % is impossible)",
                f"targets.{ent}",
                target,
            )
    for key, n in sc.fleet.items():
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            p("existing trucks must be a whole number >= 0", f"fleet.{key}", n)
    for key, v in sc.factors.items():
        if not _num(v) or v < 0:
            p("factor value must be a number >= 0", f"factors.{key}", v)
    for sid, entry in sc.stations.items():
        unknown_keys("stations", sid, entry, _STATION_KEYS)
        if not isinstance(entry, Mapping):
            continue
        capacity("stations", sid, entry, "handling_capacity_t_per_year")
        if "loading_hours" in entry and parse_hours(entry["loading_hours"]) is None:
            p(
                "loading hours must look like 06:00-22:00 (or 'all')",
                f"stations.{sid}.loading_hours",
                entry["loading_hours"],
            )
        for k in ("handling_cost_cny_per_t", "transfer_time_h"):
            if k in entry and (not _num(entry[k]) or entry[k] < 0):
                p("must be a number >= 0", f"stations.{sid}.{k}", entry[k])
    for spid, entry in sc.spurs.items():
        unknown_keys("spurs", spid, entry, _SPUR_KEYS)
        if not isinstance(entry, Mapping):
            continue
        capacity("spurs", spid, entry)
        if "status" in entry and entry["status"] not in SPUR_STATUSES:
            p(
                f"spur status must be one of {', '.join(SPUR_STATUSES)}",
                f"spurs.{spid}.status",
                entry["status"],
            )
        if "capex_cny" in entry and (not _num(entry["capex_cny"]) or entry["capex_cny"] < 0):
            p("capex must be a number >= 0", f"spurs.{spid}.capex_cny", entry["capex_cny"])
    for swid, entry in sc.swap_stations.items():
        unknown_keys("swap_stations", swid, entry, _SWAP_KEYS)
        if isinstance(entry, Mapping):
            capacity("swap_stations", swid, entry, "swaps_per_day")
    for cid, entry in sc.corridors.items():
        unknown_keys("corridors", cid, entry, _CORRIDOR_KEYS)
        if not isinstance(entry, Mapping):
            continue
        if "capacity_t_per_year" not in entry:
            p("a corridor needs capacity_t_per_year", f"corridors.{cid}")
        capacity("corridors", cid, entry)
        regions = entry.get("regions")
        if not isinstance(regions, list) or not regions:
            p("a corridor needs a non-empty list of region ids", f"corridors.{cid}.regions", regions)
        if entry.get("direction", "both") not in ("in", "out", "both"):
            p("direction must be in, out or both", f"corridors.{cid}.direction", entry.get("direction"))
    for cid, entry in sc.conveyors.items():
        unknown_keys("conveyors", cid, entry, _CONVEYOR_KEYS)
        if not isinstance(entry, Mapping):
            continue
        if "flow_id" not in entry:
            p("a conveyor needs the flow_id it carries", f"conveyors.{cid}")
        capacity("conveyors", cid, entry)
        for k in ("km", "capex_cny"):
            if k in entry and (not _num(entry[k]) or entry[k] < 0):
                p("must be a number >= 0", f"conveyors.{cid}.{k}", entry[k])
        if entry.get("mode", "conveyor") not in ("conveyor", "pipeline"):
            p("mode must be conveyor or pipeline", f"conveyors.{cid}.mode", entry.get("mode"))
    for lid, entry in sc.rail_lines.items():
        unknown_keys("rail_lines", lid, entry, _LINE_KEYS)
        if not isinstance(entry, Mapping):
            continue
        capacity("rail_lines", lid, entry)
        capacity("rail_lines", lid, entry, "other_traffic_t_per_year")
        if "lifted" in entry and not isinstance(entry["lifted"], bool):
            p("lifted must be true or false", f"rail_lines.{lid}.lifted", entry["lifted"])
    for zid, entry in sc.restriction_zones.items():
        unknown_keys("restriction_zones", zid, entry, _ZONE_KEYS)
        if not isinstance(entry, Mapping):
            continue
        hours = entry.get("hgv_banned_hours")
        if hours not in (None, "") and parse_hours(hours) is None:
            p(
                "banned hours must look like 07:00-21:00 (or 'all')",
                f"restriction_zones.{zid}.hgv_banned_hours",
                hours,
            )
        for k in ("new_energy_exempt", "lifted"):
            if k in entry and not isinstance(entry[k], bool):
                p(f"{k} must be true or false", f"restriction_zones.{zid}.{k}", entry[k])
    for key, file_name in sc.data.items():
        if key not in _DATA_KEYS:
            p(f"unknown data file; allowed: {', '.join(sorted(_DATA_KEYS))}", f"data.{key}")
        elif not Path(str(file_name)).exists():
            p("file not found", f"data.{key}", file_name)
    return out


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario from a ``.toml`` or ``.yaml`` file; every problem is reported at once.

    Raises
    ------
    InputError
        Unreadable file, unknown sections or settings, or invalid values (with the entry named).
    """
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"scenario file not found: {path}") from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            raw = yaml.safe_load(text) or {}
        else:
            raw = tomllib.loads(text)
    except Exception as exc:
        raise InputError(f"{path}: cannot read the scenario: {exc}") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: a scenario must be a table of sections")
    problems = [
        Problem(f"unknown section; allowed: {', '.join(_SECTIONS)}", file=file, column=k)
        for k in raw
        if k not in _SECTIONS
    ]
    head = raw.get("scenario", {}) or {}
    params_raw = raw.get("params", {}) or {}
    params: PlanParams | None = None
    try:
        params = PlanParams.from_dict(params_raw, source=file)
    except InputError as exc:
        problems += [
            Problem(
                q.message, file=file, column=f"params.{q.column}" if q.column else "params", value=q.value
            )
            for q in exc.problems
        ] or [Problem(exc.summary, file=file, column="params")]
    data = raw.get("data", {}) or {}
    if isinstance(data, dict):
        data = {k: str((path.parent / v) if not Path(str(v)).is_absolute() else v) for k, v in data.items()}
    try:
        sc = Scenario(
            name=str(head.get("name", path.stem)),
            title_en=str(head.get("title_en", "")),
            title_zh=str(head.get("title_zh", "")),
            params=params or PlanParams(),
            factors=dict(raw.get("factors", {}) or {}),
            targets=dict(raw.get("targets", {}) or {}),
            fleet=dict(raw.get("fleet", {}) or {}),
            stations=dict(raw.get("stations", {}) or {}),
            spurs=dict(raw.get("spurs", {}) or {}),
            swap_stations=dict(raw.get("swap_stations", {}) or {}),
            corridors=dict(raw.get("corridors", {}) or {}),
            conveyors=dict(raw.get("conveyors", {}) or {}),
            rail_lines=dict(raw.get("rail_lines", {}) or {}),
            restriction_zones=dict(raw.get("restriction_zones", {}) or {}),
            data=data,
            source=file,
        )
    except InputError as exc:
        problems += exc.problems
        sc = None
    except (TypeError, ValueError) as exc:
        problems.append(Problem(f"malformed section: {exc}", file=file))
        sc = None
    if problems or sc is None:
        raise InputError(f"invalid scenario {path}", problems)
    return sc
