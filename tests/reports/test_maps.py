"""The offline Folium map: assets, escaping, layers, tiles and large inputs (HTML checks, no browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString

from cleanfreight.errors import InputError
from cleanfreight.reports import MapLayers, enterprise_points, make_map, ratio_color, save_map
from cleanfreight.reports._offline import inline_assets, remote_asset_urls
from tests.reports.conftest import XSS, XSS_EN


def test_saved_map_loads_nothing_from_the_network(map_html: Path) -> None:
    page = map_html.read_text(encoding="utf-8")
    assert remote_asset_urls(page) == []
    assert not re.search(r"<script[^>]+src=[\"']https?://", page)
    assert not re.search(r"<link[^>]+href=[\"']https?://", page)
    # Leaflet, jQuery and the page's own script are inline
    assert "inlined offline: leaflet.js" in page
    assert "inlined offline: leaflet.css" in page
    assert "inlined offline: jquery" in page
    assert "cleanfreight.pointLayer" in page
    # leaflet.css images became data URIs
    assert "url(images/" not in page
    assert "data:image/png;base64," in page


def test_user_names_are_never_written_raw(map_html: Path) -> None:
    page = map_html.read_text(encoding="utf-8")
    assert XSS not in page
    assert "<img src=x onerror" not in page
    assert "太焦线</script>" not in page
    # the escaped form is there, so the name is shown, not dropped
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page
    tips = [json.loads(m) for m in re.findall(r'"_tip": ("(?:[^"\\]|\\.)*")', page)]
    assert "太焦线&lt;/script&gt;<br>Taiyuan-Jiaozuo" in tips  # pre-escaped HTML for the line tooltip


def test_tile_layers_are_optional_and_off(layers: MapLayers, map_html: Path) -> None:
    page = map_html.read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" in page  # offered ...
    m = re.search(r"var (tile_layer_\w+) = L\.tileLayer", page)
    assert m is not None
    assert f"{m.group(1)}.addTo(" not in page  # ... but not shown until ticked
    no_tiles = make_map(layers).get_root().render()
    assert "L.tileLayer" not in no_tiles


def test_amap_tiles_shift_overlays_to_gcj02(enterprises: pd.DataFrame) -> None:
    from cleanfreight.network.crs import wgs84_to_gcj02

    layers = MapLayers(enterprises=enterprise_points(enterprises.iloc[[1]]))
    wgs = make_map(layers).get_root().render()
    gcj = make_map(layers, tiles="amap").get_root().render()
    lon, lat = wgs84_to_gcj02(113.10, 36.20)
    assert '"y":36.2,"x":113.1' in wgs
    assert f'"y":{round(lat, 6)},"x":{round(lon, 6)}' in gcj
    # the offset near Changzhi is a few hundred metres (GCJ-02 adds ~ +0.006 deg lon, +0.001 deg lat here)
    assert 0.004 < lon - 113.10 < 0.008
    assert 0.0 < lat - 36.20 < 0.003


def test_bad_options_list_every_problem(layers: MapLayers) -> None:
    with pytest.raises(InputError) as err:
        make_map(layers, tiles=["osm", "amap", "google"])
    text = str(err.value)
    assert "google" in text and "cannot be mixed" in text
    with pytest.raises(InputError, match="tianditu:YOUR_KEY"):
        make_map(layers, tiles="tianditu")
    with pytest.raises(InputError) as err:
        make_map(layers, target=1.5, cluster_above=-1)
    assert len(err.value.problems) == 2
    with pytest.raises(InputError, match="unknown language"):
        make_map(layers, lang="fr")


def test_layers_are_validated() -> None:
    frame = gpd.GeoDataFrame({"enterprise_id": ["A"]}, geometry=gpd.points_from_xy([113.0], [36.0]), crs=4326)
    with pytest.raises(InputError) as err:
        MapLayers(enterprises=frame, routes=frame, rail=pd.DataFrame())  # type: ignore[arg-type]
    problems = {p.column: p.message for p in err.value.problems}
    assert set(problems) == {"enterprises", "routes", "rail"}
    assert "name_zh" in problems["enterprises"] and "clean_ratio" in problems["enterprises"]


def test_ratio_colours_against_target() -> None:
    assert ratio_color(0.8) == ratio_color(0.95) == "#1a9850"
    assert ratio_color(0.65) == ratio_color(0.79) == "#f39c12"
    assert ratio_color(0.6499) == "#d73027"
    assert ratio_color(0.6, target=0.6) == "#1a9850"
    assert ratio_color(float("nan")) == "#969696"


def test_popup_data_is_bilingual_and_exact(layers: MapLayers) -> None:
    page = make_map(layers, lang="en").get_root().render()
    spec = json.loads(
        re.search(
            r"cleanfreight\.pointLayer\((\{.*?\})\);\n",
            page.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&"),
        ).group(1)
    )  # type: ignore[union-attr]
    # first point layer drawn is the enterprises
    assert spec["labels"][:3] == ["ID 编号", "Tonnes / yr 年运量(吨)", "Clean ratio 清洁运输比例"]
    first = spec["points"][0]
    assert first["t"] == XSS_EN and first["s"] == XSS
    assert first["v"][:3] == ["E1", "2,000,000", "90.0 %"]
    assert first["v"][-1] == "yes 是"
    e4 = spec["points"][3]
    assert e4["f"] == "#1a9850" and e4["v"][2] == "80.0 %"  # exactly at target is green
    e3 = spec["points"][2]
    assert e3["f"] == "#f39c12"
    radii = [p["r"] for p in spec["points"]]
    assert radii[1] == max(radii) and radii[4] == min(radii)  # size follows tonnage


def test_large_inputs_are_clustered_and_simplified(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n = 2000
    ent = pd.DataFrame(
        {
            "enterprise_id": [f"P{i}" for i in range(n)],
            "name_zh": [f"企业{i}" for i in range(n)],
            "name_en": [f"Firm {i}" for i in range(n)],
            "lon": 112.5 + rng.random(n),
            "lat": 35.8 + rng.random(n),
            "tonnes_total": rng.uniform(1e5, 1e7, n),
            "clean_ratio": rng.random(n),
        }
    )
    t = np.linspace(0, 1, 200_000)
    wiggly = LineString(np.column_stack([112.5 + t, 36.0 + 0.01 * np.sin(t * 400)]))
    rail = gpd.GeoDataFrame({"name_zh": ["长线"]}, geometry=[wiggly], crs=4326)
    layers = MapLayers(enterprises=enterprise_points(ent), rail=rail)
    path = save_map(make_map(layers, cluster_above=300, max_vertices=20_000), tmp_path / "big.html")
    page = path.read_text(encoding="utf-8")
    assert '"cluster":true' in page
    assert "inlined offline: leaflet.markercluster.js" in page
    assert "inlined offline: markercluster.css" in page
    assert remote_asset_urls(page) == []
    rail_json = re.search(r'"coordinates": (\[\[.*?\]\])', page)
    assert rail_json is not None
    assert len(json.loads(rail_json.group(1))) < 20_000  # simplified from 200,000 vertices
    assert path.stat().st_size < 3_000_000  # about 1 kB per enterprise + assets, not 100 MB


def test_projected_layers_are_converted(enterprises: pd.DataFrame) -> None:
    pts = enterprise_points(enterprises).to_crs("EPSG:32649")
    page = make_map(MapLayers(enterprises=pts)).get_root().render()
    assert '"y":36.2,"x":113.1' in page


def test_unknown_remote_asset_is_refused() -> None:
    page = '<html><head><script src="https://example.com/plugin.js"></script></head></html>'
    with pytest.raises(InputError, match=r"example\.com/plugin\.js"):
        inline_assets(page)
    assert "example.com" not in inline_assets(page, strict=False)
    assert inline_assets('<link rel="stylesheet" href="https://x/bootstrap.min.css"/>') == ""
