"""`cleanfreight plan`: choose chains and builds so every enterprise reaches its clean-transport target."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

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
    missed = [p for p in result.policy if p.get("applied") and not p.get("holds")]
    if missed:  # policy rules the plan could not keep, with who misses them
        names = ", ".join(f"{t('policy.' + str(p['rule']), lang)} ({', '.join(map(str, p['detail'][:6])) if isinstance(p['detail'], list) else p['detail']})" for p in missed)
        out.print(f"[yellow]{t('plan.policy_missed', lang)}[/]: {escape(names)}")
    blocked = result.meta.get("blocked_flows") or {}
    if blocked:  # flows no allowed chain can carry: kept as they are, the rest planned
        out.print(
            f"[yellow]{t('plan.blocked', lang, n=len(blocked), flows=', '.join(sorted(blocked)[:10]))}[/]",
        )
        out.print(escape(next(iter(blocked.values()))), highlight=False)


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


@handle_errors
def plan(
    out_dir: OutOption = Path("plan"),
    scenario: Annotated[
        Path | None, Opt("--scenario", help="Scenario file (TOML or YAML); default: baseline")
    ] = None,
    compare: Annotated[
        list[Path] | None,
        Opt("--compare", help="Another scenario to put side by side with the first (repeatable)"),
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

    Writes plan.json, CSV tables, plan.xlsx and routes.geojson to --out; with --compare (repeatable)
    also each other plan in OUT/compare/<name>/, the comparison (compare.json, compare.csv,
    compare.xlsx) and a difference map against the first scenario for each other one
    (OUT/compare/diff_<first>_vs_<other>.html). Your own files (--enterprises, --roads, ...)
    replace the sample's, for every scenario; a scenario's [data] table can name them too.
    --objective overrides the scenarios' objective. --frontier writes the cost-of-ambition curve instead
    of a plan (docs/frontier.md).
    """
    given = {"enterprises": enterprises, "roads": roads, "rail": rail, "stations": stations, "regions": regions,
             "swap_stations": swap_stations, "restriction_zone": restriction_zone}
    data = {k: str(v) for k, v in given.items() if v is not None}
    if frontier:
        _frontier(out_dir, scenario, compare or [], straight, lang, json_out, data, objective, frontier_steps)
        return
    _plan(out_dir, scenario, compare or [], straight, no_xlsx, lang, json_out, data, objective)


