"""`cleanfreight network ...`: inspect road files, build the truck network, compute matrices."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cleanfreight._i18n import check_lang
from cleanfreight.cli._common import (
    JsonOption,
    LangOption,
    handle_errors,
    out,
    print_json,
    print_written,
    progress,
)

network_app = typer.Typer(rich_markup_mode=None, help="Road and rail networks: inspect files, build truck networks, distance matrices.",
                          no_args_is_help=True)


@network_app.command("info")
@handle_errors
def info(
    file: Annotated[Path, typer.Argument(help="Road file: .osm / .osm.xml, .osm.pbf or .graphml")],
    gross_weight: Annotated[float, typer.Option(help="Truck gross weight (t); lighter maxweight roads are removed")] = 49.0,
    new_energy: Annotated[bool, typer.Option("--new-energy", help="Truck is new-energy (exempt from zones that say so)")] = False,
    boundary: Annotated[Path | None, typer.Option(help="Clip to this boundary (GeoJSON/GPKG/SHP)")] = None,
    zones: Annotated[
        Path | None,
        typer.Option("--restriction-zone", "--zones", help="Truck restriction zones (GeoJSON/GPKG); --zones: older spelling"),
    ] = None,
    save_graphml: Annotated[Path | None, typer.Option(help="Also save the truck network as GraphML")] = None,
    json_out: JsonOption = False,
    lang: LangOption = "en",
) -> None:
    """Build the heavy-truck network from FILE and print nodes, edges, CRS and bounds."""
    check_lang(lang)
    import geopandas as gpd

    from cleanfreight.network.roads import TruckProfile, graph_summary, load_roads

    with progress(f"reading {file.name}", quiet=json_out) as step:
        step(f"reading {file.name}")
        G = load_roads(
            file,
            profile=TruckProfile(gross_weight_t=gross_weight, new_energy=new_energy),
            boundary=gpd.read_file(boundary) if boundary else None,
            restriction_zones=gpd.read_file(zones) if zones else None,
        )
    summary = graph_summary(G)
    if save_graphml:
        import osmnx as ox

        ox.save_graphml(G, save_graphml)
        summary["graphml"] = str(save_graphml)
    if json_out:
        print_json(summary)
        return
    for key, value in summary.items():
        out.print(f"[bold]{key}[/]: {value}")


@network_app.command("matrix")
@handle_errors
def matrix(
    roads: Annotated[Path, typer.Option(help="Road file (.osm, .osm.pbf, .graphml)")],
    points: Annotated[Path, typer.Option(help="CSV with id, lon, lat (and optional coord_crs) columns")],
    out_file: Annotated[Path, typer.Option("--out", help="Output CSV (long format: from, to, km, hours)")],
    lang: LangOption = "en",
) -> None:
    """Many-to-many road distance and time matrix between the points of a CSV."""
    check_lang(lang)
    import pandas as pd

    from cleanfreight.network.matrix import road_matrix
    from cleanfreight.network.rail import load_points
    from cleanfreight.network.roads import load_roads

    pts = load_points(points, ["id"], "points")
    G = load_roads(roads)
    m = road_matrix(G, list(zip(pts["lon"], pts["lat"], strict=True)), origin_labels=list(pts["id"].astype(str)))
    labels = list(pts["id"].astype(str))
    n = len(labels)
    table = pd.DataFrame({
        "from": [a for a in labels for _ in range(n)],
        "to": labels * n,
        "km": m.distance_km.ravel(),
        "hours": m.time_h.ravel(),
    })
    from cleanfreight._io import write_csv

    write_csv(table, out_file, index=False)
    print_written([out_file], lang)


def register(app: typer.Typer) -> None:
    app.add_typer(network_app, name="network")
