"""Deprecated module: the renderers' parameters live in :mod:`cleanfreight.reports.params`.

``ReportOptions`` is the old name of :class:`~cleanfreight.reports.params.RenderParams`; kept so that
users' scripts keep working.
"""

from cleanfreight.reports.params import PAPER_SIZES, RenderParams, ReportOptions

__all__ = ["PAPER_SIZES", "RenderParams", "ReportOptions"]
