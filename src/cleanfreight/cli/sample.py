"""`cleanfreight sample`: write a seeded, illustrative instance at province scale for benchmarks and trials."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleanfreight.cli._common import (
    JsonOption,
    LangOption,
    handle_errors,
    print_json,
    print_written,
    progress,
)


def register(app: typer.Typer) -> None:
    @app.command("sample")
    @handle_errors
    def sample(
        out_dir: Annotated[Path, typer.Option("--out", help="Folder to write into (created)")],
        scale: Annotated[str, typer.Option(help="Only 'province' so far: a Shanxi-sized instance")] = "province",
        seed: Annotated[int, typer.Option(help="Seed of every random choice")] = 2026,
        enterprises: Annotated[int, typer.Option(help="Key enterprises")] = 2000,
        stations: Annotated[int, typer.Option(help="Rail freight stations")] = 200,
        ways: Annotated[int, typer.Option(help="Road ways in the OSM PBF")] = 1_500_000,
        records: Annotated[int, typer.Option(help="Gate records in the year")] = 100_000_000,
        year: Annotated[int, typer.Option(help="Year of the gate records")] = 2026,
        parts: Annotated[str, typer.Option(help="Comma-separated parts: sites, roads, records")] = "sites,roads,records",
        json_out: JsonOption = False,
        lang: LangOption = "en",
    ) -> None:
        """Write a seeded province-scale instance (illustrative data): sites, an OSM PBF, a year of gate records."""
        from cleanfreight._i18n import check_lang
        from cleanfreight.errors import InputError, Problem
        from cleanfreight.jobs.province import ProvinceParams, make_province

        check_lang(lang)
        if scale != "province":
            raise InputError("unknown scale", [Problem("expected 'province'", column="--scale", value=scale)])
        params = ProvinceParams(
            seed=seed, enterprises=enterprises, stations=stations, ways=ways, records=records, year=year
        )
        chosen = [p.strip() for p in parts.split(",") if p.strip()]
        with progress("writing the province instance", quiet=json_out) as step:
            step("writing the province instance")
            files = make_province(params, out_dir, chosen)
        if json_out:
            print_json({"files": {k: str(v) for k, v in files.items()}})
            return
        print_written(list(files.values()), lang)
