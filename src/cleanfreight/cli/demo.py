"""`cleanfreight demo`: the main job on the bundled (illustrative) Changzhi sample."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleanfreight.cli._common import JsonOption, LangOption, handle_errors, out, print_json, progress


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder")] = Path("maps/demo"),
    lang: LangOption = "en",
    scale: Annotated[float, typer.Option(help="Scale of the generated sample year of gate records (1 = full)")] = 0.05,
    json_out: JsonOption = False,
) -> None:
    """Run the main job on the Changzhi sample: baseline → plan → a year of records in the ledger → briefing."""
    _demo(out_dir, lang, scale, json_out)


@handle_errors
def _demo(out_dir: Path, lang: str, scale: float, json_out: bool) -> None:
    from cleanfreight._i18n import check_lang, t
    from cleanfreight.cli.baseline import baseline_table
    from cleanfreight.workflow import run_demo

    check_lang(lang)
    with progress("demo", quiet=json_out) as step:
        res = run_demo(out_dir, lang=lang, step=step, ledger_scale=scale)
    if json_out:
        print_json({**res.summary, "files": {k: str(v) for k, v in res.files.items()}})
        return
    out.print(f"[yellow]{t('illustrative', lang)}[/]")
    baseline_table(res.baseline, lang)
    led = res.summary["ledger"]
    out.print(f"ledger: {led['accepted']:,} records accepted, {led['rejected']:,} rejected, "
              f"{led['duplicates']:,} duplicates; monthly tracking in {out_dir / 'ledger' / 'monthly.csv'}")
    out.print(f"written to {out_dir}: summary.json, enterprises.csv, map.html, plan/, ledger.duckdb, brief/")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
