"""Options shared by the briefing, the workbook, the static maps and the ``brief`` command."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cleanfreight._i18n import LANGS
from cleanfreight.errors import InputError, Problem

__all__ = ["PAPER_SIZES", "ReportOptions"]

PAPER_SIZES: dict[str, tuple[float, float]] = {"A4": (8.27, 11.69), "A3": (11.69, 16.54)}
"""Portrait paper sizes in inches."""


@dataclass(frozen=True)
class ReportOptions:
    """How reports are written.

    Attributes
    ----------
    lang
        ``"zh"`` or ``"en"``.
    target
        Clean-ratio target (share, 0–1], from the rulebook.
    rulebook
        Name of the rulebook the figures were computed with (printed on every report).
    title
        Report title (default: a "clean bulk-freight transport briefing" title in ``lang``).
    paper
        ``"A4"`` or ``"A3"`` (portrait) for the one-page briefing.
    dpi
        Raster resolution of PNG output, at least 200.
    generated
        Date printed on the reports (default: today).
    period
        Period the figures cover (e.g. ``2026-01..2026-03``), printed when given.
    """

    lang: str = "zh"
    target: float = 0.8
    rulebook: str = ""
    title: str | None = None
    paper: str = "A4"
    dpi: int = 200
    generated: dt.date = field(default_factory=dt.date.today)
    period: str = ""

    def __post_init__(self) -> None:
        problems = []
        if self.lang not in LANGS:
            problems.append(Problem(f"expected one of {', '.join(LANGS)}", column="lang", value=self.lang))
        if not isinstance(self.target, int | float) or not 0 < float(self.target) <= 1:
            problems.append(Problem("expected a share in (0, 1]", column="target", value=self.target))
        if self.paper not in PAPER_SIZES:
            problems.append(
                Problem(f"expected one of {', '.join(PAPER_SIZES)}", column="paper", value=self.paper)
            )
        if not isinstance(self.dpi, int) or not 200 <= self.dpi <= 1200:
            problems.append(Problem("expected an integer from 200 to 1200", column="dpi", value=self.dpi))
        if problems:
            raise InputError("invalid report options", problems)
