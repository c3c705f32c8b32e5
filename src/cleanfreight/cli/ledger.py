"""`cleanfreight ledger` commands: import gate / rail / meter records, report, check, trend."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cleanfreight._io import write_csv
from cleanfreight.cli._common import (
    JsonOption,
    LangOption,
    console,
    handle_errors,
    out,
    print_json,
    print_written,
)

if TYPE_CHECKING:
    from cleanfreight.enterprises import Roster

DbOption = Annotated[
    Path, typer.Option("--db", help="Ledger database file (DuckDB; created on first import).")
]
WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        help="Seconds to wait while another process holds the ledger file (one writer at a time).",
        min=0,
    ),
]
RulesOption = Annotated[
    str,
    typer.Option(
        "--rules", help="Rulebook preset (changzhi-2024, mee-steel-2019, mee-cement-2024) or TOML file."
    ),
]
RosterOption = Annotated[
    str | None,
    typer.Option(
        "--enterprises",
        "--roster",  # the older spelling, kept for users' scripts
        help="Enterprise folder (enterprises.csv, flows.csv, mode_split.csv), or 'sample'.",
    ),
]


# -- reading a Parquet export (--parquet / --engine; issue 14) -----------------------------------
ReadDbOption = Annotated[Path | None, typer.Option("--db", help="Ledger database file (DuckDB).")]
ParquetOption = Annotated[
    Path | None,
    typer.Option("--parquet", help="Read a Parquet export instead of --db (cleanfreight ledger export)."),
]
EngineOption = Annotated[
    str | None,
    typer.Option("--engine", help="Engine for --parquet: duckdb (default, in process) or spark."),
]


def _open_ledger(db: Path | None, parquet: Path | None, engine: str | None, wait: float) -> Any:
    """The ledger to read: ``--db`` (DuckDB file) or ``--parquet`` with ``--engine``."""
    from cleanfreight.errors import InputError, Problem
    from cleanfreight.ledger import Ledger
    from cleanfreight.ledger.front import ENGINES

    if engine is not None and engine not in ENGINES:
        raise InputError("unknown engine", [Problem(f"expected one of {', '.join(ENGINES)}", column="--engine", value=engine)])
    if (db is None) == (parquet is None):
        raise InputError("give either --db (a ledger database) or --parquet (a Parquet export)")
    if parquet is not None:
        return Ledger.open_parquet(parquet, engine=engine or "duckdb")
    if engine == "spark":
        raise InputError(
            "the Spark engine reads a Parquet export",
            [Problem("write one with `cleanfreight ledger export --db DB --parquet DIR`, then use --parquet DIR", column="--engine", value=engine)],
        )
    assert db is not None
    return Ledger.open(db, read_only=True, wait=wait)


def _lang(lang: str) -> None:
    """Refuse an unknown ``--lang`` before any work."""
    from cleanfreight._i18n import check_lang

    check_lang(lang)


def _roster(value: str | None) -> Roster | None:
    if value is None:
        return None
    from cleanfreight.enterprises import load_enterprises

    return load_enterprises(None if value == "sample" else value)


#: columns shown as percentages, and as whole tonnes
_PERCENT = {
    "clean_ratio",
    "road_compliance",
    "ratio_after",
    "ratio_prev",
    "coverage_tonnes",
    "coverage_enterprises",
}
_TONNES = {"tonnes_total", "tonnes_clean", "gap_tonnes", "tonnes", "tonnes_reported", "tonnes_expected"}


def _table(
    rows: list[dict[str, Any]],
    columns: list[str],
    title: str,
    lang: str = "en",
    percent: set[str] | frozenset[str] = frozenset(),
) -> None:
    """A rich table with headers in ``lang``; ratio columns (and ``percent``) as %, tonnes to the tonne."""
    from rich.markup import escape
    from rich.table import Table

    import cleanfreight.ledger.report  # noqa: F401 - registers the report's labels
    from cleanfreight.ledger._labels import lt

    tab = Table(title=title)
    for c in columns:
        numeric = c in _PERCENT or c in _TONNES or c in percent or c == "rank"
        tab.add_column(lt(c, lang), justify="right" if numeric else "left")
    for r in rows:
        tab.add_row(
            *[
                escape(
                    _fmt(
                        r.get(c),
                        "percent" if c in _PERCENT or c in percent else "tonnes" if c in _TONNES else "",
                    )
                )
                for c in columns
            ]
        )
    out.print(tab)


def _fmt(v: Any, kind: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if kind == "percent" and isinstance(v, int | float):
        return f"{v:.1%}"
    if kind == "tonnes" and isinstance(v, int | float):
        return f"{v:,.0f}"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:,.1f}"
    return str(v)


def _checks_table(df: Any, lang: str) -> Any:
    """The anomalies as a person reads them: English keeps the codes (scripts read the CSV); other
    languages get labelled headers, check names, severities and details; tonnes to 0.1 t."""
    from cleanfreight._i18n import vocab
    from cleanfreight.ledger._labels import detail_text, lt

    out_df = df.copy()
    out_df["tonnes"] = out_df["tonnes"].astype(float).round(1)
    if lang == "en":
        return out_df
    out_df["check"] = out_df["check"].map(lambda c: vocab("check", c, lang))
    out_df["severity"] = out_df["severity"].map(lambda c: vocab("severity", c, lang))
    out_df["detail"] = out_df["detail"].map(lambda d: detail_text(str(d), lang))
    return out_df.rename(columns={c: lt(c, lang) for c in out_df.columns})


def _trend_table(res: Any, names: dict[str, str], lang: str) -> Any:
    """The trend as a person reads it: one row per enterprise (id, name, ratio per month as a
    percentage, "not reported" where the enterprise sent nothing), the city row, and the coverage
    rows (enterprises reported / expected, share of expected tonnes reported)."""
    import pandas as pd

    from cleanfreight.ledger._labels import lt, percent

    months = res.period.months()
    ent = res.enterprises
    missing = lt("not_reported", lang)
    flags = res.coverage.table.set_index(["enterprise_id", "month"])["reported"] if res.coverage else None
    ratios = {
        (str(e), str(m)): r
        for e, m, r in ent[["enterprise_id", "month", "clean_ratio"]].itertuples(index=False)
    }
    ids = sorted(
        set(ent["enterprise_id"].astype(str))
        | (set(res.coverage.table["enterprise_id"]) if res.coverage else set())
    )
    id_col, name_col = lt("enterprise_id", lang), lt("enterprise_name", lang)
    rows = []
    for e in ids:
        row: dict[str, Any] = {id_col: e, name_col: names.get(e, "")}
        for m in months:
            reported = bool(flags.get((e, m), False)) if flags is not None else (e, m) in ratios
            row[m] = percent(ratios.get((e, m))) if reported else missing
        rows.append(row)
    city = res.city.set_index("month") if not res.city.empty else pd.DataFrame()

    def city_val(m: str, col: str) -> Any:
        return city[col].get(m) if col in city else None

    rows.append(
        {
            id_col: lt("city", lang),
            name_col: lt("clean_ratio", lang),
            **{m: percent(city_val(m, "clean_ratio")) for m in months},
        }
    )
    if res.coverage is not None:
        bym = res.coverage.by_month.set_index("month")
        rows.append(
            {
                id_col: lt("coverage", lang),
                name_col: lt("enterprises_reported", lang),
                **{
                    m: f"{bym.loc[m, 'enterprises_reported']}/{bym.loc[m, 'enterprises_expected']}"
                    for m in months
                },
            }
        )
        rows.append(
            {
                id_col: lt("coverage", lang),
                name_col: lt("coverage_tonnes", lang),
                **{m: percent(bym.loc[m, "coverage_tonnes"]) for m in months},
            }
        )
        rows.append(
            {
                id_col: lt("coverage", lang),
                name_col: lt("not_reported", lang),
                **{m: ", ".join(bym.loc[m, "not_reported"]) for m in months},
            }
        )
    return pd.DataFrame(rows, columns=[id_col, name_col, *months])


def register(app: typer.Typer) -> None:
    """Add the `ledger` commands to ``app``."""
    ledger = typer.Typer(rich_markup_mode=None,
        help="Gate-record ledger: import gate passages, rail waybills and meter readings; monthly reports.",
        no_args_is_help=True,
    )
    app.add_typer(ledger, name="ledger")

    @ledger.command("ingest")
    @handle_errors
    def ingest_cmd(
        files: Annotated[list[Path], typer.Argument(help="CSV (UTF-8/GBK/GB18030) or XLSX exports.")],
        db: DbOption,
        lang: LangOption = "en",
        enterprise: Annotated[
            str | None,
            typer.Option("--enterprise", help="Enterprise id for files without an enterprise column."),
        ] = None,
        direction: Annotated[
            str | None,
            typer.Option("--direction", help="in or out (进/出) for files without a direction column."),
        ] = None,
        mapping: Annotated[
            Path | None, typer.Option("--mapping", help="Column-mapping file (TOML/YAML) for other exports.")
        ] = None,
        cargo_map: Annotated[
            Path | None,
            typer.Option(
                "--cargo-map",
                help="Cargo name -> commodity file (TOML/YAML/CSV), merged over the built-in rules.",
            ),
        ] = None,
        chunk_rows: Annotated[
            int, typer.Option("--chunk-rows", help="Rows per chunk (bounds memory).")
        ] = 200_000,
        max_truck_tonnes: Annotated[
            float, typer.Option("--max-truck-tonnes", help="Reject gate records above this load (t).")
        ] = 100.0,
        max_waybill_tonnes: Annotated[
            float, typer.Option("--max-waybill-tonnes", help="Reject rail waybills above this weight (t).")
        ] = 100_000.0,
        max_meter_tonnes: Annotated[
            float, typer.Option("--max-meter-tonnes", help="Reject conveyor / pipeline readings above this (t).")
        ] = 100_000.0,
        max_future_days: Annotated[
            float, typer.Option("--max-future-days", help="Reject timestamps more than this many days ahead.")
        ] = 366.0,
        roster: RosterOption = None,
        wait: WaitOption = 0.0,
        as_json: JsonOption = False,
    ) -> None:
        """Import ledger files; prints accepted / rejected / duplicate rows per file.

        With --roster, files that name enterprises (企业名称) but carry no id are mapped to ids.
        Meter files whose quantity is a running counter (累计 / cumulative header) are turned into
        per-period quantities.
        """
        _lang(lang)
        from cleanfreight.cli._common import progress
        from cleanfreight.ledger._labels import lt, warning_text
        from cleanfreight.ledger.ingest import IngestSettings

        settings = IngestSettings(
            chunk_rows=chunk_rows,
            max_truck_tonnes=max_truck_tonnes,
            max_waybill_tonnes=max_waybill_tonnes,
            max_meter_tonnes=max_meter_tonnes,
            max_future_days=max_future_days,
        )
        ros = _roster(roster)
        names: dict[str, str] = {}
        if ros is not None:
            ent = ros.enterprises
            for col in ("name_zh", "name_en"):
                if col in ent:
                    names.update(zip(ent[col].astype(str), ent["enterprise_id"].astype(str), strict=True))
        from cleanfreight.ledger import Ledger

        with progress("importing", quiet=as_json) as step, Ledger.open(db, wait=wait) as led:
            res = led.ingest(
                files,
                enterprise=enterprise,
                direction=direction,
                mapping=mapping,
                settings=settings,
                enterprise_names=names,
                on_chunk=lambda f, n: step(f"{Path(f).name}: {n:,} rows"),
                cargo_map=cargo_map,
            )
        if as_json:
            print_json(res.as_dict())
            return
        rows = [
            f.as_dict()
            | {
                "file": Path(f.file).name,
                "kind": lt(f"kind.{f.kind}", lang),
                "stage_from": ", ".join(
                    f"{lt('stage_src.' + k, lang)} {n:,}" for k, n in f.stage_from.items()
                ),
            }
            for f in res.files
        ]
        cols = ["file", "kind", "encoding", "unit", "rows", "accepted", "rejected", "duplicates", "totals"]
        if any(f.stage_from for f in res.files):
            cols.append("stage_from")
        _table(rows, cols, lt("ingest.title", lang), lang)
        out.print(
            lt(
                "ingest.summary",
                lang,
                accepted=f"{res.accepted:,}",
                rejected=f"{res.rejected:,}",
                duplicates=f"{res.duplicates:,}",
                totals=f"{res.totals:,}",
            )
        )
        for f in res.files:
            for w in f.warnings:
                console.print(
                    f"[yellow]{lt('warning', lang)}:[/] {Path(f.file).name}: {warning_text(w, lang)}"
                )
        if res.rejected:
            out.print(lt("ingest.see_rejects", lang, db=db))

    @ledger.command("report")
    @handle_errors
    def report_cmd(
        db: ReadDbOption = None,
        *,
        period: Annotated[
            str, typer.Option("--period", help="YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD.")
        ],
        rules: RulesOption = "changzhi-2024",
        roster: RosterOption = None,
        plan: Annotated[
            Path | None,
            typer.Option("--plan", help="plan.json of the planner (or CSV enterprise_id, ratio_after)."),
        ] = None,
        out_dir: Annotated[Path | None, typer.Option("--out", help="Write JSON, CSV and XLSX here.")] = None,
        lang: LangOption = "en",
        wait: WaitOption = 0.0,
        as_json: JsonOption = False,
        parquet: ParquetOption = None,
        engine: EngineOption = None,
    ) -> None:
        """Clean-transport ratio per enterprise and city-wide for a period, under a rulebook."""
        ros = _roster(roster)
        from rich.markup import escape

        from cleanfreight._i18n import check_lang, t
        from cleanfreight.ledger._labels import lt
        from cleanfreight.ledger.report import write_report

        check_lang(lang)
        with _open_ledger(db, parquet, engine, wait) as led:
            rep = led.report(period, rules=rules, roster=ros, plan=plan)
            names = led.enterprise_names(ros, lang)
        written = write_report(rep, out_dir, lang, names) if out_dir is not None else []
        if as_json:
            payload = rep.as_dict()
            payload["files"] = [str(p) for p in written]
            print_json(payload)
            return
        cols = [
            "rank",
            "enterprise_id",
            "enterprise_name",
            "reported",
            "tonnes_total",
            "tonnes_clean",
            "clean_ratio",
            "gap_tonnes",
            "road_compliance",
        ]
        rows = rep.as_dict()["enterprises"]
        for r in rows:
            r["enterprise_name"] = names.get(r["enterprise_id"], "")
            r["reported"] = t("yes" if r.get("reported", True) else "no", lang)
        _table(rows, cols, f"{t('rulebook', lang)}: {rep.rulebook.title(lang)} — {rep.period.label}", lang)
        ratio = rep.city["clean_ratio"]
        out.print(
            f"{t('city', lang)}: {t('clean_ratio', lang)} {'n/a' if ratio is None else f'{ratio:.1%}'}, "
            f"{t('tonnes_total', lang)} {rep.city['tonnes_total']:,.0f}, "
            f"{rep.city['enterprises_meeting_target']}/{rep.city['enterprises']} ≥ {rep.rulebook.target:.0%}"
        )
        if rep.coverage is not None:
            for m in rep.coverage.by_month.itertuples():
                line = lt(
                    "coverage.line",
                    lang,
                    month=m.month,
                    rep=m.enterprises_reported,
                    exp=m.enterprises_expected,
                    share=_fmt(m.coverage_tonnes, "percent") or "n/a",
                )
                if m.not_reported:
                    line += "; " + lt("coverage.missing", lang, ids=", ".join(m.not_reported))
                out.print(line if m.complete else f"[yellow]{escape(line)}[/]")
            if not rep.coverage.complete:
                out.print(
                    "[yellow]"
                    + lt("coverage.incomplete_note", lang, n=len(rep.coverage.not_reported()))
                    + "[/]"
                )
        print_written(written, lang)

    @ledger.command("recode")
    @handle_errors
    def recode_cmd(
        db: DbOption,
        cargo_map: Annotated[
            Path,
            typer.Option("--cargo-map", help="Cargo name -> commodity file (TOML/YAML/CSV)."),
        ],
        wait: WaitOption = 0.0,
        as_json: JsonOption = False,
        lang: LangOption = "en",
    ) -> None:
        """Re-classify the stored records' cargo names with a cargo mapping (after unknown_cargo findings)."""
        _lang(lang)
        from cleanfreight.ledger import Ledger
        from cleanfreight.ledger.cargo import recode_cargo

        if not db.exists():
            changes = recode_cargo(db, cargo_map)  # the library's message for a missing ledger
        else:
            with Ledger.open(db, wait=wait) as led:
                changes = led.recode_cargo(cargo_map)
        if as_json:
            print_json({"changed": sum(changes.values()), "changes": changes})
            return
        for k, n in changes.items():
            out.print(f"{k}: {n:,}" + (" 条记录" if lang == "zh" else " record(s)"))
        total = sum(changes.values())
        out.print(f"已重新分类 {total:,} 条记录" if lang == "zh" else f"{total:,} record(s) re-classified")

    @ledger.command("rejects")
    @handle_errors
    def rejects_cmd(
        db: DbOption,
        lang: LangOption = "en",
        out_file: Annotated[
            Path | None, typer.Option("--out", help="CSV file for the rejected rows (default: show them).")
        ] = None,
        limit: Annotated[int, typer.Option("--limit", help="Rows shown without --out.")] = 50,
        wait: WaitOption = 0.0,
        as_json: JsonOption = False,
    ) -> None:
        """The rejected rows (file, row, column, value, reason): shown, or exported as CSV with --out.

        With --lang zh the table and the CSV have Chinese headers, columns named as in the exports
        (排放阶段, 车牌号码 ...) and reasons in Chinese; the JSON keeps the English codes.
        """
        _lang(lang)
        from rich.table import Table

        from cleanfreight.ledger import Ledger
        from cleanfreight.ledger._labels import field_label, lt, reason_text

        with Ledger.open(db, read_only=True, wait=wait) as led:
            df = led.rejects()
        rows = df[["file_name", "src_row"]].drop_duplicates().shape[0]
        if as_json:
            print_json(
                {
                    "problems": len(df),
                    "rows": rows,
                    "rejects": df.head(limit if out_file is None else len(df)).to_dict("records"),
                }
            )
        shown = df.copy()
        if lang != "en":  # English keeps the codes (scripts read them); other languages get labels
            shown["column_name"] = shown["column_name"].map(lambda c: field_label(str(c), lang) if c else c)
            shown["reason"] = shown["reason"].map(lambda r: reason_text(str(r), lang))
            shown["kind"] = shown["kind"].map(lambda k: lt(f"kind.{k}", lang))
        if out_file is not None:
            csv = shown if lang == "en" else shown.rename(columns={c: lt(c, lang) for c in shown.columns})
            write_csv(csv, out_file, index=False, encoding="utf-8-sig")
            if not as_json:
                out.print(lt("rejects.written", lang, n=f"{len(df):,}", rows=f"{rows:,}", file=out_file))
            return
        if as_json:
            return
        tbl = Table(title=lt("rejects.title", lang, n=f"{len(df):,}", rows=f"{rows:,}"))
        for col in ("file_name", "src_row", "column_name", "value", "reason"):
            tbl.add_column(lt(col, lang), justify="right" if col == "src_row" else "left")
        from rich.markup import escape

        for r in shown.head(limit).itertuples():
            cells = (r.file_name, r.src_row, r.column_name, r.value, r.reason)
            tbl.add_row(*[escape(_fmt(v)) for v in cells])
        out.print(tbl)
        if len(df) > limit:
            out.print(lt("rejects.more", lang, limit=f"{limit:,}"))

    @ledger.command("checks")
    @handle_errors
    def checks_cmd(
        db: ReadDbOption = None,
        period: Annotated[
            str | None, typer.Option("--period", help="Limit to a period (YYYY-MM ...).")
        ] = None,
        rules: RulesOption = "changzhi-2024",
        roster: RosterOption = None,
        max_payload: Annotated[
            float, typer.Option("--max-payload", help="Plausible truck payload (t).")
        ] = 40.0,
        out_file: Annotated[Path | None, typer.Option("--out", help="CSV file for the anomalies.")] = None,
        lang: LangOption = "en",
        wait: WaitOption = 0.0,
        as_json: JsonOption = False,
        parquet: ParquetOption = None,
        engine: EngineOption = None,
    ) -> None:
        """Anomalies: stage conflicts, overloads, double passages, unknown enterprises, missing days, coal/coke by road."""
        _lang(lang)
        ros = _roster(roster)
        from cleanfreight._i18n import t, vocab
        from cleanfreight.ledger._labels import detail_text, lt
        from cleanfreight.ledger.checks import CheckSettings

        with _open_ledger(db, parquet, engine, wait) as led:
            df = led.checks(period, roster=ros, rules=rules, settings=CheckSettings(max_payload_t=max_payload))
            names = led.enterprise_names(ros, lang)
        df.insert(df.columns.get_loc("enterprise_id") + 1, "enterprise_name", df["enterprise_id"].map(names))
        if out_file is not None:
            write_csv(_checks_table(df, lang), out_file, index=False, encoding="utf-8-sig")
        import json

        rows = json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso"))
        if as_json:
            print_json({"anomalies": rows, "count": len(rows)})
            return
        for (
            r
        ) in rows:  # check names, severities and details in the user's language (the JSON keeps the codes)
            r["check"] = vocab("check", r["check"], lang)
            r["severity"] = vocab("severity", r["severity"], lang)
            r["detail"] = detail_text(r["detail"], lang)
        _table(
            rows,
            [
                "severity",
                "check",
                "enterprise_id",
                "enterprise_name",
                "plate",
                "day",
                "records",
                "tonnes",
                "detail",
            ],
            t("checks.title", lang, n=len(rows)),
            lang,
        )
        if (df["check"] == "not_reported").any():
            out.print(lt("coverage.incomplete_note", lang, n=int((df["check"] == "not_reported").sum())))

    @ledger.command("trend")
    @handle_errors
    def trend_cmd(
        db: ReadDbOption = None,
        *,
        first: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
        last: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")],
        rules: RulesOption = "changzhi-2024",
        roster: RosterOption = None,
        out_file: Annotated[
            Path | None,
            typer.Option(
                "--out", help="CSV file: enterprise x month ratios with names, the city and coverage rows."
            ),
        ] = None,
        lang: LangOption = "en",
        wait: WaitOption = 0.0,
        as_json: JsonOption = False,
        parquet: ParquetOption = None,
        engine: EngineOption = None,
    ) -> None:
        """Clean ratio per enterprise and month, who reported each month, and who fell in the last month.

        A month an enterprise did not report (no gate or meter export) shows as "not reported", not as a
        ratio; when the reporting enterprises differ between two months the city ratios are compared
        like for like (over the enterprises that reported in both). --roster sets who is expected.
        """
        from cleanfreight._i18n import check_lang, t

        check_lang(lang)
        ros = _roster(roster)
        from cleanfreight.ledger._labels import lt

        with _open_ledger(db, parquet, engine, wait) as led:
            res = led.trend(first, last, rules=rules, roster=ros)
            names = led.enterprise_names(ros, lang)
        table = _trend_table(res, names, lang)
        if out_file is not None:
            write_csv(table, out_file, index=False, encoding="utf-8-sig")
        payload = res.as_dict()
        if as_json:
            print_json(payload)
            return
        from rich.table import Table

        tab = Table(title=f"{t('clean_ratio', lang)} ({res.rulebook.title(lang)})")
        from rich.markup import escape

        for j, c in enumerate(table.columns):
            tab.add_column(str(c), justify="left" if j < 2 else "right")
        for r in table.itertuples(index=False):
            tab.add_row(*[escape(_fmt(v)) for v in r])
        out.print(tab)
        for c in res.comparisons.itertuples():
            if not c.same_coverage:
                out.print(
                    "[yellow]"
                    + lt(
                        "coverage.differs",
                        lang,
                        a=c.month_prev,
                        b=c.month,
                        ra=_fmt(c.ratio_prev, "percent"),
                        rb=_fmt(c.clean_ratio, "percent"),
                        n=c.common_enterprises,
                        ca=_fmt(c.ratio_prev_common, "percent"),
                        cb=_fmt(c.ratio_common, "percent"),
                    )
                    + "[/]"
                )
        if payload["fell"]:
            out.print(f"[bold]{t('ledger.fell', lang)}[/]:")
        for f in payload["fell"]:
            name = names.get(f["enterprise_id"], "")
            out.print(f"  {f['enterprise_id']} {name}: {f['ratio_prev']:.1%} → {f['clean_ratio']:.1%}")

    @ledger.command("export")
    @handle_errors
    def export_cmd(
        db: DbOption,
        parquet: Annotated[
            Path, typer.Option("--parquet", help="Export folder (created, or replaced as a whole).")
        ],
        lang: LangOption = "en",
        wait: WaitOption = 0.0,
        as_json: JsonOption = False,
    ) -> None:
        """Write the ledger's records as Parquet partitioned by month, for --engine spark / duckdb --parquet."""
        _lang(lang)
        from cleanfreight.ledger import Ledger

        with Ledger.open(db, read_only=True, wait=wait) as led:
            res = led.export(parquet)
        if as_json:
            print_json({"files": {k: str(v) for k, v in res.files.items()}, "records": res.records})
            return
        out.print(
            f"已导出 {res.records:,} 条记录（{len(res.months)} 个月）到 {res.folder}"
            if lang == "zh"
            else f"exported {res.records:,} records ({len(res.months)} months) to {res.folder}"
        )

    @ledger.command("sample")
    @handle_errors
    def sample_cmd(
        out_dir: Annotated[Path, typer.Option("--out", help="Folder for the generated exports.")],
        year: Annotated[int, typer.Option("--year")] = 2026,
        seed: Annotated[int, typer.Option("--seed")] = 20260101,
        scale: Annotated[
            float, typer.Option("--scale", help="Share of declared tonnes turned into records.")
        ] = 0.05,
        months: Annotated[
            str | None, typer.Option("--months", help="e.g. 1-3 or 1,2,12 (default all).")
        ] = None,
        transition: Annotated[
            float,
            typer.Option(
                "--transition",
                help="Enterprises move up to this share of their diesel tonnage to new-energy trucks by December.",
            ),
        ] = 0.0,
        roster: RosterOption = "sample",
        as_json: JsonOption = False,
        lang: LangOption = "en",
    ) -> None:
        """Write a seeded year of gate, rail and meter exports for the roster (with real-world defects)."""
        _lang(lang)
        from cleanfreight.errors import InputError
        from cleanfreight.ledger.sample import generate_records

        month_list: list[int] | None = None
        if months:
            try:
                month_list = []
                for part in months.split(","):
                    a, _, b = part.partition("-")
                    month_list += list(range(int(a), int(b or a) + 1))
            except ValueError:
                raise InputError(f"cannot read --months {months!r}; use e.g. 1-3 or 1,2,12") from None
        ros = _roster(roster)
        assert ros is not None
        man = generate_records(
            ros, out_dir, year=year, seed=seed, scale=scale, months=month_list, transition=transition
        )
        if as_json:
            print_json(man.as_dict())
            return
        rows = sum(man.rows.values())
        out.print(
            f"已写入 {len(man.files)} 个文件（{rows:,} 行）到 {out_dir}；预置缺陷 {man.planted}"
            if lang == "zh"
            else f"wrote {len(man.files)} files ({rows:,} rows) to {out_dir}; planted {man.planted}"
        )
