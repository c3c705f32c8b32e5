"""`cleanfreight ledger` commands: import gate / rail / meter records, report, check, trend.

One module per command, each with a ``register(ledger)`` function; the options and helpers they share
(the ledger opened for reading, the roster, tables) are in ``_shared``.
"""

from __future__ import annotations

import typer

from cleanfreight.cli.ledger import checks, export, ingest, recode, rejects, report, sample, trend

__all__ = ["register"]

#: the commands in the order ``cleanfreight ledger --help`` lists them
_COMMANDS = (ingest, report, recode, rejects, checks, trend, export, sample)


def register(app: typer.Typer) -> None:
    """Add the `ledger` commands to ``app``."""
    ledger = typer.Typer(
        rich_markup_mode=None,
        help="Gate-record ledger: import gate passages, rail waybills and meter readings; monthly reports.",
        no_args_is_help=True,
    )
    app.add_typer(ledger, name="ledger")
    for module in _COMMANDS:
        module.register(ledger)
