"""Shared plumbing of the command line: console, options, error handling, JSON output."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
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
OutDirOption = Annotated[Path | None, typer.Option("--out", help="Output folder (created if missing).")]
RulesOption = Annotated[str, typer.Option("--rules", help="Rulebook preset or TOML file.")]
TilesOption = Annotated[
    list[str] | None,
    typer.Option("--tiles", help="Optional online tile layer, unticked by default: osm, amap (GCJ-02), tianditu:KEY."),
]
EnterprisesOption = Annotated[
    Path | None,
    typer.Option("--enterprises", help="Folder with your enterprise tables (default: the Changzhi sample)."),
]


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn cleanfreight errors into a one-screen message and a documented exit code.

    Exit codes: 0 ok, 2 bad input, 3 network cannot be built, 4 solver failure, 1 other errors.
    """

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CleanfreightError as exc:
            # the message is the user's text (file names, cell values, "[exact]" tables): never rich markup
            console.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except FileNotFoundError as exc:
            console.print(f"[bold red]error:[/] file not found: {escape(str(exc.filename))}", highlight=False)
            raise typer.Exit(InputError.exit_code) from None
        except (IsADirectoryError, NotADirectoryError, PermissionError) as exc:
            what = {IsADirectoryError: "is a folder, expected a file", NotADirectoryError: "is not a folder",
                    PermissionError: "cannot be read (permission denied)"}[type(exc)]
            console.print(f"[bold red]error:[/] {exc.filename} {what}", highlight=False)
            raise typer.Exit(InputError.exit_code) from None
        except UnicodeDecodeError as exc:
            # a binary or non-UTF-8 file given where a text file (TOML, YAML, JSON, CSV) was expected
            files = ", ".join(str(p) for p in _unreadable_text_files([*args, *kwargs.values()])) or "an input file"
            console.print(
                f"[bold red]error:[/] {files}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                "expected a text file (TOML / YAML / JSON / CSV) saved as UTF-8",
                highlight=False,
            )
            raise typer.Exit(InputError.exit_code) from None
        except Exception as exc:
            import pandas as pd

            if isinstance(exc, pd.errors.ParserError | pd.errors.EmptyDataError):
                files = ", ".join(str(p) for p in _input_files([*args, *kwargs.values()]) if p.suffix.lower() in (".csv", ".txt"))
                console.print(
                    f"[bold red]error:[/] {files or 'a CSV file'}: not a valid CSV table ({exc})", highlight=False
                )
                raise typer.Exit(InputError.exit_code) from None
            raise

    return wrapper


#: suffixes of the text files a command reads (others, such as a .duckdb ledger, are binary)
_TEXT_SUFFIXES = (".toml", ".yaml", ".yml", ".json", ".geojson", ".csv", ".txt", ".tsv", ".vrp", ".sol")


def _input_files(values: list[Any]) -> list[Path]:
    """Existing text files among a command's arguments (paths, or strings naming a file)."""
    paths: list[Path] = []
    for value in values:
        for v in value if isinstance(value, list | tuple) else [value]:
            if isinstance(v, str) and "=" in v:
                v = v.split("=", 1)[1]  # NAME=FILE
            if isinstance(v, str | Path) and str(v) and Path(v).suffix.lower() in _TEXT_SUFFIXES:
                with contextlib.suppress(OSError):
                    if Path(v).is_file():
                        paths.append(Path(v))
    return paths


def _unreadable_text_files(values: list[Any]) -> list[Path]:
    """The path arguments of a command that are not UTF-8 text (to name them in the error)."""
    bad = []
    for p in _input_files(values):
        try:
            with p.open("rb") as fh:
                fh.read(1 << 20).decode("utf-8")
        except UnicodeDecodeError:
            bad.append(p)
        except OSError:
            continue
    return bad


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


def named_files(files: Iterable[str | Path]) -> dict[str, str]:
    """The files a command wrote in the one shape every ``--json`` uses: ``{file name: path}``."""
    return {Path(f).name: str(f) for f in files}


def target_file(out: Path | None, file: Path | None, name: str) -> Path | None:
    """The single file a command writes: ``--file FILE``, else ``name`` inside the ``--out`` folder.

    ``--out`` is a folder everywhere; an ``--out`` with a file suffix that is not an existing folder
    (``--out rejects.csv``) is the file itself, as before: kept for users' scripts, with a deprecation
    warning.
    """
    if file is not None:
        return file
    if out is None:
        return None
    if out.suffix and not out.is_dir():
        console.print(
            f"[yellow]warning:[/] --out {escape(str(out))} names a file: --out is a folder; use --file "
            f"{escape(str(out))} (this spelling is deprecated and will go)",
            highlight=False,
        )
        return out
    return out / name


def print_json(payload: Any) -> None:
    """Print ``payload`` as JSON on stdout (non-ASCII kept readable)."""
    from cleanfreight._io import json_text

    sys.stdout.write(json_text(payload, ensure_ascii=False, indent=2) + "\n")


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
