"""The planning problem: enterprises, flows, stations, spurs and what a scenario changes.

:class:`PlanProblem` is plain data (pandas tables plus a distance table); :func:`build_problem` makes
one from the sample pack (or a user's enterprise folder) and a scenario, checking every reference
the scenario makes; :func:`problem_from_frames` makes one from tables you already hold.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cleanfreight.accounting.factors import Factors, load_factors
from cleanfreight.errors import InputError, NetworkError, Problem
from cleanfreight.planning._distances import RoadDistances, network_distances, straight_distances
from cleanfreight.planning._frames import (
    _SPUR_COLS,
    LINE_COLUMNS,
    SECTION_COLUMNS,
    ZONE_COLUMNS,
    _as_bool,
    _banned_hours,
    _empty,
    _lines_frame,
    _num_or_nan,
    _sections_frame,
    _zones_frame,
)
from cleanfreight.planning._network_frames import _frames_from_network, _lonlat, _zones_from
from cleanfreight.planning.params import PlanParams
from cleanfreight.planning.scenario import NETWORK_DATA_KEYS, Scenario, parse_hours

__all__ = ["PlanProblem", "build_problem", "problem_from_frames"]

log = logging.getLogger(__name__)

_REQUIRED: dict[str, tuple[str, ...]] = {
    "enterprises": ("enterprise_id", "lon", "lat"),
    "flows": ("flow_id", "enterprise_id", "commodity", "direction", "tonnes_per_year", "region_id"),
    "splits": ("flow_id", "mode", "share_pct"),
    "regions": ("region_id", "lon", "lat", "in_province", "rail_km"),
    "stations": ("station_id", "lon", "lat", "handling_capacity_t_per_year"),
}


@dataclass(frozen=True)
class PlanProblem:
    """Everything the planner reads, as tables.

    Attributes
    ----------
    enterprises
        ``enterprise_id``, ``name_zh``, ``name_en``, ``lon``, ``lat`` (WGS-84).
    flows
        ``flow_id``, ``enterprise_id``, ``commodity``, ``direction``, ``tonnes_per_year``, ``region_id``,
        ``road_km``, ``rail_km``, ``station_id`` (the last three may be NaN/empty).
    splits
        Current mode split: ``flow_id``, ``mode``, ``share_pct``.
    regions
        ``region_id``, ``lon``, ``lat``, ``in_province``, ``road_km_beyond``, ``rail_km``.
    stations
        ``station_id``, ``lon``, ``lat``, ``handling_capacity_t_per_year``, ``loading_hours_per_day``,
        ``handling_cost_cny_per_t``, ``transfer_time_h``.
    spurs
        ``spur_id``, ``enterprise_id``, ``station_id``, ``status`` (existing | planned | excluded),
        ``capacity_t_per_year``, ``capex_cny``, ``coords`` (list of lon/lat or None).
    swap_stations
        ``swap_id``, ``lon``, ``lat``, ``swaps_per_day``.
    corridors
        ``corridor_id``, ``regions`` (tuple of region ids), ``capacity_t_per_year``, ``direction``
        (``in``: rail tonnes from those regions to the city, ``out``: from the city to them, ``both``).
    conveyors
        ``conveyor_id``, ``flow_id``, ``mode``, ``km``, ``capacity_t_per_year``, ``capex_cny``, ``existing``.
    distances
        Road km / hours enterprise → station and enterprise → region gateway (rows follow ``enterprises``,
        columns ``stations`` and ``regions``).
    factors
        Emission, energy and cost factors (:func:`cleanfreight.accounting.factors.load_factors`).
    targets
        Per-enterprise target overrides (share 0-1).
    fleet
        Existing new-energy trucks per pool key (enterprise id, or station id with a station pool).
    rail_lines
        ``line_id`` → list of lon/lat points of mainlines, to draw rail legs on the map.
    lines
        Rail mainlines and their capacities: ``line_id``, ``name_zh``, ``name_en``, ``capacity_t_per_year``
        (NaN: none), ``other_traffic_t_per_year`` (through traffic outside the plan), ``lifted``. A station's
        ``line_ids`` and a region's ``rail_line_ids`` (tuples) say which lines a rail chain runs on. A line
        with sections (below) has its capacities there: its row here gives its names only.
    sections
        Sections of the rail mainlines cut into sections (lines without sections have none): ``line_id``,
        ``section_id``, ``key`` (``LINE:SECTION``, the id of its capacity row), ``name_zh``, ``name_en``
        (e.g. ``长治北–长治南``: the stations at its ends), ``capacity_t_per_year`` (NaN: none),
        ``other_traffic_t_per_year``, ``lifted``, ``coords`` (lon/lat points, WGS-84).
    zones
        Heavy-truck restriction zones: ``zone_id``, ``name_zh``, ``name_en``, ``hgv_banned_hours`` (text),
        ``banned_hours_per_day``, ``new_energy_exempt``, ``geometry`` (shapely polygon, WGS-84).
    """

    enterprises: pd.DataFrame
    flows: pd.DataFrame
    splits: pd.DataFrame
    regions: pd.DataFrame
    stations: pd.DataFrame
    spurs: pd.DataFrame
    swap_stations: pd.DataFrame
    corridors: pd.DataFrame
    conveyors: pd.DataFrame
    distances: RoadDistances
    factors: Factors
    targets: Mapping[str, float] = field(default_factory=dict)
    fleet: Mapping[str, int] = field(default_factory=dict)
    rail_lines: Mapping[str, list[tuple[float, float]]] = field(default_factory=dict)
    lines: pd.DataFrame = field(default_factory=lambda: _empty(LINE_COLUMNS))
    sections: pd.DataFrame = field(default_factory=lambda: _empty(SECTION_COLUMNS))
    zones: pd.DataFrame = field(default_factory=lambda: _empty(ZONE_COLUMNS))
    rail_diesel_km: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    sample_data: bool = False  # built from the bundled illustrative sample (outputs say so)
    params: PlanParams | None = None  # the scenario's [params]: solve_plan uses them when given none
    name: str = "plan"
    title_en: str = ""
    title_zh: str = ""
    source: str = ""

    @property
    def size(self) -> dict[str, int]:
        return {
            "enterprises": len(self.enterprises),
            "flows": len(self.flows),
            "stations": len(self.stations),
            "spurs": len(self.spurs),
            "swap_stations": len(self.swap_stations),
            "rail_lines": len(self.lines),
            "rail_sections": len(self.sections),
            "zones": len(self.zones),
        }


# ------------------------------------------------------------------------------------------------
_SWAP_COLS = ("swap_id", "lon", "lat", "swaps_per_day", "name_zh", "name_en")
_CORR_COLS = ("corridor_id", "regions", "capacity_t_per_year", "direction")
_CONV_COLS = ("conveyor_id", "flow_id", "mode", "km", "capacity_t_per_year", "capex_cny", "existing")


def _check_columns(frames: Mapping[str, pd.DataFrame], source: str) -> None:
    problems = []
    for name, cols in _REQUIRED.items():
        frame = frames[name]
        problems += [
            Problem(
                f"missing column; the {name} table needs {', '.join(cols)}", file=source or name, column=c
            )
            for c in cols
            if c not in frame.columns
        ]
    if problems:
        raise InputError("the planning tables are incomplete", problems)


def _normalise(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    ent = frames["enterprises"].reset_index(drop=True).copy()
    ent["enterprise_id"] = ent["enterprise_id"].astype(str)
    for c in ("name_zh", "name_en"):
        if c not in ent:
            ent[c] = ent["enterprise_id"]
    flows = frames["flows"].reset_index(drop=True).copy()
    for c in ("road_km", "rail_km"):
        flows[c] = pd.to_numeric(flows[c], errors="coerce") if c in flows else np.nan
    if "station_id" not in flows:
        flows["station_id"] = None
    flows["station_id"] = flows["station_id"].where(
        flows["station_id"].notna() & (flows["station_id"] != ""), None
    )
    flows["tonnes_per_year"] = flows["tonnes_per_year"].astype(float)
    reg = frames["regions"].reset_index(drop=True).copy()
    if "road_km_beyond" not in reg:
        reg["road_km_beyond"] = 0.0
    reg["road_km_beyond"] = pd.to_numeric(reg["road_km_beyond"], errors="coerce").fillna(0.0)
    reg["in_province"] = reg["in_province"].map(_as_bool)
    reg["rail_km"] = reg["rail_km"].astype(float)
    st = frames["stations"].reset_index(drop=True).copy()
    if "loading_hours_per_day" not in st:
        st["loading_hours_per_day"] = st["loading_hours"].map(parse_hours) if "loading_hours" in st else 24.0
    st["loading_hours_per_day"] = pd.to_numeric(st["loading_hours_per_day"], errors="coerce").fillna(24.0)
    for c in ("handling_cost_cny_per_t", "transfer_time_h"):
        if c not in st:
            st[c] = np.nan
        st[c] = pd.to_numeric(st[c], errors="coerce")
    st["handling_capacity_t_per_year"] = pd.to_numeric(st["handling_capacity_t_per_year"], errors="coerce")
    st["line_ids"] = st["line_ids"].map(_ids) if "line_ids" in st else [() for _ in range(len(st))]
    reg["rail_line_ids"] = (
        reg["rail_line_ids"].map(_ids) if "rail_line_ids" in reg else [() for _ in range(len(reg))]
    )
    out = dict(frames)
    out.update(enterprises=ent, flows=flows, regions=reg, stations=st)
    for name, cols in (
        ("spurs", _SPUR_COLS),
        ("swap_stations", _SWAP_COLS),
        ("corridors", _CORR_COLS),
        ("conveyors", _CONV_COLS),
    ):
        frame = frames.get(name)
        frame = _empty(cols) if frame is None else frame.reset_index(drop=True).copy()
        for c in cols:
            if c not in frame:
                frame[c] = None
        out[name] = frame
    return out


def _ids(v: object) -> tuple[str, ...]:
    """``"TJ;HC"`` (or a list) as a tuple of ids; blanks and NaN give ``()``."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ()
    parts = v if isinstance(v, list | tuple) else str(v).replace(",", ";").split(";")
    return tuple(str(x).strip() for x in parts if str(x).strip())


