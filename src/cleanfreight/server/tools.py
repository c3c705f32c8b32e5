"""Running the platform and managing its accounts without a running server."""

from __future__ import annotations

import logging
from pathlib import Path

from cleanfreight.server import accounts
from cleanfreight.server._store import Store
from cleanfreight.server.settings import ServerSettings

__all__ = ["add_user", "serve"]

logger = logging.getLogger(__name__)


def add_user(
    db: str | Path, name: str, password: str, role: str, enterprise_id: str | None = None
) -> accounts.User:
    """Create an account in the platform's database file (or reset an existing one's password and role).

    The file must not be open in a running server (DuckDB takes one writer); use
    ``POST /api/v1/users`` as a bureau account then.
    """
    store = Store(Path(db))
    try:
        return accounts.add_user(store, name, password, role, enterprise_id, actor="cli")
    finally:
        store.close()


def serve(settings: ServerSettings) -> None:
    """Run the platform with uvicorn until interrupted."""
    import uvicorn

    from cleanfreight.server.app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                proxy_headers=False, server_header=False)
