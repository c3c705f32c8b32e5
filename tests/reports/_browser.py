"""Headless Debian Chromium for the map tests (no network: every asset must be inline)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np

from tests._system import skip_or_fail

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
)

ALERT_HOOK = (
    "<script>window.alert = function (m) {"
    " document.documentElement.setAttribute('data-alert', String(m)); };"
    " window.addEventListener('error', function (e) {"
    " document.documentElement.setAttribute('data-jserror', String(e.message)); });</script>"
)


def js_error(dom: str) -> str | None:
    """The first uncaught script error of a page run through :func:`with_harness`."""
    m = re.search(r'<html[^>]*data-jserror="([^"]*)"', dom)
    return m.group(1) if m else None


def chromium() -> str:
    """Path of the chromium binary, or skip the test with the reason."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    skip_or_fail("chromium is not installed (scripts/install-system-deps.sh installs it)")
    raise AssertionError  # unreachable


def _run(html: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        chromium(),
        *_FLAGS,
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        *extra,
        html.resolve().as_uri(),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)


def dump_dom(html: Path, profile: Path) -> str:
    """The DOM after the page's scripts ran (5 s of virtual time)."""
    return _run(html, profile, "--dump-dom").stdout


def screenshot(html: Path, profile: Path, png: Path, size: tuple[int, int] = (1200, 900)) -> Path:
    _run(html, profile, f"--screenshot={png}", f"--window-size={size[0]},{size[1]}")
    return png


def with_harness(html: Path, dest: Path, script: str) -> Path:
    """A copy of ``html`` with the alert hook first in <head> and ``script`` run after load."""
    page = html.read_text(encoding="utf-8")
    page = page.replace("<head>", "<head>" + ALERT_HOOK, 1)
    page = page.replace(
        "</html>",
        "<script>window.addEventListener('load', function () { setTimeout(function () {"
        + script
        + "}, 50); });</script></html>",
    )
    dest.write_text(page, encoding="utf-8")
    return dest


def overlay_svg(dom: str) -> str:
    """The SVG the map's vector layers are drawn in (empty when nothing was drawn)."""
    m = re.search(r'<div class="leaflet-pane leaflet-overlay-pane"[^>]*>(.*?)</svg>', dom, re.S)
    return m.group(1) if m else ""


def count_interactive(dom: str) -> int:
    """Rendered SVG paths that react to the mouse (markers, lines, polygons)."""
    return len(re.findall(r"<path\b[^>]*class=\"[^\"]*\bleaflet-interactive\b", overlay_svg(dom)))


def count_paths(dom: str) -> int:
    """Every rendered vector path of the map (interactive or not)."""
    return len(re.findall(r"<path\b", overlay_svg(dom)))


def image_stats(png: Path) -> tuple[float, int, np.ndarray]:
    """(grey-level standard deviation, distinct colours, RGB array) of an image."""
    from PIL import Image

    with Image.open(png) as img:
        rgb = np.asarray(img.convert("RGB"))
    grey = rgb.mean(axis=2)
    distinct = len(np.unique(rgb.reshape(-1, 3)[:: max(1, rgb.shape[0] * rgb.shape[1] // 200_000)], axis=0))
    return float(grey.std()), distinct, rgb


def pixels_near(rgb: np.ndarray, hex_color: str, tol: int = 30) -> int:
    target = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb.astype(int) - target).max(axis=2) <= tol).sum())
