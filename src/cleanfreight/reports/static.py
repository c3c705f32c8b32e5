"""Print-quality static maps (PNG, SVG, PDF) with matplotlib and geopandas.

The same layers as the interactive map, drawn in a metric CRS (the layers' UTM zone, EPSG:32649
for Changzhi) with a scale bar, a legend and Chinese text in the CJK font of
:mod:`cleanfreight.reports._fonts`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from cleanfreight._i18n import check_lang
from cleanfreight._io import atomic_path
from cleanfreight.errors import InputError
from cleanfreight.reports._labels import t
from cleanfreight.reports.maps import AMBER_BAND, COLORS, MapLayers, area_names, ratio_color

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes

__all__ = ["STATIC_FORMATS", "plot_map", "static_map"]

log = logging.getLogger(__name__)

STATIC_FORMATS = (".png", ".svg", ".pdf")

_ROUTE_STYLE: dict[str, dict[str, Any]] = {
    "rail": {"color": COLORS["route_rail"], "linewidth": 2.6, "alpha": 0.7, "linestyle": "-"},
    "ne": {"color": COLORS["route_ne"], "linewidth": 1.6, "alpha": 0.9, "linestyle": "-"},
    "diesel": {"color": COLORS["route_diesel"], "linewidth": 1.2, "alpha": 0.9, "linestyle": (0, (2, 2))},
    "other": {"color": COLORS["route_other"], "linewidth": 1.0, "alpha": 0.8, "linestyle": "-"},
}


def _metric_crs(layers: dict[str, gpd.GeoDataFrame]) -> Any:
    for name in ("enterprises", "rail", "stations", "boundaries", "routes", "roads", "spurs"):
        if name in layers:
            try:
                return layers[name].to_crs("EPSG:4326").estimate_utm_crs()
            except Exception:  # pragma: no cover - empty or odd geometry
                continue
    return "EPSG:32649"


def _scale_bar(ax: Axes) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width = x1 - x0
    km = max(1, int(10 ** np.floor(np.log10(width / 1000 / 4))))
    for step in (5, 2):
        if km * step * 1000 <= width / 4:
            km *= step
            break
    bx, by = x0 + width * 0.04, y0 + (y1 - y0) * 0.04
    ax.plot([bx, bx + km * 1000], [by, by], color="#333333", linewidth=2.2, solid_capstyle="butt", zorder=20)
    ax.text(
        bx + km * 500, by + (y1 - y0) * 0.012, f"{km} km", ha="center", va="bottom", fontsize=6, zorder=20
    )
    ax.annotate(
        "N",
        xy=(x1 - width * 0.05, y1 - (y1 - y0) * 0.05),
        xytext=(x1 - width * 0.05, y1 - (y1 - y0) * 0.13),
        ha="center",
        va="center",
        fontsize=7,
        arrowprops={"arrowstyle": "-|>", "color": "#333333"},
        zorder=20,
    )


def plot_map(
    ax: Axes,
    layers: MapLayers,
    *,
    lang: str = "en",
    target: float = 0.8,
    legend: bool = True,
    legend_size: float = 6.0,
    legend_below: bool = False,
    labels: bool = False,
) -> None:
    """Draw ``layers`` on a matplotlib axis (metric CRS, no axes frame, scale bar, legend).

    With ``labels`` the stations and enterprises are named where a label fits (largest first,
    never over another label); district / county names are drawn above the routes with a halo.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from cleanfreight.reports._mapdata import _ROUTE_KINDS
    from cleanfreight.reports._mapparts import _text

    lang = check_lang(lang)
    present = layers.present()
    if not present:
        raise InputError("nothing to draw: every map layer is empty")
    crs = _metric_crs(present)
    g = {
        name: gdf.to_crs(crs) if gdf.crs is not None else gdf.set_crs(4326).to_crs(crs)
        for name, gdf in present.items()
    }
    handles: list[Any] = []
    if "boundaries" in g:
        g["boundaries"].plot(
            ax=ax, facecolor="#f7f6f0", edgecolor=COLORS["boundary"], linewidth=0.5, linestyle="--", zorder=1
        )
        # a light box, not a path-effect halo: path effects turn PDF text into outlines (not searchable)
        halo = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.55}
        for name, pt in zip(area_names(g["boundaries"], lang), g["boundaries"].representative_point(), strict=True):
            if name and pt is not None and not pt.is_empty:  # above roads and routes: never hidden
                ax.text(pt.x, pt.y, name, fontsize=6, color="#6a6a6a", ha="center", va="center", zorder=9.5,
                        clip_on=True, bbox=halo)
    if "roads" in g:
        g["roads"].plot(ax=ax, color=COLORS["road"], linewidth=0.5, zorder=2)
    if "restriction_zone" in g:
        g["restriction_zone"].plot(
            ax=ax,
            facecolor=(0.89, 0.10, 0.11, 0.12),
            edgecolor=COLORS["zone"],
            linewidth=0.8,
            linestyle="--",
            zorder=3,
        )
        handles.append(
            Patch(
                facecolor=(0.89, 0.10, 0.11, 0.2),
                edgecolor=COLORS["zone"],
                label=t("map.restriction_zone", lang),
            )
        )
    if "routes" in g:
        kinds = g["routes"]["kind"].map(lambda k: _ROUTE_KINDS.get(_text(k).strip().lower(), "other"))
        for kind, style in _ROUTE_STYLE.items():
            part = g["routes"][kinds == kind]
            if len(part):
                part.plot(ax=ax, zorder=4, **style)
                handles.append(Line2D([], [], label=t(f"map.route_{kind}", lang), **style))
    if "rail" in g:
        g["rail"].plot(ax=ax, color=COLORS["rail"], linewidth=1.4, zorder=5)
        handles.append(Line2D([], [], color=COLORS["rail"], linewidth=1.4, label=t("map.rail", lang)))
    if "spurs" in g:
        sp = g["spurs"]
        planned = (
            (sp["status"].astype(str).str.lower() == "planned")
            if "status" in sp
            else pd.Series(False, sp.index)
        )
        if (~planned).any():
            sp[~planned].plot(ax=ax, color=COLORS["spur"], linewidth=1.2, zorder=6)
            handles.append(
                Line2D([], [], color=COLORS["spur"], linewidth=1.2, label=t("map.spur_existing", lang))
            )
        if planned.any():
            sp[planned].plot(ax=ax, color=COLORS["spur"], linewidth=1.2, linestyle=(0, (3, 2)), zorder=6)
            handles.append(
                Line2D(
                    [],
                    [],
                    color=COLORS["spur"],
                    linewidth=1.2,
                    linestyle=(0, (3, 2)),
                    label=t("map.spur_planned", lang),
                )
            )
    if "swap_stations" in g:
        g["swap_stations"].plot(ax=ax, color=COLORS["swap"], marker="^", markersize=10, zorder=7)
        handles.append(
            Line2D(
                [],
                [],
                color=COLORS["swap"],
                marker="^",
                linestyle="",
                markersize=4,
                label=t("map.swap_stations", lang),
            )
        )
    if "stations" in g:
        g["stations"].plot(
            ax=ax,
            color=COLORS["station"],
            marker="s",
            markersize=14,
            edgecolor="white",
            linewidth=0.5,
            zorder=8,
        )
        handles.append(
            Line2D(
                [],
                [],
                color=COLORS["station"],
                marker="s",
                linestyle="",
                markersize=4,
                label=t("map.stations", lang),
            )
        )
    if "enterprises" in g:
        en = g["enterprises"]
        ratio = pd.to_numeric(en.get("ratio_after", en["clean_ratio"]), errors="coerce").fillna(
            pd.to_numeric(en["clean_ratio"], errors="coerce")
        )
        tonnes = pd.to_numeric(en["tonnes_total"], errors="coerce").fillna(0).clip(lower=0).to_numpy()
        size = 8 + 140 * tonnes / (tonnes.max() if tonnes.max() > 0 else 1)
        pts = en.geometry.representative_point()
        ax.scatter(
            pts.x,
            pts.y,
            s=size,
            c=[ratio_color(float(r), target) for r in ratio],
            edgecolors="#333333",
            linewidths=0.4,
            alpha=0.9,
            zorder=9,
        )
        low = max(0.0, target - AMBER_BAND)
        for key, color, fmt in (
            ("map.ratio_ok", COLORS["ok"], {"target": f"{target:.0%}"}),
            ("map.ratio_near", COLORS["near"], {"low": f"{low:.0%}", "target": f"{target:.0%}"}),
            ("map.ratio_low", COLORS["low"], {"low": f"{low:.0%}"}),
        ):
            handles.insert(
                0,
                Line2D(
                    [],
                    [],
                    color=color,
                    marker="o",
                    linestyle="",
                    markersize=4,
                    markeredgecolor="#333333",
                    markeredgewidth=0.4,
                    label=t(key, lang, **fmt),
                ),
            )
        handles[:3] = handles[:3][::-1]
    focus = [v for k, v in g.items() if k not in ("roads", "boundaries")] or list(g.values())
    b = np.array([v.total_bounds for v in focus])
    minx, miny, maxx, maxy = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    pad = max(maxx - minx, maxy - miny) * 0.06 + 1000
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#bbbbbb")
        spine.set_linewidth(0.5)
    _scale_bar(ax)
    if labels:
        _place_labels(ax, g, lang)
    if legend and handles:
        place: dict[str, Any] = (
            {"loc": "upper center", "bbox_to_anchor": (0.5, -0.01), "ncol": 4, "columnspacing": 0.8}
            if legend_below
            else {"loc": "lower right"}
        )
        ax.legend(
            handles=handles,
            **place,
            fontsize=legend_size,
            frameon=True,
            framealpha=0.9,
            borderpad=0.5,
            handlelength=1.8,
        )


