"""A seeded generator of realistic ledger exports for the sample enterprises.

It turns each enterprise's declared flows and mode split into a year of gate passages, rail
waybills and conveyor / pipeline meter readings, with seasonal variation (heating-season coal peak,
Spring Festival dip) and the defects real exports have: duplicated passages, an overlapping
re-export, GBK-encoded files, kg instead of t, English headers, an XLSX file, odd plates (spaces,
lower case, full-width characters), unknown cargo names, a planted stage conflict and a few
impossible rows. The same seed gives the same files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cleanfreight.errors import InputError, Problem

if TYPE_CHECKING:
    from cleanfreight.enterprises import Roster

__all__ = ["SampleManifest", "generate_records"]

logger = logging.getLogger(__name__)

#: month factors of the heating-season coal peak (coal and coke; other cargo is flatter)
_COAL_SEASON = np.array([1.15, 0.9, 1.0, 0.95, 0.92, 0.92, 0.98, 0.98, 0.95, 1.0, 1.1, 1.2])
_FLAT_SEASON = np.array([0.9, 0.8, 1.05, 1.05, 1.05, 1.0, 1.0, 1.0, 1.05, 1.05, 1.0, 0.95])
#: Spring Festival (春节) dates; two weeks around it move about 40 % of the usual tonnage
_SPRING_FESTIVAL = {
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
}

_CARGO_NAMES: dict[str, tuple[str, ...]] = {
    "coal": ("原煤", "精煤", "洗精煤", "焦煤"),
    "coke": ("焦炭", "冶金焦"),
    "iron_ore": ("铁精粉", "铁矿石", "球团矿"),
    "steel": ("螺纹钢", "钢材", "线材"),
    "limestone": ("石灰石",),
    "cement": ("水泥", "散装水泥"),
    "clinker": ("熟料",),
    "scrap": ("废钢",),
    "slag": ("水渣", "钢渣"),
    "fly_ash": ("粉煤灰",),
    "gypsum": ("脱硫石膏",),
    "chemicals": ("甲醇", "焦油"),
    "other_bulk": ("砂石骨料",),
}
_PROVINCE_PLATES = ("晋D", "晋D", "晋D", "晋D", "晋E", "晋K", "冀D", "豫E")


@dataclass(frozen=True)
class SampleManifest:
    """What :func:`generate_records` wrote and which defects it planted.

    Attributes
    ----------
    files
        Every file written (gate, rail, meter), in import order.
    rows
        Data rows per file.
    planted
        Counts of planted defects: ``impossible_rows`` (rejected at import), ``duplicate_rows``
        (exact repeats inside gate files), ``overlap_rows`` (rows of the overlapping re-export that
        are already in an earlier file), ``stage_conflict_plates``, ``unknown_cargo_rows``.
    enterprise_by_file
        The enterprise of each gate file (``None`` for the rail and meter files, which hold many).
        Every file carries an enterprise column, so all can be imported in one call.
    """

    folder: Path
    files: tuple[Path, ...]
    rows: dict[str, int]
    planted: dict[str, int]
    enterprise_by_file: dict[str, str | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "files": [str(f) for f in self.files],
            "rows": self.rows,
            "planted": self.planted,
            "enterprise_by_file": self.enterprise_by_file,
        }


def _day_weights(year: int, commodity: str, months: list[int]) -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    season = _COAL_SEASON if commodity in ("coal", "coke") else _FLAT_SEASON
    w = season[days.month - 1].astype(float)
    sf = _SPRING_FESTIVAL.get(year)
    if sf is not None:
        delta = np.array([(d - sf).days for d in days.date])
        w = np.where((delta >= -5) & (delta <= 9), w * 0.4, w)
    w = w / w.sum()
    keep = np.isin(days.month, months)
    return days[keep], w[keep]


def _plates(rng: np.random.Generator, n: int, electric: bool) -> np.ndarray:
    prefix = rng.choice(_PROVINCE_PLATES, n)
    if electric:
        body = np.array([f"D{v:05d}" for v in rng.integers(0, 100000, n)])
    else:
        letters = rng.choice(list("ABCEFGHJKLMNPQRSTUVWXYZ"), n)
        body = np.array([f"{a}{v:04d}" for a, v in zip(letters, rng.integers(0, 10000, n), strict=True)])
    return np.char.add(prefix.astype(str), body)


def _mangle(rng: np.random.Generator, plates: np.ndarray, share: float) -> np.ndarray:
    """Spaces, lower case and full-width characters in a share of plates (all still valid)."""
    out = plates.astype(object).copy()
    idx = np.flatnonzero(rng.random(len(out)) < share)
    for k, i in enumerate(idx):
        p = str(out[i])
        if k % 3 == 0:
            out[i] = p[:2] + " " + p[2:]
        elif k % 3 == 1:
            out[i] = p.lower()
        else:
            out[i] = p[:2] + "".join(
                chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in p[2:]
            )
    return out


def generate_records(
    roster: Roster,
    out_dir: str | Path,
    *,
    year: int = 2026,
    seed: int = 20260101,
    months: list[int] | None = None,
    scale: float = 0.05,
    defects: bool = True,
    transition: float = 0.0,
) -> SampleManifest:
    """Write a year of ledger exports consistent with the roster's declared mode splits.

    Parameters
    ----------
    roster
        Enterprises, flows and mode splits (:func:`cleanfreight.enterprises.load_enterprises`).
    out_dir
        Folder for the files (created).
    year
        Calendar year of the records.
    seed
        Seed of every random choice.
    months
        Months to generate (default: all twelve).
    scale
        Share of the declared annual tonnes turned into records (1.0: the full ~150 Mt of the
        sample, ~4.7 million gate passages; 0.05 keeps the demo quick). Ratios do not depend on it.
    defects
        Plant the defects real exports have (see the module docstring).
    transition
        Enterprises moving onto clean transport during the year: by December each enterprise has
        moved a share of its diesel tonnage to new-energy trucks — diesel short-hauls of rail chains,
        and diesel trucks serving places inside the province — drawn between 0 and ``transition``
        (seeded), rising linearly from none in January. ``0`` (default): every month follows the
        declared split.

    Returns
    -------
    SampleManifest
    """
    problems = []
    if not 0 < scale <= 10:
        problems.append(Problem("must be in (0, 10]", column="scale", value=scale))
    if not 0 <= transition <= 1:
        problems.append(Problem("must be a share in [0, 1]", column="transition", value=transition))
    mons = sorted(set(months or range(1, 13)))
    if any(not 1 <= m <= 12 for m in mons):
        problems.append(Problem("months must be 1-12", column="months", value=months))
    if problems:
        raise InputError("invalid sample settings", problems)
    rng = np.random.default_rng(seed)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    fm = roster.flow_modes()
    ents = roster.enterprises.set_index("enterprise_id")
    stations, regions = _names()
    rows = _Rows()
    progress = _progress(sorted(set(fm["enterprise_id"].astype(str))), transition, seed)
    in_province = _in_province()
    for base in fm.itertuples(index=False):
        commodity = str(base.commodity)
        days, w = _day_weights(year, commodity, mons)
        base_daily = float(base.tonnes) * scale * w
        base_daily = base_daily * rng.uniform(0.85, 1.15, len(base_daily))
        parts = _monthly_shift(str(base.mode), base_daily, days, progress.get(str(base.enterprise_id), 0.0),
                               in_province.get(str(base.region_id), True))
        if len(parts) == 1:
            _records_of(base, str(base.mode), base_daily, days, year, rng, ents, stations, regions, rows)
            continue
        # moving trucks: the trucks split between the old and the new fleet, the train stays one train
        for mode, daily in parts:
            _records_of(base, mode, daily, days, year, rng, ents, stations, regions, rows, what=("gate",))
        _records_of(base, str(base.mode), base_daily, days, year, rng, ents, stations, regions, rows, what=("rail",))
    return _write_files(folder, rows, rng, year, mons, defects)


@dataclass
class _Rows:
    """The generated rows, gathered before writing: gate rows per enterprise, rail waybills, meters."""

    gate: dict[str, list[pd.DataFrame]] = field(default_factory=dict)
    rail: list[pd.DataFrame] = field(default_factory=list)
    meter: list[pd.DataFrame] = field(default_factory=list)
    waybill_no: int = 0


def _progress(enterprises: list[str], transition: float, seed: int) -> dict[str, float]:
    """Each enterprise's December shift to new-energy trucks (own seeded stream: the records' stream is
    unchanged when there is no transition)."""
    if transition <= 0:
        return {}
    draws = np.random.default_rng([seed, 2026]).uniform(0.0, transition, len(enterprises))
    return dict(zip(enterprises, draws.tolist(), strict=True))


def _in_province() -> dict[str, bool]:
    try:
        from cleanfreight._paths import sample_file

        rg = pd.read_csv(sample_file("network", "regions.csv"), comment="#", dtype=str)
        return dict(zip(rg["region_id"], rg["in_province"].str.lower().isin(["true", "1", "yes"]), strict=True))
    except (InputError, OSError, KeyError, ValueError):
        return {}


#: diesel chains and the new-energy chain they move to during a transition
_SHIFT = {"rail_station_diesel": "rail_station_ne", "truck_cn6": "truck_ne", "truck_cn5": "truck_ne"}


def _monthly_shift(
    mode: str, daily: np.ndarray, days: pd.DatetimeIndex, progress: float, in_province: bool
) -> list[tuple[str, np.ndarray]]:
    """Split a flow's daily tonnes between its declared mode and the new-energy one it is moving to."""
    target = _SHIFT.get(mode)
    if target is None or progress <= 0 or (target == "truck_ne" and not in_province):
        return [(mode, daily)]
    share = progress * (days.month.to_numpy() - 1) / 11.0
    return [(mode, daily * (1.0 - share)), (target, daily * share)]


