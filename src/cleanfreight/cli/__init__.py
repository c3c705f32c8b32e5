"""The ``cleanfreight`` command line.

Each command (or command group) lives in its own module: module-level command functions, each
decorated with :func:`~cleanfreight.cli._common.handle_errors` and taking ``--lang``, and a
``register(app)`` function; this module only assembles them. ``--help`` is in Chinese with ``--lang zh``
or ``CLEANFREIGHT_LANG=zh`` (:mod:`._help`). Heavy libraries are imported inside the commands so ``--help`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from cleanfreight.cli._common import handle_errors, setup_logging
from cleanfreight.cli._help import LocalizedGroup

__all__ = ["app", "main"]

app = typer.Typer(rich_markup_mode=None,
    cls=LocalizedGroup,
    name="cleanfreight",
    help="Plan and monitor clean bulk-freight transport (long-haul rail + new-energy short-haul).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_COMMAND_MODULES = (
    "demo", "network", "baseline", "ledger", "plan", "dispatch", "brief", "map", "serve", "sample",
)


@app.callback()
@handle_errors
def _root(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output (-vv for debug).")] = 0,
    lang: Annotated[
        str,
        typer.Option("--lang", help="Language of the help: en or zh (each command has its own --lang too)."),
    ] = "en",
) -> None:
    from cleanfreight._i18n import check_lang

    check_lang(lang)
    setup_logging(verbose)


for _name in _COMMAND_MODULES:
    _mod = importlib.import_module(f"cleanfreight.cli.{_name}")
    _mod.register(app)


def main() -> None:
    """Entry point of the ``cleanfreight`` script."""
    app()
