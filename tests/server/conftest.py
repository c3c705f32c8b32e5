"""Platform fixtures: a sample ledger built once per session, a live server per module, on each backend.

``backend`` is parametrized over ``duckdb`` and ``postgres`` (a throw-away cluster for the session,
:mod:`tests._postgres`): the tests that take it run on both. A module pins one backend by defining
its own ``backend`` fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server._live import DUCKDB, Backend, LiveServer, start_server

PERIOD = "2026-03"
BACKENDS = ("duckdb", "postgres")


@pytest.fixture(scope="session")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The seeded sample's exports of March 2026 (1 % of the declared tonnes)."""
    from cleanfreight.enterprises import load_enterprises
    from cleanfreight.ledger import generate_records

    d = tmp_path_factory.mktemp("sample")
    man = generate_records(load_enterprises(), d / "records", months=[3], scale=0.01, seed=7)
    return [Path(f) for f in man.files]


@pytest.fixture(scope="session")
def sample_ledger(tmp_path_factory: pytest.TempPathFactory, sample_files: list[Path]) -> Path:
    """The sample's exports imported once into a DuckDB file."""
    from cleanfreight.ledger import Ledger

    db = tmp_path_factory.mktemp("sample_db") / "ledger.duckdb"
    with Ledger.open(db) as led:
        led.ingest(sample_files)
    return db


@pytest.fixture(scope="session")
def pg_server() -> Iterator[dict[str, Any]]:
    """A throw-away PostgreSQL cluster for the session (skipped without PostgreSQL, except in CI)."""
    from tests._postgres import pg_cluster

    with pg_cluster() as server:
        yield server


@pytest.fixture(scope="session")
def pg_sample(pg_server: dict[str, Any], sample_files: list[Path]) -> str:
    """The sample's exports imported once into a PostgreSQL database (copied as a template per server)."""
    from cleanfreight.ledger import Ledger
    from tests._postgres import new_database

    addr = new_database(pg_server, name="cf_sample")
    with Ledger.open(addr) as led:
        led.ingest(sample_files)
    return "cf_sample"


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Where the module's platforms keep their ledger: each module runs once per backend."""
    if request.param == "duckdb":
        return DUCKDB
    return Backend("postgres", request.getfixturevalue("pg_server"), request.getfixturevalue("pg_sample"))


@pytest.fixture(scope="module")
def live(sample_ledger: Path, backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The platform over a copy of the sample ledger, with the accounts of ``_live.ACCOUNTS``."""
    server = start_server(sample_ledger, tmp_path_factory.mktemp("live"), backend)
    try:
        yield server
    finally:
        server.stop()
