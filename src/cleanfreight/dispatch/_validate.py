"""One helper for the self-validating dataclasses of a dispatch scenario: gather every problem, then raise.

>>> v = Validation()
>>> v.text("id", "")
>>> v.number("payload_t", 120, "must be tonnes in (0, 100]", lo=0, hi=100, lo_open=True)
>>> len(v.problems)
2
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field

from cleanfreight.errors import InputError, Problem

__all__ = ["Validation", "is_num"]


def is_num(x: object) -> bool:
    """A finite int or float (not a bool)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


@dataclass
class Validation:
    """The problems found so far; ``file`` is set on each when given."""

    file: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def require(self, ok: bool, message: str, column: str | None = None, value: object = None, **where: object) -> None:
        """Record ``message`` unless ``ok``."""
        if not ok:
            if self.file is not None:
                where.setdefault("file", self.file)
            self.problems.append(Problem(message, column=column, value=value, **where))  # type: ignore[arg-type]

    def text(self, column: str, value: object) -> None:
        """A non-empty text."""
        self.require(isinstance(value, str) and bool(value.strip()), "must be a non-empty text", column, value)

    def choice(self, column: str, value: object, allowed: Collection[str]) -> None:
        """One of ``allowed``."""
        self.require(value in allowed, f"must be one of {', '.join(allowed)}", column, value)

    def number(
        self,
        column: str,
        value: object,
        message: str,
        *,
        lo: float | None = None,
        hi: float | None = None,
        lo_open: bool = False,
        hi_open: bool = False,
        optional: bool = False,
    ) -> None:
        """A finite number within ``[lo, hi]`` (an end excluded when ``*_open``); ``None`` passes if ``optional``."""
        if optional and value is None:
            return
        ok = is_num(value)
        if ok and lo is not None:
            ok = value > lo if lo_open else value >= lo  # type: ignore[operator]
        if ok and hi is not None:
            ok = value < hi if hi_open else value <= hi  # type: ignore[operator]
        self.require(ok, message, column, value)

    def count(self, column: str, value: object, message: str, *, lo: int = 0, hi: int | None = None) -> None:
        """An integer (not a bool) within ``[lo, hi]``."""
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= lo and (hi is None or value <= hi)
        self.require(ok, message, column, value)

    def lonlat(self, lon: object, lat: object) -> None:
        """WGS-84 longitude and latitude."""
        self.number("lon", lon, "longitude must be a number in [-180, 180]", lo=-180, hi=180)
        self.number("lat", lat, "latitude must be a number in [-90, 90]", lo=-90, hi=90)

    def raise_if_any(self, summary: str) -> None:
        """Raise :class:`InputError` with every problem gathered, if any."""
        if self.problems:
            raise InputError(summary, self.problems)
