"""Conversation routes: list, fetch payload, timeline with feedback, reactions, search.

Owner-only: another user's conversation answers 404 like an unknown one. A session's
conversation id is its session id.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from assay.api.deps import CurrentUser
from assay.api.errors import ApiError
from assay.conversations import (
    ConversationError,
    ConversationNotFoundError,
    ConversationStore,
)

router = APIRouter(prefix="/api/conversations", tags=["conversations"])


class ReactionBody(BaseModel):
    """``POST .../reactions``: a thumbs up (``ok``), down (``not_ok``) or ``neutral``."""

    model_config = ConfigDict(extra="forbid")
    reaction: Literal["ok", "not_ok", "neutral"]
    text: str = Field(default="", max_length=2000)


def conversations(request: Request) -> ConversationStore:
    """The app's conversation store."""
    store: ConversationStore = request.app.state.services.conversations
    return store


@contextmanager
def answers() -> Iterator[None]:
    """Map store errors to the app's JSON error body (404 not found, 422 bad input)."""
    try:
        yield
    except ConversationNotFoundError as exc:
        raise ApiError(404, "not_found", str(exc), field=exc.field, rule=exc.rule) from exc
    except ConversationError as exc:
        raise ApiError(422, "invalid_request", str(exc), field=exc.field, rule=exc.rule) from exc


def split(values: list[str] | None) -> list[str]:
    """``?tags=a,b&tags=c`` -> ``["a", "b", "c"]``."""
    return [v for raw in values or [] for v in raw.split(",") if v]


@router.get("")
async def list_conversations(
    request: Request, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> dict[str, Any]:
    rows = await conversations(request).list_conversations(user_id=user.id, limit=limit)
    return {"conversations": rows}


@router.get("/search")
async def search_conversations(
    request: Request,
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=500)] = None,
    tags: Annotated[list[str] | None, Query()] = None,
    any_tags: Annotated[list[str] | None, Query()] = None,
    kinds: Annotated[list[str] | None, Query()] = None,
    conversation_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Hybrid search over the user's rows: ``{"results": [{"kind", "turn_id",
    "conversation_id", "text", "score"}]}``."""
    with answers():
        hits = await conversations(request).search(
            user_id=user.id,
            q=q,
            tags_all=split(tags),
            tags_any=split(any_tags),
            kinds=split(kinds),
            conversation_id=conversation_id,
            limit=limit,
        )
    return {"results": [h.public() for h in hits]}


@router.get("/{conversation_id}")
async def fetch_conversation(
    request: Request, conversation_id: str, user: CurrentUser
) -> dict[str, Any]:
    with answers():
        return await conversations(request).fetch(conversation_id, user_id=user.id)


@router.get("/{conversation_id}/timeline")
async def conversation_timeline(
    request: Request, conversation_id: str, user: CurrentUser
) -> dict[str, Any]:
    with answers():
        return await conversations(request).load_timeline(conversation_id, user_id=user.id)


@router.post("/{conversation_id}/turns/{turn_id}/reactions", status_code=201)
async def add_reaction(
    request: Request, conversation_id: str, turn_id: str, body: ReactionBody, user: CurrentUser
) -> dict[str, Any]:
    with answers():
        row = await conversations(request).add_reaction(
            turn_id,
            body.reaction,
            body.text,
            "user",
            1.0,
            conversation_id=conversation_id,
            user_id=user.id,
        )
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "turn_id": row.turn_id,
        "reaction": row.reaction,
        "text": row.text,
        "origin": row.origin,
    }


__all__ = ["router"]
