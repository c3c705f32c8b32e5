"""Reporting periods: ``2026-03``, ``2026-Q1``, ``2026``, ``2026-03-01..2026-03-15``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from cleanfreight.errors import InputError


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open date range ``[start, end)`` with the label it was written as."""

    label: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def months(self) -> list[str]:
        """``YYYY-MM`` of every month the period touches."""
        out = []
        y, m = self.start.year, self.start.month
        while date(y, m, 1) < self.end:
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def _month_start(y: int, m: int) -> date:
    return date(y + (m - 1) // 12, (m - 1) % 12 + 1, 1)


def parse_period(text: str) -> Period:
    """Parse a period; raise ``InputError`` naming the accepted spellings."""
    s = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", s):
            y, mo = int(m[1]), int(m[2])
            if not 1 <= mo <= 12:
                raise ValueError
            return Period(f"{y:04d}-{mo:02d}", date(y, mo, 1), _month_start(y, mo + 1))
        if m := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", s):
            y, q = int(m[1]), int(m[2])
            return Period(f"{y:04d}-Q{q}", date(y, 3 * q - 2, 1), _month_start(y, 3 * q + 1))
        if m := re.fullmatch(r"(\d{4})", s):
            y = int(m[1])
            return Period(s, date(y, 1, 1), date(y + 1, 1, 1))
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|:|/|to)\s*(\d{4}-\d{2}-\d{2})", s):
            a, b = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if b < a:
                raise ValueError
            return Period(s, a, b + timedelta(days=1))
    except ValueError:
        pass
    raise InputError(
        f"cannot read period {text!r}; use YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD (end included)"
    )


def month_range(first: str, last: str) -> Period:
    """The period from the month ``first`` to the month ``last`` (both ``YYYY-MM``, included)."""
    a, b = parse_period(first), parse_period(last)
    if b.end <= a.start:
        raise InputError(f"--to {last} is before --from {first}")
    return Period(f"{a.label}..{b.label}", a.start, b.end)
