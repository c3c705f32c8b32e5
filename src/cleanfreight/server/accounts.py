"""Accounts, roles, passwords, tokens and login throttling of the platform.

Roles
-----
``bureau``
    sees every enterprise, the dashboard and the audit log; manages accounts.
``enterprise``
    sees and uploads its own enterprise's data only.
``device``
    a gate system: pushes passages and heartbeats for its enterprise, reads nothing.

Passwords are hashed with Argon2id (``argon2-cffi``). Tokens are random 256-bit strings; only their
SHA-256 is stored, with an expiry, so a copy of the database does not hold usable tokens.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, cast

from cleanfreight.errors import InputError, Problem
from cleanfreight.server._store import Store

__all__ = [
    "ROLES",
    "LoginThrottle",
    "Role",
    "Session",
    "User",
    "add_user",
    "authenticate",
    "issue_token",
    "list_users",
    "resolve_token",
    "revoke_token",
]

logger = logging.getLogger(__name__)

Role = Literal["bureau", "enterprise", "device"]
ROLES: tuple[Role, ...] = ("bureau", "enterprise", "device")
_NAME_RE = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
_ENTERPRISE_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
MIN_PASSWORD = 8


@dataclass(frozen=True, slots=True)
class User:
    """An account: name, role and, for enterprise and device accounts, the enterprise."""

    name: str
    role: Role
    enterprise_id: str | None

    def can_see(self, enterprise_id: str) -> bool:
        """Whether this account may read ``enterprise_id``'s data."""
        if self.role == "bureau":
            return True
        return self.role == "enterprise" and self.enterprise_id == enterprise_id


@dataclass(frozen=True, slots=True)
class Session:
    """A resolved token: its account, its CSRF secret (browser sessions) and expiry."""

    user: User
    csrf: str | None
    expires_at: datetime


@lru_cache(maxsize=1)
def _argon() -> tuple[Any, str]:
    """The password hasher (Argon2id, the library's defaults) and a dummy hash for unknown users."""
    from argon2 import PasswordHasher

    ph = PasswordHasher()
    return ph, ph.hash("not a password")


def _hash_password(password: str) -> str:
    return cast(str, _argon()[0].hash(password))


def _verify(pw_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_argon()[0].verify(pw_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def add_user(
    store: Store, name: str, password: str, role: str, enterprise_id: str | None = None, *, actor: str | None = None
) -> User:
    """Create an account (or replace the password, role and enterprise of an existing one).

    Replacing an account revokes its tokens and browser sessions.

    Raises
    ------
    InputError
        Listing every problem: name, role, enterprise, password length.
    """
    problems: list[Problem] = []
    if not _NAME_RE.fullmatch(name or ""):
        problems.append(Problem("1-64 letters, digits or _ . @ -", column="name", value=name))
    if role not in ROLES:
        problems.append(Problem(f"role must be one of {', '.join(ROLES)}", column="role", value=role))
    if role in ("enterprise", "device"):
        if not enterprise_id or not _ENTERPRISE_RE.fullmatch(enterprise_id):
            problems.append(
                Problem(f"a {role} account needs --enterprise ID (letters, digits, _ -)", column="enterprise",
                        value=enterprise_id)
            )
    elif enterprise_id:
        problems.append(Problem("a bureau account belongs to no enterprise", column="enterprise", value=enterprise_id))
    if len(password or "") < MIN_PASSWORD:
        problems.append(Problem(f"password must have at least {MIN_PASSWORD} characters", column="password"))
    if problems:
        raise InputError("cannot add the account", problems)
    ent = enterprise_id.strip().upper() if enterprise_id and role != "bureau" else None
    pw_hash = _hash_password(password)
    with store.transaction() as led:
        led.execute("DELETE FROM srv_users WHERE name = ?", [name])
        led.execute("DELETE FROM srv_tokens WHERE username = ?", [name])  # a reset ends every session
        led.execute(
            "INSERT INTO srv_users (name, role, enterprise_id, pw_hash, created_at) VALUES (?, ?, ?, ?, ?)",
            [name, role, ent, pw_hash, datetime.now()],
        )
    store.audit(actor, "user.add", name, f"role={role} enterprise={ent or '-'}")
    logger.info("account %s (%s %s) saved", name, role, ent or "")
    return User(name, cast(Role, role), ent)


def list_users(store: Store) -> list[User]:
    rows = store.query("SELECT name, role, enterprise_id FROM srv_users WHERE NOT disabled ORDER BY name")
    return [User(str(n), cast(Role, r), None if e is None else str(e)) for n, r, e in rows]


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The account when the password is right, else ``None`` (the same work either way)."""
    rows = store.query(
        "SELECT name, role, enterprise_id, pw_hash FROM srv_users WHERE name = ? AND NOT disabled", [name]
    )
    if not rows:
        _verify(_argon()[1], password)
        return None
    n, role, ent, pw_hash = rows[0]
    if not _verify(str(pw_hash), password):
        return None
    return User(str(n), cast(Role, role), None if ent is None else str(ent))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(store: Store, user: User, *, kind: Literal["api", "web"], ttl_s: int) -> tuple[str, str | None]:
    """A new token for ``user`` (and a CSRF secret for browser sessions); returns ``(token, csrf)``."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32) if kind == "web" else None
    now = datetime.now()
    with store.transaction() as led:
        led.execute("DELETE FROM srv_tokens WHERE expires_at < ?", [now])
        led.execute(
            "INSERT INTO srv_tokens (token_hash, username, kind, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            [_digest(token), user.name, kind, csrf, now, now + timedelta(seconds=ttl_s)],
        )
    return token, csrf


def resolve_token(store: Store, token: str, *, kind: Literal["api", "web"]) -> Session | None:
    """The session of a token still valid, else ``None``."""
    if not token or len(token) > 256:
        return None
    rows = store.query(
        "SELECT u.name, u.role, u.enterprise_id, t.csrf, t.expires_at FROM srv_tokens t "
        "JOIN srv_users u ON u.name = t.username WHERE t.token_hash = ? AND t.kind = ? AND NOT u.disabled "
        "AND t.expires_at > ?",
        [_digest(token), kind, datetime.now()],
    )
    if not rows:
        return None
    n, role, ent, csrf, exp = rows[0]
    return Session(User(str(n), cast(Role, role), None if ent is None else str(ent)), csrf, exp)


def revoke_token(store: Store, token: str) -> None:
    store.execute("DELETE FROM srv_tokens WHERE token_hash = ?", [_digest(token)])


class LoginThrottle:
    """Counts failed logins per user name and per client address over a sliding window."""

    def __init__(self, max_failures: int, window_s: int) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another attempt for any of ``keys``; 0 when allowed."""
        now = time.monotonic()
        with self._lock:
            wait = 0.0
            for k in keys:
                q = self._recent(k, now)
                if len(q) >= self.max_failures:
                    wait = max(wait, self.window_s - (now - q[0]))
            return int(wait) + 1 if wait > 0 else 0

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, name_key: str) -> None:
        with self._lock:
            self._fails.pop(name_key, None)
