"""The ``cleanfreight`` command line.

Each command group lives in its own module with a ``register(app)`` function; this module only
assembles them. Heavy libraries are imported inside the commands so ``--help`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from cleanfreight.cli._common import setup_logging

__all__ = ["app", "main"]

app = typer.Typer(rich_markup_mode=None,
    name="cleanfreight",
    help="Plan and monitor clean bulk-freight transport (long-haul rail + new-energy short-haul).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_COMMAND_MODULES = ("demo", "network", "baseline", "ledger", "plan", "dispatch", "brief", "serve", "sample")


@app.callback()
def _root(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output (-vv for debug).")] = 0,
) -> None:
    setup_logging(verbose)


for _name in _COMMAND_MODULES:
    _mod = importlib.import_module(f"cleanfreight.cli.{_name}")
    _mod.register(app)


def main() -> None:
    """Entry point of the ``cleanfreight`` script."""
    app()
