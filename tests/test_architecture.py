"""The layers of the package, read from every import (module-level and inside functions, typing too).

From the bottom: plumbing (``_``-modules, ``errors``) → ``accounting``, ``network`` → ``enterprises`` →
``planning``, ``ledger``, ``dispatch`` (the engines) → ``reports`` (renderers, which only draw) →
``jobs`` (orchestration; ``workflow`` is its deprecated alias) → ``server`` (the platform) → ``cli``. A package imports only from
below itself, and no two modules import each other, directly or around a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[1] / "src" / "cleanfreight"
RANK = {
    "accounting": 1,
    "network": 1,
    "enterprises": 2,
    "planning": 3,
    "ledger": 3,
    "dispatch": 3,
    "reports": 4,
    "jobs": 5,
    "workflow": 6,
    "server": 6,
    "cli": 7,
}


def _module(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.parts[-1] == "__init__" else rel.parts
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        me = _module(path)
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cleanfreight"):
                deps.add(node.module)
                deps.update(f"{node.module}.{a.name}" for a in node.names)  # a submodule imported by name
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("cleanfreight"))
        out[me] = deps
    known = set(out)
    return {m: {d for d in deps if d in known and d != m} for m, deps in out.items()}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_package_imports_only_from_below() -> None:
    upward = sorted(
        f"{m} -> {d}"
        for m, deps in _imports().items()
        for d in deps
        if _package(m) in RANK and _package(d) in RANK and _package(d) != _package(m)
        and RANK[_package(d)] >= RANK[_package(m)]
    )
    assert upward == []


def test_plumbing_imports_no_concept() -> None:
    low = sorted(
        f"{m} -> {d}"
        for m, deps in _imports().items()
        for d in deps
        if _package(m) not in RANK and m != "cleanfreight" and _package(d) in RANK
    )
    assert low == []


def test_no_import_cycle_between_modules() -> None:
    graph = nx.DiGraph([(m, d) for m, deps in _imports().items() for d in deps
                        if not (d == "cleanfreight" or m.startswith(d + "."))])  # a package's own __init__
    cycles = [c for c in nx.simple_cycles(graph) if len(c) > 1]
    assert cycles == []


#: the longest a module may grow; split along its seams beyond that
MAX_MODULE_LINES = 600
#: modules allowed over the limit, each with the reason (path relative to src/cleanfreight): none today
LONG_MODULES_ALLOWED: set[str] = set()


def test_no_module_over_600_lines() -> None:
    long = sorted(
        f"{rel} ({n} lines)"
        for path in SRC.rglob("*.py")
        if (rel := path.relative_to(SRC).as_posix()) not in LONG_MODULES_ALLOWED
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    )
    assert long == []
