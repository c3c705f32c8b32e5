"""Static maps: PNG / SVG / PDF files that are readable, at the asked resolution, with Chinese text."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanfreight.errors import InputError
from cleanfreight.reports import MapLayers, static_map
from cleanfreight.reports._fonts import cjk_family
from tests.reports._browser import image_stats, pixels_near
from tests.reports._pdf import pdf_text


@pytest.fixture(scope="module")
def static_dir(layers: MapLayers, tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("static")
    for suffix in ("png", "svg", "pdf"):
        static_map(layers, d / f"map.{suffix}", lang="zh", dpi=200, size=(6, 6))
    return d


def test_cjk_font_comes_from_the_installed_package() -> None:
    assert cjk_family() == "Noto Sans CJK SC"


def test_png_is_200_dpi_and_not_blank(static_dir: Path) -> None:
    from PIL import Image

    png = static_dir / "map.png"
    with Image.open(png) as img:
        assert img.size == (1200, 1200)
        assert min(img.info["dpi"]) >= 199.5
    std, distinct, rgb = image_stats(png)
    assert std > 5 and distinct > 50
    assert pixels_near(rgb, "#1a9850", 20) > 30  # green enterprises drawn
    assert pixels_near(rgb, "#d73027", 20) > 30  # red enterprises drawn


def test_svg_and_pdf(static_dir: Path) -> None:
    svg = (static_dir / "map.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and svg.count("<path") > 20
    text = pdf_text(static_dir / "map.pdf")
    assert "长治市大宗货物清洁运输" in text
    assert "铁路专用线" not in text  # the legend says 专用线(既有)/(规划), checked next
    for label in ("专用线(既有)", "专用线(规划)", "铁路货运站", "重型货车限行区", "新能源短驳"):
        assert label in text
    assert "潞州区" in text and "上党区<img" in text  # district names, as plain text


def test_static_map_rejects_unknown_formats(layers: MapLayers, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.png, \.svg, \.pdf"):
        static_map(layers, tmp_path / "map.jpg")
    with pytest.raises(InputError, match="nothing to draw"):
        static_map(MapLayers(), tmp_path / "empty.png")
