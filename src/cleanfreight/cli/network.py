"""`cleanfreight network ...`: inspect road files, build the truck network, compute matrices."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cleanfreight._i18n import check_lang, t
from cleanfreight._i18n import register as register_labels
from cleanfreight.cli._common import (
    JsonOption,
    LangOption,
    handle_errors,
    named_files,
    out,
    print_json,
    print_written,
    progress,
    target_file,
)
from cleanfreight.errors import InputError

network_app = typer.Typer(rich_markup_mode=None, help="Road and rail networks: inspect files, build truck networks, distance matrices.",
                          no_args_is_help=True)


_LABELS = {
    "net_build_written": ("road network built: {nodes:,} nodes, {edges:,} edges, {km:,.0f} km → {dir}",
                          "路网已构建：{nodes:,} 个节点、{edges:,} 条边、{km:,.0f} 公里 → {dir}"),
    "net_building": ("building the truck network from {name}", "正在由 {name} 构建货车路网"),
}
register_labels(_LABELS)


@network_app.command("build")
@handle_errors
def build(
    file: Annotated[Path, typer.Argument(help="OSM PBF (.osm.pbf; OSM XML also works), read by streaming")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for graph.npz, edges.parquet, network.json")],
    boundary: Annotated[Path | None, typer.Option(help="Keep only roads inside this boundary (GeoJSON/GPKG/SHP)")] = None,
    gross_weight: Annotated[float, typer.Option(help="Truck gross weight (t); lighter maxweight roads are removed")] = 49.0,
    new_energy: Annotated[bool, typer.Option("--new-energy", help="Truck is new-energy (kept in network.json)")] = False,
    json_out: JsonOption = False,
    lang: LangOption = "en",
) -> None:
    """Build a province-size heavy-truck network from FILE in bounded memory, stored compactly in --out."""
    lang = check_lang(lang)
    from cleanfreight.errors import InputError
    from cleanfreight.network.roads import TruckProfile
    from cleanfreight.network.store import BuildOptions, build_road_store, read_boundary

    if not file.exists():
        raise InputError(f"road file not found: {file}")
    area = read_boundary(boundary) if boundary else None
    opts = BuildOptions(profile=TruckProfile(gross_weight_t=gross_weight, new_energy=new_energy))
    with progress(t("net_building", lang, name=file.name), quiet=json_out) as step:
        info = build_road_store(file, out_dir, options=opts, boundary=area, on_progress=step)
    if json_out:
        print_json(info)
        return
    out.print(t("net_build_written", lang, nodes=info["nodes"], edges=info["edges"], km=info["length_km"],
                dir=out_dir), highlight=False)


@network_app.command("info")
@handle_errors
def info(
    file: Annotated[Path, typer.Argument(help="Road file: .osm / .osm.xml, .osm.pbf, .graphml, or a folder built by `network build`")],
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
    """Build the heavy-truck network from FILE (or read a built folder) and print nodes, edges, CRS and bounds."""
    check_lang(lang)
    from cleanfreight.network.store import is_road_store, load_road_store

    if file.is_dir() and not is_road_store(file):
        load_road_store(file)  # raises: names what a built folder holds
    if is_road_store(file):
        summary = _store_summary(file)  # the folder's network.json holds the summary: no arrays are read
    else:
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


def _store_summary(folder: Path) -> dict[str, Any]:
    import json

    from cleanfreight.errors import InputError
    from cleanfreight.network.store import FORMAT_VERSION

    try:
        meta = json.loads((folder / "network.json").read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"{folder / 'network.json'}: not a valid network.json ({exc})") from None
    if meta.get("format_version") != FORMAT_VERSION:
        raise InputError(f"{folder}: network format version {meta.get('format_version')!r}; expected {FORMAT_VERSION}")
    return {"nodes": meta["nodes"], "edges": meta["edges"], "crs": meta["crs"], "bounds": meta["bounds"],
            "length_km": meta["length_km"], "source": meta["source"]["path"], "removed": meta["removed"],
            "folder": str(folder)}


@network_app.command("matrix")
@handle_errors
def matrix(
    roads: Annotated[Path, typer.Option(help="Road file (.osm, .osm.pbf, .graphml) or a folder built by `network build`")],
    points: Annotated[Path, typer.Option(help="CSV with id, lon, lat (and optional coord_crs) columns")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Output folder: matrix.csv (long format: from, to, km, hours)")
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Output CSV file instead of --out/matrix.csv")] = None,
    json_out: JsonOption = False,
    to: Annotated[Path | None, typer.Option("--to", help="Destinations CSV (id, lon, lat); default: the --points")] = None,
    workers: Annotated[
        int, typer.Option(help="Processes for a built network folder's matrix (Linux); 0: one per core")
    ] = 0,
    lang: LangOption = "en",
) -> None:
    """Many-to-many road distance and time matrix between the points of a CSV (or from --points to --to)."""
    check_lang(lang)
    import pandas as pd

    from cleanfreight.network.rail import load_points
    from cleanfreight.network.store import is_road_store, load_road_store

    out_file = target_file(out_dir, file, "matrix.csv")
    if out_file is None:
        raise InputError("no output: give --out FOLDER (writes matrix.csv) or --file FILE.csv")

    pts = load_points(points, ["id"], "points")
    dest = load_points(to, ["id"], "points") if to is not None else None
    labels = list(pts["id"].astype(str))
    dlabels = labels if dest is None else list(dest["id"].astype(str))
    origins = list(zip(pts["lon"], pts["lat"], strict=True))
    targets = None if dest is None else list(zip(dest["lon"], dest["lat"], strict=True))
    if roads.is_dir() or is_road_store(roads):
        import os

        procs = workers or os.cpu_count() or 1
        m = load_road_store(roads).matrix(origins, targets, origin_labels=labels, destination_labels=dlabels,
                                          workers=procs)
    else:
        from cleanfreight.network.matrix import road_matrix
        from cleanfreight.network.roads import load_roads

        m = road_matrix(load_roads(roads), origins, targets, origin_labels=labels, destination_labels=dlabels)
    n, k = len(labels), len(dlabels)
    table = pd.DataFrame({
        "from": [a for a in labels for _ in range(k)],
        "to": dlabels * n,
        "km": m.distance_km.ravel(),
        "hours": m.time_h.ravel(),
    })
    from cleanfreight._io import write_csv

    out_file.parent.mkdir(parents=True, exist_ok=True)
    write_csv(table, out_file, index=False)
    if json_out:
        print_json({"files": named_files([out_file]), "origins": n, "destinations": k})
        return
    print_written([out_file], lang)


def register(app: typer.Typer) -> None:
    app.add_typer(network_app, name="network")
