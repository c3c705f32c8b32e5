"""Cargo name -> bulk commodity: the built-in rules and user mapping files merged over them.

Every export names its cargo in its own words (``二号洗精煤``, ``高炉水渣微粉``, ``PB粉``). The
ledger stores a **commodity** of the flows vocabulary (``coal``, ``coke``, ``iron_ore`` ...,
:data:`cleanfreight.enterprises.COMMODITIES`) for each record; a rulebook then says which commodities
count as bulk. The built-in rules (:data:`cleanfreight.ledger._normalise.CARGO_RULES`) match
substrings; a :class:`CargoMap` adds the names of one region or one enterprise:

.. code-block:: toml

    # cargo_map.toml
    [exact]            # the whole name (trimmed, case and full-width letters ignored)
    "PB粉" = "iron_ore"
    "二号洗精煤" = "coal"
    [contains]         # any name containing the text
    "水渣" = "slag"
    "精矿" = "铁矿石"    # a commodity id, or a word the built-in rules map (铁矿石 -> iron_ore)

YAML takes the same two tables. CSV has one row per name: ``cargo,commodity[,match]`` or
``货物名称,货物类别[,匹配方式]`` (``match``: ``exact`` / ``精确`` (default) or ``contains`` / ``包含``).

Look-up order: exact user names, then user substrings (longest first), then the built-in rules;
a name none of them knows is ``other`` and stays flagged by the ``unknown_cargo`` check.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleanfreight.enterprises import COMMODITIES
from cleanfreight.errors import InputError, Problem
from cleanfreight.ledger import _normalise as nz

if TYPE_CHECKING:
    import duckdb

__all__ = ["COMMODITY_IDS", "CargoMap", "load_cargo_map", "recode_cargo"]

logger = logging.getLogger(__name__)

#: commodities a cargo name can map to (the flows vocabulary of ``docs/data-format.md``)
COMMODITY_IDS: tuple[str, ...] = COMMODITIES

_MATCH_WORDS = {"exact": "exact", "精确": "exact", "": "exact", "contains": "contains", "包含": "contains"}
_CSV_HEADERS = {
    "cargo": "cargo",
    "货物名称": "cargo",
    "运输货物名称": "cargo",
    "品名": "cargo",
    "commodity": "commodity",
    "货物类别": "commodity",
    "类别": "commodity",
    "match": "match",
    "匹配方式": "match",
}


def cargo_key(name: str) -> str:
    """A cargo name as the look-up compares it: full-width to half-width, trimmed, lower case."""
    return nz.halfwidth(name).strip().lower()


def builtin_commodity(name: str) -> str:
    """Commodity of ``name`` under the built-in substring rules (``'other'`` if none matches)."""
    low = nz.halfwidth(name).lower()
    for sub, commodity in nz.CARGO_RULES:
        if sub in low:
            return commodity
    return "other"


@dataclass(frozen=True, slots=True)
class CargoMap:
    """User cargo names merged over the built-in rules.

    Parameters
    ----------
    exact
        Cargo name -> commodity id, matched on the whole name (see :func:`cargo_key`).
    contains
        Text -> commodity id, for any name containing the text; longer texts are tried first.
    source
        Where the map came from (named in messages).

    Raises
    ------
    InputError
        Listing every empty name and every commodity outside :data:`COMMODITY_IDS`.
    """

    exact: dict[str, str] = field(default_factory=dict)
    contains: dict[str, str] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self) -> None:
        problems = []
        for table in ("exact", "contains"):
            for name, commodity in getattr(self, table).items():
                if not cargo_key(name):
                    problems.append(Problem("empty cargo name", file=self.source, column=table))
                if commodity not in COMMODITY_IDS:
                    problems.append(
                        Problem(
                            f"unknown commodity for {name!r}; expected one of {', '.join(COMMODITY_IDS)}",
                            file=self.source,
                            column=table,
                            value=commodity,
                        )
                    )
        if problems:
            raise InputError("invalid cargo mapping", problems)

    def __len__(self) -> int:
        return len(self.exact) + len(self.contains)

    def _exact_keys(self) -> dict[str, str]:
        return {cargo_key(k): v for k, v in self.exact.items()}

    def _contains_keys(self) -> list[tuple[str, str]]:
        keys = {cargo_key(k): v for k, v in self.contains.items()}
        return sorted(keys.items(), key=lambda kv: (-len(kv[0]), kv[0]))

    def commodity(self, name: str | None) -> str:
        """Commodity of a cargo name: user names first, then the built-in rules, else ``'other'``."""
        if name is None:
            return "other"
        key = cargo_key(name)
        exact = self._exact_keys()
        if key in exact:
            return exact[key]
        for sub, commodity in self._contains_keys():
            if sub in key:
                return commodity
        return builtin_commodity(name)

    def sql(self, expr: str) -> str:
        """SQL expression of the commodity of the raw cargo text ``expr`` (DuckDB and PostgreSQL)."""
        builtin = nz.commodity_sql(expr)
        if not len(self):
            return builtin
        key = f"lower(trim({nz.halfwidth_sql(expr)}))"
        parts = []
        exact = self._exact_keys()
        if exact:
            whens = " ".join(f"WHEN {nz.quote(k)} THEN {nz.quote(v)}" for k, v in exact.items())
            parts.append(f"(CASE {key} {whens} END)")
        rules = self._contains_keys()
        if rules:
            whens = " ".join(f"WHEN strpos({key}, {nz.quote(k)}) > 0 THEN {nz.quote(v)}" for k, v in rules)
            parts.append(f"(CASE {whens} END)")
        return f"coalesce({', '.join(parts)}, {builtin})"


def _commodity_value(value: Any) -> str:
    """A commodity id, or a word the built-in rules map (``煤炭`` -> ``coal``); unknown kept as is."""
    text = str(value).strip()
    if text.lower() in COMMODITY_IDS:
        return text.lower()
    mapped = builtin_commodity(text)
    return text if mapped == "other" else mapped


def load_cargo_map(path: str | Path) -> CargoMap:
    """Read a :class:`CargoMap` from a TOML, YAML or CSV file (see the module docstring).

    Raises
    ------
    InputError
        Listing every problem of the file (unknown settings, empty names, unknown commodities,
        a name given twice with different commodities, with the CSV row).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"cargo mapping file {p} not found", [Problem("file not found", file=str(p))])
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return _load_csv(p)
    text = p.read_text(encoding="utf-8-sig")
    data: Any
    if suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"cannot read cargo mapping {p}", [Problem(str(exc), file=str(p))]) from None
    elif suffix == ".toml":
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"cannot read cargo mapping {p}", [Problem(str(exc), file=str(p))]) from None
    else:
        raise InputError(
            f"cannot read cargo mapping {p}",
            [Problem("expected a .toml, .yaml/.yml or .csv file", file=str(p), value=p.suffix)],
        )
    if not isinstance(data, dict):
        raise InputError(f"cargo mapping {p} must hold [exact] and / or [contains] tables")
    exact: dict[str, str] = {}
    contains: dict[str, str] = {}
    problems: list[Problem] = []
    for k, v in data.items():
        if k in ("exact", "cargo", "contains") and isinstance(v, dict):
            target = contains if k == "contains" else exact
            target.update({str(name): _commodity_value(c) for name, c in v.items()})
        elif isinstance(v, str):  # top-level name = commodity: an exact name
            exact[str(k)] = _commodity_value(v)
        else:
            problems.append(
                Problem("unknown setting; expected [exact] and [contains] tables", file=str(p), column=str(k))
            )
    if problems:
        raise InputError(f"invalid cargo mapping {p}", problems)
    return CargoMap(exact, contains, source=str(p))


