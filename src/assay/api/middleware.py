"""Pure ASGI middleware: request ids, JSON answers to unhandled errors, request body limits.

* :class:`RequestGuard` gives every request an id (``X-Request-ID``: the client's when it is
  1-128 characters of ``[A-Za-z0-9._:-]``, else a new uuid4 hex), echoes it on every answer,
  and answers an exception no handler took as JSON: 503 with ``Retry-After`` when the database
  connection was lost (:func:`is_connection_lost`), else 500. Both bodies carry
  ``request_id``, and so does the log record (``record.request_id``) with the traceback.
* :class:`BodyLimit` refuses a body over the limit with 413 before it is read when
  ``Content-Length`` says so, and as soon as the bytes received pass it otherwise (chunked
  uploads): ``multipart/form-data`` bodies get ``max_upload_bytes``, every other body
  ``max_body_bytes``.
"""

from __future__ import annotations

import errno
import json
import logging
import re
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("assay.api")

#: Seconds a client should wait before retrying after a lost database connection.
RETRY_AFTER_S = 2
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
    }
)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """An error body with no field: ``{"error", "message", "field": null, "rule": null, ...}``."""
    return {"error": code, "message": message, "field": None, "rule": None, "errors": [], **extra}


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, its causes and contexts, and the members of exception groups."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop()
        if any(e is s for s in seen):
            continue
        seen.append(e)
        todo += [c for c in (e.__cause__, e.__context__) if c is not None]
        if isinstance(e, BaseExceptionGroup):
            todo += list(e.exceptions)
    return seen


def is_connection_lost(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the database connection is gone.

    SQLAlchemy ``OperationalError``/``InterfaceError``/``DisconnectionError``, a ``DBAPIError``
    with ``connection_invalidated``, a pool timeout, asyncpg's connection and client-state errors
    (``InternalClientError: cannot switch to state ...`` after a server restart,
    ``ConnectionDoesNotExistError``, the 08 and 57 SQLSTATE classes), ``ConnectionError`` and a
    network ``OSError`` (e.g. ``Connect call failed``); not a file-system ``OSError``.
    """
    import asyncpg
    from sqlalchemy import exc as sa_exc

    lost: tuple[type[BaseException], ...] = (
        sa_exc.OperationalError,
        sa_exc.InterfaceError,
        sa_exc.DisconnectionError,
        sa_exc.TimeoutError,
        ConnectionError,
        asyncpg.exceptions.InterfaceError,
        asyncpg.exceptions.InternalClientError,
        asyncpg.exceptions.PostgresConnectionError,
        asyncpg.exceptions.OperatorInterventionError,
    )
    for e in _chain(exc):
        if isinstance(e, sa_exc.DBAPIError) and e.connection_invalidated:
            return True
        if isinstance(e, lost):
            return True
        if type(e) is OSError and (e.errno is None or e.errno in _NETWORK_ERRNOS):
            return True
    return False


async def _send_json(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]
) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class RequestGuard:
    """Request ids on every answer; unhandled errors answered as JSON 500/503 (module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _CLIENT_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode())
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # the last line: no handler took it
            where = f"{scope.get('method')} {scope.get('path')}"
            extra = {"request_id": request_id}
            if is_connection_lost(exc):
                log.warning(
                    "%s: database unavailable (request_id=%s): %r", where, request_id, exc,
                    extra=extra,
                )  # fmt: skip
                if not started:
                    message = (
                        "the database is unreachable right now; nothing was changed by this "
                        f"request if it failed before committing: retry in {RETRY_AFTER_S} s"
                    )
                    await _send_json(
                        send,
                        503,
                        error_body("database_unavailable", message, request_id=request_id),
                        [header, (b"retry-after", str(RETRY_AFTER_S).encode())],
                    )
                return
            log.exception("%s failed (request_id=%s)", where, request_id, extra=extra)
            if not started:
                message = f"the server failed to answer; quote request id {request_id} to report it"
                await _send_json(
                    send,
                    500,
                    error_body("internal_error", message, request_id=request_id),
                    [header],
                )


class BodyTooLargeError(HTTPException):
    """The request body passed its limit (answered 413 by the app's handlers)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")
        self.limit = limit


def too_large_body(limit: int) -> dict[str, Any]:
    """The JSON body of a 413 answer."""
    rule = f"must be at most {limit} bytes"
    message = f"body: {rule}"
    return {
        "error": "payload_too_large",
        "message": message,
        "field": "body",
        "rule": rule,
        "errors": [{"field": "body", "rule": rule, "message": message}],
        "limit_bytes": limit,
    }


class BodyLimit:
    """413 for request bodies over the limit (module doc).

    Args:
        app: The wrapped app.
        max_body_bytes: Limit of every body but uploads.
        max_upload_bytes: Limit of ``multipart/form-data`` bodies.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        upload = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        limit = self.max_upload_bytes if upload else self.max_body_bytes
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _send_json(send, 413, too_large_body(limit), [(b"connection", b"close")])
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watch)
        except BodyTooLargeError:
            if started:
                raise
            await _send_json(send, 413, too_large_body(limit), [(b"connection", b"close")])


__all__ = [
    "RETRY_AFTER_S",
    "BodyLimit",
    "BodyTooLargeError",
    "RequestGuard",
    "error_body",
    "is_connection_lost",
    "too_large_body",
]
