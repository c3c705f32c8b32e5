"""Baseline clean-transport report from the declared mode splits.

For every enterprise: tonnes in and out by mode, the clean ratio under a rulebook (clean tonnes /
bulk tonnes in + out), the gap to the target in tonnes, the compliant share of the remaining road
tonnage, road tonne-km and CO2 / NOx / PM2.5 / cost from the cited factors. City figures are
tonnage-weighted (sum of clean tonnes / sum of tonnes), not an average of ratios.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cleanfreight._geo import DETOUR_FACTOR, haversine_km
from cleanfreight.accounting.emissions import intensity_table
from cleanfreight.accounting.factors import Factors, load_factors
from cleanfreight.accounting.modes import MODES
from cleanfreight.accounting.policy import classify_lines, leaves_province
from cleanfreight.accounting.rulebooks import DEFAULT_RULEBOOK, RATIO_TOL, Rulebook, load_rulebook

if TYPE_CHECKING:
    from cleanfreight.enterprises import Roster

__all__ = ["BaselineReport", "baseline_report", "ratio_table"]

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class BaselineReport:
    """Result of :func:`baseline_report`.

    Attributes
    ----------
    enterprises
        One row per enterprise (ids, names, location, tonnes, ratios, emissions, ``t_<mode>`` columns).
    lines
        One row per flow and mode with tonnes and per-tonne intensities (the audit trail).
    city
        City totals: ``city_clean_ratio``, ``target``, ``enterprises_total``, ``enterprises_meeting_target`` ...
    rulebook
        The rulebook used.
    """

    enterprises: pd.DataFrame
    lines: pd.DataFrame
    city: dict[str, object]
    rulebook: Rulebook
    factors: Factors = field(repr=False)

    def summary(self) -> dict[str, object]:
        """The JSON summary written by ``cleanfreight demo`` (``summary.json``)."""
        return {**self.city, "rulebook": self.rulebook.name, "rulebook_source": self.rulebook.source}


def ratio_table(lines: pd.DataFrame, rulebook: Rulebook, keys: list[str], *, year: int | None = None) -> pd.DataFrame:
    """Aggregate ``lines`` (columns ``mode``, ``tonnes``, ``direction`` + ``keys``) into ratio columns.

    Shared by the baseline, the ledger and the planner so every figure is computed the same way. The
    rulebook's policy settings are applied line by line (:func:`cleanfreight.accounting.policy.classify_lines`:
    optional columns ``road_km``, ``short_haul_km``, ``leaves_province``, ``enterprise_t_per_year``);
    ``year`` picks the out-of-province rail share of a phase-in (``None``: the end state).
    """
    df = lines.copy()
    flags = classify_lines(df, rulebook)
    df = df.join(flags[[c for c in flags.columns if c not in df.columns]])
    t = df["tonnes"].to_numpy(float)
    in_ratio = df["in_ratio"].to_numpy(bool)
    df["t_base"] = np.where(in_ratio, t, 0.0)
    df["t_clean"] = np.where(df["is_clean"] & in_ratio, t, 0.0)
    df["t_compliant"] = np.where(df["is_compliant"] & in_ratio, t, 0.0)
    df["t_in"] = np.where(df["direction"] == "in", t, 0.0)
    df["t_out"] = np.where(df["direction"] == "out", t, 0.0)
    df["t_ne_road"] = np.where(df["mode"] == "truck_ne", t, 0.0)
    df["t_rail"] = np.where(df["uses_rail"], t, 0.0)
    df["t_ne_long"] = np.where(df["ne_long_haul"], t, 0.0)
    df["t_oop"] = np.where(df["rail_only_out"], t, 0.0)
    df["t_oop_rail"] = np.where(df["rail_only_out"] & df["uses_rail"], t, 0.0)
    g = df.groupby(keys, sort=True)
    out = pd.DataFrame({
        "tonnes_total": g["tonnes"].sum(),
        "tonnes_in": g["t_in"].sum(),
        "tonnes_out": g["t_out"].sum(),
        "tonnes_clean": g["t_clean"].sum(),
        "tonnes_compliant": g["t_compliant"].sum(),
        "tonnes_ne_road": g["t_ne_road"].sum(),
        "tonnes_rail": g["t_rail"].sum(),
        "tonnes_ne_long_haul": g["t_ne_long"].sum(),
        "tonnes_in_ratio": g["t_base"].sum(),
        "tonnes_out_of_province_rail_only": g["t_oop"].sum(),
        "tonnes_out_of_province_by_rail": g["t_oop_rail"].sum(),
    })
    base = out["tonnes_in_ratio"].replace(0, np.nan)
    out["clean_ratio"] = (out["tonnes_clean"] / base).fillna(0.0)
    out["target"] = rulebook.target
    out["meets_clean_ratio"] = out["clean_ratio"] >= rulebook.target - RATIO_TOL
    out["gap_tonnes"] = np.maximum(0.0, rulebook.target * out["tonnes_in_ratio"] - out["tonnes_clean"])
    oop = out["tonnes_out_of_province_rail_only"]
    out["out_of_province_rail_share"] = (out["tonnes_out_of_province_by_rail"] / oop.replace(0, np.nan)).fillna(1.0)
    need = rulebook.out_of_province_rail_share(year)
    out["out_of_province_required_share"] = need
    out["out_of_province_ok"] = out["out_of_province_rail_share"] >= need - RATIO_TOL
    out["meets_target"] = out["meets_clean_ratio"] & (
        out["out_of_province_ok"] | (rulebook.out_of_province_rule != "enforce")
    )
    road_rest = out["tonnes_in_ratio"] - out["tonnes_clean"]
    out["road_compliance"] = ((out["tonnes_compliant"] - out["tonnes_clean"]) / road_rest.replace(0, np.nan)).fillna(1.0)
    if rulebook.ne_share_of_shortfall is not None:
        need_ne = rulebook.ne_share_of_shortfall * out["gap_tonnes"]
        out["ne_shortfall_ok"] = out["tonnes_ne_road"] >= need_ne - 1e-6
    by_mode = df.pivot_table(index=keys, columns="mode", values="tonnes", aggfunc="sum", fill_value=0.0)
    by_mode = by_mode.reindex(columns=[m for m in MODES if m in by_mode.columns]).add_prefix("t_")
    return out.join(by_mode).reset_index()


def _estimate_distances(roster: Roster, regions: pd.DataFrame | None) -> pd.DataFrame:
    """Per-flow road/rail/short-haul km from declarations, else straight line x detour factor."""
    flows = roster.flows.merge(roster.enterprises[["enterprise_id", "lon", "lat"]], on="enterprise_id", how="left")
    out = pd.DataFrame({"flow_id": flows["flow_id"], "road_km": flows["road_km"], "rail_km": flows["rail_km"]})
    out["short_haul_km"] = np.nan
    if regions is not None and len(regions):
        reg = regions.set_index("region_id")
        r = flows["region_id"].map(lambda x: x if x in reg.index else None)
        known = r.notna()
        glon = r[known].map(reg["lon"]).astype(float)
        glat = r[known].map(reg["lat"]).astype(float)
        straight = haversine_km(flows.loc[known, "lon"], flows.loc[known, "lat"], glon, glat)
        beyond = r[known].map(reg["road_km_beyond"]).astype(float).fillna(0.0)
        est = straight * DETOUR_FACTOR + beyond
        out.loc[known & out["road_km"].isna(), "road_km"] = est[known & out["road_km"].isna()]
        rail = r[known].map(reg["rail_km"]).astype(float)
        out.loc[known & out["rail_km"].isna(), "rail_km"] = rail[known & out["rail_km"].isna()]
    return out


def _beside(roster: Roster, name: str) -> pd.DataFrame | None:
    """``../network/<name>`` next to the roster's folder (the sample pack's layout), if there is one."""
    from pathlib import Path

    from cleanfreight._tables import read_table

    path = Path(roster.source).parent / "network" / name
    if not path.exists():
        return None
    frame = read_table(path).frame
    for col in ("lon", "lat", "road_km_beyond", "rail_km", "handling_cost_cny_per_t"):
        if col in frame:
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    log.info("%s for the baseline from %s", name, path)
    return frame


def out_of_province_regions(regions: pd.DataFrame | None) -> set[str]:
    """Ids of the regions marked ``in_province = false``."""
    if regions is None or "in_province" not in regions:
        return set()
    inside = regions["in_province"].astype(str).str.strip().str.lower().isin(["true", "1", "yes"])
    return set(regions.loc[~inside, "region_id"].astype(str))


def baseline_report(
    roster: Roster,
    rulebook: Rulebook | str | None = None,
    factors: Factors | None = None,
    *,
    distances: pd.DataFrame | None = None,
    regions: pd.DataFrame | None = None,
    stations: pd.DataFrame | None = None,
    year: int | None = None,
) -> BaselineReport:
    """Clean-transport ratios, tonnage and emissions per enterprise and city-wide from declared mode splits.

    Parameters
    ----------
    roster
        Enterprises, flows and mode splits (:func:`cleanfreight.enterprises.load_enterprises`).
    rulebook
        A :class:`Rulebook` or preset name (default ``changzhi-2024``).
    factors
        Emission and cost factors (default: the cited presets).
    distances
        Per-flow ``flow_id, road_km, rail_km, short_haul_km`` (e.g. from the network engine,
        :func:`cleanfreight.network.flow_distances`); missing values fall back to the declared
        ones, then to straight line x :data:`DETOUR_FACTOR` from ``regions``.
    regions
        The regions table (``regions.csv``), for distance fall-backs; default: ``../network/regions.csv``
        beside the roster's folder when it exists (the sample pack's layout).
    stations
        The freight stations (``stations.csv``), for each station's ``handling_cost_cny_per_t`` on
        ``rail_station_*`` chains (the same charge the planner uses); default: ``../network/stations.csv``
        beside the roster's folder when it exists. The station of a flow is the one ``distances`` measured
        (``station_id``), else the flow's declared one.
    year
        Year whose out-of-province rail share applies (the rulebook's phase-in); ``None``: the end state.
    """
    rb = rulebook if isinstance(rulebook, Rulebook) else load_rulebook(rulebook or DEFAULT_RULEBOOK)
    fx = factors or load_factors()
    if regions is None:
        regions = _beside(roster, "regions.csv")
    if stations is None:
        stations = _beside(roster, "stations.csv")
    est = _estimate_distances(roster, regions)
    est["station_used"] = roster.flows["station_id"].to_numpy() if "station_id" in roster.flows else None
    if distances is not None:
        d = distances.set_index("flow_id").rename(columns={"station_id": "station_used"})
        est = est.set_index("flow_id")
        for col in ("road_km", "rail_km", "short_haul_km", "station_used", "spur_diesel_km", "station_diesel_km"):
            if col not in est:
                est[col] = np.nan
            if col in d:
                est[col] = d[col].reindex(est.index).combine_first(est[col])
        est = est.reset_index()
    lines = roster.flow_modes().merge(est, on="flow_id", how="left", suffixes=("_declared", ""))
    lines = lines[[rb.is_bulk(c) for c in lines["commodity"]]].copy()
    missing = lines["road_km"].isna() | lines["rail_km"].isna()
    if missing.any():
        log.warning("%d flow lines have no distance; emissions for them are counted as zero", int(missing.sum()))
    for col in ("road_km", "rail_km", "short_haul_km"):
        lines[col] = lines[col].fillna(0.0)
    if stations is not None and "handling_cost_cny_per_t" in stations:
        handling = stations.set_index("station_id")["handling_cost_cny_per_t"]
        lines["station_handling_cny_per_t"] = lines["station_used"].map(handling).astype(float)
    # rail km behind diesel locomotives: a non-electrified own spur, or a station on non-electrified lines only
    spur_d = lines["spur_diesel_km"] if "spur_diesel_km" in lines else pd.Series(0.0, index=lines.index)
    st_d = lines["station_diesel_km"] if "station_diesel_km" in lines else pd.Series(0.0, index=lines.index)
    lines["rail_diesel_km"] = np.where(
        lines["mode"] == "rail_spur",
        spur_d.fillna(0.0),
        np.where(lines["mode"].isin(("rail_station_ne", "rail_station_diesel")), st_d.fillna(0.0), 0.0),
    )
    inten = intensity_table(lines, fx)
    lines = lines.join(inten.add_suffix("_per_t"))
    for col in ("co2_kg", "nox_g", "pm25_g", "cost_cny", "road_tkm", "rail_tkm", "energy_kwh"):
        lines[col] = lines[f"{col}_per_t"] * lines["tonnes"]
    out_prov = out_of_province_regions(regions)
    lines["leaves_province"] = leaves_province(lines, rb, out_prov)
    lines["enterprise_t_per_year"] = lines["enterprise_id"].map(
        roster.flows.groupby("enterprise_id")["tonnes_per_year"].sum()
    )
    flags = classify_lines(lines, rb)
    lines["is_clean"] = flags["is_clean"]
    lines["ne_long_haul"] = flags["ne_long_haul"]

    table = ratio_table(lines, rb, ["enterprise_id"], year=year)
    sums = lines.groupby("enterprise_id")[["co2_kg", "nox_g", "pm25_g", "cost_cny", "road_tkm", "rail_tkm"]].sum()
    table = table.merge(sums.reset_index(), on="enterprise_id", how="left")
    table["co2_t"] = table.pop("co2_kg") / 1000.0
    table["nox_kg"] = table.pop("nox_g") / 1000.0
    table["pm25_kg"] = table.pop("pm25_g") / 1000.0
    if rb.rail_only_out_of_province and out_prov:
        table["out_of_province_by_road_t"] = (
            table["tonnes_out_of_province_rail_only"] - table["tonnes_out_of_province_by_rail"]
        )
    ent_cols = ["enterprise_id", "name_zh", "name_en", "industry", "district", "lon", "lat", "existing_spur"]
    ent = roster.enterprises[[c for c in ent_cols if c in roster.enterprises]]
    table = ent.merge(table, on="enterprise_id", how="left")
    table = table.fillna({c: 0.0 for c in table.columns if c.startswith(("t_", "tonnes"))})
    table["clean_ratio"] = table["clean_ratio"].fillna(0.0)
    table["meets_target"] = table["meets_target"].fillna(False).astype(bool)
    for col in ("meets_clean_ratio", "out_of_province_ok"):
        if col in table:
            table[col] = table[col].fillna(col == "out_of_province_ok").astype(bool)
    table["rank"] = table["clean_ratio"].rank(ascending=False, method="min").astype(int)

    tot = float(table["tonnes_total"].sum())
    base = float(table["tonnes_in_ratio"].sum())
    clean = float(table["tonnes_clean"].sum())
    city: dict[str, object] = {
        "city_clean_ratio": clean / base if base else 0.0,
        "target": rb.target,
        "enterprises_total": len(table),
        "enterprises_meeting_target": int(table["meets_target"].sum()),
        "tonnes_total": tot,
        "tonnes_clean": clean,
        "tonnes_rail": float(table["tonnes_rail"].sum()),
        "tonnes_ne_long_haul": float(table["tonnes_ne_long_haul"].sum()),
        "enterprises_meeting_clean_ratio": int(table["meets_clean_ratio"].sum()),
        "gap_tonnes": float(max(0.0, rb.target * base - clean)),
        "gap_tonnes_sum_of_enterprises": float(table["gap_tonnes"].sum()),
        "road_tkm": float(table["road_tkm"].sum()),
        "rail_tkm": float(table["rail_tkm"].sum()),
        "co2_t": float(table["co2_t"].sum()),
        "nox_kg": float(table["nox_kg"].sum()),
        "pm25_kg": float(table["pm25_kg"].sum()),
        "cost_cny": float(table["cost_cny"].sum()),
        "tonnes_by_mode": {m[2:]: float(table[m].sum()) for m in table.columns if m.startswith("t_")},
    }
    if "out_of_province_by_road_t" in table:
        city["out_of_province_coal_coke_by_road_t"] = float(table["out_of_province_by_road_t"].sum())
    return BaselineReport(table, lines, city, rb, fx)
