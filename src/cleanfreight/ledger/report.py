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
  record use ``ReportSettings.unknown_short_haul_ne_share`` (default 0: not proven clean).
- Where there are short-haul gate records but no station waybill for that enterprise, month and
  direction, the gate tonnes are counted instead (the waybills may not have been imported); the
  ``short_haul_without_waybill`` check lists these cases.

Only commodities the rulebook counts as bulk enter the ratio (``tonnes_non_bulk`` shows the rest).
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cleanfreight import _i18n
from cleanfreight._io import atomic_path, json_text, write_csv, write_text
from cleanfreight.accounting.modes import MODES
from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger._db import SQL_DIALECTS, ServerConnection, connection, is_server, server_query
from cleanfreight.ledger._period import Period, month_range, parse_period

if TYPE_CHECKING:
    import duckdb

    from cleanfreight.accounting.factors import Factors
    from cleanfreight.accounting.rulebooks import Rulebook
    from cleanfreight.enterprises import Roster
    from cleanfreight.ledger.coverage import Coverage

__all__ = [
    "LedgerReport",
    "ReportSettings",
    "TrendResult",
    "aggregate_sql",
    "load_plan",
    "mode_tonnes",
    "report",
    "trend",
    "write_report",
]

logger = logging.getLogger(__name__)

_i18n.register(
    {
        "tonnes_in": ("Tonnes in", "进厂运量(吨)"),
        "tonnes_out": ("Tonnes out", "出厂运量(吨)"),
        "tonnes_non_bulk": ("Non-bulk tonnes (not counted)", "非大宗运量(不计入)"),
        "road_tonnes": ("Non-clean tonnes", "非清洁运量(吨)"),
        "road_compliant_tonnes": ("Non-clean tonnes by compliant trucks", "其中合规车辆运量(吨)"),
        "road_compliance": ("Compliance of the remaining road tonnage", "剩余公路运输合规率"),
        "ne_share_of_road": ("New-energy share of non-clean tonnes", "新能源车占非清洁运量比例"),
        "ne_shortfall_ok": (
            "New-energy trucks carry the required share of the gap",
            "新能源车承担缺口比例是否达标",
        ),
        "tonnes_compliant": ("Clean or compliant tonnes", "清洁或合规运量(吨)"),
        "tonnes_ne_road": ("New-energy truck tonnes (non-clean)", "新能源货车运量(非清洁)"),
        "rank": ("Rank", "排名"),
        "records": ("Records", "记录数"),
        "plan_ratio": ("Planned ratio", "规划比例"),
        "plan_delta": ("Actual minus plan", "实际减规划"),
        "period": ("Period", "统计期"),
        "month": ("Month", "月份"),
        "direction": ("Direction", "方向"),
        "mode": ("Mode", "运输方式"),
        "commodity": ("Commodity", "货物类别"),
        "tonnes": ("Tonnes", "运量(吨)"),
        "change": ("Change", "变化"),
        "ratio_prev": ("Previous ratio", "上期比例"),
        "ledger.fell": ("Ratio fell in the last month", "末月清洁运输比例下降的企业"),
    }
)


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """Settings of the ledger reports.

    Parameters
    ----------
    road_km, rail_km, short_haul_km, conveyor_km
        Typical distances for the emission estimate when the roster's flows do not declare one:
        road km of a direct truck trip, rail km of a rail chain, km of the station short-haul,
        length of a conveyor / pipeline. Emissions are ``tonnes x per-tonne chain intensity``
        (:func:`cleanfreight.accounting.emissions.chain_intensity`) at these distances.
    unknown_short_haul_ne_share
        New-energy share assumed for station waybills with no short-haul gate record (0: the
        chain is not proven clean, so it counts as ``rail_station_diesel``).
    out_of_province_km
        Road km a new-energy truck covers to a destination outside Shanxi, for the rulebook's short-haul
        limit (records carry no distance): from Changzhi's main urban area the nearest cities of the
        neighbouring provinces (Handan, Anyang, Jiaozuo) are 150-200 km by road, so 200 km — beyond the
        city preset's 150 km, i.e. such a trip is not clean short-haul.
    """

    road_km: float = 80.0
    rail_km: float = 300.0
    short_haul_km: float = 15.0
    conveyor_km: float = 3.0
    unknown_short_haul_ne_share: float = 0.0
    out_of_province_km: float = 200.0

    def __post_init__(self) -> None:
        problems = [
            Problem("must be >= 0", column=name, value=getattr(self, name))
            for name in ("road_km", "rail_km", "short_haul_km", "conveyor_km", "out_of_province_km")
            if getattr(self, name) < 0
        ]
        if not 0 <= self.unknown_short_haul_ne_share <= 1:
            problems.append(
                Problem(
                    "must be in [0, 1]",
                    column="unknown_short_haul_ne_share",
                    value=self.unknown_short_haul_ne_share,
                )
            )
        if problems:
            raise InputError("invalid report settings", problems)


