"""`cleanfreight demo`: the main job on the bundled (illustrative) Changzhi sample."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleanfreight.cli._common import JsonOption, LangOption, handle_errors, out, print_json, progress


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder")] = Path("maps/demo"),
    lang: LangOption = "en",
    json_out: JsonOption = False,
) -> None:
    """Run the main job on the Changzhi sample: baseline ratios, map, and the outputs of every stage."""
    _demo(out_dir, lang, json_out)


@handle_errors
def _demo(out_dir: Path, lang: str, json_out: bool) -> None:
    from cleanfreight._i18n import check_lang, t
    from cleanfreight.cli.baseline import baseline_table
    from cleanfreight.workflow import BaselineParams, run_baseline, write_baseline

    check_lang(lang)
    with progress("demo", quiet=json_out) as step:
        run = run_baseline(BaselineParams(lang=lang), step)
        step("writing baseline outputs and map")
        files = write_baseline(run, out_dir, lang=lang)
    if json_out:
        print_json({**run.report.summary(), "files": {k: str(v) for k, v in files.items()}})
        return
    out.print(f"[yellow]{t('illustrative', lang)}[/]")
    baseline_table(run, lang)
    out.print(f"written to {out_dir}: " + ", ".join(p.name for p in files.values()))


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
