"""What every request handler needs: settings, the store, the login throttle, and the caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from cleanfreight.server._push import GroupCommit
from cleanfreight.server._store import Store
from cleanfreight.server.accounts import LoginThrottle, Role, User, resolve_token
from cleanfreight.server.settings import ServerParams

SESSION_COOKIE = "cf_session"
LANG_COOKIE = "cf_lang"
PRELOGIN_CSRF_COOKIE = "cf_login_csrf"


@dataclass
class Context:
    settings: ServerParams
    store: Store
    throttle: LoginThrottle
    committer: GroupCommit


def context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(context)]


def client_of(request: Request) -> str:
    return request.client.host if request.client else "-"


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def api_user(request: Request, ctx: Ctx) -> User:
    """The caller of an API endpoint, from its bearer token (401 without a valid one)."""
    token = _bearer(request)
    session = resolve_token(ctx.store, token, kind="api") if token else None
    if session is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing, invalid or expired bearer token; get one from POST /api/v1/token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return session.user


def require(user: User, *roles: Role) -> None:
    """403 unless ``user`` has one of ``roles``."""
    if user.role not in roles:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"a {user.role} account may not do this (allowed: {', '.join(roles)})"
        )


ApiUser = Annotated[User, Depends(api_user)]