@dataclass(frozen=True)
class LedgerReport:
    """A period report.

    Attributes
    ----------
    period
        The period reported.
    rulebook
        The rulebook applied (named in every output).
    city
        City-wide figures (tonnage-weighted ``clean_ratio`` and totals).
    enterprises
        One row per enterprise: tonnes in / out / total / clean, ``clean_ratio``, ``gap_tonnes``,
        road compliance, tonnes per mode (``t_<mode>``), emissions, rank, plan comparison.
    by_mode
        Long table ``enterprise_id, direction, commodity, mode, tonnes, records``.
    coverage
        Who reported for each month (:class:`~cleanfreight.ledger.coverage.Coverage`); its
        summary is also in ``city`` (``enterprises_expected``, ``enterprises_reported``,
        ``coverage_enterprises``, ``tonnes_reported``, ``tonnes_expected``, ``coverage_tonnes``,
        ``coverage_complete``): a city figure of an incomplete period is not comparable with one
        of another coverage.
    """

    period: Period
    rulebook: Rulebook
    city: dict[str, Any]
    enterprises: pd.DataFrame
    by_mode: pd.DataFrame
    settings: ReportSettings = field(default_factory=ReportSettings)
    coverage: Coverage | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "start": self.period.start.isoformat(),
            "end_exclusive": self.period.end.isoformat(),
            "rulebook": self.rulebook.as_dict(),
            "city": self.city,
            "enterprises": _records(self.enterprises),
            "coverage": None if self.coverage is None else self.coverage.as_dict(),
            "assumptions": {
                "station_rail": "station waybill tonnes split by the new-energy share of short-haul gate tonnes",
                "distances_km": {
                    "road": self.settings.road_km,
                    "rail": self.settings.rail_km,
                    "short_haul": self.settings.short_haul_km,
                    "conveyor": self.settings.conveyor_km,
                    "note": "declared flow distances (roster) where available, else these typical values",
                },
            },
        }


