"""What the ledger's reports return (:class:`LedgerReport`, :class:`TrendResult`) and the labels of their columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from cleanfreight import _i18n
from cleanfreight._io import records
from cleanfreight.ledger._aggregate import ReportParams
from cleanfreight.ledger._period import Period

if TYPE_CHECKING:
    from cleanfreight.accounting.rulebooks import Rulebook
    from cleanfreight.ledger.coverage import Coverage


__all__ = ["LedgerReport", "TrendResult"]

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
    settings: ReportParams = field(default_factory=ReportParams)
    coverage: Coverage | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "start": self.period.start.isoformat(),
            "end_exclusive": self.period.end.isoformat(),
            "rulebook": self.rulebook.as_dict(),
            "city": self.city,
            "enterprises": records(self.enterprises),
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
            "city": records(self.city),
            "enterprises": [
                {
                    "enterprise_id": ent,
                    "clean_ratio": [None if pd.isna(v) else float(v) for v in row],
                    "reported": [bool(reported.get((ent, m), False)) for m in wide.columns],
                }
                for ent, row in wide.iterrows()
            ],
            "fell": records(self.fell),
            "coverage": None if self.coverage is None else self.coverage.as_dict(),
            "comparisons": records(self.comparisons),
        }