def _place_labels(ax: Axes, g: dict[str, gpd.GeoDataFrame], lang: str, size: float = 5.5) -> None:
    """Name stations and enterprises where the label fits: largest first, no overlap, inside the map."""
    from cleanfreight.reports._mapparts import _names

    ax.apply_aspect()
    fig = ax.get_figure(root=True)
    pos = ax.get_position()
    fw, fh = (fig.get_figwidth(), fig.get_figheight()) if fig is not None else (8.0, 8.0)  # type: ignore[union-attr]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    per_pt_x = (x1 - x0) / (pos.width * fw * 72)  # data units per point
    per_pt_y = (y1 - y0) / (pos.height * fh * 72)
    candidates: list[tuple[float, float, float, str]] = []  # (priority, x, y, text)
    if "stations" in g:
        st = g["stations"]
        for (_, row), pt in zip(st.iterrows(), st.geometry.representative_point(), strict=True):
            candidates.append((1e12, pt.x, pt.y, _names(row, lang, str(row.get("station_id", "")))[0]))
    if "enterprises" in g:
        en = g["enterprises"]
        tonnes = pd.to_numeric(en["tonnes_total"], errors="coerce").fillna(0)
        for (_, row), pt, tn in zip(en.iterrows(), en.geometry.representative_point(), tonnes, strict=True):
            candidates.append((float(tn), pt.x, pt.y, _names(row, lang, str(row["enterprise_id"]))[0]))
    taken: list[tuple[float, float, float, float]] = []
    if "boundaries" in g:  # district / county names stay readable: no label over them
        b = g["boundaries"]
        for name, pt in zip(area_names(b, lang), b.representative_point(), strict=True):
            if name and pt is not None and not pt.is_empty:
                w = sum(1.0 if ord(ch) >= 0x2E80 else 0.55 for ch in name) * 6 * per_pt_x / 2
                h = 6 * 1.2 * per_pt_y / 2
                taken.append((pt.x - w, pt.y - h, pt.x + w, pt.y + h))
    halo = {"boxstyle": "round,pad=0.08", "fc": "white", "ec": "none", "alpha": 0.6}
    for _, x, y, text in sorted(candidates, key=lambda c: -c[0]):
        if not text:
            continue
        w = sum(1.0 if ord(ch) >= 0x2E80 else 0.55 for ch in text) * size * per_pt_x
        h = size * 1.2 * per_pt_y
        for dx, ha in ((4 * per_pt_x, "left"), (-4 * per_pt_x, "right")):
            bx0 = x + dx if ha == "left" else x + dx - w
            box = (bx0, y - h / 2, bx0 + w, y + h / 2)
            inside = box[0] > x0 and box[2] < x1 and box[1] > y0 and box[3] < y1
            if inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                                  for b in taken):
                taken.append(box)
                ax.text(x + dx, y, text, fontsize=size, ha=ha, va="center", color="#222222", zorder=10,
                        bbox=halo, clip_on=True)
                break