@dataclass(frozen=True)
class TrendResult:
    """Ratios month by month.

    Attributes
    ----------
    enterprises
        Long table ``enterprise_id, month, tonnes_total, tonnes_clean, clean_ratio``.
    city
        ``month, tonnes_total, tonnes_clean, clean_ratio``.
    fell
        Enterprises whose ratio in the last month is below the month before:
        ``enterprise_id, ratio_prev, clean_ratio, change``.
    coverage
        Who reported for each month (:class:`~cleanfreight.ledger.coverage.Coverage`). ``city``
        carries its columns too (``enterprises_expected``, ``enterprises_reported``,
        ``coverage_tonnes``, ``complete`` ...) and ``enterprises`` a ``reported`` flag.
    comparisons
        One row per pair of consecutive months: ``month_prev, month, ratio_prev, clean_ratio,
        same_coverage`` and, over the enterprises that reported in both months, ``common_enterprises,
        ratio_prev_common, ratio_common`` (the like-for-like change when coverage differs).
    """

    period: Period
    rulebook: Rulebook
    enterprises: pd.DataFrame
    city: pd.DataFrame
    fell: pd.DataFrame
    coverage: Coverage | None = None
    comparisons: pd.DataFrame = field(default_factory=pd.DataFrame)

    def as_dict(self) -> dict[str, Any]:
        wide = self.enterprises.pivot(index="enterprise_id", columns="month", values="clean_ratio")
        reported: dict[tuple[str, str], bool] = {}
        if "reported" in self.enterprises:
            reported = {
                (str(e), str(m)): bool(r)
                for e, m, r in self.enterprises[["enterprise_id", "month", "reported"]].itertuples(index=False)
            }
        return {
            "period": self.period.label,
            "rulebook": self.rulebook.as_dict(),
            "months": list(wide.columns),
            "city": _records(self.city),
            "enterprises": [
                {
                    "enterprise_id": ent,
                    "clean_ratio": [None if pd.isna(v) else float(v) for v in row],
                    "reported": [bool(reported.get((ent, m), False)) for m in wide.columns],
                }
                for ent, row in wide.iterrows()
            ],
            "fell": _records(self.fell),
            "coverage": None if self.coverage is None else self.coverage.as_dict(),
            "comparisons": _records(self.comparisons),
        }


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (numpy scalars to Python, NaN to None)."""
    out: list[dict[str, Any]] = json.loads(
        df.to_json(orient="records", force_ascii=False, double_precision=10)
    )
    return out


def _rulebook(rules: str | Path | Rulebook) -> Rulebook:
    from cleanfreight.accounting.rulebooks import Rulebook, load_rulebook

    return rules if isinstance(rules, Rulebook) else load_rulebook(rules)


#: the one SQL query of the reports: tonnes and records per enterprise, month, direction, chain,
#: mode and commodity (standard SQL apart from the month key)
_AGGREGATE_SQL = (
    "SELECT enterprise_id, {month} AS month, direction, chain, mode, commodity, "
    "CASE WHEN direction = 'out' THEN destination END AS destination, "
    "sum(tonnes) AS tonnes, count(*) AS records FROM records WHERE ts >= {p} AND ts < {p} "
    "GROUP BY enterprise_id, {month}, direction, chain, mode, commodity, "
    "CASE WHEN direction = 'out' THEN destination END"
)


def aggregate_sql(dialect: str = "duckdb") -> str:
    """The report aggregation for ``"duckdb"`` (``?`` parameters) or ``"postgres"`` (``%s``)."""
    d = SQL_DIALECTS["postgres" if dialect == "postgres" else "duckdb"]
    return _AGGREGATE_SQL.format(month=d.month("ts"), p=d.param)


def _aggregate(db: str | Path | duckdb.DuckDBPyConnection | ServerConnection, period: Period) -> pd.DataFrame:
    """Run the aggregation on a DuckDB ledger (file or connection) or a PostgreSQL connection."""
    params = [
        pd.Timestamp(period.start).to_pydatetime(),
        pd.Timestamp(period.end).to_pydatetime(),
    ]
    if is_server(db):
        names, rows = server_query(db, aggregate_sql("postgres"), params)
        df = pd.DataFrame(rows, columns=names)
        df["tonnes"] = df["tonnes"].astype(float)
        df["records"] = df["records"].astype("int64")
        return _with_leaves_province(df)
    con, owned = connection(db)
    try:
        return _with_leaves_province(con.execute(aggregate_sql("duckdb"), params).df())
    finally:
        if owned:
            con.close()


def _with_leaves_province(agg: pd.DataFrame) -> pd.DataFrame:
    """Replace the destination by ``leaves_province`` (it names a place outside Shanxi) and sum again."""
    from cleanfreight.ledger._places import leaves_province

    keys = ["enterprise_id", "month", "direction", "chain", "mode", "commodity", "leaves_province"]
    if agg.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [*keys, "tonnes", "records"]})
    agg = agg.assign(leaves_province=leaves_province(agg["destination"])).drop(columns="destination")
    return agg.groupby(keys, as_index=False, dropna=False)[["tonnes", "records"]].sum()


def mode_tonnes(agg: pd.DataFrame, settings: ReportSettings | None = None) -> pd.DataFrame:
    """Resolve aggregated records into tonnes per mode without double counting the rail chains.

    Parameters
    ----------
    agg
        ``enterprise_id, month, direction, chain, mode, commodity, tonnes, records`` (the SQL
        aggregate of ``records``).
    settings
        For ``unknown_short_haul_ne_share``.

    Returns
    -------
    pandas.DataFrame
        ``enterprise_id, month, direction, commodity, mode, tonnes, records``.
    """
    s = settings or ReportSettings()
    key = ["enterprise_id", "month", "direction"]
    flag = ["leaves_province"] if "leaves_province" in agg else []
    cols = [*key, "commodity", "mode", *flag, "tonnes", "records"]
    if agg.empty:
        return pd.DataFrame(columns=cols)
    plain = agg[~agg["chain"].isin(["short_haul", "station"])][cols]
    station = agg[agg["chain"] == "station"]
    short = agg[agg["chain"] == "short_haul"]
    short_by = (
        short.assign(ne=short["mode"].eq("rail_station_ne") * short["tonnes"])
        .groupby(key)[["ne", "tonnes"]]
        .sum()
    )
    w_keys = set(map(tuple, station[key].drop_duplicates().to_numpy().tolist()))
    parts = [plain]
    if not short.empty:
        orphan = short[[tuple(r) not in w_keys for r in short[key].to_numpy().tolist()]]
        parts.append(orphan[cols])
    if not station.empty:
        st = station.merge(short_by, left_on=key, right_index=True, how="left", suffixes=("", "_sh"))
        have = st["tonnes_sh"].fillna(0) > 0
        share = np.where(
            have, st["ne"].fillna(0) / st["tonnes_sh"].where(have, 1.0), s.unknown_short_haul_ne_share
        )
        ne = st[cols].assign(mode="rail_station_ne", tonnes=st["tonnes"] * share)
        di = st[cols].assign(mode="rail_station_diesel", tonnes=st["tonnes"] * (1 - share))
        parts += [ne[ne["tonnes"] > 0], di[di["tonnes"] > 0]]
    out = (
        pd.concat([p for p in parts if not p.empty], ignore_index=True)
        if any(not p.empty for p in parts)
        else pd.DataFrame(columns=cols)
    )
    return out.groupby(["enterprise_id", "month", "direction", "commodity", "mode", *flag], as_index=False)[
        ["tonnes", "records"]
    ].sum()


def _distances(roster: Roster | None, s: ReportSettings) -> pd.DataFrame:
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
    tonnes: pd.DataFrame, roster: Roster | None, s: ReportSettings, factors: Factors | None
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
    bulk: pd.DataFrame, rb: Rulebook, group: list[str], *, year: int | None = None, s: ReportSettings | None = None
) -> pd.DataFrame:
    """Ratios per ``group`` with :func:`cleanfreight.accounting.baseline.ratio_table` (the same
    arithmetic as the baseline and the planner), plus the ledger's record counts and road figures.

    The rulebook's policy is read from the records: coal and coke whose destination lies outside Shanxi
    (``leaves_province``) count toward the out-of-province rail share and, by road, are not clean; a
    new-energy truck to such a destination is beyond short-haul (``ReportSettings.out_of_province_km``);
    ``enterprise_t_per_year`` (from the roster) sets the short-haul rule's scope.
    """
    from cleanfreight.accounting.baseline import ratio_table

    empty = bulk.empty
    if empty:  # one dummy row so the empty result still has every column
        bulk = pd.DataFrame(
            {**dict.fromkeys(group, ""), "mode": "truck_ne", "tonnes": 0.0, "direction": "in", "records": 0},
            index=[0],
        )
    s = s or ReportSettings()
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
        if p.suffix.lower() == ".json":
            df = pd.DataFrame(list(json.loads(p.read_text(encoding="utf-8")).get("enterprises", [])))
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
    settings: ReportSettings | None = None,
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
        :class:`ReportSettings`.
    factors
        Emission factors (default: the shipped factors).

    Returns
    -------
    LedgerReport
    """
    per = parse_period(period) if isinstance(period, str) else period
    rb = _rulebook(rules)
    s = settings or ReportSettings()
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
    settings: ReportSettings | None = None,
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


