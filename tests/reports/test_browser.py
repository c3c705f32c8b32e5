"""The maps as a person sees them: headless Chromium renders them with no network."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cleanfreight.reports import MapLayers, enterprise_points, make_map, save_map
from tests.reports._browser import (
    count_interactive,
    count_paths,
    dump_dom,
    image_stats,
    js_error,
    pixels_near,
    screenshot,
    with_harness,
)
from tests.reports.conftest import AREA_XSS, BASE_PATHS, INTERACTIVE, XSS, XSS_EN

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chromium-profile")


@pytest.fixture(scope="module")
def dom(map_html: Path, profile: Path) -> str:
    return dump_dom(map_html, profile)


def test_every_feature_is_rendered(dom: str) -> None:
    # 5 enterprises + 2 rail + 2 spurs + 3 routes + 2 stations + 1 swap + 1 zone
    assert count_interactive(dom) == INTERACTIVE
    # plus the non-interactive base: 2 district polygons and 3 roads
    assert count_paths(dom) == INTERACTIVE + BASE_PATHS
    assert 'class="cf-title"' in dom
    assert dom.count('class="cf-legend-row"') == 13
    assert 'class="cf-search-input"' in dom
    assert 'class="cf-fullscreen-button"' in dom
    assert "leaflet-control-scale" in dom
    assert (
        len(re.findall(r'<input type="checkbox" class="leaflet-control-layers-selector"', dom)) == 11
    )  # 9 + district names + tiles
    # district names as text, a hostile one escaped
    assert '<div class="cf-area-label">潞州区</div>' in dom
    assert f'<div class="cf-area-label">{html.escape(AREA_XSS, quote=False)}</div>' in dom
    assert not re.search(r"<img[^>]*leaflet-tile", dom)  # no tile requested


def test_screenshot_shows_the_map(map_html: Path, profile: Path, tmp_path: Path) -> None:
    png = screenshot(map_html, profile, tmp_path / "map.png")
    std, distinct, rgb = image_stats(png)
    assert rgb.shape == (900, 1200, 3)
    assert std > 10 and distinct > 100
    # the enterprise colours are on screen: 2 green, 1 amber, 2 red circles
    assert pixels_near(rgb, COLORS_OK) > 50
    assert pixels_near(rgb, COLORS_NEAR) > 20
    assert pixels_near(rgb, COLORS_LOW) > 20


COLORS_OK, COLORS_NEAR, COLORS_LOW = "#1a9850", "#f39c12", "#d73027"


def test_hostile_names_show_as_text(map_html: Path, profile: Path, tmp_path: Path) -> None:
    page = with_harness(
        map_html,
        tmp_path / "xss.html",
        "var e = cleanfreight.searchIndex[0]; e.marker.openPopup(); e.marker.openTooltip();"
        "var i = document.querySelector('.cf-search-input'); i.value = 'script'; "
        "i.dispatchEvent(new Event('input'));",
    )
    dom = dump_dom(page, profile)
    assert not re.search(r"<html[^>]*data-alert", dom)  # no alert() ran
    assert js_error(dom) is None
    assert not re.search(r"<img[^>]*onerror", dom)  # no element was injected
    shown = html.escape(XSS, quote=False)
    assert f'<div class="cf-popup-title">{shown}</div>' in dom  # title in Chinese (lang="zh")
    assert f'<div class="cf-popup-subtitle">{html.escape(XSS_EN, quote=False)}</div>' in dom
    assert f'<span class="cf-tip">{shown} · ' in dom
    assert f'<li class="cf-search-hit">{shown}<span class="cf-search-sub">' in dom
    assert "<th>Clean ratio 清洁运输比例</th><td>90.0 %</td>" in dom


def test_alert_hook_detects_alerts(map_html: Path, profile: Path, tmp_path: Path) -> None:
    """Control for the test above: an alert() that does run is seen."""
    dom = dump_dom(
        with_harness(map_html, tmp_path / "probe.html", "alert('probe'); undefinedFunction();"), profile
    )
    assert re.search(r'<html[^>]*data-alert="probe"', dom)
    assert js_error(dom) is not None and "undefinedFunction" in js_error(dom)  # type: ignore[operator]


def test_search_finds_by_any_name(map_html: Path, profile: Path, tmp_path: Path) -> None:
    page = with_harness(
        map_html,
        tmp_path / "search.html",
        "var i = document.querySelector('.cf-search-input'); i.value = 'coking'; "
        "i.dispatchEvent(new Event('input')); document.querySelector('.cf-search-hit').click();",
    )
    dom = dump_dom(page, profile)
    assert dom.count('class="cf-search-hit"') == 1
    assert '<div class="cf-popup-title">乙焦化</div>' in dom  # clicking the hit opened its popup


def test_clusters_render_for_large_inputs(profile: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 600
    ent = pd.DataFrame(
        {
            "enterprise_id": [f"P{i}" for i in range(n)],
            "name_zh": [f"企业{i}" for i in range(n)],
            "name_en": [f"Firm {i}" for i in range(n)],
            "lon": 112.6 + rng.random(n),
            "lat": 35.8 + rng.random(n),
            "tonnes_total": rng.uniform(1e5, 1e7, n),
            "clean_ratio": rng.random(n),
        }
    )
    path = save_map(
        make_map(MapLayers(enterprises=enterprise_points(ent)), cluster_above=300), tmp_path / "cluster.html"
    )
    dom = dump_dom(with_harness(path, tmp_path / "harness.html", ""), profile)
    assert js_error(dom) is None
    clusters = dom.count("marker-cluster marker-cluster-")
    assert clusters > 3
    assert count_interactive(dom) < n  # clustered, not 600 separate circles


def test_fullscreen_button_fills_the_window(map_html: Path, profile: Path, tmp_path: Path) -> None:
    """Clicking full screen enlarges the map: the browser's full-screen mode, or (where the browser
    refuses it, as headless Chromium does without a user gesture) the page-filling CSS fallback."""
    page = with_harness(
        map_html,
        tmp_path / "full.html",
        # look at 400 ms, and again up to 3 s later on a loaded machine (the fallback is asynchronous)
        "document.querySelector('.cf-fullscreen-button').click();"
        "function probe(last) { var box = document.querySelector('.leaflet-container');"
        "var r = box.getBoundingClientRect();"
        "var how = (document.fullscreenElement ? 'api' : '') + (box.classList.contains('cf-fullscreen') ? 'css' : '');"
        "if (!how && !last) { return false; }"
        "document.documentElement.setAttribute('data-full', how + ':' + Math.round(r.width) + 'x' +"
        " Math.round(r.height) + ':' + window.innerWidth + 'x' + window.innerHeight); return true; }"
        "var tries = [400, 1000, 2000, 3500]; (function next(i) { setTimeout(function () {"
        " if (!probe(i === tries.length - 1) && i + 1 < tries.length) { next(i + 1); } }, i ? tries[i] - tries[i - 1] : tries[0]); })(0);",
    )
    dom = dump_dom(page, profile)
    m = re.search(r'<html[^>]*data-full="(api|css|apicss):(\d+)x(\d+):(\d+)x(\d+)"', dom)
    assert m is not None, "the full-screen button did nothing"
    width, height, win_w, win_h = map(int, m.groups()[1:])
    assert (width, height) == (win_w, win_h)  # the map covers the whole window
    assert js_error(dom) is None
