"""Briefing outputs: offline interactive maps, static maps, the one-page briefing, the workbook.

- :func:`make_map` / :func:`save_map`: Folium maps that open with no internet.
- :func:`static_map`: PNG / SVG / PDF maps; :func:`make_briefing`: the one-page PDF + PNG briefing.
- :func:`frontier_figure` / :func:`save_frontier_png`: the cost-of-ambition chart (``plan --frontier``).
- :func:`write_workbook`: the Excel workbook (summary, enterprises, monthly, plan).
- :func:`sample_layers`, :func:`layers_from_files`: map layers from the sample pack or user files.
"""

from cleanfreight.reports.briefing import Briefing, make_briefing
from cleanfreight.reports.frontier import (
    frontier_figure,
    plot_frontier,
    read_frontier,
    save_frontier_png,
    write_frontier_files,
)
from cleanfreight.reports.handouts import route_map, route_map_png, write_handouts
from cleanfreight.reports.layers import (
    guess_layer,
    layers_from_files,
    network_layers,
    plan_tables,
    read_layer_file,
    report_table,
    road_lines,
    sample_layers,
    split_layers,
)
from cleanfreight.reports.maps import (
    AMBER_BAND,
    TILE_PROVIDERS,
    MapLayers,
    enterprise_points,
    make_map,
    ratio_color,
    save_map,
)
from cleanfreight.reports.params import RenderParams, ReportOptions  # ReportOptions: deprecated alias
from cleanfreight.reports.static import plot_map, static_map
from cleanfreight.reports.workbook import write_workbook

__all__ = [
    "AMBER_BAND",
    "TILE_PROVIDERS",
    "Briefing",
    "MapLayers",
    "RenderParams",
    "ReportOptions",
    "enterprise_points",
    "frontier_figure",
    "guess_layer",
    "layers_from_files",
    "make_briefing",
    "make_map",
    "network_layers",
    "plan_tables",
    "plot_frontier",
    "plot_map",
    "ratio_color",
    "read_frontier",
    "read_layer_file",
    "report_table",
    "road_lines",
    "route_map",
    "route_map_png",
    "sample_layers",
    "save_frontier_png",
    "save_map",
    "split_layers",
    "static_map",
    "write_frontier_files",
    "write_handouts",
    "write_workbook",
]