def static_map(
    layers: MapLayers,
    path: str | Path,
    *,
    lang: str = "en",
    title: str | None = None,
    target: float = 0.8,
    dpi: int = 200,
    size: tuple[float, float] = (8.0, 8.0),
    sample: bool = True,
    labels: bool = True,
) -> Path:
    """Write a static map as PNG, SVG or PDF (from the file suffix).

    Parameters
    ----------
    layers
        What to draw.
    path
        Output file ending in ``.png``, ``.svg`` or ``.pdf``.
    lang
        ``"en"`` or ``"zh"``.
    title
        Title above the map (default: the bilingual map title in ``lang``).
    target
        Clean-ratio target the enterprise colours compare against.
    dpi
        Resolution of PNG output (and of rasterised parts of PDF/SVG).
    size
        Figure size in inches.
    sample
        The data is the bundled illustrative sample: the footer says so (only then).
    labels
        Name stations and enterprises where the label fits.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from cleanfreight.reports._fonts import rc_params

    path = Path(path)
    if path.suffix.lower() not in STATIC_FORMATS:
        raise InputError(f"static maps are written as {', '.join(STATIC_FORMATS)}; got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context(cast(Any, rc_params())):
        fig, ax = plt.subplots(figsize=size)
        try:
            plot_map(ax, layers, lang=lang, target=target, labels=labels)
            ax.set_title(title if title is not None else t("map.title", lang), fontsize=12)
            if sample:
                fig.text(0.01, 0.005, t("illustrative", lang), fontsize=6, color="#777777")
            fig.tight_layout()
            with atomic_path(path) as tmp:
                fig.savefig(tmp, dpi=dpi, metadata=_metadata(path, title or t("map.title", lang)))
        finally:
            plt.close(fig)
    log.info("wrote %s", path)
    return path


def _metadata(path: Path, title: str) -> dict[str, Any]:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return {"Title": title, "Creator": "cleanfreight"}
    if suffix == ".svg":
        return {"Title": title, "Creator": "cleanfreight", "Date": None}
    return {"Title": title, "Software": "cleanfreight"}
