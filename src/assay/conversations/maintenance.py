"""Conversation-store maintenance: retention (``purge_expired``) and rebuilding the index
from the blobs (``reindex``). :class:`~assay.conversations.store.ConversationStore` delegates
its methods of the same names here.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from assay.conversations import models as k
from assay.conversations.layout import ROOT, decode_envelope
from assay.conversations.tables import (
    conv_message_tags,
    conv_messages,
    conv_reactions,
    conv_turns,
)
from assay.conversations.writes import (
    delete_rows,
    ensure_conversation,
    expires,
    insert_row,
    upsert_turn,
)

if TYPE_CHECKING:
    from assay.conversations.store import ConversationStore

m = conv_messages.c


async def purge_expired(store: ConversationStore, *, now: datetime | None = None) -> dict[str, int]:
    """Delete rows past ``expires_at`` and their blobs (and the reactions of expired turns).

    Returns:
        ``{"rows": deleted index rows, "turns": deleted turns, "blobs": deleted blobs}``.
    """
    now = now or store.clock()
    t = conv_turns.c
    async with store.db.transaction() as conn:
        gone = (
            await conn.execute(
                sa.select(t.conversation_id, t.turn_id).where(
                    t.expires_at.is_not(None), t.expires_at <= now
                )
            )
        ).all()
        ids = set(
            (
                await conn.execute(
                    sa.select(m.id).where(m.expires_at.is_not(None), m.expires_at <= now)
                )
            ).scalars()
        )
        for cid, tid in gone:
            ids |= set(
                (
                    await conn.execute(
                        sa.select(m.id).where(
                            m.conversation_id == cid,
                            m.turn_id == tid,
                            m.kind.in_([k.REACTION, k.TURN_LOG]),
                        )
                    )
                ).scalars()
            )
            await conn.execute(
                sa.delete(conv_turns).where(t.conversation_id == cid, t.turn_id == tid)
            )
        staged = await delete_rows(conn, sorted(ids), now=now)
    await store.flush(staged)
    return {"rows": len(ids), "turns": len(gone), "blobs": len(staged)}


async def reindex(store: ConversationStore) -> dict[str, int]:
    """Rebuild every blob-backed index row, tag, reaction and turn from the blobs.

    Index-only rows (range summaries) have no blob and are kept as they are.
    """
    await store.flush()
    keys = await store.blobs.list_keys(ROOT)
    envelopes = [decode_envelope(await store.blobs.get(key)) | {"key": key} for key in keys]
    now = store.clock()
    async with store.db.transaction() as conn:
        blob_ids = select_blob_rows()
        await conn.execute(
            sa.delete(conv_message_tags).where(conv_message_tags.c.message_id.in_(blob_ids))
        )
        await conn.execute(sa.delete(conv_messages).where(m.hosted_uri != k.INDEX_ONLY))
        await conn.execute(sa.delete(conv_reactions))
        await conn.execute(sa.delete(conv_turns))
        rows = 0
        for env in sorted(envelopes, key=lambda e: (e["ts"], e["id"])):
            await ensure_conversation(
                conn,
                dialect=store.db.dialect,
                conversation_id=env["conversation_id"],
                user_id=env["user_id"],
                tenant=store.tenant,
                project=store.project,
                title=env["conversation_id"],
                now=now,
            )
            if not env.get("index", True):
                continue
            await insert_row(
                conn,
                {
                    "id": env["id"],
                    "user_id": env["user_id"],
                    "conversation_id": env["conversation_id"],
                    "turn_id": env["turn_id"],
                    "role": env["role"],
                    "kind": env["kind"],
                    "text": env["text"],
                    "tags": env["tags"],
                    "ts": env["ts"],
                    "ttl_s": env["ttl_s"],
                    "expires_at": expires(env["ts"], env["ttl_s"]),
                    "embedding": env["embedding"],
                    "hosted_uri": env["key"],
                },
            )
            rows += 1
            await _reindex_extra(store, conn, env)
    return {"blobs": len(keys), "rows": rows}


async def _reindex_extra(store: ConversationStore, conn: Any, env: dict[str, Any]) -> None:
    payload = env["payload"]
    if env["kind"] == k.TURN_LOG:
        end = datetime.fromisoformat(payload["end_ts"].replace("Z", "+00:00"))
        start = datetime.fromisoformat(payload["ts"].replace("Z", "+00:00"))
        await upsert_turn(
            conn,
            dialect=store.db.dialect,
            conversation_id=env["conversation_id"],
            turn_id=env["turn_id"],
            item_number=payload.get("item_number"),
            ts=start,
            end_ts=end,
            expires_at=expires(end, env["ttl_s"]),
        )
    elif env["kind"] == k.REACTION:
        await conn.execute(
            sa.insert(conv_reactions).values(
                id="crx_" + env["id"].removeprefix("cmsg_"),
                message_id=env["id"],
                conversation_id=env["conversation_id"],
                turn_id=env["turn_id"],
                user_id=env["user_id"],
                reaction=payload["reaction"],
                text=payload["text"],
                origin=payload["origin"],
                confidence=float(payload["confidence"]),
                ts=env["ts"],
            )
        )


def select_blob_rows() -> sa.Select[Any]:
    """Ids of index rows that have a blob."""
    return sa.select(m.id).where(m.hosted_uri != k.INDEX_ONLY)


__all__ = ["purge_expired", "reindex", "select_blob_rows"]
