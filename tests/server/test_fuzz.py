"""Schema fuzzing of the OpenAPI (schemathesis): no input makes the platform answer 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server._live import Backend, LiveServer, start_server

schemathesis = pytest.importorskip("schemathesis")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory, backend: Backend) -> Iterator[LiveServer]:
    """An empty platform on each backend (``backend`` from conftest: DuckDB and PostgreSQL)."""
    s = start_server(None, Path(tmp_path_factory.mktemp("fuzz")), backend, max_upload_bytes=256 * 1024)
    yield s
    s.stop()


def test_no_server_error(fuzz_server: LiveServer) -> None:
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")
    headers = {user: fuzz_server.auth(user) for user in ("gate-cz01", "chief")} | {"anonymous": {}}
    seen: list[tuple[str, str, int]] = []
    ops = [r.ok() for r in schema.get_all_operations()]
    assert len(ops) == 12
    for op in ops:

        @settings(max_examples=20, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def fuzz(case: Any) -> None:
            for h in headers.values():
                response = case.call(headers=h)
                seen.append((case.method, case.path, response.status_code))
                assert response.status_code < 500, (case.method, case.path, case.body, response.text[:500])

        fuzz()
    assert {(m, p) for m, p, _ in seen} == {(op.method.upper(), op.path) for op in ops}
    assert any(s == 200 for *_, s in seen)  # the fuzzer reached the handlers, not only the validators