def rail_capacity_rows(problem: PlanProblem) -> list[tuple[str, str, float, float, bool]]:
    """The rail capacity rows: ``(key, line_id, capacity, other traffic, lifted)`` per section of a line cut
    into sections (key ``LINE:SECTION``) and per line without sections (key ``LINE``); NaN capacity: none."""
    out: list[tuple[str, str, float, float, bool]] = []
    cut = set(problem.sections["line_id"].astype(str))
    for ln in problem.lines.itertuples(index=False):
        lid = str(ln.line_id)
        if lid in cut:
            for sec in problem.sections[problem.sections["line_id"] == lid].itertuples(index=False):
                out.append(
                    (
                        str(sec.key),
                        lid,
                        _num_or_nan(sec.capacity_t_per_year),
                        float(sec.other_traffic_t_per_year or 0.0),
                        bool(sec.lifted),
                    )
                )
        else:
            out.append(
                (
                    lid,
                    lid,
                    _num_or_nan(ln.capacity_t_per_year),
                    float(ln.other_traffic_t_per_year or 0.0),
                    bool(ln.lifted),
                )
            )
    return out


def problem_from_frames(
    enterprises: pd.DataFrame,
    flows: pd.DataFrame,
    splits: pd.DataFrame,
    regions: pd.DataFrame,
    stations: pd.DataFrame,
    spurs: pd.DataFrame | None = None,
    swap_stations: pd.DataFrame | None = None,
    *,
    scenario: Scenario | None = None,
    distances: RoadDistances | None = None,
    factors: Factors | None = None,
    rail_lines: Mapping[str, list[tuple[float, float]]] | None = None,
    lines: pd.DataFrame | None = None,
    zones: pd.DataFrame | None = None,
    name: str = "plan",
    source: str = "",
    sections: pd.DataFrame | None = None,
    rail_diesel_km: Mapping[str, Mapping[str, float]] | None = None,
) -> PlanProblem:
    """Assemble a :class:`PlanProblem` from tables (see :class:`PlanProblem` for the columns).

    ``scenario`` overrides are applied and checked against the tables; ``distances`` defaults to
    great-circle km x 1.3 at the factors' default road speed. ``lines`` (rail mainline capacities, see
    :class:`PlanProblem`) and ``zones`` (truck restriction zones with shapely polygons) are optional;
    ``sections`` cuts lines into sections (``line_id``, ``section_id``, ``coords`` or ``geometry``,
    ``capacity_t_per_year``, optional ``other_traffic_t_per_year``, ``lifted``, ``name_zh``, ``name_en``).
    """
    if "share_pct" not in splits.columns and "share" in splits.columns:  # the roster keeps shares as 0-1
        splits = splits.assign(share_pct=splits["share"].astype(float) * 100.0)
    frames: dict[str, Any] = {
        "enterprises": enterprises,
        "flows": flows,
        "splits": splits,
        "regions": regions,
        "stations": stations,
        "spurs": spurs,
        "swap_stations": swap_stations,
    }
    _check_columns(frames, source)
    frames = _normalise(frames)
    frames["lines"] = _lines_frame(lines)
    frames["zones"] = _zones_frame(zones)
    frames["sections"] = _sections_frame(sections, frames["stations"])
    missing = sorted(set(frames["sections"]["line_id"]) - set(frames["lines"]["line_id"]))
    if missing:  # a line given only by its sections
        frames["lines"] = _lines_frame(
            pd.concat([frames["lines"], pd.DataFrame({"line_id": missing})], ignore_index=True)
        )
    sc = scenario or Scenario()
    if factors is None:
        factors = load_factors(overrides=dict(sc.factors) or None)
    elif sc.factors:
        factors = factors.with_overrides(dict(sc.factors), source=sc.source or "scenario")
    frames = _apply_scenario(frames, sc)
    if distances is None:
        speed = factors["road.speed_kmh_default"] if "road.speed_kmh_default" in factors else 50.0  # noqa: SIM401
        distances = straight_distances(
            frames["enterprises"][["lon", "lat"]].to_numpy(float),
            frames["stations"][["lon", "lat"]].to_numpy(float),
            frames["regions"][["lon", "lat"]].to_numpy(float),
            speed_kmh=speed,
        )
    return PlanProblem(
        enterprises=frames["enterprises"],
        flows=frames["flows"],
        splits=frames["splits"],
        regions=frames["regions"],
        stations=frames["stations"],
        spurs=frames["spurs"],
        swap_stations=frames["swap_stations"],
        corridors=frames["corridors"],
        conveyors=frames["conveyors"],
        distances=distances,
        factors=factors,
        targets=dict(sc.targets),
        fleet=dict(sc.fleet),
        rail_lines=dict(rail_lines or {}),
        lines=frames["lines"],
        sections=frames["sections"],
        zones=frames["zones"],
        rail_diesel_km={k: dict(v) for k, v in (rail_diesel_km or {}).items()},
        params=sc.params if scenario is not None else None,
        name=sc.name if scenario is not None else name,
        title_en=sc.title_en,
        title_zh=sc.title_zh,
        source=sc.source or source,
    )


