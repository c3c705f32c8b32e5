"""Monthly (or any period) clean-transport reports from the ledger.

Tonnes per mode
---------------
- Direct trucks (``truck_ne`` / ``truck_cn6`` / ``truck_cn5``), spur waybills (``rail_spur``),
  conveyor and pipeline readings count as recorded.
- **Rail via a public freight station is counted once, from the rail waybills.** The gate
  records of the trucks that shuttle between the station and the enterprise (``chain =
  short_haul``: origin or destination is a freight station) carry the same goods, so their tonnes
  are *not* added; they only decide how clean the chain is: per enterprise, month and direction,
  the waybill tonnes are split into ``rail_station_ne`` and ``rail_station_diesel`` in the
  proportion of new-energy to other short-haul truck tonnes. Waybills without any short-haul
  record use ``ReportParams.unknown_short_haul_ne_share`` (default 0: not proven clean).
- Where there are short-haul gate records but no station waybill for that enterprise, month and
  direction, the gate tonnes are counted instead (the waybills may not have been imported); the
  ``short_haul_without_waybill`` check lists these cases.

Only commodities the rulebook counts as bulk enter the ratio (``tonnes_non_bulk`` shows the rest).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cleanfreight._io import read_plan_json
from cleanfreight.accounting.modes import MODES
from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger._aggregate import (
    ReportParams,
    _aggregate,
    _rulebook,
    aggregate_sql,
    mode_tonnes,
)
from cleanfreight.ledger._db import ServerConnection
from cleanfreight.ledger._period import Period, month_range, parse_period
from cleanfreight.ledger._report_files import write_report
from cleanfreight.ledger._report_results import LedgerReport, TrendResult

if TYPE_CHECKING:
    import duckdb

    from cleanfreight.accounting.factors import Factors
    from cleanfreight.accounting.rulebooks import Rulebook
    from cleanfreight.enterprises import Roster


__all__ = [
    "LedgerReport",
    "ReportParams",
    "TrendResult",
    "aggregate_sql",
    "load_plan",
    "mode_tonnes",
    "report",
    "trend",
    "write_report",
]

logger = logging.getLogger(__name__)


def _distances(roster: Roster | None, s: ReportParams) -> pd.DataFrame:
    """Typical road and rail km per enterprise and direction, tonnage-weighted over declared flows."""
    if roster is None or roster.flows.empty:
        return pd.DataFrame(columns=["enterprise_id", "direction", "road_km", "rail_km"])
    flows = roster.flows.copy()
    rail = (
        pd.to_numeric(flows.get("rail_km"), errors="coerce")
        if "rail_km" in flows
        else pd.Series(np.nan, flows.index)
    )
    try:
        from cleanfreight._paths import sample_file

        regions = pd.read_csv(sample_file("network", "regions.csv"), comment="#")
        reg_rail = flows["region_id"].map(regions.set_index("region_id")["rail_km"])
        rail = rail.fillna(pd.to_numeric(reg_rail, errors="coerce"))
    except (InputError, OSError, KeyError, ValueError):
        pass
    road = (
        pd.to_numeric(flows["road_km"], errors="coerce")
        if "road_km" in flows
        else pd.Series(np.nan, flows.index)
    )
    flows["road_km_"] = road.fillna(s.road_km)
    flows["rail_km_"] = rail.fillna(s.rail_km)
    w = flows["tonnes_per_year"].astype(float)
    flows["w_road"] = flows["road_km_"] * w
    flows["w_rail"] = flows["rail_km_"] * w
    flows["w"] = w
    g = flows.groupby(["enterprise_id", "direction"])[["w_road", "w_rail", "w"]].sum()
    return pd.DataFrame({"road_km": g["w_road"] / g["w"], "rail_km": g["w_rail"] / g["w"]}).reset_index()


def _emissions(
    tonnes: pd.DataFrame, roster: Roster | None, s: ReportParams, factors: Factors | None
) -> pd.DataFrame:
    """CO2 (t), NOx (kg), PM2.5 (kg) per enterprise from tonnes per mode and direction."""
    from cleanfreight.accounting.emissions import intensity_table

    cols = ["enterprise_id", "co2_t", "nox_kg", "pm25_kg"]
    if tonnes.empty:
        return pd.DataFrame(columns=cols)
    t = tonnes.groupby(["enterprise_id", "direction", "mode"], as_index=False)["tonnes"].sum()
    t = t.merge(_distances(roster, s), on=["enterprise_id", "direction"], how="left")
    t["road_km"] = t["road_km"].fillna(s.road_km)
    t["rail_km"] = t["rail_km"].fillna(s.rail_km)
    t.loc[t["mode"].isin(["conveyor", "pipeline"]), "road_km"] = s.conveyor_km
    t["short_haul_km"] = s.short_haul_km
    per_t = intensity_table(t, factors)
    t["co2_t"] = per_t["co2_kg"] * t["tonnes"] / 1000.0
    t["nox_kg"] = per_t["nox_g"] * t["tonnes"] / 1000.0
    t["pm25_kg"] = per_t["pm25_g"] * t["tonnes"] / 1000.0
    return t.groupby("enterprise_id", as_index=False)[["co2_t", "nox_kg", "pm25_kg"]].sum()


def _with_size(bulk: pd.DataFrame, roster: Roster | None) -> pd.DataFrame:
    """``enterprise_t_per_year`` (the roster's declared annual tonnes) for the short-haul rule's scope."""
    if roster is None or roster.flows.empty or bulk.empty:
        return bulk
    size = roster.flows.groupby("enterprise_id")["tonnes_per_year"].sum()
    return bulk.assign(enterprise_t_per_year=bulk["enterprise_id"].map(size))


def _ratio_table(
    bulk: pd.DataFrame, rb: Rulebook, group: list[str], *, year: int | None = None, s: ReportParams | None = None
) -> pd.DataFrame:
    """Ratios per ``group`` with :func:`cleanfreight.accounting.baseline.ratio_table` (the same
    arithmetic as the baseline and the planner), plus the ledger's record counts and road figures.

    The rulebook's policy is read from the records: coal and coke whose destination lies outside Shanxi
    (``leaves_province``) count toward the out-of-province rail share and, by road, are not clean; a
    new-energy truck to such a destination is beyond short-haul (``ReportParams.out_of_province_km``);
    ``enterprise_t_per_year`` (from the roster) sets the short-haul rule's scope.
    """
    from cleanfreight.accounting.baseline import ratio_table

    empty = bulk.empty
    if empty:  # one dummy row so the empty result still has every column
        bulk = pd.DataFrame(
            {**dict.fromkeys(group, ""), "mode": "truck_ne", "tonnes": 0.0, "direction": "in", "records": 0},
            index=[0],
        )
    s = s or ReportParams()
    lines = bulk[[*group, "mode", "tonnes", "direction"]].copy()
    if "leaves_province" in bulk:
        leaves = bulk["leaves_province"].fillna(False).astype(bool).to_numpy()
        rail_only = bulk["commodity"].isin(rb.rail_only_out_of_province).to_numpy() if "commodity" in bulk else False
        lines["leaves_province"] = leaves & rail_only
        lines["ne_leg_km"] = np.where(leaves & (bulk["mode"] == "truck_ne").to_numpy(), s.out_of_province_km, np.nan)
    if "enterprise_t_per_year" in bulk:
        lines["enterprise_t_per_year"] = bulk["enterprise_t_per_year"]
    out = ratio_table(lines, rb, group, year=year)
    for mode in MODES:
        if f"t_{mode}" not in out:
            out[f"t_{mode}"] = 0.0
    out["road_tonnes"] = out["tonnes_total"] - out["tonnes_clean"]
    out["road_compliant_tonnes"] = out["tonnes_compliant"] - out["tonnes_clean"]
    if rb.ne_share_of_shortfall is not None:
        road = out["road_tonnes"].where(out["road_tonnes"] > 0)
        out["ne_share_of_road"] = (out["tonnes_ne_road"] / road).fillna(1.0)
    rec = bulk.groupby(group)["records"].sum().rename("records").reset_index()
    out = out.merge(rec, on=group, how="left")
    out["records"] = out["records"].fillna(0).astype(int)
    return out.iloc[0:0] if empty else out


def load_plan(plan: str | Path | pd.DataFrame | Mapping[str, Any]) -> pd.DataFrame:
    """Read a plan as ``enterprise_id, plan_ratio``.

    Accepts the planner's ``plan.json`` (its ``enterprises`` list with ``enterprise_id`` and
    ``ratio_after``), a CSV with those columns, a mapping holding such a list, or a DataFrame.
    """
    if isinstance(plan, pd.DataFrame):
        df = plan
    elif isinstance(plan, Mapping):
        df = pd.DataFrame(list(plan.get("enterprises", [])))
    else:
        p = Path(plan)
        if p.suffix.lower() == ".json" or p.is_dir():
            df = pd.DataFrame(list(read_plan_json(p).get("enterprises", [])))
        else:
            df = pd.read_csv(p, comment="#")
    col = "ratio_after" if "ratio_after" in df else "plan_ratio" if "plan_ratio" in df else None
    if col is None or "enterprise_id" not in df:
        raise InputError(
            "plan needs columns enterprise_id and ratio_after (the planner's plan.json enterprises list)",
            [Problem("missing column", column="ratio_after" if col is None else "enterprise_id")],
        )
    return pd.DataFrame(
        {"enterprise_id": df["enterprise_id"].astype(str), "plan_ratio": df[col].astype(float)}
    )


def report(
    db: str | Path | duckdb.DuckDBPyConnection | ServerConnection,
    period: str | Period,
    *,
    rules: str | Path | Rulebook = "changzhi-2024",
    roster: Roster | None = None,
    plan: str | Path | pd.DataFrame | Mapping[str, Any] | None = None,
    settings: ReportParams | None = None,
    factors: Factors | None = None,
) -> LedgerReport:
    """Clean-transport report of every enterprise in the ledger for one period.

    Parameters
    ----------
    db
        Ledger database file or DuckDB connection, or a connection to a PostgreSQL server holding
        the same schema (:func:`cleanfreight.ledger.schema.ddl` ``("postgres")``; any DB-API 2
        connection with ``%s`` parameters, e.g. ``psycopg``).
    period
        ``YYYY-MM``, ``YYYY-Qn``, ``YYYY`` or ``YYYY-MM-DD..YYYY-MM-DD``.
    rules
        Rulebook preset name, TOML file or :class:`~cleanfreight.accounting.rulebooks.Rulebook`.
    roster
        Enterprise roster (names, declared flow distances for the emission estimate).
    plan
        A plan to compare against (see :func:`load_plan`).
    settings
        :class:`ReportParams`.
    factors
        Emission factors (default: the shipped factors).

    Returns
    -------
    LedgerReport
    """
    per = parse_period(period) if isinstance(period, str) else period
    rb = _rulebook(rules)
    s = settings or ReportParams()
    agg = _aggregate(db, per)
    tonnes = mode_tonnes(agg, s)
    is_bulk = tonnes["commodity"].map(rb.is_bulk).astype(bool) if not tonnes.empty else pd.Series(dtype=bool)
    bulk, non_bulk = tonnes[is_bulk], tonnes[~is_bulk]
    bulk = _with_size(bulk, roster)
    year = pd.Timestamp(per.start).year
    ents = _ratio_table(bulk, rb, ["enterprise_id"], year=year, s=s)
    nb = non_bulk.groupby("enterprise_id")["tonnes"].sum()
    ents["tonnes_non_bulk"] = ents["enterprise_id"].map(nb).fillna(0.0)
    ents = ents.merge(_emissions(bulk, roster, s, factors), on="enterprise_id", how="left")
    if roster is not None:
        names = roster.enterprises.set_index("enterprise_id")
        for col in ("name_zh", "name_en", "industry"):
            if col in names:
                ents.insert(1, col, ents["enterprise_id"].map(names[col]))
    ents["rank"] = ents["clean_ratio"].rank(ascending=False, method="min").astype("Int64")
    if plan is not None:
        p = load_plan(plan)
        ents = ents.merge(p, on="enterprise_id", how="left")
        ents["plan_delta"] = ents["clean_ratio"] - ents["plan_ratio"]
    ents = ents.sort_values(["rank", "enterprise_id"], na_position="last").reset_index(drop=True)
    city_t = _ratio_table(bulk.assign(_all="city"), rb, ["_all"], year=year, s=s)
    city: dict[str, Any] = {
        "enterprises": len(ents),
        "enterprises_meeting_target": int(ents["meets_target"].sum()),
        "tonnes_total": 0.0,
        "tonnes_clean": 0.0,
        "clean_ratio": None,
        "target": rb.target,
        "gap_tonnes": 0.0,
        "tonnes_non_bulk": float(non_bulk["tonnes"].sum()) if not non_bulk.empty else 0.0,
    }
    if not city_t.empty:
        row = city_t.iloc[0]
        for k in (
            "tonnes_in",
            "tonnes_out",
            "tonnes_total",
            "tonnes_clean",
            "road_tonnes",
            "road_compliant_tonnes",
            "road_compliance",
            "gap_tonnes",
        ):
            city[k] = float(row[k])
        city["clean_ratio"] = None if pd.isna(row["clean_ratio"]) else float(row["clean_ratio"])
        city["sum_enterprise_gaps_tonnes"] = float(ents["gap_tonnes"].sum())
        for k in ("co2_t", "nox_kg", "pm25_kg"):
            city[k] = float(ents[k].sum())
    by_mode = bulk.groupby(["enterprise_id", "direction", "commodity", "mode"], as_index=False)[
        ["tonnes", "records"]
    ].sum()
    from cleanfreight.ledger.coverage import coverage

    cov = coverage(db, per, roster=roster, rules=rb, settings=s, period_aggregate=agg)
    summ = cov.summary()
    for k in (
        "enterprises_expected",
        "enterprises_reported",
        "coverage_enterprises",
        "tonnes_reported",
        "tonnes_expected",
        "coverage_tonnes",
    ):
        city[k] = summ[k]
    city["coverage_complete"] = summ["complete"]
    full = cov.table.groupby("enterprise_id")["reported"].all()  # every month of the period
    ents["reported"] = ents["enterprise_id"].map(full).fillna(False).astype(bool)
    return LedgerReport(per, rb, city, ents, by_mode, s, cov)


def trend(
    db: str | Path | duckdb.DuckDBPyConnection | ServerConnection,
    first: str,
    last: str,
    *,
    rules: str | Path | Rulebook = "changzhi-2024",
    settings: ReportParams | None = None,
    roster: Roster | None = None,
) -> TrendResult:
    """Clean ratio per enterprise and month from ``first`` to ``last`` (``YYYY-MM``, included).

    ``db`` is a ledger file, a DuckDB connection or a PostgreSQL connection (as for :func:`report`).
    ``roster`` names the enterprises expected to report (coverage); ``None``: those that reported
    in the range or the 12 months before. The city ratio of months with different coverage is
    compared like for like in ``comparisons``.
    """
    per = month_range(first, last)
    rb = _rulebook(rules)
    agg = _aggregate(db, per)
    tonnes = mode_tonnes(agg, settings)
    bulk = tonnes[tonnes["commodity"].map(rb.is_bulk).astype(bool)] if not tonnes.empty else tonnes
    cols = ["tonnes_total", "tonnes_clean", "clean_ratio"]
    if bulk.empty:
        ent = pd.DataFrame(columns=["enterprise_id", "month", *cols])
        city = pd.DataFrame(columns=["month", *cols])
    else:
        bulk = _with_size(bulk, roster)
        year = pd.Timestamp(per.start).year
        ent = _ratio_table(bulk, rb, ["enterprise_id", "month"], year=year, s=settings)[
            ["enterprise_id", "month", *cols]
        ]
        city = _ratio_table(bulk, rb, ["month"], year=year, s=settings)[["month", *cols]]
    months = per.months()
    fell = pd.DataFrame(columns=["enterprise_id", "month", "ratio_prev", "clean_ratio", "change"])
    if len(months) >= 2 and not ent.empty:
        wide = ent.pivot(index="enterprise_id", columns="month", values="clean_ratio").reindex(columns=months)
        prev, cur = wide[months[-2]], wide[months[-1]]
        change = cur - prev
        mask = change < -1e-9
        fell = (
            pd.DataFrame(
                {
                    "enterprise_id": wide.index[mask],
                    "month": months[-1],
                    "ratio_prev": prev[mask].to_numpy(),
                    "clean_ratio": cur[mask].to_numpy(),
                    "change": change[mask].to_numpy(),
                }
            )
            .sort_values("change")
            .reset_index(drop=True)
        )
    from cleanfreight.ledger.coverage import coverage

    cov = coverage(db, per, roster=roster, rules=rb, settings=settings, period_aggregate=agg)
    rep_flags = cov.table.set_index(["enterprise_id", "month"])["reported"]
    ent = ent.reset_index(drop=True)
    ent["reported"] = [bool(rep_flags.get((e, m), False)) for e, m in zip(ent["enterprise_id"], ent["month"], strict=True)]
    bym = cov.by_month.drop(columns=["not_reported"])
    city = city.merge(bym, on="month", how="left") if not city.empty else city.reindex(
        columns=[*city.columns, *bym.columns.drop("month")]
    )
    comparisons = _comparisons(ent, city, months)
    return TrendResult(per, rb, ent, city.reset_index(drop=True), fell, cov, comparisons)


def _comparisons(ent: pd.DataFrame, city: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """City ratio month on month, and like for like over the enterprises that reported in both months."""
    cols = [
        "month_prev",
        "month",
        "ratio_prev",
        "clean_ratio",
        "same_coverage",
        "common_enterprises",
        "ratio_prev_common",
        "ratio_common",
    ]
    rows = []
    ratio = city.set_index("month")["clean_ratio"] if not city.empty else pd.Series(dtype=float)
    rep = ent[ent["reported"]] if "reported" in ent else ent.iloc[0:0]
    for prev, cur in itertools.pairwise(months):
        a = set(rep.loc[rep["month"] == prev, "enterprise_id"])
        b = set(rep.loc[rep["month"] == cur, "enterprise_id"])
        common = a & b

        def like(month: str, common: set[str] = common) -> float:
            e = ent[(ent["month"] == month) & ent["enterprise_id"].isin(common)]
            total = float(e["tonnes_total"].sum())
            return float(e["tonnes_clean"].sum()) / total if total > 0 else float("nan")

        rows.append(
            {
                "month_prev": prev,
                "month": cur,
                "ratio_prev": float(ratio.get(prev, float("nan"))),
                "clean_ratio": float(ratio.get(cur, float("nan"))),
                "same_coverage": a == b,
                "common_enterprises": len(common),
                "ratio_prev_common": like(prev),
                "ratio_common": like(cur),
            }
        )
    return pd.DataFrame(rows, columns=cols)
