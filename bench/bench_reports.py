"""Benchmark of the briefing outputs: offline maps against plain Folium, briefing and workbook.

The baseline is what a Folium user writes by hand, measured in the same run on the same
enterprises: one ``folium.CircleMarker`` with a ``Popup`` (a small HTML table) and a ``Tooltip``
per enterprise (inside a ``MarkerCluster`` above 300, as cleanfreight does), saved with
``Map.save`` — which still loads Leaflet and the plugins from CDNs, so it is *smaller* than an
offline page by the ~300 kB of inlined assets. Figures are ratios: cleanfreight / baseline
(``time_ratio``, ``size_ratio``).

Render time: each cleanfreight map is opened in headless Debian chromium (``/usr/bin/chromium`` driven by
Playwright, every network request blocked) until Leaflet has drawn its markers, then screenshot at
1200 x 900 (``render_s``: navigation to screenshot written, best of 3). The baseline is the
40-enterprise map (the sample's size) rendered in the same run: ``render_vs_40``, ``size_vs_40``.
The Folium baseline loads Leaflet from CDNs and cannot render offline, so it has no render time.
The province map is the seeded province instance of ``cleanfreight sample --scale province``
(2,000 enterprises and 200 freight stations around Shanxi's cities).

Usage::

    .venv/bin/python bench/bench_reports.py [--quick]

``--quick`` stops at 2,000 enterprises (plus the province map). Results go to
``bench/results/bench_reports.json``.
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import best_of, report


def enterprises(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "enterprise_id": [f"P{i:05d}" for i in range(n)],
            "name_zh": [f"示意企业{i}号" for i in range(n)],
            "name_en": [f"Sample firm {i}" for i in range(n)],
            "lon": 112.5 + 1.5 * rng.random(n),
            "lat": 35.7 + 1.4 * rng.random(n),
            "tonnes_total": rng.uniform(1.5e6, 1.5e7, n),
            "clean_ratio": rng.random(n),
        }
    )


def folium_baseline(ent: pd.DataFrame, path: Path) -> Path:
    import folium
    from folium.plugins import MarkerCluster

    from cleanfreight.reports import ratio_color

    m = folium.Map(location=[36.2, 113.1], zoom_start=9, tiles=None, control_scale=True)
    group: Any = (
        MarkerCluster(name="enterprises") if len(ent) > 300 else folium.FeatureGroup(name="enterprises")
    )
    group.add_to(m)
    tmax = float(ent["tonnes_total"].max())
    for row in ent.itertuples():
        table = (
            f"<b>{html.escape(row.name_en)}</b><br>{html.escape(row.name_zh)}<table>"
            f"<tr><th>ID</th><td>{row.enterprise_id}</td></tr>"
            f"<tr><th>Tonnes</th><td>{row.tonnes_total:,.0f}</td></tr>"
            f"<tr><th>Clean ratio</th><td>{row.clean_ratio:.1%}</td></tr></table>"
        )
        folium.CircleMarker(
            [row.lat, row.lon],
            radius=3 + 12 * (row.tonnes_total / tmax) ** 0.5,
            color="#333333",
            weight=1,
            fill=True,
            fill_color=ratio_color(row.clean_ratio),
            fill_opacity=0.8,
            popup=folium.Popup(table, max_width=360),
            tooltip=html.escape(row.name_en),
        ).add_to(group)
    folium.LayerControl().add_to(m)
    m.save(str(path))
    return path


def cleanfreight_map(ent: pd.DataFrame, path: Path) -> Path:
    from cleanfreight.reports import MapLayers, enterprise_points, make_map, save_map

    return save_map(make_map(MapLayers(enterprises=enterprise_points(ent)), cluster_above=300), path)


def province_layers() -> Any:
    """The province instance's enterprises (with a seeded clean ratio) and stations as map layers."""
    import geopandas as gpd

    from cleanfreight.jobs.province import ProvinceParams, province_sites
    from cleanfreight.reports import MapLayers, enterprise_points

    ent, st = province_sites(ProvinceParams())
    rng = np.random.default_rng(7)
    ent = ent.assign(tonnes_total=ent["tonnes_per_year"], clean_ratio=rng.random(len(ent)))
    st = st.rename(columns={"capacity_t_per_year": "handling_capacity_t_per_year"})
    st = st.assign(tonnes_used=st["handling_capacity_t_per_year"] * rng.uniform(0.2, 1.0, len(st)))
    stations = gpd.GeoDataFrame(st, geometry=gpd.points_from_xy(st["lon"], st["lat"]), crs="EPSG:4326")
    return MapLayers(enterprises=enterprise_points(ent), stations=stations), len(ent), len(st)


