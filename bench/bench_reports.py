"""Benchmark of the briefing outputs: offline maps against plain Folium, briefing and workbook.

The baseline is what a Folium user writes by hand, measured in the same run on the same
enterprises: one ``folium.CircleMarker`` with a ``Popup`` (a small HTML table) and a ``Tooltip``
per enterprise (inside a ``MarkerCluster`` above 300, as cleanfreight does), saved with
``Map.save`` — which still loads Leaflet and the plugins from CDNs, so it is *smaller* than an
offline page by the ~300 kB of inlined assets. Figures are ratios: cleanfreight / baseline.

Usage::

    .venv/bin/python bench/bench_reports.py [--quick]

``--quick`` stops at 2,000 enterprises. Results go to ``bench/results/bench_reports.json``.
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="up to 2,000 enterprises")
    args = parser.parse_args()
    sizes = [40, 2_000] if args.quick else [40, 2_000, 20_000]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for n in sizes:
            ent = enterprises(n)
            repeat = 3 if n <= 2_000 else 1
            t_base, base = best_of(lambda ent=ent: folium_baseline(ent, d / "base.html"), repeat)
            t_cf, cf = best_of(lambda ent=ent: cleanfreight_map(ent, d / "cf.html"), repeat)
            size_base, size_cf = base.stat().st_size, cf.stat().st_size
            rows.append(
                {
                    "case": f"map, {n} enterprises",
                    "folium_s": round(t_base, 3),
                    "cleanfreight_s": round(t_cf, 3),
                    "time_ratio": round(t_cf / t_base, 3),
                    "folium_kB": round(size_base / 1e3, 1),
                    "cleanfreight_kB": round(size_cf / 1e3, 1),
                    "size_ratio": round(size_cf / size_base, 3),
                    "cf_bytes_per_enterprise": round((size_cf - _empty_size(d)) / n),
                    "offline": "yes (folium: CDN)",
                }
            )
        from cleanfreight.reports import ReportOptions, make_briefing, write_workbook

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
        opts = ReportOptions(lang="zh")
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
    path = report("bench_reports", rows)
    print(f"written {path}")


def _empty_size(d: Path) -> int:
    from cleanfreight.reports import MapLayers, enterprise_points, make_map, save_map

    one = enterprises(1)
    return save_map(make_map(MapLayers(enterprises=enterprise_points(one))), d / "one.html").stat().st_size


if __name__ == "__main__":
    main()
