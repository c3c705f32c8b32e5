"""The enterprise roster: enterprises, their annual bulk flows and the current mode split.

Three tables (see ``docs/data-format.md``): ``enterprises.csv``, ``flows.csv`` and
``mode_split.csv``. :func:`load_enterprises` reads and validates them together and raises one
:class:`~cleanfreight.errors.InputError` listing *every* problem with file, row and column.
Coordinates are converted to WGS-84 from the CRS each row declares (GCJ-02 from web maps, ...).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cleanfreight._tables import read_table
from cleanfreight.accounting.modes import MODES
from cleanfreight.errors import InputError, Problem
from cleanfreight.network.crs import INPUT_CRS, in_china, to_wgs84

__all__ = ["COMMODITIES", "INDUSTRIES", "Roster", "load_enterprises"]

log = logging.getLogger(__name__)

INDUSTRIES = ("steel", "coking", "power", "coal_chemical", "cement", "coal_washery", "logistics_park", "chemical",
              "building_materials", "other")
COMMODITIES = ("coal", "coke", "iron_ore", "steel", "limestone", "cement", "clinker", "scrap", "slag", "fly_ash",
               "gypsum", "chemicals", "other_bulk")

_ALIASES = {
    "企业编号": "enterprise_id", "企业名称": "name_zh", "英文名称": "name_en", "行业": "industry", "区县": "district",
    "经度": "lon", "纬度": "lat", "坐标系": "coord_crs", "专用线": "existing_spur", "备注": "notes",
    "流向编号": "flow_id", "货物": "commodity", "货物类别": "commodity", "方向": "direction", "年运量(吨)": "tonnes_per_year",
    "年运量": "tonnes_per_year", "起讫地": "region_id", "公路里程": "road_km", "铁路里程": "rail_km", "车站": "station_id",
    "运输方式": "mode", "占比(%)": "share_pct", "占比": "share_pct",
}
_SHARE_TOLERANCE = 0.5  # percentage points


@dataclass(frozen=True)
class Roster:
    """Validated enterprise tables.

    Attributes
    ----------
    enterprises
        One row per enterprise, ``lon``/``lat`` in WGS-84 (the declared values kept as
        ``lon_declared``/``lat_declared`` with ``coord_crs``).
    flows
        One row per annual bulk flow, ``tonnes_per_year`` numeric.
    splits
        Long table ``flow_id, mode, share`` with ``share`` in 0-1.
    source
        Folder the tables came from.
    """

    enterprises: pd.DataFrame
    flows: pd.DataFrame
    splits: pd.DataFrame
    source: str

    def flow_modes(self) -> pd.DataFrame:
        """Flows joined with their mode split: one row per flow and mode, with ``tonnes`` = share x annual tonnes."""
        df = self.splits.merge(self.flows, on="flow_id", how="left", validate="many_to_one")
        df["tonnes"] = df["share"] * df["tonnes_per_year"]
        return df


def _enterprises(path: Path, problems: list[Problem]) -> pd.DataFrame:
    t = read_table(path, _ALIASES)
    if not t.require(["enterprise_id", "name_zh", "industry", "lon", "lat"]):
        problems += t.problems
        return pd.DataFrame()
    df = t.frame
    df["enterprise_id"] = df["enterprise_id"].fillna("").astype(str).str.strip()
    for idx in df.index[df["enterprise_id"] == ""]:
        t.problem("value is required", idx, "enterprise_id")
    t.unique("enterprise_id")
    t.choice("industry", INDUSTRIES)
    lon = t.numeric("lon", minimum=-180, maximum=180)
    lat = t.numeric("lat", minimum=-90, maximum=90)
    if "coord_crs" not in df:
        df["coord_crs"] = "WGS84"
    df["coord_crs"] = df["coord_crs"].fillna("WGS84").astype(str).str.upper().str.replace("-", "").str.strip()
    t.choice("coord_crs", INPUT_CRS)
    df["lon_declared"], df["lat_declared"] = lon, lat
    ok = lon.notna() & lat.notna()
    outside = ok & ~pd.Series(in_china(lon.fillna(0), lat.fillna(0)), index=df.index)
    for idx in df.index[outside]:
        t.problem("coordinates outside China (are lon and lat swapped?)", idx, "lon", f"{lon[idx]}, {lat[idx]}")
    wlon = lon.to_numpy(dtype=float).copy()
    wlat = lat.to_numpy(dtype=float).copy()
    for crs in set(df["coord_crs"]) & set(INPUT_CRS):
        m = (df["coord_crs"] == crs).to_numpy() & ok.to_numpy()
        if m.any():
            x, y = to_wgs84(wlon[m], wlat[m], crs)
            wlon[m], wlat[m] = x, y
    df["lon"], df["lat"] = wlon, wlat
    for col in ("name_en", "district", "existing_spur", "notes"):
        if col not in df:
            df[col] = ""
        df[col] = df[col].fillna("")
    problems += t.problems
    return df


def _flows(path: Path, known_enterprises: set[str], known_regions: set[str] | None,
           problems: list[Problem]) -> pd.DataFrame:
    t = read_table(path, _ALIASES)
    if not t.require(["flow_id", "enterprise_id", "commodity", "direction", "tonnes_per_year"]):
        problems += t.problems
        return pd.DataFrame()
    df = t.frame
    df["flow_id"] = df["flow_id"].fillna("").astype(str).str.strip()
    t.unique("flow_id")
    t.references("enterprise_id", known_enterprises, "enterprise (not in enterprises.csv)")
    t.choice("commodity", COMMODITIES)
    t.choice("direction", ("in", "out"))
    df["tonnes_per_year"] = t.numeric("tonnes_per_year", minimum=0, strict_min=True)
    for col in ("road_km", "rail_km"):
        df[col] = t.numeric(col, minimum=0, allow_blank=True) if col in df else np.nan
    if "region_id" not in df:
        df["region_id"] = ""
    df["region_id"] = df["region_id"].fillna("").astype(str).str.strip()
    if known_regions is not None:
        t.references("region_id", known_regions, "region (not in regions.csv)", allow_blank=True)
    if "station_id" not in df:
        df["station_id"] = ""
    df["station_id"] = df["station_id"].fillna("").astype(str).str.strip()
    problems += t.problems
    return df


def _splits(path: Path, flows: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    t = read_table(path, _ALIASES)
    if not t.require(["flow_id", "mode", "share_pct"]):
        problems += t.problems
        return pd.DataFrame(columns=["flow_id", "mode", "share"])
    df = t.frame
    df["flow_id"] = df["flow_id"].fillna("").astype(str).str.strip()
    known = set(flows["flow_id"]) if "flow_id" in flows else set()
    t.references("flow_id", known, "flow (not in flows.csv)")
    t.choice("mode", tuple(MODES))
    share = t.numeric("share_pct", minimum=0, maximum=100)
    df["share"] = share / 100.0
    sums = share.groupby(df["flow_id"]).sum()
    first_row = t.line.groupby(df["flow_id"]).min()
    for flow_id, total in sums.items():
        if flow_id in known and abs(total - 100.0) > _SHARE_TOLERANCE:
            t.problems.append(Problem(f"mode shares of flow {flow_id} sum to {total:g} %, expected 100 %",
                                      file=t.file, row=int(first_row[flow_id]), column="share_pct"))
    for flow_id in sorted(known - set(df["flow_id"])):
        t.problems.append(Problem(f"flow {flow_id} has no mode split", file=t.file, column="flow_id"))
    dup = df.duplicated(["flow_id", "mode"], keep="first")
    for idx in df.index[dup]:
        t.problem("mode listed twice for this flow", idx, "mode", df.at[idx, "mode"])
    problems += t.problems
    return df[["flow_id", "mode", "share"]]


def load_enterprises(folder: str | Path | None = None, *, regions: set[str] | None = None) -> Roster:
    """Load and validate ``enterprises.csv``, ``flows.csv`` and ``mode_split.csv`` from ``folder``.

    Parameters
    ----------
    folder
        Folder with the three files (``.csv`` or ``.xlsx``); the bundled Changzhi sample when ``None``.
    regions
        Known region ids to check ``flows.region_id`` against (default: the sample's ``regions.csv``
        when loading the sample, no check otherwise).

    Raises
    ------
    InputError
        Listing every problem found in the three files.
    """
    if folder is None:
        from cleanfreight._paths import sample_dir

        base = sample_dir() / "enterprises"
        if regions is None:
            reg = sample_dir() / "network" / "regions.csv"
            if reg.exists():
                regions = set(read_table(reg).frame["region_id"].astype(str))
    else:
        base = Path(folder)
    if not base.is_dir():
        raise InputError(f"enterprise folder not found: {base}")
    files = {}
    for stem in ("enterprises", "flows", "mode_split"):
        found = [base / f"{stem}{ext}" for ext in (".csv", ".xlsx") if (base / f"{stem}{ext}").exists()]
        if not found:
            raise InputError(f"{base}: missing {stem}.csv (or {stem}.xlsx); see docs/data-format.md")
        files[stem] = found[0]
    problems: list[Problem] = []
    ent = _enterprises(files["enterprises"], problems)
    known = set(ent["enterprise_id"]) if "enterprise_id" in ent else set()
    flows = _flows(files["flows"], known, regions, problems)
    splits = _splits(files["mode_split"], flows, problems)
    if problems:
        raise InputError(f"invalid enterprise data in {base}", problems)
    log.info("loaded %d enterprises, %d flows from %s", len(ent), len(flows), base)
    return Roster(ent, flows, splits, str(base))
