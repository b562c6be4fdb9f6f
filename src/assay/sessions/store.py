"""SQL reads and writes of sessions, served items and the message log.

Functions take an open connection so that callers compose them into one transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncConnection

from assay.items.instance import ItemInstance
from assay.llm.messages import Message, ToolCall
from assay.sessions.results import ServedItem
from assay.sessions.status import SessionStatus
from assay.sessions.tables import session_events, session_items, session_messages, sessions
from assay.storage import for_update


class SessionRow(BaseModel):
    """A session as stored."""

    model_config = ConfigDict(frozen=True)

    id: str
    user_id: str
    session_type: str
    status: SessionStatus
    driver: str
    title: str
    blueprint_id: str | None
    config: dict[str, Any]
    plan: list[dict[str, Any]]
    total_items: int
    time_limit_s: int | None
    seed: int
    pending_action: dict[str, Any] | None
    end_reason: str | None
    version: int
    created_at: datetime
    started_at: datetime | None
    deadline_at: datetime | None
    ended_at: datetime | None
    cat_state: dict[str, Any] | None = None


class StateChangedError(Exception):
    """The session changed under us (another writer won); re-read and retry."""


class ItemRow(BaseModel):
    """A served item as stored, key included."""

    model_config = ConfigDict(frozen=True)

    item_number: int
    item: ItemInstance
    served_tool_call_id: str
    presented_tool_call_id: str | None
    presented_at: datetime | None
    response: dict[str, Any] | None
    respond_result: dict[str, Any] | None
    responded_at: datetime | None
    time_taken_ms: int | None
    correct: bool | None
    score: float | None
    recorded_at: datetime | None

    def served(self) -> ServedItem:
        return ServedItem(
            item_number=self.item_number,
            item=self.item,
            response=self.response,
            correct=self.correct,
            score=self.score,
            time_taken_ms=self.time_taken_ms,
        )


_SESSION_COLS = [sessions.c[name] for name in SessionRow.model_fields]


async def get_session(
    conn: AsyncConnection, session_id: str, *, user_id: str | None = None, lock: bool = False
) -> SessionRow | None:
    """The session, or ``None`` if missing or (with ``user_id``) owned by someone else."""
    stmt = sa.select(*_SESSION_COLS).where(sessions.c.id == session_id)
    if user_id is not None:
        stmt = stmt.where(sessions.c.user_id == user_id)
    if lock:
        stmt = for_update(stmt)
    row = (await conn.execute(stmt)).mappings().first()
    return None if row is None else SessionRow.model_validate(dict(row))


async def update_session(
    conn: AsyncConnection,
    session: SessionRow,
    *,
    expect: SessionStatus | None = None,
    **values: Any,
) -> SessionRow:
    """Write ``values`` if the session still has version ``session.version`` (and ``expect``).

    Returns:
        The session as it now is (``values`` applied, version bumped).

    Raises:
        StateChangedError: If another writer changed the session first.
    """
    stmt = sessions.update().where(
        sessions.c.id == session.id, sessions.c.version == session.version
    )
    if expect is not None:
        stmt = stmt.where(sessions.c.status == expect.value)
    row = {k: (v.value if isinstance(v, SessionStatus) else v) for k, v in values.items()}
    result = await conn.execute(stmt.values(version=session.version + 1, **row))
    if result.rowcount != 1:
        raise StateChangedError(session.id)
    known = {k: v for k, v in values.items() if k in SessionRow.model_fields}
    return session.model_copy(update={**known, "version": session.version + 1})


_ITEM_COLS = [session_items.c[name] for name in ItemRow.model_fields]


async def get_items(conn: AsyncConnection, session_id: str) -> list[ItemRow]:
    """Served items of a session in order."""
    rows = (
        await conn.execute(
            sa.select(*_ITEM_COLS)
            .where(session_items.c.session_id == session_id)
            .order_by(session_items.c.item_number)
        )
    ).mappings()
    return [ItemRow.model_validate(dict(r)) for r in rows]


async def insert_item(
    conn: AsyncConnection,
    *,
    session_id: str,
    number: int,
    item: ItemInstance,
    tool_call_id: str,
    now: datetime,
) -> ItemRow:
    """Store a served item (key included); returns its row."""
    await conn.execute(
        session_items.insert().values(
            session_id=session_id,
            item_number=number,
            item=item.model_dump(mode="json"),
            section_id=item.section_id,
            skill_id=item.skill_id,
            served_tool_call_id=tool_call_id,
            served_at=now,
        )
    )
    return ItemRow(
        item_number=number,
        item=item,
        served_tool_call_id=tool_call_id,
        presented_tool_call_id=None,
        presented_at=None,
        response=None,
        respond_result=None,
        responded_at=None,
        time_taken_ms=None,
        correct=None,
        score=None,
        recorded_at=None,
    )


async def update_item(
    conn: AsyncConnection, *, session_id: str, number: int, **values: Any
) -> None:
    await conn.execute(
        session_items.update()
        .where(session_items.c.session_id == session_id, session_items.c.item_number == number)
        .values(**values)
    )


async def get_messages(conn: AsyncConnection, session_id: str) -> list[Message]:
    """The message log of a session in order."""
    rows = (
        await conn.execute(
            sa.select(
                session_messages.c.role,
                session_messages.c.content,
                session_messages.c.tool_calls,
                session_messages.c.tool_call_id,
                session_messages.c.name,
            )
            .where(session_messages.c.session_id == session_id)
            .order_by(session_messages.c.seq)
        )
    ).all()
    return [
        Message(
            role=r.role,
            content=r.content,
            tool_calls=[ToolCall.model_validate(tc) for tc in (r.tool_calls or [])],
            tool_call_id=r.tool_call_id,
            name=r.name,
        )
        for r in rows
    ]


async def append_message(
    conn: AsyncConnection,
    *,
    session_id: str,
    message: Message,
    now: datetime,
    meta: dict[str, Any] | None = None,
    seq: int | None = None,
) -> int:
    """Append a message to the log; returns its sequence number.

    ``seq`` (1-based) may be given by a caller that knows the log's length; otherwise it is
    read. The primary key (session_id, seq) refuses a duplicate either way.
    """
    if seq is None:
        seq = (
            await conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(session_messages.c.seq), 0)).where(
                    session_messages.c.session_id == session_id
                )
            )
        ).scalar_one() + 1
    await conn.execute(
        session_messages.insert().values(
            session_id=session_id,
            seq=seq,
            role=message.role,
            content=message.content,
            tool_calls=[tc.model_dump() for tc in message.tool_calls] or None,
            tool_call_id=message.tool_call_id,
            name=message.name,
            meta=meta,
            created_at=now,
        )
    )
    return int(seq)


async def add_event(
    conn: AsyncConnection, *, session_id: str, kind: str, data: dict[str, Any], now: datetime
) -> None:
    """Record a session event (e.g. a fidelity correction)."""
    await conn.execute(
        session_events.insert().values(session_id=session_id, kind=kind, data=data, created_at=now)
    )


async def get_events(conn: AsyncConnection, session_id: str) -> list[dict[str, Any]]:
    rows = (
        await conn.execute(
            sa.select(session_events.c.kind, session_events.c.data, session_events.c.created_at)
            .where(session_events.c.session_id == session_id)
            .order_by(session_events.c.id)
        )
    ).all()
    return [{"kind": r.kind, "data": r.data, "created_at": r.created_at} for r in rows]


__all__ = [
    "ItemRow",
    "SessionRow",
    "StateChangedError",
    "add_event",
    "append_message",
    "get_events",
    "get_items",
    "get_messages",
    "get_session",
    "insert_item",
    "update_item",
    "update_session",
]
