"""`cleanfreight ledger` commands (placeholder until the feature lands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `ledger` commands to ``app``."""
