"""`cleanfreight demo`: the main job on the bundled (illustrative) Changzhi sample."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleanfreight._i18n import register as register_labels
from cleanfreight.cli._common import JsonOption, LangOption, handle_errors, out, print_json, progress

register_labels(
    {
        "demo.plan": (
            "plan: clean ratio {before:.1%} → {after:.1%}, {met}/{total} enterprises meet the target; "
            "spurs built: {spurs}; {trucks:,} new-energy trucks; CO2 −{co2:,.0f} t/yr → {dir}",
            "规划：清洁运输比例 {before:.1%} → {after:.1%}，{met}/{total} 家企业达标；新建专用线：{spurs}；"
            "新能源货车 {trucks:,} 辆；二氧化碳减排 {co2:,.0f} 吨/年 → {dir}",
        ),
        "demo.dispatch": (
            "dispatch day: {served}/{lots} loads served by {trucks} trucks, {km:,.0f} km → {dir}",
            "短驳调度（一天）：{served}/{lots} 批货物已安排，{trucks} 辆车，{km:,.0f} 公里 → {dir}",
        ),
        "demo.ledger": (
            "ledger: this import {accepted:,} records accepted, {rejected:,} rejected, {duplicates:,} duplicates; "
            "{stored:,} records in the ledger; monthly tracking in {path}",
            "台账：本次导入接收 {accepted:,} 条，拒收 {rejected:,} 条，重复 {duplicates:,} 条；台账共 {stored:,} 条记录；"
            "月度跟踪见 {path}",
        ),
        "demo.written": (
            "written to {dir}: summary.json, enterprises.csv, map.html, plan/, dispatch/, ledger.duckdb, brief/",
            "已写入 {dir}：summary.json、enterprises.csv、map.html、plan/、dispatch/、ledger.duckdb、brief/",
        ),
    }
)


@handle_errors
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder")] = Path("maps/demo"),
    lang: LangOption = "en",
    scale: Annotated[float, typer.Option(help="Scale of the generated sample year of gate records (1 = full)")] = 0.05,
    json_out: JsonOption = False,
) -> None:
    """Run the main job on the Changzhi sample: baseline → plan → a year of records in the ledger → briefing."""
    _demo(out_dir, lang, scale, json_out)


def _demo(out_dir: Path, lang: str, scale: float, json_out: bool) -> None:
    from cleanfreight._i18n import check_lang, t
    from cleanfreight.cli.baseline import baseline_table
    from cleanfreight.jobs import run_demo

    check_lang(lang)
    with progress("demo", quiet=json_out) as step:
        res = run_demo(out_dir, lang=lang, step=step, ledger_scale=scale)
    if json_out:
        print_json({**res.summary, "files": {k: str(v) for k, v in res.files.items()}})
        return
    out.print(f"[yellow]{t('illustrative', lang)}[/]")
    baseline_table(res.baseline, lang)
    summary_lines(res.summary, out_dir, lang)


def summary_lines(summary: dict, out_dir: Path, lang: str) -> None:
    """Print what the plan, the dispatch day and the ledger found, one line each."""
    from cleanfreight._i18n import t

    plan = summary.get("plan")
    if plan:
        c = plan["city"]
        out.print(t("demo.plan", lang, before=c["ratio_before"], after=c["ratio_after"],
                    met=c["enterprises_meeting_target"], total=c["enterprises"],
                    spurs=", ".join(c["spurs_built"]) or "-", trucks=c["trucks_new"],
                    co2=-c["delta_co2_t"], dir=out_dir / "plan"))
    disp = summary.get("dispatch")
    if disp:
        out.print(t("demo.dispatch", lang, served=disp["lots_served"], lots=disp["lots"],
                    trucks=disp["trucks_used"], km=disp["km_total"], dir=out_dir / "dispatch"))
    led = summary.get("ledger")
    if led:
        out.print(t("demo.ledger", lang, accepted=led["accepted"], rejected=led["rejected"],
                    duplicates=led["duplicates"], stored=led["records_in_ledger"], path=out_dir / "ledger" / "monthly.csv"))
    out.print(t("demo.written", lang, dir=out_dir))

def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
