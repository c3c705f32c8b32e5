"""Exceptions raised by cleanfreight.

A small set, each built on a builtin so callers can catch either:

- :class:`InputError` (``ValueError``): a user file or parameter is wrong. It carries a list of
  :class:`Problem` entries (file, row, column, what was expected) so one report lists *every*
  problem of a file, not only the first.
- :class:`NetworkError` (``ValueError``): a network cannot be built (empty OSM file, no drivable
  roads, boundary misses the network, ...).
- :class:`SolverError` (``RuntimeError``): an optimiser failed for a reason other than bad input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["CleanfreightError", "InputError", "NetworkError", "Problem", "SolverError"]


class CleanfreightError(Exception):
    """Base class of every error cleanfreight raises on purpose."""

    exit_code: int = 1


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        value = "" if self.value is None else f" (got {self.value!r})"
        return f"{where}: {self.message}{value}" if where else f"{self.message}{value}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": None if self.value is None else str(self.value),
            "message": self.message,
        }


class InputError(CleanfreightError, ValueError):
    """Bad user input. ``problems`` lists every problem found, with file, row and column."""

    exit_code = 2

    def __init__(self, summary: str, problems: Iterable[Problem] = ()) -> None:
        self.summary = summary
        self.problems = list(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.problems:
            return self.summary
        lines = [f"{self.summary} ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class NetworkError(CleanfreightError, ValueError):
    """A network could not be built from the given files."""

    exit_code = 3


class SolverError(CleanfreightError, RuntimeError):
    """An optimiser failed for a reason other than bad input."""

    exit_code = 4