def _apply_scenario(frames: dict[str, pd.DataFrame], sc: Scenario) -> dict[str, pd.DataFrame]:
    """Apply the scenario's overrides; every reference to a missing entry is reported together."""
    file = sc.source or sc.name
    problems: list[Problem] = []
    ent_ids = set(frames["enterprises"]["enterprise_id"])
    st = frames["stations"].set_index("station_id", drop=False)
    st_ids = set(st.index)
    spurs = frames["spurs"].set_index("spur_id", drop=False)
    reg_ids = set(frames["regions"]["region_id"])
    flow_ids = set(frames["flows"]["flow_id"])

    def p(msg: str, column: str, value: object = None) -> None:
        problems.append(Problem(msg, file=file, column=column, value=value))

    for eid in sc.targets:
        if eid not in ent_ids:
            p("unknown enterprise", f"targets.{eid}", eid)
    for sid, entry in sc.stations.items():
        if sid not in st_ids:
            p(f"unknown station; known: {', '.join(sorted(map(str, st_ids)))}", f"stations.{sid}", sid)
            continue
        for k, v in entry.items():
            if k == "loading_hours":
                st.loc[sid, "loading_hours_per_day"] = parse_hours(v)
            else:
                st.loc[sid, k] = float(v)
    spur_rows = {str(k): dict(r) for k, r in spurs.to_dict("index").items()}
    for spid, entry in sc.spurs.items():
        row = spur_rows.get(spid)
        if row is None:
            row = dict.fromkeys(_SPUR_COLS)
            row.update(spur_id=spid, status="planned", name_zh=spid, name_en=spid)
        row.update(entry)
        if row.get("enterprise_id") is None or row.get("station_id") is None:
            p(
                "spur to nowhere: a spur needs enterprise_id (the enterprise served) and station_id (the station it "
                "joins)",
                f"spurs.{spid}",
            )
        else:
            if row["enterprise_id"] not in ent_ids:
                p("spur to nowhere: unknown enterprise", f"spurs.{spid}.enterprise_id", row["enterprise_id"])
            if row["station_id"] not in st_ids:
                p("spur to nowhere: unknown station", f"spurs.{spid}.station_id", row["station_id"])
        if row.get("status") == "planned" and row.get("capex_cny") is None:
            row["capex_cny"] = 0.0
        spur_rows[spid] = row
    swaps = frames["swap_stations"].set_index("swap_id", drop=False)
    swap_rows = {str(k): dict(r) for k, r in swaps.to_dict("index").items()}
    for swid, entry in sc.swap_stations.items():
        row = swap_rows.get(swid)
        if row is None:
            if "lon" not in entry or "lat" not in entry:
                p("unknown swap station; give lon and lat to add a new one", f"swap_stations.{swid}", swid)
                continue
            row = dict.fromkeys(_SWAP_COLS)
            row.update(swap_id=swid, name_zh=swid, name_en=swid, swaps_per_day=0.0)
        row.update(entry)
        swap_rows[swid] = row
    corridors = [
        {
            "corridor_id": cid,
            "regions": tuple(e.get("regions", ())),
            "capacity_t_per_year": float(e["capacity_t_per_year"]),
            "direction": str(e.get("direction", "both")),
        }
        for cid, e in sc.corridors.items()
        if "capacity_t_per_year" in e
    ]
    for cid, e in sc.corridors.items():
        for r in e.get("regions", ()):
            if r not in reg_ids:
                p("unknown region", f"corridors.{cid}.regions", r)
    conveyors = [
        {
            "conveyor_id": cid,
            "flow_id": e.get("flow_id"),
            "mode": e.get("mode", "conveyor"),
            "km": e.get("km"),
            "capacity_t_per_year": e.get("capacity_t_per_year"),
            "capex_cny": float(e.get("capex_cny", 0.0)),
            "existing": bool(e.get("existing", False)),
        }
        for cid, e in sc.conveyors.items()
    ]
    for c in conveyors:
        if c["flow_id"] not in flow_ids:
            p("conveyor for an unknown flow", f"conveyors.{c['conveyor_id']}.flow_id", c["flow_id"])
    fleet_keys = ent_ids | st_ids
    for key in sc.fleet:
        if key not in fleet_keys:
            p("unknown enterprise or station", f"fleet.{key}", key)

    def rows(
        frame: pd.DataFrame, id_col: str, entries: Mapping[str, Any], section: str, what: str
    ) -> Iterator[tuple[int, Mapping[str, Any]]]:
        """(row position, entry) of every scenario entry naming a row of ``frame``; others reported."""
        pos = {str(v): i for i, v in enumerate(frame[id_col])}
        for key, entry in entries.items():
            if key in pos:
                yield pos[key], entry
            else:
                p(
                    f"unknown {what}; known: {', '.join(sorted(pos)) or 'none in the data'}",
                    f"{section}.{key}",
                    key,
                )

    # [rail_lines.LINE] sets the line and every section of it; [rail_lines."LINE:SECTION"] one section
    lines = frames["lines"].copy()
    secs = frames["sections"].copy()
    line_pos = {str(v): i for i, v in enumerate(lines["line_id"])}
    sec_pos = {str(v): i for i, v in enumerate(secs["key"])}
    for key in sc.rail_lines:
        if key not in line_pos and key not in sec_pos:
            known = ", ".join([*sorted(line_pos), *sorted(sec_pos)]) or "none in the data"
            p(f"unknown rail line or section; known: {known}", f"rail_lines.{key}", key)
    for by_line in (True, False):
        for key, entry in sc.rail_lines.items():
            if by_line and key in line_pos:
                at = [(lines, line_pos[key])] + [
                    (secs, int(i)) for i in np.flatnonzero(secs["line_id"] == key)
                ]
            elif not by_line and key in sec_pos and key not in line_pos:
                at = [(secs, sec_pos[key])]
            else:
                continue
            for frame, i in at:
                for k, v in entry.items():
                    frame.at[i, k] = bool(v) if k == "lifted" else float(v)
    zones = frames["zones"].copy()
    for i, entry in rows(zones, "zone_id", sc.restriction_zones, "restriction_zones", "restriction zone"):
        if "hgv_banned_hours" in entry:
            zones.at[i, "hgv_banned_hours"] = entry["hgv_banned_hours"]
            zones.at[i, "banned_hours_per_day"] = _banned_hours(entry["hgv_banned_hours"])
        if "new_energy_exempt" in entry:
            zones.at[i, "new_energy_exempt"] = bool(entry["new_energy_exempt"])
        if entry.get("lifted"):
            zones.at[i, "banned_hours_per_day"] = 0.0
    if problems:
        raise InputError(f"scenario {file} does not match the data", problems)
    out = dict(frames)
    out["stations"] = st.reset_index(drop=True)
    out["spurs"] = pd.DataFrame(list(spur_rows.values()), columns=list(_SPUR_COLS))
    out["swap_stations"] = pd.DataFrame(list(swap_rows.values()), columns=list(_SWAP_COLS))
    out["corridors"] = pd.DataFrame(corridors, columns=list(_CORR_COLS))
    out["lines"] = lines
    out["sections"] = secs
    out["zones"] = zones
    declared = pd.DataFrame(conveyors, columns=list(_CONV_COLS))
    existing = frames["conveyors"]
    conv = declared if existing.empty else pd.concat([existing, declared], ignore_index=True)
    out["conveyors"] = _implicit_conveyors(conv, frames["splits"], frames["flows"])
    return out


