"""Platform fixtures: a sample ledger built once per session, a live server per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server._live import LiveServer, start_server

PERIOD = "2026-03"


@pytest.fixture(scope="session")
def sample_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded sample's exports of March 2026 (1 % of the declared tonnes), imported once."""
    from cleanfreight.enterprises import load_enterprises
    from cleanfreight.ledger import generate_records, ingest, open_ledger

    d = tmp_path_factory.mktemp("sample")
    man = generate_records(load_enterprises(), d / "records", months=[3], scale=0.01, seed=7)
    con = open_ledger(d / "ledger.duckdb")
    try:
        ingest(con, [Path(f) for f in man.files])
    finally:
        con.close()
    return d / "ledger.duckdb"


@pytest.fixture(scope="module")
def live(sample_ledger: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The platform over a copy of the sample ledger, with the accounts of ``_live.ACCOUNTS``."""
    server = start_server(sample_ledger, tmp_path_factory.mktemp("live"))
    try:
        yield server
    finally:
        server.stop()
