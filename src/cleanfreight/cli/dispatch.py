"""`cleanfreight dispatch`: short-haul truck dispatch on a scenario, or a VRPLIB benchmark instance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cleanfreight._i18n import register as register_labels
from cleanfreight._i18n import t
from cleanfreight.cli._common import (
    JsonOption,
    LangOption,
    handle_errors,
    named_files,
    out,
    print_json,
    print_written,
    progress,
)
from cleanfreight.errors import InputError, Problem


@handle_errors
def dispatch(
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="Dispatch scenario (TOML), see docs/dispatch.md")
    ] = None,
    vrplib: Annotated[
        Path | None, typer.Option("--vrplib", help="A CVRPLIB (.vrp) or Solomon (.txt) instance instead")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Output folder for CSV, GeoJSON and JSON (scenario)")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Solver time limit in seconds")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed (permutes the clients given to OR-Tools)")
    ] = None,
    solution_limit: Annotated[
        int | None,
        typer.Option("--solution-limit", help="Stop after N improving solutions (reproducible runs)"),
    ] = None,
    first_solution: Annotated[
        str | None, typer.Option("--first-solution", help="OR-Tools first-solution strategy, e.g. SAVINGS")
    ] = None,
    metaheuristic: Annotated[
        str | None,
        typer.Option("--metaheuristic", help="GUIDED_LOCAL_SEARCH, SIMULATED_ANNEALING, TABU_SEARCH, ..."),
    ] = None,
    roads: Annotated[
        str | None,
        typer.Option(
            "--roads",
            help="Road network for the matrix: 'sample', a road file, or 'none' for straight lines x detour factor; "
            "default: the scenario's [scenario] roads setting",
        ),
    ] = None,
    restriction_zone: Annotated[
        Path | None,
        typer.Option(
            "--restriction-zone",
            help="Truck restriction zones (GeoJSON/GPKG) for the roads: diesel trucks go around them",
        ),
    ] = None,
    json_out: JsonOption = False,
    lang: LangOption = "en",
) -> None:
    """Plan truck routes: a short-haul day (--scenario) or a standard VRPLIB instance (--vrplib).

    With --vrplib the JSON has at least `cost` and `routes` (client numbers as in the file's
    solution convention, depot excluded). Runs are reproducible with --solution-limit.
    """
    from cleanfreight._i18n import check_lang

    check_lang(lang)
    if (scenario is None) == (vrplib is None):
        raise InputError(
            "give exactly one of --scenario FILE or --vrplib FILE",
            [Problem("both or neither given", column="--scenario/--vrplib")],
        )
    overrides: dict[str, Any] = {
        k: v
        for k, v in {
            "time_limit_s": time_limit,
            "seed": seed,
            "solution_limit": solution_limit,
            "first_solution": first_solution,
            "metaheuristic": metaheuristic,
        }.items()
        if v is not None
    }
    if vrplib is not None:
        _run_vrplib(vrplib, overrides, json_out)
    else:
        assert scenario is not None
        _run_scenario(scenario, overrides, out_dir, roads, json_out, lang, restriction_zone)


register_labels(
    {
        "dispatch.summary_line": (
            "{lots_served}/{lots} truckloads planned, {tonnes_moved:g} t, {trucks_used}/{trucks_available} trucks, "
            "{km_total:g} km ({km_empty:g} empty), swaps {swaps}, charges {charges}",
            "已安排 {lots_served}/{lots} 车次，{tonnes_moved:g} 吨，用车 {trucks_used}/{trucks_available} 辆，"
            "{km_total:g} 公里（空驶 {km_empty:g}），换电 {swaps} 次，充电 {charges} 次",
        ),
        "dispatch.unserved_title": ("unserved", "未安排"),
        "dispatch.connectors_long": (
            "long connectors (site far from any road a truck can enter from the side; check its coordinates)",
            "接入距离过长（地点距可侧向驶入的道路较远，请核对坐标）",
        ),
        "dispatch.connector_line": ("{place}: {m:,.0f} m to the nearest {road} road", "{place}：距最近的{road} {m:,.0f} 米"),
        "road.trunk": ("trunk", "干线公路"),
        "road.primary": ("primary", "主干公路"),
        "road.secondary": ("secondary", "次干公路"),
        "road.tertiary": ("tertiary", "县乡公路"),
        "road.unclassified": ("minor", "乡村道路"),
        "road.residential": ("residential", "居住区道路"),
        "road.service": ("service", "专用/辅助道路"),
        "road.road": ("unclassified", "未分类道路"),
        "dispatch.battery_limit": (
            "the battery is the limit: with unlimited range the same fleet takes {n} more truckload(s)",
            "电池续航是瓶颈：若续航不限，同一车队可多完成 {n} 车次",
        ),
    }
)


def _base_layers(roads: str | None) -> Any:
    """District boundaries of the sample network under the route map when the day uses its roads."""
    if roads != "sample":
        return None
    from cleanfreight.network import load_sample_network
    from cleanfreight.reports import MapLayers

    return MapLayers(boundaries=load_sample_network().boundaries)


def _run_vrplib(path: Path, overrides: dict[str, Any], json_out: bool) -> None:
    from cleanfreight.dispatch import SolverParams, read_vrplib, solve_vrp

    params = SolverParams(**overrides)
    instance = read_vrplib(path)
    with progress(f"solving {instance.name} ({instance.num_clients} clients)", quiet=json_out):
        result = solve_vrp(instance, params)
    if json_out:
        print_json(result.as_dict())
        return
    out.print(
        f"[bold]{instance.name}[/]: cost {result.cost:g}, {result.num_routes} routes, "
        f"feasible {result.feasible}, {result.runtime_s:.1f} s"
    )
    for k, route in enumerate(result.routes, start=1):
        out.print(f"Route #{k}: {' '.join(map(str, route))}")


def _run_scenario(
    path: Path,
    overrides: dict[str, Any],
    out_dir: Path | None,
    roads: str | None,
    json_out: bool,
    lang: str,
    restriction_zone: Path | None = None,
) -> None:
    from cleanfreight.dispatch import load_scenario, road_matrices, solve_dispatch

    sc = load_scenario(path)
    if overrides:
        sc = sc.with_solver(**overrides)
    matrix = None
    roads = sc.roads if roads is None else (None if roads.lower() in ("none", "straight") else roads)
    with progress(f"planning {sc.name}", quiet=json_out) as step:
        if roads:
            step("road matrices")
            matrix = road_matrices(sc, roads, restriction_zone=restriction_zone)
        step("solving")
        if not roads:  # straight lines asked for: the scenario's own roads are not used either
            import dataclasses

            sc = dataclasses.replace(sc, roads=None)
        result = solve_dispatch(sc, matrix=matrix)
    files = result.write(out_dir, lang=lang) if out_dir else []
    if out_dir:
        from cleanfreight.reports.handouts import write_handouts

        files += write_handouts(result, out_dir, lang=lang, base=_base_layers(roads))
    if json_out:
        payload = result.as_dict(lang)
        payload["files"] = named_files(files)
        print_json(payload)
        return
    s = result.summary
    out.print(f"[bold]{sc.name}[/]: " + t("dispatch.summary_line", lang, **s))
    long = result.places[result.places["connector_long"].fillna(False).astype(bool)] if len(result.places) else None
    if long is not None and len(long):
        out.print(f"[bold yellow]{t('dispatch.connectors_long', lang)}[/]:")
        for r in long.itertuples(index=False):
            road = t(f"road.{r.connector_road}", lang)
            road = str(r.connector_road) if road == f"road.{r.connector_road}" else road
            out.print("  " + t("dispatch.connector_line", lang, place=r.place_id, m=float(r.connector_m), road=road))
    if s.get("battery_limited_lots"):
        out.print("[bold yellow]" + t("dispatch.battery_limit", lang, n=s["battery_limited_lots"]) + "[/]")
    if not result.unserved.empty:
        out.print(f"[bold]{t('dispatch.unserved_title', lang)}[/]:")
        for r in result.unserved.itertuples(index=False):
            out.print(f"  {r.lot_id}: {t('dispatch.reason.' + str(r.reason), lang)} - {r.message}")
    print_written(files, lang)


def register(app: typer.Typer) -> None:
    """Add the `dispatch` command to ``app``."""
    app.command("dispatch")(dispatch)
