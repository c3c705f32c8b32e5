"""Which enterprises reported for each month: the coverage of the ledger.

A city figure is only comparable across months when the same enterprises reported in both. An
enterprise that sent no export for a month drops out of that month's totals, and the city ratio
moves although no truck changed (CZ26's missing April "raised" the city from 39.6 % to 58.0 %).
:func:`coverage` says, month by month, who reported and how many tonnes are missing.

Rules
-----
- An enterprise **reported** a month when the ledger holds at least one of *its own* gate or meter
  records of that month (``chain`` direct, short_haul, conveyor or pipeline). Rail waybills come from
  the railway, not from the enterprise, so a month with waybills only is **not reported** (未报送):
  its truck traffic is unknown.
- **Expected** enterprises: the roster's (``roster=``), else every enterprise that reported at
  least once in the period or the 12 months before it.
- **Expected tonnes** of a month that was not reported: the enterprise's mean monthly bulk tonnes
  over the months it reported in that window, else its declared tonnes per year ÷ 12 (roster
  flows), else unknown (counted as 0; ``tonnes_unknown`` counts those enterprise-months).
  ``tonnes_expected`` of a month = tonnes reported + these estimates; ``coverage_tonnes`` =
  reported ÷ expected.
- A month is **complete** when every expected enterprise reported it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cleanfreight.ledger._period import Period, parse_period

if TYPE_CHECKING:
    import duckdb

    from cleanfreight.accounting.rulebooks import Rulebook
    from cleanfreight.enterprises import Roster
    from cleanfreight.ledger._aggregate import ReportParams
    from cleanfreight.ledger._db import ServerConnection

__all__ = ["OWN_CHAINS", "Coverage", "coverage"]

#: chains of the records an enterprise sends itself (gate and meter exports)
OWN_CHAINS = ("direct", "short_haul", "conveyor", "pipeline")
#: months before the period whose reports give a missing month's expected tonnes
HISTORY_MONTHS = 12

_TABLE_COLS = [
    "enterprise_id",
    "month",
    "expected",
    "reported",
    "records",
    "tonnes",
    "tonnes_expected",
    "estimate",
]
_MONTH_COLS = [
    "month",
    "enterprises_expected",
    "enterprises_reported",
    "coverage_enterprises",
    "tonnes_reported",
    "tonnes_expected",
    "coverage_tonnes",
    "tonnes_unknown",
    "complete",
    "not_reported",
]


@dataclass(frozen=True)
class Coverage:
    """Who reported for each month of a period.

    Attributes
    ----------
    period
        The period.
    expected_from
        ``"roster"`` or ``"ledger"`` (see the module rules).
    table
        One row per enterprise and month: ``enterprise_id, month, expected, reported, records``
        (own gate / meter records), ``tonnes`` (bulk tonnes in the ledger, waybills included),
        ``tonnes_expected`` (``tonnes`` when reported, else the estimate) and ``estimate``
        (``reported``, ``history``, ``declared`` or ``unknown``).
    by_month
        ``month, enterprises_expected, enterprises_reported, coverage_enterprises,
        tonnes_reported, tonnes_expected, coverage_tonnes, tonnes_unknown, complete,
        not_reported`` (a list of enterprise ids).
    """

    period: Period
    expected_from: str
    table: pd.DataFrame
    by_month: pd.DataFrame

    @property
    def complete(self) -> bool:
        """Every expected enterprise reported every month."""
        return bool(self.by_month["complete"].all()) if not self.by_month.empty else True

    def not_reported(self) -> pd.DataFrame:
        """``enterprise_id, month, tonnes_expected, tonnes`` of the expected months not reported (未报送)."""
        t = self.table
        miss = t[t["expected"] & ~t["reported"]]
        return miss[["enterprise_id", "month", "tonnes_expected", "tonnes", "estimate"]].reset_index(
            drop=True
        )

    def summary(self) -> dict[str, Any]:
        """Figures for the whole period (what a report or a briefing shows beside the city ratio)."""
        t = self.table
        exp = t[t["expected"]]
        em_expected, em_reported = len(exp), int(exp["reported"].sum())
        full = exp.groupby("enterprise_id")["reported"].all() if not exp.empty else pd.Series(dtype=bool)
        reported_t = float(self.by_month["tonnes_reported"].sum()) if not self.by_month.empty else 0.0
        expected_t = float(self.by_month["tonnes_expected"].sum()) if not self.by_month.empty else 0.0
        return {
            "expected_from": self.expected_from,
            "months": len(self.by_month),
            "enterprises_expected": len(full),
            "enterprises_reported": int(full.sum()),
            "enterprise_months_expected": em_expected,
            "enterprise_months_reported": em_reported,
            "coverage_enterprises": em_reported / em_expected if em_expected else None,
            "tonnes_reported": reported_t,
            "tonnes_expected": expected_t,
            "coverage_tonnes": reported_t / expected_t if expected_t > 0 else None,
            "complete": self.complete,
            "not_reported": [
                {"enterprise_id": str(r.enterprise_id), "month": str(r.month)}
                for r in self.not_reported().itertuples()
            ],
        }

    def as_dict(self) -> dict[str, Any]:
        by_month = [{k: _plain(v) for k, v in row.items()} for row in self.by_month.to_dict("records")]
        return {**self.summary(), "by_month": by_month}


def _plain(value: Any) -> Any:
    """numpy scalars to Python, NaN to ``None`` (JSON-ready)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _months_back(d: date, n: int) -> date:
    k = d.year * 12 + d.month - 1 - n
    return date(k // 12, k % 12 + 1, 1)


def coverage(
    db: str | Path | duckdb.DuckDBPyConnection | ServerConnection,
    period: str | Period,
    *,
    roster: Roster | None = None,
    rules: str | Path | Rulebook = "changzhi-2024",
    settings: ReportParams | None = None,
    period_aggregate: pd.DataFrame | None = None,
) -> Coverage:
    """Which expected enterprises reported for each month of ``period`` (see the module rules).

    Parameters
    ----------
    db
        Ledger file, DuckDB connection or PostgreSQL connection (as for
        :func:`~cleanfreight.ledger.report.report`).
    period
        ``YYYY-MM``, ``YYYY-Qn``, ``YYYY`` or a date range; every month it touches is covered.
    roster
        The enterprises expected to report (the 40 key enterprises); ``None``: those that reported
        in the period or the 12 months before.
    rules
        Rulebook: which commodities are bulk (the tonnes of the ratio).
    settings
        :class:`~cleanfreight.ledger.report.ReportParams` (station waybill split).
    period_aggregate
        The report aggregation of ``period`` when the caller already has it (then only the 12
        months before the period are queried).

    Returns
    -------
    Coverage
    """
    from cleanfreight.ledger._aggregate import _aggregate, _rulebook, mode_tonnes

    per = parse_period(period) if isinstance(period, str) else period
    rb = _rulebook(rules)
    months = per.months()
    first = date.fromisoformat(months[0] + "-01")
    window = Period(f"{HISTORY_MONTHS} months to {per.label}", _months_back(first, HISTORY_MONTHS), per.end)
    if period_aggregate is not None:
        before = Period(window.label, window.start, per.start)
        agg = pd.concat([_aggregate(db, before), period_aggregate], ignore_index=True)
    else:
        agg = _aggregate(db, window)
    if agg.empty:
        agg = pd.DataFrame(
            columns=["enterprise_id", "month", "direction", "chain", "mode", "commodity", "tonnes", "records"]
        )
    agg["month"] = agg["month"].astype(str)
    own = (
        agg[agg["chain"].isin(OWN_CHAINS)]
        .groupby(["enterprise_id", "month"])["records"]
        .sum()
        .rename("records")
    )
    tonnes = mode_tonnes(agg, settings)
    if not tonnes.empty:
        tonnes = tonnes[tonnes["commodity"].map(rb.is_bulk).astype(bool)]
    bulk = tonnes.groupby(["enterprise_id", "month"])["tonnes"].sum().rename("tonnes")
    hist = pd.concat([own, bulk], axis=1).fillna({"records": 0, "tonnes": 0.0}).reset_index()
    hist["reported"] = hist["records"] > 0
    if roster is not None:
        expected = sorted(set(roster.enterprises["enterprise_id"].astype(str)))
        source = "roster"
    else:
        expected = sorted(set(hist.loc[hist["reported"], "enterprise_id"].astype(str)))
        source = "ledger"
    # estimate of a month not reported: mean of the months reported in the window, else declared / 12
    mean_rep = hist[hist["reported"]].groupby("enterprise_id")["tonnes"].mean()
    declared = pd.Series(dtype=float)
    if roster is not None and not roster.flows.empty:
        declared = roster.flows.groupby("enterprise_id")["tonnes_per_year"].sum().astype(float) / 12.0
    in_period = hist[hist["month"].isin(months)]
    reporters = set(in_period.loc[in_period["reported"], "enterprise_id"].astype(str))
    grid = pd.MultiIndex.from_product(
        [sorted(set(expected) | reporters), months], names=["enterprise_id", "month"]
    )
    t = in_period.set_index(["enterprise_id", "month"]).reindex(grid).reset_index()
    t["records"] = t["records"].fillna(0).astype(int)
    t["tonnes"] = t["tonnes"].fillna(0.0).astype(float)
    t["reported"] = t["records"] > 0
    t["expected"] = t["enterprise_id"].isin(set(expected))
    est_hist = t["enterprise_id"].map(mean_rep)
    est_decl = t["enterprise_id"].map(declared) if not declared.empty else pd.Series(float("nan"), t.index)
    t["estimate"] = "unknown"
    t.loc[est_decl.notna(), "estimate"] = "declared"
    t.loc[est_hist.notna(), "estimate"] = "history"
    t.loc[t["reported"], "estimate"] = "reported"
    t["tonnes_expected"] = t["tonnes"].where(t["reported"], est_hist.fillna(est_decl))
    t = t[_TABLE_COLS].sort_values(["month", "enterprise_id"]).reset_index(drop=True)
    rows = []
    for month in months:
        m = t[t["month"] == month]
        exp = m[m["expected"]]
        miss = exp[~exp["reported"]]
        rep_t = float(m.loc[m["reported"], "tonnes"].sum())
        exp_t = rep_t + float(miss["tonnes_expected"].fillna(0.0).sum())
        rows.append(
            {
                "month": month,
                "enterprises_expected": len(exp),
                "enterprises_reported": int(exp["reported"].sum()),
                "coverage_enterprises": float(exp["reported"].mean()) if len(exp) else float("nan"),
                "tonnes_reported": rep_t,
                "tonnes_expected": exp_t,
                "coverage_tonnes": rep_t / exp_t if exp_t > 0 else float("nan"),
                "tonnes_unknown": int(miss["tonnes_expected"].isna().sum()),
                "complete": miss.empty,
                "not_reported": sorted(miss["enterprise_id"].astype(str)),
            }
        )
    by_month = pd.DataFrame(rows, columns=_MONTH_COLS)
    return Coverage(per, source, t, by_month)
