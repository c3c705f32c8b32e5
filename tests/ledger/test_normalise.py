from __future__ import annotations

import duckdb
import pytest

from cleanfreight.errors import InputError
from cleanfreight.ledger import _normalise as nz
from cleanfreight.ledger._period import parse_period


def _eval(expr_fn, values: list[str | None]) -> list[object]:
    con = duckdb.connect()
    con.execute("CREATE TABLE v (i INTEGER, x VARCHAR)")
    con.executemany("INSERT INTO v VALUES (?, ?)", list(enumerate(values)))
    return [r[0] for r in con.execute(f"SELECT {expr_fn('x')} FROM v ORDER BY i").fetchall()]


def test_plates_spaces_case_fullwidth() -> None:
    got = _eval(nz.plate_sql, ["晋Ｄ １２３４５", "晋d54321", " 晋D·A1234 ", "晋DD12345", ""])
    assert got == ["晋D12345", "晋D54321", "晋DA1234", "晋DD12345", None]
    valid = _eval(
        lambda x: nz.plate_valid_sql(nz.plate_sql(x)), ["晋D12345", "晋DD12345", "D12345", "晋D123"]
    )
    assert valid == [True, True, False, False]


def test_stages() -> None:
    raw = [
        "6",
        "国六",
        "国Ⅵ",
        "China VI",
        "VI",
        "d",
        "D",
        "电动",
        "纯电",
        "新能源",
        "氢",
        "国五",
        "5",
        "国 V",
        "0",
        "9",
        "x",
    ]
    assert _eval(nz.stage_sql, raw) == [
        "6",
        "6",
        "6",
        "6",
        "6",
        "d",
        "d",
        "d",
        "d",
        "d",
        "h",
        "5",
        "5",
        "5",
        "0",
        None,
        None,
    ]


def test_timestamps() -> None:
    got = _eval(
        nz.timestamp_sql,
        [
            "20260305 080512",
            "2026-03-05T08:05:12",
            "2026/3/5 8:05",
            "46086.5",
            "2026年3月5日 08:05",
            "2026-02-30 08:00",
        ],
    )
    assert [str(v) for v in got] == [
        "2026-03-05 08:05:12",
        "2026-03-05 08:05:12",
        "2026-03-05 08:05:00",
        "2026-03-05 12:00:00",
        "2026-03-05 08:05:00",
        "None",
    ]


def test_cargo_to_commodity() -> None:
    raw = [
        "原煤",
        "精煤",
        "焦炭",
        "焦油",
        "铁精粉",
        "石灰石",
        "螺纹钢",
        "废钢",
        "水泥",
        "熟料",
        "粉煤灰",
        "脱硫石膏",
        "钢渣",
        "杂货",
    ]
    assert _eval(nz.commodity_sql, raw) == [
        "coal",
        "coal",
        "coke",
        "chemicals",
        "iron_ore",
        "limestone",
        "steel",
        "scrap",
        "cement",
        "clinker",
        "fly_ash",
        "gypsum",
        "slag",
        "other",
    ]


def test_directions_and_units() -> None:
    assert _eval(nz.direction_sql, ["进", "出厂", "IN", "发送", "到达", "?"]) == [
        "in",
        "out",
        "in",
        "out",
        "in",
        None,
    ]
    assert nz.unit_of_header("运输量(kg)") == "kg"
    assert nz.unit_of_header("净重（千克）") == "kg"
    assert nz.unit_of_header("运输量(吨)") == "t"
    assert nz.unit_of_header("运输量") is None


def test_periods() -> None:
    p = parse_period("2026-03")
    assert (p.start.isoformat(), p.end.isoformat(), p.days) == ("2026-03-01", "2026-04-01", 31)
    assert parse_period("2026-Q4").months() == ["2026-10", "2026-11", "2026-12"]
    assert parse_period("2026-03-01..2026-03-15").days == 15
    with pytest.raises(InputError, match="YYYY-MM"):
        parse_period("March")
