"""Offline asset plumbing for Folium maps.

Folium pages load Leaflet, jQuery, Bootstrap, Font Awesome and plugins from CDNs. Intranet
machines in a bureau are often offline, so :func:`inline_assets` replaces every remote
``<script src>`` and ``<link href>`` of a rendered page by the same file read from an installed
package (``xstatic-leaflet``, ``xstatic-jquery``, ``xstatic-leaflet-markercluster``) or drops
it when cleanfreight's maps do not need it (Bootstrap, Font Awesome, awesome-markers).
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any

from cleanfreight.errors import InputError

log = logging.getLogger(__name__)

_ASSET_DIR = Path(__file__).resolve().parent / "assets"

_SCRIPT_RE = re.compile(r"""<script[^>]*\bsrc\s*=\s*["'](?P<url>[^"']+)["'][^>]*>\s*</script>""", re.I)
_LINK_RE = re.compile(r"""<link\b[^>]*\bhref\s*=\s*["'](?P<url>[^"']+)["'][^>]*/?>""", re.I)
_SOURCEMAP_RE = re.compile(r"^\s*//# sourceMappingURL=.*$|/\*# sourceMappingURL=.*?\*/", re.M)
_CSS_URL_RE = re.compile(r"""url\(\s*["']?(?P<ref>[^"')]+)["']?\s*\)""")

# remote assets folium adds that cleanfreight's maps never use: removed from the page
_DROPPED = ("bootstrap", "glyphicons", "fontawesome", "font-awesome", "awesome-markers", "awesome.rotate")


def _xstatic_dir(module: str) -> Path:
    try:
        mod = import_module(f"xstatic.pkg.{module}")
    except ImportError as exc:  # pragma: no cover - declared dependency
        pkg = "xstatic-" + module.replace("_", "-")
        raise InputError(f"offline map assets need the {pkg!r} package: pip install {pkg}") from exc
    return Path(mod.BASE_DIR)


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _js(path: Path) -> str:
    return _SOURCEMAP_RE.sub("", _read(path))


def _css_with_data_uris(path: Path) -> str:
    """CSS with ``url(images/x.png)`` references replaced by ``data:`` URIs."""
    css = _SOURCEMAP_RE.sub("", _read(path))

    def repl(match: re.Match[str]) -> str:
        ref = match.group("ref")
        if ref.startswith(("data:", "#")):
            return match.group(0)
        target = (path.parent / ref).resolve()
        if not target.is_file():
            log.debug("dropping CSS reference %s (not shipped)", ref)
            return "none"
        mime = {"png": "image/png", "svg": "image/svg+xml", "gif": "image/gif"}.get(
            target.suffix.lstrip(".").lower(), "application/octet-stream"
        )
        return f'url("data:{mime};base64,{base64.b64encode(target.read_bytes()).decode()}")'

    return _CSS_URL_RE.sub(repl, css)


def _leaflet(name: str) -> Path:
    return _xstatic_dir("leaflet") / name


def _cluster(name: str) -> Path:
    return _xstatic_dir("leaflet_markercluster") / name


# (predicate on the URL's file name, kind, loader)
_RULES: tuple[tuple[Callable[[str], bool], str, Callable[[], str]], ...] = (
    (lambda f: f in {"leaflet.js", "leaflet-src.js"}, "js", lambda: _js(_leaflet("leaflet.js"))),
    (lambda f: f == "leaflet.css", "css", lambda: _css_with_data_uris(_leaflet("leaflet.css"))),
    (
        lambda f: f.startswith("jquery") and f.endswith(".js"),
        "js",
        lambda: _js(_xstatic_dir("jquery") / "jquery.min.js"),
    ),
    (
        lambda f: f.startswith("leaflet.markercluster") and f.endswith(".js"),
        "js",
        lambda: _js(_cluster("leaflet.markercluster.js")),
    ),
    (lambda f: f == "markercluster.css", "css", lambda: _css_with_data_uris(_cluster("MarkerCluster.css"))),
    (
        lambda f: f == "markercluster.default.css",
        "css",
        lambda: _css_with_data_uris(_cluster("MarkerCluster.Default.css")),
    ),
)


def _safe_script(code: str) -> str:
    return code.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def _safe_style(code: str) -> str:
    return code.replace("</style", "<\\/style")


def own_assets_html() -> str:
    """cleanfreight's own map CSS and JS (legend, title, search, full screen, point layers), inline."""
    css = _read(_ASSET_DIR / "cfmap.css")
    js = _read(_ASSET_DIR / "cfmap.js")
    return f"<style>\n{_safe_style(css)}\n</style>\n<script>\n{_safe_script(js)}\n</script>"


#: URL scheme of assets that cleanfreight's own elements ask for: always inlined from the installed
#: packages (never a CDN address in the page or in the code)
OFFLINE_SCHEME = "cleanfreight-offline://"


def _is_remote(url: str) -> bool:
    return url.lower().startswith(("http://", "https://", "//", OFFLINE_SCHEME))


def _replacement(url: str, kind: str) -> str | None:
    """Inline HTML for a remote asset, ``""`` to drop it, ``None`` when unknown."""
    fname = url.split("?", maxsplit=1)[0].rstrip("/").rsplit("/", 1)[-1].lower()
    for matches, rule_kind, load in _RULES:
        if rule_kind == kind and matches(fname):
            code = load()
            if kind == "js":
                return f"<script>/* inlined offline: {fname} */\n{_safe_script(code)}\n</script>"
            return f"<style>/* inlined offline: {fname} */\n{_safe_style(code)}\n</style>"
    if any(tag in url.lower() for tag in _DROPPED):
        return ""
    return None


def inline_assets(html: str, *, strict: bool = True) -> str:
    """Return ``html`` with every remote script and stylesheet inlined or removed.

    Parameters
    ----------
    html
        A rendered page (``folium.Map.get_root().render()``).
    strict
        When a remote asset has no offline copy: raise :class:`InputError` (True) or drop it
        with a warning (False).
    """
    unknown: list[str] = []

    def sub(kind: str) -> Callable[[re.Match[str]], str]:
        def repl(match: re.Match[str]) -> str:
            url = match.group("url")
            if not _is_remote(url):
                return match.group(0)
            if kind == "css" and "stylesheet" not in match.group(0).lower():
                return match.group(0)
            new = _replacement(url, kind)
            if new is None:
                unknown.append(url)
                return ""
            return new

        return repl

    html = _SCRIPT_RE.sub(sub("js"), html)
    html = _LINK_RE.sub(sub("css"), html)
    if unknown:
        if strict:
            raise InputError(
                "the map uses remote assets that have no offline copy: "
                + ", ".join(unknown)
                + " (remove the plugin, or save with strict=False to drop them)"
            )
        log.warning("dropped remote assets with no offline copy: %s", ", ".join(unknown))
    if "L.AwesomeMarkers" in html:
        log.warning("the map uses awesome-markers icons, which are not available offline")
    return html


def js_json(obj: Any) -> str:
    """JSON safe to embed inside ``<script>``: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def remote_asset_urls(html: str) -> list[str]:
    """Remote URLs still loaded by ``<script src>`` or ``<link href>`` (empty for an offline page)."""
    urls = [m.group("url") for m in _SCRIPT_RE.finditer(html)]
    urls += [m.group("url") for m in _LINK_RE.finditer(html)]
    return [u for u in urls if _is_remote(u)]
