"""Helpers for conversation-store tests: a store on the test database, invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from assay.blobs import BlobStore
from assay.conversations import ConversationStore
from assay.conversations.tables import conv_messages, conv_outbox

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


async def save_turn(
    store: ConversationStore,
    cid: str,
    n: int,
    *,
    user: str = "u1",
    ttl_s: int | None = None,
    text: str = "",
) -> str:
    turn = f"item-{n}"
    ts = T0 + timedelta(seconds=n)
    await store.save_turn_log(
        user_id=user,
        conversation_id=cid,
        turn_id=turn,
        item_number=n,
        ts=ts,
        end_ts=ts + timedelta(milliseconds=500),
        ttl_s=ttl_s,
        blocks=[
            {"type": "item.presented", "stem": f"question {n} {text}"},
            {"type": "react.thinking", "text": f"thinking {n}"},
        ],
    )
    return turn


async def invariants(store: ConversationStore, blobs: BlobStore) -> None:
    """No row without its blob, no blob without its row, an empty outbox."""
    async with store.db.read() as conn:
        uris = set(
            (
                await conn.execute(
                    sa.select(conv_messages.c.hosted_uri).where(
                        conv_messages.c.hosted_uri != "index_only"
                    )
                )
            ).scalars()
        )
        pending = (await conn.execute(sa.select(sa.func.count()).select_from(conv_outbox))).scalar()
    keys = set(await blobs.list_keys("cb"))
    assert pending == 0
    assert uris == keys
