"""Row-level writes in the caller's transaction: conversations, turns, index rows, replacement.

Every function here runs inside an open transaction and only *stages* blob work as outbox
entries (see :mod:`assay.conversations.outbox`); nothing touches the blob store.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from assay.conversations.models import INDEX_ONLY
from assay.conversations.outbox import DELETE, PUT, enqueue
from assay.conversations.tables import (
    conv_conversations,
    conv_message_tags,
    conv_messages,
    conv_reactions,
    conv_turns,
)

m = conv_messages.c


def expires(ts: datetime, ttl_s: int | None) -> datetime | None:
    """``ts + ttl_s`` seconds, or ``None`` without a TTL."""
    return None if ttl_s is None else ts + timedelta(seconds=ttl_s)


def insert_ignore(dialect: str, table: sa.Table) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the backend."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


async def ensure_conversation(
    conn: Any,
    *,
    dialect: str,
    conversation_id: str,
    user_id: str,
    tenant: str,
    project: str,
    title: str,
    now: datetime,
) -> str:
    """Create the conversation if new (touch ``updated_at`` otherwise); returns its owner."""
    await conn.execute(
        insert_ignore(dialect, conv_conversations)
        .values(
            id=conversation_id,
            user_id=user_id,
            tenant=tenant,
            project=project,
            title=title[:300],
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
    )
    c = conv_conversations.c
    await conn.execute(
        sa.update(conv_conversations).where(c.id == conversation_id).values(updated_at=now)
    )
    owner = (await conn.execute(sa.select(c.user_id).where(c.id == conversation_id))).scalar_one()
    return str(owner)


async def upsert_turn(
    conn: Any,
    *,
    dialect: str,
    conversation_id: str,
    turn_id: str,
    item_number: int | None,
    ts: datetime,
    end_ts: datetime | None,
    expires_at: datetime | None,
) -> None:
    """Insert or update one ``conv_turns`` row."""
    values = {"item_number": item_number, "ts": ts, "end_ts": end_ts, "expires_at": expires_at}
    stmt = insert_ignore(dialect, conv_turns).values(
        conversation_id=conversation_id, turn_id=turn_id, **values
    )
    await conn.execute(
        stmt.on_conflict_do_update(index_elements=["conversation_id", "turn_id"], set_=values)
    )


async def insert_row(conn: Any, row: dict[str, Any]) -> None:
    """Insert an index row and its tag rows."""
    await conn.execute(sa.insert(conv_messages).values(**row))
    if row["tags"]:
        await conn.execute(
            sa.insert(conv_message_tags),
            [{"message_id": row["id"], "tag": t} for t in row["tags"]],
        )


async def put_blob(conn: Any, *, key: str, data: bytes, now: datetime) -> int:
    """Stage a blob write; returns the outbox id."""
    return await enqueue(conn, op=PUT, key=key, payload=data, now=now)


async def delete_rows(conn: Any, ids: list[str], *, now: datetime) -> list[int]:
    """Delete index rows (tags, reactions of them too) and stage their blobs' deletion."""
    if not ids:
        return []
    uris = (
        (await conn.execute(sa.select(m.hosted_uri).where(m.id.in_(ids)).order_by(m.id)))
        .scalars()
        .all()
    )
    await conn.execute(sa.delete(conv_message_tags).where(conv_message_tags.c.message_id.in_(ids)))
    await conn.execute(sa.delete(conv_reactions).where(conv_reactions.c.message_id.in_(ids)))
    await conn.execute(sa.delete(conv_messages).where(m.id.in_(ids)))
    return [
        await enqueue(conn, op=DELETE, key=uri, payload=None, now=now)
        for uri in uris
        if uri != INDEX_ONLY
    ]


async def replace_kind(
    conn: Any, *, conversation_id: str, kind: str, turn_id: str | None, now: datetime
) -> list[int]:
    """Delete the existing rows of ``kind`` (of ``turn_id`` when given) before a new one.

    Used for ``turn.log`` (one per turn) and ``conv.timeline.v1`` (one per conversation), so a
    timeline written at the end of every turn leaves one row, not one per turn.
    """
    where = [m.conversation_id == conversation_id, m.kind == kind]
    if turn_id is not None:
        where.append(m.turn_id == turn_id)
    ids = list((await conn.execute(sa.select(m.id).where(*where))).scalars())
    return await delete_rows(conn, ids, now=now)


__all__ = [
    "delete_rows",
    "ensure_conversation",
    "expires",
    "insert_ignore",
    "insert_row",
    "put_blob",
    "replace_kind",
    "upsert_turn",
]
