"""A seeded province-scale instance: a Shanxi-sized set of enterprises, freight stations, roads and gate records.

Illustrative, not real data: the 11 prefecture-level cities of Shanxi are real (approximate centre
coordinates from OpenStreetMap), everything placed around them is random but reproducible (one seed).
Used by the scale benchmarks (``bash scripts/bench.sh``) and ``cleanfreight sample --scale province``.

Parts (each in its own module, each from the same :class:`ProvinceParams` and the same sites):

- :func:`province_sites`: enterprises and freight stations (here);
- :mod:`.roads`: an OSM PBF of roads and rail at a province's density;
- :mod:`.records`: a year of gate records, Parquet partitioned by month.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cleanfreight.errors import InputError, Problem

__all__ = ["CITIES", "PARTS", "ProvinceParams", "make_province", "province_sites"]

#: Shanxi's prefecture-level cities: (id, English, Chinese, lon, lat, weight). Weights: rough share of
#: the province's heavy industry (coal, coke, steel), illustrative.
CITIES: tuple[tuple[str, str, str, float, float, float], ...] = (
    ("TY", "Taiyuan", "太原", 112.549, 37.870, 0.13),
    ("DT", "Datong", "大同", 113.300, 40.077, 0.09),
    ("YQ", "Yangquan", "阳泉", 113.580, 37.857, 0.06),
    ("CZ", "Changzhi", "长治", 113.117, 36.195, 0.11),
    ("JC", "Jincheng", "晋城", 112.851, 35.491, 0.08),
    ("SZ", "Shuozhou", "朔州", 112.433, 39.331, 0.08),
    ("JZ", "Jinzhong", "晋中", 112.753, 37.687, 0.10),
    ("YC", "Yuncheng", "运城", 111.007, 35.026, 0.08),
    ("XZ", "Xinzhou", "忻州", 112.734, 38.416, 0.07),
    ("LF", "Linfen", "临汾", 111.519, 36.088, 0.11),
    ("LL", "Lüliang", "吕梁", 111.144, 37.519, 0.09),
)

#: Shanxi's extent (lon_min, lat_min, lon_max, lat_max), a box around the province's outline.
BBOX = (110.23, 34.58, 114.56, 40.74)

_INDUSTRIES = ("coal", "coke", "steel", "power", "cement", "chemicals")
_INDUSTRY_P = (0.35, 0.2, 0.1, 0.15, 0.1, 0.1)


@dataclass(frozen=True, slots=True)
class ProvinceParams:
    """Size and seed of a province instance.

    Parameters
    ----------
    seed
        Seed of every random choice: same seed, same files.
    enterprises, stations
        Key enterprises and rail freight stations.
    ways
        Road ways in the OSM file (about 1.5 million for Shanxi's density).
    records
        Gate records in the year (100 million: 2,000 enterprises' heavy-truck passages).
    year
        Calendar year of the records.
    """

    seed: int = 2026
    enterprises: int = 2000
    stations: int = 200
    ways: int = 1_500_000
    records: int = 100_000_000
    year: int = 2026

    def __post_init__(self) -> None:
        problems = [
            Problem("must be >= 1", column=name, value=getattr(self, name))
            for name in ("enterprises", "stations", "ways", "records")
            if getattr(self, name) < 1
        ]
        if not 2000 <= self.year <= 2100:
            problems.append(Problem("must be a year between 2000 and 2100", column="year", value=self.year))
        if problems:
            raise InputError("invalid province parameters", problems)


def _scatter(rng: np.random.Generator, n: int, sigma_km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` points around the cities (by weight), normally scattered, kept inside the province box."""
    w = np.array([c[5] for c in CITIES])
    city = rng.choice(len(CITIES), size=n, p=w / w.sum())
    lon0 = np.array([c[3] for c in CITIES])[city]
    lat0 = np.array([c[4] for c in CITIES])[city]
    dlat = rng.normal(0.0, sigma_km / 111.0, n)
    dlon = rng.normal(0.0, sigma_km / (111.0 * np.cos(np.radians(lat0))), n)
    lon = np.clip(lon0 + dlon, BBOX[0], BBOX[2])
    lat = np.clip(lat0 + dlat, BBOX[1], BBOX[3])
    return city, lon.round(6), lat.round(6)


def province_sites(params: ProvinceParams | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The enterprises and freight stations of a province instance.

    Returns
    -------
    (enterprises, stations)
        ``enterprise_id, name_zh, name_en, city, lon, lat, industry, tonnes_per_year`` and
        ``station_id, name_zh, name_en, city, lon, lat, capacity_t_per_year``. Enterprise ids are
        ``SX0001``...; station ids ``ST001``...
    """
    p = params or ProvinceParams()
    rng = np.random.default_rng(p.seed)
    city, lon, lat = _scatter(rng, p.enterprises, sigma_km=25.0)
    industry = rng.choice(len(_INDUSTRIES), size=p.enterprises, p=_INDUSTRY_P)
    tonnes = np.round(rng.lognormal(mean=np.log(4e5), sigma=0.8, size=p.enterprises), -3)
    width = max(4, len(str(p.enterprises)))
    ent = pd.DataFrame(
        {
            "enterprise_id": [f"SX{i + 1:0{width}d}" for i in range(p.enterprises)],
            "name_zh": [f"{CITIES[c][2]}示例企业{i + 1}" for i, c in enumerate(city)],
            "name_en": [f"{CITIES[c][1]} sample enterprise {i + 1}" for i, c in enumerate(city)],
            "city": [CITIES[c][0] for c in city],
            "lon": lon,
            "lat": lat,
            "industry": [_INDUSTRIES[k] for k in industry],
            "tonnes_per_year": tonnes,
        }
    )
    s_city, s_lon, s_lat = _scatter(rng, p.stations, sigma_km=40.0)
    width = max(3, len(str(p.stations)))
    st = pd.DataFrame(
        {
            "station_id": [f"ST{i + 1:0{width}d}" for i in range(p.stations)],
            "name_zh": [f"{CITIES[c][2]}示例货运站{i + 1}" for i, c in enumerate(s_city)],
            "name_en": [f"{CITIES[c][1]} sample freight station {i + 1}" for i, c in enumerate(s_city)],
            "city": [CITIES[c][0] for c in s_city],
            "lon": s_lon,
            "lat": s_lat,
            "capacity_t_per_year": np.round(rng.uniform(2e6, 2e7, p.stations), -4),
        }
    )
    return ent, st


NOTICE = (
    "Illustrative province-scale instance made by cleanfreight (seeded random data around Shanxi's real "
    "prefecture-level cities); not real enterprises, stations, roads or records."
)


def write_sites(params: ProvinceParams, out: Path) -> dict[str, Path]:
    """Write ``enterprises.csv`` and ``stations.csv`` (UTF-8) into ``out``."""
    ent, st = province_sites(params)
    files = {"enterprises": out / "enterprises.csv", "stations": out / "stations.csv"}
    ent.to_csv(files["enterprises"], index=False, encoding="utf-8")
    st.to_csv(files["stations"], index=False, encoding="utf-8")
    return files


def _write_roads(params: ProvinceParams, out: Path) -> dict[str, Path]:
    from cleanfreight.jobs.province.roads import write_roads

    return write_roads(params, out)


def _write_records(params: ProvinceParams, out: Path) -> dict[str, Path]:
    from cleanfreight.jobs.province.records import write_records

    return write_records(params, out)


#: the parts a province instance is made of, in the order they are written: name -> writer
PARTS: dict[str, Callable[[ProvinceParams, Path], dict[str, Path]]] = {
    "sites": write_sites,
    "roads": _write_roads,
    "records": _write_records,
}


def make_province(params: ProvinceParams, out: Path, parts: Sequence[str] = tuple(PARTS)) -> dict[str, Path]:
    """Write the chosen parts of a province instance into the folder ``out`` (created) and a
    ``province.json`` naming the parameters, the files and that the data is illustrative."""
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise InputError(
            "unknown province parts",
            [Problem(f"expected one of {', '.join(PARTS)}", column="parts", value=u) for u in unknown],
        )
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for name, write in PARTS.items():
        if name in parts:
            files.update(write(params, out))
    meta = out / "province.json"
    meta.write_text(
        json.dumps(
            {"notice": NOTICE, "params": asdict(params), "files": {k: str(v) for k, v in files.items()}},
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return {**files, "province": meta}
