"""The planning tables of a loaded network (the sample pack or the user's files): stations, regions,
swap stations, spurs and rail mainlines (cut into sections where the file cuts them), zones."""

from __future__ import annotations

from typing import Any

import pandas as pd

from cleanfreight.errors import InputError
from cleanfreight.planning._frames import _SPUR_COLS, _line_coords


def _lonlat(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(frame).copy()
    if ("lon" not in out or "lat" not in out) and "geometry" in out:
        out["lon"] = [g.x for g in out["geometry"]]
        out["lat"] = [g.y for g in out["geometry"]]
    if "geometry" in out:
        out = pd.DataFrame(out.drop(columns="geometry"))
    return out


def _frames_from_network(net: Any) -> dict[str, Any]:
    stations = _lonlat(net.stations)
    regions = _lonlat(net.regions)
    swap = _lonlat(net.swap_stations)
    if "kind" in swap:
        swap = swap[swap["kind"] == "swap"]
    rail = net.rail
    spurs: list[dict[str, Any]] = []
    lines: dict[str, list[tuple[float, float]]] = {}
    mainlines: list[dict[str, Any]] = []
    for _, row in rail.iterrows():
        coords = [(float(x), float(y)) for x, y, *_ in _line_coords(row.geometry)]
        if row.get("kind") == "spur":
            cap = row.get("capacity_t_per_year")
            spurs.append(
                {
                    "spur_id": row["line_id"],
                    "enterprise_id": row.get("enterprise_id"),
                    "station_id": row.get("station_id"),
                    "status": row.get("status", "existing"),
                    "capacity_t_per_year": None if cap is None or pd.isna(cap) else float(cap),
                    "capex_cny": float(row.get("capex_cny") or 0.0)
                    if not pd.isna(row.get("capex_cny"))
                    else 0.0,
                    "coords": coords,
                    "name_zh": row.get("name_zh"),
                    "name_en": row.get("name_en"),
                }
            )
        else:
            cap = row.get("capacity_t_per_year")
            other = row.get("other_traffic_t_per_year")
            sid = row.get("section_id")
            mainlines.append(
                {
                    "line_id": str(row["line_id"]),
                    "name_zh": row.get("name_zh"),
                    "name_en": row.get("name_en"),
                    "capacity_t_per_year": None if cap is None or pd.isna(cap) else float(cap),
                    "other_traffic_t_per_year": None if other is None or pd.isna(other) else float(other),
                    "section_id": None if sid is None or pd.isna(sid) or str(sid).strip() == "" else str(sid),
                    "section_name_zh": row.get("section_name_zh"),
                    "section_name_en": row.get("section_name_en"),
                    "coords": coords,
                }
            )
    # a line given as several features (or with a section_id) is cut into sections
    ml = pd.DataFrame(
        mainlines,
        columns=[
            "line_id",
            "name_zh",
            "name_en",
            "capacity_t_per_year",
            "other_traffic_t_per_year",
            "section_id",
            "section_name_zh",
            "section_name_en",
            "coords",
        ],
    )
    counts = ml["line_id"].value_counts()
    cut = ml["section_id"].notna().to_numpy() | (ml["line_id"].map(counts) > 1).to_numpy()
    sections = ml[cut].rename(columns={"section_name_zh": "_zh", "section_name_en": "_en"})
    sections = sections.drop(columns=["name_zh", "name_en"]).rename(
        columns={"_zh": "name_zh", "_en": "name_en"}
    )
    # one row per line, in the file's order; a line cut into sections has its capacities there
    first = ml.drop_duplicates("line_id")
    cut_first = first["line_id"].isin(set(ml.loc[cut, "line_id"])).to_numpy()
    line_rows = first[
        ["line_id", "name_zh", "name_en", "capacity_t_per_year", "other_traffic_t_per_year"]
    ].copy()
    line_rows.loc[cut_first, ["capacity_t_per_year", "other_traffic_t_per_year"]] = None
    for lid, grp in ml.groupby("line_id", sort=False):
        lines[str(lid)] = _merged_coords(list(grp["coords"]))
    return {
        "stations": stations,
        "regions": regions,
        "swap_stations": swap,
        "spurs": pd.DataFrame(spurs, columns=list(_SPUR_COLS)),
        "rail_lines": lines,
        "lines": line_rows.reset_index(drop=True),
        "sections": sections.reset_index(drop=True) if len(sections) else None,
    }


def _merged_coords(parts: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """One line's points from its features (sections): merged end to end where they meet."""
    if len(parts) == 1:
        return parts[0]
    from shapely import line_merge
    from shapely.geometry import LineString, MultiLineString

    merged = line_merge(MultiLineString([LineString(c) for c in parts if len(c) >= 2]))
    geoms = merged.geoms if merged.geom_type == "MultiLineString" else [merged]
    return [(float(x), float(y)) for g in geoms for x, y, *_ in g.coords]


def _zones_from(path: str | None, default: Any) -> pd.DataFrame | None:
    """Restriction zones: the scenario's ``[data] restriction_zone`` file, else the sample's."""
    if path is None:
        return None if default is None else pd.DataFrame(default)
    import geopandas as gpd

    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # fiona/pyogrio raise many kinds
        raise InputError(f"cannot read the restriction zones {path}: {exc}") from None
    from cleanfreight.network.crs import as_lonlat

    return pd.DataFrame(as_lonlat(gdf, path, "restriction zone"))
