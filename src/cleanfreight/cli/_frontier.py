"""`cleanfreight plan --frontier`: the least annual cost of each city clean-ratio level, as table, JSON and chart."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleanfreight._i18n import register
from cleanfreight.cli._common import out, print_json, print_written, progress

if TYPE_CHECKING:
    from cleanfreight.planning import Frontier

register(
    {
        "fr.table_title": ("Cost of ambition — {title}", "清洁运输比例提升的代价 — {title}"),
        "fr.col_level": ("City level", "全市比例要求"),
        "fr.col_ratio": ("Reached", "实际达到"),
        "fr.col_cost": ("Annual cost (CNY m)", "年成本(百万元)"),
        "fr.col_extra": ("vs cheapest (CNY m)", "较最低成本(百万元)"),
        "fr.col_marginal_t": ("CNY / extra clean t", "元/新增清洁吨"),
        "fr.col_marginal_co2": ("CNY / t CO2 avoided", "元/减排吨CO2"),
        "fr.col_co2": ("CO2 (kt)", "二氧化碳(千吨)"),
        "fr.col_builds": ("Builds added", "新增建设"),
        "fr.today_line": (
            "Today: city ratio {ratio}, annual transport cost {cost} CNY m, CO2 {co2} kt",
            "现状：全市清洁运输比例 {ratio}，年运输成本 {cost} 百万元，二氧化碳 {co2} 千吨",
        ),
        "fr.reference_line": (
            "Plan with every enterprise at {target} or above: city ratio {ratio}, annual cost {cost} CNY m "
            "({extra:+,.1f} CNY m vs the cheapest plan); {n}/{total} enterprises at {target}",
            "每家企业均达到{target}的方案：全市比例 {ratio}，年成本 {cost} 百万元"
            "（较最低成本方案 {extra:+,.1f} 百万元）；{n}/{total} 家企业达到{target}",
        ),
        "fr.penalty_warning": (
            "at {n} point(s) a policy rule could not hold: see penalty_cny in frontier.csv",
            "有{n}个点无法满足全部政策规则：见 frontier.csv 的 penalty_cny",
        ),
    }
)


def _fmt(v: float, pattern: str = "{:,.2f}") -> str:
    return pattern.format(v) if math.isfinite(v) else "-"


def _builds(row: Any) -> str:
    parts = []
    for kind, sign in (("spurs_added", "+"), ("spurs_removed", "-"), ("conveyors_added", "+"),
                       ("conveyors_removed", "-")):
        parts += [f"{sign}{s}" for s in str(getattr(row, kind) or "").split(";") if s]
    if row.trucks_added:
        parts.append(f"{row.trucks_added:+d} NE")
    if row.swap_units_added:
        parts.append(f"{row.swap_units_added:+d} swap")
    return " ".join(parts)


def print_frontier(fr: Frontier, lang: str, title: str) -> None:
    """The frontier as a table on the console, with today's split and the per-enterprise-target plan."""
    from rich.table import Table

    from cleanfreight._i18n import t

    tbl = Table(title=t("fr.table_title", lang, title=title))
    keys = ("fr.col_level", "fr.col_ratio", "fr.col_cost", "fr.col_extra", "fr.col_marginal_t",
            "fr.col_marginal_co2", "fr.col_co2", "fr.col_builds")
    for k in keys:
        tbl.add_column(t(k, lang), justify="left" if k == "fr.col_builds" else "right")
    for row in fr.table.itertuples():
        tbl.add_row(
            f"{row.level:.1%}",
            f"{row.ratio:.1%}",
            _fmt(row.cost_cny / 1e6, "{:,.1f}"),
            _fmt(row.cost_vs_cheapest_cny / 1e6, "{:,.1f}"),
            _fmt(row.marginal_cny_per_clean_t),
            _fmt(row.marginal_cny_per_t_co2, "{:,.0f}"),
            _fmt(row.co2_t / 1e3, "{:,.1f}"),
            _builds(row),
        )
    out.print(tbl)
    td = fr.today
    out.print(t("fr.today_line", lang, ratio=f"{td['ratio']:.1%}", cost=f"{td['cost_cny'] / 1e6:,.1f}",
                co2=f"{td['co2_t'] / 1e3:,.1f}"), highlight=False)
    ref = fr.reference
    if ref:
        cheapest = float(fr.table["cost_cny"].min())
        out.print(
            t("fr.reference_line", lang, target=f"{ref['target']:.0%}", ratio=f"{ref['ratio']:.1%}",
              cost=f"{ref['cost_cny'] / 1e6:,.1f}", extra=(ref["cost_cny"] - cheapest) / 1e6,
              n=ref["enterprises_at_target"], total=ref["enterprises"]),
            highlight=False,
        )
    missed = int((fr.table["penalty_cny"].fillna(0.0) > 0).sum())
    if missed:
        out.print(f"[yellow]{t('fr.penalty_warning', lang, n=missed)}[/]")


def run_frontier(
    out_dir: Path,
    scenario_file: Path | None,
    straight: bool,
    lang: str,
    json_out: bool,
    data: dict[str, str],
    objective: str | None,
    steps: int,
) -> None:
    """Solve the frontier for the scenario (or the sample), write its files and report them."""
    from cleanfreight.planning import Scenario, build_problem, load_scenario, solve_frontier
    from cleanfreight.reports.frontier import write_frontier_files

    sc = load_scenario(scenario_file) if scenario_file is not None else Scenario()
    if data:  # files given on the command line win over the scenario's [data]
        sc = dataclasses.replace(sc, data={**sc.data, **data})
    params = sc.params if objective is None else sc.params.replace(objective=objective)
    with progress("plan --frontier", quiet=json_out) as step:
        step(f"building the problem ({sc.name})")
        problem = build_problem(sc, use_road_network=not straight)
        fr = solve_frontier(problem, params, steps=steps, on_step=step)
        step("writing outputs")
        files = write_frontier_files(
            fr, out_dir, lang, {**sc.as_dict(), "file": str(scenario_file) if scenario_file else None}
        )
    if json_out:
        print_json(
            {
                "frontier": {
                    "levels": fr.table["level"].tolist(),
                    "ratio": fr.table["ratio"].tolist(),
                    "cost_cny": fr.table["cost_cny"].tolist(),
                    "max_ratio": fr.max_ratio,
                    "today_ratio": fr.today["ratio"],
                    "reference": {k: fr.reference.get(k) for k in ("ratio", "cost_cny", "target")},
                },
                "files": {k: str(v) for k, v in files.items()},
            }
        )
    else:
        print_frontier(fr, lang, sc.title(lang))
        print_written(files.values(), lang)