def _labelled(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    from cleanfreight.ledger._labels import lt

    def label(col: str) -> str:
        if col.startswith("t_") and col[2:] in MODES:
            return MODES[col[2:]].label(lang) + (" (t)" if lang == "en" else "(吨)")
        return lt(col, lang)

    return df.rename(columns={c: label(c) for c in df.columns})


def write_report(
    rep: LedgerReport, out: str | Path, lang: str = "en", names: Mapping[str, str] | None = None
) -> list[Path]:
    """Write ``report.json``, ``enterprises.csv``, ``by_mode.csv`` and ``report.xlsx`` into ``out``.

    The JSON keeps codes and exact values (scripts read it). The CSV files (UTF-8 with a BOM, so
    Excel opens the Chinese labels) and the workbook are for people: labels in ``lang``, names next
    to ids (the roster's, else ``names``: id -> name), ratios as percentages, tonnes to 0.1 t in the
    CSV and ``#,##0`` in the workbook, whose header rows are frozen; the workbook also has the
    coverage of the period (who reported) and the enterprise-months not reported.
    """
    from cleanfreight.ledger._labels import lt
    from cleanfreight.ledger._workbook import column_kind, enterprise_frame, write_workbook

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"ledger_{rep.period.label.replace('..', '_')}_{rep.rulebook.name}"
    paths = [
        folder / f"{stem}.json",
        folder / f"{stem}_enterprises.csv",
        folder / f"{stem}_by_mode.csv",
        folder / f"{stem}.xlsx",
    ]
    names = dict(names or {})
    write_csv(_for_people(enterprise_frame(rep, names), lang, column_kind), paths[1], index=False, encoding="utf-8-sig")
    by_mode = rep.by_mode.assign(
        mode=rep.by_mode["mode"].map(lambda m: MODES[m].label(lang) if m in MODES else m),
        commodity=rep.by_mode["commodity"].map(lambda c: _i18n.vocab("commodity", c, lang)),
        direction=rep.by_mode["direction"].map(lambda d: lt(f"direction.{d}", lang)),
    )
    if names:
        by_mode.insert(1, "enterprise_name", by_mode["enterprise_id"].map(names))
    write_csv(_for_people(by_mode, lang, column_kind), paths[2], index=False, encoding="utf-8-sig")
    with atomic_path(paths[3]) as tmp:
        write_workbook(rep, tmp, lang, names)
    # the JSON last: a complete report JSON means the tables beside it belong to it
    write_text(paths[0], json_text(rep.as_dict(), ensure_ascii=False, indent=2, default=_json))
    return paths


def _for_people(df: pd.DataFrame, lang: str, kind_of: Any) -> pd.DataFrame:
    """Ratios as ``32.0%``, tonnes to 0.1 t, yes / no, vocabularies and headers in ``lang``."""
    from cleanfreight.ledger._labels import percent

    out = df.copy()
    for col in out.columns:
        kind = kind_of(col)
        if kind == "ratio":
            out[col] = out[col].map(percent)
        elif kind in ("tonnes", "decimal"):
            out[col] = pd.to_numeric(out[col], errors="coerce").round(1)
        elif kind == "bool":
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else _i18n.t("yes" if bool(v) else "no", lang))
        elif col == "industry":
            out[col] = out[col].map(lambda v: v if pd.isna(v) else _i18n.vocab("industry", v, lang))
    return _labelled(out, lang)


def _json(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
