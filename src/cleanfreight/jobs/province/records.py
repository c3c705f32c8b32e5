"""A year of ledger records for the province instance, as Parquet partitioned by month.

Illustrative, seeded data in exactly the layout ``cleanfreight ledger export`` writes
(``records/month=YYYY-MM/data_0.parquet``, the columns and types of the ledger's ``records`` table,
:mod:`cleanfreight.ledger.schema`), so ``cleanfreight ledger report --parquet DIR --engine duckdb|spark``
reads it as it reads an export.

How the rows are made (one DuckDB query per month over ``range()``; every random choice is a hash of
the row number and the seed, so the same seed gives the same files, and 100 million rows take
minutes in bounded memory):

- **Enterprises** (:func:`~cleanfreight.jobs.province.province_sites`) get rows in proportion to
  their yearly tonnes. Each has a rail share (0 for about 40 %, else 20-70 % of its tonnes): part
  on its own spur (``rail_spur`` waybills), the rest through its nearest freight station (``station``
  waybills plus the new-energy or diesel **short-haul** trucks between station and gate).
- **Gate passages** carry about 31 t (26-36 t, some overloads up to 45 t). Trucks are electric
  (stage ``d``), hydrogen (``h``), CNG (China VI, the ``天然气车队`` fleets) or diesel (China VI, V,
  IV) in a mix that varies by enterprise (electric from 5 to 75 %); short-haul trucks are more often
  electric. A plate always has the same stage (new-energy plates 晋?D.../晋?F... as in China).
- **Commodities** follow the industry: coal mines send coal out, coking plants take coal in and send
  coke out, steel works take iron ore, coal and coke in and send steel out, power plants take coal in
  and send fly ash and gypsum out, cement works and chemical plants likewise. About 8 % of the
  outbound direct trucks go to another province (Hebei, Henan, Shandong).
- **Months** follow the heating season (coal peaks in winter) with the Spring Festival dip in
  February; passages are spread over each month in time order.

The rows are ledger records: gate passages and, for the rail share, waybills (one per wagon, 55-70
t), about 88 % and 12 % of ``ProvinceParams.records``.
"""

from __future__ import annotations

import calendar
import logging
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cleanfreight.ledger._parquet import sql_string
from cleanfreight.ledger.export import replace_folder
from cleanfreight.ledger.schema import RECORD_COLUMNS

if TYPE_CHECKING:
    import duckdb

    from cleanfreight.jobs.province import ProvinceParams

logger = logging.getLogger(__name__)

__all__ = ["write_records"]

#: heating season and Spring Festival: share of the year's rows per month (before days-in-month)
_SEASON = np.array([1.12, 0.78, 1.0, 0.96, 0.94, 0.93, 0.96, 0.97, 0.97, 1.02, 1.1, 1.18])
#: plate letters of Shanxi's cities (晋A Taiyuan ... 晋M Yuncheng)
_CITY_LETTER = {"TY": "A", "DT": "B", "YQ": "C", "CZ": "D", "JC": "E", "SZ": "F", "JZ": "K",
                "YC": "M", "XZ": "H", "LF": "L", "LL": "J"}  # fmt: skip
#: industry -> (direction, commodity, cargo name, share of the enterprise's tonnes)
_FLOWS: dict[str, tuple[tuple[str, str, str, float], ...]] = {
    "coal": (("out", "coal", "原煤", 0.55), ("out", "coal", "洗精煤", 0.35), ("in", "other_bulk", "砂石骨料", 0.1)),
    "coke": (("in", "coal", "焦煤", 0.55), ("out", "coke", "冶金焦", 0.37), ("out", "chemicals", "焦油", 0.08)),
    "steel": (
        ("in", "iron_ore", "铁精粉", 0.35),
        ("in", "coke", "焦炭", 0.15),
        ("in", "coal", "喷吹煤", 0.1),
        ("in", "scrap", "废钢", 0.05),
        ("out", "steel", "螺纹钢", 0.25),
        ("out", "slag", "水渣", 0.1),
    ),
    "power": (("in", "coal", "动力煤", 0.9), ("out", "fly_ash", "粉煤灰", 0.07), ("out", "gypsum", "脱硫石膏", 0.03)),
    "cement": (("in", "limestone", "石灰石", 0.45), ("in", "coal", "原煤", 0.1), ("out", "cement", "散装水泥", 0.3), ("out", "clinker", "熟料", 0.15)),
    "chemicals": (("in", "coal", "原煤", 0.6), ("out", "chemicals", "甲醇", 0.4)),
}  # fmt: skip
#: destinations of outbound trucks outside Shanxi
_OUTSIDE = ("河北邯郸", "河南安阳", "山东日照港", "河北石家庄")
#: slots of the lookup tables (a row picks slot ``hash % slots``)
_ENT_SLOTS = 200_000
_FLOW_SLOTS = 100
#: tonnes per truck passage and per wagon, for turning tonnes into rows
_TRUCK_T, _WAGON_T = 31.0, 62.5


