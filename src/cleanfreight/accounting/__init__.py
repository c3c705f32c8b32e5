"""Clean-transport accounting: modes, rulebooks, factors, per-chain emissions and the baseline report."""

from cleanfreight.accounting.baseline import BaselineReport, baseline_report, ratio_table
from cleanfreight.accounting.emissions import chain_intensity, intensity_table
from cleanfreight.accounting.factors import Factor, Factors, load_factors
from cleanfreight.accounting.modes import MODES, ModeInfo, mode_info
from cleanfreight.accounting.policy import classify_lines
from cleanfreight.accounting.rulebooks import (
    DEFAULT_RULEBOOK,
    RATIO_TOL,
    Rulebook,
    available_rulebooks,
    load_rulebook,
)

__all__ = [
    "DEFAULT_RULEBOOK",
    "MODES",
    "RATIO_TOL",
    "BaselineReport",
    "Factor",
    "Factors",
    "ModeInfo",
    "Rulebook",
    "available_rulebooks",
    "baseline_report",
    "chain_intensity",
    "classify_lines",
    "intensity_table",
    "load_factors",
    "load_rulebook",
    "mode_info",
    "ratio_table",
]
