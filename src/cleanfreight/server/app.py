"""The application factory of the bureau's platform."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cleanfreight.errors import InputError
from cleanfreight.server._context import Context
from cleanfreight.server._push import GroupCommit
from cleanfreight.server._store import Store
from cleanfreight.server.accounts import LoginThrottle
from cleanfreight.server.settings import ServerParams, shown_db

__all__ = ["create_app"]

logger = logging.getLogger(__name__)

_SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
     b"frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


class _BodyLimit:
    """Reject request bodies above ``limit`` bytes with 413 before any handler sees them.

    The body is read here (up to the limit) and replayed to the application, so a body sent without
    ``Content-Length`` (chunked) is bounded too. Security headers are added to every response.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _SECURITY_HEADERS if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._too_large(send_with_headers)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.limit:
                await self._too_large(send_with_headers)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send_with_headers)

    async def _too_large(self, send: Send) -> None:
        resp = JSONResponse({"detail": f"request body larger than {self.limit} bytes"}, status_code=413)
        await resp({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - never awaited by a JSONResponse
    return {"type": "http.disconnect"}


def create_app(settings: ServerParams) -> FastAPI:
    """Build the platform's ASGI application over the ledger file named in ``settings``.

    The store is opened when the application starts (``lifespan``) and closed when it stops.
    """
    from cleanfreight.server import feed, pages, reports

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.db)
        throttle = LoginThrottle(settings.login_max_failures, settings.login_window_s)
        app.state.ctx = Context(settings, store, throttle, GroupCommit(store))
        logger.info("platform serving ledger %s", shown_db(settings.db))
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="cleanfreight platform",
        summary="Gate systems push passages, enterprises upload exports, the bureau watches clean-transport shares.",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.include_router(feed.router)
    app.include_router(reports.router)
    app.include_router(pages.router)

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors: list[dict[str, Any]] = []
        for e in exc.errors()[:50]:
            errors.append({"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", ""))})
        return JSONResponse({"detail": "invalid request", "errors": errors}, status_code=422)

    app.add_middleware(_BodyLimit, limit=settings.max_upload_bytes)
    return app
