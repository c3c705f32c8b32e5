"""Rulebooks: which transport chains count as clean, and the target they must reach.

What counts as clean transport is a policy choice that differs between documents (the Changzhi
city plan, the MEE steel and cement ultra-low-emission opinions), so it is data: a TOML file per
rulebook, with its source. The presets live in ``accounting/presets/``; users can write their own
and pass the file path wherever a rulebook name is accepted.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cleanfreight._paths import preset_dir
from cleanfreight.accounting.modes import MODES
from cleanfreight.errors import InputError, Problem

__all__ = ["DEFAULT_RULEBOOK", "Rulebook", "available_rulebooks", "load_rulebook"]

DEFAULT_RULEBOOK = "changzhi-2024"


@dataclass(frozen=True)
class Rulebook:
    """A clean-transport rulebook.

    Attributes
    ----------
    name, title_en, title_zh, source, confidence
        Identity and provenance, printed in every report.
    target
        Share of bulk tonnes (in + out) that must move by clean chains (0-1).
    clean_modes
        Modes (see :mod:`cleanfreight.accounting.modes`) that count toward the clean share.
    compliant_road_modes
        Modes outside the clean share that still satisfy the rule for the remaining road tonnage
        (e.g. new-energy or China VI trucks under the MEE steel rule).
    ne_share_of_shortfall
        Where set, new-energy trucks must carry at least this share of the road tonnage making up
        the shortfall (MEE cement rule, key regions).
    rail_only_out_of_province
        Commodities that must leave the province entirely by rail.
    bulk_commodities
        Commodities that count as bulk; others are left out of the ratio.
    """

    name: str
    title_en: str
    title_zh: str
    source: str
    target: float
    clean_modes: frozenset[str]
    compliant_road_modes: frozenset[str] = frozenset()
    ne_share_of_shortfall: float | None = None
    rail_only_out_of_province: frozenset[str] = frozenset()
    bulk_commodities: frozenset[str] = frozenset()
    confidence: str = ""
    path: str = field(default="", compare=False)

    def is_clean(self, mode: str) -> bool:
        """Whether tonnes moved by ``mode`` count toward the clean share."""
        return mode in self.clean_modes

    def is_compliant(self, mode: str) -> bool:
        """Whether ``mode`` is clean or an allowed road mode for the remaining tonnage."""
        return mode in self.clean_modes or mode in self.compliant_road_modes

    def is_bulk(self, commodity: str) -> bool:
        return not self.bulk_commodities or commodity in self.bulk_commodities

    def title(self, lang: str = "en") -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title_en,
            "title_zh": self.title_zh,
            "source": self.source,
            "target": self.target,
            "clean_modes": sorted(self.clean_modes),
            "compliant_road_modes": sorted(self.compliant_road_modes),
            "ne_share_of_shortfall": self.ne_share_of_shortfall,
        }


def available_rulebooks() -> list[str]:
    """Names of the rulebook presets shipped with cleanfreight."""
    return sorted(p.stem for p in preset_dir().glob("*.toml"))


def load_rulebook(name_or_path: str | Path = DEFAULT_RULEBOOK) -> Rulebook:
    """Load a preset by name (``changzhi-2024``, ``mee-steel-2019``, ``mee-cement-2024``) or a TOML file.

    Raises
    ------
    InputError
        Unknown preset, unreadable file, or invalid content (every problem listed).
    """
    text = str(name_or_path)
    path = Path(text)
    if not (text.endswith(".toml") or path.exists()):
        path = preset_dir() / f"{text}.toml"
        if not path.exists():
            raise InputError(
                f"unknown rulebook {text!r}; presets: {', '.join(available_rulebooks())} "
                "(or give the path of a .toml rulebook file)"
            )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"rulebook file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    return _from_dict(raw, str(path))


def _from_dict(raw: dict[str, object], file: str) -> Rulebook:
    problems: list[Problem] = []

    def need(key: str) -> object:
        if key not in raw:
            problems.append(Problem(f"missing required key {key!r}", file=file, column=key))
        return raw.get(key)

    def modes(key: str) -> frozenset[str]:
        value = raw.get(key, [])
        if not isinstance(value, list):
            problems.append(Problem("expected a list of modes", file=file, column=key, value=value))
            return frozenset()
        for m in value:
            if m not in MODES:
                problems.append(
                    Problem(f"unknown mode; expected one of {', '.join(MODES)}", file=file, column=key, value=m)
                )
        return frozenset(str(m) for m in value)

    name = need("name")
    target = need("target")
    need("clean_modes")
    if target is not None and not (isinstance(target, int | float) and 0 < float(target) <= 1):
        problems.append(Problem("target must be a share in (0, 1], e.g. 0.8", file=file, column="target", value=target))
    ne_share = raw.get("ne_share_of_shortfall")
    if ne_share is not None and not (isinstance(ne_share, int | float) and 0 <= float(ne_share) <= 1):
        problems.append(Problem("must be a share in [0, 1]", file=file, column="ne_share_of_shortfall", value=ne_share))
    clean = modes("clean_modes")
    compliant = modes("compliant_road_modes")
    if problems:
        raise InputError(f"invalid rulebook {file}", problems)
    return Rulebook(
        name=str(name),
        title_en=str(raw.get("title_en", name)),
        title_zh=str(raw.get("title_zh", raw.get("title_en", name))),
        source=str(raw.get("source", "")),
        confidence=str(raw.get("confidence", "")),
        target=float(target),  # type: ignore[arg-type]
        clean_modes=clean,
        compliant_road_modes=compliant,
        ne_share_of_shortfall=None if ne_share is None else float(ne_share),  # type: ignore[arg-type]
        rail_only_out_of_province=frozenset(str(c) for c in raw.get("rail_only_out_of_province", [])),  # type: ignore[attr-defined]
        bulk_commodities=frozenset(str(c) for c in raw.get("bulk_commodities", [])),  # type: ignore[attr-defined]
        path=file,
    )
