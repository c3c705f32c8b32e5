"""Tables of the planning problem checked and normalised: rail lines and their sections, restriction
zones, and the column sets :class:`~cleanfreight.planning.problem.PlanProblem` holds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cleanfreight.errors import InputError, Problem
from cleanfreight.planning.scenario import parse_hours

_SPUR_COLS = (
    "spur_id",
    "enterprise_id",
    "station_id",
    "status",
    "capacity_t_per_year",
    "capex_cny",
    "coords",
    "name_zh",
    "name_en",
)
LINE_COLUMNS: tuple[str, ...] = (
    "line_id",
    "name_zh",
    "name_en",
    "capacity_t_per_year",
    "other_traffic_t_per_year",
    "lifted",
)
SECTION_COLUMNS: tuple[str, ...] = (
    "line_id",
    "section_id",
    "key",
    "name_zh",
    "name_en",
    "capacity_t_per_year",
    "other_traffic_t_per_year",
    "lifted",
    "coords",
)
#: a section's end lies at a station when the station is within this many km of it (for its name)
_SECTION_END_KM = 2.0
ZONE_COLUMNS: tuple[str, ...] = (
    "zone_id",
    "name_zh",
    "name_en",
    "hgv_banned_hours",
    "banned_hours_per_day",
    "new_energy_exempt",
    "geometry",
)


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _lines_frame(lines: pd.DataFrame | None) -> pd.DataFrame:
    if lines is None:
        return _empty(LINE_COLUMNS)
    df = pd.DataFrame(lines).reset_index(drop=True).copy()
    df["line_id"] = df["line_id"].astype(str)
    for c in ("name_zh", "name_en"):
        if c not in df:
            df[c] = df["line_id"]
    for c, default in (("capacity_t_per_year", np.nan), ("other_traffic_t_per_year", 0.0)):
        df[c] = pd.to_numeric(df[c], errors="coerce") if c in df else default
    df["other_traffic_t_per_year"] = df["other_traffic_t_per_year"].fillna(0.0)
    df["lifted"] = df["lifted"].map(_as_bool) if "lifted" in df else False
    return pd.DataFrame(df[list(LINE_COLUMNS)])


def _sections_frame(sections: pd.DataFrame | None, stations: pd.DataFrame) -> pd.DataFrame:
    """Sections of the mainlines cut into sections, checked, keyed ``LINE:SECTION`` and named by their end stations."""
    if sections is None or len(sections) == 0:
        return _empty(SECTION_COLUMNS)
    df = pd.DataFrame(sections).reset_index(drop=True).copy()
    problems = [
        Problem("missing column in the rail line sections", file="rail", column=c)
        for c in ("line_id", "section_id")
        if c not in df
    ]
    if "coords" not in df and "geometry" not in df:
        problems.append(Problem("a section needs its geometry (coords)", file="rail", column="coords"))
    if problems:
        raise InputError("the rail line sections are incomplete", problems)
    if "coords" not in df:
        df["coords"] = [[(float(c[0]), float(c[1])) for c in _line_coords(g)] for g in df["geometry"]]
    blank = df["section_id"].isna() | (df["section_id"].astype(str).str.strip() == "")
    df["line_id"] = df["line_id"].astype(str)
    df["section_id"] = df["section_id"].astype(str).str.strip()
    df["key"] = df["line_id"] + ":" + df["section_id"]
    problems = [
        Problem(
            "a line given as several features needs a section_id on each",
            file="rail",
            column="section_id",
            value=df.at[i, "line_id"],
        )
        for i in np.flatnonzero(blank.to_numpy())
    ]
    problems += [
        Problem("section given twice", file="rail", column="section_id", value=k)
        for k in sorted(set(df.loc[df["key"].duplicated(), "key"]))
    ]
    problems += [
        Problem(
            "a section needs a line geometry of two points or more", file="rail", column="coords", value=k
        )
        for k, c in zip(df["key"], df["coords"], strict=True)
        if c is None or len(c) < 2
    ]
    if problems:
        raise InputError("invalid rail line sections", problems)
    for c, default in (("capacity_t_per_year", np.nan), ("other_traffic_t_per_year", 0.0)):
        df[c] = pd.to_numeric(df[c], errors="coerce") if c in df else default
    df["other_traffic_t_per_year"] = df["other_traffic_t_per_year"].fillna(0.0)
    df["lifted"] = df["lifted"].map(_as_bool) if "lifted" in df else False
    ends = _section_end_names(df["coords"], stations)
    for c, k in (("name_zh", 0), ("name_en", 1)):
        given = df[c] if c in df else pd.Series([None] * len(df))
        df[c] = [
            str(g)
            if g is not None and not (isinstance(g, float) and np.isnan(g)) and str(g).strip()
            else (e[k] if e is not None else sid)
            for g, e, sid in zip(given, ends, df["section_id"], strict=True)
        ]
    return pd.DataFrame(df[list(SECTION_COLUMNS)])


def _section_end_names(coords: pd.Series, stations: pd.DataFrame) -> list[tuple[str, str] | None]:
    """(zh, en) names ``A–B`` of the stations at a section's two ends (within 2 km), else ``None``."""
    from cleanfreight.planning._distances import haversine_km

    if stations.empty:
        return [None] * len(coords)
    lon = stations["lon"].to_numpy(float)
    lat = stations["lat"].to_numpy(float)
    ids = stations["station_id"].astype(str).to_numpy()
    zh = [
        ids[i] if "name_zh" not in stations or pd.isna(v) else str(v)
        for i, v in enumerate(stations.get("name_zh", pd.Series([None] * len(ids))))
    ]
    en = [
        ids[i] if "name_en" not in stations or pd.isna(v) else str(v)
        for i, v in enumerate(stations.get("name_en", pd.Series([None] * len(ids))))
    ]
    out: list[tuple[str, str] | None] = []
    for c in coords:
        at = []
        for x, y in (c[0], c[-1]):
            d = haversine_km(np.full(len(lon), float(x)), np.full(len(lon), float(y)), lon, lat)
            j = int(np.argmin(d))
            at.append(j if d[j] <= _SECTION_END_KM else -1)
        if min(at) < 0:
            out.append(None)
        else:
            out.append((f"{zh[at[0]]}–{zh[at[1]]}", f"{en[at[0]]}–{en[at[1]]}"))
    return out


