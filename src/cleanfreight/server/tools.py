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


#: demo accounts: name -> (role, enterprise)
DEMO_ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "chief": ("bureau", None),
    "cz01": ("enterprise", "CZ01"),
    "cz02": ("enterprise", "CZ02"),
    "gate-cz01": ("device", "CZ01"),
}


def prepare_demo(
    db: str | Path, *, months: list[int] | None = None, scale: float = 0.01, seed: int = 20260101
) -> dict[str, str]:
    """Fill ``db`` with the seeded sample's exports (once) and (re)set the demo accounts.

    Parameters
    ----------
    db
        The platform's ledger file; the sample is imported once (the audit log remembers it).
    months
        Months of 2026 to generate (default: January to the current month, at most December).
    scale, seed
        Passed to :func:`cleanfreight.ledger.generate_records`.

    Returns
    -------
    dict
        Account name -> a new random password (printed by ``cleanfreight serve --demo``).
    """
    import secrets
    import tempfile
    from datetime import date

    from cleanfreight.enterprises import load_enterprises
    from cleanfreight.ledger import generate_records
    from cleanfreight.server import _ledger, _push

    store = Store(Path(db))
    try:
        with store.use() as con:
            done = con.execute("SELECT count(*) FROM srv_audit WHERE action = 'demo.sample'").fetchone()
            if not done or not done[0]:
                today = date.today()
                last = today.month if today.year == 2026 else 12
                with tempfile.TemporaryDirectory(prefix="cleanfreight-demo-") as tmp:
                    man = generate_records(load_enterprises(), tmp, year=2026, seed=seed, scale=scale,
                                           months=months or list(range(1, last + 1)), transition=0.3)
                    logger.info("importing the sample: %d files", len(man.files))
                    res = _ledger.import_files(con, [Path(f) for f in man.files], enterprise=None,
                                               only_enterprise=None)
                store.audit("demo", "demo.sample", None, f"accepted={res.accepted} rejected={res.rejected}")
        passwords = {}
        for name, (role, ent) in DEMO_ACCOUNTS.items():
            passwords[name] = secrets.token_urlsafe(9)
            accounts.add_user(store, name, passwords[name], role, ent, actor="demo")
        gate_user = accounts.User("gate-cz01", "device", "CZ01")
        for gate in ("G1", "G2"):
            _push.heartbeat(store, gate_user, gate, "ok")
        return passwords
    finally:
        store.close()