def _enterprise_table(params: ProvinceParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per enterprise: row weight, record-type shares, truck mix, station; and the slot table."""
    from cleanfreight.jobs.province import CITIES, province_sites

    ent, st = province_sites(params)
    rng = np.random.default_rng(params.seed + 14)
    n = len(ent)
    t = ent["tonnes_per_year"].to_numpy(float)
    rail = np.where(rng.random(n) < 0.4, 0.0, rng.uniform(0.2, 0.7, n))
    spur = np.where(rng.random(n) < 0.5, rng.uniform(0.3, 0.8, n), 0.0)
    w_direct = (1 - rail) * t / _TRUCK_T
    w_short = rail * (1 - spur) * t / _TRUCK_T
    w_station = rail * (1 - spur) * t / _WAGON_T
    w_spur = rail * spur * t / _WAGON_T
    w = w_direct + w_short + w_station + w_spur
    # truck mix: electric share varies 5-75 % by enterprise, a little hydrogen, CNG, then diesel stages
    ne = rng.uniform(0.05, 0.75, n)
    h = np.where(rng.random(n) < 0.1, 0.02, 0.0)
    cng = rng.uniform(0.0, 0.2, n) * (1 - ne)
    rest = np.clip(1 - ne - h - cng, 0, 1)
    cn6 = rest * rng.uniform(0.55, 0.85, n)
    cn5 = (rest - cn6) * 0.8
    ne_short = np.minimum(1.0, ne + 0.3)
    # nearest station of the same city (else any), by straight-line distance
    ent_xy = ent[["lon", "lat"]].to_numpy(float)
    st_xy = st[["lon", "lat"]].to_numpy(float)
    d2 = ((ent_xy[:, None, :] - st_xy[None, :, :]) ** 2).sum(axis=2)
    same = ent["city"].to_numpy()[:, None] == st["city"].to_numpy()[None, :]
    d2 = np.where(same, d2, d2 + 1e6)
    station = st["name_zh"].to_numpy()[d2.argmin(axis=1)]
    cities = {c[0]: c[2] for c in CITIES}
    table = pd.DataFrame(
        {
            "e": np.arange(n, dtype=np.int64),
            "enterprise_id": ent["enterprise_id"],
            "enterprise_name": ent["name_zh"],
            "industry": ent["industry"],
            "city_letter": ent["city"].map(_CITY_LETTER),
            "city_zh": ent["city"].map(cities),
            "station": station,
            # cumulative shares of the record types: direct, short-haul, station waybill, spur waybill
            "c_direct": w_direct / w,
            "c_short": (w_direct + w_short) / w,
            "c_station": (w_direct + w_short + w_station) / w,
            # cumulative truck mix
            "c_ne": ne,
            "c_h": ne + h,
            "c_cng": ne + h + cng,
            "c_cn6": ne + h + cng + cn6,
            "c_cn5": ne + h + cng + cn6 + cn5,
            "c_ne_short": ne_short,
            "trucks": np.maximum(20, np.round(w / 400)).astype(np.int64),  # a truck passes ~400 times a year
        }
    )
    # slots in proportion to the rows: slot -> enterprise (every enterprise at least one slot)
    slots = np.maximum(1, np.round(w / w.sum() * _ENT_SLOTS)).astype(np.int64)
    slot_table = pd.DataFrame({"slot": np.arange(slots.sum(), dtype=np.int64), "e": np.repeat(table["e"], slots)})
    return table, slot_table


def _flow_table() -> pd.DataFrame:
    """``industry, slot -> direction, commodity, cargo`` with slots in proportion to the flow shares."""
    rows = []
    for industry, flows in _FLOWS.items():
        shares = np.array([f[3] for f in flows])
        bounds = np.round(np.cumsum(shares) / shares.sum() * _FLOW_SLOTS).astype(int)
        lo = 0
        for (direction, commodity, cargo, _), hi in zip(flows, bounds, strict=True):
            rows += [(industry, s, direction, commodity, cargo) for s in range(lo, hi)]
            lo = hi
    return pd.DataFrame(rows, columns=["industry", "slot", "direction", "commodity", "cargo"])


def _month_rows(params: ProvinceParams) -> list[int]:
    days = np.array([calendar.monthrange(params.year, m)[1] for m in range(1, 13)], dtype=float)
    w = _SEASON * days
    rows = np.floor(w / w.sum() * params.records).astype(np.int64)
    rows[-1] += params.records - rows.sum()
    return [int(r) for r in rows]


def _u(k: int, seed: int) -> str:
    """A uniform number in [0, 1) from the row number ``i`` (salt ``k``)."""
    return f"(hash(i, {seed}, {k}) % 1000000007) / 1000000007.0"


def _month_sql(params: ProvinceParams, month: int, first_row: int, rows: int, slots: int) -> str:
    """The query of one month's rows (``i`` the row number in the year)."""
    seed = int(params.seed)
    start = f"TIMESTAMP '{params.year}-{month:02d}-01 00:00:00'"
    secs = calendar.monthrange(params.year, month)[1] * 86400
    outside = ", ".join(sql_string(o) for o in _OUTSIDE)
    u = {k: _u(k, seed) for k in range(1, 12)}
    typed = {name: typ.replace(" NOT NULL", "").replace("DOUBLE PRECISION", "DOUBLE") for name, typ in RECORD_COLUMNS}
    base = f"""
    WITH r AS (
        SELECT i, s.e, {u[2]} AS u_type, {u[3]} AS u_flow, {u[4]} AS u_truck, {u[5]} AS u_t1, {u[6]} AS u_t2,
            {u[7]} AS u_dest, {u[8]} AS u_plate, {u[9]} AS u_over,
            {start} + to_microseconds(CAST(((i - {first_row}) + {u[10]}) * {secs}e6 / {rows} AS BIGINT)) AS ts
        FROM range({first_row}, {first_row + rows}) AS g(i)
        JOIN ent_slots s ON s.slot = hash(i, {seed}, 1) % {slots}
    ),
    k AS (
        SELECT r.*, e.enterprise_id, e.enterprise_name, e.industry, e.city_letter, e.city_zh, e.station, e.trucks,
            CASE WHEN u_type < e.c_direct THEN 'direct' WHEN u_type < e.c_short THEN 'short_haul'
                 WHEN u_type < e.c_station THEN 'station' ELSE 'spur' END AS chain,
            CASE WHEN u_type < e.c_short AND u_type >= e.c_direct THEN
                    CASE WHEN u_truck < e.c_ne_short THEN 'd' ELSE '6' END
                 WHEN u_truck < e.c_ne THEN 'd' WHEN u_truck < e.c_h THEN 'h' WHEN u_truck < e.c_cng THEN 'g'
                 WHEN u_truck < e.c_cn6 THEN '6' WHEN u_truck < e.c_cn5 THEN '5' ELSE '4' END AS klass
        FROM r JOIN ents e ON e.e = r.e
    ),
    f AS (
        SELECT k.*, fl.direction, fl.commodity, fl.cargo,
            CAST(floor(u_plate * trucks) AS BIGINT) + e * 1000 AS truck
        FROM k JOIN flows fl ON fl.industry = k.industry AND fl.slot = CAST(floor(u_flow * {_FLOW_SLOTS}) AS INTEGER)
    ),
    p AS (
        SELECT f.*, CASE WHEN klass = 'g' THEN '6' ELSE klass END AS stage,
            CASE WHEN chain IN ('station', 'spur') THEN NULL
                 WHEN klass IN ('d', 'h') THEN '晋' || city_letter || CASE klass WHEN 'd' THEN 'D' ELSE 'F' END
                    || lpad(CAST(truck % 100000 AS VARCHAR), 5, '0')
                 ELSE '晋' || city_letter
                    || CASE klass WHEN 'g' THEN 'Q' WHEN '6' THEN 'A' WHEN '5' THEN 'R' ELSE 'U' END
                    || lpad(CAST(truck % 10000 AS VARCHAR), 4, '0') END AS plate
        FROM f
    )
    SELECT
        md5(CAST(i AS VARCHAR) || '|' || CAST({seed} AS VARCHAR)) AS dedup_key,
        CASE WHEN chain IN ('station', 'spur') THEN 'rail' ELSE 'gate' END AS kind,
        chain,
        CASE chain WHEN 'station' THEN NULL WHEN 'spur' THEN 'rail_spur'
            WHEN 'short_haul' THEN CASE WHEN stage IN ('d', 'h') THEN 'rail_station_ne' ELSE 'rail_station_diesel' END
            ELSE CASE WHEN stage IN ('d', 'h') THEN 'truck_ne' WHEN stage = '6' THEN 'truck_cn6' ELSE 'truck_cn5' END
        END AS mode,
        enterprise_id, enterprise_name,
        CASE WHEN chain IN ('station', 'spur') THEN date_trunc('day', ts) ELSE date_trunc('second', ts) END AS ts,
        direction, commodity, cargo,
        CASE WHEN chain IN ('station', 'spur') THEN round(55 + 15 * u_t1, 1)
             WHEN u_over < 0.0005 THEN round(40.5 + 4.5 * u_t1, 2)
             ELSE round(26 + 5 * (u_t1 + u_t2), 2) END AS tonnes,
        plate,
        CASE WHEN plate IS NULL THEN NULL ELSE 'LZZ' || lpad(CAST(hash(plate) % 100000000000000 AS VARCHAR), 14, '0') END AS vin,
        NULL AS engine_no, NULL AS reg_date,
        CASE WHEN chain IN ('station', 'spur') THEN NULL ELSE stage END AS stage,
        CASE WHEN chain IN ('station', 'spur') THEN NULL WHEN klass IN ('d', 'h') THEN '新能源车队'
             WHEN klass = 'g' THEN '天然气车队' ELSE '运输车队' END AS fleet,
        CASE WHEN direction = 'in' AND chain = 'direct' THEN city_zh || '周边' WHEN chain = 'short_haul' AND direction = 'in' THEN station END AS origin,
        CASE WHEN direction = 'out' AND chain = 'direct' THEN
                CASE WHEN u_dest < 0.08 THEN [{outside}][1 + CAST(floor(u_dest * 50) AS INTEGER) % {len(_OUTSIDE)}]
                     WHEN u_dest < 0.5 THEN city_zh || '市区' END
             WHEN chain = 'short_haul' AND direction = 'out' THEN station END AS destination,
        CASE WHEN chain IN ('short_haul', 'station') THEN station WHEN chain = 'spur' THEN enterprise_id || '专用线' END AS station,
        CASE WHEN chain IN ('station', 'spur') THEN 'HP{params.year}' || lpad(CAST(i AS VARCHAR), 10, '0') END AS waybill_no,
        NULL AS meter_id,
        CAST(e + 1 AS INTEGER) AS import_id,
        CASE WHEN chain IN ('station', 'spur') THEN 'rail_waybills_{params.year}-{month:02d}.csv'
             ELSE 'gate_' || enterprise_id || '_{params.year}.csv' END AS src_file,
        i + 1 AS src_row
    FROM p
    """
    cols = ",\n        ".join(f"CAST({name} AS {typ}) AS {name}" for name, typ in typed.items())
    return f"SELECT\n        {cols}\n    FROM ({base}) x"


def write_records(params: ProvinceParams, out: Path, *, memory_limit: str = "2GB", threads: int | None = None) -> dict[str, Path]:
    """Write ``params.records`` ledger records of ``params.year`` into ``out/records/month=YYYY-MM/``.

    Parameters
    ----------
    params
        Size and seed of the province instance (:class:`~cleanfreight.jobs.province.ProvinceParams`).
    out
        The instance's folder; ``out/records`` is replaced as a whole when complete.
    memory_limit, threads
        DuckDB settings; a month is written as one stream, so memory stays bounded.

    Returns
    -------
    dict
        ``{"records": out/records}``.
    """
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    target = out / "records"
    tmp = out / f".records.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": memory_limit}
    if threads:
        config["threads"] = threads
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET enable_progress_bar = false")
    try:
        ents, slots = _enterprise_table(params)
        _register(con, "ents", ents)
        _register(con, "ent_slots", slots)
        _register(con, "flows", _flow_table())
        first = 0
        for month, rows in enumerate(_month_rows(params), start=1):
            if rows <= 0:
                continue
            folder = tmp / f"month={params.year}-{month:02d}"
            folder.mkdir()
            sql = _month_sql(params, month, first, rows, len(slots))
            con.execute(f"COPY ({sql}) TO {sql_string(str(folder / 'data_0.parquet'))} (FORMAT PARQUET, COMPRESSION ZSTD)")
            logger.info("records of %d-%02d: %d rows", params.year, month, rows)
            first += rows
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        con.close()
    replace_folder(tmp, target)
    return {"records": target}


def _register(con: duckdb.DuckDBPyConnection, name: str, df: pd.DataFrame) -> None:
    """A small pandas table as a DuckDB table (copied, so the frame can go)."""
    con.register(f"_{name}_df", df)
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM _{name}_df")
    con.unregister(f"_{name}_df")