def _num_or_nan(v: object) -> float:
    return float("nan") if v is None or pd.isna(v) else float(v)  # type: ignore[arg-type]


def _zones_frame(zones: pd.DataFrame | None) -> pd.DataFrame:
    if zones is None:
        return _empty(ZONE_COLUMNS)
    df = pd.DataFrame(zones).reset_index(drop=True).copy()
    problems = [
        Problem("missing column in the restriction zones", file="restriction_zone", column=c)
        for c in ("zone_id", "geometry")
        if c not in df
    ]
    if problems:
        raise InputError("the restriction zones are incomplete", problems)
    df["zone_id"] = df["zone_id"].astype(str)
    for c in ("name_zh", "name_en"):
        if c not in df:
            df[c] = df["zone_id"]
    if "hgv_banned_hours" not in df:
        df["hgv_banned_hours"] = "all"
    df["new_energy_exempt"] = df["new_energy_exempt"].map(_as_bool) if "new_energy_exempt" in df else False
    df["banned_hours_per_day"] = df["hgv_banned_hours"].map(_banned_hours)
    bad = df[df["banned_hours_per_day"].isna()]
    if len(bad):
        raise InputError(
            "unreadable truck-ban hours",
            [
                Problem(
                    "banned hours must look like 07:00-21:00 (or 'all')",
                    file="restriction_zone",
                    row=int(i) + 1,
                    column="hgv_banned_hours",
                    value=v,
                )
                for i, v in bad["hgv_banned_hours"].items()
            ],
        )
    return pd.DataFrame(df[list(ZONE_COLUMNS)])


def _banned_hours(v: object) -> float | None:
    """Hours per day a zone bans trucks: blank/None is no ban, otherwise :func:`parse_hours`."""
    if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "":
        return 0.0
    return parse_hours(v)


def _as_bool(v: object) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes", "y", "t")
    return bool(v)


def _line_coords(geom: Any) -> list[tuple[float, ...]]:
    if geom is None:
        return []
    if geom.geom_type == "MultiLineString":
        return [c for part in geom.geoms for c in part.coords]
    return list(geom.coords)
