"""Settings of the bureau's platform, shared by :func:`~cleanfreight.server.create_app` and ``cleanfreight serve``."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

from cleanfreight.errors import InputError, Problem

__all__ = ["ServerParams", "is_server_address", "load_settings", "shown_db"]


def is_server_address(db: str) -> bool:
    """Whether ``db`` is a PostgreSQL address rather than a DuckDB file."""
    return db.startswith(("postgresql://", "postgres://"))


def shown_db(db: str | Path) -> str:
    """``db`` for logs and messages: a PostgreSQL address without its password."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", str(db))


@dataclass(frozen=True, slots=True)
class ServerParams:
    """Validated settings of ``cleanfreight serve``.

    Parameters
    ----------
    db
        The ledger: a DuckDB file (the embedded store, created if missing; one platform process) or
        a ``postgresql://`` address (a multi-user deployment: several platform processes may share
        it). The platform keeps its accounts, sessions, audit log, heartbeats and passage serials in
        the same database, in tables of its own (``srv_*``).
    host, port
        Where to listen. The default listens on loopback only.
    rules
        Rulebook preset or file for the reports and the dashboard (see ``cleanfreight ledger report``).
    roster
        ``"sample"``, a roster folder, or ``None``: enterprise names on the dashboard, and the list of
        enterprises expected to report.
    plan
        A plan to compare against (``plan.json`` of ``cleanfreight plan``, or a CSV ``enterprise_id,
        ratio_after``): reports and the dashboard then show each enterprise's planned ratio.
    token_ttl_s
        Lifetime of an API access token (gate clients use 1-2 h tokens).
    session_ttl_s
        Lifetime of a browser session.
    heartbeat_offline_s
        A gate with no heartbeat or passage for longer than this is shown offline (clients beat
        about every 10 minutes; the default allows two missed beats).
    heartbeat_interval_s
        How often a gate is expected to beat: a day's completeness is the share of its intervals that
        hold a heartbeat (vendors promise >= 95 % transmission).
    max_upload_bytes
        Largest accepted upload (file or JSON body).
    max_batch
        Most passage records in one ``POST /api/v1/passages``.
    login_max_failures, login_window_s
        After this many failed logins of one user name or client address within the window, further
        attempts get ``429`` until the window has passed.
    lang
        Default language of the pages (``zh`` or ``en``).
    secure_cookies
        Mark cookies ``Secure`` (behind HTTPS); off for plain loopback HTTP.
    """

    db: Path | str
    host: str = "127.0.0.1"
    port: int = 8000
    rules: str = "changzhi-2024"
    roster: str | None = "sample"
    plan: Path | None = None
    token_ttl_s: int = 7200
    session_ttl_s: int = 8 * 3600
    heartbeat_offline_s: int = 1800
    heartbeat_interval_s: int = 600
    max_upload_bytes: int = 20 * 1024 * 1024
    max_batch: int = 1000
    login_max_failures: int = 5
    login_window_s: int = 300
    lang: str = "zh"
    secure_cookies: bool = False

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        if not isinstance(self.db, Path) and not is_server_address(str(self.db)):
            object.__setattr__(self, "db", Path(self.db))
        if self.plan is not None and not Path(self.plan).exists():
            problems.append(Problem("plan file not found", column="plan", value=str(self.plan)))
        if self.host != "localhost":
            try:
                ipaddress.ip_address(self.host)
            except ValueError:
                problems.append(Problem("expected an IP address or localhost", column="host", value=self.host))
        if not 0 <= self.port <= 65535:
            problems.append(Problem("must be 0-65535 (0: any free port)", column="port", value=self.port))
        for name in ("token_ttl_s", "session_ttl_s", "heartbeat_offline_s", "heartbeat_interval_s",
                     "max_upload_bytes", "max_batch",
                     "login_max_failures", "login_window_s"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                problems.append(Problem("must be a whole number >= 1", column=name, value=value))
        if self.lang not in ("zh", "en"):
            problems.append(Problem("must be zh or en", column="lang", value=self.lang))
        if problems:
            raise InputError("invalid server settings", problems)


def load_settings(path: str | Path, **overrides: object) -> ServerParams:
    """Read :class:`ServerParams` from the ``[server]`` table of a TOML file; ``overrides`` win.

    ::

        [server]
        db = "/srv/cleanfreight/ledger.duckdb"
        host = "0.0.0.0"
        port = 8000
        heartbeat_offline_s = 1800
        secure_cookies = true

    Unknown keys are reported with the allowed ones.
    """
    import dataclasses
    import tomllib

    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read server settings {p}", [Problem(str(exc), file=str(p))]) from None
    table = data.get("server", {})
    if not isinstance(table, dict):
        raise InputError(f"{p}: [server] must be a table")
    allowed = {f.name for f in dataclasses.fields(ServerParams)}
    problems = [
        Problem(f"unknown setting; expected one of {', '.join(sorted(allowed))}", file=str(p), column=k)
        for k in table if k not in allowed
    ]
    if problems:
        raise InputError(f"invalid server settings in {p}", problems)
    merged = {**table, **{k: v for k, v in overrides.items() if v is not None}}
    if "db" not in merged:
        raise InputError(f"{p}: [server] needs db (or give --db)")
    for key in ("db", "plan"):
        if merged.get(key) is not None and not (key == "db" and is_server_address(str(merged[key]))):
            merged[key] = Path(str(merged[key]))
    return ServerParams(**merged)  # type: ignore[arg-type]
