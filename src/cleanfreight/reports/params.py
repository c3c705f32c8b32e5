"""The renderers' parameters (:class:`RenderParams`): language, paper, resolution and titles shared by the
briefing, the workbook, the static maps and the ``brief`` command."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cleanfreight._i18n import LANGS
from cleanfreight.errors import InputError, Problem

__all__ = ["PAPER_SIZES", "RenderParams", "ReportOptions"]

PAPER_SIZES: dict[str, tuple[float, float]] = {"A4": (8.27, 11.69), "A3": (11.69, 16.54)}
"""Portrait paper sizes in inches."""


@dataclass(frozen=True)
class RenderParams:
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
        Period the figures cover (e.g. ``2026-03``, ``2026-Q1``, ``2026-01-01..2026-03-31``), printed
        in the title when given; empty for the declared yearly figures of the baseline.
    city_zh, city_en
        The city the briefing is about, named in its title (``长治市…简报``).
    scenario
        The plan's scenario (its title), named under the title when the figures include a plan.
    sample
        The figures come from the bundled illustrative sample: the footer says so (only then).
    """

    lang: str = "zh"
    target: float = 0.8
    rulebook: str = ""
    title: str | None = None
    paper: str = "A4"
    dpi: int = 200
    generated: dt.date = field(default_factory=dt.date.today)
    period: str = ""
    city_zh: str = "长治市"
    city_en: str = "Changzhi"
    scenario: str = ""
    sample: bool = False

    @property
    def annual(self) -> bool:
        """The figures are for a year (no period: the declared yearly figures; or a year label)."""
        import re

        return not self.period or re.fullmatch(r"\d{4}", self.period.strip()) is not None

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


#: Deprecated alias of :class:`RenderParams` (its name before the parameter objects took one suffix,
#: ``Params``); kept so that users' scripts keep working.
ReportOptions = RenderParams
