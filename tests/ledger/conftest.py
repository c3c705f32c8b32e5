"""Ledger fixtures: tiny hand-made exports and a ledger built from them once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

GATE_HEADER = "进出厂时间,车牌号码,注册日期,VIN,发动机号码,排放阶段,运输货物名称,运输量(吨),车队名称,进出方向,起运地,目的地"


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


@pytest.fixture(scope="session")
def hand_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Exports of March 2026 whose ratios are computed by hand in test_report.py.

    E1: truck_ne 2 x 30 t coal in, truck_cn6 30 t coal in, truck_cn5 25 t coke out, short-haul from
    长治北站: 2 new-energy x 30 t + 1 diesel x 30 t (coal in); rail waybills: 900 t coal in via
    长治北 station, 1000 t coal in on the own spur; conveyor 100 t limestone in.
    E2: one China V truck, 100 t coal in over several passages... (4 x 25 t).
    """
    d = tmp_path_factory.mktemp("hand")
    e1 = write(
        d / "e1_gate.csv",
        [
            GATE_HEADER,
            "20260302 080000,晋D D00001,,,,d,原煤,30.0,,进,襄垣矿区,",
            "20260302 090000,晋DD00001,,,,电动,精煤,30.0,,进,襄垣矿区,",
            "20260303 100000,晋D A1234,,,,国六,原煤,30.0,,进,襄垣矿区,",
            "20260304 110000,晋DB5678,,,,5,焦炭,25.0,,出,,长治市区",
            "20260305 080000,晋DD00002,,,,d,原煤,30.0,短驳,进,长治北站,",
            "20260305 083000,晋DD00003,,,,纯电,原煤,30.0,短驳,进,长治北,",
            "20260305 090000,晋DC0001,,,,VI,原煤,30.0,短驳,进,长治北货场,",
        ],
    )
    e2 = write(
        d / "e2_gate.csv",
        [
            GATE_HEADER,
            *[f"2026031{i} 080000,晋DE000{i},,,,China V,原煤,25,,进,," for i in range(4)],
        ],
    )
    rail = write(
        d / "rail.csv",
        [
            "日期,企业编号,车站,专用线,货物名称,实际重量,发到,货票号",
            "2026-03-06,E1,长治北,,原煤,900,到达,W001",
            "2026-03-07,E1,,S1专用线,原煤,1000,到达,W002",
        ],
    )
    meter = write(
        d / "meter.csv",
        [
            "日期,企业编号,计量点,输送方式,货物名称,运输量,方向",
            "2026-03-08,E1,E1-皮带秤-1,皮带,石灰石,100,进",
        ],
    )
    return {"e1": e1, "e2": e2, "rail": rail, "meter": meter}


@pytest.fixture(scope="session")
def hand_db(tmp_path_factory: pytest.TempPathFactory, hand_files: dict[str, Path]) -> Path:
    from cleanfreight.ledger.ingest import ingest

    db = tmp_path_factory.mktemp("db") / "ledger.duckdb"
    ingest(db, [hand_files["e1"]], enterprise="E1")
    ingest(db, [hand_files["e2"]], enterprise="E2")
    ingest(db, [hand_files["rail"], hand_files["meter"]])
    return db


def _gate(path: Path, month: str, loads: list[tuple[str, float]], fleet: str = "A") -> Path:
    """One enterprise's gate export of a month: (stage, tonnes) per passage, coal in."""
    rows = [
        f"2026{month}{1 + i % 28:02d} {8 + i // 28:02d}0000,晋D{fleet}{i:04d},,,,{stage},原煤,{t},,进,,"
        for i, (stage, t) in enumerate(loads)
    ]
    return write(path, [GATE_HEADER, *rows])


@pytest.fixture(scope="session")
def two_months(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """March: CZ01, CZ02 and CZ26 report; April: CZ26 sends no gate file (only the railway's waybills).

    CZ01: 100 t electric + 100 t China VI a month (50 %); CZ02: 50 t electric + 50 t China V (50 %);
    CZ26: 300 t China V in March (0 %), and in April a 100 t spur waybill from the railway.
    City, March: 150 / 600 = 25 %. April as the ledger has it: (150 + 100) / 400 = 62.5 %.
    """
    from cleanfreight.ledger.ingest import ingest

    d = tmp_path_factory.mktemp("cov")
    db = d / "l.duckdb"
    for month in ("03", "04"):
        ingest(
            db,
            [_gate(d / f"cz01_{month}.csv", month, [("d", 50.0)] * 2 + [("6", 50.0)] * 2)],
            enterprise="CZ01",
        )
        ingest(
            db,
            [_gate(d / f"cz02_{month}.csv", month, [("d", 25.0)] * 2 + [("5", 25.0)] * 2, "B")],
            enterprise="CZ02",
        )
    ingest(db, [_gate(d / "cz26_03.csv", "03", [("5", 30.0)] * 10, "C")], enterprise="CZ26")
    rail = write(
        d / "rail_2026-04.csv",
        [
            "日期,企业编号,车站,专用线,货物名称,实际重量,发到,货票号",
            "2026-04-10,CZ26,,CZ26专用线,原煤,100,到达,W426",
        ],
    )
    ingest(db, [rail])
    return db


def pytest_configure(config: pytest.Config) -> None:
    # the lead registers the marker in pyproject.toml; registering it here too keeps --strict-markers happy
    config.addinivalue_line("markers", "postgres: needs a PostgreSQL server (initdb / pg_ctl) and psycopg")
