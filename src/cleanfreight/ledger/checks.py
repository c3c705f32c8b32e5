"""Checks on the ledger that catch errors and cheating (the ``anomalies`` report).

Each check returns rows of one table with the columns :data:`ANOMALY_COLUMNS`:

``stage_conflict`` (error)
    the same plate recorded as electric / fuel cell in one record and as a fuel stage in another;
``overload`` (warning)
    a load above the plausible payload (``CheckParams.max_payload_t``, 40 t by default: a 49 t
    GVW tractor-trailer carries ~35-40 t); loads above ``IngestParams.max_truck_tonnes`` were
    already rejected at import;
``double_passage`` (warning)
    the same plate passing the same gate in the same direction twice within
    ``CheckParams.double_passage_minutes`` (camera re-trigger or a faked passage);
``unknown_enterprise`` (warning)
    records for an enterprise not in the roster;
``missing_days`` (warning)
    days of the period without any record of an enterprise that has records in it;
``coal_coke_out_by_road`` (error / info)
    commodities the rulebook wants on rail when leaving the province (``rail_only_out_of_province``,
    coal and coke for ``changzhi-2024``) leaving by direct truck. *error* when the destination is a
    region outside Shanxi (``regions.csv`` ``in_province = false``) or names another province;
    *info* when the destination is not recorded: the rule cannot be checked, the tonnes are listed
    so the bureau can ask (assumption: no destination means unknown, not compliant);
``short_haul_without_waybill`` (warning)
    short-haul trucks to / from a freight station but no station waybill for that enterprise, month
    and direction (the report then counts the gate tonnes, see :mod:`cleanfreight.ledger.report`);
``unknown_cargo`` (info)
    cargo names that did not map to a bulk commodity (stored as ``other``; add them to a cargo
    mapping, :mod:`cleanfreight.ledger.cargo`);
``not_reported`` (warning)
    未报送: an expected enterprise (the roster's, else one that reported in the 12 months before)
    with no gate or meter record of its own in a month of the period (waybills alone do not count;
    see :mod:`cleanfreight.ledger.coverage`). ``day`` is the first of the month, ``records`` the
    rail waybills the ledger holds for it that month, ``tonnes`` the tonnes expected (the mean of
    its reported months, else its declared tonnes / 12; 0 when unknown). City figures of that month
    are not comparable with those of a complete month;
``counter_reset`` (warning)
    a running-counter meter reading below the previous reading of the same meter: the counter was
    reset or replaced, so the quantity of that interval is unknown and was not counted. ``tonnes``
    is the new reading: what the interval carried if the counter restarted from zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from cleanfreight import _i18n
from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger._db import LedgerReader
from cleanfreight.ledger._period import Period, parse_period
from cleanfreight.ledger._places import outside_names

if TYPE_CHECKING:
    import duckdb

    from cleanfreight.accounting.rulebooks import Rulebook
    from cleanfreight.enterprises import Roster
    from cleanfreight.ledger._db import ServerConnection

__all__ = ["ANOMALY_COLUMNS", "CheckParams", "run_checks"]

ANOMALY_COLUMNS = ["check", "severity", "enterprise_id", "plate", "day", "records", "tonnes", "detail"]

_i18n.register(
    {
        "check.stage_conflict": ("stage conflict (one plate, electric and diesel)", "排放阶段矛盾(同一车牌既电动又燃油)"),
        "check.overload": ("load above a plausible payload", "载重超出合理范围"),
        "check.double_passage": ("double passage", "重复过车"),
        "check.unknown_enterprise": ("enterprise not in the roster", "企业不在名单内"),
        "check.missing_days": ("days with no records", "无记录日期"),
        "check.coal_coke_out_by_road": ("coal / coke leaving the province by road", "煤炭/焦炭公路出省"),
        "check.short_haul_without_waybill": ("short-haul without a rail waybill", "短驳无铁路货票"),
        "check.unknown_cargo": ("unknown cargo name", "货物名称无法识别"),
        "check.counter_reset": ("meter counter reset", "计量累计值回退"),
        "check.not_reported": ("not reported (no export for the month)", "未报送"),
        "severity.error": ("error", "错误"),
        "severity.warning": ("warning", "警告"),
        "severity.info": ("info", "提示"),
        "checks.title": ("Ledger checks: {n} anomalies", "台账核查：{n} 项异常"),
        "check": ("Check", "核查项"),
        "severity": ("Severity", "级别"),
        "plate": ("Plate", "车牌号码"),
        "day": ("Day", "日期"),
        "detail": ("Detail", "说明"),
    }
)

@dataclass(frozen=True, slots=True)
class CheckParams:
    """Thresholds of the checks.

    Parameters
    ----------
    max_payload_t
        Plausible payload of a heavy truck (t); heavier gate records are flagged.
    double_passage_minutes
        Two passages of a plate in the same direction closer than this are flagged.
    """

    max_payload_t: float = 40.0
    double_passage_minutes: float = 2.0

    def __post_init__(self) -> None:
        problems = []
        if self.max_payload_t <= 0:
            problems.append(Problem("must be > 0", column="max_payload_t", value=self.max_payload_t))
        if self.double_passage_minutes < 0:
            problems.append(
                Problem("must be >= 0", column="double_passage_minutes", value=self.double_passage_minutes)
            )
        if problems:
            raise InputError("invalid check settings", problems)


def run_checks(
    db: str | Path | duckdb.DuckDBPyConnection | ServerConnection,
    period: str | Period | None = None,
    *,
    roster: Roster | None = None,
    rules: str | Path | Rulebook = "changzhi-2024",
    settings: CheckParams | None = None,
) -> pd.DataFrame:
    """Run every check over the ledger (or one period) and return the anomalies.

    Parameters
    ----------
    db
        Ledger database file or DuckDB connection, or a connection to a PostgreSQL server holding
        the same schema (:func:`cleanfreight.ledger.schema.ddl` ``("postgres")``; any DB-API 2
        connection with ``%s`` parameters, e.g. ``psycopg``). Both give the same anomalies.
    period
        Limit to a period (``YYYY-MM`` ...); ``None``: everything, and ``missing_days`` spans each
        enterprise's first to last record.
    roster
        Enterprise roster for ``unknown_enterprise`` (skipped without one).
    rules
        Rulebook: its ``rail_only_out_of_province`` commodities are checked.
    settings
        :class:`CheckParams`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ANOMALY_COLUMNS`, most severe first, then by check, enterprise, plate, day
        and detail; ``tonnes`` rounded to the kilogram (3 decimals).
    """
    from cleanfreight.accounting.rulebooks import Rulebook, load_rulebook

    s = settings or CheckParams()
    rb = rules if isinstance(rules, Rulebook) else load_rulebook(rules)
    per = parse_period(period) if isinstance(period, str) else period
    with LedgerReader(db) as reader:
        frames = _check_frames(reader, per, roster, rb, s)
        span = per
        if span is None:  # the whole ledger: its first to its last month
            ends = reader.df("SELECT min(ts) AS a, max(ts) AS b FROM records")
            a, b = ends["a"].iloc[0], ends["b"].iloc[0]
            if a is not None and not pd.isna(a):
                span = parse_period(f"{pd.Timestamp(a):%Y-%m-%d}..{pd.Timestamp(b):%Y-%m-%d}")
    if span is not None:
        frames.append(_not_reported(db, span, roster, rb))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=ANOMALY_COLUMNS)
    out = pd.concat([f[ANOMALY_COLUMNS] for f in frames], ignore_index=True)
    order = {"error": 0, "warning": 1, "info": 2}
    out["_o"] = out["severity"].map(order)
    out["records"] = out["records"].astype(int)
    # sums of doubles depend on the order the database adds them in: round to the kilogram
    out["tonnes"] = out["tonnes"].astype(float).round(3)
    out["day"] = pd.to_datetime(out["day"]).dt.strftime("%Y-%m-%d")
    out["plate"] = out["plate"].astype(object).where(out["plate"].notna(), None)
    # a total order, so both databases list the anomalies in the same order
    key = ["_o", "check", "enterprise_id", "plate", "day", "detail", "records", "tonnes"]
    return out.sort_values(key, kind="mergesort").drop(columns="_o").reset_index(drop=True)


def _not_reported(
    db: str | Path | duckdb.DuckDBPyConnection | ServerConnection,
    per: Period,
    roster: Roster | None,
    rb: Rulebook,
) -> pd.DataFrame:
    """``not_reported`` rows: expected enterprise-months without own gate / meter records."""
    from cleanfreight.ledger.coverage import coverage

    cov = coverage(db, per, roster=roster, rules=rb)
    t = cov.table
    miss = t[t["expected"] & ~t["reported"]]
    if miss.empty:
        return pd.DataFrame(columns=ANOMALY_COLUMNS)
    rail = _rail_records(db, per)
    rows = []
    for r in miss.itertuples():
        n_rail, t_rail = rail.get((str(r.enterprise_id), str(r.month)), (0, 0.0))
        est = r.tonnes_expected
        basis = {
            "history": "the mean of its reported months",
            "declared": "its declared tonnes per year / 12",
        }.get(str(r.estimate))
        expect = (
            f"about {_num(round(float(est), 1))} t expected ({basis})"
            if basis and not pd.isna(est)
            else "expected tonnes unknown"
        )
        detail = f"{r.month}: no gate or meter records (not reported); {expect}"
        if n_rail:
            detail += f"; rail waybills in the ledger: {n_rail} ({_num(round(t_rail, 1))} t)"
        rows.append(
            {
                "check": "not_reported",
                "severity": "warning",
                "enterprise_id": r.enterprise_id,
                "plate": None,
                "day": f"{r.month}-01",
                "records": n_rail,
                "tonnes": 0.0 if pd.isna(est) else float(est),
                "detail": detail,
            }
        )
    return pd.DataFrame(rows, columns=ANOMALY_COLUMNS)


def _rail_records(
    db: str | Path | duckdb.DuckDBPyConnection | ServerConnection, per: Period
) -> dict[tuple[str, str], tuple[int, float]]:
    """Waybill records and tonnes per enterprise and month (what a month not reported still holds)."""
    from cleanfreight.ledger.report import _aggregate

    agg = _aggregate(db, per)
    if agg.empty:
        return {}
    rail = agg[agg["chain"].isin(["spur", "station"])]
    g = rail.groupby(["enterprise_id", "month"])[["records", "tonnes"]].sum()
    return {(str(e), str(m)): (int(v["records"]), float(v["tonnes"])) for (e, m), v in g.iterrows()}


def _num(value: object) -> str:
    """A number in a ``detail`` text, written by Python so both databases print it alike."""
    return str(float(value))  # type: ignore[arg-type]


def _check_frames(
    reader: LedgerReader, per: Period | None, roster: Roster | None, rb: Rulebook, s: CheckParams
) -> list[pd.DataFrame]:
    """Every check's rows (one frame per check) with SQL DuckDB, PostgreSQL and Spark accept.

    The only differences are spelled by :class:`~cleanfreight.ledger._db.SqlDialect` (parameter
    marker, month / day labels, code-point order of text, lists of values, day series, intervals,
    the text type); numbers in ``detail`` are written in
    Python (:func:`_num`) because the databases print doubles differently.
    """
    d = reader.dialect
    p = d.param
    where = "TRUE"
    period_params: list[object] = []
    if per is not None:
        where = f"ts >= {p} AND ts < {p}"
        period_params = [per.start, per.end]

    def q(sql: str, *params: object) -> pd.DataFrame:
        return reader.df(sql, list(params))

    def dlist(expr: str) -> str:
        """Distinct values, comma-separated in code-point order."""
        return d.distinct_list(expr)

    frames: list[pd.DataFrame] = []
    frames.append(
        q(
            f"""
            SELECT 'stage_conflict' AS "check", 'error' AS severity,
                min({d.code_point("enterprise_id")}) AS enterprise_id, plate,
                CAST(min(ts) AS DATE) AS day, count(*) AS records, sum(tonnes) AS tonnes,
                'stages recorded: ' || {dlist("stage")} || '; enterprises: ' || {dlist("enterprise_id")} AS detail
            FROM records WHERE kind = 'gate' AND {where}
            GROUP BY plate
            HAVING count(*) FILTER (WHERE stage IN ('d', 'h')) > 0
                AND count(*) FILTER (WHERE stage NOT IN ('d', 'h')) > 0
            """,
            *period_params,
        )
    )
    over = q(
        f"""
        SELECT 'overload' AS "check", 'warning' AS severity, enterprise_id, plate, CAST(min(ts) AS DATE) AS day,
            count(*) AS records, sum(tonnes) AS tonnes, max(tonnes) AS max_t
        FROM records WHERE kind = 'gate' AND tonnes > {p} AND {where}
        GROUP BY enterprise_id, plate
        """,
        float(s.max_payload_t),
        *period_params,
    )
    over["detail"] = [f"max load {t:.1f} t > plausible payload {s.max_payload_t:g} t" for t in over["max_t"]]
    frames.append(over)
    minutes = float(s.double_passage_minutes)
    micros = round(minutes * 60e6)
    frames.append(
        q(
            f"""
            SELECT 'double_passage' AS "check", 'warning' AS severity, enterprise_id, plate,
                CAST(min(ts) AS DATE) AS day, count(*) AS records, sum(tonnes) AS tonnes,
                'passed twice in the same direction within {minutes:g} min ('
                    || CAST(count(*) AS {d.text}) || ' times)' AS detail
            FROM (
                SELECT enterprise_id, plate, ts, tonnes,
                    lag(ts) OVER (
                        PARTITION BY enterprise_id, plate, direction ORDER BY ts, {d.code_point("dedup_key")}
                    ) AS prev
                FROM records WHERE kind = 'gate' AND {where}
            ) x
            WHERE prev IS NOT NULL AND {d.within_micros("ts", "prev", micros)}
            GROUP BY enterprise_id, plate
            """,
            *period_params,
        )
    )
    if roster is not None:
        known = set(roster.enterprises["enterprise_id"].astype(str))
        ents = q(
            f"""
            SELECT 'unknown_enterprise' AS "check", 'warning' AS severity, enterprise_id, NULL AS plate,
                CAST(min(ts) AS DATE) AS day, count(*) AS records, sum(tonnes) AS tonnes,
                'enterprise not in the roster' AS detail
            FROM records WHERE {where}
            GROUP BY enterprise_id
            """,
            *period_params,
        )
        frames.append(ents[~ents["enterprise_id"].astype(str).isin(known)])
    if per is not None:
        span = (
            f"SELECT enterprise_id, CAST({p} AS DATE) AS d0, CAST({p} AS DATE) - 1 AS d1 FROM records "
            f"WHERE {where} GROUP BY enterprise_id"
        )
        span_params: list[object] = [per.start, per.end, *period_params]
    else:
        span = (
            "SELECT enterprise_id, CAST(min(ts) AS DATE) AS d0, CAST(max(ts) AS DATE) AS d1 FROM records "
            "GROUP BY enterprise_id"
        )
        span_params = []
    frames.append(
        q(
            f"""
            WITH span AS ({span}),
            days AS ({d.day_series("span", "enterprise_id", "d0", "d1")}),
            have AS (SELECT DISTINCT enterprise_id, CAST(ts AS DATE) AS day FROM records WHERE {where})
            SELECT 'missing_days' AS "check", 'warning' AS severity, d.enterprise_id, NULL AS plate,
                min(d.day) AS day, 0 AS records, 0.0 AS tonnes,
                CAST(count(*) AS {d.text}) || ' day(s) without any record: '
                    || {d.day_list("d.day")} AS detail
            FROM days d LEFT JOIN have h ON h.enterprise_id = d.enterprise_id AND h.day = d.day
            WHERE h.day IS NULL
            GROUP BY d.enterprise_id
            """,
            *span_params,
            *period_params,
        )
    )
    rail_only = sorted(rb.rail_only_out_of_province)
    if rail_only:
        outside = outside_names()
        out_cond = " OR ".join(f"position({p} IN destination) > 0" for _ in outside) or "FALSE"
        comm = ", ".join([p] * len(rail_only))
        frames.append(
            q(
                f"""
                SELECT 'coal_coke_out_by_road' AS "check",
                    CASE WHEN dest_known THEN 'error' ELSE 'info' END AS severity,
                    enterprise_id, NULL AS plate, CAST(min(ts) AS DATE) AS day, count(*) AS records,
                    sum(tonnes) AS tonnes,
                    CASE WHEN dest_known
                        THEN commodity || ' by road to outside Shanxi (' || {dlist("destination")}
                            || '); the rulebook wants rail'
                        ELSE commodity || ' leaving by road with no destination recorded: cannot confirm it stays in Shanxi'
                    END AS detail
                FROM (
                    SELECT enterprise_id, ts, tonnes, commodity, destination,
                        coalesce({out_cond}, FALSE) AS dest_known
                    FROM records
                    WHERE kind = 'gate' AND chain = 'direct' AND direction = 'out' AND commodity IN ({comm})
                        AND {where}
                ) x
                WHERE dest_known OR destination IS NULL
                GROUP BY enterprise_id, commodity, dest_known
                """,
                *outside,
                *rail_only,
                *period_params,
            )
        )
    frames.append(
        q(
            f"""
            WITH k AS (
                SELECT enterprise_id, {d.month("ts")} AS month, direction,
                    sum(tonnes) FILTER (WHERE chain = 'short_haul') AS sh,
                    count(*) FILTER (WHERE chain = 'short_haul') AS n,
                    sum(tonnes) FILTER (WHERE chain = 'station') AS wb,
                    min(ts) FILTER (WHERE chain = 'short_haul') AS t0
                FROM records WHERE {where} GROUP BY enterprise_id, {d.month("ts")}, direction
            )
            SELECT 'short_haul_without_waybill' AS "check", 'warning' AS severity, enterprise_id, NULL AS plate,
                CAST(t0 AS DATE) AS day, n AS records, sh AS tonnes,
                month || ' ' || direction
                    || ': short-haul trucks to/from a station but no station waybill; gate tonnes counted' AS detail
            FROM k WHERE sh > 0 AND wb IS NULL
            """,
            *period_params,
        )
    )
    frames.append(
        q(
            f"""
            SELECT 'unknown_cargo' AS "check", 'info' AS severity, enterprise_id, NULL AS plate,
                CAST(min(ts) AS DATE) AS day, count(*) AS records, sum(tonnes) AS tonnes,
                'cargo not mapped to a bulk commodity: ' || coalesce(cargo, '(blank)') AS detail
            FROM records WHERE commodity = 'other' AND {where}
            GROUP BY enterprise_id, cargo
            """,
            *period_params,
        )
    )
    if reader.has_table("meter_readings"):  # schema version 2
        resets = q(
            f"""
            SELECT 'counter_reset' AS "check", 'warning' AS severity, enterprise_id, NULL AS plate,
                CAST(ts AS DATE) AS day, 1 AS records, reading AS tonnes,
                meter_id, direction, reading, prev, CAST(prev_ts AS DATE) AS prev_day
            FROM (
                SELECT enterprise_id, meter_id, direction, ts, reading,
                    lag(reading) OVER w AS prev, lag(ts) OVER w AS prev_ts
                FROM meter_readings
                WINDOW w AS (PARTITION BY enterprise_id, coalesce(meter_id, ''), direction ORDER BY ts)
            ) x
            WHERE reading < prev AND {where}
            """,
            *period_params,
        )
        resets["detail"] = [
            f"meter {'?' if pd.isna(m) else m} ({direction}): reading {_num(r)} t below the previous "
            f"{_num(pr)} t of {pd.Timestamp(day):%Y-%m-%d}; counter reset or replaced, the quantity of "
            "this interval is not counted"
            for m, direction, r, pr, day in resets[
                ["meter_id", "direction", "reading", "prev", "prev_day"]
            ].itertuples(index=False)
        ]
        frames.append(resets)
    return frames
