"""Running the platform and managing its accounts without a running server."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from cleanfreight.errors import InputError
from cleanfreight.server import accounts
from cleanfreight.server._store import Store
from cleanfreight.server.settings import ServerParams

__all__ = ["add_user", "serve"]

logger = logging.getLogger(__name__)


def add_user(
    db: str | Path, name: str, password: str, role: str, enterprise_id: str | None = None, *, wait: float = 0.0
) -> accounts.User:
    """Create an account in the platform's database (or reset an existing one's password and role).

    On PostgreSQL this works while servers run. A DuckDB file takes one writing process: while
    ``cleanfreight serve`` holds it, this waits up to ``wait`` seconds and then raises an
    :class:`~cleanfreight.errors.InputError` that names the ways around it (the ``/accounts`` page or
    ``POST /api/v1/users`` of the running server, stopping it, or a PostgreSQL ledger).
    """
    try:
        store = Store(db, wait=wait)
    except InputError as exc:
        if "in use by another program" not in exc.summary:
            raise
        who = re.search(r"\(process (\d+)\)", exc.summary)
        raise InputError(
            f"cannot add the account: {db} is held by another program{' (process ' + who[1] + ')' if who else ''}, "
            "most likely a running `cleanfreight serve` (a DuckDB ledger takes one writing process). While it "
            "runs, add the account as a bureau account on its /accounts page or with POST /api/v1/users; "
            "or stop the server and run this again (--wait SECONDS waits for it); a PostgreSQL ledger "
            "(--db postgresql://...) lets both run at once"
            + (f" (waited {wait:g} s)" if wait > 0 else "")
        ) from None
    try:
        return accounts.add_user(store, name, password, role, enterprise_id, actor="cli")
    finally:
        store.close()


def serve(settings: ServerParams) -> None:
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

    store = Store(db)
    try:
        with store.use() as led:
            done = led.query("SELECT count(*) FROM srv_audit WHERE action = 'demo.sample'")
            if not done or not done[0][0]:
                today = date.today()
                last = today.month if today.year == 2026 else 12
                with tempfile.TemporaryDirectory(prefix="cleanfreight-demo-") as tmp:
                    man = generate_records(load_enterprises(), tmp, year=2026, seed=seed, scale=scale,
                                           months=months or list(range(1, last + 1)), transition=0.3)
                    logger.info("importing the sample: %d files", len(man.files))
                    res = _ledger.import_files(led, [Path(f) for f in man.files], enterprise=None,
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