def _records_of(
    row: Any,
    mode: str,
    daily: np.ndarray,
    days: pd.DatetimeIndex,
    year: int,
    rng: np.random.Generator,
    ents: pd.DataFrame,
    stations: dict[str, str],
    regions: dict[str, str],
    out: _Rows,
    what: tuple[str, ...] = ("gate", "rail", "meter"),
) -> None:
    """Append the gate, rail and meter rows (``what``) of one flow and mode to ``out``."""
    ent = str(row.enterprise_id)
    commodity = str(row.commodity)
    inbound = row.direction == "in"
    region = regions.get(str(row.region_id), str(row.region_id))
    st_id = getattr(row, "station_id", None)
    if not (isinstance(st_id, str) and st_id):
        st_id = ents["station_id"].get(ent) if "station_id" in ents else None
    if not (isinstance(st_id, str) and st_id):
        st_id = "CZB"  # 长治北, the freight hub
    st_name = stations.get(str(st_id), str(st_id))
    cargo_names = _CARGO_NAMES.get(commodity, ("杂货",))
    if "gate" in what and mode in ("truck_ne", "truck_cn6", "truck_cn5", "rail_station_ne", "rail_station_diesel"):
        payload = rng.uniform(28.0, 36.0, len(daily))
        n = np.floor(daily / payload + rng.random(len(daily))).astype(int)
        total = int(n.sum())
        if total:
            day_of = np.repeat(days.values, n)
            secs = rng.integers(5 * 3600, 23 * 3600, total)
            ts = pd.to_datetime(day_of) + pd.to_timedelta(secs, unit="s")
            electric = mode in ("truck_ne", "rail_station_ne")
            fleet = _plates(rng, max(3, min(200, total // 40 + 3)), electric)
            plates = rng.choice(fleet, total)
            if electric:
                stage = np.where(rng.random(total) < 0.9, "d", "电动")
            elif mode in ("truck_cn6", "rail_station_diesel"):
                stage = rng.choice(["6", "国六", "国Ⅵ", "VI"], total, p=[0.7, 0.1, 0.1, 0.1])
            else:
                stage = rng.choice(["5", "4", "国五"], total, p=[0.7, 0.2, 0.1])
            place = f"{st_name}站" if mode.startswith("rail_station") else region
            out.gate.setdefault(ent, []).append(
                pd.DataFrame(
                    {
                        "ts": ts,
                        "plate": plates,
                        "vin": [f"LZZ{v:014d}" for v in rng.integers(0, 10**14, total)],
                        "stage": stage,
                        "cargo": rng.choice(cargo_names, total),
                        "tonnes": np.round(rng.uniform(26.0, 36.5, total), 1),
                        "direction": "进" if inbound else "出",
                        "fleet": "短驳车队" if mode.startswith("rail_station") else "运输车队",
                        "origin": place if inbound else "",
                        "destination": "" if inbound else place,
                        "enterprise_id": ent,
                    }
                )
            )
    if "rail" in what and mode in ("rail_spur", "rail_station_ne", "rail_station_diesel"):
        on = np.round(daily, 1) > 0
        k = int(on.sum())
        spur = ents["existing_spur"].get(ent) if mode == "rail_spur" and "existing_spur" in ents else ""
        spur_txt = (
            f"{spur}专用线"
            if isinstance(spur, str) and spur
            else ("专用线" if mode == "rail_spur" else "")
        )
        out.rail.append(
            pd.DataFrame(
                {
                    "日期": pd.to_datetime(days.values[on]).strftime("%Y-%m-%d"),
                    "企业编号": ent,
                    "车站": "" if mode == "rail_spur" else st_name,
                    "专用线": spur_txt,
                    "货物名称": rng.choice(cargo_names, k),
                    "实际重量(吨)": np.round(daily[on], 1),
                    "发到": "到达" if inbound else "发送",
                    "货票号": [f"HP{year}{out.waybill_no + i:08d}" for i in range(k)],
                }
            )
        )
        out.waybill_no += k
    if "meter" in what and mode in ("conveyor", "pipeline"):
        out.meter.append(
            pd.DataFrame(
                {
                    "日期": pd.to_datetime(days.values).strftime("%Y-%m-%d"),
                    "企业编号": ent,
                    "计量点": f"{ent}-{'皮带秤' if mode == 'conveyor' else '管道流量计'}-{row.flow_id}",
                    "输送方式": "皮带" if mode == "conveyor" else "管道",
                    "货物名称": cargo_names[0],
                    "运输量": np.round(daily, 1),
                    "方向": "进" if inbound else "出",
                }
            )
        )


def _write_files(
    folder: Path,
    out: _Rows,
    rng: np.random.Generator,
    year: int,
    mons: list[int],
    defects: bool,
) -> SampleManifest:
    """Write the gate files per enterprise (with the planted defects), rail waybills per month and meters."""
    planted = dict.fromkeys(
        ("impossible_rows", "duplicate_rows", "overlap_rows", "stage_conflict_plates", "unknown_cargo_rows"),
        0,
    )
    files: list[Path] = []
    rows: dict[str, int] = {}
    by_file: dict[str, str | None] = {}
    ent_ids = sorted(out.gate)
    for i, ent in enumerate(ent_ids):
        g = pd.concat(out.gate[ent], ignore_index=True).sort_values("ts", kind="stable")
        g = g.drop_duplicates(["plate", "ts", "direction"]).reset_index(drop=True)
        if defects:
            if (
                i == 1 and (g["stage"] == "d").any()
            ):  # a planted stage conflict: an electric plate recorded as China V
                j = int(np.flatnonzero(g["stage"].to_numpy() == "d")[0])
                extra = g.iloc[[j]].assign(stage="5", ts=g["ts"].iloc[j] + pd.Timedelta(hours=5))
                g = pd.concat([g, extra], ignore_index=True)
                planted["stage_conflict_plates"] += 1
            unk = rng.random(len(g)) < 0.002
            g.loc[unk, "cargo"] = "杂货"
            planted["unknown_cargo_rows"] += int(unk.sum())
            g["plate"] = _mangle(rng, g["plate"].to_numpy(), 0.03)
        text = _gate_text(g, kg=(i % 7 == 3), english=(i % 9 == 4))
        if defects:
            dup = text.sample(frac=0.005, random_state=int(rng.integers(2**31)))
            planted["duplicate_rows"] += len(dup)
            bad = _impossible(text, year, mons[0])
            planted["impossible_rows"] += len(bad)
            text = pd.concat([text, dup, bad], ignore_index=True)
        if i % 13 == 6:
            path = folder / f"gate_{ent}_{year}.xlsx"
            text.to_excel(path, index=False, engine="xlsxwriter")
        else:
            path = folder / f"gate_{ent}_{year}.csv"
            enc = "gbk" if i % 5 == 2 else ("utf-8-sig" if i % 5 == 4 else "utf-8")
            text.to_csv(path, index=False, encoding=enc)
        files.append(path)
        rows[path.name] = len(text)
        by_file[path.name] = ent
        if defects and i == 0:  # an overlapping re-export of the last ten days
            last = pd.to_datetime(g["ts"]).max().normalize() - pd.Timedelta(days=9)
            ov = _gate_text(g[pd.to_datetime(g["ts"]) >= last], kg=False, english=False)
            opath = folder / f"gate_{ent}_{year}_reexport.csv"
            ov.to_csv(opath, index=False, encoding="gb18030")
            planted["overlap_rows"] += len(ov)
            files.append(opath)
            rows[opath.name] = len(ov)
            by_file[opath.name] = ent
    if out.rail:
        rail = pd.concat(out.rail, ignore_index=True).sort_values(["日期", "企业编号"], kind="stable")
        for mon, part in rail.groupby(rail["日期"].str[:7], sort=True):
            path = folder / f"rail_waybills_{mon}.csv"
            part.to_csv(path, index=False, encoding="utf-8")
            files.append(path)
            rows[path.name] = len(part)
            by_file[path.name] = None
    if out.meter:
        meters = pd.concat(out.meter, ignore_index=True).sort_values(["日期", "企业编号"], kind="stable")
        path = folder / f"meters_{year}.csv"
        meters.to_csv(path, index=False, encoding="utf-8")
        files.append(path)
        rows[path.name] = len(meters)
        by_file[path.name] = None
    logger.info("wrote %d ledger files (%d rows) to %s", len(files), sum(rows.values()), folder)
    return SampleManifest(folder, tuple(files), rows, planted, by_file)


def _gate_text(g: pd.DataFrame, *, kg: bool, english: bool) -> pd.DataFrame:
    ts = pd.to_datetime(g["ts"])
    tonnes = (g["tonnes"] * 1000).round(0).astype(int).astype(str) if kg else g["tonnes"].map("{:.1f}".format)
    out = pd.DataFrame(
        {
            "进出厂时间": ts.dt.strftime("%Y/%m/%d %H:%M:%S") if english else ts.dt.strftime("%Y%m%d %H%M%S"),
            "车牌号码": g["plate"].to_numpy(),
            "VIN": g["vin"].to_numpy(),
            "排放阶段": g["stage"].to_numpy(),
            "运输货物名称": g["cargo"].to_numpy(),
            "运输量(kg)" if kg else "运输量(吨)": tonnes.to_numpy(),
            "车队名称": g["fleet"].to_numpy(),
            "进出方向": g["direction"].to_numpy(),
            "起运地": g["origin"].to_numpy(),
            "目的地": g["destination"].to_numpy(),
            "企业编号": g["enterprise_id"].to_numpy(),
        }
    )
    if english:
        out.columns = [
            "timestamp",
            "plate",
            "vin",
            "emission_stage",
            "cargo",
            "weight (kg)" if kg else "tonnes",
            "fleet",
            "direction",
            "origin",
            "destination",
            "enterprise_id",
        ]
        out["direction"] = out["direction"].map({"进": "in", "出": "out"})
    return out


def _impossible(text: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """Four rows every import must reject: negative load, 120 t, impossible date, empty plate."""
    base = text.iloc[[0] * 4].copy().reset_index(drop=True)
    ts_col, plate_col, t_col = base.columns[0], base.columns[1], base.columns[5]
    kg = "kg" in t_col
    base.loc[0, t_col] = "-3000" if kg else "-3.0"
    base.loc[1, t_col] = "120000" if kg else "120.0"
    base.loc[2, ts_col] = f"{year}/{month:02d}/31 25:61"
    base.loc[3, plate_col] = ""
    return base


def _names() -> tuple[dict[str, str], dict[str, str]]:
    """Station id -> Chinese name, region id -> Chinese name (from the sample network when present)."""
    stations: dict[str, str] = {}
    regions: dict[str, str] = {}
    try:
        from cleanfreight._paths import sample_file

        st = pd.read_csv(sample_file("network", "stations.csv"), comment="#", dtype=str)
        stations = dict(zip(st["station_id"], st["name_zh"], strict=True))
        rg = pd.read_csv(sample_file("network", "regions.csv"), comment="#", dtype=str)
        regions = dict(zip(rg["region_id"], rg["name_zh"], strict=True))
    except (InputError, OSError, KeyError, ValueError):
        logger.debug("sample network names unavailable; using ids")
    return stations, regions