class Renderer:
    """Headless chromium (Playwright, Debian's binary), no network: time from navigation to a screenshot."""

    WAIT_JS = "() => document.querySelectorAll('.leaflet-interactive, .marker-cluster, .leaflet-marker-icon').length > 0"

    def __init__(self) -> None:
        import shutil

        from playwright.sync_api import sync_playwright

        exe = shutil.which("chromium") or "/usr/bin/chromium"
        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(
            executable_path=exe, args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"]
        )

    def render(self, html_path: Path, png: Path, repeat: int) -> tuple[float, float]:
        """(best seconds to ``load``, best seconds to the screenshot written) over ``repeat`` fresh pages."""
        import time

        best_load, best_shot = float("inf"), float("inf")
        for _ in range(repeat):
            page = self._browser.new_page(viewport={"width": 1200, "height": 900})
            page.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort()
            )
            t0 = time.perf_counter()
            page.goto(html_path.resolve().as_uri(), wait_until="load", timeout=300_000)
            page.wait_for_function(self.WAIT_JS, timeout=300_000)
            t_load = time.perf_counter() - t0
            page.screenshot(path=str(png), timeout=300_000)
            t_shot = time.perf_counter() - t0
            page.close()
            best_load, best_shot = min(best_load, t_load), min(best_shot, t_shot)
        return best_load, best_shot

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="up to 2,000 enterprises")
    args = parser.parse_args()
    sizes = [40, 2_000] if args.quick else [40, 2_000, 20_000]
    rows: list[dict[str, Any]] = []
    renderer: Renderer | None
    try:
        renderer = Renderer()
    except Exception as exc:  # no playwright or no chromium: sizes and export times still count
        print(f"no render times: {exc}", file=sys.stderr)
        renderer = None
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for n in sizes:
            ent = enterprises(n)
            repeat = 3 if n <= 2_000 else 1
            t_base, base = best_of(partial(folium_baseline, ent, d / "base.html"), repeat)
            t_cf, cf = best_of(partial(cleanfreight_map, ent, d / f"cf{n}.html"), repeat)
            size_base, size_cf = base.stat().st_size, cf.stat().st_size
            row = {
                "case": f"map, {n:,} enterprises",
                "baseline": "folium by hand (CDN assets)",
                "folium_s": round(t_base, 3),
                "cleanfreight_s": round(t_cf, 3),
                "time_ratio": round(t_cf / t_base, 3),
                "folium_kB": round(size_base / 1e3, 1),
                "cleanfreight_kB": round(size_cf / 1e3, 1),
                "size_ratio": round(size_cf / size_base, 3),
                "cf_bytes_per_enterprise": round((size_cf - _empty_size(d)) / n),
                "offline": "yes (folium: CDN)",
            }
            rows.append(_render(renderer, row, cf, d, repeat))
        layers, n_ent, n_st = province_layers()
        from cleanfreight.reports import make_map, save_map

        title = {"title": "Province instance (illustrative, seeded)", "subtitle": "省级示例（示意数据）"}
        t_prov, prov = best_of(
            lambda: save_map(make_map(layers, cluster_above=300, **title), d / "province.html"), 3
        )
        rows.append(
            _render(
                renderer,
                {
                    "case": f"province map, {n_ent:,} enterprises + {n_st} stations",
                    "baseline": "the 40-enterprise map",
                    "cleanfreight_s": round(t_prov, 3),
                    "cleanfreight_kB": round(prov.stat().st_size / 1e3, 1),
                    "offline": "yes",
                },
                prov,
                d,
                3,
            )
        )
        if renderer is not None:
            renderer.close()
        small = rows[0]
        for r in rows:
            if small.get("render_s") and r.get("render_s"):
                r["render_vs_40"] = round(r["render_s"] / small["render_s"], 3)
            r["size_vs_40"] = round(r["cleanfreight_kB"] / small["cleanfreight_kB"], 3)
            r["export_vs_40"] = round(r["cleanfreight_s"] / small["cleanfreight_s"], 3)
        from cleanfreight.reports import RenderParams, make_briefing, write_workbook

        ent = enterprises(40)
        months = [f"2025-{m:02d}" for m in range(1, 13)]
        monthly = pd.DataFrame(
            [
                (p, e, r, t / 12)
                for p in months
                for e, r, t in zip(ent.enterprise_id, ent.clean_ratio, ent.tonnes_total, strict=True)
            ],
            columns=["period", "enterprise_id", "clean_ratio", "tonnes_total"],
        )
        opts = RenderParams(lang="zh")
        t_b, _ = best_of(
            lambda: make_briefing(ent, d / "b.pdf", d / "b.png", monthly=monthly, options=opts), 2
        )
        t_w, _ = best_of(lambda: write_workbook(d / "w.xlsx", ent, monthly=monthly, options=opts), 3)
        rows.append(
            {
                "case": "briefing PDF+PNG (40 enterprises, 12 months, A4 200 dpi)",
                "cleanfreight_s": round(t_b, 3),
            }
        )
        rows.append({"case": "workbook XLSX (40 enterprises, 12 months)", "cleanfreight_s": round(t_w, 3)})
    path = report(
        "bench_reports",
        rows,
        quick=args.quick,
        columns=[
            "case",
            "cleanfreight_kB",
            "cleanfreight_s",
            "render_s",
            "size_ratio",
            "time_ratio",
            "size_vs_40",
            "export_vs_40",
            "render_vs_40",
        ],
        baselines={
            "size_ratio, time_ratio": "the same enterprises as a hand-written Folium map (CDN assets, not offline)",
            "size_vs_40, export_vs_40, render_vs_40": "cleanfreight's 40-enterprise map (the sample's size), same run",
            "render_s": "headless chromium (Playwright, no network): navigation to screenshot at 1200 x 900, best of 3",
        },
    )
    print(f"written {path}")


def _render(
    renderer: Renderer | None, row: dict[str, Any], html_path: Path, d: Path, repeat: int
) -> dict[str, Any]:
    """``row`` with the map's render times (none without a browser)."""
    if renderer is not None:
        t_load, t_shot = renderer.render(html_path, d / "shot.png", repeat)
        row["load_s"] = round(t_load, 3)
        row["render_s"] = round(t_shot, 3)
    return row


def _empty_size(d: Path) -> int:
    from cleanfreight.reports import MapLayers, enterprise_points, make_map, save_map

    one = enterprises(1)
    return save_map(make_map(MapLayers(enterprises=enterprise_points(one))), d / "one.html").stat().st_size


if __name__ == "__main__":
    main()