def _frontier(
    out_dir: Path,
    scenario: Path | None,
    compare: list[Path],
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
    if compare:
        raise InputError("--frontier and --compare cannot be combined: run the frontier once per scenario")
    if steps < 1:
        raise InputError(f"--frontier-steps must be an integer >= 1; got {steps}")
    run_frontier(out_dir, scenario, straight, lang, json_out, data, objective, steps)


def _check_objective(objective: str | None) -> None:
    from cleanfreight.errors import InputError
    from cleanfreight.planning.params import OBJECTIVES

    if objective is not None and objective not in OBJECTIVES:
        raise InputError(f"unknown --objective {objective!r}; expected one of {', '.join(OBJECTIVES)}")


def _plan(
    out_dir: Path,
    scenario: Path | None,
    compare: list[Path],
    straight: bool,
    no_xlsx: bool,
    lang: str,
    json_out: bool,
    data: dict[str, str],
    objective: str | None = None,
) -> None:
    from cleanfreight._i18n import check_lang, t
    from cleanfreight.planning import plan_payload, write_plan

    check_lang(lang)
    _check_objective(objective)
    with progress("plan", quiet=json_out) as step:
        sc, problem, result = _solve(scenario, straight, step, data, objective)
        step("writing outputs")
        files = write_plan(result, out_dir, problem=problem, lang=lang, xlsx=not no_xlsx)
        other = _compare(out_dir, (scenario, sc, problem, result, files), compare, straight, no_xlsx, lang,
                         data, step, objective) if compare else None
        if other is not None:
            files.update(other["files"])
    if json_out:
        payload: dict[str, Any] = {
            "status": result.status,
            "objective": result.objective,
            "scenario": {"name": sc.name, "title": sc.title(lang)},
            "objective_kind": result.meta.get("objective_kind", "cost"),
            "city": plan_payload(result, lang)["city"],
            "files": {k: str(v) for k, v in files.items()},
        }
        if other is not None:
            payload["compare"] = {
                "names": other["names"],
                "city": other["cities"][other["names"][1]],
                "cities": other["cities"],
                "differences": other["differences"],
            }
        print_json(payload)
    else:
        _plan_table(result, lang, f"{t('plan.objective', lang)} — {sc.title(lang)}")
        if other is not None:
            _compare_print(other, lang)
        print_written(files.values(), lang)
    if result.status == "infeasible":
        console.print("[bold red]hard targets cannot be met[/]; see shortfall_reason in plan.json")
        raise typer.Exit(4)


def _compare(
    out_dir: Path,
    first: tuple[Path | None, Scenario, PlanProblem, PlanResult, dict[str, Path]],
    compare: list[Path],
    straight: bool,
    no_xlsx: bool,
    lang: str,
    data: dict[str, str],
    step: Any,
    objective: str | None = None,
) -> dict[str, Any]:
    """Solve the other scenarios, write each plan, the comparison and the difference maps."""
    from cleanfreight.planning import compare_plans, plan_payload, write_plan
    from cleanfreight.planning.outputs import compare_table, write_comparison
    from cleanfreight.reports.diffmap import plan_differences, write_difference

    runs = [first]
    for path in compare:
        sc2, problem2, result2 = _solve(path, straight, step, data, objective)
        step("writing outputs")
        runs.append((path, sc2, problem2, result2, {}))
    names: list[str] = []
    for _, sc_i, *_ in runs:  # unique folder and column names, in order
        name, k = sc_i.name, 2
        while name in names:
            name = f"{sc_i.name}({k})"
            k += 1
        names.append(name)
    plans = [runs[0][4]["plan.json"]]
    for (_, _, problem_i, result_i, _), name in zip(runs[1:], names[1:], strict=True):
        written = write_plan(result_i, out_dir / "compare" / name, problem=problem_i, lang=lang, xlsx=not no_xlsx)
        plans.append(written["plan.json"])
    results = [r[3] for r in runs]
    problems = [r[2] for r in runs]
    cmp = compare_plans(results, names, problems=problems, spur_ids=[list(r[1].spurs) for r in runs])
    payloads = [plan_payload(r, lang) for r in results]
    scenarios = [
        {"name": n, "title": sc_i.title(lang), "file": str(f) if f else None, "plan": str(p)}
        for n, (f, sc_i, *_), p in zip(names, runs, plans, strict=True)
    ]
    step("difference maps")
    base = _diff_base(problems[0], data)
    ent = problems[0].enterprises
    diffs, files = [], {}
    for k in range(1, len(runs)):
        diff = plan_differences(problems[0], results[0], problems[k], results[k], lang=lang)
        diff = type(diff)((names[0], names[k]), diff.titles, diff.flows, diff.corridors)
        written = write_difference(diff, out_dir / "compare", lang=lang, enterprises=ent, base=base)
        diffs.append({**diff.as_dict(), "summary": diff.summary(lang),
                      "files": {key: str(v) for key, v in written.items()}})
        files.update({f"compare/{key}": v for key, v in written.items()})
    files.update(write_comparison(out_dir, cmp, scenarios, payloads, lang=lang, extra={"differences": diffs}))
    table = compare_table(cmp, lang)  # short names as console columns; titles printed below
    return {"names": names, "cities": {n: p["city"] for n, p in zip(names, payloads, strict=True)},
            "table": table, "differences": diffs, "files": files, "titles": [s["title"] for s in scenarios]}


def _diff_base(problem: PlanProblem, data: dict[str, str]) -> Any:
    """District boundaries (the sample's, unless the user gave own data) and rail under the difference map."""
    import geopandas as gpd
    import shapely

    from cleanfreight.reports import MapLayers

    boundaries = None
    if not data:
        from cleanfreight.network import NetworkFiles

        path = NetworkFiles.sample().boundaries
        boundaries = gpd.read_file(path) if path is not None else None
    lines = dict(problem.rail_lines)
    rail = gpd.GeoDataFrame(
        {"line_id": list(lines)}, geometry=[shapely.LineString(c) for c in lines.values()], crs="EPSG:4326"
    ) if lines else None
    return MapLayers(boundaries=boundaries, rail=rail)


def _compare_print(other: dict[str, Any], lang: str) -> None:
    from rich.table import Table

    from cleanfreight._i18n import t

    table = other["table"]
    tbl = Table(title=t("plan.compare", lang))
    for j, c in enumerate(table.columns):
        tbl.add_column(str(c), justify="left" if j == 0 else "right", overflow="fold")
    for row in table.itertuples(index=False):
        tbl.add_row(*[str(v) for v in row])
    out.print(tbl)
    for n, title in zip(other["names"], other["titles"], strict=True):
        if title != n:
            out.print(f"  {n}: {title}", highlight=False)
    for d in other["differences"]:
        out.print(f"{d['from']} → {d['to']}: {d['summary']}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the `plan` command to ``app``."""
    app.command("plan")(plan)