def _implicit_conveyors(conv: pd.DataFrame, splits: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """A conveyor or pipeline in today's split that no table declares exists: it becomes an existing one
    carrying at least today's tonnes (its capacity, unknown, is taken as those tonnes), so the plan may
    keep it instead of moving its tonnes onto trucks."""
    if splits.empty:
        return conv
    sp = splits[splits["mode"].isin(("conveyor", "pipeline")) & (splits["share_pct"].astype(float) > 0)]
    if sp.empty:
        return conv
    have = set(zip(conv["flow_id"].astype(str), conv["mode"].astype(str), strict=True)) if len(conv) else set()
    tonnes = flows.set_index("flow_id")["tonnes_per_year"].astype(float)
    rows = [
        {
            "conveyor_id": f"{fid}:{mode}",
            "flow_id": fid,
            "mode": mode,
            "km": None,
            "capacity_t_per_year": float(tonnes.get(fid, 0.0)) * float(share) / 100.0,
            "capex_cny": 0.0,
            "existing": True,
        }
        for fid, mode, share in zip(sp["flow_id"].astype(str), sp["mode"].astype(str), sp["share_pct"], strict=True)
        if (fid, mode) not in have and fid in tonnes.index
    ]
    if not rows:
        return conv
    extra = pd.DataFrame(rows, columns=list(_CONV_COLS))
    return extra if conv.empty else pd.concat([conv, extra], ignore_index=True)


# ------------------------------------------------------------------------------------------------
def build_problem(scenario: Scenario | None = None, *, use_road_network: bool = True) -> PlanProblem:
    """The planning problem for the Changzhi sample, or for the user's files named in the scenario's ``[data]``.

    ``[data]`` may name ``enterprises`` (a folder), ``roads``, ``rail``, ``stations``, ``swap_stations``,
    ``regions``, ``restriction_zone`` and ``boundaries`` (see :class:`cleanfreight.network.NetworkFiles`);
    a file not named comes from the sample pack.

    Parameters
    ----------
    scenario
        Overrides and parameters (default: none).
    use_road_network
        Cost road legs on the sample's heavy-truck network (:func:`cleanfreight.network.road_matrix`);
        ``False`` uses great-circle km x 1.3 (faster, for quick looks).
    """
    sc = scenario or Scenario()
    from cleanfreight.enterprises import load_enterprises
    from cleanfreight.network.engine import NetworkFiles, load_network
    from cleanfreight.network.rail import diesel_haul_km

    roster = load_enterprises(sc.data.get("enterprises"))
    own = {k: Path(v) for k, v in sc.data.items() if k in NETWORK_DATA_KEYS}
    if own:
        log.info("network files from the scenario: %s", ", ".join(f"{k}={v}" for k, v in own.items()))
    net = load_network(dataclasses.replace(NetworkFiles.sample(), **own))
    frames = _frames_from_network(net)
    ent = _lonlat(roster.enterprises)
    distances = None
    if use_road_network and getattr(net, "roads", None) is not None:
        try:
            distances = network_distances(
                net.roads,
                ent[["lon", "lat"]].to_numpy(float),
                frames["stations"][["lon", "lat"]].to_numpy(float),
                frames["regions"][["lon", "lat"]].to_numpy(float),
            )
        except (NetworkError, ValueError) as exc:  # the planner still works on straight-line distances
            log.warning("road matrix failed (%s); using great-circle distances x 1.3", exc)
    flows = roster.flows.copy()
    if "station_id" in ent:  # an enterprise's usual station stands for flows that name none
        usual = ent.set_index("enterprise_id")["station_id"]
        blank = flows["station_id"].isna() | (flows["station_id"].astype(str).str.strip() == "")
        flows.loc[blank, "station_id"] = flows.loc[blank, "enterprise_id"].map(usual)
    problem = problem_from_frames(
        ent,
        flows,
        roster.splits,
        frames["regions"],
        frames["stations"],
        frames["spurs"],
        frames["swap_stations"],
        scenario=sc,
        distances=distances,
        rail_lines=frames["rail_lines"],
        lines=frames["lines"],
        sections=frames["sections"],
        zones=_zones_from(sc.data.get("restriction_zone"), getattr(net, "restriction_zone", None)),
        source=sc.source or "sample",
        rail_diesel_km=dict(zip(("spur", "station"), diesel_haul_km(net.rail, net.stations), strict=True)),
    )
    return dataclasses.replace(problem, sample_data=not sc.data)


