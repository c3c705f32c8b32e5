"""`cleanfreight plan`: choose chains and builds so every enterprise reaches its clean-transport target."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cleanfreight.cli._common import (
    JsonOption,
    LangOption,
    OutOption,
    console,
    handle_errors,
    out,
    print_json,
    print_written,
    progress,
)

if TYPE_CHECKING:
    from cleanfreight.planning import PlanProblem, PlanResult, Scenario

Opt = typer.Option


def _plan_table(result: PlanResult, lang: str, title: str) -> None:
    from rich.table import Table

    from cleanfreight._i18n import t

    tbl = Table(title=title)
    for key in (
        "enterprise_id",
        "name",
        "plan.ratio_before",
        "plan.ratio_after",
        "target",
        "plan.shortfall_t",
        "plan.trucks_new",
        "plan.delta_cost",
    ):
        tbl.add_column(t(key, lang), justify="left" if key in ("enterprise_id", "name") else "right")
    name_col = "name_zh" if lang == "zh" else "name_en"
    reasons = []
    for row in result.enterprises.itertuples():
        style = "green" if row.meets_target else "red"
        tbl.add_row(
            str(row.enterprise_id),
            str(getattr(row, name_col, "") or ""),
            f"{row.ratio_before:.1%}",
            f"[{style}]{row.ratio_after:.1%}[/]",
            f"{row.target:.0%}",
            f"{row.shortfall_t:,.0f}",
            str(row.trucks_new),
            f"{row.delta_cost_cny:,.0f}",
        )
        reason = row.shortfall_reason_zh if lang == "zh" else row.shortfall_reason
        if reason:
            reasons.append(f"[red]{row.enterprise_id}[/]: {reason}")
    out.print(tbl)
    out.print(result.summary(lang))
    kind = str(result.meta.get("objective_kind", "cost"))
    out.print(f"{t('plan.objective_kind', lang)}: {kind} ({t(f'objective.{kind}', lang)})", highlight=False)
    cap = result.capacities
    lines = cap[cap["kind"] == "rail_line"]
    if len(lines):  # how full each mainline is (red: full)
        used = [
            f"{'[red]' if b else ''}{i} {u:.0%}{'[/]' if b else ''}"
            for i, u, b in zip(lines["id"], lines["utilisation"], lines["binding"], strict=True)
        ]
        out.print(f"{t('plan.rail_lines', lang)}: {' · '.join(used)}")
    if result.city.get("ne_share_of_shortfall"):
        out.print(
            f"{t('plan.ne_share', lang)} ({result.city['ne_share_of_shortfall']:.0%}): "
            f"{result.city['ne_required_t']:,.0f} t; {t('plan.ne_missing', lang)} {result.city['ne_missing_t']:,.0f} t"
        )
    for r in reasons:
        out.print(r, highlight=False)


def _solve(
    scenario_file: Path | None, straight: bool, step: Any, data: dict[str, str] | None = None,
    objective: str | None = None,
) -> tuple[Scenario, PlanProblem, PlanResult]:
    import dataclasses

    from cleanfreight.planning import Scenario, build_problem, load_scenario, solve_plan

    sc = load_scenario(scenario_file) if scenario_file is not None else Scenario()
    if data:  # files given on the command line win over the scenario's [data]
        sc = dataclasses.replace(sc, data={**sc.data, **data})
    if objective is not None:  # --objective wins over the scenario's [params] objective
        sc = dataclasses.replace(sc, params=sc.params.replace(objective=objective))
    step(f"building the problem ({sc.name})")
    problem = build_problem(sc, use_road_network=not straight)
    step(f"solving ({sc.name})")
    return sc, problem, solve_plan(problem, sc.params)


def plan(
    out_dir: OutOption = Path("plan"),
    scenario: Annotated[
        Path | None, Opt("--scenario", help="Scenario file (TOML or YAML); default: baseline")
    ] = None,
    compare: Annotated[
        Path | None, Opt("--compare", help="A second scenario to put side by side with the first")
    ] = None,
    straight: Annotated[
        bool, Opt("--straight", help="Great-circle km x 1.3 instead of the road network (faster)")
    ] = False,
    no_xlsx: Annotated[bool, Opt("--no-xlsx", help="Skip plan.xlsx")] = False,
    enterprises: Annotated[
        Path | None, Opt(help="Folder with enterprises/flows/mode_split CSV or XLSX; default: the sample")
    ] = None,
    roads: Annotated[Path | None, Opt(help="Road file (.osm, .osm.pbf, .graphml); default: the sample")] = None,
    rail: Annotated[Path | None, Opt(help="Rail lines and spurs (GeoJSON/GPKG/SHP/OSM)")] = None,
    stations: Annotated[Path | None, Opt(help="Freight stations (CSV/GeoJSON)")] = None,
    regions: Annotated[Path | None, Opt(help="Origin/destination regions (CSV)")] = None,
    swap_stations: Annotated[Path | None, Opt(help="Battery-swap / charging stations (CSV)")] = None,
    restriction_zone: Annotated[Path | None, Opt(help="Truck restriction zones (GeoJSON/GPKG)")] = None,
    objective: Annotated[
        str | None,
        Opt("--objective", help="What the plan minimises: cost, clean, co2 or social (default: the scenario's, "
            "else cost)"),
    ] = None,
    frontier: Annotated[
        bool,
        Opt("--frontier", help="Instead of one plan, the least annual cost of each city clean-ratio level from "
            "today's to the highest reachable: frontier.csv, frontier.json, frontier.png"),
    ] = False,
    frontier_steps: Annotated[
        int, Opt("--frontier-steps", help="Steps between today's city ratio and the highest (points: N + 1)")
    ] = 8,
    lang: LangOption = "en",
    json_out: JsonOption = False,
) -> None:
    """Plan the assignment of every enterprise flow to transport chains (rail + new-energy short-haul, ...).

    Writes plan.json, CSV tables, plan.xlsx and routes.geojson to --out; with --compare also the second
    plan in OUT/compare/<name>/ and compare.json / compare.csv. Your own files (--enterprises, --roads,
    ...) replace the sample's, for both scenarios; a scenario's [data] table can name them too.
    --objective overrides the scenarios' objective. --frontier writes the cost-of-ambition curve instead
    of a plan (docs/frontier.md).
    """
    given = {"enterprises": enterprises, "roads": roads, "rail": rail, "stations": stations, "regions": regions,
             "swap_stations": swap_stations, "restriction_zone": restriction_zone}
    data = {k: str(v) for k, v in given.items() if v is not None}
    if frontier:
        _frontier(out_dir, scenario, compare, straight, lang, json_out, data, objective, frontier_steps)
        return
    _plan(out_dir, scenario, compare, straight, no_xlsx, lang, json_out, data, objective)


@handle_errors
def _frontier(
    out_dir: Path,
    scenario: Path | None,
    compare: Path | None,
    straight: bool,
    lang: str,
    json_out: bool,
    data: dict[str, str],
    objective: str | None,
    steps: int,
) -> None:
    from cleanfreight._i18n import check_lang
    from cleanfreight.cli._frontier import run_frontier
    from cleanfreight.errors import InputError

    check_lang(lang)
    _check_objective(objective)
    if compare is not None:
        raise InputError("--frontier and --compare cannot be combined: run the frontier once per scenario")
    if steps < 1:
        raise InputError(f"--frontier-steps must be an integer >= 1; got {steps}")
    run_frontier(out_dir, scenario, straight, lang, json_out, data, objective, steps)


def _check_objective(objective: str | None) -> None:
    from cleanfreight.errors import InputError
    from cleanfreight.planning.params import OBJECTIVES

    if objective is not None and objective not in OBJECTIVES:
        raise InputError(f"unknown --objective {objective!r}; expected one of {', '.join(OBJECTIVES)}")


@handle_errors
def _plan(
    out_dir: Path,
    scenario: Path | None,
    compare: Path | None,
    straight: bool,
    no_xlsx: bool,
    lang: str,
    json_out: bool,
    data: dict[str, str],
    objective: str | None = None,
) -> None:

    from cleanfreight._i18n import check_lang, t
    from cleanfreight.planning import compare_plans, plan_payload, write_plan

    check_lang(lang)
    _check_objective(objective)
    with progress("plan", quiet=json_out) as step:
        sc, problem, result = _solve(scenario, straight, step, data, objective)
        step("writing outputs")
        files = write_plan(result, out_dir, problem=problem, lang=lang, xlsx=not no_xlsx)
        other = None
        if compare is not None:
            sc2, problem2, result2 = _solve(compare, straight, step, data, objective)
            sub = out_dir / "compare" / sc2.name
            files2 = write_plan(result2, sub, problem=problem2, lang=lang, xlsx=not no_xlsx)
            names = [sc.name, sc2.name] if sc.name != sc2.name else [f"{sc.name}(1)", f"{sc2.name}(2)"]
            cmp = compare_plans([result, result2], names)
            from cleanfreight._io import json_text, write_csv, write_text

            write_csv(cmp["city"], out_dir / "compare.csv", encoding="utf-8")
            write_csv(cmp["enterprises"], out_dir / "compare_enterprises.csv", index=False, encoding="utf-8")
            cmp_json = {
                "scenarios": [
                    {"name": n, "title": s.title(lang), "file": str(f) if f else None, "plan": str(p)}
                    for n, s, f, p in zip(
                        names,
                        (sc, sc2),
                        (scenario, compare),
                        (files["plan.json"], files2["plan.json"]),
                        strict=True,
                    )
                ],
                "city": {
                    n: plan_payload(r, lang)["city"] for n, r in zip(names, (result, result2), strict=True)
                },
            }
            write_text(out_dir / "compare.json", json_text(cmp_json, ensure_ascii=False, indent=2))
            files.update({"compare.json": out_dir / "compare.json", "compare.csv": out_dir / "compare.csv"})
            other = (names, cmp, result2)
    if json_out:
        payload: dict[str, Any] = {
            "status": result.status,
            "objective": result.objective,
            "objective_kind": result.meta.get("objective_kind", "cost"),
            "city": plan_payload(result, lang)["city"],
            "files": {k: str(v) for k, v in files.items()},
        }
        if other is not None:
            payload["compare"] = {"names": other[0], "city": plan_payload(other[2], lang)["city"]}
        print_json(payload)
    else:
        _plan_table(result, lang, f"{t('plan.objective', lang)} — {sc.title(lang)}")
        if other is not None:
            out.print(f"[bold]{t('plan.compare', lang)}[/]")
            out.print(other[1]["city"].to_string(), highlight=False)
        print_written(files.values(), lang)
    if result.status == "infeasible":
        console.print("[bold red]hard targets cannot be met[/]; see shortfall_reason in plan.json")
        raise typer.Exit(4)


def register(app: typer.Typer) -> None:
    """Add the `plan` command to ``app``."""
    app.command("plan")(plan)
