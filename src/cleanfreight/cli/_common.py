"""Shared plumbing of the command line: console, options, error handling, JSON output."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from cleanfreight.errors import CleanfreightError, InputError

console = Console(stderr=True)
# tables are wide: when printing to a pipe or file (80 columns by default) give them room
out = Console() if Console().is_terminal else Console(width=160)

P = ParamSpec("P")
R = TypeVar("R")

LangOption = Annotated[str, typer.Option("--lang", help="Language of what users read: en or zh.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON result on stdout.")]
OutOption = Annotated[Path, typer.Option("--out", help="Output folder (created if missing).")]


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn cleanfreight errors into a one-screen message and a documented exit code.

    Exit codes: 0 ok, 2 bad input, 3 network cannot be built, 4 solver failure, 1 other errors.
    """

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CleanfreightError as exc:
            console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except FileNotFoundError as exc:
            console.print(f"[bold red]error:[/] file not found: {exc.filename}", highlight=False)
            raise typer.Exit(InputError.exit_code) from None

    return wrapper


def print_written(files: Iterable[str | Path], lang: str = "en") -> None:
    """One line naming the files written: ``written to DIR: a.csv, b.json`` (folder-relative names)."""
    import os

    from cleanfreight._i18n import t

    paths = [Path(f) for f in files]
    if not paths:
        return
    folder = Path(os.path.commonpath([str(p.parent) for p in paths]))
    names = ", ".join(str(p.relative_to(folder)) for p in paths)
    out.print(t("files_written", lang, dir=folder, files=names), highlight=False)


def print_json(payload: Any) -> None:
    """Print ``payload`` as JSON on stdout (non-ASCII kept readable)."""
    from cleanfreight._io import json_text

    sys.stdout.write(json_text(payload, ensure_ascii=False, indent=2, default=_json_default) + "\n")


def _json_default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


@contextmanager
def progress(description: str, *, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A rich progress display on stderr; yields ``step(text)`` to advance with a new label."""
    if quiet or not console.is_terminal:
        def step_quiet(text: str) -> None:
            logging.getLogger("cleanfreight.cli").info(text)

        yield step_quiet
        return
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None)

        def step(text: str) -> None:
            bar.update(task, description=text, advance=1)

        yield step


def setup_logging(verbose: int) -> None:
    from rich.logging import RichHandler

    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(message)s", handlers=[RichHandler(console=console, show_path=False)])
