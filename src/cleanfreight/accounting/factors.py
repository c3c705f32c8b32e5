"""Emission, energy and cost factors, kept as data with their sources.

The defaults live in ``presets/factors.csv`` (key, value, unit, source, confidence, notes). Every
value can be overridden from a user CSV of the same shape or a ``{key: value}`` mapping, so a
bureau can put in its own verified figures; reports list the factors they used.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cleanfreight._paths import preset_dir
from cleanfreight.errors import InputError, Problem

__all__ = ["Factor", "Factors", "load_factors"]


@dataclass(frozen=True, slots=True)
class Factor:
    key: str
    value: float
    unit: str
    source: str
    confidence: str
    notes: str = ""


@dataclass(frozen=True)
class Factors:
    """A set of factors; ``factors["grid.co2_kg_per_kwh"]`` gives the value."""

    items: Mapping[str, Factor] = field(default_factory=dict)

    def __getitem__(self, key: str) -> float:
        try:
            return self.items[key].value
        except KeyError:
            raise InputError(f"unknown factor {key!r}; known: {', '.join(sorted(self.items))}") from None

    def __contains__(self, key: object) -> bool:
        return key in self.items

    def table(self) -> list[dict[str, object]]:
        """Rows for reports: key, value, unit, source, confidence."""
        return [
            {"key": f.key, "value": f.value, "unit": f.unit, "source": f.source, "confidence": f.confidence}
            for f in self.items.values()
        ]

    def with_overrides(self, overrides: Mapping[str, float], source: str = "user override") -> Factors:
        problems = [
            Problem("unknown factor key", column="key", value=k) for k in overrides if k not in self.items
        ]
        problems += [
            Problem("factor value must be a number >= 0", column=k, value=v)
            for k, v in overrides.items()
            if not isinstance(v, int | float) or v < 0
        ]
        if problems:
            raise InputError("invalid factor overrides", problems)
        items = dict(self.items)
        for k, v in overrides.items():
            old = items[k]
            items[k] = Factor(k, float(v), old.unit, source, "user", old.notes)
        return Factors(items)


def _read(path: Path) -> dict[str, Factor]:
    text = path.read_text(encoding="utf-8-sig")
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    required = {"key", "value", "unit", "source"}
    missing = required - set(reader.fieldnames or [])
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}; expected key,value,unit,source")
    items: dict[str, Factor] = {}
    problems: list[Problem] = []
    for rowno, row in enumerate(reader, start=2):
        try:
            value = float(row["value"])
        except (TypeError, ValueError):
            problems.append(Problem("expected a number", file=str(path), row=rowno, column="value", value=row["value"]))
            continue
        if not row.get("source"):
            problems.append(Problem("every factor needs a source", file=str(path), row=rowno, column="source"))
        key = row["key"].strip()
        items[key] = Factor(key, value, row["unit"], row.get("source", ""), row.get("confidence") or "", row.get("notes") or "")
    if problems:
        raise InputError(f"invalid factors file {path}", problems)
    return items


def load_factors(path: str | Path | None = None, overrides: Mapping[str, float] | None = None) -> Factors:
    """Load the default factors, then a user CSV (same columns) on top, then ``overrides``."""
    items = _read(preset_dir() / "factors.csv")
    factors = Factors(items)
    if path is not None:
        user = _read(Path(path))
        unknown = [Problem("unknown factor key", file=str(path), column="key", value=k) for k in user if k not in items]
        if unknown:
            raise InputError(f"invalid factors file {path}", unknown)
        factors = Factors({**items, **user})
    if overrides:
        factors = factors.with_overrides(overrides)
    return factors
