"""A CJK font for matplotlib that installs with the project (no download, no config writes).

The PyPI package ``mplfonts`` ships ``fonts/NotoSansCJKsc-Regular.otf``; its file is registered with
matplotlib's font manager directly (``mplfonts``' own init may download fonts or write config, so
it is not called). A system Noto Sans CJK is used when the package is missing.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_FILES = ("NotoSansCJKsc-Regular.otf", "SourceHanSerifSC-Regular.otf")


def _packaged_font() -> Path | None:
    spec = find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        for name in _FILES:
            path = Path(root) / "fonts" / name
            if path.is_file():
                return path
    return None


@cache
def cjk_family() -> str | None:
    """Register the CJK font with matplotlib and return its family name (None if none is found)."""
    from matplotlib import font_manager

    path = _packaged_font()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        return str(font_manager.FontProperties(fname=str(path)).get_name())
    for font in font_manager.fontManager.ttflist:
        if "CJK SC" in font.name or font.name in ("Noto Sans SC", "SimHei", "WenQuanYi Zen Hei"):
            return str(font.name)
    log.warning("no CJK font found: Chinese text will not render; pip install mplfonts")
    return None


def rc_params() -> dict[str, Any]:
    """matplotlib settings for reports: the CJK font first, text kept as text in PDF (Type 3)."""
    family = cjk_family()
    return {
        "font.family": [*([family] if family else []), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "pdf.fonttype": 3,
        "svg.fonttype": "path",
        "figure.dpi": 100,
    }