def _load_csv(p: Path) -> CargoMap:
    import csv

    from cleanfreight.ledger._readers import detect_encoding

    enc = detect_encoding(p)
    with p.open(encoding=enc, newline="") as fh:
        lines = [(i, line) for i, line in enumerate(fh, start=1) if line.strip() and not line.startswith("#")]
    if not lines:
        raise InputError(f"cargo mapping {p} is empty", [Problem("no header row", file=str(p))])
    rows = list(csv.reader([line.lstrip("\ufeff") for _, line in lines]))
    header = [_CSV_HEADERS.get(re.sub(r"\s", "", h).lower(), h) for h in rows[0]]
    problems = [
        Problem(f"missing column {need!r} (or its Chinese name)", file=str(p), column=need)
        for need in ("cargo", "commodity")
        if need not in header
    ]
    if problems:
        raise InputError(f"invalid cargo mapping {p}", problems)
    exact: dict[str, str] = {}
    contains: dict[str, str] = {}
    for (lineno, _), cells in zip(lines[1:], rows[1:], strict=True):
        row = dict(zip(header, cells, strict=False))
        name, commodity = row.get("cargo", "").strip(), _commodity_value(row.get("commodity", ""))
        match = _MATCH_WORDS.get(row.get("match", "").strip().lower())
        if not name:
            problems.append(Problem("empty cargo name", file=str(p), row=lineno, column="cargo"))
            continue
        if commodity not in COMMODITY_IDS:
            problems.append(
                Problem(
                    f"unknown commodity; expected one of {', '.join(COMMODITY_IDS)}",
                    file=str(p),
                    row=lineno,
                    column="commodity",
                    value=row.get("commodity"),
                )
            )
        if match is None:
            problems.append(
                Problem(
                    "match must be exact/精确 or contains/包含",
                    file=str(p),
                    row=lineno,
                    column="match",
                    value=row.get("match"),
                )
            )
            continue
        target = exact if match == "exact" else contains
        if cargo_key(name) in {cargo_key(k) for k in target} and target.get(name) != commodity:
            problems.append(
                Problem(
                    "cargo name given twice with different commodities",
                    file=str(p),
                    row=lineno,
                    column="cargo",
                    value=name,
                )
            )
        target[name] = commodity
    if problems:
        raise InputError(f"invalid cargo mapping {p}", problems)
    return CargoMap(exact, contains, source=str(p))


