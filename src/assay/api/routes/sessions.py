"""Session routes (seed 002 §2): create, get, stream, respond, delete, results."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from sse_starlette.sse import EventSourceResponse

from assay.api.deps import CurrentUser, LimitQuery, OffsetQuery
from assay.sessions import CreateSessionRequest, RespondRequest, SessionService

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


def _service(request: Request) -> SessionService:
    service: SessionService = request.app.state.services.sessions
    return service


@router.post("", status_code=201)
async def create_session(
    body: CreateSessionRequest, request: Request, user: CurrentUser
) -> dict[str, Any]:
    """Create a session; returns ``{"session_id", "status", "stream_url"}``."""
    return await _service(request).create(user_id=user.id, request=body)


@router.get("")
async def list_sessions(
    request: Request, user: CurrentUser, limit: LimitQuery = 50, offset: OffsetQuery = 0
) -> dict[str, Any]:
    """A page of the user's sessions, newest first: ``{"sessions": [...], "count"}``.

    Paged like ``GET /api/artifacts``: ``limit`` (1-500, default 50) and ``offset``; ``count``
    is the number of sessions in this page.
    """
    found = await _service(request).list(user_id=user.id, limit=limit, offset=offset)
    return {"sessions": found, "count": len(found)}


@router.get("/{session_id}")
async def get_session(session_id: str, request: Request, user: CurrentUser) -> dict[str, Any]:
    """The session view: status, progress, pending action (never a key before the end)."""
    return await _service(request).view(user_id=user.id, session_id=session_id)


@router.delete("/{session_id}")
async def terminate_session(session_id: str, request: Request, user: CurrentUser) -> dict[str, Any]:
    """Terminate the session (409 if it already ended)."""
    return await _service(request).terminate(user_id=user.id, session_id=session_id)


@router.get("/{session_id}/stream")
async def stream_session(
    session_id: str, request: Request, user: CurrentUser
) -> EventSourceResponse:
    """SSE: ``connected``, then loop events until ``run_suspended`` or ``session_completed``."""
    events = await _service(request).stream(user_id=user.id, session_id=session_id)

    async def encode() -> AsyncIterator[dict[str, str]]:
        async for name, data in events:
            yield {"event": name, "data": json.dumps(data)}

    return EventSourceResponse(encode(), ping=15)


@router.post("/{session_id}/respond")
async def respond(
    session_id: str, body: RespondRequest, request: Request, user: CurrentUser
) -> dict[str, Any]:
    """Answer the pending client action; idempotent per ``tool_call_id``."""
    return await _service(request).respond(
        user_id=user.id,
        session_id=session_id,
        tool_call_id=body.tool_call_id,
        response=body.response,
    )


@router.get("/{session_id}/results")
async def results(session_id: str, request: Request, user: CurrentUser) -> dict[str, Any]:
    """Score, per-item detail and per-section accuracy (409 until the session ends)."""
    return await _service(request).results(user_id=user.id, session_id=session_id)


__all__ = ["router"]
