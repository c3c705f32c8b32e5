"""`cleanfreight plan` commands (placeholder until the feature lands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `plan` commands to ``app``."""
