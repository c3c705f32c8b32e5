"""A throw-away PostgreSQL cluster for tests: started in a temporary folder, unix socket only (no TCP).

:func:`pg_cluster` starts one (``initdb`` + ``pg_ctl``, as ``postgres`` when run as root, ``fsync``
off) and stops it at the end; :func:`new_database` makes a database in it and returns its
``postgresql://`` address. Missing PostgreSQL or psycopg skips the test, except in CI
(``CLEANFREIGHT_REQUIRE_SYSTEM_DEPS``), where it fails.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests._system import skip_or_fail

PORT = 54329  # only names the socket file inside the cluster's own folder: no clash between runs
_names = itertools.count(1)


def pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and Path(found).with_name("initdb").exists():
        return Path(found).resolve().parent
    for cand in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (cand / "initdb").exists() and (cand / "pg_ctl").exists():
            return cand
    return None


def _as_owner(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run as ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return cmd
    return ["su", "postgres", "-c", shlex.join(cmd)]


@contextlib.contextmanager
def pg_cluster() -> Iterator[dict[str, Any]]:
    """Start a cluster; yields the connection parameters (``host`` is the socket folder) and ``module``."""
    try:
        import psycopg
    except ImportError:
        skip_or_fail("psycopg is not installed (pip install 'cleanfreight[postgres]')")
    bindir = pg_bin()
    if bindir is None:
        skip_or_fail("PostgreSQL server binaries (initdb, pg_ctl) not found; apt-get install postgresql")
    root = Path(tempfile.mkdtemp(prefix="cf_pg_"))
    data = root / "data"
    if os.geteuid() == 0:
        import pwd

        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            skip_or_fail("running as root and there is no postgres user to run the server")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    pg_ctl = str(bindir / "pg_ctl")
    started = False
    try:
        init = subprocess.run(
            _as_owner([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]),
            check=False, capture_output=True, text=True, timeout=120,
        )
        if init.returncode != 0:
            skip_or_fail(f"initdb failed: {init.stderr.strip()[-500:]}")
        opts = f"-k {root} -p {PORT} -c listen_addresses='' -c fsync=off -c max_connections=200"
        start = subprocess.run(
            _as_owner([pg_ctl, "-D", str(data), "-o", opts, "-l", str(root / "server.log"), "-w", "-t", "60",
                       "start"]),
            check=False, capture_output=True, text=True, timeout=90,
        )
        started = start.returncode == 0
        if not started:
            log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
            skip_or_fail(f"PostgreSQL did not start: {start.stderr.strip()[-300:]} {log[-500:]}")
        yield {"host": str(root), "port": PORT, "user": "postgres", "dbname": "postgres", "module": psycopg}
    finally:
        if started:
            subprocess.run(_as_owner([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]),
                           check=False, capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def url(server: dict[str, Any], dbname: str) -> str:
    """The ``postgresql://`` address of a database of the cluster (over its unix socket)."""
    return f"postgresql://{server['user']}@/{dbname}?host={server['host']}&port={server['port']}"


def new_database(server: dict[str, Any], template: str | None = None, name: str | None = None) -> str:
    """Create a database (a copy of ``template`` when given); returns its address."""
    psycopg = server["module"]
    name = name or f"cf_{os.getpid()}_{next(_names)}"
    params = {k: v for k, v in server.items() if k != "module"}
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return url(server, name)