def recode_cargo(
    db: str | Path | duckdb.DuckDBPyConnection, cargo_map: CargoMap | str | Path | None = None
) -> dict[str, int]:
    """Re-derive the commodity of every stored record from its cargo name under ``cargo_map``.

    Imports only classify new rows, so after writing a cargo mapping for names the
    ``unknown_cargo`` check listed, run this once (CLI ``ledger recode``). The de-duplication keys
    do not depend on the commodity, so later imports of the same files stay idempotent.

    Returns
    -------
    dict
        ``{"old -> new": records changed}``.
    """
    from cleanfreight.ledger._db import connection

    cmap = load_cargo_map(cargo_map) if isinstance(cargo_map, str | Path) else cargo_map or CargoMap()
    if isinstance(db, str | Path) and str(db) != ":memory:" and not Path(db).exists():
        raise InputError(f"ledger database {db} does not exist", [Problem("file not found", file=str(db))])
    new = cmap.sql("cargo")
    con, owned = connection(db)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            changes = con.execute(
                f"SELECT commodity, {new} AS new, count(*) FROM records WHERE commodity <> {new} "
                "GROUP BY ALL ORDER BY 1, 2"
            ).fetchall()
            con.execute(f"UPDATE records SET commodity = {new} WHERE commodity <> {new}")
            con.execute(f"UPDATE meter_readings SET commodity = {new} WHERE commodity <> {new}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        if owned:
            con.close()
    out = {f"{old} -> {nw}": int(n) for old, nw, n in changes}
    logger.info("recoded %d record(s): %s", sum(out.values()), out)
    return out
