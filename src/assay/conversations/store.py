"""The conversation store: the public use cases over the ``Database`` and ``BlobStore`` ports.

Every write commits its index rows and outbox entries in one transaction, then applies the
outbox (blob writes/deletes) and clears it; :meth:`ConversationStore.recover` replays what a
crash left and collects orphan blobs.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from assay.blobs import BlobStore
from assay.conversations import maintenance, outbox
from assay.conversations import models as k
from assay.conversations.errors import ConversationInputError, ConversationNotFoundError
from assay.conversations.layout import (
    LayoutError,
    blob_key,
    decode_envelope,
    embedding_bytes,
    encode_envelope,
)
from assay.conversations.models import Feedback, IndexRow, Reaction, SearchHit
from assay.conversations.reactions import feedback_block, latest_reactions
from assay.conversations.search import SearchQuery, search, to_row
from assay.conversations.tables import (
    conv_conversations,
    conv_messages,
    conv_reactions,
    conv_turns,
)
from assay.conversations.writes import (
    ensure_conversation,
    expires,
    insert_row,
    put_blob,
    replace_kind,
    upsert_turn,
)
from assay.storage import Database, iso, new_id, utcnow

m = conv_messages.c
Summarizer = Callable[[list[dict[str, Any]]], Awaitable[str]]


@dataclass(frozen=True)
class Saved:
    """A staged or applied write: the index row (``None`` for ``store_only``), its outbox ids."""

    row: IndexRow | None
    outbox_ids: list[int] = field(default_factory=list)


class ConversationStore:
    """Turn logs, reactions, timelines and summaries as blobs plus index rows.

    Args:
        db: The database (migrated to ``heads``).
        blobs: The blob store (local directory, S3, memory).
        tenant: The tenant segment of blob keys; project: the project segment.
        clock: The current UTC time.
        fault: Test hook called after each write step (see :mod:`~assay.conversations.outbox`).
    """

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        *,
        tenant: str = "assay",
        project: str = "default",
        clock: Callable[[], datetime] = utcnow,
        fault: outbox.Fault | None = None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.tenant = tenant
        self.project = project
        self.clock = clock
        self.fault = fault

    # -- writes -----------------------------------------------------------------------
    async def save_artifact(
        self,
        *,
        user_id: str,
        conversation_id: str,
        kind: str,
        payload: Any,
        text: str,
        turn_id: str | None = None,
        role: str = "artifact",
        tags: Sequence[str] = (),
        embedding: Any = None,
        ttl_s: int | None = None,
        index_only: bool = False,
        store_only: bool = False,
        origin: str | None = None,
        ts: datetime | None = None,
        title: str = "",
        conn: Any = None,
    ) -> Saved:
        """Save one artifact: an index row and (unless ``index_only``) its blob.

        With ``conn`` the rows are staged in the caller's transaction and the caller applies
        the outbox after its commit (``await store.flush(saved.outbox_ids)``).

        Raises:
            ConversationInputError: Unknown kind or role, both flags, a bad embedding or TTL,
                an id not usable as a path segment.
        """
        if kind not in k.STORED_KINDS:
            raise ConversationInputError(
                f"unknown kind {kind!r}",
                field="kind",
                rule=f"must be one of {sorted(k.STORED_KINDS)}",
            )
        if role not in k.ROLES:
            raise ConversationInputError(
                f"unknown role {role!r}", field="role", rule=f"must be one of {list(k.ROLES)}"
            )
        if index_only and store_only:
            raise ConversationInputError(
                "index_only and store_only exclude each other",
                field="store_only",
                rule="must be false with index_only",
            )
        if ttl_s is not None and ttl_s <= 0:
            raise ConversationInputError("ttl_s must be positive", field="ttl_s", rule="> 0")
        try:
            emb = embedding_bytes(embedding)
        except ValueError as exc:
            raise ConversationInputError(str(exc), field="embedding", rule="finite 1-D") from exc
        now = self.clock()
        when = ts or now
        rid = new_id("cmsg")
        try:
            key = (
                k.INDEX_ONLY
                if index_only
                else blob_key(
                    tenant=self.tenant,
                    project=self.project,
                    role=role,
                    user_id=user_id,
                    conversation_id=conversation_id,
                    turn_id=turn_id,
                    ts=when,
                    artifact_id=rid,
                    kind=kind,
                )
            )
        except LayoutError as exc:
            raise ConversationInputError(str(exc), field=exc.field, rule=exc.rule) from exc
        row = {
            "id": rid,
            "user_id": user_id,
            "conversation_id": conversation_id,
            "turn_id": turn_id,
            "role": role,
            "kind": kind,
            "text": text,
            "tags": k.merge_tags(k.base_tags(kind, turn_id=turn_id, origin=origin), list(tags)),
            "ts": when,
            "ttl_s": ttl_s,
            "expires_at": expires(when, ttl_s),
            "embedding": emb,
            "hosted_uri": key,
        }

        async def stage(c: Any) -> list[int]:
            await ensure_conversation(
                c,
                dialect=self.db.dialect,
                conversation_id=conversation_id,
                user_id=user_id,
                tenant=self.tenant,
                project=self.project,
                title=title or conversation_id,
                now=now,
            )
            ids: list[int] = []
            if kind in (k.TIMELINE, k.TURN_LOG):
                ids += await replace_kind(
                    c,
                    conversation_id=conversation_id,
                    kind=kind,
                    turn_id=turn_id if kind == k.TURN_LOG else None,
                    now=now,
                )
            if not store_only:
                await insert_row(c, row)
            outbox.hit(self.fault, "rows")
            if not index_only:
                data = encode_envelope({**row, "index": not store_only}, payload)
                ids.append(await put_blob(c, key=key, data=data, now=now))
            outbox.hit(self.fault, "outbox")
            return ids

        saved_row = None if store_only else to_row(row)
        if conn is not None:
            return Saved(saved_row, await stage(conn))
        async with self.db.transaction() as c:
            ids = await stage(c)
        outbox.hit(self.fault, "commit")
        await self.flush(ids)
        return Saved(saved_row, ids)

    async def flush(self, ids: Sequence[int] | None = None) -> int:
        """Apply outbox entries (these ids, or all); returns how many."""
        return await outbox.flush(self.db, self.blobs, ids=ids, fault=self.fault)

    async def save_turn_log(
        self,
        *,
        user_id: str,
        conversation_id: str,
        turn_id: str,
        blocks: list[dict[str, Any]],
        ts: datetime,
        end_ts: datetime,
        item_number: int | None = None,
        sources_used: list[int] | None = None,
        tokens: int = 0,
        ttl_s: int | None = None,
        tags: Sequence[str] = (),
        title: str = "",
        conn: Any = None,
    ) -> Saved:
        """Save a turn's log (blob: its blocks; index text: the seed's compact summary).

        A second log of the same turn replaces the first. The turn gets its ``conv_turns`` row.
        """
        summary = k.turn_summary(
            turn_id=turn_id,
            ts=ts,
            end_ts=end_ts,
            blocks=blocks,
            sources_used=sources_used,
            tokens=tokens,
        )
        payload = {
            "turn_id": turn_id,
            "item_number": item_number,
            "ts": iso(ts),
            "end_ts": iso(end_ts),
            "blocks": blocks,
            "sources_used": sources_used or [],
            "tokens": tokens,
        }

        async def stage(c: Any) -> Saved:
            await upsert_turn(
                c,
                dialect=self.db.dialect,
                conversation_id=conversation_id,
                turn_id=turn_id,
                item_number=item_number,
                ts=ts,
                end_ts=end_ts,
                expires_at=expires(end_ts, ttl_s),
            )
            return await self.save_artifact(
                user_id=user_id,
                conversation_id=conversation_id,
                kind=k.TURN_LOG,
                payload=payload,
                text=k.compact_json(summary),
                turn_id=turn_id,
                role="artifact",
                tags=tags,
                ttl_s=ttl_s,
                ts=end_ts,
                title=title,
                conn=c,
            )

        if conn is not None:
            return await stage(conn)
        async with self.db.transaction() as c:
            saved = await stage(c)
        outbox.hit(self.fault, "commit")
        await self.flush(saved.outbox_ids)
        return saved

    async def save_timeline(
        self,
        *,
        user_id: str,
        conversation_id: str,
        turns: list[dict[str, Any]],
        embedding: Any = None,
        ttl_s: int | None = None,
        title: str = "",
        conn: Any = None,
    ) -> Saved:
        """Save the conversation's timeline (``turns``: ``[{"turn_id", "item_number", "ts",
        "blocks"}]``), replacing the previous one; tagged with the last turn."""
        last = turns[-1]["turn_id"] if turns else None
        text = k.compact_json({"turns": len(turns), "last_turn_id": last})
        return await self.save_artifact(
            user_id=user_id,
            conversation_id=conversation_id,
            kind=k.TIMELINE,
            payload={
                "version": k.TIMELINE,
                "conversation_id": conversation_id,
                "turns": turns,
                "sources_pool": [],
            },
            text=text,
            turn_id=last,
            embedding=embedding,
            ttl_s=ttl_s,
            title=title,
            conn=conn,
        )

    async def add_reaction(
        self,
        turn_id: str,
        reaction: str,
        text: str = "",
        origin: str = "user",
        confidence: float = 1.0,
        *,
        conversation_id: str,
        user_id: str | None = None,
    ) -> Reaction:
        """Append a reaction to a turn (a row, an index row with the reaction JSON, a blob).

        Raises:
            ConversationNotFoundError: No such conversation for ``user_id``, or no such turn.
            ConversationInputError: Reaction, origin, confidence or text out of range.
        """
        if reaction not in k.REACTIONS:
            raise ConversationInputError(
                f"unknown reaction {reaction!r}",
                field="reaction",
                rule=f"must be one of {list(k.REACTIONS)}",
            )
        if origin not in k.ORIGINS:
            raise ConversationInputError(
                f"unknown origin {origin!r}",
                field="origin",
                rule=f"must be one of {list(k.ORIGINS)}",
            )
        if not 0.0 <= confidence <= 1.0:
            raise ConversationInputError(
                "confidence out of range", field="confidence", rule="must be between 0 and 1"
            )
        if len(text) > 2000:
            raise ConversationInputError(
                "text too long", field="text", rule="at most 2000 characters"
            )
        now = self.clock()
        async with self.db.transaction() as c:
            owner = await self._owner(c, conversation_id, user_id)
            found = await c.execute(
                sa.select(conv_turns.c.turn_id).where(
                    conv_turns.c.conversation_id == conversation_id, conv_turns.c.turn_id == turn_id
                )
            )
            if found.first() is None:
                raise ConversationNotFoundError(turn_id, field="turn_id")
            body = k.reaction_json(
                turn_id=turn_id,
                text=text,
                confidence=confidence,
                ts=now,
                reaction=reaction,
                origin=origin,
            )
            saved = await self.save_artifact(
                user_id=owner,
                conversation_id=conversation_id,
                kind=k.REACTION,
                payload=json.loads(body),
                text=body,
                turn_id=turn_id,
                role="user",
                origin=origin,
                ts=now,
                conn=c,
            )
            assert saved.row is not None
            row = Reaction(
                id=new_id("crx"),
                conversation_id=conversation_id,
                turn_id=turn_id,
                reaction=reaction,
                text=text,
                origin=origin,
                confidence=confidence,
                ts=now,
            )
            await c.execute(
                sa.insert(conv_reactions).values(
                    id=row.id,
                    message_id=saved.row.id,
                    conversation_id=conversation_id,
                    turn_id=turn_id,
                    user_id=owner,
                    reaction=reaction,
                    text=text,
                    origin=origin,
                    confidence=confidence,
                    ts=now,
                )
            )
        outbox.hit(self.fault, "commit")
        await self.flush(saved.outbox_ids)
        return row

    # -- reads ------------------------------------------------------------------------
    async def _owner(self, conn: Any, conversation_id: str, user_id: str | None) -> str:
        c = conv_conversations.c
        owner = (await conn.execute(sa.select(c.user_id).where(c.id == conversation_id))).scalar()
        if owner is None or (user_id is not None and owner != user_id):
            raise ConversationNotFoundError(conversation_id)
        return str(owner)

    async def read_blob(self, key: str) -> bytes:
        """A blob's bytes; a committed but unapplied write is rolled forward from the outbox."""
        try:
            return await self.blobs.get(key)
        except KeyError:
            async with self.db.read() as conn:
                data = await outbox.pending_payload(conn, key)
            if data is None:
                raise
            await self.blobs.put(key, data)
            return data

    async def latest_reactions(
        self, conversation_id: str, turn_ids: Sequence[str]
    ) -> dict[str, Feedback]:
        """The feedback summary (count and latest reaction) of each turn."""
        async with self.db.read() as conn:
            return await latest_reactions(
                conn, dialect=self.db.dialect, conversation_id=conversation_id, turn_ids=turn_ids
            )

    async def list_conversations(self, *, user_id: str, limit: int = 50) -> list[dict[str, Any]]:
        """The user's conversations, most recently updated first."""
        c = conv_conversations.c
        async with self.db.read() as conn:
            rows = (
                await conn.execute(
                    sa.select(conv_conversations)
                    .where(c.user_id == user_id)
                    .order_by(c.updated_at.desc(), c.id)
                    .limit(limit)
                )
            ).all()
        return [
            {
                "conversation_id": r.id,
                "title": r.title,
                "created_at": iso(r.created_at),
                "updated_at": iso(r.updated_at),
            }
            for r in rows
        ]

    async def load_timeline(
        self, conversation_id: str, *, user_id: str | None = None
    ) -> dict[str, Any]:
        """The timeline with ``turn.feedback`` blocks injected (the seed's browser).

        Returns:
            ``{"conversation_id", "turns": [{"turn_id", "item_number", "ts", "blocks",
            "feedback"}]}``; turns without a stored timeline yet come from the turns table.

        Raises:
            ConversationNotFoundError: Unknown (or another user's) conversation.
        """
        async with self.db.read() as conn:
            await self._owner(conn, conversation_id, user_id)
            uri = (
                await conn.execute(
                    sa.select(m.hosted_uri)
                    .where(m.conversation_id == conversation_id, m.kind == k.TIMELINE)
                    .order_by(m.ts.desc())
                    .limit(1)
                )
            ).scalar()
            known = (
                await conn.execute(
                    sa.select(conv_turns)
                    .where(conv_turns.c.conversation_id == conversation_id)
                    .order_by(conv_turns.c.ts, conv_turns.c.turn_id)
                )
            ).all()
        turns: list[dict[str, Any]] = []
        if uri is not None:
            turns = list(decode_envelope(await self.read_blob(uri))["payload"]["turns"])
        listed = {t["turn_id"] for t in turns}
        turns += [
            {"turn_id": t.turn_id, "item_number": t.item_number, "ts": iso(t.ts), "blocks": []}
            for t in known
            if t.turn_id not in listed
        ]
        feedback = await self.latest_reactions(conversation_id, [t["turn_id"] for t in turns])
        out = []
        for turn in turns:
            fb = feedback[turn["turn_id"]]
            blocks = list(turn.get("blocks", []))
            if fb.count:
                blocks.append(feedback_block(turn["turn_id"], fb))
            out.append({**turn, "blocks": blocks, "feedback": fb.public()})
        return {"conversation_id": conversation_id, "turns": out}

    async def rows(self, conversation_id: str, *, kinds: Sequence[str] = ()) -> list[IndexRow]:
        """The conversation's index rows (of ``kinds``), oldest first."""
        where = [m.conversation_id == conversation_id]
        if kinds:
            where.append(m.kind.in_(list(kinds)))
        async with self.db.read() as conn:
            result = await conn.execute(sa.select(conv_messages).where(*where).order_by(m.ts, m.id))
            return [to_row(r) for r in result.mappings().all()]

    async def fetch(self, conversation_id: str, *, user_id: str | None = None) -> dict[str, Any]:
        """The fetch payload: per turn its stream artifacts, reactions and feedback, with
        ``conv.thinking.stream`` synthesized from the turn log's ``react.thinking`` blocks.

        Raises:
            ConversationNotFoundError: Unknown (or another user's) conversation.
        """
        async with self.db.read() as conn:
            await self._owner(conn, conversation_id, user_id)
        rows = await self.rows(
            conversation_id,
            kinds=[
                k.TURN_LOG,
                k.REACTION,
                k.ARTIFACTS_STREAM,
                k.TIMELINE_TEXT_STREAM,
                k.RANGE_SUMMARY,
            ],
        )
        turns: dict[str, dict[str, Any]] = {}
        for row in rows:
            turn = turns.setdefault(row.turn_id or "", {"turn_id": row.turn_id, "artifacts": []})
            if row.kind == k.TURN_LOG:
                payload = decode_envelope(await self.read_blob(row.hosted_uri))["payload"]
                turn.update(item_number=payload.get("item_number"), ts=payload.get("ts"))
                thinking = [
                    b for b in payload.get("blocks", []) if b.get("type") == "react.thinking"
                ]
                if thinking:
                    turn["artifacts"].append(
                        {
                            "kind": k.THINKING_STREAM,
                            "ts": iso(row.ts),
                            "tags": [f"artifact:{k.THINKING_STREAM}", f"turn:{row.turn_id}"],
                            "data": {"items": thinking},
                        }
                    )
            elif row.hosted_uri == k.INDEX_ONLY or row.kind == k.REACTION:
                turn["artifacts"].append(
                    {
                        "kind": row.kind,
                        "ts": iso(row.ts),
                        "tags": row.tags,
                        "data": {"text": row.text},
                    }
                )
            else:
                payload = decode_envelope(await self.read_blob(row.hosted_uri))["payload"]
                turn["artifacts"].append(
                    {"kind": row.kind, "ts": iso(row.ts), "tags": row.tags, "data": payload}
                )
        ids = [t for t in turns if t]
        feedback = await self.latest_reactions(conversation_id, ids)
        listed = [
            {**turn, "feedback": feedback[tid].public()} for tid, turn in turns.items() if tid
        ]
        return {"conversation_id": conversation_id, "turns": listed}

    async def search(
        self,
        *,
        user_id: str | None = None,
        q: str | None = None,
        embedding: Any = None,
        conversation_id: str | None = None,
        kinds: Sequence[str] = (),
        tags_all: Sequence[str] = (),
        tags_any: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
    ) -> list[SearchHit]:
        """Hybrid search (full text + cosine + recency, RRF k = 60) over unexpired rows."""
        if not 1 <= limit <= 100:
            raise ConversationInputError("limit out of range", field="limit", rule="1-100")
        query = SearchQuery(
            now=self.clock(),
            user_id=user_id,
            q=q,
            embedding=embedding,
            conversation_id=conversation_id,
            kinds=tuple(kinds),
            tags_all=tuple(tags_all),
            tags_any=tuple(tags_any),
            since=since,
            until=until,
            limit=limit,
        )
        async with self.db.read() as conn:
            return await search(conn, dialect=self.db.dialect, query=query)

    async def turn_log_summary(self, conversation_id: str, turn_id: str) -> dict[str, Any]:
        """The turn log's compact summary with its ``feedback`` part derived from reactions."""
        async with self.db.read() as conn:
            text = (
                await conn.execute(
                    sa.select(m.text).where(
                        m.conversation_id == conversation_id,
                        m.kind == k.TURN_LOG,
                        m.turn_id == turn_id,
                    )
                )
            ).scalar()
        if text is None:
            raise ConversationNotFoundError(turn_id, field="turn_id")
        summary: dict[str, Any] = json.loads(text)
        fb = (await self.latest_reactions(conversation_id, [turn_id]))[turn_id]
        return {**summary, "feedback": fb.public()}

    async def summarize_range(
        self,
        *,
        conversation_id: str,
        first_turn_id: str,
        last_turn_id: str,
        summarizer: Summarizer | None = None,
        embedding: Any = None,
    ) -> IndexRow:
        """Store a ``conv.range.summary`` (index only) of the turns first..last (by turn time).

        ``summarizer`` gets the turns' compact summaries and returns the text; the default
        lists them (``"turn t1: 2 blocks, feedback ok"; ...``).
        """
        async with self.db.read() as conn:
            owner = await self._owner(conn, conversation_id, None)
            turns = (
                (
                    await conn.execute(
                        sa.select(conv_turns.c.turn_id)
                        .where(conv_turns.c.conversation_id == conversation_id)
                        .order_by(conv_turns.c.ts, conv_turns.c.turn_id)
                    )
                )
                .scalars()
                .all()
            )
        if first_turn_id not in turns or last_turn_id not in turns:
            raise ConversationNotFoundError(
                first_turn_id if first_turn_id not in turns else last_turn_id, field="turn_id"
            )
        span = turns[turns.index(first_turn_id) : turns.index(last_turn_id) + 1]
        summaries = [await self.turn_log_summary(conversation_id, t) for t in span]
        text = await (summarizer or default_summary)(summaries)
        saved = await self.save_artifact(
            user_id=owner,
            conversation_id=conversation_id,
            kind=k.RANGE_SUMMARY,
            payload=None,
            text=text,
            turn_id=last_turn_id,
            embedding=embedding,
            index_only=True,
            tags=[f"range:{first_turn_id}..{last_turn_id}"],
        )
        assert saved.row is not None
        return saved.row

    # -- maintenance ------------------------------------------------------------------
    async def recover(self) -> dict[str, int]:
        """Apply every pending outbox entry, then delete orphan blobs."""
        applied = await self.flush()
        orphans = await outbox.collect_orphans(self.db, self.blobs)
        return {"applied": applied, "orphans_deleted": len(orphans)}

    async def purge_expired(self, *, now: datetime | None = None) -> dict[str, int]:
        """Delete rows past ``expires_at`` and their blobs (and the reactions of expired turns).

        Returns:
            ``{"rows": deleted index rows, "turns": deleted turns, "blobs": deleted blobs}``.
        """
        return await maintenance.purge_expired(self, now=now)

    async def reindex(self) -> dict[str, int]:
        """Rebuild every blob-backed index row, tag, reaction and turn from the blobs.

        Index-only rows (range summaries) have no blob and are kept as they are.
        """
        return await maintenance.reindex(self)


async def default_summary(summaries: list[dict[str, Any]]) -> str:
    """A plain listing of the turns' summaries (no model needed).

    Example: ``"turn t1: 2 blocks, feedback ok; turn t2: 1 blocks, no feedback"``.
    """
    parts = []
    for s in summaries:
        fb = s["feedback"]["last_reaction"]
        parts.append(
            f"turn {s['turn_id']}: {s['blocks_count']} blocks, "
            + (f"feedback {fb}" if fb else "no feedback")
        )
    return "; ".join(parts)


__all__ = ["ConversationStore", "Saved", "default_summary"]
