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

__all__ = ["BEYOND_SHORT_HAUL", "DEFAULT_RULEBOOK", "RATIO_TOL", "Rulebook", "available_rulebooks", "load_rulebook"]

DEFAULT_RULEBOOK = "changzhi-2024"

RATIO_TOL = 1e-6
"""One tolerance for "meets target" everywhere (accounting, ledger, planner, checker, maps): a ratio
meets a target ``t`` when it is at least ``t - RATIO_TOL`` (a millionth of the tonnes)."""

#: what a rulebook does with new-energy truck legs longer than its short-haul limit
BEYOND_SHORT_HAUL = ("not_clean", "separate", "clean")
#: what a rulebook does with the out-of-province rail rule: count it in the ratio and the target, or list it
OUT_OF_PROVINCE_RULES = ("enforce", "report")


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
    out_of_province_rule
        ``"enforce"``: road tonnes of ``rail_only_out_of_province`` commodities leaving the province never
        count as clean (a new-energy truck to a port is not "short-haul"), and an enterprise meets the target
        only when the rail share of those tonnes reaches :meth:`out_of_province_rail_share`; ``"report"``:
        they are only listed.
    out_of_province_phase_in
        ``(year, share)`` pairs: the share of those tonnes that must go by rail from that year on (step by
        step, "逐步实现"); years before the first pair: no requirement; no pairs: 1.0 (the end state).
    short_haul_max_km
        Longest new-energy truck leg (one way, road km) that counts as clean short-haul (短驳); ``None``: any.
    beyond_short_haul
        A longer new-energy truck leg is ``"not_clean"`` (in the denominator, not the numerator),
        ``"separate"`` (left out of the ratio and reported apart) or ``"clean"`` (no limit).
    short_haul_scope_t_per_year
        The short-haul limit applies to enterprises moving at least this many tonnes a year (the plan's
        "年运输量150万吨以上"); smaller enterprises' new-energy trucks count at any distance.
    no_backsliding
        Plans keep every enterprise at or above ``max(target, its current ratio)``.
    rail_no_decrease
        Plans keep every enterprise's and the city's rail tonnes (own spur + via a station) at or above today's.
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
    out_of_province_rule: str = "report"
    out_of_province_phase_in: tuple[tuple[int, float], ...] = ()
    short_haul_max_km: float | None = None
    beyond_short_haul: str = "clean"
    short_haul_scope_t_per_year: float = 0.0
    no_backsliding: bool = False
    rail_no_decrease: bool = False
    policy_source: str = ""
    path: str = field(default="", compare=False)

    def out_of_province_rail_share(self, year: int | None = None) -> float:
        """Share of out-of-province coal/coke tonnes that must go by rail in ``year`` (``None``: the end state)."""
        if not self.rail_only_out_of_province:
            return 0.0
        if not self.out_of_province_phase_in:
            return 1.0
        steps = sorted(self.out_of_province_phase_in)
        if year is None:
            return float(steps[-1][1])
        share = 0.0
        for y, v in steps:
            if y <= year:
                share = float(v)
        return share

    def with_policy(self, **changes: object) -> Rulebook:
        """A copy with policy settings changed (validated like a rulebook file)."""
        import dataclasses

        rb = dataclasses.replace(self, **changes)  # type: ignore[arg-type]
        problems = _policy_problems(rb, rb.path or rb.name)
        if problems:
            raise InputError(f"invalid policy settings for rulebook {rb.name}", problems)
        return rb

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
            "rail_only_out_of_province": sorted(self.rail_only_out_of_province),
            "out_of_province_rule": self.out_of_province_rule,
            "out_of_province_phase_in": [list(p) for p in self.out_of_province_phase_in],
            "short_haul_max_km": self.short_haul_max_km,
            "beyond_short_haul": self.beyond_short_haul,
            "short_haul_scope_t_per_year": self.short_haul_scope_t_per_year,
            "no_backsliding": self.no_backsliding,
            "rail_no_decrease": self.rail_no_decrease,
            "policy_source": self.policy_source,
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
    policy = raw.get("policy", {})
    if not isinstance(policy, dict):
        problems.append(Problem("expected a [policy] table", file=file, column="policy"))
        policy = {}
    known = {"no_backsliding", "rail_no_decrease", "out_of_province_rule", "out_of_province_phase_in",
             "short_haul_max_km", "beyond_short_haul", "short_haul_scope_t_per_year", "source"}
    for k in policy:
        if k not in known:
            problems.append(Problem(f"unknown policy setting; known: {', '.join(sorted(known))}", file=file,
                                    column=f"policy.{k}"))
    phase = policy.get("out_of_province_phase_in", {})
    phase_in: list[tuple[int, float]] = []
    if isinstance(phase, dict):
        for y, v in phase.items():
            try:
                phase_in.append((int(y), float(v)))
            except (TypeError, ValueError):
                problems.append(Problem("expected year = share, e.g. 2026 = 0.8", file=file,
                                        column="policy.out_of_province_phase_in", value=f"{y} = {v}"))
    else:
        problems.append(Problem("expected a table of year = share", file=file,
                                column="policy.out_of_province_phase_in", value=phase))
    sh = policy.get("short_haul_max_km")
    if problems:
        raise InputError(f"invalid rulebook {file}", problems)
    rb = Rulebook(
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
        out_of_province_rule=str(policy.get("out_of_province_rule", "report")),
        out_of_province_phase_in=tuple(sorted(phase_in)),
        short_haul_max_km=None if sh is None else sh,
        beyond_short_haul=str(policy.get("beyond_short_haul", "clean")),
        short_haul_scope_t_per_year=policy.get("short_haul_scope_t_per_year", 0.0),
        no_backsliding=policy.get("no_backsliding", False),
        rail_no_decrease=policy.get("rail_no_decrease", False),
        policy_source=str(policy.get("source", "")),
        path=file,
    )
    problems = _policy_problems(rb, file)
    if problems:
        raise InputError(f"invalid rulebook {file}", problems)
    return rb


def _policy_problems(rb: Rulebook, file: str) -> list[Problem]:
    """Every problem of a rulebook's ``[policy]`` settings."""
    out: list[Problem] = []

    def bad(col: str, msg: str, value: object) -> None:
        out.append(Problem(msg, file=file, column=f"policy.{col}", value=value))

    if rb.out_of_province_rule not in OUT_OF_PROVINCE_RULES:
        bad("out_of_province_rule", f"expected one of {', '.join(OUT_OF_PROVINCE_RULES)}", rb.out_of_province_rule)
    if rb.beyond_short_haul not in BEYOND_SHORT_HAUL:
        bad("beyond_short_haul", f"expected one of {', '.join(BEYOND_SHORT_HAUL)}", rb.beyond_short_haul)
    sh = rb.short_haul_max_km
    if sh is not None and (isinstance(sh, bool) or not isinstance(sh, int | float) or sh <= 0):
        bad("short_haul_max_km", "expected a distance in km > 0 (leave it out for no limit)", sh)
    scope = rb.short_haul_scope_t_per_year
    if isinstance(scope, bool) or not isinstance(scope, int | float) or scope < 0:
        bad("short_haul_scope_t_per_year", "expected tonnes per year >= 0", scope)
    for name in ("no_backsliding", "rail_no_decrease"):
        if not isinstance(getattr(rb, name), bool):
            bad(name, "expected true or false", getattr(rb, name))
    for y, v in rb.out_of_province_phase_in:
        if not 0 <= v <= 1:
            bad("out_of_province_phase_in", "a share must be between 0 and 1", f"{y} = {v}")
    return out
