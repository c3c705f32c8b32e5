"""The short-haul dispatch scenario: places, energy stations, truck types, loads, solver settings.

A scenario is loaded from TOML (:func:`load_scenario`, here) or built in Python from the frozen
dataclasses of :mod:`._scenario_types` (re-exported here). Every dataclass validates itself and lists *all* its problems; the loader adds
the file, the table (``[[loads]]`` ...) and the row number to each.

Times are clock times ``"HH:MM"`` on the planning day (``"24:00"`` allowed at the end of a window);
windows are ``"HH:MM-HH:MM"`` and do not cross midnight. Internally they are minutes after 00:00.

Energy figures per powertrain (:data:`POWERTRAINS`) are **assumptions**, not measured values: set
your own per truck type. Units: kWh for battery-electric, kg of hydrogen for fuel-cell, litres for
diesel.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from cleanfreight._geo import DETOUR_FACTOR
from cleanfreight.dispatch._scenario_types import (
    DAY_MIN,
    ENERGY_KINDS,
    POWERTRAINS,
    EnergyStation,
    Load,
    Powertrain,
    Scenario,
    Site,
    TruckType,
    format_clock,
    parse_clock,
    parse_window,
)
from cleanfreight.dispatch.params import SolverParams
from cleanfreight.errors import InputError, Problem

__all__ = [
    "DAY_MIN",
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
        name_zh=str(head["name_zh"]) if head.get("name_zh") else None,
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
