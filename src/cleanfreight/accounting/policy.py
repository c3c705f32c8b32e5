"""Which tonnes count as clean under a rulebook's policy settings, line by line.

A mode alone does not settle it: under the Changzhi plan a new-energy truck is clean *short-haul*
(短驳) only up to the rulebook's ``short_haul_max_km`` (for enterprises in the rule's scope), and coal
or coke leaving the province by road is never clean when the rulebook enforces "out of the province
by rail". :func:`classify_lines` applies those settings to a table of lines (flows and modes, ledger
tonnes, planned chains) so the baseline, the ledger, the planner and its checker all read the policy
the same way. The formulas are in ``docs/accounting.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cleanfreight.accounting.modes import MODES
from cleanfreight.accounting.rulebooks import Rulebook

__all__ = ["NE_TRUCK_MODES", "RAIL_MODES", "classify_lines", "leaves_province"]

#: modes with a new-energy truck leg (direct, or the short-haul of a rail chain)
NE_TRUCK_MODES = ("truck_ne", "rail_station_ne")
#: modes whose long-haul leg is rail (own spur or via a freight station)
RAIL_MODES = tuple(m for m, info in MODES.items() if info.uses_rail)


def leaves_province(
    lines: pd.DataFrame, rulebook: Rulebook, out_of_province_regions: set[str] | None
) -> np.ndarray:
    """Lines of the rulebook's rail-only commodities (coal, coke) going out to a region outside the province."""
    n = len(lines)
    if not rulebook.rail_only_out_of_province or not out_of_province_regions or n == 0:
        return np.zeros(n, dtype=bool)
    if "region_id" not in lines or "commodity" not in lines or "direction" not in lines:
        return np.zeros(n, dtype=bool)
    return (
        lines["commodity"].isin(rulebook.rail_only_out_of_province).to_numpy()
        & (lines["direction"].astype(str) == "out").to_numpy()
        & lines["region_id"].astype(str).isin(out_of_province_regions).to_numpy()
    )


def classify_lines(lines: pd.DataFrame, rulebook: Rulebook) -> pd.DataFrame:
    """Policy flags per line (same index as ``lines``).

    ``lines`` has a ``mode`` column and, where known: ``road_km`` (a direct truck's one-way km),
    ``short_haul_km`` (a station chain's truck leg), ``ne_leg_km`` (overrides both), ``leaves_province``
    (bool: a rail-only commodity leaving the province, see :func:`leaves_province`) and
    ``enterprise_t_per_year`` (for the short-haul rule's scope; unknown: in scope).

    Returns columns ``is_clean`` (counts in the numerator), ``in_ratio`` (counts in the denominator),
    ``is_compliant``, ``uses_rail``, ``ne_long_haul`` (a new-energy leg beyond the short-haul limit, in
    scope) and ``rail_only_out`` (copy of ``leaves_province``).
    """
    idx = lines.index
    mode = lines["mode"].astype(str)
    clean = mode.map(rulebook.is_clean).to_numpy(bool).copy()
    compliant = mode.map(rulebook.is_compliant).to_numpy(bool).copy()
    uses_rail = mode.isin(RAIL_MODES).to_numpy()
    n = len(lines)
    long_haul = np.zeros(n, dtype=bool)
    if rulebook.short_haul_max_km is not None and rulebook.beyond_short_haul != "clean" and n:
        if "ne_leg_km" in lines:
            km = pd.to_numeric(lines["ne_leg_km"], errors="coerce").to_numpy(float)
        else:
            road = _num(lines, "road_km", n)
            sh = _num(lines, "short_haul_km", n)
            km = np.where(mode.to_numpy() == "truck_ne", road, np.where(mode.to_numpy() == "rail_station_ne", sh, np.nan))
        in_scope = np.ones(n, dtype=bool)
        if "enterprise_t_per_year" in lines and rulebook.short_haul_scope_t_per_year > 0:
            size = pd.to_numeric(lines["enterprise_t_per_year"], errors="coerce").to_numpy(float)
            in_scope = ~(size < rulebook.short_haul_scope_t_per_year)  # unknown size: in scope
        beyond = np.nan_to_num(km, nan=0.0) > float(rulebook.short_haul_max_km)
        long_haul = mode.isin(NE_TRUCK_MODES).to_numpy() & beyond & in_scope
    in_ratio = np.ones(n, dtype=bool)
    if rulebook.beyond_short_haul == "separate":
        in_ratio &= ~long_haul
    clean &= ~long_haul
    rail_out = (
        lines["leaves_province"].to_numpy(bool) if "leaves_province" in lines else np.zeros(n, dtype=bool)
    )
    if rulebook.out_of_province_rule == "enforce":
        road_out = rail_out & ~uses_rail
        clean &= ~road_out
        compliant &= ~road_out
    return pd.DataFrame(
        {
            "is_clean": clean,
            "in_ratio": in_ratio,
            "is_compliant": compliant | clean,
            "uses_rail": uses_rail,
            "ne_long_haul": long_haul,
            "rail_only_out": rail_out,
        },
        index=idx,
    )


def _num(lines: pd.DataFrame, col: str, n: int) -> np.ndarray:
    if col not in lines:
        return np.full(n, np.nan)
    return pd.to_numeric(lines[col], errors="coerce").to_numpy(float)
