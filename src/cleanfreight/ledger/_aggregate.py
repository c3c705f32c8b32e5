"""The ledger report's building blocks: its settings, the SQL aggregate of the records (one query for
DuckDB, PostgreSQL and Spark) and how aggregated records resolve into tonnes per mode. Shared by the report,
the trend and the coverage (:mod:`cleanfreight.ledger.report`, :mod:`cleanfreight.ledger.coverage`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger._db import SQL_DIALECTS, LedgerReader, QueryEngine, ServerConnection
from cleanfreight.ledger._period import Period

if TYPE_CHECKING:
    import duckdb

    from cleanfreight.accounting.rulebooks import Rulebook

@dataclass(frozen=True, slots=True)
class ReportParams:
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
    """The report aggregation for ``"duckdb"``, ``"spark"`` (``?`` parameters) or ``"postgres"`` (``%s``)."""
    d = SQL_DIALECTS[dialect if dialect in SQL_DIALECTS else "duckdb"]  # type: ignore[index]
    return _AGGREGATE_SQL.format(month=d.month("ts"), p=d.param)


#: decimals of the aggregated tonnes (a gram): engines add doubles in different orders, so the last
#: bits of a sum differ; rounded, every engine gives the same numbers and the same reports
_TONNES_DECIMALS = 6
_AGG_KEYS = ["enterprise_id", "month", "direction", "chain", "mode", "commodity", "destination"]


def _aggregate(
    db: str | Path | duckdb.DuckDBPyConnection | ServerConnection | QueryEngine, period: Period
) -> pd.DataFrame:
    """Run the aggregation on a DuckDB ledger (file or connection), a PostgreSQL connection or a
    :class:`~cleanfreight.ledger._db.QueryEngine` (Spark or DuckDB over Parquet).

    The rows come back in one order (sorted by the keys) with tonnes rounded to the gram, so the
    pandas steps after it give the same result on every engine.
    """
    params = [
        pd.Timestamp(period.start).to_pydatetime(),
        pd.Timestamp(period.end).to_pydatetime(),
    ]
    with LedgerReader(db) as reader:
        df = reader.df(aggregate_sql(reader.dialect.name), params)
    df["tonnes"] = df["tonnes"].astype(float).round(_TONNES_DECIMALS)
    df["records"] = df["records"].astype("int64")
    df = df.sort_values(_AGG_KEYS, kind="mergesort", na_position="first").reset_index(drop=True)
    return _with_leaves_province(df)


def _with_leaves_province(agg: pd.DataFrame) -> pd.DataFrame:
    """Replace the destination by ``leaves_province`` (it names a place outside Shanxi) and sum again."""
    from cleanfreight.ledger._places import leaves_province

    keys = ["enterprise_id", "month", "direction", "chain", "mode", "commodity", "leaves_province"]
    if agg.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [*keys, "tonnes", "records"]})
    # one test per distinct destination (a few hundred), not per row (a province has 10^5 rows)
    dest = agg["destination"].astype(object).where(agg["destination"].notna(), None)
    names = pd.unique(dest.dropna())
    outside = dict(zip(names, leaves_province(names), strict=True))
    flag = dest.map(lambda d: outside.get(d, False) if d is not None else False).astype(bool)
    agg = agg.assign(leaves_province=flag).drop(columns="destination")
    return agg.groupby(keys, as_index=False, dropna=False)[["tonnes", "records"]].sum()


def mode_tonnes(agg: pd.DataFrame, settings: ReportParams | None = None) -> pd.DataFrame:
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
    s = settings or ReportParams()
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
